"""Routing dependencies: the CAIDA AS relationships and customer-cone loaders, the RPKI ROA
loaders, dependency layers (per-layer single points of failure, united), organisation-level
routing derived from AS links, and the time axis (snapshots in force on a date).

Topologies are hand-worked with the answers written out; per-layer cut-offs are also checked
by brute force (remove the node, see who still reaches the layer's ultimate suppliers).
Files are written in CAIDA's and the validators' published formats with documentation AS
numbers (RFC 5398) and prefixes (RFC 5737, RFC 3849)."""

from __future__ import annotations

import bz2
import json
import random
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from api import ops
from graph import analytics, timeline
from graph.analytics import layers
from graph.analytics.projection import from_edges
from graph.store.base import EdgeFilter, SourceInfo
from loaders.asrel import load_cones, load_links
from loaders.base import LoadError, loader_for
from loaders.rpki import load_csv, load_json
from tests.test_analytics import brute_cut_off_sets

# The February topology (serial-1). 64496 and 64497 are the tier-1 clique and peer;
# 64498 has one provider (64496); 64499 two (64496, 64497); 64500 buys only from 64498 (a
# chain); 64501 from 64498 and 64499; 64502 and 64503 buy from each other (a cycle) and
# 64503 also from 64499 (its exit); 64504 buys from 64497 and peers with 64498 (peering is
# no transit).
FEBRUARY = """\
# source:topology|BGP|20230201|ripe|rrc00
# source:topology|BGP|20230201|routeviews|route-views2
# step 1: set peering in clique
# input clique: 64496 64497
# IXP ASes: 64511
64496|64497|0
64496|64498|-1
64496|64499|-1
64497|64499|-1
64498|64500|-1
64498|64501|-1
64499|64501|-1
64503|64502|-1
64502|64503|-1
64499|64503|-1
64497|64504|-1
64498|64504|0
"""
# What each AS cuts off in February, worked by hand.
FEBRUARY_CUT = {
    64496: {64498, 64500},  # 64498's only provider, and 64500 behind it
    64497: {64504},  # its peering with 64498 carries no transit
    64498: {64500},  # 64501 still has 64499
    64499: {64502, 64503},  # the cycle's only exit
    64503: {64502},  # 64502's only way out runs through 64503
    64500: set(), 64501: set(), 64502: set(), 64504: set(),
}
# March (serial-2, with inference sources): 64500 adds 64499 as a provider (multi-homed
# now) and 64505 arrives, single-homed to 64497.
MARCH = FEBRUARY.replace("20230201", "20230301").replace("# step 1: set peering in clique\n", "")
MARCH = "\n".join(f"{ln}|{'mlp' if ln.endswith('|0') else 'bgp'}" if ln[:1].isdigit() else ln
                  for ln in MARCH.splitlines()) + "\n64499|64500|-1|bgp\n64497|64505|-1|bgp\n"
MARCH_CUT = {**FEBRUARY_CUT, 64496: {64498}, 64497: {64504, 64505}, 64498: set(), 64505: set()}

# Organisations holding those ASes (as2org-equivalent links, written as CSV edges), each
# also depending on its registry for number resources.
ORG_NODES = """\
id,type,name
alpha,Company,Alpha Transit Ltd
beta,Company,Beta Backbone
gamma,Company,Gamma Telecom Ltd
delta,Company,Delta Networks
epsilon,Company,Epsilon Access
zeta,Company,Zeta Hosting
eta,Company,Eta Cable
theta,Company,Theta Mobile
rir,Registry,Example Registry
"""
HOLDERS = {64496: "alpha", 64497: "beta", 64498: "gamma", 64499: "delta", 64500: "epsilon",
           64501: "zeta", 64502: "eta", 64503: "eta", 64504: "theta"}
ORG_EDGES = "source,target,type\n" + "".join(
    f"asn:{asn},{org},HELD_BY\n" for asn, org in HOLDERS.items()) + "".join(
    f"{org},rir,DEPENDS_ON\n" for org in sorted(set(HOLDERS.values())))
