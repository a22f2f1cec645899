"""The FastAPI application: `create_app(app)` wires routes onto an already built engine."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import errors, web
from api.limits import InputLimits
from api.routes import (
    admin,
    attachments,
    auth,
    calendar,
    campaigns,
    cases,
    documents,
    imports,
    ledger,
    processes,
    system_audit,
    tasks,
    users,
)
from api.schemas.common import Problem
from engine.bootstrap import App, build
from engine.config import Settings

API_PREFIX = "/api/v1"


def create_app(engine_app: App | None = None) -> FastAPI:
    qw = engine_app or build(Settings())
    app = FastAPI(
        title="Qingwei 清违 API",
        version="1.0.0",
        description="BPMN case engine for illegal-construction enforcement (API.md v1).",
    )
    app.state.qingwei = qw
    errors.install(app)
    # The OpenAPI export builds the app around a stand-in without settings: default limits.
    app.add_middleware(InputLimits, settings=getattr(qw, "settings", None) or Settings())
    for module in (
        auth,
        processes,
        cases,
        tasks,
        ledger,
        campaigns,
        admin,
        calendar,
        system_audit,
        users,
        documents,
        attachments,
        imports,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    web.install(app, api_prefix=API_PREFIX)  # the web pages; after the API routes
    app.openapi = lambda: _openapi_with_problems(app)  # type: ignore[method-assign]
    return app


def _openapi_with_problems(app: FastAPI) -> dict[str, Any]:
    """Describe every error response as what it is: `application/problem+json` (RFC 9457).

    FastAPI documents route errors under application/json and adds its own 422 shape, which this
    API never sends; rewrite both so clients and schema-driven tests see the real contract.
    """
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    defs = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in defs.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components["Problem"] = defs
    ref = {"$ref": "#/components/schemas/Problem"}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    response["content"] = {"application/problem+json": {"schema": ref}}
                    response.setdefault("description", "Problem details (RFC 9457)")
            if "422" in responses or operation.get("parameters") or operation.get("requestBody"):
                responses["422"] = {
                    "description": "Invalid input: problem details with errors[{loc, msg}]",
                    "content": {"application/problem+json": {"schema": ref}},
                }
            responses.setdefault(
                "500",
                {
                    "description": "Internal error: problem details",
                    "content": {"application/problem+json": {"schema": ref}},
                },
            )
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    _binary_uploads(components)
    app.openapi_schema = schema
    return schema


def _binary_uploads(node: Any) -> None:
    """Declare every uploaded file `type: string, format: binary` (OpenAPI 3.0 style).

    FastAPI writes OpenAPI 3.1's `contentMediaType: application/octet-stream` only, which
    client generators (openapi-python-client) read as a plain string, so a generated client
    could not upload a BPMN file or evidence; with `format: binary` they send a file part."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("contentMediaType") == (
            "application/octet-stream"
        ):
            node["format"] = "binary"
        for value in node.values():
            _binary_uploads(value)
    elif isinstance(node, list):
        for value in node:
            _binary_uploads(value)
