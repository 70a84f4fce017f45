"""The HTTP API through FastAPI's test client on a real SQLite store: every endpoint, its
statuses and its limits."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.models import METRICS
from api.routes.ingest import safe_name
from graph.model import Entity
from graph.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.helpers import batch, org, person, rel

TOKEN = "correct horse battery staple"
HOSTILE = "<img src=x onerror=alert(1)>"
HUB_LINKS = 30


def limits(**overrides) -> Settings:
    base = dict(store=":memory:", api_token=TOKEN, max_depth=3, max_nodes=100,
                default_nodes=50, per_node_edges=10, max_upload_bytes=4096,
                query_timeout_s=30, max_path_len=5, max_paths=5, max_relations=50,
                cors_origins=())
    return Settings(**{**base, **overrides})


def institutions() -> tuple[list[Entity], list]:
    """Ten institutions and people, nine relations between them (the demo's shape)."""
    icann = org("ICANN", aliases=["Internet Corporation for Assigned Names and Numbers"])
    pti = org("Public Technical Identifiers", aliases=["PTI"])
    iana = org("IANA", "Registry", aliases=["Internet Assigned Numbers Authority"])
    afrinic = org("AFRINIC", "Registry", aliases=["African Network Information Centre"])
    lu = person("Lu Heng")
    ci = org("Cloud Innovation", "Company", aliases=["Cloud Innovation Ltd", "CI"])
    larus = org("LARUS Limited", "Company", aliases=["LARUS Ltd"])
    foundation = org("LARUS Foundation", "Foundation")
    btw = org("BTW Media", "Publisher")
    court = org("Supreme Court of Mauritius", "Authority")
    relations = [
        rel(iana, pti, "DEPENDS_ON", 0.9, "line 1"), rel(pti, icann, "DEPENDS_ON", 0.9, "line 2"),
        rel(afrinic, iana, "DEPENDS_ON", 0.95, "line 3"),
        rel(lu, ci, "ROLE_AT", 0.9, "line 4", role="CEO"),
        rel(lu, larus, "ROLE_AT", 0.9, "line 5", role="CEO"),
        rel(lu, foundation, "ROLE_AT", 0.9, "line 6", role="Founder"),
        rel(ci, afrinic, "DEPENDS_ON", 0.9, "line 7"),
        rel(ci, afrinic, "LITIGATES_AGAINST", 0.9, "line 8"),
        rel(afrinic, court, "DEPENDS_ON", 0.6, "line 9")]
    return [icann, pti, iana, afrinic, lu, ci, larus, foundation, btw, court], relations


def build(store: SQLiteStore) -> None:
    """The institutions, a hostile name, a super-node with HUB_LINKS holders, a weak edge,
    a merged name and a lone node."""
    store.write(batch("institutions", *institutions()))
    hostile = person(HOSTILE)
    hub = org("Hub Registry", "Registry")
    holders = [Entity("Prefix", f"10.{i}.0.0/16") for i in range(HUB_LINKS)]
    lone = org("Lonely Org")
    store.write(batch("extra", [hostile, hub, lone, *holders], [
        rel(hostile, "org:cloud-innovation", "ROLE_AT", 0.8, "line 1", role="Advisor"),
        rel("org:btw-media", "org:icann", "MENTIONS", 0.4, "line 2"),
        *[rel(h, hub, "ALLOCATED_TO", 0.97, f"line {i + 3}") for i, h in enumerate(holders)],
    ]))
    store.write(batch("aliases", [Entity("Foundation", "Larus Charitable Trust",
                                         aliases=["LARUS Foundation"])]))
    store.write_scores("pagerank", {"org:iana": 0.5, "org:afrinic": 0.3, "person:lu-heng": 0.1})


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "api.db")
    build(s)
    yield s
    s.close()


def client_for(store: SQLiteStore, **overrides) -> TestClient:
    return TestClient(create_app(limits(**overrides), store))


@pytest.fixture
def client(store):
    with client_for(store) as c:
        yield c


