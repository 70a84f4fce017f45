"""FollowTheMoney entities (JSON lines), for interchange with the OpenSanctions world.

Each line is an FtM entity ``{"id", "schema", "properties": {prop: [values]}}``. Things:

| FtM schema | node type |
|---|---|
| Person | Person |
| Organization, LegalEntity | Organization |
| Company | Company |
| PublicBody | Authority |
| Article | Article |
| Document | Article |

The first ``name`` is the node's name; further names, ``alias``, ``weakAlias`` and
``previousName`` are aliases; the FtM id is a key (so relations and later sources can refer
to it); other properties are kept (one value as a scalar, several as a list).

Interval entities become edges (the ``RECORD`` confidence tier, ``start``/``end`` from
``startDate``/``endDate``, ``ftm_schema`` and ``ftm_id`` kept):

| FtM schema | edge |
|---|---|
| Directorship (director → organization) | ``ROLE_AT``, ``role`` or "Director" |
| Employment (employee → employer) | ``ROLE_AT``, ``role`` or "Employee" |
| Representation (agent → client) | ``ROLE_AT``, ``role`` or "Representative" |
| Membership (member → organization) | ``MEMBER_OF`` |
| Ownership (owner, asset) | asset ``HELD_BY`` owner (``percentage``, ``sharesCount``) |
| UnknownLink (subject → object) | the relation its ``role`` names (``DEPENDS_ON``, ...) |

Other schemata (Address, Sanction, Family, ...) are skipped and counted in a warning. A line
that is not a JSON object with ``id``, ``schema`` and ``properties``, a thing without a name
or a link without its ends fails the whole file with ``FILE:LINE: reason``.
``govgraph export --format ftm`` writes the same shape back (see ``graph/export.py``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from graph.ftm import LINK_PROPS, LINKS, NAME_PROPS, THINGS
from graph.model import Batch, Entity, ModelError, Relation
from graph.vocab import RECORD, RELATION_TYPES
from loaders.base import Loader, LoadError, json_lines, new_batch, register


def _detect(path: Path, head: str) -> bool:
    first = head.lstrip("\ufeff").lstrip().split("\n", 1)[0].strip()
    try:
        obj = json.loads(first)
    except ValueError:
        return False
    return isinstance(obj, dict) and {"id", "schema", "properties"} <= obj.keys()


def _values(props: dict[str, Any], name: str) -> list[str]:
    """A property's values as text (nested entities by their id)."""
    raw = props.get(name, [])
    raw = raw if isinstance(raw, list) else [raw]
    out = []
    for value in raw:
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = str(value).strip()
            if text:
                out.append(text)
    return out


def _entity(obj: dict[str, Any], type_: str, locator: str) -> Entity:
    props = obj["properties"]
    names = [n for p in NAME_PROPS for n in _values(props, p)]
    if not names:
        raise ModelError(f"{obj['schema']} {obj['id']!r} has no name")
    kept = {}
    for key in props:
        values = _values(props, key)
        if key not in NAME_PROPS and values:
            kept[key] = values[0] if len(values) == 1 else values
    seen = {k: v for k in ("first_seen", "last_seen")
            if isinstance(v := obj.get(k), str) and v}
    return Entity(type_, names[0], aliases=names[1:], keys=[obj["id"]], properties=kept,
                  locator=locator, **seen)


def _relation(obj: dict[str, Any], locator: str) -> Relation | None:
    src_prop, dst_prop, rel_type, default_role = LINKS[obj["schema"]]
    props = obj["properties"]
    ends = [_values(props, src_prop), _values(props, dst_prop)]
    if not ends[0] or not ends[1]:
        raise ModelError(f"{obj['schema']} {obj['id']!r} needs {src_prop!r} and {dst_prop!r}")
    roles = _values(props, "role")
    if not rel_type:  # UnknownLink: its role names the relation
        rel_type = roles[0].strip().upper().replace(" ", "_") if roles else ""
        if rel_type not in RELATION_TYPES:
            return None
        roles = []
    out = {"ftm_schema": obj["schema"], "ftm_id": obj["id"]}
    role = roles[0] if roles else default_role
    if role:
        out["role"] = role
    for ftm_name, name in LINK_PROPS.items():
        if values := _values(props, ftm_name):
            out[name] = values[0]
    return Relation(ends[0][0], ends[1][0], rel_type, out, RECORD.confidence, locator)


def _check(path: Path, number: int, obj: dict[str, Any]) -> dict[str, Any]:
    if not (isinstance(obj.get("id"), str) and obj["id"].strip()
            and isinstance(obj.get("schema"), str)
            and isinstance(obj.get("properties"), dict)):
        raise LoadError(path, "expected an FtM entity: an object with id, schema and "
                        "properties", number)
    return obj


def load(path: Path) -> Batch:
    """The batch of one FtM JSON lines file (see the module docstring)."""
    batch = new_batch(path, "ftm")
    skipped: Counter[str] = Counter()
    for number, found in json_lines(path):
        obj = _check(path, number, found)
        schema, locator = obj["schema"], f"line {number}"
        try:
            if schema in THINGS:
                batch.entities.append(_entity(obj, THINGS[schema], locator))
            elif schema in LINKS and (rel := _relation(obj, locator)) is not None:
                batch.relations.append(rel)
            else:
                skipped[schema] += 1
        except ModelError as exc:
            raise LoadError(path, str(exc), number) from None
    batch.skipped = sum(skipped.values())
    if skipped:
        batch.warnings.append(f"{path}: skipped {batch.skipped} entities of schemata govgraph "
                              f"does not map: " + ", ".join(f"{s} ({n})" for s, n in
                                                            skipped.most_common()))
    if not batch.entities and not batch.relations:
        raise LoadError(path, "no FtM entities govgraph can map")
    return batch


FTM = register(Loader("ftm", (".json", ".jsonl", ".ndjson", ".ftm"), _detect, load))
