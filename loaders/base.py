"""What every loader shares: the error type, the registry, and safe file reading.

A loader turns one source into a :class:`graph.model.Batch` and never touches a database.
Adding a source kind means adding one module that calls :func:`register` and listing it in
``loaders/__init__.py``.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from graph.model import Batch
from graph.settings import get_settings

T = TypeVar("T")

# A source is parsed in memory and written in one transaction, so files read whole are capped
# (the largest real sources, RIR delegated files and PeeringDB dumps, are well under it);
# for a compressed file the cap counts decompressed bytes. Files read line by line
# (iter_lines: whois dumps, as2org, JSON Lines, streamed CSV) are not capped in size: each
# line is.
MAX_FILE_BYTES: int | None = None  # None: the max_file_bytes setting (tests may set a cap)


def max_file_bytes() -> int:
    """The cap on a file read whole: ``MAX_FILE_BYTES`` when set, else the setting."""
    return MAX_FILE_BYTES if MAX_FILE_BYTES is not None else get_settings().max_file_bytes


MAX_LINE_CHARS = 1_000_000
MAX_JSON_DEPTH = 32


class LoadError(Exception):
    """A source that cannot be loaded. ``str()`` is the one-line message users see:
    ``FILE:LINE: what is wrong``."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path, self.message, self.line = str(path), message, line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class UnrecognisedFile(LoadError):
    """No loader knows this kind of file (a folder load skips such files and counts them)."""


@dataclass(frozen=True, slots=True)
class Loader:
    """A source kind. ``detect`` sees the path and the file's first 64 KiB of text."""

    name: str
    suffixes: tuple[str, ...]
    detect: Callable[[Path, str], bool]
    load: Callable[[Path], Batch]
    # A streaming loader also gives the same records in parts of at most ``rows`` records
    # each (the source's metadata on every part), reading the file as it goes: no file-size
    # limit, memory bounded by ``rows``. A bad line still fails the whole source.
    stream: Callable[[Path, int], Iterator[Batch]] | None = None
    # A loader that can add the names the graph already holds to a batch it read (prose
    # pages: the names a page uses but could not recognise alone): ``read(path)`` gives the
    # batch and what ``add_known`` needs of the page (read once for both), then
    # ``add_known(batch, that, names)`` with names built by ``known_names`` from (name, type)
    # pairs, once per load.
    read: Callable[[Path], tuple[Batch, Any]] | None = None
    add_known: Callable[[Batch, Any, Any], None] | None = None
    known_names: Callable[[Iterable[tuple[str, str]]], Any] | None = None


_LOADERS: list[Loader] = []
_DATASETS: dict[str, Callable[[], list[Batch]]] = {}


def register(loader: Loader) -> Loader:
    """Add a loader; loaders registered earlier are tried first."""
    _LOADERS.append(loader)
    return loader


def register_dataset(name: str, build: Callable[[], list[Batch]]) -> None:
    """Add a named built-in dataset (``govgraph load NAME``)."""
    _DATASETS[name] = build


def datasets() -> dict[str, Callable[[], list[Batch]]]:
    return dict(_DATASETS)


def loaders() -> list[Loader]:
    return list(_LOADERS)


COMPRESSED_SUFFIXES = (".gz", ".bz2")


def data_suffix(path: Path) -> str:
    """The name ending that says what a file holds, under any compression suffix
    (``peeringdb.json.gz`` -> ``.json``)."""
    if path.suffix.lower() in COMPRESSED_SUFFIXES:
        return Path(path.stem).suffix.lower()
    return path.suffix.lower()


def claims_suffix(path: Path) -> bool:
    """Whether some loader reads files with this name ending (``.csv``, ``.html``, ...)."""
    return any(data_suffix(path) in ld.suffixes for ld in _LOADERS)


def loader_for(path: Path) -> Loader:
    """The loader for a file, chosen by suffix and content; LoadError when none fits. A
    ``.gz`` or ``.bz2`` file is recognised by what it holds."""
    head = read_text(path, limit=65536)
    if not head.strip():
        raise LoadError(path, "empty file")
    suffix = data_suffix(path)
    candidates = [ld for ld in _LOADERS if not ld.suffixes or suffix in ld.suffixes]
    for ld in candidates:
        if ld.detect(path, head):
            return ld
    raise UnrecognisedFile(path, "no loader recognises this file (see docs/loaders.md for "
                           "formats)")


