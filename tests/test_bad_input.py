"""The bad-input corpus: hostile and broken files, generated here, each run through
``govgraph load`` (a subprocess, as a user runs it), through :func:`api.ops.load` and through
``POST /ingest``. Every case ends with a one-line error naming the file (and line, where
there is one) and an unchanged store, or with a clean load; never a traceback."""

from __future__ import annotations

import codecs
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import loaders
from api import ops
from api.app import create_app
from graph.settings import Settings
from graph.store.sqlite import SQLiteStore

GOVGRAPH = [sys.executable, "-m", "api.cli"]
MB = 1024 * 1024
NODES = "id,type,name\n"
RIR_HEAD = ("2|afrinic|20230323|3|00000000|20230323|00000\n"
            "afrinic|*|ipv4|*|3|summary\n"
            "afrinic|ZA|ipv4|41.0.0.0|2097152|20050411|allocated|F36B9F4B\n")
IANA_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
             '<registry xmlns="http://www.iana.org/assignments" id="ipv4-address-space">\n'
             '<title>&payload;</title>\n'
             '<record><prefix>041/8</prefix><designation>AFRINIC</designation>'
             '<date>2005-04</date><status>ALLOCATED</status></record>\n</registry>\n')
LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
RIR_LINE = 4 if any(ld.name == "rir-delegated" for ld in loaders.loaders()) else None


@dataclass(frozen=True)
class Case:
    """One hostile input: ``build`` writes it under a folder and returns the load target;
    ``expect`` is "error" (must fail, ``line`` if the error has one), "load" (must load
    cleanly) or "either" (a loader may accept it; if it does, ``check`` must hold)."""

    name: str
    build: Callable[[Path], Path]
    expect: str
    line: int | None = None


def _file(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path
    return build


def _big(folder: Path) -> Path:
    """A 100 MB text page: refused by size before anything is parsed (a loader that reads a
    whole file has a cap; CSV and JSON Lines stream, without one: tests/test_tabular.py)."""
    path = folder / "big.txt"
    row = b"Organisation number %07d runs a registry with a long name.\n"
    with path.open("wb") as fh:
        fh.write(b"Registry News\n\n")
        block = b"".join(row % i for i in range(10_000))
        while fh.tell() < 100 * MB:
            fh.write(block)
    return path


def _loop_folder(folder: Path) -> Path:
    """A folder with one good file, symlink loops, a dangling link, a link out of the folder
    and a FIFO (which would block a reader forever)."""
    root = folder / "loop"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "good.csv").write_text(NODES + "a,Registry,Loop Registry\n")
    os.symlink("..", root / "sub" / "up")
    os.symlink(".", root / "self")
    os.symlink(root / "missing.csv", root / "dangling.csv")
    outside = folder / "outside.csv"
    outside.write_text(NODES + "b,Registry,Outside Registry\n")
    os.symlink(outside, root / "escape.csv")
    os.mkfifo(root / "pipe.csv")
    return root


def _nested_json(depth: int) -> str:
    return '{"type":"Person","name":"Deep","p":' + "[" * depth + "]" * depth + "}\n"


