"""Where a Neo4j load's server time goes: the benchmark graph's records written in govgraph's
layout, one part of the layout added at a time, by a client that does nothing but send rows
it built beforehand (no reading, resolving, deriving or reads back).

    python -m benchmarks.neo4j_layout [--scale 100k] [--neo4j URI|start] [--repeat 3]

Each step is written ``--repeat`` times into an emptied database (two transactions, nodes then
relations, in batches of 5,000, as a load writes them), the steps taken in turn, after three
writes of the whole layout that warm the server up; each is reported as the median wall
time and server CPU of its runs. The steps, each adding to the one before:

- ``bare``: entities (id, type, name) under a uniqueness constraint on the id; relationships
  of the row's type with their edge key (indexed per type, as the store finds an edge) and
  confidence;
- ``entity``: the entity's other properties (aliases, keys, properties JSON, dates, number),
  its type label and its search text under a text index;
- ``aliases``: one ``Alias`` node (indexed norm) per name and key, ``NAMED`` from the entity;
- ``node claims``: one ``NodeClaim`` node per entity (id and source number indexed) with the
  claimed values and locator;
- ``edge claims``: the relationship's properties JSON, weight, start and its claim lists
  (source numbers and locators), i.e. govgraph's whole layout;
- ``lean`` (not govgraph's layout: a bound for a leaner one): the same, but an entity holds
  its folded name, first key and sole claim's source and locator itself (three more range
  indexes), so only its further aliases are ``Alias`` nodes and it has no ``NodeClaim``.

The labels are the store's own (``Entity``, ``Alias``, ``NodeClaim``) under its own indexes
(the store makes them when opened); the rows are shaped from the generated CSV files here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import neo4j

from benchmarks.generate import DEFAULT_ROOT, SEED, cached, parse_scale
from benchmarks.phases import _clear_neo4j, batched_writes, cpu_seconds, edge_files, rows
from benchmarks.serving import neo4j_server
from graph.ids import fold
from graph.store.neo4j_tx import rel_label

STEPS = ("bare", "entity", "aliases", "node claims", "edge claims", "lean")
LEAN = STEPS.index("lean")
# the lean layout's lookups: name, first key and sole claim's source held on the entity
LEAN_INDEXES = {f"layout_lean_{prop}": f"CREATE INDEX layout_lean_{prop} IF NOT EXISTS "
                f"FOR (e:Entity) ON (e.{prop})" for prop in ("name_norm", "key_norm",
                                                             "claim_sid")}
WARM_UP = 3  # full-layout writes before the measured ones


def _entity(row: dict[str, str], line: int) -> list[Any]:
    aliases = [a for a in row.get("aliases", "").split("|") if a]
    norms = [{"norm": fold(row["name"]), "kind": "name"}, {"norm": row["id"], "kind": "key"},
             *({"norm": fold(a), "kind": "name"} for a in aliases)]
    props = json.dumps({k: v for k, v in row.items() if k not in {"id", "type", "name",
                                                                   "aliases"}})
    return [row["id"], row["type"], row["name"], aliases, [row["id"]], props,
            fold(" | ".join([row["name"], *aliases])), line, norms, f"line {line}"]


def _relation(row: dict[str, str], line: int) -> list[Any]:
    props = {k: v for k, v in row.items() if k not in {"source", "target", "type",
                                                        "confidence"}}
    return [row["source"], row["target"], f"{row['source']}|{row['type']}|{row['target']}",
            float(row.get("confidence", 0.9)), json.dumps(props),
            float(props.get("weight", 1)), props.get("start"), [2], [f"line {line}"]]


def records(folder: Path) -> tuple[dict[str, list[list[Any]]], dict[str, list[list[Any]]]]:
    """The generated graph's entity rows by type and relation rows by relation type."""
    entities: dict[str, list[list[Any]]] = {}
    for line, row in enumerate(rows(folder / "nodes.csv"), 2):
        entities.setdefault(row["type"], []).append(_entity(row, line))
    relations: dict[str, list[list[Any]]] = {}
    for path in edge_files(folder):
        for line, row in enumerate(rows(path), 2):
            relations.setdefault(row["type"], []).append(_relation(row, line))
    return entities, relations


