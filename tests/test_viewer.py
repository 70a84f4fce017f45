"""The viewer page: offline, escaped, styled from the vocabulary; and `govgraph view`."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from api import viewer
from api.cli import app
from graph.model import EdgeRecord, Entity
from graph.query import neighbourhood
from graph.store.sqlite import SQLiteStore
from graph.vocab import NODE_TYPES
from tests.helpers import batch, rel
from tests.test_api import HOSTILE, build, embedded

SCRIPT_BREAKER = "</script><script>alert(2)</script>\u2028"


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "view.db")
    build(s)
    breaker = Entity("Organization", SCRIPT_BREAKER)
    s.write(batch("breaker", [breaker], [rel(breaker, "org:cloud-innovation", "PARTNER_OF",
                                             0.9, "line 1", note="<b>bold</b>")]))
    yield s
    s.close()


class Tags(HTMLParser):
    """Every start tag in a piece of HTML, with its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def page_of(store, ref="org:cloud-innovation", depth=1) -> str:
    return viewer.view(store, [ref], depth)


def test_page_loads_nothing_from_other_hosts(store):
    html = page_of(store)
    tags = Tags(html).tags
    assert [t for t, a in tags if t == "script" and "src" in a] == []
    assert [a for t, a in tags if t == "link" and not a["href"].startswith("data:")] == []
    assert not re.search(r"(?:src|href|url)\s*[=(]\s*[\"']?(?:https?:)?//", html)
    assert "cdn" not in html.lower() and "bootstrap" not in html.lower()
    assert viewer.vis_network_js()[:2000] in html  # vis-network inlined


def test_names_show_as_text_never_markup(store):
    html = page_of(store)
    assert HOSTILE not in html and "<img" not in html
    # five script elements (vis-network, three JSON blocks, the page's code): no name ends
    # a block early or opens one
    assert [t for t, _ in Tags(html).tags].count("script") == html.count("</script") == 5
    assert "\u2028" not in html
    data = embedded(html, "graph-data")
    nodes = {n["id"]: n for n in data["nodes"]}
    hostile = next(n for n in nodes.values() if n["info"]["name"] == HOSTILE)
    assert hostile["label"] == HOSTILE  # drawn on the canvas as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile["title"]
    assert [t for t, _ in Tags(hostile["title"]).tags] == ["div", "strong", "div"]
    breaker = next(n for n in nodes.values() if n["info"]["name"].startswith("</script>"))
    assert "&lt;/script&gt;" in breaker["title"]
    edge = next(e for e in data["edges"] if e["label"] == "PARTNER_OF")
    assert "&lt;b&gt;bold&lt;/b&gt;" in edge["title"]
    assert all(t in {"div", "strong", "span", "table", "tr", "th", "td", "ul", "li", "em"}
               for t, _ in Tags(edge["title"]).tags)


def test_style_follows_vocabulary_and_confidence(store):
    data = viewer.vis_data(neighbourhood(store, ["org:btw-media"], 1), "pagerank")
    colours = {n["id"]: n["color"] for n in data["nodes"]}
    assert colours["org:btw-media"] == NODE_TYPES["Publisher"].colour
    (weak,) = [e for e in data["edges"] if e["label"] == "MENTIONS"]
    assert weak["dashes"] is True and weak["color"]["opacity"] < 0.5
    strong = viewer.vis_data(neighbourhood(store, ["org:iana"], 1), "pagerank")
    assert not any(e["dashes"] for e in strong["edges"])


def test_size_by_score_or_edges_in_view(store):
    sub = neighbourhood(store, ["org:afrinic"], 1)
    sizes, meaning = viewer.node_sizes(sub, "pagerank")
    assert meaning == "pagerank" and sizes["org:iana"] == viewer.MAX_SIZE
    assert sizes["org:iana"] > sizes["org:afrinic"] > sizes["org:cloud-innovation"]
    assert sizes["org:cloud-innovation"] == viewer.MIN_SIZE  # no score stored
    sizes, meaning = viewer.node_sizes(sub, "betweenness")
    assert meaning == "edges in view" and sizes["org:afrinic"] == viewer.MAX_SIZE


def test_parallel_edges_bend_apart():
    def edge(src, dst, rtype):
        return EdgeRecord(key=f"{src}|{rtype}|{dst}", source=src, target=dst, type=rtype,
                          properties={}, confidence=0.9)

    edges = [edge("a", "b", "DEPENDS_ON"), edge("b", "a", "PARTNER_OF"),
             edge("a", "b", "PARTNER_OF"), edge("a", "c", "DEPENDS_ON")]
    bends = viewer.parallel_bends(edges)
    assert set(bends) == {"b|PARTNER_OF|a", "a|PARTNER_OF|b"}  # the first of each pair is plain
    assert [bends[k]["roundness"] for k in ("b|PARTNER_OF|a", "a|PARTNER_OF|b")] == [0.2, 0.4]


def test_legend_lists_types_in_view(store):
    sub = neighbourhood(store, ["person:lu-heng"], 1)
    legend = {item["type"]: item["count"] for item in viewer.legend(sub)}
    assert legend == {"Person": 1, "Company": 2, "Foundation": 1}


def test_cli_view_writes_an_offline_page(store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # pyvis must not write lib/ here
    store.close()
    out = tmp_path / "lu.html"
    result = CliRunner().invoke(app, ["view", "Lu Heng", "--depth", "2", "-o", str(out),
                                      "--db", str(tmp_path / "view.db")])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    ids = {n["id"] for n in embedded(html, "graph-data")["nodes"]}
    assert {"person:lu-heng", "org:cloud-innovation", "org:afrinic"} <= ids
    assert embedded(html, "graph-server") is None  # stand-alone: no links to a server
    assert {p.name for p in tmp_path.iterdir()} <= {"lu.html", "view.db", "view.db-shm",
                                                    "view.db-wal"}


def test_cli_view_unknown_name_fails_cleanly(store, tmp_path):
    store.close()
    result = CliRunner().invoke(app, ["view", "Nobody Atall", "-o", str(tmp_path / "x.html"),
                                      "--db", str(tmp_path / "view.db")])
    assert result.exit_code == 1 and "no entity matches" in result.output
    assert not (tmp_path / "x.html").exists()
