"""Settings are read once, from the environment, and a value that does not parse is an
error naming the variable; ``govgraph serve`` listens where GOVGRAPH_HOST and GOVGRAPH_PORT
say; the docs list every setting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from graph.settings import SETTINGS, Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent
GOVGRAPH = [sys.executable, "-m", "api.cli"]


def test_defaults_and_overrides():
    assert Settings.from_env({}) == Settings()
    documented = {s.env: s.default for s in SETTINGS if s.default}
    assert Settings.from_env(documented) == Settings()  # the table's defaults are the real ones
    read = Settings.from_env({"GOVGRAPH_PORT": "8765", "GOVGRAPH_WORKERS": "3",
                              "GOVGRAPH_CORS_ORIGINS": "https://a.example, https://b.example",
                              "GOVGRAPH_BUSY_TIMEOUT_S": "0.5", "GOVGRAPH_API_TOKEN": ""})
    assert (read.port, read.workers, read.busy_timeout_s) == (8765, 3, 0.5)
    assert read.cors_origins == ("https://a.example", "https://b.example")
    assert read.api_token is None  # empty: writes stay disabled


def test_store_falls_back_to_the_older_name():
    assert Settings.from_env({"GOVGRAPH_DB": "old.db"}).store == "old.db"
    both = {"GOVGRAPH_DB": "old.db", "GOVGRAPH_STORE": "new.db"}
    assert Settings.from_env(both).store == "new.db"


@pytest.mark.parametrize(("env", "value", "says"), [
    ("GOVGRAPH_WORKERS", "four", "must be a whole number"),
    ("GOVGRAPH_WORKERS", "0", "must be 1 or more"),
    ("GOVGRAPH_PORT", "70000", "must be a port number, 1 to 65535"),
    ("GOVGRAPH_QUERY_TIMEOUT_S", "soon", "must be a number of seconds"),
    ("GOVGRAPH_DEBUG", "maybe", "must be 1 or 0"),
])
def test_a_bad_value_names_its_variable(env: str, value: str, says: str):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({env: value})
    assert str(caught.value) == f"{env}={value!r}: {says}"


def test_cli_refuses_a_bad_setting_on_one_line(tmp_path: Path):
    proc = subprocess.run([*GOVGRAPH, "stats", "--db", str(tmp_path / "x.db")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "GOVGRAPH_WORKERS": "lots"})
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: bad setting: GOVGRAPH_WORKERS='lots': must be a "
                                   "whole number")


def test_every_setting_is_documented():
    table = (ROOT / "docs" / "settings.md").read_text()
    readme = (ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.env}`" in table, setting.env
    assert "docs/settings.md" in readme


def test_only_the_settings_module_reads_the_environment():
    readers = [p.relative_to(ROOT).as_posix() for folder in ("api", "govgraph", "graph",
                                                              "loaders")
               for p in (ROOT / folder).rglob("*.py")
               if any(call in p.read_text() for call in ("environ.get(", "getenv(", "environ["))
               and p.name != "settings.py"]
    assert readers == ["api/cli.py"]  # which only passes the store on to worker processes
    assert "os.environ[\"GOVGRAPH_STORE\"] = " in (ROOT / "api" / "cli.py").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_listens_on_govgraph_port(demo_db: Path):
    port = free_port()
    env = {**os.environ, "GOVGRAPH_PORT": str(port), "GOVGRAPH_HOST": "127.0.0.1"}
    server = subprocess.Popen([*GOVGRAPH, "serve", "--db", str(demo_db)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                    assert r.status == 200 and b'"status":"ok"' in r.read()
                    break
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "the server never answered on the port"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.communicate(timeout=30)
