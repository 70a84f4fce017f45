"""Downloading named public datasets into a local cache (``govgraph fetch NAME``).

Where each dataset is published lives in ``loaders/catalogue.toml`` (see its header). This
module never touches a store: it turns a name and a date into files on disk.

Rules:

- The cache is ``GOVGRAPH_CACHE`` or ``~/.cache/govgraph``; a dated file is kept as
  ``<cache>/<dataset>/<file name>``, a current ("latest") file under the day it was fetched
  (``<cache>/<dataset>/<YYYY-MM-DD>/<file name>``), so it is fetched again the next day.
  A file already in the cache is not downloaded again (unless ``force``).
- ``GOVGRAPH_MIRROR`` (or ``mirror``) fetches every file from that base URL by its official
  file name instead of its official address.
- A download goes to ``<file>.part``; when the connection breaks it is resumed with an HTTP
  ``Range`` request (started again when the server ignores ranges), up to ``fetch_attempts``
  times (a setting).
- What arrives is verified before it takes its cache name: its size against the server's
  ``Content-Length``, a gzip or bzip2 file decompressed whole (a truncated or corrupt
  archive is refused), and the publisher's MD5 checksum where the catalogue says there is
  one. A file that fails is deleted; the error is one line naming the address and reason.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import http.client
import re
import time
import tomllib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from graph.settings import get_settings

CATALOGUE = Path(__file__).with_name("catalogue.toml")
CHUNK = 1 << 16
USER_AGENT = "govgraph-fetch/0.1 (+https://github.com/govgraph)"
_MD5 = re.compile(r"\b[0-9a-fA-F]{32}\b")

# (file name, bytes so far, total bytes or None)
Progress = Callable[[str, int, int | None], None]


class FetchError(Exception):
    """A dataset that cannot be fetched; ``str()`` is the one line users see."""


@dataclass(frozen=True, slots=True)
class Planned:
    """One file to fetch: where from, its file name, and its checksum's address."""

    dataset: str
    url: str
    md5_url: str | None
    dated: bool

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.rsplit("/", 1)[-1]


def catalogue() -> dict[str, dict]:
    """The datasets of loaders/catalogue.toml, by name."""
    with CATALOGUE.open("rb") as fh:
        return tomllib.load(fh)


def cache_dir() -> Path:
    return Path(get_settings().cache).expanduser()


def is_dataset(name: str) -> bool:
    """Whether ``name`` (or ``name:part``) is a catalogued dataset."""
    return name.split(":", 1)[0] in catalogue()


def plan(name: str, when: date | None = None, mirror: str | None = None) -> list[Planned]:
    """The files of a dataset (``rir-delegated`` or one part, ``rir-delegated:afrinic``) for
    a date, or current when ``when`` is None; FetchError when the name, part or date does
    not fit the catalogue."""
    dataset, _, part = name.partition(":")
    spec = catalogue().get(dataset)
    if spec is None:
        raise FetchError(f"{name}: unknown dataset (known: {', '.join(catalogue())})")
    _check_date(dataset, spec.get("date", "optional"), when)
    files = [f for f in spec["files"] if not part or f.get("part") == part]
    if not files:
        parts = ", ".join(f"{dataset}:{f['part']}" for f in spec["files"] if f.get("part"))
        raise FetchError(f"{name}: no such part (parts: {parts or 'none'})")
    out = []
    for entry in files:
        if when is not None and not _covers(entry, when):
            continue
        url = entry["dated"].format(date=when) if when is not None else entry["latest"]
        md5 = f"{url}.md5" if entry.get("md5") else None
        if mirror:
            url = _mirrored(mirror, url)
            md5 = _mirrored(mirror, md5) if md5 else None
        out.append(Planned(dataset, url, md5, when is not None))
    return out


def _check_date(dataset: str, rule: str, when: date | None) -> None:
    if rule == "required" and when is None:
        raise FetchError(f"{dataset}: give --date YYYY-MM-DD (this dataset is published by "
                         "date)")
    if rule == "none" and when is not None:
        raise FetchError(f"{dataset}: only the current dump is published; drop --date")


def _covers(entry: dict, when: date) -> bool:
    start, end = entry.get("from"), entry.get("until")
    return (start is None or when >= date.fromisoformat(start)) and \
        (end is None or when <= date.fromisoformat(end))


def _mirrored(mirror: str, url: str) -> str:
    return f"{mirror.rstrip('/')}/{urlsplit(url).path.rsplit('/', 1)[-1]}"


