"""Sources: GET /sources (open), POST /ingest and DELETE /sources/{id} (writes: bearer token).

An upload is saved under a sanitised name in a private temporary folder, loaded by the
loader that recognises it, and kept under the source id ``upload:<name>``: uploading the
same name again replaces what the earlier upload said."""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from api import ops
from api.deps import AppSettings, Store
from api.limits import WriteToken
from api.models import ERRORS, ErrorBody, IngestOut, SourceOut
from graph.store.base import GraphStore, WriteResult

router = APIRouter(tags=["sources"])

CHUNK = 1024 * 1024
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong bearer token"},
    403: {"model": ErrorBody, "description": "Writes are disabled (no GOVGRAPH_API_TOKEN)"},
}
UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "A file one of the loaders reads (CSV/JSONL "
                                           "node or edge list, profile page, delegated "
                                           "stats, ...)"}}}}}}


def safe_name(raw: str | None) -> str:
    """A file name that cannot leave the folder it is saved in: the last path component
    of ``raw`` (either slash), letters, digits, ``.``, ``_`` and ``-`` only, no leading
    dot, at most 100 characters; ``upload`` when nothing is left."""
    base = re.split(r"[/\\]", raw or "")[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._")[-100:]
    return cleaned or "upload"


@router.get("/sources", summary="The loaded sources", response_model=list[SourceOut])
def sources(store: Store) -> list[dict[str, Any]]:
    return [asdict(s) for s in store.sources()]


async def _save(upload: UploadFile, folder: Path, limit: int) -> Path:
    """Copy an upload into ``folder`` under its safe name; 413 past ``limit`` bytes."""
    target = folder / safe_name(upload.filename)
    size = 0
    with target.open("wb") as fh:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"upload is over the {limit}-byte limit "
                                         "(GOVGRAPH_MAX_UPLOAD_BYTES)")
            fh.write(chunk)
    return target


def _load(store: GraphStore, path: Path) -> dict[str, Any]:
    report = ops.load(store, [str(path)], source_id=f"upload:{path.name}")
    if report.errors:
        shown = "; ".join(e.replace(str(path.parent) + "/", "") for e in report.errors)
        raise HTTPException(422, f"cannot load {path.name}: {shown}")
    return {"filename": path.name, "summary": report.summary(),
            "results": report.results,
            "warnings": report.warnings}


@router.post("/ingest", summary="Upload a file and load it", response_model=IngestOut,
             dependencies=[WriteToken], openapi_extra={"requestBody": UPLOAD_BODY},
             responses={**WRITE_ERRORS, 413: {"model": ErrorBody, "description":
                                              "Upload over GOVGRAPH_MAX_UPLOAD_BYTES"},
                        422: ERRORS[422]})
async def ingest(request: Request, store: Store, settings: AppSettings) -> dict[str, Any]:
    """Multipart upload of one file (field ``file``). The file loads whole or not at all;
    a file no loader reads, or one with an error, is refused with 422 and the loader's
    ``FILE:LINE: reason``."""
    try:
        form = await request.form(max_files=1, max_fields=4)
    except MultiPartException as exc:
        raise HTTPException(422, f"bad multipart upload: {exc.message}") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(422, "send the file as multipart form field 'file'")
    with tempfile.TemporaryDirectory(prefix="govgraph-upload-") as folder:
        path = await _save(upload, Path(folder), settings.max_upload_bytes)
        return await run_in_threadpool(_load, store, path)


@router.delete("/sources/{source_id:path}", summary="Unload a source",
               response_model=WriteResult,
               dependencies=[WriteToken], responses={**WRITE_ERRORS, 404: ERRORS[404]})
def delete_source(store: Store, source_id: str) -> WriteResult:
    """Remove a source's claims and every node and edge that only it supported."""
    return ops.unload(store, source_id)