# Organisation level, by hand: Gamma -> Alpha; Delta -> Alpha, Beta; Epsilon -> Gamma;
# Zeta -> Gamma, Delta; Eta -> Delta (its 64502 <-> 64503 cycle is inside Eta); Theta -> Beta.
ORG_CUT = {"Alpha Transit Ltd": ["Epsilon Access", "Gamma Telecom Ltd"],
           "Beta Backbone": ["Theta Mobile"], "Gamma Telecom Ltd": ["Epsilon Access"],
           "Delta Networks": ["Eta Cable"], "Zeta Hosting": [], "Eta Cable": []}


def write_bz2(path: Path, text: str) -> Path:
    path.write_bytes(bz2.compress(text.encode()))
    return path


def cut_by_asn(report: dict) -> set[int]:
    return {int(c["id"].removeprefix("asn:")) for c in report["cut_off"]}


# ---- loaders ---------------------------------------------------------------------------

def test_serial_1_links_comments_and_snapshot(tmp_path: Path):
    path = write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY)
    assert loader_for(path).name == "caida-asrel"
    batch = load_links(path)
    assert (batch.dataset, batch.observed, batch.loader) == ("caida-asrel:v4", "2023-02-01",
                                                             "caida-asrel")
    rels = {(r.source, r.type, r.target): r for r in batch.relations}
    assert rels[("asn:64498", "CUSTOMER_OF", "asn:64496")].properties == {
        "snapshot": "2023-02-01", "weight": 1}
    assert rels[("asn:64498", "CUSTOMER_OF", "asn:64496")].locator == "line 7"
    assert ("asn:64496", "PEERS_WITH", "asn:64497") in rels
    assert ("asn:64498", "PEERS_WITH", "asn:64504") in rels
    assert sum(r.type == "CUSTOMER_OF" for r in batch.relations) == 10
    ases = {e.id: e.properties for e in batch.entities}
    assert ases["asn:64496"]["caida_clique"] and ases["asn:64497"]["caida_clique"]
    assert ases["asn:64511"] == {"asn_start": 64511, "asn_count": 1, "caida_ixp": True}
    assert "caida_clique" not in ases["asn:64498"]


def test_serial_2_inference_source_and_ipv6(tmp_path: Path):
    batch = load_links(write_bz2(tmp_path / "20230301.as-rel2.txt.bz2", MARCH))
    rels = {(r.source, r.type, r.target): r.properties for r in batch.relations}
    assert rels[("asn:64500", "CUSTOMER_OF", "asn:64499")] == {
        "snapshot": "2023-03-01", "weight": 1, "inference_source": "bgp"}
    assert "weight" not in rels[("asn:64496", "PEERS_WITH", "asn:64497")]
    assert rels[("asn:64496", "PEERS_WITH", "asn:64497")]["inference_source"] == "mlp"
    v6 = load_links(write_bz2(tmp_path / "20230301.as-rel.v6-stable.txt.bz2", FEBRUARY))
    assert (v6.dataset, v6.observed) == ("caida-asrel:v6", "2023-03-01")
    inferred = load_links(write_bz2(tmp_path / "20230301.as-rel2.txt.bz2", MARCH.replace(
        "# input clique: 64496 64497", "# inferred clique: 64497")))
    assert [e.id for e in inferred.entities if e.properties.get("caida_clique")] == ["asn:64497"]
    undated = tmp_path / "links.txt"
    undated.write_text(FEBRUARY)  # no date in the name: the '# source:' lines give it
    assert load_links(undated).observed == "2023-02-01"


