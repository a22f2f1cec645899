"""Bounded input (issue 14, item 3): every request body is checked before a route sees it.

A body larger than `limits.max_body_bytes` is answered 413; multipart uploads are streamed
through, never buffered here, and cut off with 413 past `Settings.multipart_body_limit` (the
evidence size limit plus the form's other fields). A JSON body nested deeper than
`limits.max_json_depth`, with a string longer than `limits.max_string_chars`, an integer of
more than MAX_INT_DIGITS digits, or a number that is not finite (1e999, NaN, Infinity) is
answered 422. Nothing is parsed into the engine, so nothing is written. Both answers are
problem+json with a Chinese-first message.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from engine.config import Settings

MAX_INT_DIGITS = 18  # areas, amounts and counts: far beyond any real value, far below overflow


class InputRefused(ValueError):
    """A JSON body outside the bounds; the message is shown to the user."""


def check_json(body: bytes, *, max_depth: int, max_string: int) -> None:
    """Parse `body` once with bounds; raise InputRefused on the first value out of them."""

    def parse_int(text: str) -> int:
        if len(text.lstrip("-")) > MAX_INT_DIGITS:
            raise InputRefused(
                f"整数超过 {MAX_INT_DIGITS} 位 (an integer has more than {MAX_INT_DIGITS} digits)"
            )
        return int(text)

    def parse_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value) or abs(value) > 1e15:
            raise InputRefused(f"数值超出范围：{text[:40]} (a number is out of range)")
        return value

    def parse_constant(text: str) -> float:
        raise InputRefused(f"不接受 {text} (NaN and Infinity are not JSON numbers)")

    if body.count(b"[") + body.count(b"{") > max_depth:
        _check_depth(body, max_depth)
    # InputRefused is a ValueError raised from the hooks; other ValueErrors are not JSON at all.
    value = json.loads(
        body, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant
    )
    _check_strings(value, max_string)


def _check_depth(body: bytes, max_depth: int) -> None:
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > max_depth:
                raise InputRefused(
                    f"数据嵌套超过 {max_depth} 层 (the JSON is nested deeper than {max_depth})"
                )
        elif byte in (0x5D, 0x7D):
            depth -= 1


def _check_strings(value: Any, max_string: int) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > max_string:
                raise InputRefused(
                    f"文本超过 {max_string} 个字符 (a text is longer than {max_string})"
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class _BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes its limit. An HTTPException, so the
    form parser lets it through and it is answered 413 like any other (api/errors.py)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_too_large(limit))


class InputLimits:
    """ASGI middleware: read the body (up to its limit), check it, then replay it to the app."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limits = settings.limits
        self.upload_limit = settings.multipart_body_limit()

    async def _stream(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """A multipart body (an upload, up to a 200 MB video) is passed on chunk by chunk,
        never gathered here: the form parser spools files to disk. Past `limit` the body is
        cut off and, unless the route already answered, the answer is 413."""
        size = 0
        started = False

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except _BodyTooLarge:
            if started:
                raise
            await _refuse(scope, receive, send, 413, _too_large(limit))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "")
        multipart = content_type.startswith("multipart/")
        limit = self.upload_limit if multipart else self.limits.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, receive, send, 413, _too_large(limit))
            return
        if multipart:
            await self._stream(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(scope, receive, send, 413, _too_large(limit))
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        # FastAPI parses a body without a content type as JSON too: check those as well.
        if body and ("json" in content_type or not content_type.strip()):
            try:
                check_json(
                    body,
                    max_depth=self.limits.max_json_depth,
                    max_string=self.limits.max_string_chars,
                )
            except InputRefused as exc:
                await _refuse(scope, receive, send, 422, str(exc))
                return
            except (ValueError, RecursionError):
                pass  # not JSON: the route answers that itself (422)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _too_large(limit: int) -> str:
    return f"请求内容超过 {limit} 字节 (the request body is larger than {limit} bytes)"


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    response = problem(
        status,
        detail,
        type_="/problems/payload-too-large" if status == 413 else "/problems/validation",
        errors=[{"loc": ["body"], "msg": detail}],
    )
    await response(scope, receive, send)
