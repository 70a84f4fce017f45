"""Small builders for test batches."""

from __future__ import annotations

from graph.model import Batch, Entity, Relation


def batch(source_id: str, entities: list[Entity] = (), relations: list[Relation] = ()) -> Batch:
    return Batch(source_id=source_id, uri=f"test://{source_id}", loader="test",
                 retrieved_at="2026-01-01T00:00:00+00:00", entities=list(entities),
                 relations=list(relations))


def person(name: str, **props) -> Entity:
    return Entity("Person", name, properties=props)


def org(name: str, type_: str = "Organization", aliases: list[str] = (), **props) -> Entity:
    return Entity(type_, name, aliases=list(aliases), properties=props)


def rel(src: Entity | str, dst: Entity | str, type_: str, confidence: float = 0.9,
        locator: str | None = None, **props) -> Relation:
    s = src.id if isinstance(src, Entity) else src
    d = dst.id if isinstance(dst, Entity) else dst
    return Relation(s, d, type_, properties=props, confidence=confidence, locator=locator)


def counts(store) -> tuple[int, int, int]:
    s = store.stats()
    return s["nodes"], s["edges"], s["claims"]
