"""The `qingwei` command (API.md, "Command line")."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer

from engine import services
from engine.bootstrap import App, build
from engine.errors import DeploymentRejected, QingweiError
from engine.import_cli import import_app
from engine.process_limits import apply_memory_limit
from engine.services.context import Actor

app = typer.Typer(
    help="清违 Qingwei: BPMN case engine for illegal-construction enforcement.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
calendar_app = typer.Typer(help="法定节假日安排 Holiday schedules.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(import_app, name="import")

CLI_ACTOR = Actor("cli", ("designer", "admin"))


def _app() -> App:
    return build()


def _configure_logging() -> None:
    """Qingwei's own messages at INFO; SpiffWorkflow's only from WARNING. Spiff logs every task
    state change at INFO (about 500 bytes per fired timer) from inside the engine step: a
    stalled stderr (a full pipe, a slow log collector) then blocks the step while it holds the
    case's row lock, until the step budget fails it. That was the two-worker test's flake.
    WeasyPrint and fontTools likewise log seven lines per rendered 文书, inside the step."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("spiff", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _read_files(paths: list[Path], *, by_path: bool = False) -> dict[str, bytes]:
    """The files' bytes by base name (what a deployment records), or by the path as given
    (`validate`: a/x.bpmn and b/x.bpmn are two files). Two files with one base name cannot be
    deployed together: the second would silently replace the first."""
    files: dict[str, bytes] = {}
    for p in paths:
        if not p.is_file():
            typer.echo(f"{p}: 文件不存在 no such file", err=True)
            raise typer.Exit(2)
        key = str(p) if by_path else p.name
        if key in files:
            typer.echo(
                f"{p}: 与另一个文件同名 {p.name}，部署按文件名记录，请改名 / has the same name as"
                " another file given; a deployment records files by name: rename one",
                err=True,
            )
            raise typer.Exit(2)
        files[key] = p.read_bytes()
    return files


