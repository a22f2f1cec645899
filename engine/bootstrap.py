"""The one composition root: settings + clock in, a wired engine out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from engine.calendar import StatutoryCalendar
from engine.clock import Clock, FixedClock, SystemClock
from engine.config import Settings
from engine.forms import FormCatalog
from engine.runtime import ProcessRuntime
from engine.services.context import EngineContext
from engine.store.db import make_engine
from engine.store.uow import UnitOfWorkFactory


@dataclass
class App:
    """Everything a process (server, worker, CLI, test) needs, built once."""

    settings: Settings
    ctx: EngineContext
    engine: Engine

    def close(self) -> None:
        self.engine.dispose()


def build(settings: Settings | None = None, clock: Clock | None = None) -> App:
    settings = settings or Settings()
    if clock is None:
        clock = SystemClock() if not settings.clock.fake else FixedClock(settings.clock.start)
    calendar = StatutoryCalendar.load(settings.calendar.holidays_file)
    engine = make_engine(settings.database)
    ctx = EngineContext(
        settings=settings,
        clock=clock,
        runtime=ProcessRuntime(
            calendar,
            settings.legal.parameters(),
            script_seconds=settings.limits.script_seconds,
            step_seconds=settings.limits.step_seconds,
        ),
        forms=FormCatalog(settings.paths.forms_dir),
        uow=UnitOfWorkFactory(engine),
    )
    return App(settings=settings, ctx=ctx, engine=engine)
