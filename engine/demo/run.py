"""`qingwei demo`: one case through the whole forced-demolition path, on a scratch database.

A FixedClock starts on Tue 2026-02-10 09:00 (Shanghai) and is moved across every deadline; at
each one the due timers fire exactly as the worker would fire them. Every step goes through
`engine.services`. Printed: one line per step (clock, stage, what was done or what lapsed, its
legal basis and due date), the stage path, the full audit trail and its verification.
"""

from __future__ import annotations

import tempfile
import time
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from engine import services
from engine.bootstrap import App, build
from engine.calendar import TZ
from engine.clock import FixedClock
from engine.config import LegalSettings, Settings
from engine.demo import script
from engine.errors import QingweiError
from engine.services.context import Actor
from engine.services.views import AuditEventView, CaseView
from engine.store.migrate import upgrade

START = script.at("2026-02-10 09:00")
DESIGNER = Actor("designer1", ("designer",))
REPO = Path(__file__).resolve().parent.parent
STAGE_WIDTH = 34

ACTION_NAMES = {
    "case_opened": "案件登记 opened",
    "task_completed": "完成任务 task",
    "timer_fired": "期限届满 timer",
    "message_received": "收到消息 message",
    "guard_refused": "依法拒绝 refused",
    "case_closed": "办结 closed",
}

Echo = Callable[[str], None]


class DemoFailed(Exception):
    """The demo could not run; the message says why."""


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _when(instant: datetime | str | None) -> str:
    if instant is None:
        return "-"
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return f"{instant.astimezone(TZ):%Y-%m-%d %H:%M}"


def stage_label(stage: str | None) -> str:
    if not stage:
        return "-"
    return f"{script.STAGE_NAMES.get(stage, stage)} {stage}"


def _resolve(path: Path) -> Path:
    """A configured folder, relative to the working directory like `serve`; failing that,
    relative to the repository this engine runs from."""
    if path.is_absolute() or path.is_dir():
        return path
    beside = REPO / path
    return beside if beside.is_dir() else path


def demo_settings(db_path: Path) -> Settings:
    """The demo's own settings: a scratch SQLite file and the default (local) legal periods,
    whatever QINGWEI_DATABASE_URL or QINGWEI_LEGAL__* say; processes and forms are found as
    `serve` finds them."""
    configured = Settings()
    return Settings(
        database_url=f"sqlite:///{db_path}",
        processes_dir=_resolve(configured.paths.processes_dir),
        forms_dir=_resolve(configured.paths.forms_dir),
        legal=LegalSettings(),
        fake_clock=True,
    )


def _deploy(app: App, echo: Echo) -> None:
    folder = app.settings.paths.processes_dir
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.bpmn"))}
    if not files:
        raise DemoFailed(f"no BPMN files in {folder.resolve()} (QINGWEI_PROCESSES_DIR)")
    results = services.deploy_process(app.ctx.uow(), ctx=app.ctx, files=files, actor=DESIGNER)
    main = [r for r in results if r.key == script.PROCESS_KEY]
    if not main:
        raise DemoFailed(f"{folder.resolve()} has no '{script.PROCESS_KEY}' process")
    echo(
        f"流程 processes: {len(results)} deployed from {folder} "
        f"({script.PROCESS_KEY} v{main[0].version})"
    )


# ---- printing -----------------------------------------------------------------------------------
def _step_lines(o: script.Outcome) -> list[str]:
    """One line per thing the step did, then the deadlines it set and the stage it led to."""
    when = _when(o.at)
    before_stage = o.before.stage if o.before else None
    lines: list[str] = []
    waited = {t.element_id: t.period for t in o.before.timers} if o.before else {}

    def line(stage: str | None, text: str) -> None:
        lines.append(f"{when}  {_pad(stage_label(stage), STAGE_WIDTH)}{text}")

    for e in o.events:
        who = f"{e.actor} ({', '.join(e.roles)})"
        if e.action == "case_opened":
            basis = script.STEP_BASIS["case_opened"]
            line("intake", f"▶ 案件登记 case opened {o.case.case_no} · {who} · 依据 basis: {basis}")
        elif e.action == "task_completed":
            element = e.element_id or ""
            basis = e.basis or script.STEP_BASIS.get(element, "-")
            docs = "、".join(e.data.get("documents") or []) or "-"
            line(
                e.data.get("stage"),
                f"✔ 完成 done: {e.data.get('task', element)} [{element}] · {who}"
                f" · 依据 basis: {basis} · 文书 documents: {docs}",
            )
        elif e.action == "timer_fired":
            due = e.data.get("due_at")
            # The period in force as the case showed it (a decision's days, a local value).
            period = waited.get(e.element_id or "") or e.data.get("period") or "-"
            line(
                before_stage,
                f"⏰ 期限届满 lapsed: {e.data.get('timer')} [{e.element_id}]"
                f" · {period} · 依据 basis: {e.basis or '-'}"
                + (f" · 到期 due {_when(due)}" if due else ""),
            )
        elif e.action == "message_received":
            line(before_stage, f"✉ 收到消息 message: {e.data.get('message')} · {who}")
        elif e.action == "guard_refused":
            stage = o.task.stage if o.task else before_stage
            line(
                stage,
                f"✘ 依法拒绝 refused: {o.task.name if o.task else e.element_id}"
                f" [{e.element_id}] · {who} · 依据 basis: {e.basis} · {e.data.get('reason')}",
            )
        elif e.action == "case_closed":
            line(o.case.stage, "■ 办结 case closed")
    indent = " " * (len(when) + 2 + STAGE_WIDTH)
    old = {t.id for t in o.before.timers} if o.before else set()
    for t in sorted(o.case.timers, key=lambda t: t.due_at):
        if t.id not in old:
            lines.append(
                f"{indent}⏳ 期限 deadline: {t.name} [{t.element_id}] → 到期 due {_when(t.due_at)}"
                f" · {t.period or '-'} · 依据 basis: {t.basis or '-'}"
            )
    if o.refusal is None and o.case.stage != (before_stage or ""):
        ready = ", ".join(sorted(t.element_id for t in o.case.tasks)) or "-"
        lines.append(
            f"{indent}→ 阶段 stage: {stage_label(o.case.stage)} · 待办 ready: {ready}"
            f" · 状态 status: {o.case.status}"
        )
    return lines


