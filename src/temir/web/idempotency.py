"""The HTTP side of ``Idempotency-Key`` (the rules are in :mod:`temir.kit.idempotency`).

For an unsafe request with the header, this middleware checks the key, puts a
:class:`~temir.kit.idempotency.Claim` on ``request.state`` for the request's unit of work,
digests the body as the application reads it, and — when the request's write claimed the key
— keeps the answer before sending it, so a retry that arrives after the answer finds it.
Requests without the header pass straight through.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from temir.kit import idempotency
from temir.kit.api import request_language
from temir.kit.db import UnitOfWork
from temir.kit.errors import TemirError

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

log = logging.getLogger("temir.idempotency")


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        value = Headers(scope=scope).get(idempotency.HEADER)
        if value is None:
            await self.app(scope, receive, send)
            return
        try:
            key = idempotency.check_key(value)
        except TemirError as error:
            language = request_language(Request(scope))
            await JSONResponse(error.to_dict(language), status_code=error.status)(
                scope, receive, send
            )
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = scope["path"] + (f"?{query}" if query else "")
        claim = idempotency.Claim(key=key, method=scope["method"], target=target)
        scope.setdefault("state", {})[idempotency.STATE] = claim
        uow: UnitOfWork = scope["app"].state.uow

        async def digesting() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                claim.body.update(message.get("body", b""))
            return message

        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping(message: Message) -> None:
            nonlocal start
            if claim.row_id is None:  # nothing was claimed: nothing to keep
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                assert start is not None
                body = b"".join(chunks)
                content_type = Headers(raw=start.get("headers", [])).get("content-type")
                try:
                    await run_in_threadpool(
                        idempotency.keep_answer,
                        uow,
                        claim.row_id,
                        start["status"],
                        content_type,
                        body if claim.keep_body else None,
                    )
                except Exception:  # the write stands; a retry will hear "in progress"
                    log.exception("could not keep the answer of %s %s", scope["method"], target)
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, digesting, keeping)