def node_statements(step: int) -> list[str]:
    """The statements writing the nodes at this step (rows of :func:`_entity`)."""
    fields = "id: row[0], type: row[1], name: row[2]"
    if step >= STEPS.index("entity"):
        fields += (", aliases: row[3], keys: row[4], props: row[5], search: row[6], "
                   "nid: row[7]")
    if step == LEAN:
        fields += (", name_norm: row[8][0].norm, key_norm: row[8][1].norm, claim_sid: 1, "
                   "claim_locator: row[9]")
    create = f"UNWIND $rows AS row CREATE (e:Entity:{{label}} {{{fields}}})"
    if step >= STEPS.index("aliases"):
        create += (f" WITH e, row UNWIND row[8]{'[2..]' if step == LEAN else ''} AS al "
                   "CREATE (e)-[:NAMED]->(:Alias {norm: al.norm, kind: al.kind})")
    out = [create]
    if STEPS.index("node claims") <= step < LEAN:
        out.append("UNWIND $rows AS row CREATE (:NodeClaim {id: row[0], sid: 1, type: row[1], "
                   "name: row[2], aliases: '[]', keys: '[]', props: row[5], locator: row[9]})")
    return out


def edge_statement(step: int, rtype: str) -> str:
    """The statement writing relationships of one type at this step (rows of
    :func:`_relation`)."""
    props = "key: row[2], confidence: row[3]"
    if step >= STEPS.index("edge claims"):
        props += (", props: row[4], weight: row[5], start: row[6], claim_sids: row[7], "
                  "claim_locators: row[8]")
    return (f"UNWIND $rows AS row MATCH (a:Entity {{id: row[0]}}) MATCH (b:Entity "
            f"{{id: row[1]}}) CREATE (a)-[:{rel_label(rtype)} {{{props}}}]->(b)")


def write(driver: neo4j.Driver, step: int, entities: dict[str, list[list[Any]]],
          relations: dict[str, list[list[Any]]]) -> None:
    """One load at this step: the nodes' transaction, then the relations'."""
    def nodes(tx: Any) -> None:
        create, *claims = node_statements(step)
        for type_label, typed in sorted(entities.items()):
            batched_writes(create.replace("{label}", type_label), typed)(tx)
        for query in claims:
            batched_writes(query, [row for typed in entities.values() for row in typed])(tx)

    def edges(tx: Any) -> None:
        for rtype, typed in sorted(relations.items()):
            batched_writes(edge_statement(step, rtype), typed)(tx)

    with driver.session() as session:
        session.execute_write(nodes)
        session.execute_write(edges)


def measure(uri: str, pid: int | None, edges: int, repeat: int) -> list[dict[str, Any]]:
    """Median warm wall time and server CPU of each step."""
    from graph.store import open_store

    folder, _ = cached(edges, DEFAULT_ROOT, SEED)
    entities, relations = records(folder)
    out = []
    _clear_neo4j(uri)
    open_store(uri).close()  # the store's indexes
    with neo4j.GraphDatabase.driver(uri, auth=None) as driver:
        for statement in LEAN_INDEXES.values():
            driver.execute_query(statement)
        driver.execute_query("CALL db.awaitIndexes()")
        for _ in range(WARM_UP):  # a fresh server's JIT is still compiling
            _clear_neo4j(uri)
            write(driver, STEPS.index("edge claims"), entities, relations)
        runs: dict[str, list[tuple[float, float | None]]] = {name: [] for name in STEPS}
        for _ in range(repeat):  # the steps in turn, so that drift touches them all alike
            for step, name in enumerate(STEPS):
                _clear_neo4j(uri)
                server, started = cpu_seconds(pid) if pid else None, time.perf_counter()
                write(driver, step, entities, relations)
                runs[name].append((time.perf_counter() - started, None if server is None
                                   else (cpu_seconds(pid) or 0.0) - server))
        for name, timed in runs.items():
            out.append({"step": name, "seconds": statistics.median(r[0] for r in timed),
                        "server_cpu_s": None if pid is None else
                        statistics.median(r[1] or 0.0 for r in timed),
                        "runs": [round(r[0], 2) for r in timed]})
            print(f"{name:12} {out[-1]['seconds']:6.2f} s  runs {out[-1]['runs']}"
                  + ("" if pid is None else f"  server CPU {out[-1]['server_cpu_s']:.1f} s"),
                  flush=True)
        _clear_neo4j(uri)
        for name in LEAN_INDEXES:
            driver.execute_query(f"DROP INDEX {name} IF EXISTS")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.neo4j_layout",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="100k")
    parser.add_argument("--neo4j", default="start", help="a Neo4j URI, or 'start' (default)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    with neo4j_server(args.neo4j) as (uri, pid):
        if uri is None:
            sys.exit("no Neo4j server")
        out = measure(uri, pid, parse_scale(args.scale), args.repeat)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
