"""A deterministic generator of realistic govgraph graphs at a chosen size.

``python -m benchmarks.generate --scale 100k --out DIR`` writes ``nodes.csv`` and
``edges.csv`` (or ``.jsonl``) in the format ``govgraph load`` reads (see
:mod:`loaders.tabular`), plus ``manifest.json`` with the counts, a hub and sample ids.

The graph has the five kinds of thing govgraph holds, in fixed proportions of the edge count
``E``: institutions (IANA, the five RIRs, a few TLD registries and ``E/500`` providers),
holders (``E/25``), number resources (``E/5`` prefixes and ASNs, each ``HELD_BY`` a holder and
``ADMINISTERED_BY`` an RIR), people (``0.03 E``, ``ROLE_AT`` organisations) and documents
(``0.025 E``, ``AUTHORED`` by people, ``MENTIONS`` of anything). The ASNs form a routing
layer (about ``0.11 E``): a tier-1 clique that ``PEERS_WITH`` itself, transit networks that
are ``CUSTOMER_OF`` tier-1s and earlier transit networks, and stub networks that are
``CUSTOMER_OF`` transit networks; half of all networks have two or more providers (as
observed in CAIDA's AS relationships), chosen preferentially so customer degrees follow a
power law; transit networks also peer among themselves. The rest of the edges (about
``0.31 E``) are ``DEPENDS_ON`` from holders and providers to registries (10 %), providers
(45 %) and other holders (45 %).

Heavy tails come from the Simon / Price urn: a target is drawn from the urn of earlier
targets (probability ``p``, i.e. proportionally to the in-degree so far) or uniformly from the
candidates, so in-degrees follow a power law with exponent about ``1 + 1/p``; the registries
and providers start in the urn, so a few of them end up with very many dependents, as in the
real Internet. The same ``seed`` and ``edges`` always give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from graph.ids import entity_id

VERSION = 2
SEED = 20240601
DEFAULT_ROOT = Path("/tmp/govgraph-bench")
NODE_COLUMNS = ("id", "type", "name", "aliases", "country")
EDGE_COLUMNS = ("source", "target", "type", "confidence", "weight", "role", "start")
REGISTRIES = [
    ("IANA", "Internet Assigned Numbers Authority"),
    ("AFRINIC", "African Network Information Centre"),
    ("APNIC", "Asia-Pacific Network Information Centre"),
    ("ARIN", "American Registry for Internet Numbers"),
    ("LACNIC", "Latin American and Caribbean Internet Addresses Registry"),
    ("RIPE NCC", "Réseaux IP Européens Network Coordination Centre"),
]
RIR_SHARE = {"r1": 0.05, "r2": 0.25, "r3": 0.3, "r4": 0.1, "r5": 0.3}
COUNTRIES = ["za", "ng", "ke", "eg", "mu", "us", "ca", "br", "mx", "ar", "de", "nl", "gb",
             "fr", "se", "jp", "cn", "in", "sg", "au"]
FIRST = ["Amina", "Lu", "Paul", "Maria", "Kwame", "Elena", "Raj", "Sofia", "Chen", "Tunde",
         "Ingrid", "Omar", "Yuki", "Carlos", "Fatima", "Henrik", "Nadia", "Sipho", "Ana", "Ivan"]
LAST = ["Okafor", "Heng", "Mensah", "Silva", "Nakamura", "Dubois", "Patel", "Kowalski",
        "Adeyemi", "Larsen", "Haddad", "Moreno", "Ng", "Botha", "Fischer", "Rossi", "Kim",
        "Mwangi", "Costa", "Novak"]
ROLES = ["CEO", "Founder", "Board member", "CTO", "Chair", "Policy lead", "Engineer"]
CONFIDENCES = [0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
# How many providers a network buys transit from, one entry per 20 networks: half have one,
# 35 % two, 10 % three, 5 % four (multi-homing as CAIDA's relationships show it).
PROVIDERS_PER_NETWORK = (1,) * 10 + (2,) * 7 + (3,) * 2 + (4,)
TIER1_MAX = 15  # the real Internet's transit-free clique has 15-20 networks
EDGE_TYPE_CODES = {t: i for i, t in enumerate((
    "HELD_BY", "ADMINISTERED_BY", "CUSTOMER_OF", "PEERS_WITH", "DEPENDS_ON", "ROLE_AT",
    "AUTHORED", "MENTIONS"))}
ROLE_CODES = {"": 0} | {r: i + 1 for i, r in enumerate(ROLES)}
KIND_CODES = {k: i for i, k in enumerate("rtphxud")}  # the first letter of a node key


def parse_scale(text: str) -> int:
    """An edge count written as ``1000``, ``10k``, ``1.5m`` or ``5M``."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", str(text))
    if not match:
        raise ValueError(f"bad scale {text!r}: use a number like 10k, 100k, 1m or 5m")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def scale_name(edges: int) -> str:
    """The short name of an edge count (``1000000`` -> ``1m``)."""
    for unit, factor in (("m", 1_000_000), ("k", 1_000)):
        if edges >= factor and edges % factor == 0:
            return f"{edges // factor}{unit}"
    return str(edges)


