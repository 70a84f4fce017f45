"""Scoring a node-link JSON export against tests/data/profiles/expected.json: the fraction
of expected nodes, relations, alias groups and page properties found (the measures the
profile loader is judged by)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.ids import fold
from graph.vocab import DOCUMENT_TYPES, ORGANISATION_TYPES, node_type

EXPECTED = Path(__file__).resolve().parent / "data" / "profiles" / "expected.json"


@dataclass
class Score:
    found: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    headlines_as_actors: list[str] = field(default_factory=list)

    def add(self, kind: str, ok: bool, what: str) -> None:
        self.total[kind] = self.total.get(kind, 0) + 1
        self.found[kind] = self.found.get(kind, 0) + ok
        if not ok:
            self.missing.append(f"{kind}: {what}")

    def rate(self, kind: str) -> float:
        return self.found.get(kind, 0) / self.total[kind] if self.total.get(kind) else 1.0


def expected() -> dict[str, Any]:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


def score(export: dict[str, Any], pages: list[str] | None = None) -> Score:
    """How much of what the (named) pages state the export contains."""
    exp = expected()
    nodes = export["nodes"]
    by_name: dict[str, list[dict]] = {}
    for node in nodes:
        for name in (node["name"], *node.get("aliases", [])):
            by_name.setdefault(fold(name), []).append(node)
    edges = {(e["source"], e["type"], e["target"]) for e in export["edges"]}
    result = Score()
    for stem, page in exp["pages"].items():
        if pages is not None and stem not in pages:
            continue
        doc = next((n for n in by_name.get(fold(page["title"]), [])
                    if _same_type(n["type"], page["type"])), None)
        result.add("nodes", doc is not None, f"{page['type']} {page['title']}")
        for type_, name in page["nodes"]:
            ok = any(_same_type(n["type"], type_) for n in by_name.get(fold(name), []))
            result.add("nodes", ok, f"{type_} {name}")
        for src, rel, dst in page["edges"]:
            ids = [_ids(by_name, page, doc, end) for end in (src, dst)]
            ok = any((s, rel, d) in edges for s in ids[0] for d in ids[1])
            result.add("relations", ok, f"{src} {rel} {dst} ({stem})")
        for key, value in page["props"].items():
            result.add("properties", doc is not None and doc.get(key) == value,
                       f"{stem}.{key} = {value!r}")
    for group in exp["aliases"]:  # a group counts where two of its names are in the graph
        present = [name for name in group if by_name.get(fold(name))]
        if len({fold(name) for name in present}) >= 2:
            result.add("aliases", _one_node(by_name, present), " = ".join(present))
    titles = {fold(p["title"]) for p in exp["pages"].values()}
    for node in nodes:
        if fold(node["name"]) in titles and node["type"] not in DOCUMENT_TYPES and \
                (node["type"] == "Person" or node["type"] in ORGANISATION_TYPES) and \
                len(node["name"].split()) > 3:
            result.headlines_as_actors.append(node["name"])
    for type_, name in exp["not_nodes"]:
        result.add("absent", not any(n["type"] == type_ and n["name"] == name for n in nodes),
                   f"no {type_} {name}")
    return result


def _family(type_: str) -> str:
    return node_type(type_).family


def _same_type(a: str, b: str) -> bool:
    """Equal types; any two document types count as one (a page's "Also Read" link is an
    Article until the page itself is loaded as a Profile)."""
    return a == b or (a in DOCUMENT_TYPES and b in DOCUMENT_TYPES)


def _one_node(by_name: dict[str, list[dict]], group: list[str]) -> bool:
    """Every name of the group names one and the same node of some family."""
    for family in {_family(n["type"]) for name in group for n in by_name.get(fold(name), [])}:
        hits = [{n["id"] for n in by_name.get(fold(name), []) if _family(n["type"]) == family}
                for name in group]
        if all(hits) and len(set().union(*hits)) == 1:
            return True
    return False


def _ids(by_name: dict[str, list[dict]], page: dict, doc: dict | None, end: str) -> set[str]:
    if end == "$page":
        return {doc["id"]} if doc else set()
    return {n["id"] for n in by_name.get(fold(end), [])}
