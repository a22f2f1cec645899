"""The FastAPI application: `create_app(app)` wires routes onto an already built engine."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors, web
from api.routes import admin, auth, cases, ledger, processes, tasks
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
    for module in (auth, processes, cases, tasks, ledger, admin):
        app.include_router(module.router, prefix=API_PREFIX)
    web.install(app, api_prefix=API_PREFIX)  # the web pages; after the API routes
    return app