def error_of(response, status: int) -> str:
    """The error message of a JSON error response with this status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]
    return body["error"]


# ---------------------------------------------------------------- health, search, entity
def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["store"] == "sqlite" and body["version"]
    assert body["nodes"] == 10 + 3 + HUB_LINKS and body["sources"] == 3


def test_search_ranks_exact_before_prefix_and_paginates(client):
    hits = client.get("/entities", params={"q": "larus"}).json()["results"]
    assert {h["id"] for h in hits} == {"org:larus", "org:larus-foundation"}
    exact = client.get("/entities", params={"q": "LARUS Foundation"}).json()["results"]
    assert exact[0]["id"] == "org:larus-foundation"
    by_alias = client.get("/entities", params={"q": "Internet Assigned Numbers Authority"})
    assert by_alias.json()["results"][0]["id"] == "org:iana"
    first = client.get("/entities", params={"q": "10.", "limit": 5}).json()["results"]
    second = client.get("/entities", params={"q": "10.", "limit": 5, "offset": 5}).json()
    assert len(first) == 5 and not {h["id"] for h in first} & {h["id"] for h in
                                                                second["results"]}
    only = client.get("/entities", params={"q": "larus", "type": "Foundation"}).json()
    assert [h["id"] for h in only["results"]] == ["org:larus-foundation"]


@pytest.mark.parametrize("params", [{"q": ""}, {}, {"q": "x", "limit": 0},
                                    {"q": "x", "limit": 201}, {"q": "x", "offset": -1},
                                    {"q": "x", "type": "Unicorn"}])
def test_search_refuses_bad_parameters(client, params):
    error_of(client.get("/entities", params=params), 422)


def test_entity_groups_relations_with_claims(client):
    body = client.get("/entities/person:lu-heng").json()
    assert body["name"] == "Lu Heng" and body["scores"] == {"pagerank": 0.1}
    roles = body["relations"]["ROLE_AT"]
    assert {r["role"] for r in roles} == {"CEO", "Founder"}
    claim = roles[0]["sources"][0]
    assert claim["locator"].startswith("line ") and claim["grade"] == "A"
    assert claim["source_id"] == "institutions" and claim["uri"] == "test://institutions"
    assert all(r["direction"] == "out" for r in roles)
    assert body["relations_total"] == body["relations_shown"] == 3


def test_entity_relations_are_capped(client):
    body = client.get("/entities/org:hub-registry", params={"limit": 7}).json()
    assert body["relations_shown"] == 7 and body["relations_total"] == HUB_LINKS
    error_of(client.get("/entities/org:hub-registry", params={"limit": 51}), 422)


def test_entity_unknown_is_404_and_merged_or_named_redirects(client):
    assert "person:nobody" in error_of(client.get("/entities/person:nobody"), 404)
    merged = client.get("/entities/org:larus-charitable-trust", follow_redirects=False)
    assert merged.status_code == 308
    assert merged.headers["location"] == "/entities/org:larus-foundation"
    named = client.get("/entities/Lu Heng", params={"limit": 5}, follow_redirects=False)
    assert named.headers["location"] == "/entities/person:lu-heng?limit=5"
    assert client.get("/entities/org:larus-charitable-trust").json()["id"] == \
        "org:larus-foundation"


# ---------------------------------------------------------------- subgraph
def test_subgraph_caps_a_super_node_and_says_so(client):
    body = client.get("/subgraph", params={"id": "org:hub-registry"}).json()
    assert len(body["nodes"]) == 11 and len(body["edges"]) == 10
    assert body["truncated"] and body["cut"]["capped_nodes"] == ["org:hub-registry"]
    assert body["cut"]["per_node"] == 10


def test_subgraph_node_limit_says_what_it_left_out(store):
    with client_for(store, per_node_edges=100) as c:
        body = c.get("/subgraph", params={"id": "org:hub-registry", "limit": 12}).json()
    assert len(body["nodes"]) == 12 and body["cut"]["nodes_omitted"] == HUB_LINKS + 1 - 12


def test_subgraph_filters(client):
    def ids(**params):
        body = client.get("/subgraph", params={"id": "org:btw-media", **params}).json()
        return {n["id"] for n in body["nodes"]}

    assert "org:icann" in ids()
    assert ids(min_confidence=0.5) == {"org:btw-media"}
    assert ids(rel="DEPENDS_ON") == {"org:btw-media"}
    lu = client.get("/subgraph", params={"id": "Lu Heng", "depth": 1, "type": "Company"})
    assert {n["type"] for n in lu.json()["nodes"]} == {"Person", "Company"}
    edge = lu.json()["edges"][0]
    assert edge["sources"] and edge["sources"][0]["grade"]


@pytest.mark.parametrize("params, status", [
    ({"id": "person:nobody"}, 404), ({"id": "person:lu-heng", "depth": 4}, 422),
    ({"id": "person:lu-heng", "limit": 101}, 422), ({"id": "person:lu-heng", "rel": "LIKES"}, 422),
    ({"id": "person:lu-heng", "as_of": "last year"}, 422),
    ({"id": "person:lu-heng", "min_confidence": 2}, 422), ({}, 422),
    ({"id": "person:lu-heng", "depth": "deep"}, 422)])
def test_subgraph_errors(client, params, status):
    error_of(client.get("/subgraph", params=params), status)


def test_query_time_limit_answers_504(store):
    with client_for(store, query_timeout_s=0) as c:
        message = error_of(c.get("/subgraph", params={"id": "person:lu-heng"}), 504)
    assert "GOVGRAPH_QUERY_TIMEOUT_S" in message


# ---------------------------------------------------------------- paths
def test_paths(client):
    body = client.get("/paths", params={"from": "Lu Heng", "to": "org:iana"}).json()
    assert body["from"] == "person:lu-heng" and body["length"] == 3
    # Cloud Innovation both depends on and litigates against AFRINIC: two shortest paths
    assert [[e["type"] for e in p["edges"]] for p in body["paths"]] == [
        ["ROLE_AT", "DEPENDS_ON", "DEPENDS_ON"], ["ROLE_AT", "LITIGATES_AGAINST", "DEPENDS_ON"]]
    for path in body["paths"]:
        assert path["nodes"] == ["person:lu-heng", "org:cloud-innovation", "org:afrinic",
                                 "org:iana"]
    assert set(body["nodes"]) == set(body["paths"][0]["nodes"])
    short = client.get("/paths", params={"from": "Lu Heng", "to": "org:iana", "max_len": 2})
    assert short.json()["length"] is None and short.json()["paths"] == []
    lone = client.get("/paths", params={"from": "org:lonely-org", "to": "org:iana"}).json()
    assert lone["length"] is None


@pytest.mark.parametrize("params, status", [
    ({"from": "person:lu-heng", "to": "person:nobody"}, 404),
    ({"from": "person:lu-heng", "to": "org:iana", "max_len": 6}, 422),
    ({"from": "person:lu-heng"}, 422), ({"from": "person:lu-heng", "to": "org:iana",
                                         "max_len": 0}, 422)])
def test_paths_errors(client, params, status):
    error_of(client.get("/paths", params=params), status)


# ---------------------------------------------------------------- centrality, dependencies
def test_centrality_ranks_stored_scores(client):
    body = client.get("/centrality", params={"metric": "pagerank", "top": 2}).json()
    assert [(r["rank"], r["id"], r["score"]) for r in body["results"]] == [
        (1, "org:iana", 0.5), (2, "org:afrinic", 0.3)]
    assert client.get("/centrality", params={"metric": "betweenness"}).json()["results"] == []
    error_of(client.get("/centrality", params={"metric": "popularity"}), 422)
    error_of(client.get("/centrality", params={"top": 0}), 422)


def test_centrality_on_one_layer_computes_without_storing(client, store):
    # number_resources holds the DEPENDS_ON chain ci -> afrinic -> iana -> pti -> icann
    # (and afrinic -> court): ICANN has 4 transitive dependents, PTI 3
    body = client.get("/centrality", params={"metric": "transitive_dependents", "top": 2,
                                             "layer": "number_resources"}).json()
    assert body["layer"] == "number_resources" and body["stored"] is False
    assert [(r["rank"], r["name"], r["score"]) for r in body["results"]] == [
        (1, "ICANN", 4), (2, "Public Technical Identifiers", 3)]
    empty = client.get("/centrality", params={"metric": "dependents", "layer": "rpki"}).json()
    assert empty["results"] == []  # no RPKI relation loaded
    assert store.top("transitive_dependents") == []  # a GET stores nothing
    stored = client.get("/centrality", params={"metric": "pagerank", "top": 1}).json()
    assert stored["layer"] is None and stored["results"][0]["id"] == "org:iana"
    error_of(client.get("/centrality", params={"layer": "power"}), 422)


def test_centrality_on_one_layer_reads_what_the_analytics_stored(client, store):
    params = {"metric": "transitive_dependents", "top": 5, "layer": "number_resources"}
    computed = client.get("/centrality", params=params).json()
    analytics = pytest.importorskip("graph.analytics")
    analytics.compute_and_store(store)
    store.write_scores("transitive_dependents@number_resources", {"org:icann": 99})
    read = client.get("/centrality", params=params).json()  # the stored score, not recomputed
    assert read["stored"] is True and read["results"][0]["score"] == 99
    analytics.compute_and_store(store)
    read = client.get("/centrality", params=params).json()

    def ranks(body: dict) -> list[tuple]:
        return [(r["rank"], r["id"], r["score"]) for r in body["results"]]
    assert read["stored"] is True and ranks(read) == ranks(computed)
    # metrics that are not stored per layer are still computed by the request
    other = client.get("/centrality", params={**params, "metric": "dependents"}).json()
    now = analytics.layer_ranking(store, "dependents", "number_resources", 5)
    assert other["stored"] is False and ranks(other) == [
        (i, r.id, v) for i, (r, v) in enumerate(now, 1)] and now


def test_metric_names_match_the_analytics():
    analytics = pytest.importorskip("graph.analytics")
    assert tuple(analytics.METRICS) == METRICS


def test_dependencies_upstream_and_downstream(client):
    up = client.get("/dependencies/org:cloud-innovation", params={"depth": 3}).json()
    assert up["levels"] == {"org:cloud-innovation": 0, "org:afrinic": 1, "org:iana": 2,
                            "org:supreme-court-of-mauritius": 2,
                            "org:public-technical-identifiers": 3}
    assert {e["type"] for e in up["edges"]} == {"DEPENDS_ON"}
    assert all(e["sources"] for e in up["edges"])
    down = client.get("/dependencies/org:iana",
                      params={"direction": "downstream", "depth": 2}).json()
    assert down["levels"] == {"org:iana": 0, "org:afrinic": 1, "org:cloud-innovation": 2}
    iana_up = client.get("/dependencies/org:iana").json()["levels"]
    assert iana_up == {"org:iana": 0, "org:public-technical-identifiers": 1, "org:icann": 2}
    weak = client.get("/dependencies/org:afrinic", params={"min_confidence": 0.7}).json()
    assert "org:supreme-court-of-mauritius" not in weak["levels"]


@pytest.mark.parametrize("path, params, status", [
    ("/dependencies/org:nobody", {}, 404), ("/dependencies/org:iana", {"depth": 9}, 422),
    ("/dependencies/org:iana", {"direction": "sideways"}, 422),
    ("/dependencies/org:iana", {"limit": 1000}, 422)])
def test_dependencies_errors(client, path, params, status):
    error_of(client.get(path, params=params), status)


# ---------------------------------------------------------------- export
def test_export_formats_stream_with_content_types(client):
    seed = {"id": "person:lu-heng", "depth": 2}
    got = client.get("/export", params={**seed, "format": "json"})
    assert got.headers["content-type"] == "application/json"
    body = got.json()
    assert {n["id"] for n in body["nodes"]} >= {"person:lu-heng", "org:afrinic"}
    assert body["truncated"] is False
    graphml = client.get("/export", params={**seed, "format": "graphml"})
    assert graphml.headers["content-type"] == "application/graphml+xml"
    assert "govgraph.graphml" in graphml.headers["content-disposition"]
    graph = nx.read_graphml(io.BytesIO(graphml.content))
    assert graph.number_of_nodes() == len(body["nodes"])
    gexf = client.get("/export", params={**seed, "format": "gexf"})
    assert gexf.headers["content-type"] == "application/gexf+xml"
    ET.fromstring(gexf.content)
    cypher = client.get("/export", params={**seed, "format": "cypher"}).text
    assert cypher.startswith("CREATE CONSTRAINT") and "MERGE (n:Entity" in cypher
    nodes = client.get("/export", params={**seed, "format": "csv", "part": "nodes"})
    assert nodes.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(nodes.text)))
    assert len(rows) == len(body["nodes"])


def test_export_whole_graph_with_filters(client):
    edges = client.get("/export", params={"format": "csv", "rel": "DEPENDS_ON"}).text
    rows = list(csv.DictReader(io.StringIO(edges)))
    assert len(rows) == 5 and {r["type"] for r in rows} == {"DEPENDS_ON"}
    whole = json.loads(client.get("/export").text)
    assert len(whole["nodes"]) == 10 + 3 + HUB_LINKS


@pytest.mark.parametrize("params, status", [
    ({"format": "xlsx"}, 422), ({"id": "person:nobody"}, 404),
    ({"id": "person:lu-heng", "depth": 7}, 422), ({"format": "csv", "part": "both"}, 422)])
def test_export_errors(client, params, status):
    error_of(client.get("/export", params=params), status)


# ---------------------------------------------------------------- HTML pages
def test_view_page(client):
    page = client.get("/view", params={"id": "person:lu-heng", "depth": 2})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sub = client.get("/subgraph", params={"id": "person:lu-heng", "depth": 2}).json()
    data = embedded(page.text, "graph-data")
    assert {n["id"] for n in data["nodes"]} == {n["id"] for n in sub["nodes"]}
    assert len(data["edges"]) == len(sub["edges"])
    error_of(client.get("/view", params={"id": "nobody at all"}), 404)
    error_of(client.get("/view", params={"id": "person:lu-heng", "size": "height"}), 422)


def test_view_data_expands(client):
    body = client.get("/view/data", params={"id": "org:afrinic"}).json()
    assert {n["id"] for n in body["nodes"]} >= {"org:afrinic", "org:iana"}
    assert all("&lt;" not in n["label"] for n in body["nodes"])


def embedded(html: str, element_id: str):
    start = html.index(f'<script type="application/json" id="{element_id}">')
    start = html.index(">", start) + 1
    return json.loads(html[start:html.index("</script>", start)])


def test_index_page(client):
    page = client.get("/")
    assert page.status_code == 200 and 'name="q"' in page.text
    assert "Internet Assigned Numbers Authority" not in page.text  # names only, not aliases
    assert 'href="/entity/org:iana"' in page.text  # top by the stored pagerank
    found = client.get("/", params={"q": "img"}).text
    assert "&lt;img src=x onerror=alert(1)&gt;" in found and HOSTILE not in found


def test_entity_page(client):
    page = client.get("/entity/org:cloud-innovation")
    assert page.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and HOSTILE not in page.text
    assert "institutions · line 7" in page.text
    moved = client.get("/entity/org:larus-charitable-trust", follow_redirects=False)
    assert moved.headers["location"] == "/entity/org:larus-foundation"
    error_of(client.get("/entity/org:nobody"), 404)


# ---------------------------------------------------------------- writes
NODES_CSV = "id,type,name\nnew-org,Organization,Brand New Org\n"


def upload(c: TestClient, name: str = "mine.nodes.csv", text: str = NODES_CSV,
           token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return c.post("/ingest", files={"file": (name, text.encode(), "text/csv")},
                  headers=headers)


def test_ingest_and_delete_need_the_token(store, client):
    assert "disabled" in error_of(upload(client_for(store, api_token=None)), 403)
    error_of(upload(client, token=None), 401)
    error_of(upload(client, token="wrong"), 401)
    error_of(client.delete("/sources/extra"), 401)
    error_of(client.delete("/sources/extra", headers={"Authorization": "Bearer nope"}), 401)
    error_of(client_for(store, api_token=None).delete("/sources/extra"), 403)
    assert store.stats()["sources"] == 3


def test_ingest_loads_and_reupload_replaces(client, store):
    body = upload(client).json()
    assert body["filename"] == "mine.nodes.csv"
    assert body["results"][0]["source_id"] == "upload:mine.nodes.csv"
    assert client.get("/entities", params={"q": "Brand New Org"}).json()["results"]
    again = upload(client, text=NODES_CSV + "other,Organization,Other Org\n").json()
    assert again["results"][0]["entities_added"] == 1
    assert [s["source_id"] for s in client.get("/sources").json()].count(
        "upload:mine.nodes.csv") == 1
    gone = client.delete("/sources/upload:mine.nodes.csv",
                         headers={"Authorization": f"Bearer {TOKEN}"})
    assert gone.json()["entities_removed"] == 2
    error_of(client.delete("/sources/upload:mine.nodes.csv",
                           headers={"Authorization": f"Bearer {TOKEN}"}), 404)


def test_ingest_never_trusts_the_client_path(client, tmp_path):
    body = upload(client, name="../../../etc/passwd.nodes.csv").json()
    assert body["results"][0]["source_id"] == "upload:passwd.nodes.csv"
    assert safe_name("..\\..\\x.csv") == "x.csv"
    assert safe_name("/etc/passwd") == "passwd"
    assert safe_name("...") == "upload"
    assert safe_name("a b;rm -rf.csv") == "a_b_rm_-rf.csv"


def test_ingest_refuses_bad_files(client):
    assert "no loader" in error_of(upload(client, name="photo.png", text="\x89PNG"), 422)
    message = error_of(upload(client, text="id,type,name\nx,Unicorn,X\n"), 422)
    assert "mine.nodes.csv" in message and "/tmp" not in message
    error_of(client.post("/ingest", headers={"Authorization": f"Bearer {TOKEN}"},
                         data={"other": "field"}), 422)


def test_upload_size_limit_is_413(client):
    big = "id,type,name\n" + "".join(f"n{i},Organization,Org {i}\n" for i in range(400))
    assert "4096-byte limit" in error_of(upload(client, text=big), 413)
    chunked = client.post("/ingest", headers={"Authorization": f"Bearer {TOKEN}",
                                              "Content-Type": "multipart/form-data; "
                                                              "boundary=x"},
                          content=(b"x" * 1024 for _ in range(100)))
    error_of(chunked, 413)


# ---------------------------------------------------------------- service behaviour
def test_cors_is_closed_unless_configured(store):
    origin = {"Origin": "https://notebooks.example.org"}
    with client_for(store) as closed:
        assert "access-control-allow-origin" not in closed.get("/health", headers=origin).headers
    with client_for(store, cors_origins=("https://notebooks.example.org",)) as open_:
        got = open_.get("/health", headers=origin)
        assert got.headers["access-control-allow-origin"] == "https://notebooks.example.org"


def test_openapi_documents_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ["/entities", "/entities/{entity_id}", "/subgraph", "/paths", "/centrality",
                 "/dependencies/{entity_id}", "/export", "/view", "/", "/ingest",
                 "/sources/{source_id}", "/health"]:
        assert path in paths, path
    params = {p["name"]: p for p in paths["/subgraph"]["get"]["parameters"]}
    assert params["id"]["schema"]["examples"] == [["person:lu-heng"]]
    assert "multipart/form-data" in paths["/ingest"]["post"]["requestBody"]["content"]
    assert "404" in paths["/subgraph"]["get"]["responses"]