def _origins(paths: list[Path], *, by_path: bool = False) -> dict[str, Path]:
    """The folder each file came from: its forms are looked for beside it."""
    return {(str(p) if by_path else p.name): p.resolve().parent for p in paths}


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations to QINGWEI_DATABASE_URL."""
    from engine.store.migrate import upgrade

    a = _app()
    upgrade(a.settings.database.url)
    typer.echo("database is up to date")


@app.command()
def validate(paths: list[Path]) -> None:
    """Validate BPMN files; exit 1 with one line per error (file, line, element, rule, fix)."""
    a = _app()
    report = services.validate_bpmn(
        None,
        ctx=a.ctx,
        files=_read_files(paths, by_path=True),
        origins=_origins(paths, by_path=True),
    )
    for err in report.errors:
        typer.echo(err)
    for warning in report.warnings:  # stderr: stdout stays one line per error (API.md)
        typer.echo(warning, err=True)
    if not report.valid:
        raise typer.Exit(1)
    typer.echo(f"{len(paths)} file(s) valid")


@app.command()
def deploy(paths: list[Path]) -> None:
    """Validate and deploy BPMN files as new process versions."""
    a = _app()
    try:
        results = services.deploy_process(
            a.ctx.uow(),
            ctx=a.ctx,
            files=_read_files(paths),
            actor=CLI_ACTOR,
            origins=_origins(paths),
        )
    except DeploymentRejected as exc:
        for err in exc.errors:
            typer.echo(err, err=True)
        raise typer.Exit(1) from exc
    for r in results:
        typer.echo(f"{r.key} v{r.version} {'deployed' if r.created else 'unchanged'}")


@app.command()
def convert(
    file: Path,
    source: str = typer.Option(..., "--from", help="the other engine: camunda (7 or 8)"),
    out: Path | None = typer.Option(  # noqa: B008
        None, "-o", "--out", help="the converted file (default: FILE.qingwei.bpmn beside it)"
    ),
) -> None:
    """Convert a Camunda 7/8 BPMN file: the mechanical part, then print what a person must
    still decide (basis of each timer, lanes as roles, forms, service tasks, ...)."""
    from engine.convert.camunda import ConversionError
    from engine.convert.camunda import convert as convert_camunda

    if source != "camunda":
        typer.echo(f"--from {source}: 只支持 camunda / only camunda is supported", err=True)
        raise typer.Exit(2)
    if not file.is_file():
        typer.echo(f"{file}: 文件不存在 no such file", err=True)
        raise typer.Exit(2)
    try:
        result = convert_camunda(file.read_bytes())
    except ConversionError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    target = out or file.with_name(file.stem + ".qingwei.bpmn")
    target.write_bytes(result.xml)
    typer.echo(f"已写入 written: {target}")
    typer.echo(result.checklist(), nl=False)
    typer.echo(f"然后运行 then run: qingwei validate {target}")


@app.command()
def worker(once: bool = typer.Option(False, help="fire what is due now and exit")) -> None:
    """Run the timer worker (several may run against one PostgreSQL).

    Exits 1 with a message when the database cannot be used (unreachable, schema not migrated);
    on SIGTERM or Ctrl-C it finishes the step under way and exits 0."""
    import signal
    import threading

    from engine import worker as timer_worker
    from engine.config import Settings

    _configure_logging()
    try:
        settings = Settings()
        apply_memory_limit(settings.limits.memory_mib)
        timer_worker.preflight(settings.database.url)
        a = build(settings)
    except timer_worker.FatalWorkerError as exc:
        typer.echo(f"定时器工作进程无法启动 (worker cannot start): {exc}", err=True)
        raise typer.Exit(1) from exc
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        logging.getLogger("qingwei.worker").info(
            "收到信号 %s，完成当前步骤后退出 (signal %s: finishing the step under way)",
            signum,
            signum,
        )
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        if once:
            typer.echo(f"fired timers on {timer_worker.run_once(a.ctx, stop)} case(s)")
        else:
            timer_worker.run_forever(a.ctx, stop)
    except timer_worker.FatalWorkerError as exc:
        typer.echo(f"定时器工作进程退出 (worker stopped): {exc}", err=True)
        raise typer.Exit(1) from exc
    except timer_worker.DB_ERRORS as exc:  # --once: one pass, no second chance
        typer.echo(
            f"定时器工作进程退出，数据库不可用 (worker stopped, database unavailable): "
            f"{timer_worker.first_line(exc)}",
            err=True,
        )
        raise typer.Exit(1) from exc
    finally:
        a.close()


@users_app.command("add")
def users_add(
    name: str,
    role: list[str] = typer.Option(..., "--role", help="a role; repeat for several"),  # noqa: B008
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from stdin"
    ),
    full_name: str = typer.Option("", "--full-name"),
) -> None:
    """Create a user."""
    if not password_stdin:
        typer.echo(
            "--password-stdin is required (passwords are never taken as arguments)", err=True
        )
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\r\n")
    a = _app()
    try:
        actor = services.add_user(
            a.ctx.uow(),
            ctx=a.ctx,
            username=name,
            password=password,
            roles=role,
            full_name=full_name,
        )
    except QingweiError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"user {actor.username} created with roles {', '.join(actor.roles)}")


def _set_active(name: str, active: bool) -> None:
    from engine.clock import SystemClock

    a = _app()
    try:
        services.update_user(
            a.ctx, username=name, by=services.SYSTEM, now=SystemClock().now(), active=active
        )
    except QingweiError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    word = "已启用 enabled" if active else "已停用 disabled; every token revoked"
    typer.echo(f"user {name} {word}")


@users_app.command("disable")
def users_disable(name: str) -> None:
    """Disable a user: sign-in refused, every token revoked (other processes: within seconds)."""
    _set_active(name, False)


@users_app.command("enable")
def users_enable(name: str) -> None:
    """Enable a disabled user again (old tokens stay revoked)."""
    _set_active(name, True)


@app.command()
def serve(
    demo: bool = typer.Option(False, "--demo", help="demo users and cases, settable clock"),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", min=1, help="HTTP worker processes"),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log"),
) -> None:
    """Migrate, deploy processes/, and serve the API and the timer worker in one process.

    With --workers N the API runs in N processes (each builds its engine from the same
    QINGWEI_* settings) and the timer worker runs in the supervising process."""
    import secrets
    import threading

    import uvicorn

    from api.main import create_app
    from engine import worker as timer_worker
    from engine.config import Settings
    from engine.demo import seed as demo_seed
    from engine.store.migrate import upgrade

    _configure_logging()
    settings = Settings()
    apply_memory_limit(settings.limits.memory_mib)
    if demo and workers > 1:
        typer.echo("--demo keeps its settable clock in one process: use --workers 1", err=True)
        raise typer.Exit(2)
    if demo:
        settings.clock.fake = True
        if not settings.security.secret_key:
            settings.security.secret_key = secrets.token_urlsafe(32)
    elif not settings.security.secret_key:
        typer.echo("QINGWEI_SECRET_KEY is required (or use --demo)", err=True)
        raise typer.Exit(2)
    upgrade(settings.database.url)
    a = build(settings)
    if services.record_settings(a.ctx.uow(), ctx=a.ctx, actor=CLI_ACTOR):
        typer.echo("legal settings changed since the last start: recorded in the system trail")
    bpmn = sorted(settings.paths.processes_dir.glob("*.bpmn"))
    if bpmn:
        try:
            for r in services.deploy_process(
                a.ctx.uow(), ctx=a.ctx, files=_read_files(bpmn), actor=CLI_ACTOR
            ):
                typer.echo(f"{r.key} v{r.version} {'deployed' if r.created else 'unchanged'}")
        except DeploymentRejected as exc:
            for err in exc.errors:
                typer.echo(err, err=True)
            raise typer.Exit(1) from exc
    seeding: threading.Thread | None = None
    if demo:
        demo_seed.seed_users(a.ctx)
        demo_seed.seed_cases(a.ctx)
        if settings.demo_campaign:
            from engine.demo.campaign import seed_in_background

            seeding = seed_in_background(settings, a.ctx.clock.now())  # ~300 cases, minutes
        typer.echo(
            "demo users: "
            + " ".join(u[0] for u in demo_seed.DEMO_USERS)
            + f" (password: {demo_seed.DEMO_PASSWORD})"
        )
    stop = threading.Event()

    def _worker() -> None:
        # The demo campaign plays its past on a clock of its own: the worker (on the demo
        # clock) would fire those cases' timers under it, so it starts once the past is played.
        if seeding is not None:
            seeding.join()
        timer_worker.supervise(a.ctx, stop)

    # Supervised: a crash of the worker loop is logged and the loop restarted (backing off).
    thread = threading.Thread(target=_worker, name="timer-worker", daemon=True)
    thread.start()
    try:
        if workers == 1:
            uvicorn.run(create_app(a), host=host, port=port, access_log=access_log)
        else:
            from engine.http_workers import serve_processes

            serve_processes(host, port, workers, access_log=access_log)
    finally:
        stop.set()
        thread.join(timeout=10)
        a.close()


@app.command()
def demo(
    keep: Path | None = typer.Option(  # noqa: B008
        None, "--keep", help="keep the demo database in this (new) file"
    ),
) -> None:
    """Drive one case through the whole forced-demolition path on a scratch SQLite database,
    with a fixed clock stepping across the deadlines; print the stages and the audit trail."""
    from engine.demo import run as demo_run

    code = demo_run.run(typer.echo, keep)
    if code:
        raise typer.Exit(code)


@audit_app.command("verify")
def audit_verify(case: str | None = typer.Option(None, "--case", help="a case number")) -> None:
    """Recompute hash chains; exit 1 and name the first bad event."""
    a = _app()
    try:
        if case:
            case_id = services.find_case_id(a.ctx.uow(read_only=True), case_no=case)
            result = services.verify_case(a.ctx.uow(read_only=True), ctx=a.ctx, case_id=case_id)
            failures = [] if result.valid else [result]
            checked = 1
        else:
            failures = services.verify_all(a.ctx.uow(read_only=True), ctx=a.ctx)
            checked = -1
    except QingweiError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    for f in failures:
        trail = "system trail" if f.case_no == "system" else f"case {f.case_no or '-'}"
        typer.echo(f"{trail}: event {f.first_bad_seq} is bad: {f.reason}")
    if failures:
        raise typer.Exit(1)
    typer.echo(
        "audit trail verified"
        + (f" for case {case}" if checked == 1 else " for every case and the system trail")
    )


@calendar_app.command("show")
def calendar_show(year: int) -> None:
    """Print a year's rest days and make-up working days, and whether it is official."""
    a = _app()
    try:
        v = services.get_year(a.ctx.uow(read_only=True), ctx=a.ctx, year=year)
    except QingweiError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    status = "正式 official" if v.status == "official" else "暂定 provisional"
    typer.echo(f"{v.year} {status}  来源 source: {v.source}")
    if v.loaded_at:
        typer.echo(f"载入 loaded: {v.loaded_at.isoformat()} by {v.loaded_by}")
    for day, name in v.holidays:
        typer.echo(f"  休 {day.isoformat()} {name}")
    for day in v.work_days:
        typer.echo(f"  班 {day.isoformat()} 调休上班 make-up working day")


