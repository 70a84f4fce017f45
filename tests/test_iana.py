"""The `iana` dataset: IANA's registries from the XML files netaddr ships."""

from __future__ import annotations

import json
from collections import Counter

import pytest

import loaders
from api import ops
from loaders.base import LoadError
from loaders.iana import FILES, build, registry_path
from tests.helpers import counts

RIRS = {"org:afrinic", "org:apnic", "org:arin", "org:lacnic", "org:ripe-ncc"}


def exported(store) -> tuple[dict[str, dict], list[dict]]:
    graph = json.loads("".join(ops.export_chunks(store, "json")))
    return {n["id"]: n for n in graph["nodes"]}, graph["edges"]


def test_dataset_reads_the_installed_files():
    batches = build()
    assert [b.source_id for b in batches] == [f"iana:{name}" for name in FILES]
    for batch, name in zip(batches, FILES, strict=True):
        assert batch.uri == registry_path(name).resolve().as_uri() and batch.loader == "iana"
        assert all(r.locator and r.locator.startswith("record ") for r in batch.relations)


def test_load_iana_gives_registries_prefixes_allocations_and_holders(store):
    report = ops.load(store, ["iana"])
    assert not report.errors
    nodes, edges = exported(store)
    registries = {i for i, n in nodes.items() if n["type"] == "Registry"}
    assert registries == RIRS | {"org:iana"}
    assert "Réseaux IP Européens Network Coordination Centre" in nodes["org:ripe-ncc"]["aliases"]
    slash8 = [n for n in nodes.values() if n["type"] == "Prefix" and n["id"].endswith("/8")
              and n.get("ip_version") == 4]
    assert len(slash8) >= 240
    assert nodes["prefix:41.0.0.0/8"]["status"] == "ALLOCATED"
    assert nodes["prefix:41.0.0.0/8"]["date"] == "2005-04"
    allocated = Counter(e["target"] for e in edges if e["type"] == "ALLOCATED_TO")
    assert RIRS <= set(allocated) and allocated["org:afrinic"] >= 4
    rel = {(e["source"], e["type"], e["target"]): e for e in edges}
    assert ("prefix:19.0.0.0/8", "HELD_BY", "org:ford-motor") in rel
    assert nodes["org:ford-motor"]["name"] == "Ford Motor Company"
    assert ("prefix:53.0.0.0/8", "ADMINISTERED_BY", "org:ripe-ncc") in rel  # Daimler AG
    assert ("prefix:10.0.0.0/8", "ADMINISTERED_BY", "org:iana") in rel
    assert ("org:arin", "OPERATES", "service:whois-arin-net") in rel
    assert ("org:ripe-ncc", "OPERATES", "service:rdap-db-ripe-net") in rel
    assert all(e["sources"] and e["sources"][0]["locator"] for e in edges)


def test_dependencies_are_weighted_by_address_space(store):
    ops.load(store, ["iana"])
    _, edges = exported(store)
    rel = {(e["source"], e["type"], e["target"]): e for e in edges}
    for rir in RIRS:
        assert (rir, "DEPENDS_ON", "org:iana") in rel
    arin = rel[("org:arin", "DEPENDS_ON", "org:iana")]
    assert arin["weight"] == arin["ipv4_blocks"] * 2**24 and arin["ipv6_blocks"] >= 1
    assert len(arin["sources"]) == 2  # one claim from each registry file
    ford = rel[("org:ford-motor", "DEPENDS_ON", "org:arin")]
    assert ford["weight"] == 2**24


def test_reloading_iana_changes_nothing(store):
    ops.load(store, ["iana"])
    before = counts(store)
    results = ops.load(store, ["iana"]).results
    assert counts(store) == before
    assert all((r.entities_added, r.relations_added, r.relations_removed) == (0, 0, 0)
               for r in results)


def test_a_downloaded_copy_loads_as_a_file(tmp_path):
    copy = tmp_path / "ipv4-address-space.xml"
    copy.write_bytes(registry_path("ipv4-address-space").read_bytes())
    batch = loaders.loader_for(copy).load(copy)
    assert batch.source_id.startswith("file:") and len(batch.entities) > 256


HEAD = ('<?xml version="1.0"?>\n<registry xmlns="http://www.iana.org/assignments" '
        'id="ipv4-address-space">\n')


@pytest.mark.parametrize(("body", "reason"), [
    ("<record><prefix>041/8</prefix>\n<status>ALLOCATED</record>", r"xml:4: not loadable XML"),
    ("<record><prefix>999/8</prefix><status>ALLOCATED</status></record></registry>",
     r"record 1: .*999"),
    ("</registry>", "no records"),
])
def test_broken_registry_files_fail_whole(write_file, body, reason):
    path = write_file("broken.xml", HEAD + body)
    with pytest.raises(LoadError, match=reason):
        loaders.loader_for(path).load(path)


def test_entity_expansion_is_refused(write_file):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<registry xmlns="http://www.iana.org/assignments" id="ipv4-address-space">'
            '<record><prefix>&b;</prefix></record></registry>')
    path = write_file("bomb.xml", bomb)
    with pytest.raises(LoadError, match="not loadable XML"):
        loaders.loader_for(path).load(path)
