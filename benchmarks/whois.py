"""A synthetic RIPE-sized RPSL whois dump, and how fast and in how much memory govgraph reads
and loads it. Nothing generated here is committed: files go under ``/tmp/govgraph-bench``.

``python -m benchmarks.whois generate --objects 4000000`` writes ``ripe-like.db.gz``: the
published RPSL format (``%`` header, blank-line separated objects, continuation lines,
repeated attributes, dummy values) in the proportions of the RIPE Database's public dump
(about 80 % ``inetnum``, 11 % ``inet6num``, 2.5 % ``organisation``, 1 % ``aut-num``, the
rest ``person``/``role``/``mntner`` objects that the loader must skip); ranges with an
``org:`` are 15 % of ``inetnum`` and 20 % of ``inet6num`` objects (the rest name nobody).

``python -m benchmarks.whois measure FILE --phase parse|batch|load`` runs one phase in
this process and prints one JSON line: seconds, objects or entities per second and peak
RSS (``ru_maxrss``). ``parse`` streams the objects (loaders.rpsl.objects), ``batch`` builds
the loader's batch, ``load`` is ``api.ops.load`` into a new SQLite store.
"""

from __future__ import annotations

import argparse
import gzip
import ipaddress
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path("/tmp/govgraph-bench")
SHARES = (("inetnum", 0.80), ("inet6num", 0.11), ("organisation", 0.025), ("aut-num", 0.01),
          ("person", 0.03), ("role", 0.015), ("mntner", 0.01))
HEADER = ("% This is a synthetic dump in the format of the RIPE Database public dump.\n"
          "% Generated for govgraph benchmarks; not data.\n\n")


def generate(path: Path, objects: int, seed: int = 20240601) -> dict[str, int]:
    """Write ``objects`` objects to ``path`` (gzip); the count per class."""
    rng = random.Random(seed)
    counts = {kind: int(objects * share) for kind, share in SHARES}
    counts["inetnum"] += objects - sum(counts.values())
    orgs = max(counts["organisation"], 1)
    kinds = [kind for kind, n in counts.items() for _ in range(n)]
    rng.shuffle(kinds)
    serial = dict.fromkeys(counts, 0)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(HEADER)
        for kind in kinds:
            n = serial[kind]
            serial[kind] += 1
            out.write(_OBJECT[kind](n, rng, orgs))
            out.write("\n")
    return counts


def _org(n: int, rng: random.Random, orgs: int) -> str:
    return (f"organisation:   ORG-S{n}-RIPE\norg-name:       Synthetic Networks {n} B.V.\n"
            f"org-type:       {rng.choice(['LIR', 'OTHER', 'END-USER'])}\n"
            f"address:        Dummy address for ORG-S{n}-RIPE\ncountry:        "
            f"{rng.choice(['NL', 'DE', 'FR', 'GB', 'RU', 'IT'])}\ne-mail:         ***@x.example\n"
            "admin-c:        DUMY-RIPE\ntech-c:         DUMY-RIPE\nmnt-ref:        S-MNT\n"
            "mnt-by:         S-MNT\ncreated:        2010-01-01T00:00:00Z\n"
            "source:         RIPE # Filtered\n")


def _org_line(rng: random.Random, orgs: int, share: float) -> str:
    return f"org:            ORG-S{rng.randrange(orgs)}-RIPE\n" if rng.random() < share else ""


def _inetnum(n: int, rng: random.Random, orgs: int) -> str:
    first = ipaddress.IPv4Address(0x50000000 + n * 256)
    return (f"inetnum:        {first} - {first + 255}\nnetname:        NET-{n}\n"
            f"descr:          Synthetic assignment {n}\n+               second line\n"
            f"country:        NL\n{_org_line(rng, orgs, 0.15)}admin-c:        DUMY-RIPE\n"
            "tech-c:         DUMY-RIPE\nstatus:         ASSIGNED PA\nmnt-by:         S-MNT\n"
            "source:         RIPE # Filtered\n")


