"""The processes and forms follow the project's conventions (API.md, GLOSSARY.md, DESIGN.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.demo_seed import DEMO_CASES
from engine.runtime import parse_bundle
from engine.statutes import check_basis
from tests.process.conftest import FORMS, bpmn_files

STAGES = {
    "intake",
    "investigation",
    "legal_review",
    "notice",
    "hearing",
    "decision",
    "service",
    "compliance_period",
    "remedy_period",
    "demand",
    "enforcement_decision",
    "public_notice",
    "forced_demolition",
    "confiscation",
    "deferred",
    "litigation",
    "closed",
    "reinspection",
}
MESSAGES = {
    "party_demolished",
    "party_corrected",
    "party_requests_assistance",
    "agreement_breached",
    "review_filed",
    "lawsuit_filed",
    "remedy_result",
    "fine_paid",
    "rebuilt_found",
}
LANES = {"officer", "legal_review", "head", "government", "utility", "court"}
# Whose deadline a timer is: the party's period, the agency's own duty or limit, a court's.
HOLDERS = {"party", "agency", "court"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Field names the engine's legal guards read from the case data (engine/services/guarding.py).
GUARD_FIELDS = {
    "decision_served_at",
    "remedy_rights_stated",
    "demand_served_at",
    "public_notice_at",
    "legal_basis",
    "classification",
    "demolition_at",
    "emergency",
    "emergency_reason",
    "utility_cutoff",
    "cutoff_basis",
    "use_type",
    "safety_appraisal_done",
    "intended_fine_amount",
    "fine_amount",
    "remedies_waived",
    "statement_made",
    "hearing_requested",
    "head_approved",
    "housing_hardship",
    "housing_secured",
    "revoked_decision",
    "facts_and_evidence",
}


@pytest.fixture(scope="module")
def definitions() -> dict[str, Any]:
    return parse_bundle(bpmn_files())


def _forms() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(Path(FORMS).glob("*.json"))}


def test_every_file_passes_deployment_validation(app: tuple[App, FixedClock]) -> None:
    application, _ = app
    report = services.validate_bpmn(None, ctx=application.ctx, files=bpmn_files())
    assert report.errors == []
    assert report.valid


def test_processes_and_call_activities(definitions: dict[str, Any]) -> None:
    assert set(definitions) == {
        "enforcement",
        "sealing_period",
        "filing",
        "decision_service",
        "execution",
        "party_period",
        "correction_period",
        "court_demand_wait",
        "substitute_execution",
        "demand_phase",
        "enforcement_decision_phase",
        "deferral_phase",
        "public_notice_phase",
        "coercion",
        "assistance",
        "litigation",
        "case_closure",
        "sealing",
        "case_handling",
        "investigation_phase",
        "penalty_procedure",
        "service",
        "remedy_windows",
        "deferral",
        "court_enforcement",
        "fine_collection",
    }
    called = set(definitions["enforcement"].subprocess_specs)
    assert called == set(definitions) - {"enforcement"}


def test_every_step_declares_lane_form_stage_and_documents(definitions: dict[str, Any]) -> None:
    forms = _forms()
    used: set[str] = set()
    for definition in definitions.values():
        for info in definition.elements.values():
            if info.kind in ("UserTask", "ManualTask"):
                assert info.lane in LANES, info
                assert info.form_key in forms, info
                assert info.stage in STAGES, info
                assert info.documents and all(CJK.search(d) for d in info.documents), info
                assert CJK.search(info.name) and re.search("[A-Za-z]", info.name), info
                used.add(info.form_key)
            if info.kind == "timer":
                assert info.period and info.basis and info.stage in STAGES, info
                assert info.properties.get("holder") in HOLDERS, info
    assert used | {"intake.json"} == set(forms)


BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def test_every_user_task_declares_its_legal_basis() -> None:
    """Every user or manual task carries a `basis` property: the engine records it on the
    task_completed audit event, so the trail shows the legal basis of every step. Each citation
    names an existing article ("APL Art. 58", "URPL Art. 64; APL Art. 59", "北京 Art. 78"), a
    PROCEDURE.md step where no article governs, or a regulation not shipped, by name."""
    missing: list[str] = []
    tasks = 0
    for name, content in bpmn_files().items():
        root = ElementTree.fromstring(content)
        for kind in ("userTask", "manualTask"):
            for task in root.iter(f"{{{BPMN_NS}}}{kind}"):
                tasks += 1
                props = {
                    p.get("name"): (p.get("value") or "").strip()
                    for p in task.iter(f"{{{SPIFF_NS}}}property")
                }
                basis = props.get("basis", "")
                # Every citation names an existing article, a PROCEDURE step, or a regulation
                # the project does not ship, by name (engine.statutes).
                if not basis or check_basis(basis):
                    missing.append(f"{name}: {task.get('id')} basis={basis!r}")
    assert tasks > 0
    assert missing == []


def test_intake_form_on_the_start_event_accepts_the_demo_cases(
    definitions: dict[str, Any], app: tuple[App, FixedClock]
) -> None:
    start = definitions["enforcement"].elements["intake"]
    assert start.form_key == "intake.json"
    application, _ = app
    for case in DEMO_CASES:
        assert application.ctx.forms.validate("intake.json", dict(case)) == []


def test_messages_are_the_api_messages() -> None:
    names: set[str] = set()
    for content in bpmn_files().values():
        names |= set(re.findall(r'<bpmn:message id="[^"]+" name="([^"]+)"', content.decode()))
    assert names == MESSAGES


def test_forms_follow_the_conventions() -> None:
    fields: set[str] = set()
    for key, form in _forms().items():
        assert form["$schema"] == "https://json-schema.org/draft/2020-12/schema", key
        assert CJK.search(form["title"]), key
        assert form["description"].isascii() or CJK.search(form["description"]), key
        assert form["additionalProperties"] is False, key
        assert set(form["required"]) <= set(form["properties"]), key
        for name, prop in form["properties"].items():
            assert CJK.search(prop["title"]), (key, name)
            assert re.search("[A-Za-z]", prop["description"]), (key, name)
            if name.endswith(("_on", "_date")):
                assert prop.get("format") == "date", (key, name)
            if name.endswith("_at") and name not in ("public_notice_at", "published_at"):
                assert prop.get("format") in ("date", "date-time"), (key, name)
        fields |= set(form["properties"])
    scripts = b"".join(bpmn_files().values()).decode()
    missing = {f for f in GUARD_FIELDS if f not in fields and f not in scripts}
    assert missing == set()


def test_element_ids_are_unique_across_files() -> None:
    """The engine indexes a process and the processes it calls by element id: an id used in two
    files would give one element the other's form, stage or deadline. A process id is an id too:
    the case diagram merges the files into one document (engine/bpmn_bundle.py)."""
    seen: dict[str, str] = {}
    clashes = []
    for name, content in bpmn_files().items():
        root = ElementTree.fromstring(content)
        for el in root.iter():
            tag = el.tag.rsplit("}", 1)[-1]
            eid = el.get("id")
            # every id but the root and the message and signal definitions that files share
            # (the merged diagram keeps those once)
            if eid is None or tag in ("definitions", "message", "signal"):
                continue
            if eid in seen and seen[eid] != name:
                clashes.append((eid, seen[eid], name))
            seen[eid] = name
    assert clashes == []
