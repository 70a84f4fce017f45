"""FollowTheMoney entities in, and `govgraph export --format ftm` out."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import loaders
from api import ops
from api.app import create_app
from graph.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.conftest import DATA
from tests.helpers import counts

ENTITIES = DATA / "ftm" / "entities.ftm.jsonl"


def exported(store) -> tuple[dict[str, dict], dict[tuple, dict]]:
    graph = json.loads("".join(ops.export_chunks(store, "json")))
    return ({n["id"]: n for n in graph["nodes"]},
            {(e["source"], e["type"], e["target"], e.get("role")): e for e in graph["edges"]})


def test_things_and_intervals_map_to_nodes_and_edges(store):
    report = ops.load(store, [str(ENTITIES)])
    assert not report.errors
    assert report.warnings == [f"{ENTITIES}: skipped 1 entities of schemata govgraph does not "
                               "map: Address (1)"]
    nodes, rel = exported(store)
    assert nodes["person:lu-heng"]["type"] == "Person"
    assert nodes["org:cloud-innovation"]["type"] == "Company"
    assert nodes["org:supreme-court-of-mauritius"]["type"] == "Authority"
    assert nodes["org:cloud-innovation"]["country"] == "sc"
    assert "gg-afrinic" in nodes["org:african-network-information-centre"]["aliases"]
    assert ("person:lu-heng", "ROLE_AT", "org:cloud-innovation", "CEO") in rel
    assert ("person:lu-heng", "ROLE_AT", "org:larus", "CEO") in rel
    assert ("person:lu-heng", "ROLE_AT", "org:larus-foundation", "Founder") in rel
    assert ("org:internet-corporation-for-assigned-names-and-numbers", "MEMBER_OF",
            "org:public-technical-identifiers", "Sole member") in rel
    owned = rel[("org:google", "HELD_BY", "org:alphabet", None)]
    assert (owned["percentage"], owned["start"], owned["ftm_schema"]) == \
        ("100", "2015-10-02", "Ownership")
    assert ("org:cloud-innovation", "LITIGATES_AGAINST", "org:african-network-information-centre",
            None) in rel
    assert all(e["sources"][0]["locator"].startswith("line ") for e in rel.values())


def test_ftm_ids_resolve_and_names_merge_with_registries(sqlite_store):
    ops.load(sqlite_store, ["iana", str(ENTITIES)])
    assert sqlite_store.resolve("gg-afrinic") == "org:afrinic"
    assert sqlite_store.resolve("gg-lu-heng") == "person:lu-heng"


@pytest.mark.parametrize(("line", "reason"), [
    ('{"id": "x", "schema": "Person", "properties": {"name": ["A B"]}', "invalid JSON"),
    ('{"id": "x", "schema": "Person"}', "expected an FtM entity"),
    ('["Person"]', "each line must be a JSON object"),
    ('{"id": "x", "schema": "Company", "properties": {"country": ["mu"]}}', "has no name"),
    ('{"id": "x", "schema": "Ownership", "properties": {"owner": ["gg-alphabet"]}}',
     "needs 'asset' and 'owner'"),
])
def test_malformed_lines_fail_the_whole_file(store, write_file, line, reason):
    lines = ENTITIES.read_text().splitlines()
    lines.insert(3, line)
    path = write_file("bad.ftm.jsonl", "\n".join(lines) + "\n")
    report = ops.load(store, [str(path)])
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{path}:4: ")
    assert reason in report.errors[0]
    assert counts(store) == (0, 0, 0)


def test_link_to_an_unknown_entity_fails_the_whole_file(store, write_file):
    path = write_file("dangling.ftm.jsonl", ENTITIES.read_text() + json.dumps(
        {"id": "r", "schema": "Representation",
         "properties": {"agent": ["gg-larus"], "client": ["nobody-known"]}}) + "\n")
    report = ops.load(store, [str(path)])
    assert len(report.errors) == 1 and "nobody-known" in report.errors[0]
    assert "line 18" in report.errors[0]
    assert counts(store) == (0, 0, 0)


def test_representation_defaults_its_role(write_file):
    path = write_file("rep.ftm.jsonl", "\n".join(json.dumps(o) for o in [
        {"id": "a", "schema": "LegalEntity", "properties": {"name": ["Agent Org"]}},
        {"id": "c", "schema": "Company", "properties": {"name": ["Client Co"]}},
        {"id": "r", "schema": "Representation", "properties": {"agent": ["a"], "client": ["c"]}},
    ]))
    batch = loaders.loader_for(path).load(path)
    (rel,) = batch.relations
    assert (rel.source, rel.target, rel.type, rel.properties["role"]) == \
        ("a", "c", "ROLE_AT", "Representative")


def test_export_round_trips(sqlite_store, tmp_path: Path):
    ops.load(sqlite_store, [str(ENTITIES)])
    text = "".join(ops.export_chunks(sqlite_store, "ftm"))
    lines = [json.loads(line) for line in text.splitlines()]
    assert all({"id", "schema", "properties"} <= o.keys() for o in lines)
    schemata = {o["schema"] for o in lines}
    assert {"Person", "Company", "PublicBody", "Employment", "Directorship", "Membership",
            "Ownership", "UnknownLink"} <= schemata
    again = tmp_path / "again.ftm.jsonl"
    again.write_text(text)
    other = SQLiteStore(tmp_path / "other.db")
    try:
        assert not ops.load(other, [str(again)]).errors
        first, second = exported(sqlite_store), exported(other)
        assert set(first[0]) == set(second[0]) and set(first[1]) == set(second[1])
        assert second[0]["org:cloud-innovation"]["country"] == "sc"
    finally:
        other.close()


def test_export_leaves_out_what_ftm_has_no_schema_for(sqlite_store):
    ops.load(sqlite_store, ["iana"])
    lines = [json.loads(x) for x in "".join(ops.export_chunks(sqlite_store, "ftm")).splitlines()]
    ids = {o["id"] for o in lines}
    assert "org:arin" in ids and "org:ford-motor" in ids
    assert not any(i.startswith(("prefix:", "service:")) for i in ids)
    link = next(o for o in lines if o["properties"].get("subject") == ["org:ford-motor"])
    assert link["properties"] == {"subject": ["org:ford-motor"], "object": ["org:arin"],
                                  "role": ["DEPENDS_ON"]}


def test_cli_exports_ftm(tmp_path: Path):
    db = str(tmp_path / "cli.db")
    cli = [sys.executable, "-m", "api.cli"]
    subprocess.run([*cli, "load", str(ENTITIES), "--db", db], check=True, capture_output=True)
    out = subprocess.run([*cli, "export", "--format", "ftm", "--db", db], check=True,
                         capture_output=True, text=True).stdout
    assert re.search(r'"schema": "Employment"', out)
    assert len(out.splitlines()) == 16  # 10 things + 6 links; the address is not kept


def test_api_exports_ftm(sqlite_store):
    ops.load(sqlite_store, [str(ENTITIES)])
    with TestClient(create_app(Settings(store=":memory:"), sqlite_store)) as client:
        got = client.get("/export", params={"format": "ftm"})
    assert got.status_code == 200 and got.headers["content-type"] == "application/x-ndjson"
    assert 'filename="govgraph.ftm.jsonl"' in got.headers["content-disposition"]
    assert {json.loads(line)["schema"] for line in got.text.splitlines()} >= {"Person",
                                                                               "Ownership"}
