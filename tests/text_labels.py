"""Scoring the text pipeline against the hand-labelled real pages in tests/data/text_pages/
(labels.json): precision and recall of people and organisations, of relations (ROLE_AT and
MEMBER_OF and LITIGATES_AGAINST pairs, QUOTED_IN and AUTHORED people, the publisher), and
the recall of alias groups (every name of a group on one node). A page's batch is either what
the loader returns or what a store's export says of the page (:func:`export_batches`)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from graph.ids import fold
from graph.model import Batch, Entity, Relation
from graph.vocab import DOCUMENT_TYPES, ORGANISATION_TYPES

PAGES = Path(__file__).resolve().parent / "data" / "text_pages"
HELD_OUT = Path(__file__).resolve().parent / "data" / "text_heldout"
UNSEEN = Path(__file__).resolve().parent / "data" / "text_unseen"
FRESH = Path(__file__).resolve().parent / "data" / "text_fresh"
FRESH7 = Path(__file__).resolve().parent / "data" / "text_fresh7"
FRESH8 = Path(__file__).resolve().parent / "data" / "text_fresh8"
FRESH9 = Path(__file__).resolve().parent / "data" / "text_fresh9"
_PAIRS = {"ROLE_AT": "roles", "MEMBER_OF": "member_of", "LITIGATES_AGAINST": "litigates"}


def labels(folder: Path = PAGES) -> dict:
    return json.loads((folder / "labels.json").read_text(encoding="utf-8"))["pages"]


def page_files(folder: Path = PAGES) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in {".txt", ".html", ".md"})


@dataclass
class Tally:
    """True positives, false positives and false negatives of one measure, with examples."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class PageScore:
    entities: Tally = field(default_factory=Tally)
    relations: Tally = field(default_factory=Tally)
    aliases: Tally = field(default_factory=Tally)

    def add(self, other: PageScore) -> None:
        for name in ("entities", "relations", "aliases"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine.tp += theirs.tp
            mine.fp += theirs.fp
            mine.fn += theirs.fn
            mine.wrong += theirs.wrong
            mine.missed += theirs.missed


def address(path: Path) -> str:
    """The page's ``Source:`` address (its first line)."""
    return path.read_text(encoding="utf-8").splitlines()[0].split("Source:", 1)[1].strip(" ->")


def export_batches(export: dict) -> dict[str, Batch]:
    """What a store's JSON export (``govgraph export --format json``) says of each page, by
    the page's address (its document's ``source_url``): the document, the edges of the
    sources that made a claim about the document, and their ends."""
    nodes = {n["id"]: n for n in export["nodes"]}
    said: defaultdict[str, dict[str, dict]] = defaultdict(dict)  # source id -> edges by key
    doc_sources: defaultdict[str, set[str]] = defaultdict(set)
    for edge in export["edges"]:
        for source_id in {claim["source_id"] for claim in edge["sources"]}:
            said[source_id][edge["key"]] = edge
            for end in (edge["source"], edge["target"]):
                if nodes[end]["type"] in DOCUMENT_TYPES:
                    doc_sources[end].add(source_id)
    batches = {}
    for doc in nodes.values():
        if doc["type"] in DOCUMENT_TYPES and doc.get("source_url"):
            edges = {k: e for s in doc_sources[doc["id"]] for k, e in said[s].items()}
            batches[doc["source_url"]] = _page_batch(doc, list(edges.values()), nodes)
    return batches


def _page_batch(doc: dict, edges: list[dict], nodes: dict[str, dict]) -> Batch:
    ends = dict.fromkeys(end for edge in edges for end in (edge["source"], edge["target"]))
    order = [doc["id"], *(i for i in ends if i != doc["id"])]
    entities = [Entity(nodes[i]["type"], nodes[i]["name"], i, list(nodes[i]["aliases"]))
                for i in order]
    reserved = {"source", "target", "type", "confidence", "grade", "sources", "key"}
    relations = [Relation(e["source"], e["target"], e["type"],
                          {k: v for k, v in e.items() if k not in reserved}) for e in edges]
    return Batch(doc["source_url"], doc["source_url"], "export", "", entities, relations)


def score_groups(batches: dict[str, Batch], folder: Path) -> dict[int, PageScore]:
    """Each group's score over its pages, found by address (a page the batches lack found
    nothing)."""
    totals: defaultdict[int, PageScore] = defaultdict(PageScore)
    pages = labels(folder)
    for path in page_files(folder):
        url = address(path)
        batch = batches.get(url) or Batch(url, url, "none", "")
        totals[pages[path.stem]["group"]].add(score_batch(batch, pages[path.stem]))
    return dict(totals)


def _family(type_: str) -> str | None:
    if type_ == "Person":
        return "person"
    return "org" if type_ in ORGANISATION_TYPES else None


class _Labelled:
    """One page's labels: canonical name of every labelled name and alias."""

    def __init__(self, page: dict) -> None:
        self.page = page
        self.canon: dict[str, tuple[str, str]] = {}  # folded name -> (family, canonical)
        for family, key in (("person", "people"), ("org", "orgs")):
            for name in page[key]:
                self.canon[fold(name)] = (family, name)
        for group in page["aliases"]:
            hit = next((self.canon[fold(n)] for n in group if fold(n) in self.canon), None)
            if hit:
                for name in group:
                    self.canon.setdefault(fold(name), hit)
        self.ignored = {fold(n) for n in page["ignore"]}

    def resolve(self, names: list[str], family: str | None) -> tuple[str, str] | None:
        """(family, canonical) for a predicted node, ("ignore", name) or None (wrong)."""
        for name in names:
            hit = self.canon.get(fold(name))
            if hit and hit[0] == family:
                return hit
        if any(fold(n) in self.ignored for n in names):
            return ("ignore", names[0])
        return None


def score_batch(batch: Batch, page: dict) -> PageScore:
    """How the batch of one page compares with its labels."""
    lab = _Labelled(page)
    result = PageScore()
    nodes = {e.id: e for e in batch.entities}
    publisher_ids = {r.target for r in batch.relations if r.type == "PUBLISHED_BY"}
    found: dict[str, tuple[str, str] | None] = {}
    for ent in batch.entities:
        family = _family(ent.type)
        if family is None:
            continue
        hit = lab.resolve([ent.name, *ent.aliases], family)
        found[ent.id] = hit
        if hit is None and ent.id in publisher_ids:
            continue
        if hit is None:
            result.entities.fp += 1
            result.entities.wrong.append(f"{ent.type} {ent.name}")
    got = {hit for hit in found.values() if hit and hit[0] != "ignore"}
    for family, key in (("person", "people"), ("org", "orgs")):
        for name in page[key]:
            if (family, name) in got:
                result.entities.tp += 1
            else:
                result.entities.fn += 1
                result.entities.missed.append(f"{family} {name}")
    _relations(batch, lab, found, nodes, result.relations)
    for group in page["aliases"]:
        folded = {fold(n) for n in group}
        ok = any(folded <= {fold(n) for n in (e.name, *e.aliases)} for e in batch.entities)
        result.aliases.tp += ok
        result.aliases.fn += not ok
        if not ok:
            result.aliases.missed.append(" = ".join(group))
    return result


def _relations(batch: Batch, lab: _Labelled, found: dict, nodes: dict, tally: Tally) -> None:
    page = lab.page
    expected: set[tuple] = set()
    for type_, key in _PAIRS.items():
        for item in page[key]:
            a, b = item[0], item[-1]
            expected.add((type_, lab.canon[fold(a)][1], lab.canon[fold(b)][1]))
    for name in page["quoted"]:
        expected.add(("QUOTED_IN", lab.canon[fold(name)][1]))
    for name in page["authored"]:
        expected.add(("AUTHORED", lab.canon[fold(name)][1]))
    predicted: set[tuple] = set()
    for rel in batch.relations:
        if rel.type in _PAIRS:
            ends = [found.get(rel.source), found.get(rel.target)]
            names = [nodes[x].name for x in (rel.source, rel.target)]
            if any(e and e[0] == "ignore" for e in ends):
                continue
            key = (rel.type, *(e[1] if e else f"?{n}" for e, n in zip(ends, names, strict=True)))
        elif rel.type in {"QUOTED_IN", "AUTHORED"} and nodes[rel.source].type == "Person":
            end = found.get(rel.source)
            if end and end[0] == "ignore":
                continue
            key = (rel.type, end[1] if end else f"?{nodes[rel.source].name}")
        elif rel.type == "PUBLISHED_BY":
            if not page["publisher"]:
                continue
            target = nodes[rel.target]
            ok = fold(page["publisher"]) in {fold(n) for n in (target.name, *target.aliases)}
            key = ("PUBLISHED_BY", page["publisher"] if ok else f"?{target.name}")
        else:
            continue
        predicted.add(key)
    if page["publisher"]:
        expected.add(("PUBLISHED_BY", page["publisher"]))
    tally.tp += len(predicted & expected)
    tally.fp += len(predicted - expected)
    tally.fn += len(expected - predicted)
    tally.wrong += [" ".join(k) for k in sorted(predicted - expected)]
    tally.missed += [" ".join(k) for k in sorted(expected - predicted)]