@pytest.mark.parametrize("line, reason", [
    ("64496|64499|1", "neither -1"), ("64496|AS64499|-1", "not an AS number"),
    ("64496|64496|-1", "related to itself"), ("64496|64499", "found 2 fields"),
    ("64496|4294967296|0", "not an AS number"),
])
def test_bad_link_lines_fail_with_file_and_line(tmp_path: Path, line: str, reason: str):
    path = tmp_path / "20230201.as-rel.txt"
    path.write_text(FEBRUARY + line + "\n")
    with pytest.raises(LoadError) as exc:
        load_links(path)
    assert str(exc.value).startswith(f"{path}:18: ") and reason in str(exc.value)


# February's customer cones: each AS, then its members, the first of them the AS itself.
CONES = ("# cones\n64496 64496 64498 64499 64500 64501 64502 64503\n64498 64498 64500 64501\n"
         "64500 64500\n")


def test_customer_cones(tmp_path: Path):
    path = write_bz2(tmp_path / "20230201.ppdc-ases.txt.bz2", CONES)
    assert loader_for(path).name == "caida-ppdc"
    batch = load_cones(path)
    assert {e.id: e.properties["customer_cone_size"] for e in batch.entities} == \
        {"asn:64496": 7, "asn:64498": 3, "asn:64500": 1}
    assert (batch.dataset, batch.observed) == ("caida-ppdc:v4", "2023-02-01")


def test_roa_payloads_csv_and_json(tmp_path: Path):
    csv_path = tmp_path / "vrps-20230301.csv"
    csv_path.write_text("ASN,IP Prefix,Max Length,Trust Anchor,Expires\n"
                        "AS64496,192.0.2.0/24,24,ripe,1680000000\n"
                        "AS64496,192.0.2.0/24,25,ripe,1680000000\n"
                        "AS64497,2001:db8::/32,48,apnic,1680000000\n")
    assert loader_for(csv_path).name == "rpki-vrps-csv"
    batch = load_csv(csv_path)
    assert (batch.dataset, batch.observed) == ("rpki-vrps", "2023-03-01")
    rels = sorted((r.source, r.type, r.target, r.properties.get("max_length"))
                  for r in batch.relations)
    assert rels == [
        ("asn:64496", "ROA_ORIGIN", "prefix:192.0.2.0/24", 24),
        ("asn:64496", "ROA_ORIGIN", "prefix:192.0.2.0/24", 25),
        ("asn:64497", "ROA_ORIGIN", "prefix:2001:db8::/32", 48),
        ("prefix:192.0.2.0/24", "CERTIFIED_BY", "org:ripe-ncc", None),
        ("prefix:192.0.2.0/24", "CERTIFIED_BY", "org:ripe-ncc", None),
        ("prefix:2001:db8::/32", "CERTIFIED_BY", "org:apnic", None)]
    json_path = tmp_path / "rpki.json"
    json_path.write_text(json.dumps({"metadata": {"buildtime": "2023-02-10T04:00:00Z"},
                                     "roas": [{"asn": 64498, "prefix": "198.51.100.0/24",
                                               "maxLength": 24, "ta": "afrinic"}]}))
    assert loader_for(json_path).name == "rpki-vrps-json"
    doc = load_json(json_path)
    assert doc.observed == "2023-02-10"
    assert [(r.source, r.target) for r in doc.relations] == [
        ("prefix:198.51.100.0/24", "org:afrinic"), ("asn:64498", "prefix:198.51.100.0/24")]
    bad = tmp_path / "bad.csv"
    bad.write_text("ASN,IP Prefix,Max Length,Trust Anchor\nAS64496,192.0.2.0/24,16,ripe\n")
    with pytest.raises(LoadError, match=r"bad.csv:2: .*max length 16"):
        load_csv(bad)


# ---- layers: hand-worked and brute force -------------------------------------------------

def load_files(store, *paths: Path) -> None:
    report = ops.load(store, [str(p) for p in paths])
    assert not report.errors, report.errors


