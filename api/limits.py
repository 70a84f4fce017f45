"""The service's guards: the query time limit, the upload size limit and the write token.

Each limit is a setting (``api/settings.py``) with a safe default; each refusal is a JSON
error with a clear message and its own status (504, 413, 401/403)."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import AppSettings
from graph.timeline import remembered

T = TypeVar("T")

#: Room for multipart boundaries and headers around an upload of the maximum size.
MULTIPART_SLACK = 64 * 1024

bearer = HTTPBearer(auto_error=False, description="GOVGRAPH_API_TOKEN, for writes only")


async def run_query(seconds: float, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a worker thread, given up after ``seconds`` with a 504.

    The worker is abandoned rather than killed (Python threads cannot be), so a query that
    times out still finishes in the background; its result is dropped."""
    try:
        with anyio.fail_after(seconds):
            return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs),
                                                  abandon_on_cancel=True)
    except TimeoutError:
        raise HTTPException(504, f"query took longer than the {seconds:g} s limit "
                                 "(GOVGRAPH_QUERY_TIMEOUT_S); narrow it: a smaller depth or "
                                 "limit, relation or node types, a minimum confidence") from None


def require_token(settings: AppSettings,
                  credentials: Annotated[HTTPAuthorizationCredentials | None,
                                         Depends(bearer)]) -> None:
    """Writes need ``Authorization: Bearer <GOVGRAPH_API_TOKEN>``, compared in constant
    time. With no token configured, writes are disabled (403); a missing or wrong token
    is 401."""
    if not settings.api_token:
        raise HTTPException(403, "writes are disabled: set GOVGRAPH_API_TOKEN on the server "
                                 "to enable them")
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), settings.api_token.encode()):
        raise HTTPException(401, "a valid bearer token is required for writes",
                            headers={"WWW-Authenticate": "Bearer"})


WriteToken = Depends(require_token)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"upload is over the {limit}-byte limit "
                              "(GOVGRAPH_MAX_UPLOAD_BYTES)")


class OneTimeAxis:
    """ASGI middleware: a read request works out which snapshots are in force once per date
    (``graph.timeline.remembered``), not once per store read. The memo lives in a context
    variable, which the worker threads queries run in inherit. Writes (which add sources)
    are left alone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        with remembered():
            await self.app(scope, receive, send)


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with 413: at once when
    Content-Length says so, otherwise as soon as the bytes received pass the limit (so a
    chunked upload cannot fill the disk)."""

    def __init__(self, app: ASGIApp, max_bytes: int, shown_limit: int) -> None:
        self.app, self.max_bytes, self.shown_limit = app, max_bytes, shown_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.shown_limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"error": BodyTooLarge(self.shown_limit).detail}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
