"""The routing layer at the size of one real CAIDA serial-2 file, generated and measured.

``python -m benchmarks.routing [--links 500000] [--root DIR] [--json FILE]`` writes
``YYYYMMDD.as-rel2.txt.bz2`` in CAIDA's published serial-2 format (never CAIDA's data) and
an as2org-equivalent holder file, then measures, each in this process:

- loading the AS relationships file into a new SQLite store (``api.ops.load``);
- loading the holders (one ``HELD_BY`` per AS, as the as2org loader gives);
- the routing layer's projection with the organisation level lifted from the AS links
  (``layers.layer_graph``), and its single points of failure (``measures.cut_off`` on
  igraph and networkx);
- ``analytics.impact`` of the biggest provider, all layers;
- a second snapshot of the same dataset (a month earlier, 5 % of the links different)
  loaded beside the first, and the routing projection again, now that every edge's claims
  are checked against the snapshots in force (the newest, and ``as_of`` the earlier one).

The topology (deterministic for a seed): a tier-1 clique of 15 ASes, fully peered; transit
ASes (15 %) and stubs (85 %) join in order and pick providers among those before them by
preferential attachment (probability proportional to customers so far plus one), so
customer degrees follow a power law; stubs have one provider in half the cases and two or
three otherwise (about half of stub networks are multi-homed, as observed), transit ASes
one to four. Peering links (``0``, inference source ``mlp`` for half of them) fill the file
up to the requested number of links, drawn with the same preference. AS numbers come from
the private-use range (RFC 6996, from 4200000000): the file is ours to write and keep.
"""

from __future__ import annotations

import argparse
import bz2
import json
import random
import resource
import time
from pathlib import Path
from typing import Any

FIRST_ASN = 4_200_000_000  # RFC 6996 private use, 32-bit
CLIQUE = 15
TRANSIT_SHARE = 0.15
SEED = 20230301
DATE = "20230301"
PREVIOUS = "20230201"
DEFAULT_ROOT = Path("/tmp/govgraph-bench/routing")


def _providers_wanted(rng: random.Random, transit: bool) -> int:
    if transit:
        return rng.choice((1, 2, 2, 3, 3, 4))
    draw = rng.random()
    return 1 if draw < 0.5 else 2 if draw < 0.8 else 3


def topology(links: int, seed: int = SEED) -> tuple[list[tuple[int, int, int, str]], int]:
    """``[(a, b, rel, source)]`` lines (rel -1: a provides transit to b; 0: peers) and the
    number of ASes, for about ``links`` links (see the module docstring)."""
    rng = random.Random(seed)
    n = max(CLIQUE + 10, int(links / 6.7))  # CAIDA 2023: ~75k ASes for ~500k links
    customers = [0] * n
    urn = list(range(CLIQUE))  # an AS appears once per customer, plus once itself
    out: list[tuple[int, int, int, str]] = []
    seen: set[tuple[int, int]] = set()
    for a in range(CLIQUE):
        for b in range(a + 1, CLIQUE):
            out.append((a, b, 0, "bgp"))
            seen.add((a, b))
    transit_until = CLIQUE + int(n * TRANSIT_SHARE)
    for v in range(CLIQUE, n):
        transit = v < transit_until
        wanted = _providers_wanted(rng, transit)
        chosen: set[int] = set()  # the urn holds only earlier clique and transit ASes
        for _ in range(wanted * 4):
            if len(chosen) >= wanted:
                break
            chosen.add(urn[rng.randrange(len(urn))])
        for p in sorted(chosen):
            out.append((p, v, -1, "bgp"))
            seen.add((min(p, v), max(p, v)))
            customers[p] += 1
            urn.append(p)
        if transit:
            urn.append(v)
    weights = [c + 1 for c in customers]
    peers_wanted = max(0, links - len(out))
    candidates = list(range(n))
    while peers_wanted > 0:
        batch = rng.choices(candidates, weights, k=2 * peers_wanted + 16)
        for a, b in zip(batch[::2], batch[1::2], strict=False):
            key = (min(a, b), max(a, b))
            if a == b or key in seen:
                continue
            seen.add(key)
            out.append((key[0], key[1], 0, "mlp" if rng.random() < 0.5 else "bgp"))
            peers_wanted -= 1
            if peers_wanted == 0:
                break
    return out, n


def earlier(lines: list[tuple[int, int, int, str]], seed: int = SEED,
            share: float = 0.05) -> list[tuple[int, int, int, str]]:
    """The month before: ``share`` of the links dropped and as many peerings among other
    pairs added, so the two snapshots differ as consecutive months do."""
    rng = random.Random(seed + 2)
    kept = [x for x in lines if rng.random() >= share]
    seen = {(a, b) for a, b, _, _ in lines}
    top = max(b for _, b, _, _ in lines)
    while len(kept) < len(lines):
        a, b = sorted(rng.sample(range(top + 1), 2))
        if (a, b) not in seen:
            seen.add((a, b))
            kept.append((a, b, 0, "mlp"))
    return kept


