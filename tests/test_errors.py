"""Errors that say what happened, in real situations: a second process holding the SQLite
write lock (503 with Retry-After; CLI exit 75), a Neo4j URI on a closed port (503; CLI exit
69), a name that matches nothing (404) or several entities (409 with the candidates, or the
one entity that is not a document, with a note), a store file that does not exist (no graph
there, no file made) and a batch with a bad reference (CLI: FILE:LINE; API 422)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.errors import where
from graph.model import Entity
from graph.settings import Settings
from graph.store.base import BadReference, GraphStore
from graph.store.sqlite import SQLiteStore
from tests.helpers import batch, counts, org, person, rel

ROOT = Path(__file__).resolve().parent.parent
GOVGRAPH = [sys.executable, "-m", "api.cli"]
TOKEN = "errors-test-token"
NODES = "id,type,name\nacme,Company,Acme Ltd\nroe,Person,Jane Roe\n"
EDGES = "source,target,type\nroe,acme,ROLE_AT\nroe,nowhere,ROLE_AT\n"

# Holds the write lock of the SQLite file argv[1] until its stdin closes.
HOLD_LOCK = ("import sqlite3, sys\n"
             "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "db.execute('BEGIN IMMEDIATE')\n"
             "print('held', flush=True)\n"
             "sys.stdin.read()\n")


def govgraph(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([*GOVGRAPH, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env={**os.environ, **env})


@pytest.fixture
def loaded_db(tmp_path: Path) -> Path:
    """A SQLite graph holding one source (the nodes file)."""
    (tmp_path / "people.nodes.csv").write_text(NODES)
    db = tmp_path / "graph.db"
    assert govgraph("load", str(tmp_path / "people.nodes.csv"), "--db", str(db)).returncode == 0
    return db


@pytest.fixture
def lock_held(loaded_db: Path) -> Iterator[Path]:
    """The graph file, its write lock held by another process for the test's duration."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(loaded_db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    yield loaded_db
    holder.communicate(timeout=30)


@pytest.fixture
def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ busy (SQLite lock)
def test_cli_load_into_a_locked_store_exits_75_on_one_line(lock_held: Path, tmp_path: Path):
    extra = tmp_path / "more.nodes.csv"
    extra.write_text("id,type,name\nzeta,Company,Zeta Corp\n")
    proc = govgraph("load", str(extra), "--db", str(lock_held), GOVGRAPH_BUSY_TIMEOUT_S="0.5")
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 75, proc.stderr
    assert len(lines) == 1 and "busy" in lines[0] and "Traceback" not in proc.stderr


def test_api_write_to_a_locked_store_is_503_with_retry_after(lock_held: Path, tmp_path: Path):
    store = SQLiteStore(lock_held, busy_timeout_s=0.5)
    app = create_app(Settings(store=str(lock_held), api_token=TOKEN), store)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client:
        upload = client.post("/ingest", headers=auth,
                             files={"file": ("more.nodes.csv",
                                             b"id,type,name\nzeta,Company,Zeta Corp\n")})
        assert upload.status_code == 503, upload.text
        assert upload.headers["Retry-After"] == "5" and "busy" in upload.json()["error"]
        source = client.get("/sources").json()[0]["source_id"]  # reads still work
        removed = client.delete(f"/sources/{source}", headers=auth)
        assert removed.status_code == 503 and removed.headers["Retry-After"] == "5"
    store.close()
    with SQLiteStore(lock_held) as after:
        assert counts(after)[0] == 2  # nothing written, nothing removed


# ------------------------------------------------------------ unreachable (Neo4j down)
@pytest.mark.parametrize("scheme", ["neo4j", "bolt"])
def test_cli_on_a_closed_neo4j_port_exits_69_at_once(closed_port: int, scheme: str):
    proc = govgraph("stats", "--db", f"{scheme}://127.0.0.1:{closed_port}")
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 69, proc.stderr
    assert len(lines) == 1 and "not reachable" in lines[0]


def test_api_on_a_closed_neo4j_port_answers_503(closed_port: int):
    app = create_app(Settings(store=f"neo4j://127.0.0.1:{closed_port}"))
    with TestClient(app) as client:
        for path in ("/health", "/entities?q=acme", "/subgraph?id=acme"):
            answer = client.get(path)
            assert answer.status_code == 503, (path, answer.text)
            assert "not reachable" in answer.json()["error"]
            assert "Retry-After" not in answer.headers


# ------------------------------------------------------------------------ no graph
@pytest.mark.parametrize("command", [["stats"], ["centrality"], ["impact", "Acme"],
                                     ["export"], ["unload", "x"],
                                     ["view", "Acme", "-o", "x.html"]])
def test_a_read_of_a_missing_store_says_so_and_makes_no_file(tmp_path: Path,
                                                            command: list[str]):
    typo = tmp_path / "typo.db"
    proc = govgraph(*command, "--db", str(typo))
    assert proc.returncode == 1
    assert f"{typo}: no graph there" in proc.stderr and "0" not in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_load_still_creates_the_store(tmp_path: Path):
    (tmp_path / "people.nodes.csv").write_text(NODES)
    db = tmp_path / "new.db"
    assert govgraph("load", str(tmp_path / "people.nodes.csv"), "--db", str(db)).returncode == 0
    assert db.exists()


