"""API latency and /view layout time, against a real ``govgraph serve`` process on 127.0.0.1.

The load generator is bounded twice: at most ``max_requests`` requests and ``max_seconds``
seconds per endpoint, from ``concurrency`` threads that each keep one HTTP connection. The
server's resident set is sampled every 0.1 s while it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``govgraph serve`` on a free port of 127.0.0.1 with ``workers`` processes, its peak
    RSS (all its processes together) sampled."""

    def __init__(self, db: str, workers: int = 1) -> None:
        self.db, self.port, self.workers = db, free_port(), workers
        self.base = f"http://127.0.0.1:{self.port}"
        self.peak_rss_mb = 0.0
        self.cpu_s = 0.0  # all its processes' CPU seconds, as last sampled
        self._proc: subprocess.Popen | None = None
        self._stop = threading.Event()

    def __enter__(self) -> Server:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--db", self.db, "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers)], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            self._wait_for_health()
        except BaseException:
            self.__exit__()  # a server that never answered is not left running
            raise
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _wait_for_health(self, seconds: float = 60) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"server exited: {self._proc.stderr.read().decode()[-500:]}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer /health within {seconds:.0f} s")

    def _sample(self) -> None:
        proc = psutil.Process(self._proc.pid)
        while not self._stop.is_set():
            try:
                family = [proc, *proc.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in family)
                self.cpu_s = sum(sum(p.cpu_times()[:2]) for p in family)
            except psutil.Error:
                return
            self.peak_rss_mb = max(self.peak_rss_mb, rss / 1e6)
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def hammer(base: str, paths: list[str], concurrency: int = 4, max_requests: int = 500,
           max_seconds: float = 20.0) -> dict[str, Any]:
    """Request ``paths`` (cycled) from ``concurrency`` threads until ``max_requests`` are done
    or ``max_seconds`` pass: latency percentiles (ms), throughput (requests/s), errors."""
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + max_seconds

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.perf_counter() < deadline:
                with lock:
                    i = state["next"]
                    if i >= max_requests:
                        return
                    state["next"] = i + 1
                started = time.perf_counter()
                response = client.get(paths[i % len(paths)])
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed * 1000)
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {paths[i % len(paths)]}")

    with httpx.Client(base_url=base, timeout=60) as client:  # warm caches and code paths
        for path in paths[:3]:
            client.get(path)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": wall, "concurrency": concurrency,
            "throughput_rps": len(latencies) / wall if wall else 0.0,
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99),
            "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
            "errors": len(errors), "first_errors": errors[:3]}


def endpoint_paths(manifest: dict[str, Any], subgraph_limit: int = 100) -> dict[str, list[str]]:
    """The requests each endpoint is measured with."""
    hub = manifest["hub"]
    return {
        "entities": [f"/entities/{quote(i, safe=':/')}" for i in manifest["sample_ids"]],
        "subgraph": ["/subgraph?" + urlencode({"id": hub, "depth": 2,
                                               "limit": subgraph_limit})],
        "centrality": [f"/centrality?metric={m}&top=20" for m in
                       ("pagerank", "transitive_dependents", "betweenness", "dependents")],
    }


def api_latency(db: str, manifest: dict[str, Any], concurrency: int = 4,
                max_requests: int = 500, max_seconds: float = 20.0,
                subgraph_limit: int = 100, workers: int = 1) -> dict[str, Any]:
    """Each endpoint hammered in turn against one server (``workers`` processes); plus the
    server's peak RSS."""
    out: dict[str, Any] = {"subgraph_limit": subgraph_limit, "workers": workers}
    with Server(db, workers) as server:
        for name, paths in endpoint_paths(manifest, subgraph_limit).items():
            out[name] = hammer(server.base, paths, concurrency, max_requests, max_seconds)
        out["server_rss_mb"] = server.peak_rss_mb
        out["server_cpu_s"] = server.cpu_s
    out["loadavg"] = list(os.getloadavg())
    return out


def view_layout(db: str, manifest: dict[str, Any], nodes: int = 1000, runs: int = 3,
                depth: int = 3) -> dict[str, Any]:
    """Seconds from navigation to vis-network's ``stabilizationIterationsDone`` (the page
    sets ``window.govgraph.ready``) for a /view page of up to ``nodes`` nodes, in headless
    Chromium; the median of ``runs`` loads."""
    from playwright.sync_api import sync_playwright

    url = "/view?" + urlencode({"id": manifest["hub"], "depth": depth, "limit": nodes})
    times, drawn = [], 0
    with Server(db) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                page = browser.new_page()
                started = time.perf_counter()
                page.goto(server.base + url, wait_until="domcontentloaded", timeout=120_000)
                page.wait_for_function("window.govgraph && window.govgraph.ready",
                                       timeout=300_000, polling=50)
                times.append(time.perf_counter() - started)
                drawn = page.evaluate("window.govgraph.nodes.length")
                page.close()
        finally:
            browser.close()
    return {"nodes": drawn, "runs": runs, "seconds": statistics.median(times),
            "all_seconds": times}


@contextmanager
def neo4j_server(spec: str | None) -> Iterator[tuple[str | None, int | None]]:
    """The Neo4j URI to measure against and the server's process id (None unless started
    here, for its CPU time): ``spec`` itself when it is a URI, a throw-away test server when
    it is ``start``, else None (the Neo4j phases report n/a)."""
    if not spec or spec == "none":
        yield None, None
        return
    if spec != "start":
        yield spec, None
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from neo4j_server import Neo4jTestServer

    # One transaction per source needs heap (4 GB holds 100k relations); the page cache
    # holds the whole store, and the JIT, collector and heap (all of it from the start) are a
    # production server's.
    server = Neo4jTestServer(heap="4g", pagecache_mib=2048, throughput=True)
    try:
        uri = server.start()
        yield uri, server.pid
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.serving DB MANIFEST [--workers N] [--json FILE]``: the API
    latency phase alone, against an existing store (the 10M one takes half an hour to
    load, so it is measured where it lies)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serving")
    parser.add_argument("db")
    parser.add_argument("manifest", help="the generated graph's manifest.json")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--subgraph-limit", type=int, default=100)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    manifest = json.loads(Path(args.manifest).read_text())
    out = api_latency(args.db, manifest, args.concurrency, args.requests, args.seconds,
                      args.subgraph_limit, args.workers)
    text = json.dumps(out, indent=1)
    if args.json:
        Path(args.json).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