def test_routing_cut_offs_by_hand(store, tmp_path: Path):
    load_files(store, write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY),
               write_bz2(tmp_path / "20230201.ppdc-ases.txt.bz2", CONES))
    for asn, expected in FEBRUARY_CUT.items():
        report = analytics.impact(store, f"asn:{asn}", layer="routing")
        assert cut_by_asn(report) == expected, asn
    assert analytics.impact(store, "asn:64498")["dependents"] == 2  # 64500, 64501; no peer
    rows = {r["id"]: r for r in analytics.centrality(store, ["cut_off", "transitive_dependents"],
                                                     layer="routing")}
    assert {int(i[4:]): r["cut_off"] for i, r in rows.items()} == \
        {asn: len(cut) for asn, cut in FEBRUARY_CUT.items()}
    assert rows["asn:64496"]["transitive_dependents"] == 6  # everyone below it but 64504
    for record in store.entities(["asn:64496", "asn:64498", "asn:64500"]):  # CAIDA's count
        assert record.properties["customer_cone_size"] == \
            rows.get(record.id, {}).get("transitive_dependents", 0) + 1  # includes the AS


def load_organisations(store, tmp_path: Path) -> Path:
    """The February AS links, the organisations holding the ASes and their registry
    dependencies, loaded; returns the AS links' file (to unload)."""
    nodes, edges = tmp_path / "orgs.nodes.csv", tmp_path / "orgs.edges.csv"
    nodes.write_text(ORG_NODES)
    edges.write_text(ORG_EDGES)
    links = write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY)
    load_files(store, links, nodes, edges)
    return links


def test_organisation_level_routing(store, tmp_path: Path):
    links = load_organisations(store, tmp_path)
    for name, expected in ORG_CUT.items():
        report = analytics.impact(store, name)
        assert [c["name"] for c in report["cut_off"]] == expected, name
        assert all(c["layers"] == ["routing"] for c in report["cut_off"])
    counts = {r["name"]: r["cut_off"] for r in analytics.centrality(store, ["cut_off"])}
    assert {n: c for n, c in counts.items() if c and not n.startswith("AS")} == {
        "Alpha Transit Ltd": 2, "Beta Backbone": 1, "Gamma Telecom Ltd": 1,
        "Delta Networks": 1, "Example Registry": 8}
    gamma = analytics.impact(store, "Gamma Telecom Ltd")
    assert gamma["direct"][0]["name"] == "Epsilon Access" and gamma["direct"][0]["weight"] == 1
    registry = analytics.impact(store, "Example Registry")
    assert registry["cut_off_count"] == 8 and registry["cut_off_by_layer"]["number_resources"] == 8
    # one graph of every dependency relation (the reading before layers) hides Gamma's
    # cut-off: Epsilon still reaches the registry
    mixed = analytics.impact(store, "Gamma Telecom Ltd",
                             rel_types=["CUSTOMER_OF", "DEPENDS_ON"])
    assert mixed["cut_off"] == []
    # derived, not stored: unloading the AS relationships removes the organisation level
    ops.unload(store, str(links))
    assert analytics.impact(store, "Gamma Telecom Ltd")["cut_off"] == []
    assert store.stats()["edges_by_type"].get("CUSTOMER_OF") is None


def layer_rankings(store) -> dict[str, tuple[list, list | None]]:
    """Each layer's transitive-dependents ranking computed now and as stored, as
    ``[(id, value)]`` (stored: None when nothing is)."""
    out = {}
    for layer in layers.layer_names():
        now = analytics.layer_ranking(store, "transitive_dependents", layer, 1000)
        kept = analytics.stored_layer_ranking(store, "transitive_dependents", layer, 1000)
        out[layer] = ([(r.id, v) for r, v in now],
                      None if kept is None else [(r.id, v) for r, v in kept])
    return out


