"""Seed N cases (default 1,000,000) with a realistic spread, by bulk inserts of what the engine
would write, for the ledger and campaign benchmarks (bench/bench_ledger.py).

What is written per case, as the engine writes it:
* `cases`: the row with its data (intake, decision fields, outcome and the officers' dates),
  status, stage, `case_version`, the audit head; `parent_case_id` for rebuilt structures.
* `audit_events`: the `case_opened` event, hash-chained exactly as `engine.audit.append` does
  (so `audit verify` holds for these cases).
* `ledger_entries`: the row `engine.store.ledger_repo.entry_values` derives from the data, and
  at the end the counts kept from those rows (`ledger_counts`, `ledger_week_counts`: the same
  `rebuild_counts` as migration 0013's back-fill; a step adds its row's change to them).
* `ready_tasks` for open cases (some of them past their agency deadline) and `timers` for cases
  waiting on a party's period (some already due: overdue).

What is NOT written: the serialized workflow state (`state` is "{}" with serializer version
`bulk-seed`). A real state is 20-200 KB per case (200 GB at a million), and no ledger or campaign
query reads it; these cases cannot be stepped further. Later audit events of a case (one per
step) are not written either: the benchmarked queries never read the trail.

Spread: 120 towns and sub-districts × 8 villages (a large city), cases opened over three
years (2024-01-01 → 2026-11-30, more in recent months), a case older than ~14 months mostly
closed; closed cases end self-demolished 55 %, assisted 20 %, forced 14 %, confiscated 3 %,
no violation 6 %, corrected 2 %; areas log-normal (median ≈ 60 m²); 0.5 % of the cases are
rebuilds of an earlier closed case.

Usage:  .venv/bin/python bench/seed_ledger.py --url URL [--cases N] [--seed S]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, Table, create_engine, insert, select, text  # noqa: E402

from engine.audit import GENESIS, canonical, compute_hash  # noqa: E402
from engine.store.ledger_repo import entry_values, rebuild_counts  # noqa: E402
from engine.store.models import (  # noqa: E402
    AuditEvent,
    Case,
    LedgerEntry,
    ProcessVersion,
    ReadyTaskRow,
    TimerRow,
)

CN = timezone(timedelta(hours=8))
# A large prefecture-level city: 120 towns and sub-districts (镇/乡/街道), 8 villages each.
_STEMS = "城关东城西城南湖北山青石白沙柳溪新港河口云岭桃源金沙石门龙泉凤凰梅林松岗长乐花园"
_KINDS = ("镇", "乡", "街道")
DISTRICTS = [
    f"{_STEMS[2 * (i % 20) : 2 * (i % 20) + 2]}{'一二三四五六'[i // 20]}{_KINDS[i % 3]}"
    for i in range(120)
]
VILLAGES = ["一村", "二村", "三村", "四村", "东社区", "西社区", "南社区", "北社区"]
OPEN_STAGES = [
    ("investigation", 30, "investigation", "officer"),
    ("legal_review", 8, "legal_review", "legal_review"),
    ("notice", 6, "advance_notice", "officer"),
    ("decision", 6, "demolition_decision", "head"),
    ("service", 5, "serve_document", "officer"),
    ("compliance_period", 22, None, None),
    ("demand", 6, "demand", "officer"),
    ("enforcement_decision", 4, "enforcement_decision", "head"),
    ("public_notice", 4, None, None),
    ("forced_demolition", 3, "forced_demolition", "officer"),
    ("litigation", 4, None, None),
    ("deferred", 2, None, None),
]
OUTCOMES = [
    ("self_demolished", 55),
    ("assisted_demolished", 20),
    ("forced_demolished", 14),
    ("confiscated", 3),
    ("no_violation", 6),
    ("corrected", 2),
]
SOURCES = [("patrol", 45), ("hotline", 25), ("satellite", 20), ("referral", 5), ("self_report", 5)]
START = date(2024, 1, 1)
END = date(2026, 11, 30)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=CN)


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _day(d: date) -> str:
    return d.isoformat()


def _opened(rng: random.Random) -> datetime:
    """More cases recently (a campaign year): density grows linearly over the span."""
    span = (END - START).days
    offset = int(span * math.sqrt(rng.random()))
    d = START + timedelta(days=offset)
    return datetime(d.year, d.month, d.day, 8 + rng.randrange(10), rng.randrange(60), tzinfo=CN)


def make_case(rng: random.Random, case_id: int, closed_ids: list[int]) -> dict[str, Any]:
    """One case's rows: {'case', 'audit', 'ledger', 'task' | None, 'timer' | None}."""
    opened = _opened(rng)
    day = opened.date()
    district = rng.choice(DISTRICTS)
    village = rng.choice(VILLAGES)
    area = round(min(rng.lognormvariate(math.log(60), 0.9), 5000), 1)
    parent = rng.choice(closed_ids) if closed_ids and rng.random() < 0.005 else None
    data: dict[str, Any] = {
        "address": f"{district}{village}{rng.randrange(1, 400)}号",
        "district": district,
        "village": village,
        "source": "reinspection" if parent else _pick(rng, SOURCES),
        "area_m2": area,
        "use_type": rng.choice(["residential", "business", "production"]),
        "construction_ongoing": rng.random() < 0.1,
        "party_known": True,
        "party_name": f"当事人{case_id % 9973}",
        "received_on": _day(day),
    }
    age = (NOW.date() - day).days
    closed = rng.random() < min(0.92, age / 420)
    filed = day + timedelta(days=rng.randrange(1, 15))
    if filed <= NOW.date():
        data["filed_on"] = _day(filed)
    decided = filed + timedelta(days=rng.randrange(20, 90))
    status, stage, task, timer = "open", "investigation", None, None
    updated = opened
    if closed:
        outcome = _pick(rng, OUTCOMES)
        end = min(decided + timedelta(days=rng.randrange(5, 90)), NOW.date() - timedelta(days=1))
        end = max(end, filed)
        if outcome not in ("no_violation",):
            data["decided_on"] = _day(min(decided, end))
        data["outcome"] = outcome
        if outcome.endswith("_demolished"):
            data["verified_on"] = _day(end)
            data["demolished_area_m2"] = area if rng.random() < 0.9 else round(area * 0.8, 1)
        data["closed_out_on"] = _day(end)
        data["closed_on"] = _day(end)
        status, stage = "closed", "closed"
        updated = datetime(end.year, end.month, end.day, 17, 0, tzinfo=CN)
    else:
        stage, _, element, lane = OPEN_STAGES[
            rng.choices(range(len(OPEN_STAGES)), weights=[w for _, w, _, _ in OPEN_STAGES])[0]
        ]
        if stage not in ("investigation", "legal_review", "notice") and decided <= NOW.date():
            data["decided_on"] = _day(decided)
        updated = opened + timedelta(days=min(age, rng.randrange(0, 60)))
        if element is not None:
            due = updated + timedelta(days=rng.randrange(-20, 60))  # about 1 in 4 lapsed
            task = {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "case_id": case_id,
                "element_id": element,
                "name": element,
                "lane": lane,
                "form_key": f"{element}.json",
                "stage": stage,
                "created_at": updated.astimezone(UTC),
                "due_at": due.astimezone(UTC) if rng.random() < 0.6 else None,
                "due_name": None,
                "due_basis": None,
                "due_provisional": False,
            }
        else:
            due = updated + timedelta(days=rng.randrange(1, 75))
            timer = {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "case_id": case_id,
                "element_id": f"{stage}_period",
                "name": "履行期限",
                "due_at": due.astimezone(UTC),
                "period": "15 CD",
                "basis": "ACL Art. 35",
                "created_at": updated.astimezone(UTC),
                "start_at": updated.astimezone(UTC),
                "holder": "party",
                "years": str(due.year),
                "provisional_years": None,
                "provisional": False,
            }
    case_no = f"QW-{opened.year}-{case_id:07d}"
    officer = f"officer{1 + case_id % 40}"
    audit_data = {
        "after": {
            k: v
            for k, v in data.items()
            if k
            in (
                "address",
                "district",
                "village",
                "source",
                "area_m2",
                "use_type",
                "construction_ongoing",
                "party_known",
                "party_name",
            )
        },
        "process": "enforcement@1",
        "case_no": case_no,
        "parent_case_id": parent,
    }
    event: dict[str, Any] = {
        "case_id": case_id,
        "seq": 1,
        "at": opened.astimezone(UTC),
        "actor": officer,
        "roles": ["officer"],
        "action": "case_opened",
        "element_id": None,
        "data": audit_data,
        "basis": None,
        "prev_hash": GENESIS,
    }
    body = {**event, "at": event["at"].isoformat(timespec="microseconds")}
    import json

    body["data"] = json.loads(canonical(audit_data))
    event["hash"] = compute_hash(GENESIS, body)
    case: dict[str, Any] = {
        "id": case_id,
        "case_no": case_no,
        "process_key": "enforcement",
        "process_version": 1,
        "status": status,
        "stage": stage,
        "data": data,
        "state": "{}",
        "serializer_version": "bulk-seed",
        "case_version": 1,
        "audit_seq": 1,
        "audit_head": event["hash"],
        "completed_elements": [],
        "active_elements": [],
        "waiting_messages": [],
        "parent_case_id": parent,
        "created_by": officer,
        "created_at": opened.astimezone(UTC),
        "updated_at": updated.astimezone(UTC),
    }
    ledger = entry_values(
        case_id=case_id,
        case_no=case_no,
        parent_case_id=parent,
        status=status,
        stage=stage,
        data=data,
        created_at=case["created_at"],
        updated_at=case["updated_at"],
        officer=officer,
        next_due_at=(task or {}).get("due_at") or (timer or {}).get("due_at"),  # type: ignore[arg-type]
    )
    if closed and len(closed_ids) < 200_000:
        closed_ids.append(case_id)
    return {"case": case, "audit": event, "ledger": ledger, "task": task, "timer": timer}


