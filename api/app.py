"""The FastAPI application: one router per resource (``api/routes/``), settings from
``api/settings.py``, one store opened per process and shared by the routers."""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.errors import classify, http_body, http_headers, http_status
from api.limits import MULTIPART_SLACK, BodyLimit, OneTimeAxis
from api.routes import (
    centrality,
    entities,
    export,
    health,
    index,
    ingest,
    paths,
    subgraph,
    view,
)
from graph import __version__
from graph.settings import Settings, get_settings
from graph.store import GraphStore, StoreError

log = logging.getLogger("govgraph.api")


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """An app serving ``store`` (or the store the settings name)."""
    settings = settings or get_settings()
    app = FastAPI(title="govgraph", version=__version__,
                  description="Who runs the Internet's infrastructure, who depends on whom, "
                              "and who says what about it. Every edge carries its sources.")
    app.state.settings = settings
    app.state.store = store  # else opened by the first request (api.deps.get_store)
    app.state.store_lock = threading.Lock()
    for module in (health, entities, subgraph, paths, centrality, export, view, ingest, index):
        app.include_router(module.router)
    _install_error_handlers(app)
    app.add_middleware(OneTimeAxis)
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes + MULTIPART_SLACK,
                       shown_limit=settings.max_upload_bytes)
    if settings.cors_origins:  # closed unless GOVGRAPH_CORS_ORIGINS names origins
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET"], allow_headers=["Authorization"])
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> JSONResponse:
        problem = classify(exc)
        return store_error_response(problem if isinstance(problem, StoreError) else exc)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in exc.errors())
        return JSONResponse({"error": f"bad parameter: {problems}"}, status_code=422)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        problem = classify(exc)  # a backend's own words for busy or unreachable
        if isinstance(problem, StoreError):
            return store_error_response(problem)
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse({"error": "internal error"}, status_code=500)


def store_error_response(exc: StoreError) -> JSONResponse:
    """A store's refusal as JSON with its own status (api/errors.py): 404 unknown, 409
    ambiguous (with the candidates), 422 bad reference, 503 busy (Retry-After) or
    unreachable."""
    return JSONResponse(http_body(exc), status_code=http_status(exc), headers=http_headers(exc))
