"""Lane names and small patterns shared by the process builders (see generate.py)."""

from __future__ import annotations

from tests.process.bpmn_builder import Process

OFFICER = "officer"
HEAD = "head"
REVIEW = "legal_review"
GOV = "government"
UTILITY = "utility"
COURT = "court"


def flag_on_timeout(p: Process, timer_id: str, flag: str, end_name: str = "记录超期 Noted") -> None:
    """A non-interrupting deadline that only records that it was missed (audited as fired)."""
    lane = p.nodes[timer_id].lane
    script = p.script(f"{timer_id}_flag", "记录超期 Record overdue", lane, f"{flag} = True")
    end = p.end(f"{timer_id}_end", end_name, lane)
    p.chain(timer_id, script, end)
