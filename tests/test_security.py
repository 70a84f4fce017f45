"""Security: every HTML page escapes what it shows (script and attribute payloads in names,
aliases, properties and provenance), writes need the token, limits answer 413/422/504,
CORS stays closed unless configured, a 500 carries no traceback, and hostile names go into
the stores as parameters, never as query text."""

from __future__ import annotations

import json
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api import ops
from api.app import create_app
from graph.model import Batch, Entity, Relation
from graph.settings import Settings
from graph.store.base import GraphStore
from graph.store.sqlite import SQLiteStore

IMG = "<img src=x onerror=alert(1)>"
ATTR = '"><script>alert(1)</script>'
CLOSE = "</script><script>alert(1)</script>"
SVG = "'><svg onload=alert(1)>"
PAYLOADS = (IMG, ATTR, CLOSE, SVG)
TOKEN = "s3cret-token"


class PageParser(HTMLParser):
    """Collects what a browser would act on: tags, attributes and script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def assert_inert(html: str) -> PageParser:
    """No payload became markup: no event-handler attributes or javascript: links (a payload
    may only be an attribute's quoted value or text), no classic script holding a payload;
    JSON data blocks parse and carry it as data."""
    page = PageParser()
    page.feed(html)
    for tag, attrs in page.tags:
        handlers = [a for a in attrs if a.startswith("on")]
        assert not handlers, f"<{tag}> has event handler attributes {handlers}"
        links = [attrs.get(a) or "" for a in ("href", "src", "action")]
        assert not any(v.strip().lower().startswith("javascript:") for v in links), attrs
    for attrs, body in page.scripts:
        if attrs.get("type") == "application/json":
            json.loads(body)
        else:
            assert "alert(1)" not in body, body[:200]
    return page


def shown(page: PageParser) -> str:
    return "".join(page.text)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Payloads in names, aliases, node and edge properties and source file names."""
    folder = tmp_path_factory.mktemp("hostile")
    quoted = ATTR.replace('"', '""')
    nodes = folder / f"nodes {IMG}.csv"
    nodes.write_text("id,type,name,aliases,note\n"
                     f'p,Person,{IMG},"{quoted}",{CLOSE}\n'
                     f"o,Organization,Org {SVG},{CLOSE},{IMG}\n")
    edges = folder / f"edges {SVG}.csv"
    edges.write_text(f'source,target,type,role\np,o,ROLE_AT,"{quoted}"\n')
    db = folder / "hostile.db"
    store = SQLiteStore(db)
    report = ops.load(store, [str(nodes), str(edges)])
    store.close()
    assert not report.errors, report.errors
    return db


@pytest.fixture
def client(hostile_db: Path):
    store = SQLiteStore(hostile_db)
    app = create_app(Settings(store=str(hostile_db), api_token=TOKEN, cors_origins=()), store)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    store.close()


def entity_ids(client: TestClient) -> list[str]:
    found = client.get("/entities", params={"q": "alert"}).json()["results"]
    ids = sorted(r["id"] for r in found)
    assert len(ids) == 2
    return ids


def test_every_html_page_escapes_names_aliases_properties_and_provenance(client):
    ids = entity_ids(client)
    pages = ["/", "/?q=alert", "/?q=" + quote(IMG)]
    for entity_id in ids:
        pages += [f"/entity/{entity_id}", f"/view?id={quote(entity_id)}",
                  f"/view?id={quote(entity_id)}&depth=2"]
    shown_text = ""
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        shown_text += shown(assert_inert(response.text))
    for payload in (IMG, ATTR, CLOSE):  # shown as text: names, aliases, properties, sources
        assert payload in shown_text
    assert "edges " + SVG in shown_text  # provenance: the claim's source file name


def test_view_tooltips_are_escaped_html(client):
    for entity_id in entity_ids(client):
        data = client.get("/view/data", params={"id": entity_id}).json()
        titles = [item["title"] for item in data["nodes"] + data["edges"] if item.get("title")]
        assert titles
        for title in titles:
            assert_inert(title)
            assert "<img" not in title and "<script" not in title and "<svg" not in title


def test_pages_for_hostile_ids_do_not_reflect_markup(client):
    for ref in ("<b onmouseover=alert(1)>nobody", CLOSE + "x", IMG + "nobody"):
        for path in (f"/entity/{quote(ref)}", f"/view?id={quote(ref)}", f"/?q={quote(ref)}",
                     f"/entities/{quote(ref)}"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code < 500, path
            if response.headers.get("content-type", "").startswith("text/html"):
                assert_inert(response.text)


def test_writes_need_the_token(client, hostile_db: Path):
    upload = {"file": ("x.csv", b"id,type,name\nz,Registry,Zed\n", "text/csv")}
    assert client.post("/ingest", files=upload).status_code == 401
    assert client.post("/ingest", files=upload,
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.delete("/sources/anything").status_code == 401
    nodes = client.get("/health").json()["nodes"]
    response = client.post("/ingest", files=upload, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and client.get("/health").json()["nodes"] == nodes + 1
    source = "upload:x.csv"
    assert client.delete(f"/sources/{source}", headers={"Authorization": "Bearer no"}) \
        .status_code == 401
    assert client.delete(f"/sources/{source}", headers={"Authorization": f"Bearer {TOKEN}"}) \
        .status_code == 200
    assert client.get("/health").json()["nodes"] == nodes


def test_writes_are_off_without_a_configured_token(hostile_db: Path):
    store = SQLiteStore(hostile_db)
    app = create_app(Settings(store=str(hostile_db), api_token=None), store)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        upload = {"file": ("x.csv", b"id,type,name\nz,Registry,Zed\n", "text/csv")}
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
            assert test_client.post("/ingest", files=upload, headers=headers).status_code == 403
    store.close()


def test_limits(hostile_db: Path):
    store = SQLiteStore(hostile_db)
    settings = Settings(store=str(hostile_db), api_token=TOKEN, max_upload_bytes=10_000,
                        max_depth=2, max_nodes=50)
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        big = {"file": ("big.csv", b"id,type,name\n" + b"a,Person,A\n" * 20_000, "text/csv")}
        response = client.post("/ingest", files=big, headers=auth)
        assert response.status_code == 413 and "limit" in response.json()["error"]
        entity_id = entity_ids(client)[0]
        for path in ("/subgraph", "/view", "/view/data"):
            assert client.get(path, params={"id": entity_id, "depth": 3}).status_code == 422
            assert client.get(path, params={"id": entity_id, "limit": 51}).status_code == 422
        deep = client.get("/entities", params={"q": "x" * 201})
        assert deep.status_code == 422
    store.close()
    slow = Settings(store=str(hostile_db), query_timeout_s=0)
    store = SQLiteStore(hostile_db)
    with TestClient(create_app(slow, store), raise_server_exceptions=False) as client:
        response = client.get("/subgraph", params={"id": entity_id})
        assert response.status_code == 504 and "limit" in response.json()["error"]
    store.close()


def test_cors_is_closed_unless_configured(hostile_db: Path, client):
    origin = {"Origin": "https://evil.example"}
    assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    preflight = client.options("/ingest", headers={**origin,
                                                   "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    store = SQLiteStore(hostile_db)
    settings = Settings(store=str(hostile_db), cors_origins=("https://ok.example",))
    with TestClient(create_app(settings, store)) as open_client:
        allowed = open_client.get("/health", headers={"Origin": "https://ok.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://ok.example"
        refused = open_client.get("/health", headers=origin)
        assert "access-control-allow-origin" not in refused.headers
    store.close()


def test_a_500_carries_no_traceback(tmp_path: Path):
    """A store broken underneath the service (its tables dropped by another program)."""
    db = tmp_path / "broken.db"
    store = SQLiteStore(db)
    with TestClient(create_app(Settings(store=str(db)), store),
                    raise_server_exceptions=False) as client:
        assert client.get("/health").status_code == 200
        other = sqlite3.connect(db)
        other.executescript("DROP TABLE edge_claims; DROP TABLE edges;")
        other.close()
        failed = [client.get(path) for path in ("/health", "/", "/subgraph?id=x",
                                                 "/export?format=json")]
        failed = [r for r in failed if r.status_code >= 500]
        assert failed  # the broken store did break something ...
        for response in failed:  # ... and said nothing about its insides
            body = response.text
            assert "Traceback" not in body and "sqlite3" not in body and 'File "' not in body
            assert response.json() == {"error": "internal error"}
    store.close()


INJECTIONS = [
    "x'}) DETACH DELETE n //",
    'x"}) MATCH (m) DETACH DELETE m RETURN 1 //',
    "x` SET n.pwned = true //",
    "$name } ) WITH 1 AS a MATCH (n) DETACH DELETE n //",
    "Robert'); DROP TABLE nodes;--",
    "\\' OR 1=1 --",
]


def test_hostile_names_are_data_in_every_store(store: GraphStore):
    """Cypher and SQL injection strings as names, aliases, keys and properties are stored and
    found as they are, and nothing else changes."""
    anchor = Entity("Registry", "Anchor Registry")
    hostile = [Entity("Organization", name, aliases=[name + " alias"], keys=[name],
                      properties={"note": name, name[:20]: 1}) for name in INJECTIONS]
    relations = [Relation(anchor.id, e.id, "DEPENDS_ON", {"role": e.name}, 0.9, "line 1")
                 for e in hostile]
    batch = Batch(INJECTIONS[0], INJECTIONS[1], "test", "2026-01-01T00:00:00+00:00",
                  [anchor, *hostile], relations)
    store.write(batch)
    stats = store.stats()
    assert (stats["nodes"], stats["edges"]) == (len(INJECTIONS) + 1, len(INJECTIONS))
    for entity in hostile:
        [record] = store.entities([entity.id])
        assert record.name == entity.name and record.properties["note"] == entity.name
        assert store.resolve(entity.name) == entity.id
        assert store.resolve(entity.name + " alias") == entity.id
        assert not any("pwned" in r.properties for r in store.entities([entity.id]))
    assert store.resolve("Anchor Registry") == anchor.id
    assert [s.source_id for s in store.sources()] == [INJECTIONS[0]]
    store.unload(INJECTIONS[0])
    assert store.stats()["nodes"] == 0
