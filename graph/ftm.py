"""The FollowTheMoney mapping, both ways: which FtM schema is which govgraph node type or
relation, and the ``ftm`` export (JSON lines of FtM entities). ``loaders/ftm.py`` reads with
the same tables, so an exported file loads back into the same nodes and edges.

Export: people, organisations (every organisation type) and documents become FtM things
(``Person``, ``Organization``, ``Company``, ``PublicBody``, ``Article``, ``Document``) with
``name``, ``alias``, the FtM properties govgraph keeps (``country``, ``website``, ...) and
``country`` from ``LOCATED_IN`` edges to countries. Edges between them become interval
entities: ``ROLE_AT`` → Directorship / Employment / Representation (the schema it was loaded
from, else Directorship for board-like roles and organisations, else Employment);
``MEMBER_OF`` → Membership; ``HELD_BY`` → Ownership (asset, owner); any other relation →
``UnknownLink`` whose ``role`` is the relation type. Resources, services, countries and regions
have no FtM counterpart and are left out. Node ids are the FtM ids; an edge's FtM id is
``govgraph-`` and the SHA-1 of its key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from graph.model import EdgeRecord, EntityRecord

# FtM schema -> govgraph node type (reading).
THINGS = {"Person": "Person", "Organization": "Organization", "LegalEntity": "Organization",
          "Company": "Company", "PublicBody": "Authority", "Article": "Article",
          "Document": "Article"}
# govgraph node type -> FtM schema (writing).
SCHEMA_OF = {"Person": "Person", "Organization": "Organization", "Registry": "Organization",
             "Company": "Company", "Foundation": "Organization", "Publisher": "Organization",
             "Authority": "PublicBody", "Article": "Article", "Profile": "Document",
             "Essay": "Document"}
# FtM interval schema -> (property of the edge's source, of its target, relation, default role)
LINKS: dict[str, tuple[str, str, str, str | None]] = {
    "Directorship": ("director", "organization", "ROLE_AT", "Director"),
    "Employment": ("employee", "employer", "ROLE_AT", "Employee"),
    "Representation": ("agent", "client", "ROLE_AT", "Representative"),
    "Membership": ("member", "organization", "MEMBER_OF", None),
    "Ownership": ("asset", "owner", "HELD_BY", None),
    "UnknownLink": ("subject", "object", "", None),
}
RELATION_SCHEMA = {"MEMBER_OF": "Membership", "HELD_BY": "Ownership"}
# FtM interval property -> govgraph edge property.
LINK_PROPS = {"startDate": "start", "endDate": "end", "percentage": "percentage",
              "sharesCount": "shares_count", "summary": "summary"}
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
# Thing properties written back when a node has them.
THING_PROPS = ("country", "website", "summary", "description", "notes", "sourceUrl",
               "birthDate", "nationality", "position", "incorporationDate", "jurisdiction",
               "registrationNumber", "legalForm", "email", "phone", "address", "topics",
               "title", "author", "publishedAt", "language")
EXPORTED_FAMILIES = ("person:", "org:", "doc:")
_BOARD = re.compile(r"director|board|chair|trustee|council|governor", re.IGNORECASE)


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if v not in (None, "") and not isinstance(v, (dict, list))]


def _line(entity_id: str, schema: str, props: dict[str, list[str]]) -> str:
    obj = {"id": entity_id, "schema": schema,
           "properties": {k: v for k, v in props.items() if v}}
    return json.dumps(obj, ensure_ascii=False) + "\n"


def _link_schema(edge: EdgeRecord) -> str:
    stated = edge.properties.get("ftm_schema")
    if edge.type == "ROLE_AT":
        if stated in ("Directorship", "Employment", "Representation"):
            return str(stated)
        role = str(edge.properties.get("role") or "")
        board = _BOARD.search(role) or not edge.source.startswith("person:")
        return "Directorship" if board else "Employment"
    return RELATION_SCHEMA.get(edge.type, "UnknownLink")


def link_entity(edge: EdgeRecord) -> str:
    """One edge as an FtM interval entity (a JSON line)."""
    schema = _link_schema(edge)
    src_prop, dst_prop, _, _ = LINKS[schema]
    props = {src_prop: [edge.source], dst_prop: [edge.target]}
    if schema == "UnknownLink":
        props["role"] = [edge.type]
    elif edge.properties.get("role"):
        props["role"] = _values(edge.properties["role"])
    for ftm_name, name in LINK_PROPS.items():
        props[ftm_name] = _values(edge.properties.get(name))
    digest = hashlib.sha1(edge.key.encode("utf-8")).hexdigest()
    return _line(f"govgraph-{digest}", schema, props)


def thing_entity(node: EntityRecord, countries: list[str]) -> str:
    """One node as an FtM thing (a JSON line)."""
    props = {"name": [node.name], "alias": list(node.aliases)}
    for name in THING_PROPS:
        props[name] = _values(node.properties.get(name))
    props["country"] = list(dict.fromkeys([*props["country"], *countries]))
    return _line(node.id, SCHEMA_OF[node.type], props)


def to_ftm(nodes: Iterable[EntityRecord], edges: Iterable[EdgeRecord]) -> Iterator[str]:
    """The graph as FtM JSON lines: interval entities first (edges between exported
    families), then things. Countries reached by ``LOCATED_IN`` become ``country``."""
    countries: dict[str, list[str]] = {}
    for edge in edges:
        if edge.type == "LOCATED_IN" and edge.target.startswith("country:"):
            countries.setdefault(edge.source, []).append(edge.target.split(":", 1)[1])
        elif edge.source.startswith(EXPORTED_FAMILIES) and \
                edge.target.startswith(EXPORTED_FAMILIES):
            yield link_entity(edge)
    for node in nodes:
        if node.type in SCHEMA_OF:
            yield thing_entity(node, countries.get(node.id, []))