def _trail_lines(events: list[AuditEventView]) -> list[str]:
    header = ("序号 seq", "时间 time", "操作人 actor", "动作 action", "环节 element", "依据 basis")
    rows = [
        (
            str(e.seq),
            _when(e.at),
            e.actor,
            ACTION_NAMES.get(e.action, e.action),
            e.element_id or "-",
            e.basis or "-",
        )
        for e in events
    ]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(cells: tuple[str, ...], tail: str) -> str:
        return "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)) + "  " + tail

    lines = [fmt(header, "哈希 hash")]
    lines.append("-" * _width(lines[0]))
    lines += [fmt(r, e.hash[:12]) for r, e in zip(rows, events, strict=True)]
    return lines


# ---- the demo -----------------------------------------------------------------------------------
def run(echo: Echo, keep: Path | None = None) -> int:
    """Run the demo, printing through `echo`; 0 on success, 1 if a step failed."""
    started = time.monotonic()
    if keep is not None and keep.exists():
        echo(f"演示失败 demo failed: {keep} already exists; --keep needs a new file")
        return 1
    with tempfile.TemporaryDirectory(prefix="qingwei-demo-") as tmp:
        db_path = keep.resolve() if keep is not None else Path(tmp) / "demo.db"
        try:
            return _run(echo, db_path, started, kept=keep is not None)
        except (DemoFailed, script.ScriptFailed, QingweiError, OSError, ValueError) as exc:
            echo("")
            echo(f"演示失败 demo failed: {exc}")
            return 1


def _run(echo: Echo, db_path: Path, started: float, *, kept: bool) -> int:
    settings = demo_settings(db_path)
    upgrade(settings.database.url)
    clock = FixedClock(START)
    app = build(settings, clock)
    try:
        echo("清违 Qingwei 演示 demo: 一宗案件走完强制拆除全流程 / one case, the whole")
        echo("forced-demolition path (PROCEDURE.md §2-§3), on a scratch SQLite database.")
        echo(f"数据库 database: {db_path}{' (kept)' if kept else ' (scratch, removed at exit)'}")
        echo(
            f"时钟 clock: FixedClock from {_when(START)} Asia/Shanghai, moved across each deadline"
        )
        _deploy(app, echo)
        echo(
            "依据 basis: every task and timer declares its article in the BPMN; the audit"
            " trail records it with each step"
        )
        echo("")
        header = f"{_pad('时间 time', 16)}  {_pad('阶段 stage', STAGE_WIDTH)}步骤 step"
        echo(header)
        echo("-" * (_width(header) + 60))
        runner = script.CaseRunner(app.ctx, clock=clock)

        def show(o: script.Outcome) -> None:
            for text in _step_lines(o):
                echo(text)

        runner.run_all(script.forced_demolition_path(), on_step=show)
        case = _final(runner)
        echo("")
        echo("阶段路径 stage path: " + " → ".join(runner.stage_path()))
        echo(
            f"结果 outcome: {case.data.get('outcome')} · 状态 status: {case.status}"
            f" · 拆除面积 demolished: {case.data.get('demolished_area_m2')} m²"
        )
        events = services.case_trail(app.ctx.uow(read_only=True), case_id=case.id)
        echo("")
        echo(f"审计链 audit trail — case {case.case_no}, {len(events)} events")
        for text in _trail_lines(events):
            echo(text)
        result = services.verify_case(app.ctx.uow(read_only=True), ctx=app.ctx, case_id=case.id)
        echo("")
        if not result.valid:
            echo(f"校验 verify: INVALID — event {result.first_bad_seq} is bad: {result.reason}")
            return 1
        echo(
            f"校验 verify: valid 有效 — {result.events} events, hash chain intact"
            f" (head {events[-1].hash[:12]})"
        )
        echo(f"演示完成 demo finished in {time.monotonic() - started:.1f} s")
        return 0
    finally:
        app.close()


def _final(runner: script.CaseRunner) -> CaseView:
    case = runner.case
    if case is None or case.status != "closed":
        raise DemoFailed(f"the case did not close (status {case.status if case else 'none'})")
    return case