def cached_path(item: Planned) -> Path:
    folder = cache_dir() / item.dataset
    if not item.dated:
        folder = folder / datetime.now(UTC).date().isoformat()
    return folder / item.name


def fetch(name: str, when: date | None = None, mirror: str | None = None,
          progress: Progress | None = None, force: bool = False) -> list[Path]:
    """Download (or find in the cache) every file of a dataset; their paths. FetchError on
    the first file that cannot be fetched or verified."""
    mirror = mirror or get_settings().mirror
    paths = []
    for item in plan(name, when, mirror):
        dest = cached_path(item)
        if force or not dest.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            _fetch_one(item, dest, progress)
        paths.append(dest)
    return paths


def _fetch_one(item: Planned, dest: Path, progress: Progress | None) -> None:
    part = dest.with_name(dest.name + ".part")
    download(item.url, part, progress)
    try:
        check_archive(part)
        if item.md5_url:
            check_md5(part, item.md5_url)
    except FetchError:
        part.unlink(missing_ok=True)
        raise
    part.replace(dest)


def download(url: str, part: Path, progress: Progress | None = None) -> None:
    """Fetch ``url`` into ``part``, resuming what a broken connection left (HTTP Range), up
    to ``fetch_attempts`` tries; FetchError when it cannot be completed."""
    last = ""
    attempts = get_settings().fetch_attempts
    for attempt in range(1, attempts + 1):
        try:
            if _transfer(url, part, progress):
                return
            last = "the connection closed before the end of the file"
        except HTTPError as exc:
            if exc.code == 416:  # the part is not a prefix of this file: start again
                part.unlink(missing_ok=True)
                last = "range not satisfiable"
            elif exc.code < 500:
                raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
            else:
                last = f"HTTP {exc.code} {exc.reason}"
        except (URLError, OSError, http.client.HTTPException) as exc:
            last = _reason(exc)
        if attempt < attempts:
            time.sleep(min(0.2 * attempt, 2.0))
    raise FetchError(f"{url}: download failed after {attempts} attempts ({last})")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, URLError) and exc.reason:
        return str(exc.reason)
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed before the end of the file"
    return " ".join(str(exc).split()) or type(exc).__name__


def _transfer(url: str, part: Path, progress: Progress | None) -> bool:
    """One request, appending to ``part`` from where it ends; True when the file is whole
    (its size is what the server announced, or the server announced none)."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT, **({"Range": f"bytes={have}-"} if have else {})}
    with urlopen(Request(url, headers=headers), timeout=get_settings().fetch_timeout_s) as resp:
        if have and resp.status != 206:  # the server ignored the range: start again
            have = 0
        length = resp.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else None
        name = part.name.removesuffix(".part")
        with part.open("ab" if have else "wb") as out:
            done = have
            while chunk := resp.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(name, done, total)
    size = part.stat().st_size
    if total is not None and size > total:
        raise FetchError(f"{url}: received {size} bytes, more than the {total} announced")
    return total is None or size == total


def check_archive(path: Path) -> None:
    """Decompress a gzip or bzip2 file whole, every member (nothing is kept); FetchError when
    it is truncated or corrupt. Other files pass."""
    with path.open("rb") as fh:
        magic = fh.read(3)
    kind = "gzip" if magic[:2] == b"\x1f\x8b" else "bzip2" if magic == b"BZh" else None
    if kind is None:
        return
    opener = gzip.open if kind == "gzip" else bz2.open
    try:
        with opener(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise FetchError(f"{path.name.removesuffix('.part')}: corrupt or truncated {kind} "
                         f"archive ({' '.join(str(exc).split()) or type(exc).__name__})"
                         ) from None


def check_md5(path: Path, md5_url: str) -> None:
    """Compare the file's MD5 with the publisher's ``.md5`` file; a missing checksum file
    (HTTP 404) is no error. FetchError on a mismatch."""
    try:
        with urlopen(Request(md5_url, headers={"User-Agent": USER_AGENT}),
                     timeout=get_settings().fetch_timeout_s) as resp:
            text = resp.read(4096).decode("ascii", "replace")
    except HTTPError as exc:
        if exc.code == 404:
            return
        raise FetchError(f"{md5_url}: HTTP {exc.code} {exc.reason}") from None
    except (URLError, OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{md5_url}: {_reason(exc)}") from None
    found = _MD5.search(text)
    if found is None:
        raise FetchError(f"{md5_url}: no MD5 checksum in the file")
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != found.group(0).lower():
        raise FetchError(f"{path.name.removesuffix('.part')}: MD5 {digest.hexdigest()} does "
                         f"not match the published {found.group(0).lower()}")