CASES = [
    Case("empty", _file("empty.csv", b""), "error"),
    Case("blank", _file("blank.jsonl", "\n \n\t\n"), "error"),
    Case("binary", _file("binary.csv", bytes(range(256)) * 64), "error"),
    Case("high_bytes", _file("high.csv", bytes(range(128, 256)) * 64), "error", 1),
    Case("invalid_utf8", _file("bad-utf8.csv", NODES.encode() + b"a,Person,Bad \xff name\n"),
         "error", 2),
    Case("utf16_bom", _file("utf16.csv", codecs.BOM_UTF16_LE
                            + (NODES + "a,Registry,Ünïcode Registry\n").encode("utf-16-le")),
         "load"),
    Case("utf8_bom", _file("bom.csv", codecs.BOM_UTF8 + (NODES + "a,Registry,Bom Registry\n")
                           .encode()), "load"),
    Case("100mb", _big, "error"),
    Case("long_line_csv", _file("long.csv", NODES + "a,Person," + "x" * (10 * MB) + "\n"),
         "error", 2),
    Case("long_line_jsonl", _file("long.jsonl", '{"type":"Person","name":"Long","note":"'
                                  + "x" * (10 * MB) + '"}\n'), "error", 1),
    Case("long_line_text", _file("long.txt", "word " * (2 * MB)), "error", 1),
    Case("html_scripts", _file("page.html", (
        "<html><head><title>Registry News</title><style>body{x:expression(alert(1))}</style>"
        "<script>alert(1)</script></head><body><h1>Registry News</h1>"
        "<script>document.write('alert(1)')</script><p>AFRINIC is a registry.</p>"
        "</body></html>\n")), "either"),
    Case("html_attribute_bomb", _file("attrs.html", "<html><body><p " + " ".join(
        f"a{i}=1" for i in range(200_000)) + ">Registry</p></body></html>\n"), "error", 1),
    Case("html_nesting_bomb", _file("nested.html", "<html><body>" + "<div>" * 200_000 + "x"
                                    + "</div>" * 200_000 + "</body></html>\n"), "error", 1),
    Case("billion_laughs", _file("laughs.xml", IANA_HEAD.format(
        doctype=f'<!DOCTYPE registry [<!ENTITY l0 "lol">{LAUGHS}<!ENTITY payload "&l9;">]>')),
        "error"),
    Case("external_entity", _file("xxe.xml", IANA_HEAD.format(
        doctype='<!DOCTYPE registry [<!ENTITY payload SYSTEM "file:///etc/passwd">]>')),
        "error"),
    Case("rir_truncated", _file("delegated-truncated", RIR_HEAD + "afrinic|ZA|ipv4|41.0\n"),
         "error", RIR_LINE),
    Case("rir_wrong_width", _file("delegated-wide", RIR_HEAD
                                  + "afrinic|ZA|ipv4|41.0.0.0|x|y|allocated|Z|1|2|3|4\n"),
         "error", RIR_LINE),
    Case("csv_missing_columns", _file("missing.csv", "id,type,name,role\na,Person,Ann\n"),
         "error", 2),
    Case("csv_bad_header", _file("header.csv", "id;type;name\na;Person;Ann\n"), "error"),
    Case("json_depth_bomb", _file("bomb.jsonl", _nested_json(200_000)), "error", 1),
    Case("json_depth_moderate", _file("deep.jsonl", _nested_json(60)), "error", 1),
    Case("json_nan", _file("nan.jsonl", '{"type":"Person","name":"Nan","x":NaN}\n'),
         "error", 1),
    Case("json_surrogate", _file("surrogate.jsonl",
                                 '{"type":"Person","name":"S","x":"\\ud800"}\n'), "error", 1),
    Case("csv_infinity", _file("inf.csv", "id,type,name,weight\na,Person,Inf,1e999\n"),
         "error", 2),
    Case("edge_to_nowhere", _file("edges.csv", "source,target,type\nnope,nada,DEPENDS_ON\n"),
         "error", 2),
    Case("control_names", _file("names.csv", "id,type,name,aliases\n"
                                "a,Person,\u202eTrusted\u202c Name\x07\x1b[31m\u200f,"
                                "Al\x01\u2066ias|\u200b\n"), "load"),
    Case("symlink_loop", _loop_folder, "load"),
]
HOSTILE_TEXT = ("alert(1)", "root:x:", "lollol")


def counts(db: Path) -> tuple[int, int, int, int]:
    store = SQLiteStore(db)
    try:
        s = store.stats()
        return s["nodes"], s["edges"], s["claims"], s["sources"]
    finally:
        store.close()