def write_links(path: Path, lines: list[tuple[int, int, int, str]], day: str = DATE) -> Path:
    """The serial-2 file, bz2-compressed, with CAIDA's comment header."""
    header = [f"# source:topology|BGP|{day}|ripe|rrc00",
              f"# source:topology|BGP|{day}|routeviews|route-views2",
              "# input clique: " + " ".join(str(FIRST_ASN + i) for i in range(CLIQUE)),
              "# IXP ASes: "]
    body = (f"{FIRST_ASN + a}|{FIRST_ASN + b}|{rel}|{source}" for a, b, rel, source in lines)
    path.write_bytes(bz2.compress(("\n".join([*header, *body]) + "\n").encode()))
    return path


def write_holders(folder: Path, n: int, seed: int = SEED) -> tuple[Path, Path]:
    """An as2org-equivalent: organisations (one per 1.2 ASes) and ``asn HELD_BY org``."""
    rng = random.Random(seed + 1)
    orgs = max(1, int(n / 1.2))
    nodes, edges = folder / "holders.nodes.csv", folder / "holders.edges.csv"
    nodes.write_text("id,type,name\n" + "".join(f"o{i},Organization,Routing Org {i}\n"
                                                for i in range(orgs)))
    owner = [i if i < orgs else rng.randrange(orgs) for i in range(n)]
    edges.write_text("source,target,type\n" + "".join(
        f"asn:{FIRST_ASN + v},o{owner[v]},HELD_BY\n" for v in range(n)))
    return nodes, edges


def _timed(what: str, results: dict[str, Any], work):
    started = time.perf_counter()
    value = work()
    results[what] = round(time.perf_counter() - started, 2)
    print(f"{what}: {results[what]} s", flush=True)
    return value


def measure(links: int, root: Path, seed: int = SEED) -> dict[str, Any]:
    """Generate, load and analyse (see the module docstring); the figures as a dict."""
    from api import ops
    from graph import analytics
    from graph.analytics import layers
    from graph.analytics import measures as ms
    from graph.store.base import EdgeFilter
    from graph.store.sqlite import SQLiteStore

    root.mkdir(parents=True, exist_ok=True)
    lines, n = topology(links, seed)
    path = write_links(root / f"{DATE}.as-rel2.txt.bz2", lines)
    nodes, edges = write_holders(root, n, seed)
    results: dict[str, Any] = {"links": len(lines), "ases": n,
                               "customer_links": sum(1 for x in lines if x[2] == -1),
                               "file_bytes": path.stat().st_size}
    db = root / "routing.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = SQLiteStore(db)
    _timed("load_asrel_s", results, lambda: ops.load(store, [str(path)]))
    _timed("load_holders_s", results, lambda: ops.load(store, [str(nodes), str(edges)]))
    graph = _timed("routing_projection_s", results,
                   lambda: layers.layer_graph(store, "routing"))
    results["routing_nodes"], results["routing_edges"] = graph.n, graph.m
    for engine in ("igraph", "networkx"):
        cut = _timed(f"routing_cut_off_{engine}_s", results, lambda e=engine: ms.cut_off(graph, e))
    results["single_points_of_failure"] = sum(1 for c in cut.values() if c > 0)
    customers = [0] * CLIQUE
    for a, _, rel, _ in lines:
        if rel == -1 and a < CLIQUE:
            customers[a] += 1
    hub = f"asn:{FIRST_ASN + customers.index(max(customers))}"
    report = _timed("impact_hub_all_layers_s", results, lambda: analytics.impact(store, hub))
    results["hub"], results["hub_cut_off"] = hub, report["cut_off_count"]
    before = write_links(root / f"{PREVIOUS}.as-rel2.txt.bz2", earlier(lines, seed), PREVIOUS)
    _timed("load_second_snapshot_s", results, lambda: ops.load(store, [str(before)]))
    _timed("routing_projection_two_snapshots_s", results,
           lambda: layers.layer_graph(store, "routing"))
    month = f"{PREVIOUS[:4]}-{PREVIOUS[4:6]}-15"
    graph = _timed("routing_projection_as_of_earlier_s", results,
                   lambda: layers.layer_graph(store, "routing", EdgeFilter(as_of=month)))
    results["routing_edges_as_of_earlier"] = graph.m
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results = measure(args.links, args.root, args.seed)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
