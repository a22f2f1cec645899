"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import (
    Conflict,
    DeploymentRejected,
    DutyConflict,
    GuardRefused,
    LoginLocked,
    NotFound,
    PermissionDenied,
    ProcessFault,
    QingweiError,
    ValidationFailed,
)

log = logging.getLogger("qingwei.api")
PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    413: "Payload Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def problem(
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    all_headers = dict(headers or {})
    if status == 401:
        all_headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=all_headers or None)


def _domain(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ValidationFailed):
        return problem(
            422,
            str(exc),
            type_="/problems/validation",
            errors=[e.as_dict() for e in exc.errors],
        )
    if isinstance(exc, DeploymentRejected):
        return problem(
            422,
            "the BPMN was not deployed",
            type_="/problems/deployment-rejected",
            errors=[{"loc": ["file"], "msg": m} for m in exc.errors],
        )
    if isinstance(exc, GuardRefused):
        return problem(
            409,
            str(exc),
            type_="/problems/guard-refused",
            article=exc.article,
            rule=getattr(exc, "rule", None),
        )
    if isinstance(exc, DutyConflict):
        return problem(
            403,
            str(exc),
            type_="/problems/segregation-of-duties",
            article=exc.article,
            rule=exc.rule,
        )
    if isinstance(exc, LoginLocked):
        return problem(
            429,
            str(exc),
            type_="/problems/login-locked",
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, NotFound):
        return problem(404, str(exc), type_="/problems/not-found")
    if isinstance(exc, PermissionDenied):
        return problem(403, str(exc), type_="/problems/forbidden")
    if isinstance(exc, Conflict):
        return problem(409, str(exc), type_="/problems/conflict")
    if isinstance(exc, ProcessFault):
        # A defect of the deployed process, not the officer's input: say so in Chinese first;
        # the case is unchanged (the step was rolled back).
        return problem(
            500,
            f"流程运行出错，案件未作更改，请联系流程设计人员 / the process failed, the case is "
            f"unchanged: {exc}",
            type_="/problems/process-fault",
        )
    return problem(400, str(exc))


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", "invalid"))}
        for err in exc.errors()
    ]
    return problem(422, "the request is invalid", type_="/problems/validation", errors=errors)


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # A body that is not valid JSON (or not UTF-8) is invalid input like any other: 422.
        return problem(
            422,
            "the request body is not valid JSON",
            type_="/problems/validation",
            errors=[{"loc": ["body"], "msg": str(exc.detail)}],
        )
    return problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem(500, "internal error; it has been logged", type_="/problems/internal")


def install(app: FastAPI) -> None:
    app.add_exception_handler(QingweiError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
