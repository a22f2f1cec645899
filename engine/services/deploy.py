"""Use cases for process designers: validate and deploy BPMN as new process versions."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from engine import audit
from engine.errors import DeploymentRejected, NotFound
from engine.runtime import BpmnRejected, ProcessDefinition, lint, parse_bundle
from engine.services.context import LANE_ROLES, Actor, EngineContext
from engine.services.views import DeployResult, ProcessVersionView, ValidationReport
from engine.store.models import ProcessVersion
from engine.store.uow import UnitOfWork


def _check(
    ctx: EngineContext, files: Mapping[str, bytes], library: Mapping[str, bytes]
) -> tuple[dict[str, ProcessDefinition], list[str]]:
    if not files:
        return {}, ["no BPMN file given"]
    try:
        definitions = parse_bundle(files, library, max_elements=ctx.settings.limits.max_elements)
    except BpmnRejected as exc:
        return {}, [str(i) for i in exc.issues]
    errors: list[str] = []
    for definition in definitions.values():
        issues = lint(
            definition,
            form_exists=ctx.forms.exists,
            known_lanes=LANE_ROLES,
            local_parameters=ctx.settings.legal.parameters(),
        )
        errors.extend(str(i) for i in issues)
    return definitions, errors


def validate_bpmn(
    uow: UnitOfWork | None, *, ctx: EngineContext, files: Mapping[str, bytes]
) -> ValidationReport:
    """Parse and lint without deploying. With a unit of work, call activities also resolve
    against deployed processes; without one (`qingwei validate`), only among `files`."""
    library: dict[str, bytes] = {}
    if uow is not None:
        with uow:
            library = uow.processes.latest_xml_by_file()
    _, errors = _check(ctx, files, library)
    return ValidationReport(valid=not errors, errors=errors, warnings=[])


def deploy_process(
    uow: UnitOfWork, *, ctx: EngineContext, files: Mapping[str, bytes], actor: Actor
) -> list[DeployResult]:
    """Deploy every executable process in `files`, all or nothing.

    The same content again returns the existing version (idempotent uploads); changed content
    becomes version n+1. Running cases keep the version they started on.
    """
    with uow:
        library = uow.processes.latest_xml_by_file()
        definitions, errors = _check(ctx, files, library)
        if errors:
            raise DeploymentRejected(errors)
        results: list[DeployResult] = []
        now = ctx.clock.now()
        called = {c for d in definitions.values() for c in d.subprocess_specs}
        for key, definition in sorted(definitions.items()):
            is_main = key not in called
            sha = hashlib.sha256(definition.xml).hexdigest()
            existing = uow.processes.by_sha(key, sha)
            if existing is not None:
                results.append(DeployResult(key, existing.version, created=False, main=is_main))
                continue
            row = ProcessVersion(
                key=key,
                version=uow.processes.next_version(key),
                name=definition.name,
                file_name=definition.file,
                sha256=sha,
                bpmn_xml=definition.xml,
                spec_json=ctx.runtime.spec_json(definition),
                elements_json={
                    k: {
                        "name": e.name,
                        "kind": e.kind,
                        "lane": e.lane,
                        "form_key": e.form_key,
                        "stage": e.stage,
                        "period": e.period,
                        "basis": e.basis,
                        "documents": list(e.documents),
                    }
                    for k, e in definition.elements.items()
                },
                deployed_at=now,
                deployed_by=actor.username,
            )
            uow.processes.add(row)
            results.append(DeployResult(key, row.version, created=True, main=is_main))
            audit.system_append(
                uow,
                at=now,
                actor=actor.username,
                roles=actor.roles,
                action="process_deployed",
                element_id=key,
                data={"key": key, "version": row.version, "file": definition.file, "sha256": sha},
            )
        ctx.commit(uow)
        return results


def list_processes(uow: UnitOfWork) -> list[ProcessVersionView]:
    with uow:
        rows = uow.processes.all()
        newest: dict[str, int] = {}
        for r in rows:
            newest[r.key] = max(newest.get(r.key, 0), r.version)
        return [
            ProcessVersionView(
                r.key, r.version, r.name, r.sha256, r.deployed_at, r.version == newest[r.key]
            )
            for r in rows
        ]


def process_xml(uow: UnitOfWork, *, key: str, version: int) -> str:
    with uow:
        row = uow.processes.get(key, version)
        if row is None:
            raise NotFound(f"process {key} version {version} does not exist")
        return row.bpmn_xml.decode("utf-8")