class Urn:
    """Simon / Price preferential attachment: draw from earlier draws with probability ``p``,
    else uniformly from ``pool``; every draw goes back into the urn."""

    def __init__(self, rng: random.Random, pool: list[str], p: float,
                 seeds: Iterable[str] = ()) -> None:
        self.rng, self.pool, self.p = rng, pool, p
        self.urn: list[str] = list(seeds)

    def draw(self) -> str:
        rng = self.rng
        if self.urn and rng.random() < self.p:
            pick = self.urn[int(rng.random() * len(self.urn))]
        else:
            pick = self.pool[int(rng.random() * len(self.pool))]
        self.urn.append(pick)
        return pick


def plan(edges: int) -> dict[str, int]:
    """How many nodes of each kind and edges of each type a graph of ``edges`` edges has."""
    counts = {
        "tld_registries": min(20, max(2, edges // 50_000)),
        "providers": max(5, edges // 500),
        "holders": max(5, edges // 25),
        "resources": max(2, round(0.2 * edges)),
        "people": max(3, round(0.03 * edges)),
        "documents": max(3, round(0.025 * edges)),
        "ROLE_AT": round(0.045 * edges),
        "AUTHORED": round(0.03 * edges),
        "MENTIONS": round(0.10 * edges),
    }
    counts["HELD_BY"] = counts["ADMINISTERED_BY"] = counts["resources"]
    counts.update(routing_plan(_asn_count(counts["resources"])))
    counts["DEPENDS_ON"] = edges - sum(counts[t] for t in (
        "HELD_BY", "ADMINISTERED_BY", "CUSTOMER_OF", "PEERS_WITH", "ROLE_AT", "AUTHORED",
        "MENTIONS"))
    if counts["DEPENDS_ON"] < 1:
        raise ValueError(f"scale {edges} is too small; use at least 100 edges")
    return counts


def _asn_count(resources: int) -> int:
    """Resource ``i`` is an ASN when ``i % 10 >= 7`` (30 %), else a prefix."""
    return 3 * (resources // 10) + max(0, resources % 10 - 7)


def routing_plan(asns: int) -> dict[str, int]:
    """The routing layer of ``asns`` networks: the first ``tier1`` form the transit-free
    clique, the next ``transit`` buy transit from the tier-1s and earlier transit networks,
    the rest (stubs) from any of those. Network ``j`` (counted from the first non-tier-1) has
    ``PROVIDERS_PER_NETWORK[j % 20]`` providers, at most as many as it can choose from."""
    tier1 = min(asns, TIER1_MAX, max(2, asns // 20))
    transit = min(max(0, asns - tier1), max(1, asns // 10))
    customer_of = 0
    for j in range(asns - tier1):
        choices = tier1 + min(j, transit)
        customer_of += min(PROVIDERS_PER_NETWORK[j % 20], choices)
    return {"tier1": tier1, "transit": transit, "CUSTOMER_OF": customer_of,
            "PEERS_WITH": tier1 * (tier1 - 1) // 2 + min(2 * transit,
                                                          transit * (transit - 1) // 4)}


def _prefix(i: int) -> str:
    return f"{10 + (i >> 16) % 200}.{(i >> 8) & 255}.{i & 255}.0/{24 - (i * 7) % 5}"


def _code(key: str) -> int:
    """A node key (``h123``) as a small int, so that the set of facts seen holds ints rather
    than tuples of strings (10M facts: about 0.8 GB instead of 3 GB)."""
    return int(key[1:]) << 3 | KIND_CODES[key[0]]


class Generator:
    """Builds the node and edge rows of one graph from a seeded random stream."""

    def __init__(self, edges: int, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.counts = plan(edges)
        self.nodes: list[tuple[str, str, str, str, str]] = []
        self.names: dict[str, tuple[str, str]] = {}
        self.seen: set[int] = set()
        self.indegree: Counter[str] = Counter()

    def node(self, key: str, type_: str, name: str, aliases: str = "",
             country: str = "") -> str:
        self.nodes.append((key, type_, name, aliases, country))
        self.names[key] = (type_, name)
        return key

    def build_nodes(self) -> dict[str, list[str]]:
        c, rng = self.counts, self.rng
        kinds: dict[str, list[str]] = {"registries": [], "rirs": []}
        for i, (name, long_name) in enumerate(REGISTRIES):
            kinds["registries"].append(self.node(f"r{i}", "Registry", name, long_name))
        kinds["rirs"] = kinds["registries"][1:]
        for i in range(c["tld_registries"]):
            kinds["registries"].append(self.node(f"t{i}", "Registry", f"TLD Registry {i}"))
        kinds["providers"] = [self.node(f"p{i}", "Company", f"Provider {i} Networks", "",
                                        rng.choice(COUNTRIES)) for i in range(c["providers"])]
        kinds["holders"] = [self.node(f"h{i}", rng.choice(("Organization", "Company")),
                                      f"Holder {i}", "", rng.choice(COUNTRIES))
                            for i in range(c["holders"])]
        kinds["resources"] = [
            self.node(f"x{i}", "Prefix", _prefix(i)) if i % 10 < 7 else
            self.node(f"x{i}", "ASN", str(100_000 + i)) for i in range(c["resources"])]
        kinds["people"] = [self.node(f"u{i}", "Person", f"{FIRST[i % 20]} {LAST[i // 20 % 20]}"
                                     f" {i}") for i in range(c["people"])]
        doc_types = ("Article", "Article", "Article", "Profile", "Essay")
        kinds["documents"] = [self.node(f"d{i}", doc_types[i % 5], f"Document {i} on registry "
                                        "governance") for i in range(c["documents"])]
        return kinds

    def edge(self, src: str, dst: str, type_: str, weight: Any = "", role: str = "",
             start: str = "") -> tuple | None:
        """An edge row, or None when it would repeat a fact or be a loop."""
        fact = ((_code(src) << 26 | _code(dst)) << 8 | EDGE_TYPE_CODES[type_] << 3
                | ROLE_CODES[role])
        if src == dst or fact in self.seen:
            return None
        self.seen.add(fact)
        if type_ == "DEPENDS_ON":
            self.indegree[dst] += 1
        return (src, dst, type_, self.rng.choice(CONFIDENCES), weight, role, start)

    def fill(self, type_: str, make: Callable[[], tuple | None]) -> Iterator[tuple]:
        """``counts[type_]`` distinct edges from ``make``."""
        done = 0
        while done < self.counts[type_]:
            row = make()
            if row is not None:
                done += 1
                yield row

    def build_edges(self, kinds: dict[str, list[str]]) -> Iterator[tuple]:
        rng = self.rng
        resources = iter(kinds["resources"])
        holder_urn = Urn(rng, kinds["holders"], 0.6)
        yield from self.fill("HELD_BY", lambda: self.edge(
            next(resources), holder_urn.draw(), "HELD_BY", 2 ** rng.randrange(8, 20),
            start=f"{rng.randrange(1995, 2024)}-{rng.randrange(1, 13):02d}-01"))
        rirs, shares = list(RIR_SHARE), list(RIR_SHARE.values())
        resources = iter(kinds["resources"])
        yield from self.fill("ADMINISTERED_BY", lambda: self.edge(
            next(resources), rng.choices(rirs, shares)[0], "ADMINISTERED_BY"))
        yield from self._routing([r for r in kinds["resources"] if int(r[1:]) % 10 >= 7])
        institutions = kinds["registries"] + kinds["providers"]
        yield from self.fill("DEPENDS_ON", self._dependency(kinds))
        yield from self._people_and_documents(kinds, institutions)

    def _routing(self, asns: list[str]) -> Iterator[tuple]:
        """The tier-1 clique, transit and stub networks' providers, and transit peering (see
        :func:`routing_plan`)."""
        rng, c = self.rng, self.counts
        tier1, transit = asns[:c["tier1"]], asns[c["tier1"]:c["tier1"] + c["transit"]]
        for i, a in enumerate(tier1):
            for b in tier1[i + 1:]:
                yield self.edge(a, b, "PEERS_WITH")
        providers = Urn(rng, list(tier1), 0.75, seeds=tier1)  # transit networks join its pool
        for j, network in enumerate(asns[len(tier1):]):
            wanted = min(PROVIDERS_PER_NETWORK[j % 20], len(providers.pool))
            chosen: list[str] = []
            while len(chosen) < wanted:
                row = self.edge(network, providers.draw(), "CUSTOMER_OF")
                if row is not None:
                    chosen.append(row[1])
                    yield row
            if j < len(transit):
                providers.pool.append(network)
        peerings = c["PEERS_WITH"] - len(tier1) * (len(tier1) - 1) // 2
        while peerings:
            a, b = sorted(rng.sample(range(len(transit)), 2))
            row = self.edge(transit[a], transit[b], "PEERS_WITH")
            if row is not None:
                peerings -= 1
                yield row

    def _dependency(self, kinds: dict[str, list[str]]) -> Callable[[], tuple | None]:
        """A holder or provider depends on a registry (10 %), an upstream provider (45 %,
        heavy-tailed) or another holder (45 %, heavy-tailed)."""
        rng = self.rng
        registries = kinds["registries"]
        shares = [RIR_SHARE.get(r, 0.02) for r in registries]
        providers = Urn(rng, kinds["providers"], 0.8)
        holders = Urn(rng, kinds["holders"], 0.6)
        sources = kinds["holders"] + kinds["providers"]

        def make() -> tuple | None:
            roll = rng.random()
            target = (rng.choices(registries, shares)[0] if roll < 0.1 else
                      providers.draw() if roll < 0.55 else holders.draw())
            return self.edge(sources[int(rng.random() * len(sources))], target, "DEPENDS_ON",
                             round(rng.random(), 3))

        return make

    def _people_and_documents(self, kinds: dict[str, list[str]],
                              institutions: list[str]) -> Iterator[tuple]:
        rng = self.rng
        people, docs = kinds["people"], kinds["documents"]
        org_urn = Urn(rng, institutions + kinds["holders"], 0.5, seeds=institutions)
        yield from self.fill("ROLE_AT", lambda: self.edge(
            people[int(rng.random() * len(people))], org_urn.draw(), "ROLE_AT",
            role=rng.choice(ROLES)))
        authored = itertools.count()
        yield from self.fill("AUTHORED", lambda: self.edge(
            people[int(rng.random() * len(people))], docs[next(authored) % len(docs)],
            "AUTHORED"))
        mention_urn = Urn(rng, institutions + kinds["holders"] + people, 0.7,
                          seeds=institutions)
        yield from self.fill("MENTIONS", lambda: self.edge(
            docs[int(rng.random() * len(docs))], mention_urn.draw(), "MENTIONS"))

    def graph_id(self, key: str) -> str:
        return entity_id(*self.names[key])


def _write_rows(path: Path, columns: tuple[str, ...], rows: Iterable[tuple],
                fmt: str) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(row)
                count += 1
            return count
        for row in rows:
            obj = {k: v for k, v in zip(columns, row, strict=True) if v != ""}
            if "aliases" in obj:
                obj["aliases"] = [obj["aliases"]]
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
            count += 1
    return count


def generate(edges: int, out: str | Path, seed: int = SEED, fmt: str = "csv",
             samples: int = 200) -> dict[str, Any]:
    """Write a graph of ``edges`` edges into folder ``out`` and return its manifest.

    The manifest holds the counts, the file names, ``hub`` (the graph id of the node with
    the most dependents) and ``sample_ids`` (graph ids of ``samples`` random nodes)."""
    if fmt not in {"csv", "jsonl"}:
        raise ValueError(f"unknown format {fmt!r}; use csv or jsonl")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gen = Generator(edges, seed)
    kinds = gen.build_nodes()
    nodes_file, edges_file = out / f"nodes.{fmt}", out / f"edges.{fmt}"
    n_nodes = _write_rows(nodes_file, NODE_COLUMNS, gen.nodes, fmt)
    by_type: Counter[str] = Counter()

    def counted(rows: Iterator[tuple]) -> Iterator[tuple]:
        for row in rows:
            by_type[row[2]] += 1
            yield row

    n_edges = _write_rows(edges_file, EDGE_COLUMNS, counted(gen.build_edges(kinds)), fmt)
    hub = gen.indegree.most_common(1)[0][0]
    pick = random.Random(seed + 1)
    manifest = {
        "version": VERSION, "seed": seed, "scale": scale_name(edges), "format": fmt,
        "nodes": n_nodes, "edges": n_edges, "edges_by_type": dict(sorted(by_type.items())),
        "nodes_by_kind": {k: len(v) for k, v in kinds.items() if k != "rirs"},
        "files": [nodes_file.name, edges_file.name],
        "hub": gen.graph_id(hub), "hub_dependents": gen.indegree[hub],
        "sample_ids": [gen.graph_id(gen.nodes[pick.randrange(n_nodes)][0])
                       for _ in range(samples)],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def cached(edges: int, root: str | Path = DEFAULT_ROOT, seed: int = SEED,
           fmt: str = "csv") -> tuple[Path, dict[str, Any]]:
    """The folder of a generated graph under ``root``, generating it on first use."""
    folder = Path(root) / f"{scale_name(edges)}-s{seed}-{fmt}"
    manifest_file = folder / "manifest.json"
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text())
        if manifest.get("version") == VERSION and manifest.get("edges") == edges:
            return folder, manifest
    return folder, generate(edges, folder, seed, fmt)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="10k", help="edges: 10k, 100k, 1m, 5m (default 10k)")
    parser.add_argument("--out", help="folder (default /tmp/govgraph-bench/<scale>-s<seed>)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    args = parser.parse_args(argv)
    edges = parse_scale(args.scale)
    out = args.out or DEFAULT_ROOT / f"{scale_name(edges)}-s{args.seed}-{args.format}"
    manifest = generate(edges, out, args.seed, args.format)
    print(f"{out}: {manifest['nodes']} nodes, {manifest['edges']} edges "
          f"{manifest['edges_by_type']}; hub {manifest['hub']} "
          f"({manifest['hub_dependents']} dependents)")


if __name__ == "__main__":
    main()
