"""A real browser on a real server: headless Chromium (Debian's package, driven by the
playwright library, never its own browser download) opens the index page and a view page
served by ``govgraph serve`` on 127.0.0.1 over the demo graph. It checks the drawn network
against the API, sees no console errors, makes no request off the machine, and keeps
screenshots in test-artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CHROMIUM = os.environ.get("GOVGRAPH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "browser-test-token"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_JSONL = "\n".join(json.dumps(row) for row in [
    {"id": "h", "type": "Person", "name": HOSTILE},
    {"id": "t", "type": "Organization", "name": "</script><script>alert(2)</script>"},
    {"source": "h", "target": "t", "type": "ROLE_AT", "role": "<b>boss</b>",
     "confidence": 0.5}]) + "\n"


def unavailable(reason: str, in_ci: bool) -> None:
    """Fail in CI (the set-up installs Chromium there), skip elsewhere."""
    if in_ci:
        pytest.fail(f"browser test cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(in_ci: bool) -> Iterator[object]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        unavailable(f"no Chromium at {CHROMIUM} (bash tools/install-test-deps.sh installs it)",
                    in_ci)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')", in_ci)
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=ARGS)
        yield chromium
        chromium.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (127.0.0.1 only)
        return json.load(response)


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``govgraph serve`` on a copy of the demo store, on a free port of 127.0.0.1."""
    db = tmp_path_factory.mktemp("served") / "demo.db"
    shutil.copy(demo_db, db)
    port = free_port()
    env = {**os.environ, "GOVGRAPH_API_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--db", str(db),
                             "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                pytest.fail(f"govgraph serve exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                get_json(f"{base}/health")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("govgraph serve did not answer /health within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def post_file(url: str, name: str, content: bytes) -> int:
    """POST one file as multipart field ``file`` with the write token; the status."""
    boundary = "govgraph-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": f"Bearer {TOKEN}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.status


class Watched:
    """A page whose console errors, page errors, dialogs and requests are recorded."""

    def __init__(self, browser: object) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 860})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def off_machine(self) -> list[str]:
        return [u for u in self.requests
                if urlparse(u).scheme not in {"data", "blob", "about"}
                and urlparse(u).hostname != "127.0.0.1"]

    def wait_for_graph(self) -> None:
        self.page.wait_for_function("window.govgraph && window.govgraph.ready", timeout=120_000)

    def click_node(self, node_id: str) -> None:
        box = self.page.locator("#graph canvas").bounding_box()
        pos = self.page.evaluate(
            "id => window.govgraph.network.canvasToDOM(window.govgraph.network.getPosition(id))",
            node_id)
        self.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


def test_index_page_searches_with_suggestions(browser, server):
    w = Watched(browser)
    w.page.goto(f"{server}/")
    assert w.page.locator("h1").inner_text().startswith("Who runs")
    assert w.page.locator("#top table tr").count() > 1  # ranked by the demo's scores
    w.page.locator("#suggestions-main").evaluate("el => el.replaceChildren()")
    w.page.locator("main input[name=q]").type("Lu He", delay=30)
    w.page.wait_for_function(
        "document.querySelector('#suggestions-main').options.length > 0", timeout=30_000)
    assert w.page.locator("#suggestions-main option").first.get_attribute("value") == \
        "person:lu-heng"
    w.page.locator("main input[name=q]").press("Enter")
    w.page.wait_for_selector("#results")
    assert "Lu Heng" in w.page.locator("#results").inner_text()
    w.shot("index.png")
    assert w.errors == [] and w.off_machine() == []


def test_view_draws_the_subgraph_offline(browser, server):
    w = Watched(browser)
    w.page.goto(f"{server}/view?id=person:lu-heng&depth=2")
    w.wait_for_graph()
    api = get_json(f"{server}/subgraph?id=person:lu-heng&depth=2")
    drawn = w.page.evaluate("window.govgraph.nodes.getIds()")
    assert len(drawn) == len(api["nodes"]) and set(drawn) == {n["id"] for n in api["nodes"]}
    assert w.page.evaluate("window.govgraph.edges.length") == len(api["edges"])
    assert w.page.locator("#legend li").count() >= 2
    w.click_node("person:lu-heng")
    w.page.wait_for_selector("#details:not([hidden])")
    assert w.page.locator("#d-name").inner_text() == "Lu Heng"
    assert w.page.locator("#d-actions a").first.get_attribute("href") == \
        "/entity/person:lu-heng"
    w.shot("view-lu-heng.png")
    assert w.errors == [] and w.off_machine() == [], (w.errors, w.off_machine())
    assert all(urlparse(u).hostname == "127.0.0.1" for u in w.requests)


def test_view_shows_hostile_names_as_text(browser, server):
    status = post_file(f"{server}/ingest", "hostile.jsonl", HOSTILE_JSONL.encode())
    assert status == 200
    (hit,) = get_json(f"{server}/entities?q=onerror")["results"]
    w = Watched(browser)
    w.page.goto(f"{server}/view?id={hit['id']}&depth=1")
    w.wait_for_graph()
    assert w.page.evaluate("window.govgraph.nodes.length") == 2
    assert HOSTILE in w.page.locator("h1").inner_text()
    tooltip = w.page.evaluate(
        "id => { const t = window.govgraph.nodes.get(id).title;"
        " return [t.textContent, t.querySelectorAll('img, script, b').length]; }", hit["id"])
    assert HOSTILE in tooltip[0] and tooltip[1] == 0
    w.click_node(hit["id"])
    w.page.wait_for_selector("#details:not([hidden])")
    assert w.page.locator("#d-name").inner_text() == HOSTILE
    assert w.page.locator("img").count() == 0
    assert w.dialogs == [] and w.errors == [] and w.off_machine() == []
    assert not any(urlparse(u).path == "/x" for u in w.requests)
    w.shot("view-hostile-names.png")