def read_ahead(parts: Iterator[T]) -> Iterator[T]:
    """``parts``, each next one read in a worker thread while the caller writes the one it
    was given: SQLite lets go of the interpreter while it writes, so on two cores the
    reading of a streamed file overlaps the writing. What ``parts`` raises is raised here,
    in order."""
    end = object()
    with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as pool:
        ahead = pool.submit(next, parts, end)
        while (part := ahead.result()) is not end:
            ahead = pool.submit(next, parts, end)
            yield cast(T, part)


def source_id_for(path: Path) -> str:
    """The id under which a file's claims are kept: its absolute path."""
    return f"file:{path.resolve()}"


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def new_batch(path: Path, loader: str) -> Batch:
    return Batch(source_id=source_id_for(path), uri=path.resolve().as_uri(), loader=loader,
                 retrieved_at=now())


def compression(path: Path) -> str | None:
    """``"gzip"`` or ``"bzip2"`` when the file starts with that format's magic bytes (what
    the name says does not matter), else None."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(3)
    except OSError as exc:
        raise LoadError(path, f"cannot read: {exc.strerror or exc}") from None
    if magic[:2] == b"\x1f\x8b":
        return "gzip"
    if magic == b"BZh":
        return "bzip2"
    return None


# What a truncated or corrupt archive raises while it is read.
ARCHIVE_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, OSError)


@contextmanager
def open_binary(path: Path) -> Iterator[io.BufferedIOBase]:
    """The file's bytes, decompressed as they are read when it is gzip or bzip2; a
    truncated or corrupt archive raises LoadError naming the file."""
    kind = compression(path)
    try:
        if kind == "gzip":
            fh: io.BufferedIOBase = gzip.open(path, "rb")
        elif kind == "bzip2":
            fh = bz2.open(path, "rb")
        else:
            fh = path.open("rb")
    except OSError as exc:
        raise LoadError(path, f"cannot read: {exc.strerror or exc}") from None
    with fh:
        try:
            yield fh
        except ARCHIVE_ERRORS as exc:
            if kind is None or isinstance(exc, LoadError):
                raise
            raise LoadError(path, f"corrupt or truncated {kind} archive "
                            f"({' '.join(str(exc).split()) or type(exc).__name__})") from None


def read_text(path: Path, limit: int | None = None) -> str:
    """A file's text (a ``.gz`` or ``.bz2`` file's decompressed text). Accepts UTF-8 (with or
    without BOM) and UTF-16 with BOM; refuses binary files, invalid UTF-8, corrupt archives
    and text over the cap (for an archive, decompressed bytes) with a LoadError."""
    cap = max_file_bytes()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(path, f"cannot read: {exc.strerror or exc}") from None
    compressed = compression(path) is not None
    if size > cap and not compressed and not limit:  # (a head is read to
        # choose a loader, e.g. for a file too large to read whole that streams)
        raise LoadError(path, f"file is {size} bytes, over the {cap}-byte limit")
    with open_binary(path) as fh:
        raw = fh.read(limit) if limit else fh.read(cap + 1)
    if not limit and len(raw) > cap:
        raise LoadError(path, f"decompressed text is over the {cap}-byte limit "
                        "for a file read whole")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(path, raw, "utf-16", limit)
    if b"\x00" in raw:
        raise LoadError(path, "binary file (contains NUL bytes), not text")
    return _decode(path, raw, "utf-8-sig", limit)


READ_CHARS = 1 << 20  # iter_lines decodes and splits this many characters at a time


def iter_lines(path: Path) -> Iterator[str]:
    """The file's lines without their endings, read as a stream (a ``.gz`` or ``.bz2`` file
    decompressed as it goes), so memory stays bounded whatever the size. UTF-8 only. A
    line over MAX_LINE_CHARS is refused as soon as that many characters are read (a small
    archive that inflates to one enormous line fails fast); so are NUL bytes, invalid
    UTF-8 (the line given is the first not yet read) and corrupt archives: each a
    LoadError naming the file and line."""
    number = 0
    pending = ""
    with open_binary(path) as raw:
        text = io.TextIOWrapper(cast(IO[bytes], raw), encoding="utf-8-sig", newline=None)
        while True:
            try:
                chunk = text.read(READ_CHARS)
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"invalid UTF-8 ({exc.reason})", number + 1) from None
            if not chunk:
                break
            bad = chunk.find("\x00")
            if bad >= 0:  # the lines before the NUL's line still come first (streamed parts)
                before = (pending + chunk[:bad]).split("\n")
                for line in before[:-1]:
                    number += 1
                    yield line
                raise LoadError(path, "binary file (contains NUL bytes), not text", number + 1)
            lines = (pending + chunk).split("\n")
            pending = lines.pop()
            for line in lines:
                number += 1
                if len(line) > MAX_LINE_CHARS:
                    raise LoadError(path, f"line is over {MAX_LINE_CHARS} characters", number)
                yield line
            if len(pending) > MAX_LINE_CHARS:
                raise LoadError(path, f"line is over {MAX_LINE_CHARS} characters", number + 1)
    if pending:
        yield pending


def _decode(path: Path, raw: bytes, encoding: str, limit: int | None) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        if limit and len(raw) == limit and exc.start >= limit - 4:  # head ends mid-character
            return raw[:exc.start].decode(encoding)
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(path, f"invalid {encoding.split('-sig')[0].upper()} at byte "
                        f"{exc.start}", line) from None


def text_lines(path: Path) -> list[str]:
    """The file's lines, refusing absurdly long ones (a one-line 10 MB file). The whole
    file is held, so it is capped as :func:`read_text` caps it."""
    return check_lines(path, read_text(path).splitlines())


def check_lines(path: Path, lines: list[str]) -> list[str]:
    """``lines``, or a LoadError naming the first one over MAX_LINE_CHARS."""
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE_CHARS:
            raise LoadError(path, f"line is {len(line)} characters, over {MAX_LINE_CHARS}",
                            number)
    return lines


MAX_TAG_CHARS = 20_000
MAX_HTML_DEPTH = 2_000
_LONG_TAG = re.compile(rf"<[A-Za-z][^<>]{{{MAX_TAG_CHARS}}}")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*?(/?)>")
_NOT_NESTING = frozenset("area base br col embed hr img input link meta param source track wbr "
                         "p li dt dd option optgroup tr td th thead tbody tfoot rp rt".split())


def check_html(path: Path, text: str) -> None:
    """Refuse HTML shaped to make a tree parser slow (lexbor's time grows with the square
    of a tag's attribute count and of the nesting depth): a tag over MAX_TAG_CHARS, or
    elements nested deeper than MAX_HTML_DEPTH. One linear scan; script and style bodies
    are skipped."""
    if found := _LONG_TAG.search(text):
        raise LoadError(path, f"an HTML tag is over {MAX_TAG_CHARS} characters",
                        text.count("\n", 0, found.start()) + 1)
    depth, pos = 0, 0
    while found := _TAG.search(text, pos):
        closing, name, empty = found.group(1), found.group(2).lower(), found.group(3)
        pos = found.end()
        if name in ("script", "style") and not closing and not empty:
            end = text.find(f"</{name}", pos)
            pos = len(text) if end < 0 else end
        elif name not in _NOT_NESTING and not empty:
            depth = max(depth - 1, 0) if closing else depth + 1
            if depth > MAX_HTML_DEPTH:
                raise LoadError(path, f"HTML nested deeper than {MAX_HTML_DEPTH} elements",
                                text.count("\n", 0, found.start()) + 1)


def _depth(obj: object, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(obj, dict):
        return max((_depth(v, level + 1) for v in obj.values()), default=level)
    if isinstance(obj, list):
        return max((_depth(v, level + 1) for v in obj), default=level)
    return level


def json_lines(path: Path) -> Iterator[tuple[int, dict]]:
    """``(line number, object)`` for each non-blank line of a JSON Lines file; LoadError for
    a line that is not a JSON object or is nested deeper than MAX_JSON_DEPTH."""
    for number, line in enumerate(iter_lines(path), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except RecursionError:
            raise LoadError(path, "JSON nested too deeply", number) from None
        except ValueError as exc:
            raise LoadError(path, f"invalid JSON: {exc.args[0].split(':')[0]}", number) from None
        if not isinstance(obj, dict):
            raise LoadError(path, "each line must be a JSON object", number)
        if _depth(obj) > MAX_JSON_DEPTH:
            raise LoadError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", number)
        yield number, obj