def test_the_suite_stores_each_layers_scores_as_computed(store, tmp_path: Path):
    links = load_organisations(store, tmp_path)
    assert all(kept is None for _, kept in layer_rankings(store).values())  # not run yet
    analytics.compute_and_store(store)
    rankings = layer_rankings(store)
    for layer, (now, kept) in rankings.items():
        assert kept == (now or None), layer
    routing = dict(rankings["routing"][0])
    alpha, registry = (store.resolve(n) for n in ("Alpha Transit Ltd", "Example Registry"))
    # Gamma and Delta buy from Alpha; Epsilon, Zeta behind Gamma; Eta behind Delta
    assert routing[alpha] == 5 and routing["asn:64496"] == 6 and registry not in routing
    assert dict(rankings["number_resources"][0])[registry] == 8
    (rir,) = store.entities([registry])
    assert "transitive_dependents@routing" not in rir.scores  # not in that layer's graph
    # stored scores keep until the next run, like every stored score; that run clears a
    # layer left with no relation
    ops.unload(store, str(links))
    assert layer_rankings(store)["routing"] == ([], rankings["routing"][1])
    analytics.compute_and_store(store)
    assert layer_rankings(store)["routing"] == ([], None)
    assert store.top("transitive_dependents@routing") == []


def test_lifting_to_organisations_counts_as_links_and_finds_blocks():
    graph = from_edges(["asn:64496", "asn:64497", "asn:64500", "asn:64501", "org:x"],
                       [0, 1, 3, 2], [2, 2, 2, 4], [1.0, 1.0, 1.0, 1.0])
    held = {"asn:64496": ["org:a"], "asn:64497": ["org:a"], "asn:64499-64501": ["org:b"]}
    # 64496 and 64497 (A) buy from 64500 (B, inside B's block); 64501 -> 64500 is inside B
    assert layers.lift_to_organisations(graph, held) == {("org:a", "org:b"): 2.0}
    assert layers.holder_lookup(held)("asn:64502") == []


def brute_layer_cut(graph) -> dict[str, set[str]]:
    """Remove each node; the dependents that no longer reach any original supplier."""
    g = nx.DiGraph()
    g.add_nodes_from(range(graph.n))
    g.add_edges_from(zip(graph.src.tolist(), graph.dst.tolist(), strict=True))
    return {graph.ids[x]: {graph.ids[d] for d in cut}
            for x, cut in brute_cut_off_sets(g).items()}


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("engine", ["networkx", "igraph"])
def test_layered_cut_off_matches_brute_force(seed: int, engine: str):
    rng = random.Random(seed)
    names = [f"n{i:02d}" for i in range(16)]
    graphs = {}
    for layer in ("number_resources", "routing", "rpki"):
        edges = [(u, v) for u in range(16) for v in range(16) if u != v and rng.random() < 0.12]
        graphs[layer] = from_edges(names, [e[0] for e in edges], [e[1] for e in edges])
    expected: dict[str, set[str]] = {n: set() for n in names}
    for graph in graphs.values():
        for node, cut in brute_layer_cut(graph).items():
            expected[node] |= cut
    got = layers.cut_off(graphs, engine)
    assert {n: got.get(n, 0) for n in names} == {n: len(c) for n, c in expected.items()}
    for graph in graphs.values():
        sets = layers.cut_off_sets(graph, range(graph.n), engine)
        brute = brute_layer_cut(graph)
        assert {graph.ids[v]: {graph.ids[u] for u in cut} for v, cut in sets.items()} == brute


# ---- time ---------------------------------------------------------------------------------

def test_the_snapshot_in_force_on_a_date():
    def source(i: str, dataset: str | None, observed: str | None) -> SourceInfo:
        return SourceInfo(i, "", "", "", "", dataset=dataset, observed=observed)

    sources = [source("feb", "d", "2023-02-01"), source("mar", "d", "2023-03-01"),
               source("mar-also", "d", "2023-03-01"), source("other", "e", "2023-01-01"),
               source("plain", None, None)]
    assert timeline.hidden_at(sources) == {"feb"}
    assert timeline.hidden_at(sources, "2023-02-15") == {"mar", "mar-also"}
    assert timeline.hidden_at(sources, "2023-02") == {"mar", "mar-also"}
    assert timeline.hidden_at(sources, "2023-03-01") == {"feb"}
    # before a dataset's first snapshot, the first stands in for it
    assert timeline.hidden_at(sources, "2023-01-20") == {"mar", "mar-also"}
    assert timeline.hidden_at(sources, "2022-12-31") == {"mar", "mar-also"}
    assert timeline.in_force(sources, EdgeFilter(as_of="2023")).hidden_sources == {"feb"}


