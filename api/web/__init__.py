"""The web pages: a static single-page app (api/web/static) served by the API's own process.

`install(app)` is called after every API router is included, so `/api/v1/...` and
`/openapi.json` always win; paths under `/api/` never reach the static folder (an unknown API path
stays the API's 404, a wrong method its 405); every other path is looked up in the static folder,
and `/` serves index.html. The pages route on the URL fragment (`#/cases/12`), so no server-side
fallback is needed.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"


class _Static(StaticFiles):
    """Static files the browser revalidates (ETag) on every load, so a rebuild shows at once."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("Cache-Control", "no-cache")
        return response


class _PagesMount(Mount):
    """The pages at `/`, blind to `/api/...`: an API path keeps the API's 404 and 405 answers."""

    def __init__(self, app: StaticFiles, *, api_prefix: str) -> None:
        super().__init__("/", app=app, name="web")
        self.api_root = "/" + api_prefix.strip("/").split("/")[0]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = str(scope.get("path", ""))
        if path == self.api_root or path.startswith(self.api_root + "/"):
            return Match.NONE, {}
        return super().matches(scope)


def install(app: FastAPI, *, api_prefix: str) -> None:
    from api.routes import web

    app.include_router(web.router, prefix=api_prefix)
    pages = _Static(directory=STATIC_DIR, html=True)
    app.router.routes.append(_PagesMount(pages, api_prefix=api_prefix))
