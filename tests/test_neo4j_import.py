"""The bulk path into an empty Neo4j: ``govgraph export --format neo4j-import`` writes the
files ``neo4j-admin database import full`` reads, and ``govgraph sync --to FOLDER`` imports
them with the real importer (the test server's own ``neo4j-admin``); the imported database
is a govgraph store equal to the original and behaves the same afterwards."""

from __future__ import annotations

import csv
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from api import ops
from graph.store.sqlite import SQLiteStore
from tests.helpers import batch, org, rel
from tests.test_neo4j_parity import exported, shape
from tests.test_sync import _demo, _scores

ROOT = Path(__file__).resolve().parent.parent
GOVGRAPH = [sys.executable, "-m", "api.cli"]


def _rows(folder: Path) -> dict[tuple[str, ...], list[list[str]]]:
    """Each file group's header and data rows."""
    groups: dict[tuple[str, ...], list[list[str]]] = {}
    for header in sorted(folder.glob("*.header.csv")):
        with header.open(encoding="utf-8", newline="") as fh:
            head = tuple(next(csv.reader(fh)))
        data = header.with_name(header.name.replace(".header.csv", ".csv"))
        with data.open(encoding="utf-8", newline="") as fh:
            groups.setdefault(head, []).extend(csv.reader(fh))
    return groups


def test_export_writes_typed_import_files(tmp_path: Path):
    db = tmp_path / "g.db"
    with SQLiteStore(db) as store:
        store.write(batch("s", [org("Alpha, \"the first\"", "Company", aliases=["A;1"]),
                                org("Beta")],
                          [rel("org:alpha-the-first", "org:beta", "DEPENDS_ON", 0.8,
                               weight=3),
                           rel("org:beta", "org:alpha-the-first", "DEPENDS_ON", 0.6,
                               weight=0.5)]))
        store.write_scores("rank", {"org:beta": float("inf"), "org:alpha-the-first": 2})
    proc = subprocess.run([*GOVGRAPH, "export", "--format", "neo4j-import", "-o",
                           str(tmp_path / "out"), "--db", str(db)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    groups = _rows(tmp_path / "out")
    entities = {head: rows for head, rows in groups.items() if head[0] == ":ID(Entity)"}
    assert sum(map(len, entities.values())) == 2
    by_id = {row[0]: dict(zip(head, row, strict=True))
             for head, rows in entities.items() for row in rows}
    alpha = by_id["org:alpha-the-first"]
    assert alpha[":LABEL"] == "Entity\x1fCompany" and alpha["name:string"] == \
        'Alpha, "the first"'
    assert alpha["aliases:string[]"] == "A;1"  # one alias: ';' is not the delimiter
    assert alpha["score.rank:long"] == "2"  # one metric, two types: a file group each
    assert by_id["org:beta"]["score.rank:double"] == "Infinity"
    depends = {head: rows for head, rows in groups.items() if ":TYPE" in head
               and rows[0][2] == "DEPENDS_ON"}
    assert {h[:3] for h in depends} == {(":START_ID(Entity)", ":END_ID(Entity)", ":TYPE")}
    (head, rows), = depends.items()
    assert sorted(r[head.index("weight:double")] for r in rows) == ["0.5", "3.0"]
    # each edge's claims are lists on its relationship: here one claim, from source 1, of
    # the edge's own confidence and properties (not written again as lists)
    assert [r[head.index("claim_sids:long[]")] for r in rows] == ["1", "1"]
    assert sorted(r[head.index("confidence:double")] for r in rows) == ["0.6", "0.8"]
    assert not [h for h in head if h.startswith(("claim_confidences", "claim_props"))]
    named = [rows for head, rows in groups.items() if head[:2] == (":START_ID(Entity)",
                                                                  ":END_ID(Alias)")]
    assert named and all(row[2] == "NAMED" for rows in named for row in rows)
    assert not [head for head in groups if head[0] == ":ID(EdgeClaim)"]
    args = (tmp_path / "out" / "import.args").read_text().splitlines()
    assert "--array-delimiter=U+001F" in args and sum(a.startswith("--nodes=") for a in
                                                      args) == sum(":ID(" in h[0] for h in
                                                                   groups)
    again = subprocess.run([*GOVGRAPH, "export", "--format", "neo4j-import", "-o",
                            str(tmp_path / "out"), "--db", str(db)],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already holds CSV files" in again.stderr


@pytest.mark.neo4j
def test_sync_to_a_stopped_neo4j_imports_the_same_graph(tmp_path: Path):
    sys.path.insert(0, str(ROOT / "tests"))
    from neo4j_server import Neo4jTestServer, admin_tool

    from graph.store.neo4j import Neo4jStore

    db = tmp_path / "local.db"
    local = SQLiteStore(db)
    _demo(local)
    home = Neo4jTestServer.home(tmp_path / "server")
    home.mkdir(parents=True)
    admin = shlex.join(admin_tool())
    command = [*GOVGRAPH, "sync", "--to", str(home), "--neo4j-admin", admin, "--db", str(db)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{local.stats()['nodes']} nodes" in proc.stdout
    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 1 and "import failed" in again.stderr  # never overwrites
    with Neo4jTestServer(data_dir=tmp_path / "server") as server:
        neo = Neo4jStore(server.uri)
        try:
            assert shape(neo) == shape(local)
            assert exported(neo) == exported(local)
            assert _scores(neo) == _scores(local) != []
            assert [e.id for e in neo.search("afri")] == [e.id for e in local.search("afri")]
            for store in (local, neo):  # later unloads and loads work the same on both
                ops.unload(store, "merge")
                store.write(batch("late", [org("AFRINIC", "Registry")],
                                  [rel("org:afrinic", "org:iana", "DEPENDS_ON", 0.7)]))
            assert exported(neo) == exported(local)
            assert shape(neo) == shape(local)
        finally:
            neo.close()
    local.close()