@calendar_app.command("load")
def calendar_load(
    file: Path,
    by: str = typer.Option("admin", help="who loads it (recorded in the system trail)"),
) -> None:
    """Load a State Council schedule: JSON {"year", "rest_days", "work_days", "source"} (or a
    list of them); deadlines of open cases that depend on the year are recomputed."""
    import json

    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        typer.echo(f"{file}: 无法读取 JSON / cannot read JSON ({exc})", err=True)
        raise typer.Exit(2) from exc
    entries = raw if isinstance(raw, list) else [raw]
    a = _app()
    actor = Actor(by, ("admin",))
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("year"), int):
            typer.echo(f"{file}: 每项须有整数 year / every entry needs an integer year", err=True)
            raise typer.Exit(2)
        try:
            v = services.load_year(
                a.ctx,
                actor=actor,
                year=entry["year"],
                rest_days=list(entry.get("rest_days") or []),
                work_days=list(entry.get("work_days") or []),
                source=str(entry.get("source") or ""),
            )
        except QingweiError as exc:
            typer.echo(f"{file}: {exc}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(
            f"{v.year} 已载入 loaded ({v.source}); 重算 recomputed "
            f"{v.recomputed_timers} deadline(s) in {v.recomputed_cases} case(s)"
        )


@audit_app.command("export")
def audit_export(
    case: str = typer.Option(..., "--case", help="a case number"),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
) -> None:
    """Print a case's trail with its hashes."""
    a = _app()
    try:
        case_id = services.find_case_id(a.ctx.uow(read_only=True), case_no=case)
        typer.echo(
            services.export_trail(a.ctx.uow(read_only=True), case_id=case_id, fmt=fmt), nl=False
        )
    except (QingweiError, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the current head of every case's chain (HMAC with QINGWEI_SECRET_KEY)."""
    a = _app()
    try:
        cp = services.sign_checkpoint(a.ctx.uow(), ctx=a.ctx)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"checkpoint {cp} signed")


if __name__ == "__main__":
    app()