# ------------------------------------------------------------- names: unknown, shared
def shared_names(store: GraphStore) -> None:
    """"Lu Heng": a person and his profile page; "Ada": a person, a company and a profile;
    "Notes": two documents."""
    lu, cloud = person("Lu Heng"), org("Cloud Co", "Company")
    store.write(batch("names", [
        lu, Entity("Profile", "Lu Heng", id="doc:lu-heng"),
        person("Ada"), org("Ada", "Company"), Entity("Profile", "Ada", id="doc:ada"),
        Entity("Article", "Notes", id="doc:notes-1"), Entity("Essay", "Notes", id="doc:notes-2"),
        cloud,
    ], [rel(lu, cloud, "ROLE_AT")]))


@pytest.fixture
def named(store: GraphStore) -> Iterator[TestClient]:
    shared_names(store)
    with TestClient(create_app(Settings(), store)) as client:
        yield client


def test_api_unknown_name_is_404(named: TestClient):
    for path in ("/entities/Nobody%20Here", "/subgraph?id=Nobody%20Here",
                 "/paths?from=Nobody%20Here&to=Cloud%20Co",
                 "/dependencies/Nobody%20Here"):
        answer = named.get(path)
        assert answer.status_code == 404, (path, answer.text)
        assert "no entity matches 'Nobody Here'" in answer.json()["error"]


def test_api_name_shared_with_documents_picks_the_one_thing(named: TestClient):
    sub = named.get("/subgraph", params={"id": "Lu Heng"}).json()
    assert "org:cloud" in {n["id"] for n in sub["nodes"]}
    assert sub["notes"] == ["'Lu Heng' also names 1 document; using person:lu-heng (Person)"]
    moved = named.get("/entities/Lu Heng", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/entities/person:lu-heng"
    assert "person:lu-heng" in moved.headers["Govgraph-Note"]
    paths = named.get("/paths", params={"from": "Lu Heng", "to": "Cloud Co"}).json()
    assert paths["length"] == 1 and paths["notes"]


def test_api_ambiguous_name_is_409_with_the_candidates(named: TestClient):
    for name, expected in (("Ada", {("person:ada", "Person"), ("org:ada", "Company"),
                                    ("doc:ada", "Profile")}),
                           ("Notes", {("doc:notes-1", "Article"), ("doc:notes-2", "Essay")})):
        answer = named.get("/subgraph", params={"id": name})
        assert answer.status_code == 409, answer.text
        body = answer.json()
        assert {(c["id"], c["type"]) for c in body["candidates"]} == expected
        assert {c["name"] for c in body["candidates"]} == {name}
        assert named.get(f"/entities/{name}").status_code == 409


@pytest.mark.parametrize("store_kind", ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_cli_names(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest):
    if store_kind == "sqlite":
        location = str(tmp_path / "names.db")
        with SQLiteStore(location) as target:
            shared_names(target)
    else:
        target = request.getfixturevalue("neo4j_store_factory")()
        shared_names(target)
        location = request.getfixturevalue("neo4j_uri")
    chosen = govgraph("impact", "Lu Heng", "--json", "--db", location)
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stderr.strip() == ("note: 'Lu Heng' also names 1 document; using "
                                     "person:lu-heng (Person)")
    ambiguous = govgraph("impact", "Ada", "--db", location)
    assert ambiguous.returncode == 1
    lines = ambiguous.stderr.strip().splitlines()
    assert lines[0] == "error: 'Ada' names 3 entities; give one of these ids instead:"
    assert sorted(line.split()[0] for line in lines[1:]) == ["doc:ada", "org:ada",
                                                             "person:ada"]
    unknown = govgraph("impact", "Nobody Here", "--db", location)
    assert unknown.returncode == 1 and "no entity matches 'Nobody Here'" in unknown.stderr


# ----------------------------------------------------------------- bad reference
def test_cli_bad_reference_names_file_and_line(tmp_path: Path, loaded_db: Path):
    edges = tmp_path / "people.edges.csv"
    edges.write_text(EDGES)
    with SQLiteStore(loaded_db) as before:
        was = counts(before)
    proc = govgraph("load", str(edges), "--db", str(loaded_db))
    assert proc.returncode == 1
    error = next(line for line in proc.stderr.splitlines() if line.startswith("error:"))
    assert str(edges) in error and "3" in error and "nowhere" in error
    with SQLiteStore(loaded_db) as after:
        assert counts(after) == was


def test_api_bad_reference_is_422(store: GraphStore):
    store.write(batch("people", [person("Jane Roe")]))
    app = create_app(Settings(api_token=TOKEN), store)
    with TestClient(app) as client:
        answer = client.post("/ingest", headers={"Authorization": f"Bearer {TOKEN}"},
                             files={"file": ("x.edges.csv",
                                             b"source,target,type\nJane Roe,nowhere,ROLE_AT\n")})
    assert answer.status_code == 422 and "nowhere" in answer.json()["error"]
    assert counts(store)[:2] == (1, 0)


def test_where_formats_a_bad_reference_as_file_and_line():
    exc = BadReference("ROLE_AT refers to unknown entity 'nowhere'",
                       "file:/data/people.edges.csv", "line 3")
    assert where(exc) == "/data/people.edges.csv:3: ROLE_AT refers to unknown entity 'nowhere'"
    assert where(BadReference("x", "upload:a.csv", None)) == "upload:a.csv: x"
    assert where(BadReference("x")) == "x"
