"""Use cases for process designers: validate and deploy BPMN as new process versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

from engine import audit
from engine.errors import DeploymentRejected, NotFound
from engine.runtime import FormLookup, LintIssue, ProcessDefinition, check_bundle, issue, lint
from engine.services.context import LANE_ROLES, Actor, EngineContext
from engine.services.views import DeployResult, ProcessVersionView, ValidationReport
from engine.store.models import ProcessVersion
from engine.store.uow import UnitOfWork


def _form_finder(
    ctx: EngineContext, origin: Path | None, *, relative: bool
) -> Callable[[str], FormLookup]:
    """Where a BPMN file's forms are looked for: beside the file (./forms, ../forms) when it
    came from a folder, and the configured forms folders. A deployment is served from the
    configured folders only, so there a form found only beside the file is still a miss."""
    configured = [Path(d).resolve() for d in ctx.forms.directories]
    beside = [(origin / "forms").resolve(), (origin.parent / "forms").resolve()] if origin else []

    def find(key: str) -> FormLookup:
        if ctx.forms.exists(key):
            return FormLookup(True)
        places = [*beside, *configured] if relative else configured
        looked = tuple(dict.fromkeys(str(d / key) for d in places))
        if relative and any((d / key).is_file() for d in beside):
            return FormLookup(True, looked)
        near = [str(d / key) for d in beside if (d / key).is_file()]
        if near:
            where = ", ".join(str(d) for d in configured)
            return FormLookup(
                False,
                looked,
                f"；在 {near[0]} 找到，但服务器只从 {where} 读取表单，请复制过去",
                f"; found at {near[0]}, but the server reads forms from {where}: copy it there",
            )
        return FormLookup(False, looked)

    return find


def _document_issues(
    ctx: EngineContext, definition: ProcessDefinition, origin: Path | None, *, relative: bool
) -> list[LintIssue]:
    """The 文书 a process names are issued from documents/catalog.json: looked for beside the
    BPMN file (./documents, ../documents) and in the configured templates folder. A named kind
    whose template file is missing is an error; no catalog anywhere is a warning (the task then
    lists the names only), saying where it looked."""
    named = {
        (element_id, doc): info
        for element_id, info in definition.elements.items()
        for doc in info.documents
    }
    if not named:
        return []
    places = [Path(ctx.settings.documents.templates_dir).resolve()]
    if origin is not None and relative:
        places = [
            (origin / "documents").resolve(),
            (origin.parent / "documents").resolve(),
            *places,
        ]
    catalogs: list[tuple[Path, dict[str, object]]] = []
    for folder in dict.fromkeys(places):
        path = folder / "catalog.json"
        if path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(loaded, dict):
                catalogs.append((folder, loaded))
    if not catalogs:
        looked = "; ".join(str(p / "catalog.json") for p in dict.fromkeys(places))
        return [
            issue(
                "document",
                f"找不到文书目录 catalog.json，查找了：{looked}；文书将只列出名称，不生成",
                f"no documents catalog.json found; looked at: {looked}; documents are listed by "
                "name only, none is issued",
                file=definition.file,
                process=definition.key,
                element=definition.key,
                severity="warning",
            )
        ]
    out: list[LintIssue] = []
    for (element_id, doc), info in named.items():
        for folder, catalog in catalogs:
            kind = catalog.get(doc)
            if not isinstance(kind, dict):
                continue
            template = folder / str(kind.get("template", ""))
            if not template.is_file():
                out.append(
                    issue(
                        "document",
                        f"文书「{doc}」的模板不存在：{template}",
                        f"the template of document '{doc}' does not exist: {template}",
                        file=definition.file,
                        process=definition.key,
                        element=element_id,
                        name=info.name,
                        line=definition.lines.get(element_id),
                    )
                )
            break
    return out


def _check(
    ctx: EngineContext,
    files: Mapping[str, bytes],
    library: Mapping[str, bytes],
    origins: Mapping[str, Path] | None = None,
    *,
    relative: bool = True,
) -> tuple[dict[str, ProcessDefinition], list[LintIssue]]:
    """Every problem of the upload: parsing, the XSD, refused elements and every lint rule of
    each process that parsed (all at once, not only the first)."""
    if not files:
        return {}, [issue("bpmn-root", "没有提供 BPMN 文件", "no BPMN file given", file=None)]
    definitions, issues = check_bundle(
        files, library, max_elements=ctx.settings.limits.max_elements
    )
    for definition in definitions.values():
        origin = (origins or {}).get(definition.file)
        issues.extend(
            lint(
                definition,
                find_form=_form_finder(ctx, origin, relative=relative),
                known_lanes=LANE_ROLES,
                local_parameters=ctx.settings.legal.parameters(),
            )
        )
        issues.extend(_document_issues(ctx, definition, origin, relative=relative))
    return definitions, issues


def validate_bpmn(
    uow: UnitOfWork | None,
    *,
    ctx: EngineContext,
    files: Mapping[str, bytes],
    origins: Mapping[str, Path] | None = None,
) -> ValidationReport:
    """Parse and lint without deploying. With a unit of work, call activities also resolve
    against deployed processes; without one (`qingwei validate`), only among `files`.
    `origins` gives the folder each file came from, so its forms are found beside it."""
    library: dict[str, bytes] = {}
    if uow is not None:
        with uow:
            library = uow.processes.latest_xml_by_file()
    _, found = _check(ctx, files, library, origins)
    errors = [str(i) for i in found if i.severity != "warning"]
    warnings = [str(i) for i in found if i.severity == "warning"]
    return ValidationReport(valid=not errors, errors=errors, warnings=warnings)


def deploy_process(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    files: Mapping[str, bytes],
    actor: Actor,
    origins: Mapping[str, Path] | None = None,
) -> list[DeployResult]:
    """Deploy every executable process in `files`, all or nothing.

    The same content again returns the existing version (idempotent uploads); changed content
    becomes version n+1. Running cases keep the version they started on.
    """
    with uow:
        library = uow.processes.latest_xml_by_file()
        definitions, found = _check(ctx, files, library, origins, relative=False)
        errors = [str(i) for i in found if i.severity != "warning"]
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
