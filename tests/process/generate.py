"""Write processes/*.bpmn and forms/*.json from the builders: `python -m tests.process.generate`.

Checks on the way that element ids are unique across all processes (the engine indexes element
metadata of a process and all processes it calls by element id), that every form a task names
exists, and that every form is used.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.process.bpmn_builder import Process
from tests.process.bpmn_case_parts import (
    case_handling,
    investigation_phase,
    penalty_procedure,
    sealing,
)
from tests.process.bpmn_execution_parts import (
    court_enforcement,
    deferral,
    fine_collection,
    remedy_windows,
    service,
)
from tests.process.bpmn_main import (
    case_closure,
    decision_service,
    enforcement,
    filing,
    sealing_period,
)
from tests.process.bpmn_phases import (
    assisted_demolition,
    coercion,
    correction_period,
    court_demand_wait,
    deferral_phase,
    demand_phase,
    enforcement_decision_phase,
    execution,
    litigation,
    party_period,
    public_notice_phase,
)
from tests.process.forms_spec import FORMS

ROOT = Path(__file__).resolve().parents[2]


def all_processes() -> list[Process]:
    return [
        enforcement(),
        sealing_period(),
        filing(),
        decision_service(),
        execution(),
        party_period(),
        correction_period(),
        court_demand_wait(),
        demand_phase(),
        enforcement_decision_phase(),
        deferral_phase(),
        public_notice_phase(),
        coercion(),
        assisted_demolition(),
        litigation(),
        case_closure(),
        sealing(),
        case_handling(),
        investigation_phase(),
        penalty_procedure(),
        service(),
        remedy_windows(),
        deferral(),
        court_enforcement(),
        fine_collection(),
    ]


def check(processes: list[Process]) -> None:
    seen: dict[str, str] = {}
    used_forms: set[str] = set()
    for p in processes:
        for nid, node in p.nodes.items():
            if nid in seen:
                raise SystemExit(f"element id {nid} in both {seen[nid]} and {p.id}")
            seen[nid] = p.id
            form = node.props.get("formJsonSchemaFilename")
            if form:
                if form not in FORMS:
                    raise SystemExit(f"{p.id}.{nid}: form {form} is not defined")
                used_forms.add(form)
    unused = set(FORMS) - used_forms
    if unused:
        raise SystemExit(f"unused forms: {sorted(unused)}")


def main() -> int:
    processes = all_processes()
    check(processes)
    (ROOT / "processes").mkdir(exist_ok=True)
    (ROOT / "forms").mkdir(exist_ok=True)
    for p in processes:
        (ROOT / "processes" / f"{p.id}.bpmn").write_text(p.to_xml(), encoding="utf-8")
    for key, schema in FORMS.items():
        text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        (ROOT / "forms" / key).write_text(text, encoding="utf-8")
    print(f"{len(processes)} processes, {len(FORMS)} forms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
