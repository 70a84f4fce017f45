"""Per-source store overhead: many small sources (a folder of text pages gives one source
per page) written one after another into one SQLite store, the way ``govgraph load``
writes them, with no extraction. Each source is an article that names ``--entities``
people and organisations drawn from a shared pool (so later sources meet nodes that
earlier ones made, by id and by name) and states ``--relations`` relations among them.
Prints wall and CPU seconds per source. Usage::

    python -m benchmarks.sources --sources 1000 --entities 20 --relations 30
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import time
from pathlib import Path

from api import ops
from graph.model import Batch, Entity, Relation
from graph.store.sqlite import SQLiteStore


def source_batch(number: int, entities: int, relations: int, pool: int,
                 rng: random.Random) -> Batch:
    """One article's batch: the article, ``entities - 1`` people and organisations it
    mentions, and ``relations`` MENTIONS and ROLE_AT relations."""
    article = Entity(type="Article", name=f"Registry dispatch number {number}",
                     locator="line 1")
    people = [Entity(type="Person", name=f"Person {k} Example", locator=f"line {2 + i}")
              for i, k in enumerate(rng.sample(range(pool), (entities - 1) // 2))]
    orgs = [Entity(type="Organization", name=f"Network Operator {k} Limited",
                   locator=f"line {40 + i}")
            for i, k in enumerate(rng.sample(range(pool), entities - 1 - len(people)))]
    batch = Batch(source_id=f"page-{number:05d}.txt", uri=f"page-{number:05d}.txt",
                  loader="profile", retrieved_at="2024-06-01T00:00:00Z",
                  entities=[article, *people, *orgs])
    named = people + orgs
    for i in range(relations):
        if i < len(named):
            batch.relations.append(Relation(article.id, named[i].id, "MENTIONS",
                                            locator=f"line {2 + i}"))
        else:
            person, org = rng.choice(people), rng.choice(orgs)
            batch.relations.append(Relation(person.id, org.id, "ROLE_AT",
                                            {"role": rng.choice(["chair", "ceo", "member"])},
                                            locator=f"line {80 + i}"))
    return batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--entities", type=int, default=20)
    parser.add_argument("--relations", type=int, default=30)
    parser.add_argument("--pool", type=int, default=2000, help="distinct people and orgs")
    parser.add_argument("--db", type=Path, default=Path("/tmp/govgraph-bench/sources.db"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    rng = random.Random(7)
    batches = [source_batch(i, args.entities, args.relations, args.pool, rng)
               for i in range(args.sources)]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    started, cpu = time.perf_counter(), time.process_time()
    with SQLiteStore(args.db) as store:
        for batch in batches:
            ops._write(store, ops.Source.of(batch), None, lambda part: None)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        stats = store.stats()
    out = {"sources": args.sources, "entities": args.entities, "relations": args.relations,
           "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
           "ms_per_source_cpu": round(1000 * cpu / args.sources, 2),
           "nodes": stats["nodes"], "edges": stats["edges"],
           "load_average": os.getloadavg(),
           "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    print(json.dumps(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
