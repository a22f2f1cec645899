"""`qingwei import leads FILE [--dry-run]`: bulk intake from the command line, with a progress
bar (rich) and a result table; exit 1 when a row was refused, 2 when the file is unreadable."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from engine import services
from engine.bootstrap import build
from engine.errors import QingweiError
from engine.evidence.leads import SheetUnreadable, read_leads
from engine.services.context import Actor
from engine.services.leads import (
    CREATED,
    DEFAULT_PROCESS,
    REFUSED,
    SKIPPED,
    WOULD_CREATE,
    import_leads,
)

import_app = typer.Typer(help="批量导入 Bulk intake.", no_args_is_help=True)
STATUS_CN = {CREATED: "已立案", WOULD_CREATE: "将立案", SKIPPED: "跳过", REFUSED: "拒绝"}
# Cases opened from the command line without --as are recorded under this officer name.
IMPORT_ACTOR = Actor("lead-import", ("officer",))


@import_app.command("leads")
def import_leads_command(
    file: Path,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="list what would be created; open nothing"
    ),
    process: str = typer.Option(DEFAULT_PROCESS, "--process", help="the process key to open"),
    as_user: str | None = typer.Option(None, "--as", help="an officer's username to open as"),
    show: int = typer.Option(50, "--show", help="rows of the result table to print (0: all)"),
) -> None:
    """Import leads (FILE: .xlsx, .csv, or a 12345 hotline .json export) as new cases; rows
    already imported (same source id) are skipped."""
    console = Console(stderr=True)
    if not file.is_file():
        typer.echo(f"{file}: 文件不存在 no such file", err=True)
        raise typer.Exit(2)
    a = build()
    actor = IMPORT_ACTOR
    if as_user:
        found = services.get_actor(a.ctx.uow(read_only=True), username=as_user)
        if found is None:
            typer.echo(f"用户 {as_user} 不存在或已停用 (no such active user)", err=True)
            raise typer.Exit(2)
        actor = found
    try:
        leads = list(read_leads(file))
    except SheetUnreadable as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task("检查 checking" if dry_run else "导入 importing", total=len(leads))
            report = import_leads(
                a.ctx,
                actor=actor,
                leads=leads,
                batch=file.name,
                dry_run=dry_run,
                process_key=process,
                progress=lambda _r: bar.advance(task),
            )
    except QingweiError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    finally:
        a.close()
    out = Console()
    table = Table(title=f"{file.name}{'（试运行 dry run）' if dry_run else ''}")
    for name in ("行 row", "来源编号 source id", "结果 result", "案件 case", "原因 reason"):
        table.add_column(name)
    rows = report.results if show == 0 else report.results[:show]
    for r in rows:
        table.add_row(
            str(r.row), r.source_id, STATUS_CN[r.status], r.case_no or "", "；".join(r.reasons)
        )
    out.print(table)
    if show and len(report.results) > show:
        out.print(f"……另有 {len(report.results) - show} 行未列出 (--show 0 lists all)")
    s = report.summary
    out.print(
        f"已立案 created {s[CREATED]}，将立案 would create {s[WOULD_CREATE]}，"
        f"跳过 skipped {s[SKIPPED]}，拒绝 refused {s[REFUSED]}"
    )
    if s[REFUSED]:
        raise typer.Exit(1)