def test_february_and_march_both_loaded(store, tmp_path: Path):
    feb = write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY)
    mar = write_bz2(tmp_path / "20230301.as-rel2.txt.bz2", MARCH)
    load_files(store, mar, feb)  # the load order does not matter
    info = {Path(s.uri).name: (s.dataset, s.observed) for s in store.sources()}
    assert info == {mar.name: ("caida-asrel:v4", "2023-03-01"),
                    feb.name: ("caida-asrel:v4", "2023-02-01")}
    for as_of, expected in (("2023-02-15", FEBRUARY_CUT), ("2023-03-15", MARCH_CUT),
                            (None, MARCH_CUT)):
        for asn, cut in expected.items():
            report = analytics.impact(store, f"asn:{asn}", as_of=as_of, layer="routing")
            assert cut_by_asn(report) == cut, (as_of, asn)
    for asn, cut in FEBRUARY_CUT.items():  # before February, February is the oldest answer
        report = analytics.impact(store, f"asn:{asn}", as_of="2023-01-15", layer="routing")
        assert cut_by_asn(report) == cut, asn
    flt = EdgeFilter(frozenset({"CUSTOMER_OF"}), as_of="2023-02-15")
    assert ("asn:64505", "asn:64497") not in {(e.source, e.target) for e in
                                              store.iter_edges(flt, claims=False)}
    ops.unload(store, str(mar))  # February is the newest again
    assert cut_by_asn(analytics.impact(store, "asn:64496")) == FEBRUARY_CUT[64496]


def test_one_request_reads_the_sources_once_per_date(sqlite_store, tmp_path: Path):
    store = sqlite_store
    feb = write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY)
    mar = write_bz2(tmp_path / "20230301.as-rel2.txt.bz2", MARCH)
    load_files(store, feb, mar)
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    reads = {"feb": EdgeFilter(frozenset({"CUSTOMER_OF"}), as_of="2023-02-15"),
             "now": EdgeFilter(frozenset({"CUSTOMER_OF"}))}

    def edges() -> dict[str, set[tuple[str, str]]]:
        return {when: {(e.source, e.target) for e in store.iter_edges(flt, claims=False)}
                for when, flt in reads.items()}

    def source_reads() -> int:
        return sum("FROM sources" in sql and "cs.sid" not in sql for sql in statements)

    alone = edges()
    assert source_reads() == 2
    statements.clear()
    with timeline.remembered():
        together = edges() | edges()
        assert edges() == alone
    assert together == alone and alone["feb"] != alone["now"]
    assert source_reads() == 2  # once per date, not once per read
    store.db.set_trace_callback(None)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_impact_lists_exactly_the_single_homed(tmp_path: Path):
    db = str(tmp_path / "cli.db")
    feb = write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY)
    mar = write_bz2(tmp_path / "20230301.as-rel2.txt.bz2", MARCH)
    nodes, edges = tmp_path / "orgs.nodes.csv", tmp_path / "orgs.edges.csv"
    nodes.write_text(ORG_NODES)
    edges.write_text(ORG_EDGES)
    assert run("load", str(feb), str(mar), str(nodes), str(edges), "--db", db).returncode == 0
    for as_of, expected in (("2023-02-15", FEBRUARY_CUT), ("2023-03-15", MARCH_CUT)):
        proc = run("impact", "asn:64496", "--json", "--as-of", as_of, "--db", db)
        assert proc.returncode == 0, proc.stderr
        assert cut_by_asn(json.loads(proc.stdout)) == expected[64496]
    org = json.loads(run("impact", "Alpha Transit Ltd", "--json", "--as-of", "2023-02-15",
                         "--db", db).stdout)
    assert [c["name"] for c in org["cut_off"]] == ["Epsilon Access", "Gamma Telecom Ltd"]
    org = json.loads(run("impact", "Alpha Transit Ltd", "--json", "--db", db).stdout)
    assert [c["name"] for c in org["cut_off"]] == ["Gamma Telecom Ltd"]  # March
    bad = run("impact", "asn:64496", "--layer", "power", "--db", db)
    assert bad.returncode == 1 and "unknown layer" in bad.stderr


