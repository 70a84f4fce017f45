"""The library surface (docs/library.md): ``govgraph.open`` and its Graph, beyond the
doctests: the issue's one-line check from the repository root, no file made by a read, the
networkx view's filters, and the same answers on Neo4j."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import govgraph
from graph.store.base import AmbiguousName

ROOT = Path(__file__).resolve().parent.parent
NODES = govgraph.demo_data() / "institutions.nodes.csv"
EDGES = govgraph.demo_data() / "institutions.edges.csv"


def test_the_one_line_check_from_the_repository_root(tmp_path: Path):
    db = tmp_path / "x.db"
    proc = subprocess.run([sys.executable, "-c", "import govgraph; g = govgraph.open("
                           f"{str(db)!r}); g.load(['data/demo']); print(g.stats()['sources'])"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == 6  # two lists, three profile pages, one delegated file


def test_a_read_of_a_missing_file_raises_no_graph_and_makes_none(tmp_path: Path):
    with pytest.raises(govgraph.NoGraph, match="no graph there"):
        govgraph.open(tmp_path / "typo.db").stats()
    assert list(tmp_path.iterdir()) == []
    g = govgraph.open(tmp_path / "new.db")
    assert g.load(NODES).errors == [] and (tmp_path / "new.db").exists()
    g.close()


def test_to_networkx_filters():
    g = govgraph.open(":memory:")
    g.load([NODES, EDGES])
    whole = g.to_networkx()
    assert (whole.number_of_nodes(), whole.number_of_edges()) == (10, 8)
    roles = g.to_networkx(rel=["ROLE_AT"], types=["Person", "Company", "Foundation"])
    assert sorted(roles.edges(keys=False)) == [("person:lu-heng", "org:cloud-innovation"),
                                               ("person:lu-heng", "org:larus"),
                                               ("person:lu-heng", "org:larus-foundation")]
    assert roles.number_of_nodes() == 4  # three companies and foundations, one person
    assert g.to_networkx(min_confidence=0.95).number_of_edges() == 2  # the two at 0.95
    with pytest.raises(ValueError, match="FRIENDS_WITH"):
        g.to_networkx(rel="FRIENDS_WITH")


def test_names_read_as_the_cli_reads_them():
    g = govgraph.demo()
    lu = g.entity("Lu Heng")
    assert lu["id"] == "person:lu-heng" and lu["notes"] == [
        "'Lu Heng' also names 1 document; using person:lu-heng (Person)"]
    assert g.impact("Lu Heng")["notes"] == lu["notes"]
    g.close()


def test_a_name_several_things_share_lists_them(tmp_path: Path):
    people = tmp_path / "two.nodes.csv"
    people.write_text("id,type,name\nada-p,Person,Ada\nada-c,Company,Ada\n")
    g = govgraph.open(":memory:")
    g.load(people)
    with pytest.raises(AmbiguousName) as caught:
        g.subgraph("Ada")
    assert sorted(caught.value.candidates) == [("org:ada", "Company", "Ada"),
                                               ("person:ada", "Person", "Ada")]


@pytest.mark.neo4j
def test_the_same_answers_on_neo4j(neo4j_store_factory, neo4j_uri: str):
    neo4j_store_factory().close()  # empties the database
    g = govgraph.open(neo4j_uri)
    g.load([NODES, EDGES])
    assert g.stats()["nodes"] == 10
    assert g.paths("Lu Heng", "IANA")["length"] == 3
    assert [e["id"] for e in g.search("afri")] == ["org:afrinic"]
    assert g.to_networkx(rel="DEPENDS_ON").number_of_edges() == 2
    g.close()
