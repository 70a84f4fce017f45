"""How long absorbing one node into another takes (graph/store/absorb.py): N as2org
organisations, each holding two ASes whose opaque ids name two delegated holders loaded
before, so each organisation joins one holder and absorbs the other. Files go under
``/tmp/govgraph-bench/absorb``; nothing is committed.

``python -m benchmarks.absorb 5000`` prints one JSON line: absorptions, wall and CPU seconds
of the as2org load into SQLite, and the load average.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from api import ops
from graph.store.sqlite import SQLiteStore

ROOT = Path("/tmp/govgraph-bench/absorb")


def write_files(root: Path, n: int) -> tuple[Path, Path]:
    """A delegated file of 2n holders (one AS each) and an as2org file of n organisations."""
    records = [f"afrinic|ZA|asn|{100000 + 2 * i + j}|1|20100101|allocated|H{i}X{j}"
               for i in range(n) for j in (0, 1)]
    head = (f"2|afrinic|20230301|{len(records)}|00000000|20230301|00000\n"
            f"afrinic|*|asn|*|{len(records)}|summary\n")
    delegated = root / "delegated-afrinic-extended-20230301"
    delegated.write_text(head + "\n".join(records) + "\n")
    orgs = [f"ORG-{i}|20220101|Org {i} Networks|ZA|AFRINIC" for i in range(n)]
    auts = [f"{100000 + 2 * i + j}|20220101|AS-{i}-{j}|ORG-{i}|H{i}X{j}_AFRINIC|AFRINIC"
            for i in range(n) for j in (0, 1)]
    as2org = root / "20230301.as-org2info.txt"
    as2org.write_text("# format:org_id|changed|org_name|country|source\n" + "\n".join(orgs)
                      + "\n# format:aut|changed|aut_name|org_id|opaque_id|source\n"
                      + "\n".join(auts) + "\n")
    return delegated, as2org


def measure(n: int) -> dict[str, object]:
    ROOT.mkdir(parents=True, exist_ok=True)
    delegated, as2org = write_files(ROOT, n)
    db = ROOT / "absorb.db"
    db.unlink(missing_ok=True)
    with SQLiteStore(db) as store:
        assert not ops.load(store, [str(delegated)]).errors
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        report = ops.load(store, [str(as2org)])
        after, seconds = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - started
        assert not report.errors, report.errors
        absorbed = sum(1 for m in store.merge_log() if "absorbed" in m["reason"])
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"orgs": n, "absorbed": absorbed, "wall_s": round(seconds, 2),
            "cpu_s": round(cpu, 2), "load_average": [round(x, 2) for x in os.getloadavg()]}


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)))