def _process_version(engine: Engine) -> int:
    """The id of a process version the cases point at (a placeholder row if none is deployed)."""
    pv: Table = ProcessVersion.__table__  # type: ignore[assignment]
    with engine.begin() as c:
        found = c.execute(select(pv.c.id).order_by(pv.c.id).limit(1)).scalar()
        if found is not None:
            return int(found)
        return int(
            c.execute(
                insert(pv)
                .values(
                    key="enforcement",
                    version=1,
                    name="bulk seed",
                    file_name="enforcement.bpmn",
                    sha256="0" * 64,
                    bpmn_xml=b"",
                    spec_json={},
                    elements_json={},
                    deployed_at=NOW.astimezone(UTC),
                    deployed_by="seed",
                )
                .returning(pv.c.id)
            ).scalar_one()
        )


def batches(n: int, size: int, seed: int, first_id: int) -> Iterator[list[dict[str, Any]]]:
    rng = random.Random(seed)
    closed: list[int] = []
    batch: list[dict[str, Any]] = []
    for i in range(n):
        batch.append(make_case(rng, first_id + i, closed))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(url: str, n: int, *, seed_value: int = 13, batch: int = 5000, echo: Any = print) -> float:
    """Insert `n` cases; returns the seconds it took. The tables must exist (migrated)."""
    engine = create_engine(url)
    pv_id = _process_version(engine)
    with engine.connect() as c:
        first = int(c.execute(text("SELECT COALESCE(MAX(id), 0) FROM cases")).scalar_one()) + 1
    tables: dict[str, Table] = {
        "case": Case.__table__,  # type: ignore[dict-item]
        "audit": AuditEvent.__table__,  # type: ignore[dict-item]
        "ledger": LedgerEntry.__table__,  # type: ignore[dict-item]
        "task": ReadyTaskRow.__table__,  # type: ignore[dict-item]
        "timer": TimerRow.__table__,  # type: ignore[dict-item]
    }
    started = time.perf_counter()
    done = 0
    for rows in batches(n, batch, seed_value, first):
        for r in rows:
            r["case"]["process_version_id"] = pv_id
        with engine.begin() as c:
            for key in ("case", "audit", "ledger", "task", "timer"):
                values = [r[key] for r in rows if r[key] is not None]
                if values:
                    c.execute(insert(tables[key]), values)
        done += len(rows)
        if done % 100_000 < batch:
            echo(f"  {done:>9,} cases  {time.perf_counter() - started:7.1f} s")
    # The counts a step keeps as it writes a ledger row, summed from the rows just written
    # (the same function migration 0013 back-fills with).
    counted = time.perf_counter()
    with engine.begin() as c:
        counts, weeks = rebuild_counts(c)
    echo(f"  counts: {counts:,} + {weeks:,} week rows in {time.perf_counter() - counted:.1f} s")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="a migrated database (qingwei db upgrade)")
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    seconds = seed(args.url, args.cases, seed_value=args.seed)
    print(f"seeded {args.cases:,} cases in {seconds:.1f} s")


if __name__ == "__main__":
    main()
