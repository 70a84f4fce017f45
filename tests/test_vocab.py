"""The vocabulary is the schema: family rules (natural keys, name merging, legal suffixes) and
each relation type's endpoint families are data in graph/vocab.py that ids, merges and stores
follow."""

from __future__ import annotations

from graph.ids import entity_id, normalise_name
from graph.merge import mergeable_name
from graph.vocab import FAMILIES, NODE_TYPES, RELATION_TYPES, endpoint_error


def test_families_named_by_relation_types_exist():
    known = set(FAMILIES)
    assert {t.family for t in NODE_TYPES.values()} <= known
    for rel in RELATION_TYPES.values():
        assert (rel.sources or set()) <= known, rel.name
        assert (rel.targets or set()) <= known, rel.name


def test_endpoint_rules():
    assert endpoint_error("ROLE_AT", "person", "org") is None
    assert "source is a prefix" in endpoint_error("ROLE_AT", "prefix", "org")
    assert "target is a doc" in endpoint_error("HELD_BY", "asn", "doc")
    assert endpoint_error("CUSTOMER_OF", "asn", "asn") is None
    assert endpoint_error("ROA_ORIGIN", "asn", "prefix") is None
    assert endpoint_error("ROA_ORIGIN", "prefix", "asn") is not None


def test_natural_keys_and_slugs():
    assert entity_id("ASN", " AS64496 ") == "asn:as64496"
    assert entity_id("Prefix", "192.0.2.0/24") == "prefix:192.0.2.0/24"
    assert entity_id("Country", "ZA") == "country:za"
    assert entity_id("Company", "LARUS Ltd") == "org:larus"
    assert entity_id("Person", "Lu Heng") == "person:lu-heng"


def test_legal_suffixes_fold_only_for_organisations():
    assert normalise_name("Larus Limited", "org") == "larus"
    assert normalise_name("Larus Limited", "person") == "larus limited"
    assert normalise_name("Larus Limited") == "larus limited"


def test_name_merging_rules():
    assert not mergeable_name("Heng", "person")  # one word never merges a person
    assert mergeable_name("Lu Heng", "person")
    assert mergeable_name("IANA", "org")
    assert not mergeable_name("I", "org")
    assert not mergeable_name("192.0.2.0/24", "prefix")  # resources merge by key only
