"""The govgraph command, run as a user runs it (a subprocess of the installed script)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx

GOVGRAPH = [sys.executable, "-m", "api.cli"]


def run(*args: str, check: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([*GOVGRAPH, *args], capture_output=True, text=True, timeout=300,
                          env=None if env is None else {**os.environ, **env})
    if check and proc.returncode != 0:
        raise AssertionError(f"govgraph {' '.join(args)} failed: {proc.stderr}")
    return proc


def test_demo_stats_and_export_shape(tmp_path: Path):
    db = str(tmp_path / "demo.db")
    run("demo", "--no-serve", "--db", db)
    stats = json.loads(run("stats", "--db", db, "--json").stdout)
    assert stats["nodes"] > 5 and stats["edges"] > 5 and stats["claims"] >= stats["edges"]
    graph = json.loads(run("export", "--format", "json", "--db", db).stdout)
    assert len(graph["nodes"]) == stats["nodes"] and len(graph["edges"]) == stats["edges"]
    node = graph["nodes"][0]
    assert {"id", "type", "name", "aliases"} <= node.keys()
    assert isinstance(node["aliases"], list)
    for edge in graph["edges"]:
        assert {"source", "target", "type", "confidence", "grade", "sources"} <= edge.keys()
        assert edge["sources"] and {"source_id", "uri", "loader", "locator"} <= \
            edge["sources"][0].keys()
    ids = {n["id"] for n in graph["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])


def test_graphml_gexf_and_csv_exports_open_again(tmp_path: Path):
    db = str(tmp_path / "demo.db")
    run("demo", "--no-serve", "--db", db)
    stats = json.loads(run("stats", "--db", db, "--json").stdout)
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        target = tmp_path / f"g.{fmt}"
        run("export", "--format", fmt, "--db", db, "-o", str(target))
        graph = reader(str(target))
        assert graph.number_of_nodes() == stats["nodes"]
        assert graph.number_of_edges() == stats["edges"]
    run("export", "--format", "csv", "--db", db, "-o", str(tmp_path / "g.csv"))
    edges = (tmp_path / "g.edges.csv").read_text().splitlines()
    assert edges[0].startswith("source,target,type") and len(edges) == stats["edges"] + 1


def test_load_reload_unload_and_errors(tmp_path: Path):
    db = str(tmp_path / "x.db")  # in the loaded folder: a binary file no loader claims
    nodes = tmp_path / "n.csv"
    nodes.write_text("id,type,name\na,Registry,IANA\nb,Registry,APNIC\n")
    edges = tmp_path / "e.csv"
    edges.write_text("source,target,type\nb,a,DEPENDS_ON\n")
    first = run("load", str(tmp_path), "--db", db)
    assert "2 sources loaded" in first.stdout
    again = run("load", str(tmp_path), "--db", db)
    assert "relations +0 ~0" in again.stdout
    run("unload", str(edges), "--db", db)
    assert json.loads(run("stats", "--db", db, "--json").stdout)["edges"] == 0
    bad = tmp_path / "bad" / "b.csv"
    bad.parent.mkdir()
    bad.write_text("id,type,name\na,Registry\n")
    proc = run("load", str(bad), "--db", db, check=False)
    assert proc.returncode == 1
    assert f"{bad}:2: expected 3 fields, found 2" in proc.stderr
    assert "Traceback" not in proc.stderr
    missing = run("unload", "nope", "--db", db, check=False)
    assert missing.returncode == 1 and "no source 'nope'" in missing.stderr


def test_help_explains_each_command():
    text = run("--help").stdout
    for command in ("load", "unload", "stats", "export", "demo", "serve"):
        assert command in text


def test_serve_with_several_worker_processes(tmp_path: Path, write_file):
    """``govgraph serve --workers 2``: two server processes answer from the same store."""
    import socket
    import time

    import httpx
    import psutil

    db = str(tmp_path / "w.db")
    nodes = write_file("n.csv", "id,type,name\na,Organization,Alpha\nb,Registry,Beta\n")
    edges = write_file("e.csv", "source,target,type\na,b,DEPENDS_ON\n")
    run("load", str(nodes), str(edges), "--db", db)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([*GOVGRAPH, "serve", "--db", db, "--host", "127.0.0.1", "--port",
                             str(port), "--workers", "2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "no answer within 60 s"
                time.sleep(0.2)
        sub = httpx.get(f"{base}/subgraph", params={"id": "Alpha", "depth": 1}).json()
        assert sorted(n["name"] for n in sub["nodes"]) == ["Alpha", "Beta"]
        assert [(e["type"], e["sources"][0]["loader"]) for e in sub["edges"]] == [
            ("DEPENDS_ON", "csv")]
        workers = [p for p in psutil.Process(proc.pid).children(recursive=True)
                   if "python" in p.name().lower()]
        assert len(workers) >= 2, [p.cmdline() for p in workers]
    finally:
        proc.terminate()
        proc.wait(30)


def test_load_shows_progress_on_a_terminal_unless_quiet(tmp_path: Path):
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("id,type,name\n" + "".join(f"n{i},Company,Company {i}\n"
                                                 for i in range(300)))
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target,type\n" + "".join(f"n{i},n{i + 1},DEPENDS_ON\n"
                                                      for i in range(299)))
    terminal = {"TTY_COMPATIBLE": "1", "COLUMNS": "200"}  # rich draws as on a terminal
    shown = run("load", str(nodes), str(edges), "--db", str(tmp_path / "a.db"), env=terminal)
    assert "2 sources loaded" in shown.stdout
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.stderr)
    assert "599 of 599 records" in plain  # 300 nodes and 299 edges, all written
    assert re.search(r"[\d,]+/s [\d,]+ MB peak", plain), plain
    quiet = run("load", "--quiet", str(nodes), str(edges), "--db", str(tmp_path / "b.db"),
                env=terminal)
    assert "2 sources loaded" in quiet.stdout and "records" not in quiet.stderr
