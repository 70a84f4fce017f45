"""The benchmark code runs end to end at a tiny size (no timing assertions: benchmarks are not
tests; this only keeps the code from rotting)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate, parse_scale, plan
from graph.store.sqlite import SQLiteStore
from loaders.tabular import load_csv

ROOT = Path(__file__).resolve().parent.parent


def test_scale_names():
    assert parse_scale("10k") == 10_000
    assert parse_scale("1M") == 1_000_000
    assert parse_scale("1.5m") == 1_500_000
    assert parse_scale("250") == 250
    with pytest.raises(ValueError):
        parse_scale("ten")


def test_generator_is_deterministic_and_loads(tmp_path: Path):
    first = generate(2000, tmp_path / "a")
    second = generate(2000, tmp_path / "b")
    for name in ("nodes.csv", "edges.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first == second
    assert first["edges"] == 2000 and sum(first["edges_by_type"].values()) == 2000
    assert first["edges_by_type"]["DEPENDS_ON"] == plan(2000)["DEPENDS_ON"]
    assert {"HELD_BY", "ADMINISTERED_BY", "ROLE_AT", "AUTHORED", "MENTIONS", "CUSTOMER_OF",
            "PEERS_WITH"} <= first["edges_by_type"].keys()
    with (tmp_path / "a" / "edges.csv").open() as fh:
        facts = [(r["source"], r["target"], r["type"], r["role"]) for r in csv.DictReader(fh)]
    assert len(set(facts)) == len(facts)  # every row is a distinct fact
    with SQLiteStore(tmp_path / "g.db") as store:
        for name in ("nodes.csv", "edges.csv"):
            store.write(load_csv(tmp_path / "a" / name))
        stats = store.stats()
        assert stats["nodes"] == first["nodes"] and stats["edges"] == 2000
        assert store.entities([first["hub"]])  # the hub is a real node
        hub_in = store.degree([first["hub"]])[first["hub"]]
        assert hub_in >= first["hub_dependents"]


def test_routing_layer(tmp_path: Path):
    manifest = generate(20_000, tmp_path)
    with (tmp_path / "nodes.csv").open() as fh:
        asns = [r["id"] for r in csv.DictReader(fh) if r["type"] == "ASN"]
    assert len(asns) == 1200  # 30 % of the 4,000 resources
    customers: dict[str, set[str]] = {}
    peers: set[frozenset[str]] = set()
    with (tmp_path / "edges.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["type"] == "CUSTOMER_OF":
                customers.setdefault(row["source"], set()).add(row["target"])
            elif row["type"] == "PEERS_WITH":
                peers.add(frozenset((row["source"], row["target"])))
    tier1 = asns[:15]  # 1,200 networks: the clique is capped at 15
    assert all(frozenset((a, b)) in peers for a in tier1 for b in tier1 if a != b)
    assert not customers.keys() & set(tier1)  # tier-1 networks buy no transit
    assert customers.keys() == set(asns[15:])  # every other network has a provider
    multihomed = sum(len(p) >= 2 for p in customers.values()) / len(customers)
    assert 0.45 < multihomed < 0.55
    provided: dict[str, int] = {}
    for providers in customers.values():
        for p in providers:
            provided[p] = provided.get(p, 0) + 1
    assert len(provided) <= 15 + 120  # tier-1 and the 120 transit networks only
    counts = sorted(provided.values())
    mean = sum(counts) / len(counts)
    assert counts[-1] > 5 * mean  # a few providers with very many customers ...
    assert counts[len(counts) // 2] < mean  # ... and most with few
    assert manifest["edges_by_type"]["CUSTOMER_OF"] == sum(map(len, customers.values()))


def test_heavy_tail(tmp_path: Path):
    manifest = generate(20_000, tmp_path)
    holders_and_providers = manifest["nodes_by_kind"]["holders"] + \
        manifest["nodes_by_kind"]["providers"]
    mean = manifest["edges_by_type"]["DEPENDS_ON"] / holders_and_providers
    assert manifest["hub_dependents"] > 20 * mean  # a few nodes that very many depend on


@pytest.mark.slow
def test_quick_run_prints_ratios_and_writes_json(tmp_path: Path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--scale", "1k", "--repeat", "1",
         "--json", str(out), "--root", str(tmp_path / "root"), "--no-view"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"ratios: load_sqlite=[\d.]+ load_neo4j=(n/a|[\d.]+) "
                        r"centrality=[\d.]+ api_p95_ms=[\d.]+ load_floor=[\d.]+", last), last
    data = json.loads(out.read_text())
    assert {"machine", "graph", "load_sqlite", "load_neo4j", "centrality", "api", "view",
            "ratios"} <= data.keys()
    assert data["graph"]["edges"] == 1000
    assert data["load_sqlite"]["govgraph"]["relations"] == 1000
    assert {"seconds", "relations_per_s", "rss_mb"} <= data["load_sqlite"]["baseline"].keys()
    assert data["load_sqlite"]["floor"]["relations"] == 1000  # the same rows, bare tables
    assert {"project_s", "pagerank_s", "betweenness_s", "projection_mb", "suite_s"} <= \
        data["centrality"]["govgraph"].keys()
    for name in ("entities", "subgraph", "centrality"):
        assert data["api"][name]["requests"] > 0 and data["api"][name]["errors"] == 0
        assert {"p50_ms", "p95_ms", "p99_ms", "throughput_rps"} <= data["api"][name].keys()
    assert data["machine"]["cores"] >= 1


def test_neo4j_only_without_a_server_reports_n_a(tmp_path: Path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--neo4j-only", "--scale", "1k", "--repeat",
         "1", "--neo4j", "none", "--json", str(out), "--root", str(tmp_path / "root")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "ratios: load_neo4j=n/a"
    assert any(line.startswith("load into Neo4j: n/a (no Neo4j server") for line in lines)
    data = json.loads(out.read_text())
    assert "load_sqlite" not in data and "skipped" in data["load_neo4j"]


@pytest.mark.neo4j
def test_neo4j_floor_writes_the_same_rows_and_leaves_nothing(tmp_path: Path, neo4j_uri: str):
    from benchmarks.phases import neo4j_floor

    manifest = generate(1000, tmp_path)
    result = neo4j_floor(str(tmp_path), neo4j_uri)
    assert (result["nodes"], result["relations"]) == (manifest["nodes"], 1000)
    import neo4j

    with neo4j.GraphDatabase.driver(neo4j_uri, auth=None) as driver:
        assert driver.execute_query("MATCH (n) RETURN count(n)").records[0][0] == 0
        names = {r[0] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
        assert "floor_key" not in names


@pytest.mark.neo4j
def test_neo4j_layout_steps_write_the_layout_one_part_at_a_time(tmp_path: Path,
                                                                 neo4j_uri: str):
    import neo4j

    from benchmarks import neo4j_layout
    from benchmarks.phases import _clear_neo4j

    manifest = generate(1000, tmp_path)
    entities, relations = neo4j_layout.records(tmp_path)
    norms = sum(len(row[8]) for typed in entities.values() for row in typed)

    def written(step: str) -> dict[str, int]:
        _clear_neo4j(neo4j_uri)
        with neo4j.GraphDatabase.driver(neo4j_uri, auth=None) as driver:
            neo4j_layout.write(driver, neo4j_layout.STEPS.index(step), entities, relations)
            count = driver.execute_query(
                "CALL () { MATCH (e:Entity) RETURN count(e) AS entities } "
                "CALL () { MATCH (a:Alias) RETURN count(a) AS aliases } "
                "CALL () { MATCH (c:NodeClaim) RETURN count(c) AS claims } "
                "CALL () { MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS relations, "
                "count(r.claim_locators) AS claimed } "
                "CALL () { MATCH (e:Entity) RETURN count(e.search) AS search, "
                "count(e.claim_sid) AS held } "
                "RETURN entities, aliases, claims, relations, claimed, search, held").records[0]
        _clear_neo4j(neo4j_uri)
        return dict(count)

    nodes = manifest["nodes"]
    assert written("bare") == {"entities": nodes, "aliases": 0, "claims": 0,
                               "relations": 1000, "claimed": 0, "search": 0, "held": 0}
    assert written("entity")["search"] == nodes
    assert written("aliases")["aliases"] == norms > nodes
    assert written("node claims")["claims"] == nodes
    assert written("edge claims") == {"entities": nodes, "aliases": norms, "claims": nodes,
                                      "relations": 1000, "claimed": 1000, "search": nodes,
                                      "held": 0}
    # the lean bound: name, first key and the sole claim on the entity
    assert written("lean") == {"entities": nodes, "aliases": norms - 2 * nodes, "claims": 0,
                               "relations": 1000, "claimed": 1000, "search": nodes,
                               "held": nodes}
