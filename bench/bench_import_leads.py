"""Bulk intake benchmark: a 10,000-row lead sheet (XLSX) imported as cases through the real
open-case use case, then imported again (which must create nothing).

Reports, per phase (read the sheet, dry run, import, second import): wall time, rows/s and the
process's peak resident memory during the phase (Linux VmHWM, reset before each phase through
/proc/self/clear_refs), on a freshly migrated SQLite file (and PostgreSQL with --pg-url).

    .venv/bin/python bench/bench_import_leads.py                   # 10,000 rows, real processes
    .venv/bin/python bench/bench_import_leads.py --rows 1000 --fixture   # quick, mini_case
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import services  # noqa: E402
from engine.bootstrap import build  # noqa: E402
from engine.clock import FixedClock  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.evidence.leads import read_leads  # noqa: E402
from engine.services import Actor  # noqa: E402
from engine.services.leads import import_leads  # noqa: E402
from engine.store.migrate import upgrade  # noqa: E402

DISTRICTS = ["朝阳区", "海淀区", "丰台区", "通州区", "昌平区", "大兴区", "顺义区", "房山区"]
STREETS = ["建国路", "中关村大街", "丰台路", "新华大街", "回龙观西大街", "黄村西大街", "府前街"]
SOURCES = ["12345热线", "巡查", "卫片", "移交", "自查"]
OFFICER = Actor("officer1", ("officer",))
DESIGNER = Actor("designer1", ("designer",))


def make_sheet(path: Path, rows: int, seed: int = 12) -> int:
    """A lead sheet with about 2 % rows that must be refused; returns how many are good."""
    rnd = random.Random(seed)
    book = Workbook(write_only=True)
    ws = book.create_sheet("线索")
    ws.append(["编号", "地址", "区县", "线索来源", "情况描述", "面积", "举报人", "坐标"])
    good = 0
    for i in range(1, rows + 1):
        district = rnd.choice(DISTRICTS)
        address = (
            f"{district}{rnd.choice(STREETS)}{rnd.randint(1, 999)}号院{rnd.randint(1, 30)}号楼"
        )
        area: Any = round(rnd.uniform(5, 800), 1)
        source = rnd.choice(SOURCES)
        bad = rnd.random() < 0.02
        if bad:
            kind = rnd.randint(0, 2)
            if kind == 0:
                address = ""
            elif kind == 1:
                source = "电话"
            else:
                area = "约十平米"
        else:
            good += 1
        lat, lon = 39.6 + rnd.random() * 0.6, 116.1 + rnd.random() * 0.7
        ws.append(
            [
                f"GD2026{i:08d}",
                address,
                district,
                source,
                "屋顶加盖彩钢房，疑似未取得建设工程规划许可证",
                area,
                rnd.choice(["", "张先生", "李女士", "匿名"]),
                f"{lat:.6f},{lon:.6f}",
            ]
        )
    book.save(path)
    return good


def _hwm_reset() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _status() -> dict[str, int]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def phase(name: str, fn: Callable[[], Any], rows: int) -> tuple[dict[str, Any], Any]:
    _hwm_reset()
    before = _status()["VmRSS"]
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    peak = _status()["VmHWM"]
    stats = {
        "phase": name,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds, 1) if seconds else None,
        "rss_before_mib": round(before / 2**20, 1),
        "peak_mib": round(peak / 2**20, 1),
        "peak_growth_mib": round((peak - before) / 2**20, 1),
    }
    print(
        f"{name:<16} {seconds:8.1f} s {stats['rows_per_s']!s:>8} rows/s   "
        f"RSS before {stats['rss_before_mib']:7.1f} MiB   peak {stats['peak_mib']:7.1f} MiB "
        f"(+{stats['peak_growth_mib']:.1f})",
        flush=True,
    )
    return stats, result


def run(url: str, label: str, sheet: Path, rows: int, fixture: bool, files: Path) -> dict[str, Any]:
    settings = Settings(
        database_url=url,
        forms_dir=(ROOT / "tests" / "fixtures" / "forms") if fixture else (ROOT / "forms"),
    )
    settings.files.root = files
    clock = FixedClock(datetime.fromisoformat("2026-03-02T09:00:00+08:00"))
    app = build(settings, clock)
    ctx = app.ctx
    folder = ROOT / ("tests/fixtures/processes" if fixture else "processes")
    bpmn = {p.name: p.read_bytes() for p in sorted(folder.glob("*.bpmn"))}
    if fixture:
        bpmn = {"mini_case.bpmn": bpmn["mini_case.bpmn"]}
    services.deploy_process(ctx.uow(), ctx=ctx, files=bpmn, actor=DESIGNER)
    key = "mini_case" if fixture else "enforcement"
    print(f"\n{label}: {rows} rows, process {key}", flush=True)

    def importer(dry: bool) -> Callable[[], Any]:
        return lambda: import_leads(
            ctx,
            actor=OFFICER,
            leads=read_leads(sheet),
            batch=sheet.name,
            dry_run=dry,
            process_key=key,
        )

    results = []
    stats, _ = phase("read sheet", lambda: list(read_leads(sheet)), rows)
    results.append(stats)
    stats, dry = phase("dry run", importer(True), rows)
    results.append({**stats, **dry.summary})
    stats, first = phase("import", importer(False), rows)
    results.append({**stats, **first.summary})
    stats, second = phase("second import", importer(False), rows)
    results.append({**stats, **second.summary})
    print(f"  dry run {dry.summary}\n  import  {first.summary}\n  again   {second.summary}")
    assert second.summary["created"] == 0, "a second import created cases"
    assert first.summary["created"] == dry.summary["would_create"]
    cases = services.list_cases(ctx.uow(read_only=True), ctx=ctx).total
    assert cases == first.summary["created"], (cases, first.summary)
    app.close()
    return {"backend": label, "rows": rows, "process": key, "phases": results}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--fixture", action="store_true", help="mini_case instead of processes/")
    ap.add_argument("--pg-url", default=os.environ.get("QINGWEI_BENCH_PG_URL"))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qw-bench-import-"))
    out: list[dict[str, Any]] = []
    try:
        sheet = work / "leads.xlsx"
        started = time.perf_counter()
        good = make_sheet(sheet, args.rows)
        print(
            f"sheet: {args.rows} rows ({good} importable), {sheet.stat().st_size / 2**20:.1f} MiB,"
            f" written in {time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.1f}"
        )
        db = work / "bench.db"
        upgrade(f"sqlite:///{db}")
        out.append(run(f"sqlite:///{db}", "SQLite", sheet, args.rows, args.fixture, work / "f1"))
        if args.pg_url:
            name = f"qw_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = args.pg_url.rsplit("/", 1)[0] + f"/{name}"
            try:
                upgrade(url)
                out.append(run(url, "PostgreSQL", sheet, args.rows, args.fixture, work / "f2"))
            finally:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "import_leads.json").write_text(
        json.dumps(
            {"at": datetime.now().isoformat(), "load": os.getloadavg(), "runs": out}, indent=2
        )
    )


if __name__ == "__main__":
    main()
