"""The entity / relation / claim model.

Loaders produce a :class:`Batch` (what one source says); stores turn batches into nodes and
edges with provenance and hand back :class:`EntityRecord` and :class:`EdgeRecord`.

Edge confidence is derived from its claims by **noisy-OR**: ``1 - prod(1 - c_i)`` over the
claims' confidences, so independent sources reinforce each other, one claim keeps its own
confidence, and the result never exceeds 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from graph.ids import display_text, entity_id
from graph.vocab import RELATION_TYPES, grade_for, node_type, relation_type_name

MAX_NAME_CHARS = 2000  # a name, alias or title; longer "names" are text, not names


class ModelError(ValueError):
    """Data that does not fit the vocabulary or the model."""


def check_value(value: Any, what: str = "property") -> None:
    """Refuse what no store or JSON response can carry: numbers that are not finite (NaN,
    infinity) and text that is not valid Unicode (lone surrogates, from JSON escapes)."""
    if _is_plain(value) or (type(value) is dict and plain_items(value)):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ModelError(f"{what} is {value!r}, not a finite number")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ModelError(f"{what} is not valid Unicode (lone surrogate)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            if _is_plain(key) and _is_plain(item):
                continue
            check_value(key, what)
            check_value(item, f"{what} {key!r}")
    elif isinstance(value, (list, tuple)):
        for item in value:
            if not _is_plain(item):
                check_value(item, what)


def _is_plain(value: Any) -> bool:
    """ASCII text, an int or a finite float: always acceptable (a fast path for the common
    case; ``x - x`` is NaN exactly when x is NaN or infinite)."""
    kind = type(value)
    return (kind is str and value.isascii()) or kind is int or (kind is float
                                                                and value - value == 0)


def plain_items(value: dict) -> bool:
    """Whether every key and value of a dict is plain (:func:`_is_plain`, inlined: a
    loader's every row has a dict of properties)."""
    for key, item in value.items():
        if type(key) is not str or not key.isascii():
            return False
        kind = type(item)
        if not ((kind is str and item.isascii()) or kind is int
                or (kind is float and item - item == 0)):
            return False
    return True


def _shown_name(value: object, what: str) -> str:
    text = str(value)
    if len(text) > MAX_NAME_CHARS:
        raise ModelError(f"{what} is {len(text)} characters, over {MAX_NAME_CHARS}")
    return display_text(text)


@dataclass(slots=True)
class Entity:
    """A node as one source states it. ``id`` is derived from type and name when empty.

    ``aliases`` are other names of the same thing (used to merge across sources);
    ``keys`` are identifiers (a CSV row key, an FtM id, an RIR opaque id) that relations may
    refer to but that never cause a merge.
    """

    type: str
    name: str
    id: str = ""
    aliases: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    locator: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None

    def __post_init__(self) -> None:
        try:
            self.type = node_type(self.type).name
        except KeyError:
            raise ModelError(f"unknown node type {self.type!r}") from None
        self.name = _shown_name(self.name, "name")
        if not self.name:
            raise ModelError("entity without a name")
        self.aliases = [a for a in (_shown_name(a, "alias") for a in self.aliases) if a]
        check_value(self.keys, "key")
        check_value(self.properties)
        if not self.id:
            self.id = entity_id(self.type, self.name)

    @property
    def family(self) -> str:
        return node_type(self.type).family


@dataclass(slots=True)
class Relation:
    """An edge as one source states it: ``source`` and ``target`` are entity ids, or keys or
    aliases that the store resolves. ``confidence`` is this source's confidence in the fact."""

    source: str
    target: str
    type: str
    properties: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.9
    locator: str | None = None

    def __post_init__(self) -> None:
        try:
            self.type = relation_type_name(self.type)
        except KeyError:
            raise ModelError(f"unknown relation type {self.type!r}") from None
        if not (isinstance(self.confidence, (int, float)) and 0.0 <= self.confidence <= 1.0):
            raise ModelError(f"confidence {self.confidence!r} is not in [0, 1]")
        self.confidence = float(self.confidence)
        if not (_is_plain(self.source) and _is_plain(self.target)):
            check_value([self.source, self.target], "endpoint")
        check_value(self.properties)

    @classmethod
    def checked(cls, source: str, target: str, type_: str, properties: dict[str, Any],
                confidence: float, locator: str | None) -> Relation:
        """A relation from values its checks would leave as they are (a canonical type
        name, a float confidence in [0, 1], plain ends and properties), made without
        running them again: a reader that checked a million rows itself makes no second
        pass over each."""
        rel = object.__new__(cls)
        rel.source, rel.target, rel.type = source, target, type_
        rel.properties, rel.confidence, rel.locator = properties, confidence, locator
        return rel

    def discriminator(self) -> str:
        """The property value that makes this a distinct fact (e.g. the role of ROLE_AT)."""
        prop = RELATION_TYPES[self.type].keyed_by
        if not prop:
            return ""
        value = self.properties.get(prop)
        return str(value).strip().lower() if value is not None else ""


@dataclass(slots=True)
class Merge:
    """A merge-log line: ``merged`` became part of ``into`` because of ``reason``."""

    merged: str
    into: str
    reason: str


@dataclass(slots=True)
class Judgement:
    """A person's verdict on two names or ids (``a``, ``b``): ``same`` forces a name merge
    between them, not same blocks one. See :class:`graph.merge.Judgements`."""

    a: str
    b: str
    same: bool
    locator: str | None = None


@dataclass(slots=True)
class Batch:
    """Everything one source says. A store writes a batch whole or not at all.

    ``dataset`` names a series of snapshots (``caida-asrel:v4``) and ``observed`` (ISO
    date) the day this one describes: see graph/timeline.py for when its facts hold. A
    source with no dataset holds always."""

    source_id: str
    uri: str
    loader: str
    retrieved_at: str
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    judgements: list[Judgement] = field(default_factory=list)
    dataset: str | None = None
    observed: str | None = None


@dataclass(slots=True)
class Claim:
    """Provenance of one edge: which source said it, where, and how confidently."""

    source_id: str
    uri: str
    loader: str
    retrieved_at: str
    locator: str | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        # Its fields, shallow (dataclasses.asdict deep-copies; this runs per claim served).
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class EntityRecord:
    id: str
    type: str
    name: str
    aliases: list[str]
    properties: dict[str, Any]
    scores: dict[str, Any] = field(default_factory=dict)
    first_seen: str | None = None
    last_seen: str | None = None

    def to_dict(self, flat: bool = True) -> dict[str, Any]:
        """Node-link form: properties and scores flattened onto the node when ``flat``."""
        base = {"id": self.id, "type": self.type, "name": self.name, "aliases": self.aliases}
        extra = {"first_seen": self.first_seen, "last_seen": self.last_seen}
        extra = {k: v for k, v in extra.items() if v is not None}
        if not flat:
            return {**base, **extra, "properties": self.properties, "scores": self.scores}
        reserved = set(base) | {"sources"}
        merged = {k: v for k, v in {**self.properties, **self.scores}.items() if k not in reserved}
        return {**base, **merged, **extra}


@dataclass(slots=True)
class EdgeRecord:
    key: str
    source: str
    target: str
    type: str
    properties: dict[str, Any]
    confidence: float
    sources: list[Claim] = field(default_factory=list)

    @property
    def grade(self) -> str:
        return grade_for(self.confidence)

    def to_dict(self) -> dict[str, Any]:
        reserved = {"source", "target", "type", "confidence", "grade", "sources", "key"}
        props = {k: v for k, v in self.properties.items() if k not in reserved}
        return {"source": self.source, "target": self.target, "type": self.type,
                "confidence": round(self.confidence, 6), "grade": self.grade,
                "sources": [c.to_dict() for c in self.sources], "key": self.key, **props}


def noisy_or(confidences: list[float]) -> float:
    """Combined confidence of independent claims: ``1 - prod(1 - c)``."""
    return 1.0 - math.prod(1.0 - c for c in confidences)


def edge_key(source_id: str, rel_type: str, target_id: str, discriminator: str = "") -> str:
    """The stable key of one fact: one edge, however many sources state it."""
    return f"{source_id}|{rel_type}|{target_id}" + (f"|{discriminator}" if discriminator else "")
