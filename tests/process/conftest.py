"""Process-test fixtures: a scratch SQLite database with every process of processes/ deployed.

The database is migrated and the processes deployed once per session into a template file,
which each test copies; each test then builds its own App on the copy with a FixedClock.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine import services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import LegalSettings, Settings
from engine.forms import FormCatalog
from engine.runtime import ProcessRuntime
from engine.services import Actor
from engine.store.migrate import upgrade
from tests.conftest import ROOT
from tests.process.driver import Driver, at

DESIGNER = Actor("designer1", ("designer",))
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"


# The State Council has not published the schedules after 2026; windows of 1 year (remedy rights
# omitted) and 3 years (deferral) reach into them, so the tests load a stand-in schedule with
# only the fixed-date holidays (元旦, 劳动节, 国庆节) for 2027-2029. Test data, not the law.
HOLIDAYS = Path(__file__).with_name("holidays_test_2027_2029.json")


def _settings(path: Path, **legal: Any) -> Settings:
    """The process tests' engine (mail days after the remedy windows, CPL Art. 85, off as by
    default; test_legal_fidelity turns them on with `local_driver(postal_days=5)`)."""
    settings = Settings(
        database_url=f"sqlite:///{path}", forms_dir=FORMS, secret_key="t", holidays_file=HOLIDAYS
    )
    settings.legal = LegalSettings(**{"postal_days": 0, **legal})
    return settings


def bpmn_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(PROCESSES.glob("*.bpmn"))}


@dataclass(frozen=True)
class Template:
    """A migrated database with every process deployed, and the runtime and form catalog that
    every test reuses (both are caches keyed by content, so sharing them changes no result)."""

    path: Path
    runtime: ProcessRuntime
    forms: FormCatalog


@pytest.fixture(scope="session")
def deployed_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    path = tmp_path_factory.mktemp("process_tpl") / "template.db"
    upgrade(f"sqlite:///{path}")
    app = build(_settings(path), FixedClock(at("2026-01-05 09:00")))
    try:
        results = services.deploy_process(
            app.ctx.uow(), ctx=app.ctx, files=bpmn_files(), actor=DESIGNER
        )
        assert {r.key for r in results} >= {"enforcement", "service", "case_handling"}
    finally:
        app.close()
    return Template(path, app.ctx.runtime, app.ctx.forms)


@pytest.fixture
def start_at() -> datetime:
    # Tuesday 2026-02-10 09:00 Shanghai: a working day just before the Spring Festival
    # (holidays 02-15..02-23; make-up working days Sat 02-14 and Sat 02-28).
    return at("2026-02-10 09:00")


@pytest.fixture
def app(
    deployed_template: Template, tmp_path: Path, start_at: datetime
) -> Iterator[tuple[App, FixedClock]]:
    path = tmp_path / "case.db"
    shutil.copy(deployed_template.path, path)
    clock = FixedClock(start_at)
    application = build(_settings(path), clock)
    application.ctx.runtime = deployed_template.runtime
    application.ctx.forms = deployed_template.forms
    yield application, clock
    application.close()


@pytest.fixture
def drv(app: tuple[App, FixedClock]) -> Driver:
    application, clock = app
    return Driver(application, clock)


@pytest.fixture
def deep_drv(app: tuple[App, FixedClock]) -> Driver:
    """A driver that also restores the stored workflow JSON after every step."""
    application, clock = app
    return Driver(application, clock, deep=True)


@pytest.fixture
def local_driver(
    deployed_template: Template, tmp_path: Path, start_at: datetime
) -> Iterator[Callable[..., Driver]]:
    """A driver on an engine configured with other (local) parameters, e.g. a city whose
    statement period is longer: `local_driver(statement_period="8 WD")`."""
    apps: list[App] = []

    def make(**legal: Any) -> Driver:
        path = tmp_path / f"local{len(apps)}.db"
        shutil.copy(deployed_template.path, path)
        clock = FixedClock(start_at)
        application = build(_settings(path, **legal), clock)
        application.ctx.forms = deployed_template.forms
        apps.append(application)
        return Driver(application, clock)

    yield make
    for a in apps:
        a.close()