# ---- the snapshot fields in the stores, the schema upgrade, sync, the API -----------------

def test_schema_4_gains_dataset_and_observed(tmp_path: Path):
    import sqlite3

    from graph.store.schema import MIGRATIONS
    from graph.store.sqlite import SQLiteStore

    path = tmp_path / "v4.db"
    db = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:2]:
        db.executescript(step)
    db.execute("PRAGMA user_version=2")
    db.close()
    with SQLiteStore(path) as store:  # 2 -> 3 -> 4 -> 5
        assert store.sources() == []
        load_files(store, write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY))
        (source,) = store.sources()
        assert (source.dataset, source.observed) == ("caida-asrel:v4", "2023-02-01")


@pytest.mark.neo4j
def test_sync_carries_snapshots(neo4j_store_factory, tmp_path: Path):
    from graph.store.sqlite import SQLiteStore
    from graph.store.sync import sync

    local = SQLiteStore(tmp_path / "a.db")
    load_files(local, write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY),
               write_bz2(tmp_path / "20230301.as-rel2.txt.bz2", MARCH))
    neo = neo4j_store_factory()
    sync(local, neo)
    back = SQLiteStore(tmp_path / "b.db")
    sync(neo, back)
    for store in (neo, back):
        assert [(s.dataset, s.observed) for s in store.sources()] == \
            [(s.dataset, s.observed) for s in local.sources()]
        report = analytics.impact(store, "asn:64496", as_of="2023-02-15", layer="routing")
        assert cut_by_asn(report) == FEBRUARY_CUT[64496]
    back.close()
    local.close()


def test_api_impact_and_sources(sqlite_store, tmp_path: Path):
    from fastapi.testclient import TestClient

    from api.app import create_app

    load_files(sqlite_store, write_bz2(tmp_path / "20230201.as-rel.txt.bz2", FEBRUARY),
               write_bz2(tmp_path / "20230301.as-rel2.txt.bz2", MARCH))
    client = TestClient(create_app(store=sqlite_store))
    for as_of, expected in (("2023-02-15", FEBRUARY_CUT), ("2023-03", MARCH_CUT)):
        got = client.get("/impact/asn:64497", params={"layer": "routing", "as_of": as_of})
        assert got.status_code == 200 and cut_by_asn(got.json()) == expected[64497]
    assert client.get("/impact/asn:64497", params={"layer": "power"}).status_code == 422
    assert client.get("/impact/asn:1").status_code == 404
    sources = client.get("/sources").json()
    assert sorted((s["dataset"], s["observed"]) for s in sources) == [
        ("caida-asrel:v4", "2023-02-01"), ("caida-asrel:v4", "2023-03-01")]
    feb = client.get("/entities/asn:64505", params={"as_of": "2023-02-15"}).json()
    assert feb["relations"] == {}  # 64505 arrives in March
    mar = client.get("/entities/asn:64505").json()
    assert [r["target"] for r in mar["relations"]["CUSTOMER_OF"]] == ["asn:64497"]
    sub = client.get("/dependencies/asn:64500", params={"layer": "routing",
                                                       "as_of": "2023-02-15"}).json()
    assert sorted(sub["levels"]) == ["asn:64496", "asn:64498", "asn:64500"]
