"""``.gz`` and ``.bz2`` files load directly, streaming, for every loader; a decompression
bomb is refused fast by the line limit; a truncated or corrupt archive is a one-line error
that changes nothing."""

from __future__ import annotations

import bz2
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import loaders
from api import ops
from loaders.base import MAX_LINE_CHARS, LoadError, iter_lines, read_text
from tests.conftest import DATA
from tests.helpers import counts
from tests.naming_data import AS2ORG_TEXT, WHOIS, write

SAMPLE = DATA / "delegated" / "delegated-sample-extended"
PEERINGDB = sorted((DATA / "peeringdb").glob("*.json"))[0]


@pytest.mark.parametrize("suffix", [".gz", ".bz2"])
@pytest.mark.parametrize("source", [SAMPLE, PEERINGDB], ids=["delegated", "peeringdb"])
def test_compressed_file_loads_as_the_plain_one(tmp_path: Path, store, suffix, source):
    packed = write(tmp_path / (source.name + suffix), source.read_text())
    assert loaders.loader_for(packed).name == loaders.loader_for(source).name
    report = ops.load(store, [str(packed)])
    assert not report.errors
    compressed = counts(store)
    ops.unload(store, str(packed))
    assert not ops.load(store, [str(source)]).errors
    assert counts(store) == compressed and compressed[0] > 0


def test_the_magic_bytes_decide_not_the_name(tmp_path: Path):
    disguised = tmp_path / "20230301.as-org2info.txt"  # gzip data under a plain name
    disguised.write_bytes(gzip.compress(AS2ORG_TEXT.encode()))
    assert loaders.loader_for(disguised).name == "caida-as2org"


@pytest.mark.parametrize("reader", ["iter_lines", "read_text"])
def test_a_small_bz2_that_inflates_to_one_huge_line_is_refused_fast(tmp_path: Path, reader):
    path = tmp_path / "afrinic.db.bz2"
    with bz2.open(path, "wb") as fh:  # 256 MiB of one line: a few hundred bytes packed
        fh.write(b"organisation: ORG-X\nremarks: ")
        block = b"x" * (1 << 20)
        for _ in range(256):
            fh.write(block)
    assert path.stat().st_size < 10_000
    started = time.monotonic()
    with pytest.raises(LoadError) as err:
        if reader == "iter_lines":
            for _ in iter_lines(path):
                pass
        else:
            read_text(path)
    assert time.monotonic() - started < 30
    assert str(err.value).startswith(str(path))
    assert (f"over {MAX_LINE_CHARS} characters" in str(err.value)
            or "over the" in str(err.value))


def _truncated(path: Path, data: bytes) -> Path:
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(("name", "pack"), [("afrinic.db.gz", gzip.compress),
                                            ("afrinic.db.bz2", bz2.compress)])
def test_truncated_archive_is_one_line_and_changes_nothing(store, tmp_path, name, pack):
    good = write(tmp_path / "20230301.as-org2info.txt", AS2ORG_TEXT)
    assert not ops.load(store, [str(good)]).errors
    before = counts(store)
    whole = pack((WHOIS * 40).encode())
    bad = _truncated(tmp_path / name, whole)
    report = ops.load(store, [str(bad)])
    assert len(report.errors) == 1 and "\n" not in report.errors[0]
    assert report.errors[0].startswith(str(bad)) and "corrupt or truncated" in report.errors[0]
    assert counts(store) == before


def test_corrupt_gzip_body(tmp_path: Path):
    data = bytearray(gzip.compress((WHOIS * 40).encode()))
    data[40:80] = b"\xff" * 40
    path = tmp_path / "afrinic.db.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(LoadError, match="corrupt or truncated gzip archive"):
        loaders.loader_for(path).load(path)


def test_cli_reports_a_truncated_archive_on_one_line(tmp_path: Path):
    bad = _truncated(tmp_path / "peeringdb.json.gz", gzip.compress(PEERINGDB.read_bytes() * 3))
    proc = subprocess.run([sys.executable, "-m", "api.cli", "load", str(bad), "--db",
                           str(tmp_path / "g.db")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "corrupt or truncated gzip archive" in errors[0]
    assert "Traceback" not in proc.stderr


def test_jsonl_lines_stream_from_a_gzip(tmp_path: Path, sqlite_store):
    rows = [{"type": "Organization", "name": f"Org {i}"} for i in range(50)]
    path = write(tmp_path / "orgs.jsonl.gz", "\n".join(json.dumps(r) for r in rows))
    assert loaders.loader_for(path).name == "jsonl"
    assert not ops.load(sqlite_store, [str(path)]).errors
    assert counts(sqlite_store)[0] == 50