def _inet6num(n: int, rng: random.Random, orgs: int) -> str:
    net = ipaddress.IPv6Network((0x2a000000 << 96 | n << 80, 48))
    return (f"inet6num:       {net}\nnetname:        NET6-{n}\ncountry:        DE\n"
            f"{_org_line(rng, orgs, 0.20)}admin-c:        DUMY-RIPE\n"
            "status:         ASSIGNED\nmnt-by:         S-MNT\nsource:         RIPE # Filtered\n")


def _aut_num(n: int, rng: random.Random, orgs: int) -> str:
    return (f"aut-num:        AS{200000 + n}\nas-name:        SYNTH-{n}\n"
            f"org:            ORG-S{rng.randrange(orgs)}-RIPE\n"
            "import:         from AS1 accept ANY\n"
            "export:         to AS1 announce AS-SYNTH\nadmin-c:        DUMY-RIPE\n"
            "mnt-by:         S-MNT\nsource:         RIPE # Filtered\n")


def _person(kind: str):
    def make(n: int, rng: random.Random, orgs: int) -> str:
        return (f"{kind}:{' ' * (16 - len(kind) - 1)}Synthetic Person {n}\n"
                f"address:        Dummy address for P{n}-RIPE\nphone:          +31 20 000 0000\n"
                f"nic-hdl:        P{n}-RIPE\nmnt-by:         S-MNT\nsource:         RIPE\n")
    return make


_OBJECT = {"organisation": _org, "inetnum": _inetnum, "inet6num": _inet6num,
           "aut-num": _aut_num, "person": _person("person"), "role": _person("role"),
           "mntner": lambda n, rng, orgs: f"mntner:         S{n}-MNT\nauth:           ***\n"
                                          "source:         RIPE\n"}


def measure(path: Path, phase: str, db: Path | None = None) -> dict[str, object]:
    """One phase in this process: its seconds (wall and CPU), peak RSS and the load average
    around it (``db``: the store of the ``load`` phase, under ROOT by default)."""
    from loaders import rpsl
    started = time.perf_counter()
    result: dict[str, object] = {"phase": phase, "file": str(path),
                                 "compressed_bytes": path.stat().st_size}
    if phase == "parse":
        result["objects_kept"] = sum(1 for _ in rpsl.objects(path, frozenset(rpsl.READ)))
    elif phase == "batch":
        batch = rpsl.load(path)
        result.update(entities=len(batch.entities), relations=len(batch.relations))
    else:
        from api import ops
        from graph.store.sqlite import SQLiteStore
        db = db or ROOT / "whois-bench.db"
        db.unlink(missing_ok=True)
        with SQLiteStore(db) as store:
            report = ops.load(store, [str(path)])
            result.update(errors=report.errors, nodes=store.stats()["nodes"],
                          edges=store.stats()["edges"])
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.update(seconds=round(seconds, 1), cpu_seconds=round(usage.ru_utime + usage.ru_stime, 1),
                  peak_rss_mib=round(usage.ru_maxrss / 1024),
                  load_average=[round(x, 2) for x in os.getloadavg()])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--objects", type=int, default=4_000_000)
    gen.add_argument("--out", type=Path, default=None)
    run = sub.add_parser("measure")
    run.add_argument("file", type=Path)
    run.add_argument("--phase", choices=("parse", "batch", "load"), default="parse")
    run.add_argument("--db", type=Path, default=None, help="the load phase's SQLite file")
    args = parser.parse_args(argv)
    if args.command == "generate":
        out = args.out or ROOT / f"ripe-like-{args.objects}.db.gz"
        out.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        counts = generate(out, args.objects)
        print(json.dumps({"file": str(out), "objects": counts, "bytes": out.stat().st_size,
                          "seconds": round(time.perf_counter() - started, 1)}))
    else:
        print(json.dumps(measure(args.file, args.phase, args.db)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
