"""``govgraph fetch`` and ``govgraph load NAME --date``: files come from a local HTTP server
on 127.0.0.1 standing in as the mirror (never the Internet): cached, resumed after a broken
connection, verified (size, archive integrity, published MD5)."""

from __future__ import annotations

import gzip
import hashlib
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from graph.settings import get_settings
from loaders import fetch
from tests.naming_data import AS2ORG_TEXT, DELEGATED


class Mirror:
    """Files served by name. ``drop`` names files whose first full (non-range) response
    stops half way, after announcing the whole length; requests are recorded."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.drop: set[str] = set()
        self.requests: list[tuple[str, str | None]] = []
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                name = self.path.rsplit("/", 1)[-1]
                wanted = self.headers.get("Range")
                mirror.requests.append((name, wanted))
                body = mirror.files.get(name)
                if body is None:
                    self.send_error(404)
                    return
                start = int(re.fullmatch(r"bytes=(\d+)-", wanted).group(1)) if wanted else 0
                if start >= len(body) and wanted:
                    self.send_error(416)
                    return
                self.send_response(206 if wanted else 200)
                if wanted:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if name in mirror.drop and not wanted:
                    mirror.drop.discard(name)
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body[start:])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mirror"

    def __enter__(self) -> Mirror:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch) -> Iterator[Mirror]:
    monkeypatch.setenv("GOVGRAPH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GOVGRAPH_MIRROR", raising=False)
    get_settings.cache_clear()  # the settings are read once per process
    with Mirror() as server:
        yield server
    get_settings.cache_clear()


AS2ORG_GZ = gzip.compress(AS2ORG_TEXT.encode())
AS2ORG_NAME = "20230301.as-org2info.txt.gz"


def test_fetch_puts_the_dated_file_in_the_cache_once(mirror: Mirror, tmp_path: Path):
    mirror.files[AS2ORG_NAME] = AS2ORG_GZ
    paths = fetch.fetch("caida-as2org", date(2023, 3, 1), mirror.url)
    assert paths == [tmp_path / "cache" / "caida-as2org" / AS2ORG_NAME]
    assert paths[0].read_bytes() == AS2ORG_GZ
    assert fetch.fetch("caida-as2org", date(2023, 3, 1), mirror.url) == paths
    assert mirror.requests == [(AS2ORG_NAME, None)]  # the second call used the cache


def test_a_dropped_connection_is_resumed_with_a_range(mirror: Mirror):
    body = gzip.compress(("x" * 200_000 + "\n").encode() + AS2ORG_TEXT.encode() * 50)
    mirror.files[AS2ORG_NAME] = body
    mirror.drop.add(AS2ORG_NAME)
    seen: list[int] = []
    [path] = fetch.fetch("caida-as2org", date(2023, 3, 1), mirror.url,
                         progress=lambda name, done, total: seen.append(done))
    assert path.read_bytes() == body
    assert mirror.requests == [(AS2ORG_NAME, None), (AS2ORG_NAME, f"bytes={len(body) // 2}-")]
    assert seen[-1] == len(body)


def test_a_corrupt_archive_is_refused_and_not_cached(mirror: Mirror, tmp_path: Path):
    mirror.files[AS2ORG_NAME] = AS2ORG_GZ[: len(AS2ORG_GZ) - 20]  # whole as served, but cut
    with pytest.raises(fetch.FetchError, match="corrupt or truncated gzip archive"):
        fetch.fetch("caida-as2org", date(2023, 3, 1), mirror.url)
    assert not list((tmp_path / "cache").rglob("*.gz*"))


def test_published_md5_is_checked(mirror: Mirror):
    name = "delegated-afrinic-extended-20230301"
    mirror.files[name] = DELEGATED.encode()
    digest = hashlib.md5(DELEGATED.encode(), usedforsecurity=False).hexdigest()
    mirror.files[name + ".md5"] = f"MD5 ({name}) = {digest}\n".encode()
    [path] = fetch.fetch("rir-delegated:afrinic", date(2023, 3, 1), mirror.url)
    assert path.read_text() == DELEGATED
    mirror.files[name + ".md5"] = f"{'0' * 32}  {name}\n".encode()
    with pytest.raises(fetch.FetchError, match="does not match the published 0000"):
        fetch.fetch("rir-delegated:afrinic", date(2023, 3, 1), mirror.url, force=True)


def test_missing_file_is_one_line(mirror: Mirror):
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch("caida-as2org", date(2023, 3, 1), mirror.url)
    assert str(err.value) == f"{mirror.url}/{AS2ORG_NAME}: HTTP 404 Not Found"


def test_official_addresses_by_name_and_date():
    def urls(name: str, when: date | None = None) -> list[str]:
        return [p.url for p in fetch.plan(name, when)]

    caida = "https://publicdata.caida.org/datasets"
    assert urls("caida-asrel", date(2015, 11, 1)) == \
        [f"{caida}/as-relationships/serial-1/20151101.as-rel.txt.bz2"]
    assert urls("caida-asrel", date(2016, 1, 1)) == \
        [f"{caida}/as-relationships/serial-2/20160101.as-rel2.txt.bz2"]
    assert urls("caida-as2org", date(2023, 3, 1)) == \
        [f"{caida}/as-organizations/20230301.as-org2info.txt.gz"]
    assert urls("peeringdb", date(2023, 3, 1)) == \
        [f"{caida}/peeringdb/2023/03/peeringdb_2_dump_2023_03_01.json"]
    assert len(urls("rir-delegated")) == 5
    assert urls("rir-delegated:ripencc", date(2023, 3, 1)) == \
        ["https://ftp.ripe.net/pub/stats/ripencc/2023/delegated-ripencc-extended-20230301.bz2"]
    assert [p.rsplit("/", 1)[1] for p in urls("ripe-whois")] == \
        ["ripe.db.organisation.gz", "ripe.db.aut-num.gz", "ripe.db.inetnum.gz",
         "ripe.db.inet6num.gz"]
    assert urls("afrinic-whois") == ["https://ftp.afrinic.net/pub/dbase/afrinic.db.gz"]
    for name, when, reason in [("caida-as2org", None, "give --date"),
                               ("ripe-whois", date(2023, 1, 1), "drop --date"),
                               ("rir-delegated:nowhere", None, "no such part"),
                               ("nonesuch", None, "unknown dataset")]:
        with pytest.raises(fetch.FetchError, match=reason):
            fetch.plan(name, when)


def test_load_by_name_fetches_through_the_mirror_then_loads(mirror: Mirror, tmp_path: Path):
    mirror.files[AS2ORG_NAME] = AS2ORG_GZ
    env = {"GOVGRAPH_MIRROR": mirror.url, "GOVGRAPH_CACHE": str(tmp_path / "cache"),
           "PATH": "/usr/bin:/bin"}
    db = str(tmp_path / "g.db")
    proc = subprocess.run([sys.executable, "-m", "api.cli", "load", "caida-as2org", "--date",
                           "2023-03-01", "--db", db], capture_output=True, text=True,
                          timeout=120, env=env, cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr
    assert "1 sources loaded, 0 failed" in proc.stdout
    shown = subprocess.run([sys.executable, "-m", "api.cli", "fetch", "caida-as2org", "--date",
                            "2023-03-01"], capture_output=True, text=True, timeout=120, env=env,
                           cwd=Path(__file__).resolve().parent.parent)
    assert shown.stdout.strip() == str(tmp_path / "cache" / "caida-as2org" / AS2ORG_NAME)
    assert mirror.requests == [(AS2ORG_NAME, None)]
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM nodes WHERE type='Organization'")}
    assert names == {"Example Networks Ltd", "Other Transit GmbH"}