def all_text(db: Path) -> str:
    """Every name, alias, property and claim the store holds, as one string."""
    store = SQLiteStore(db)
    try:
        rows = store.db.execute("SELECT name || aliases || props FROM nodes UNION ALL "
                                "SELECT props FROM edges").fetchall()
        return "\n".join(r[0] for r in rows)
    finally:
        store.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    return {case.name: case.build(folder) for case in CASES}


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store that already holds data, so 'unchanged' means something."""
    folder = tmp_path_factory.mktemp("base")
    nodes = folder / "base.csv"
    nodes.write_text(NODES + "x,Registry,IANA\ny,Registry,AFRINIC\n")
    edges = folder / "base-edges.csv"
    edges.write_text("source,target,type\ny,x,DEPENDS_ON\n")
    db = folder / "base.db"
    store = SQLiteStore(db)
    assert not ops.load(store, [str(nodes), str(edges)]).errors
    store.close()
    return db


def fresh_db(base_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "case.db"
    shutil.copy(base_db, db)
    return db


def names_file(message: str, target: Path, line: int | None) -> bool:
    """The message names the file, and the line where the case has one."""
    if line is None:
        return str(target) in message
    return f"{target}:{line}:" in message or f"{target} (line {line})" in message


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_through_ops_load(case: Case, corpus: dict[str, Path], base_db: Path,
                               tmp_path: Path):
    target, db = corpus[case.name], fresh_db(base_db, tmp_path)
    before = counts(db)
    store = SQLiteStore(db)
    report = ops.load(store, [str(target)])
    store.close()
    if case.expect == "error" or (case.expect == "either" and report.errors):
        assert len(report.errors) == 1, report.errors
        message = report.errors[0]
        assert "\n" not in message and names_file(message, target, case.line), message
        assert counts(db) == before
    else:
        assert report.errors == [], report.errors
        assert counts(db) != before
    assert not any(bad in all_text(db) for bad in HOSTILE_TEXT)


def test_every_error_case_through_the_cli(corpus: dict[str, Path], base_db: Path,
                                          tmp_path: Path):
    """All failing files in one `govgraph load`: exit 1, exactly one error line per file,
    each naming its file (and line), no traceback, and the store unchanged."""
    failing = [c for c in CASES if c.expect == "error"]
    db = fresh_db(base_db, tmp_path)
    before = counts(db)
    proc = subprocess.run([*GOVGRAPH, "load", *(str(corpus[c.name]) for c in failing),
                           "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == len(failing), proc.stderr
    for case in failing:
        target = corpus[case.name]
        mine = [ln for ln in lines if names_file(ln, target, case.line)]
        assert len(mine) == 1 and mine[0].startswith("error: "), (case.name, proc.stderr)
    assert counts(db) == before


@pytest.mark.parametrize("case", [c for c in CASES if c.expect != "error"],
                         ids=[c.name for c in CASES if c.expect != "error"])
def test_loadable_cases_through_the_cli(case: Case, corpus: dict[str, Path], base_db: Path,
                                        tmp_path: Path):
    db = fresh_db(base_db, tmp_path)
    before = counts(db)
    proc = subprocess.run([*GOVGRAPH, "load", str(corpus[case.name]), "--db", str(db)],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error")]
    if case.expect == "load":
        assert proc.returncode == 0 and not errors, proc.stderr
    elif proc.returncode != 0:
        assert len(errors) == 1 and str(corpus[case.name]) in errors[0], proc.stderr
        assert counts(db) == before


def test_control_characters_leave_displayable_names_and_stable_ids(corpus: dict[str, Path],
                                                                   tmp_path: Path):
    store = SQLiteStore(tmp_path / "names.db")
    assert not ops.load(store, [str(corpus["control_names"])]).errors
    [node] = [e for e in store.iter_entities()]
    assert node.name == "Trusted Name[31m" and "Alias" in node.aliases
    shown = node.name + "".join(node.aliases)
    assert not any(unicodedata.category(ch).startswith("C") for ch in shown)
    assert node.id == "person:trusted-name-31m"
    clean = tmp_path / "clean.csv"
    clean.write_text("id,type,name\nz,Person,Trusted Name[31m\n")
    assert not ops.load(store, [str(clean)]).errors
    assert store.stats()["nodes"] == 1  # the same person, whatever the invisible characters
    store.close()


def test_symlink_loop_folder_loads_only_its_own_regular_file(corpus: dict[str, Path],
                                                             tmp_path: Path):
    store = SQLiteStore(tmp_path / "loop.db")
    report = ops.load(store, [str(corpus["symlink_loop"])])
    names = sorted(e.name for e in store.iter_entities())
    store.close()
    assert report.errors == [] and len(report.results) == 1
    assert names == ["Loop Registry"]


def test_a_loader_bug_is_one_line_and_writes_nothing(base_db: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    """An exception no loader anticipated (here: a loader that divides by zero) is reported
    as one line naming the file; the other files still load."""
    from loaders import base

    def broken(path: Path) -> None:
        return 1 / 0

    crash = base.Loader("crash", (".crash",), lambda path, head: True, broken)
    monkeypatch.setattr(base, "_LOADERS", [crash, *base._LOADERS])
    bad = tmp_path / "x.crash"
    bad.write_text("anything\n")
    good = tmp_path / "good.csv"
    good.write_text(NODES + "g,Registry,Good Registry\n")
    db = fresh_db(base_db, tmp_path)
    store = SQLiteStore(db)
    report = ops.load(store, [str(bad), str(good)])
    store.close()
    assert report.errors == [f"{bad}: cannot load (ZeroDivisionError: division by zero)"]
    assert len(report.results) == 1


TOKEN = {"Authorization": "Bearer corpus-token"}


def ingest_client(db: Path, **settings: object) -> tuple[TestClient, SQLiteStore]:
    store = SQLiteStore(db)
    app = create_app(Settings(store=str(db), api_token="corpus-token", **settings), store)
    return TestClient(app, raise_server_exceptions=False), store


@pytest.mark.parametrize("case", [c for c in CASES if c.name != "symlink_loop"],
                         ids=[c.name for c in CASES if c.name != "symlink_loop"])
def test_case_through_post_ingest(case: Case, corpus: dict[str, Path], base_db: Path,
                                  tmp_path: Path):
    """The same files uploaded: 422 with a one-line error naming the file (and line), 413
    past the upload limit, or 200; the store is unchanged by every refusal."""
    target, db = corpus[case.name], fresh_db(base_db, tmp_path)
    before = counts(db)
    client, store = ingest_client(db)
    with client, target.open("rb") as fh:
        response = client.post("/ingest", files={"file": (target.name, fh)}, headers=TOKEN)
    store.close()
    assert response.status_code in (200, 413, 422), response.text[:300]
    assert "Traceback" not in response.text
    if response.status_code == 200:
        assert case.expect != "error"
        assert counts(db) != before
    else:
        assert case.expect != "load"
        message = response.json()["error"]
        assert "\n" not in message
        if response.status_code == 422:
            where = f"{target.name}:{case.line}:" if case.line else target.name
            assert where in message or f"{target.name} (line {case.line})" in message, message
        assert counts(db) == before
    assert not any(bad in all_text(db) for bad in HOSTILE_TEXT)


@pytest.mark.parametrize("name", ["../../escape-{tag}.csv", "..\\..\\escape-{tag}.csv",
                                  "/tmp/escape-{tag}.csv", "%2e%2e%2fescape-{tag}.csv",
                                  "....//....//escape-{tag}.csv", ".escape-{tag}.csv"])
def test_upload_names_cannot_leave_the_upload_folder(name: str, base_db: Path,
                                                     tmp_path: Path):
    tag = tmp_path.name
    name = name.format(tag=tag)
    client, store = ingest_client(fresh_db(base_db, tmp_path))
    with client:
        response = client.post("/ingest", headers=TOKEN, files={
            "file": (name, NODES.encode() + b"e,Registry,Escape Registry\n", "text/csv")})
        sources = [s["source_id"] for s in client.get("/sources").json()]
    store.close()
    assert response.status_code == 200, response.text
    upload = [s for s in sources if s.startswith("upload:")]
    assert len(upload) == 1 and re.fullmatch(r"upload:[A-Za-z0-9_-][A-Za-z0-9._-]*", upload[0])
    roots = {Path(tempfile.gettempdir()), tmp_path.parent, Path.cwd(), Path("/")}
    assert not [p for root in roots for p in root.glob(f"*escape-{tag}*")]
