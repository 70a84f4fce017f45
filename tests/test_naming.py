"""CAIDA as2org and RPSL whois loaders, and how they name RIR holders: the opaque-id bridge
and whois ranges, in every load order, and unloading either side."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

import loaders
from api import ops
from graph.query import merge_candidates
from loaders import as2org, rpsl
from loaders.base import LoadError
from tests.naming_data import (
    AS2ORG_JSONL,
    AS2ORG_OLD,
    AS2ORG_TEXT,
    DELEGATED,
    PERSONAL,
    WHOIS,
    write,
)

HOLDER1, HOLDER2 = "org:afrinic:example1", "org:afrinic:example2"


def files(tmp_path: Path) -> dict[str, Path]:
    return {"as2org": write(tmp_path / "20230301.as-org2info.txt.gz", AS2ORG_TEXT),
            "delegated": write(tmp_path / "delegated-afrinic-extended-20230301", DELEGATED),
            "whois": write(tmp_path / "afrinic.db.gz", WHOIS)}


def load_ok(store, *paths: Path) -> None:
    report = ops.load(store, [str(p) for p in paths])
    assert not report.errors, report.errors


def node(store, ref: str):
    node_id = store.resolve(ref)
    assert node_id is not None, ref
    return store.entities([node_id])[0]


def held_by(store, resource: str) -> set[str]:
    return {e.target for e in store.edges([resource], "out") if e.type == "HELD_BY"}


def test_as2org_text_maps_orgs_ases_and_skips_deleted(tmp_path: Path):
    batch = as2org.load(write(tmp_path / "20230301.as-org2info.txt", AS2ORG_TEXT))
    orgs = {e.id: e for e in batch.entities if e.type == "Organization"}
    assert set(orgs) == {"org:org-exa1-afrinic", "org:org-oth1-ripe"}  # no @del- org
    assert orgs["org:org-exa1-afrinic"].name == "Example Networks Ltd"
    assert orgs["org:org-oth1-ripe"].properties["as2org_source"] == ["APNIC", "RIPE"]
    held = {(r.source, r.target) for r in batch.relations if r.type == "HELD_BY"}
    assert held == {("asn:64496", "org:org-exa1-afrinic"), ("asn:64497", "org:org-oth1-ripe")}
    assert "afrinic:EXAMPLE1" in orgs["org:org-exa1-afrinic"].aliases
    assert "ripencc:0123abcd-ffff" in orgs["org:org-oth1-ripe"].aliases
    assert any("1 ASes name an organisation not in the file" in w for w in batch.warnings)


@pytest.mark.parametrize("name", ["20230301.as-org2info.jsonl", "20230301.as-org2info.jsonl.gz",
                                  "20230301.as-org2info.txt.bz2"])
def test_jsonl_and_compressed_files_say_what_the_text_says(tmp_path: Path, name: str):
    text = AS2ORG_JSONL if "jsonl" in name else AS2ORG_TEXT
    path = write(tmp_path / name, text)
    assert loaders.loader_for(path).name == "caida-as2org"
    plain = as2org.load(write(tmp_path / "plain" / "20230301.as-org2info.txt", AS2ORG_TEXT))

    def shape(batch):
        return (sorted((e.id, e.name, sorted(e.aliases)) for e in batch.entities),
                sorted((r.source, r.type, r.target) for r in batch.relations))

    assert shape(as2org.load(path)) == shape(plain)


def test_old_files_without_opaque_id_and_formats_in_either_order(tmp_path: Path):
    batch = as2org.load(write(tmp_path / "20120101.as-org2info.txt", AS2ORG_OLD))
    org = next(e for e in batch.entities if e.type == "Organization")
    assert (org.id, org.name, org.aliases) == ("org:old-arin", "Old Example Inc.", [])
    assert [(r.source, r.target) for r in batch.relations if r.type == "HELD_BY"] == \
        [("asn:64500", "org:old-arin")]


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("64496|x|y|Z|W\n", 1, "record before any '# format:' line"),
    ("# format:org_id|changed|org_name|country|source\nA-X|1|A\n", 2, "expected 5 fields"),
    ("# format:aut|changed|aut_name|org_id|source\nAS1|1|A|B|ARIN\n", 2, "is not a number"),
    ("# format:foo|bar\n", 1, "unknown '# format:' line"),
])
def test_as2org_bad_lines_name_file_and_line(tmp_path: Path, text: str, line: int, reason: str):
    path = write(tmp_path / "20230301.as-org2info.txt", text)
    with pytest.raises(LoadError) as err:
        as2org.load(path)
    assert f"{path}:{line}:" in str(err.value) and reason in str(err.value)


def test_whois_reads_orgs_ranges_and_ases_and_never_personal_data(store, tmp_path: Path):
    path = files(tmp_path)["whois"]
    assert loaders.loader_for(path).name == "rpsl-whois"
    load_ok(store, path)
    org = node(store, "org:org-exb2-afrinic")
    assert org.name == "Example Broadband Ghana"  # '+' continuation line joined
    assert org.properties["org_type"] == "LIR" and org.properties["country"] == "GH"
    assert held_by(store, "prefix:198.51.100.0/24") == {"org:org-exb2-afrinic"}
    assert held_by(store, "prefix:2001:db8::/32") == {"org:org-exb2-afrinic"}
    assert held_by(store, "asn:64499") == {"org:org-exb2-afrinic"}
    asn = node(store, "asn:64499")
    assert asn.properties["as_name"] == "EXB-AS"  # the first of a repeated attribute
    assert store.resolve("198.51.100.128/26") is None  # a range without org: names nobody
    everything = "".join(ops.export_chunks(store, "json"))
    for value in PERSONAL:
        assert value not in everything, value
    types = {n["type"] for n in json.loads(everything)["nodes"]}
    assert types == {"Organization", "Country", "Prefix", "ASN"}


def test_split_whois_files_name_a_placeholder_org_in_either_order(sqlite_store, tmp_path):
    objects = WHOIS.split("\n\n")
    orgs = write(tmp_path / "ripe.db.organisation.gz", "\n\n".join(objects[:2]))
    auts = write(tmp_path / "ripe.db.aut-num.gz", "\n\n".join([objects[0], objects[-1]]))
    load_ok(sqlite_store, auts)
    assert node(sqlite_store, "org:org-exb2-afrinic").name == "ORG-EXB2-AFRINIC"
    load_ok(sqlite_store, orgs)
    assert node(sqlite_store, "org:org-exb2-afrinic").name == "Example Broadband Ghana"
    ops.unload(sqlite_store, str(orgs))
    assert node(sqlite_store, "org:org-exb2-afrinic").name == "ORG-EXB2-AFRINIC"


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("inetnum: 192.0.2.0 - 192.0.1.255\norg: ORG-A1-X\n", 1, "ends before it starts"),
    ("aut-num: ASX\norg: ORG-A1-X\n", 1, "bad AS number"),
    ("inetnum: 192.0.2.0/24\nthis is not an attribute\n", 2, "expected 'attribute: value'"),
    ("  continued\n", 1, "continuation line outside an object"),
])
def test_whois_bad_objects_name_file_and_line(tmp_path: Path, text: str, line: int,
                                              reason: str):
    path = write(tmp_path / "afrinic.db", "% dump\n\n" + text)
    with pytest.raises(LoadError) as err:
        rpsl.load(path)
    assert f"{path}:{line + 2}:" in str(err.value) and reason in str(err.value)


def test_an_oversized_object_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(rpsl, "MAX_OBJECT_LINES", 50)
    text = "organisation: ORG-BIG1-X\n" + "remarks: x\n" * 60
    path = write(tmp_path / "afrinic.db.bz2", text)
    with pytest.raises(LoadError, match=r"afrinic.db.bz2:51: object starting at line 1 is over"):
        rpsl.load(path)


ORDERS = list(itertools.permutations(["as2org", "delegated", "whois"]))


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_holders_are_one_node_named_by_their_organisation_in_any_order(store, tmp_path,
                                                                       order):
    paths = files(tmp_path)
    for name in order:
        load_ok(store, paths[name])
    first = node(store, HOLDER1)
    assert first.name == "Example Networks Ltd"
    assert store.resolve("Example Networks Ltd") == store.resolve("afrinic:EXAMPLE1") == first.id
    assert held_by(store, "prefix:192.0.2.0/24") == {first.id}
    assert held_by(store, "asn:64496") == {first.id}
    second = node(store, HOLDER2)
    assert second.name == "Example Broadband Ghana"  # no AS: named through the whois range
    assert store.resolve("org:org-exb2-afrinic") == second.id
    assert held_by(store, "prefix:198.51.100.0/24") == {second.id}
    assert held_by(store, "prefix:2001:db8::/32") == {second.id}
    assert held_by(store, "asn:64499") == {second.id}
    log = {(m["merged"], m["into"]): m["reason"] for m in store.merge_log()}
    reasons = " | ".join(log.values())
    assert "as2org opaque_id EXAMPLE1_AFRINIC = delegated holder afrinic:EXAMPLE1, " \
           "publication 2023-03-01" in reasons
    assert "198.51.100.0/24" in reasons  # the block that tied the whois org to its holder
    assert len(log) == 2


@pytest.mark.parametrize("first", ["as2org", "delegated"])
def test_unloading_either_side_leaves_the_other_correct(store, tmp_path, first):
    paths = files(tmp_path)
    second = "delegated" if first == "as2org" else "as2org"
    load_ok(store, paths[first])
    load_ok(store, paths[second])
    ops.unload(store, str(paths["as2org"]))
    holder = node(store, "afrinic:EXAMPLE1")
    assert holder.name == "afrinic:EXAMPLE1"
    assert held_by(store, "prefix:192.0.2.0/24") == {holder.id}
    assert "Example Networks Ltd" not in holder.aliases
    load_ok(store, paths["as2org"])
    ops.unload(store, str(paths["delegated"]))
    org = node(store, "Example Networks Ltd")
    assert org.name == "Example Networks Ltd"
    assert held_by(store, "asn:64496") == {org.id}
    assert store.resolve("prefix:192.0.2.0/24") is None


def test_one_load_command_joins_an_org_holding_several_holders(sqlite_store, tmp_path):
    delegated = DELEGATED + "afrinic|ZA|asn|64510|1|20120101|allocated|EXAMPLE3\n"
    text = AS2ORG_TEXT + "64510|20220101|EXAMPLE-AS2|ORG-EXA1-AFRINIC|EXAMPLE3_AFRINIC|AFRINIC\n"
    paths = [write(tmp_path / "delegated-afrinic-extended-20230301", delegated),
             write(tmp_path / "20230301.as-org2info.txt", text)]
    load_ok(sqlite_store, *paths)
    org = node(sqlite_store, "Example Networks Ltd")
    assert sqlite_store.resolve(HOLDER1) == sqlite_store.resolve("org:afrinic:example3") == org.id
    assert held_by(sqlite_store, "asn:64510") == {org.id}


PEERINGDB = {"org": {"data": [{"id": 7, "name": "ExampleNet Peering", "country": "ZA"}]},
             "net": {"data": [{"id": 70, "org_id": 7, "asn": 64496, "name": "ExampleNet"}]}}


@pytest.mark.parametrize("order", [("as2org", "peeringdb"), ("peeringdb", "as2org")])
def test_peeringdb_organisation_joins_by_asn(store, tmp_path, order):
    paths = {"as2org": files(tmp_path)["as2org"],
             "peeringdb": write(tmp_path / "peeringdb.json", json.dumps(PEERINGDB))}
    for name in order:
        load_ok(store, paths[name])
    org = node(store, "org:org-exa1-afrinic")
    assert store.resolve("ExampleNet Peering") == org.id
    assert {e.source for e in store.edges(["asn:64496"], "in") if e.type == "OPERATES"} == \
        {org.id}
    assert any("AS 64496" in m["reason"] for m in store.merge_log())


def test_peeringdb_org_whose_ases_are_free_or_split_joins_nothing(sqlite_store, tmp_path):
    dump = {"org": {"data": [{"id": 8, "name": "Split Org"}]},
            "net": {"data": [{"id": 80, "org_id": 8, "asn": 64496, "name": "A"},
                             {"id": 81, "org_id": 8, "asn": 64497, "name": "B"}]}}
    load_ok(sqlite_store, files(tmp_path)["as2org"],
            write(tmp_path / "peeringdb.json", json.dumps(dump)))
    assert sqlite_store.resolve("Split Org") == "org:split-org"
    assert sqlite_store.merge_log() == []


def several_holders(tmp_path: Path) -> dict[str, Path]:
    """EXAMPLE1 and EXAMPLE3 are two holders of one as2org organisation; EXAMPLE2's whois
    organisation also holds a block of a fourth holder, EXAMPLE4."""
    delegated = DELEGATED + ("afrinic|ZA|asn|64510|1|20120101|allocated|EXAMPLE3\n"
                             "afrinic|GH|ipv4|192.0.2.0|128|20120101|allocated|EXAMPLE4\n")
    delegated = delegated.replace("afrinic|ZA|ipv4|192.0.2.0|256",
                                  "afrinic|ZA|ipv4|192.0.2.128|128")
    whois = WHOIS + ("\ninetnum:        192.0.2.0 - 192.0.2.127\nnetname:        EXB-TWO\n"
                     "org:            ORG-EXB2-AFRINIC\nstatus:         ALLOCATED PA\n"
                     "source:         AFRINIC\n")
    text = AS2ORG_TEXT + "64510|20220101|EXAMPLE-AS2|ORG-EXA1-AFRINIC|EXAMPLE3_AFRINIC|AFRINIC\n"
    return {"delegated": write(tmp_path / "delegated-afrinic-extended-20230301", delegated),
            "as2org": write(tmp_path / "20230301.as-org2info.txt.gz", text),
            "whois": write(tmp_path / "afrinic.db.gz", whois)}


def named_view(store) -> tuple[set, set]:
    """The graph with nodes by name (ids depend on which source came first)."""
    names = {r.id: r.name for r in store.iter_entities()}
    nodes = {(r.type, r.name, tuple(sorted(r.aliases))) for r in store.iter_entities()}
    edges = {(names[e.source], e.type, names[e.target]) for e in store.iter_edges()}
    return nodes, edges


def test_holders_loaded_before_their_organisation_join_it_and_come_apart(store, tmp_path):
    paths = several_holders(tmp_path)
    for name in ("delegated", "as2org", "whois"):  # three commands
        load_ok(store, paths[name])
    org = node(store, "Example Networks Ltd")
    assert store.resolve("afrinic:EXAMPLE1") == store.resolve("afrinic:EXAMPLE3") == org.id
    assert store.resolve("org:afrinic:example3") == org.id  # the absorbed id redirects
    assert held_by(store, "asn:64496") == held_by(store, "asn:64510") == {org.id}
    assert held_by(store, "prefix:192.0.2.128/25") == {org.id}
    broadband = node(store, "Example Broadband Ghana")
    assert store.resolve("afrinic:EXAMPLE4") == store.resolve("afrinic:EXAMPLE2") == broadband.id
    assert held_by(store, "prefix:192.0.2.0/25") == held_by(store, "prefix:198.51.100.0/24") \
        == {broadband.id}
    reasons = [m["reason"] for m in store.merge_log() if "absorbed" in m["reason"]]
    assert any("EXAMPLE3_AFRINIC" in r and "publication 2023-03-01" in r for r in reasons)
    separate = named_view(store)

    ops.unload(store, str(paths["as2org"]))
    first, third = node(store, "afrinic:EXAMPLE1"), node(store, "afrinic:EXAMPLE3")
    assert first.id != third.id and first.name == "afrinic:EXAMPLE1"
    assert held_by(store, "asn:64510") == {third.id}
    assert held_by(store, "asn:64496") == {first.id}
    assert "Example Networks Ltd" not in first.aliases + third.aliases
    ops.unload(store, str(paths["whois"]))
    assert node(store, "afrinic:EXAMPLE2").id != node(store, "afrinic:EXAMPLE4").id
    assert held_by(store, "prefix:192.0.2.0/25") == {node(store, "afrinic:EXAMPLE4").id}

    store.clear()
    load_ok(store, *paths.values())  # one command
    assert named_view(store) == separate


def page_table(tmp_path: Path, *edges: dict[str, str]) -> Path:
    """A researcher's JSON Lines table naming the as2org organisation without its legal
    suffix (text evidence, not a registry record)."""
    rows = [{"id": "en", "type": "Organization", "name": "Example Networks"}, *edges]
    return write(tmp_path / "notes.jsonl", "".join(json.dumps(r) + "\n" for r in rows))


def test_a_bare_name_match_with_a_registry_record_is_a_candidate_not_a_merge(store, tmp_path):
    load_ok(store, files(tmp_path)["as2org"], page_table(tmp_path))
    registry, page = store.resolve("org:org-exa1-afrinic"), store.resolve("en")
    assert registry and page and registry != page
    assert not any(m["into"] in (registry, page) for m in store.merge_log())
    [candidate] = [c for c in merge_candidates(store) if c["name"] == "example networks"]
    assert {n["id"] for n in candidate["nodes"]} == {registry, page}


def test_a_page_naming_the_registry_records_as_number_merges(store, tmp_path):
    table = page_table(tmp_path, {"source": "en", "target": "AS64496", "type": "OPERATES"})
    load_ok(store, files(tmp_path)["as2org"], table)
    org = node(store, "org:org-exa1-afrinic")
    assert store.resolve("en") == org.id and "Example Networks" in org.aliases
    assert any("named with 64496" in m["reason"] for m in store.merge_log())
    assert not [c for c in merge_candidates(store) if c["name"] == "example networks"]


def test_two_registry_datasets_do_not_merge_by_name_alone(store, tmp_path):
    whois = ("organisation:   ORG-EXN9-AFRINIC\norg-name:       Example Networks Ltd\n"
             "org-type:       LIR\nsource:         AFRINIC\n")
    load_ok(store, files(tmp_path)["as2org"], write(tmp_path / "afrinic.db", whois))
    as2org, rpsl_org = store.resolve("org:org-exa1-afrinic"), store.resolve("org:org-exn9-afrinic")
    assert as2org and rpsl_org and as2org != rpsl_org
    assert any({n["id"] for n in c["nodes"]} == {as2org, rpsl_org}
               for c in merge_candidates(store))


def test_candidates_from_the_command_line(tmp_path: Path):
    from typer.testing import CliRunner

    from api.cli import app

    db = str(tmp_path / "g.db")
    runner = CliRunner()
    paths = [str(files(tmp_path)["as2org"]), str(page_table(tmp_path))]
    assert runner.invoke(app, ["load", *paths, "--db", db]).exit_code == 0
    result = runner.invoke(app, ["candidates", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert ["Example Networks", "Example Networks Ltd"] in \
        [sorted(n["name"] for n in c["nodes"]) for c in found]


# A range whose organisation is defined after it (in a later part when streamed), and one
# whose organisation is defined before it.
WHOIS_MORE = """
inetnum:        203.0.113.0 - 203.0.113.255
netname:        LATE-NET
org:            ORG-LATE1-AFRINIC
status:         ALLOCATED PA
source:         AFRINIC

aut-num:        AS64501
as-name:        EARLY-AS
org:            ORG-EXB2-AFRINIC
source:         AFRINIC

organisation:   ORG-LATE1-AFRINIC
org-name:       Late Example Org
org-type:       LIR
country:        ZA
source:         AFRINIC
"""


def test_a_whois_dump_streams_in_parts_with_reload_and_unload(store, tmp_path, monkeypatch):
    from graph.settings import get_settings

    paths = files(tmp_path)
    whois = write(tmp_path / "afrinic.db.gz", WHOIS + WHOIS_MORE)
    assert len(list(rpsl.stream(whois, 3))) > 3
    load_ok(store, paths["delegated"], whois)  # one part: the reference result
    whole = named_view(store)
    store.clear()
    monkeypatch.setenv("GOVGRAPH_PART_ROWS", "3")
    get_settings.cache_clear()
    load_ok(store, paths["delegated"])
    before = named_view(store)
    for _ in range(2):  # a load, then a reload of the same dump
        load_ok(store, whois)
        assert named_view(store) == whole
    assert node(store, "org:org-late1-afrinic").name == "Late Example Org"
    assert held_by(store, "prefix:198.51.100.0/24") == {node(store, "afrinic:EXAMPLE2").id}
    ops.unload(store, str(whois))
    assert named_view(store) == before
    get_settings.cache_clear()


# Delegated blocks (RFC 5737 / 3849) and whois ranges that do not equal them: the smallest
# covering range wins (192.0.2.64/26: ORG-MID, not ORG-BIG); a block filled by ranges of one
# organisation is that organisation's (203.0.113.0/25); ranges of two organisations inside a
# block name nobody (203.0.113.128/25); an inet6num covers a longer IPv6 block.
RANGES_DELEGATED = """\
2|afrinic|20230301|4|00000000|20230301|00000
afrinic|*|ipv4|*|3|summary
afrinic|*|ipv6|*|1|summary
afrinic|ZA|ipv4|192.0.2.64|64|20100101|allocated|EXAMPLE5
afrinic|ZA|ipv4|203.0.113.0|128|20100101|allocated|EXAMPLE6
afrinic|ZA|ipv4|203.0.113.128|128|20100101|allocated|EXAMPLE7
afrinic|ZA|ipv6|2001:db8:1::|48|20100101|allocated|EXAMPLE8
"""


def _org(handle: str, name: str) -> str:
    return f"organisation:   {handle}\norg-name:       {name}\nsource:         AFRINIC\n\n"


def _range(kind: str, text: str, handle: str) -> str:
    return f"{kind}:{' ' * (15 - len(kind))}{text}\norg:            {handle}\n\n"


RANGES_WHOIS = "".join([
    _range("inetnum", "192.0.2.0 - 192.0.2.255", "ORG-BIG1-AFRINIC"),
    _range("inetnum", "192.0.2.0 - 192.0.2.127", "ORG-MID1-AFRINIC"),
    _range("inetnum", "203.0.113.0 - 203.0.113.63", "ORG-SPL1-AFRINIC"),
    _range("inetnum", "203.0.113.64 - 203.0.113.127", "ORG-SPL1-AFRINIC"),
    _range("inetnum", "203.0.113.128 - 203.0.113.191", "ORG-MID1-AFRINIC"),
    _range("inetnum", "203.0.113.192 - 203.0.113.255", "ORG-BIG1-AFRINIC"),
    _range("inet6num", "2001:db8::/32", "ORG-SIX1-AFRINIC"),
    _org("ORG-BIG1-AFRINIC", "Big Example"), _org("ORG-MID1-AFRINIC", "Mid Example"),
    _org("ORG-SPL1-AFRINIC", "Split Example"), _org("ORG-SIX1-AFRINIC", "Six Example")])


@pytest.mark.parametrize("order", [("delegated", "whois"), ("whois", "delegated")])
def test_a_delegated_block_is_named_by_the_most_specific_whois_range(store, tmp_path, order):
    paths = {"delegated": write(tmp_path / "delegated-afrinic-extended-20230301",
                                RANGES_DELEGATED),
             "whois": write(tmp_path / "afrinic.db", RANGES_WHOIS)}
    for name in order:
        load_ok(store, paths[name])
    assert node(store, "afrinic:EXAMPLE5").name == "Mid Example"
    assert node(store, "afrinic:EXAMPLE6").name == "Split Example"
    assert node(store, "afrinic:EXAMPLE7").name == "afrinic:EXAMPLE7"
    assert node(store, "afrinic:EXAMPLE8").name == "Six Example"
    assert node(store, "Big Example").id not in {node(store, f"afrinic:EXAMPLE{n}").id
                                                 for n in (5, 6, 7, 8)}
    reasons = " | ".join(m["reason"] for m in store.merge_log())
    assert "192.0.2.64/26" in reasons and "2001:db8:1::/48" in reasons
    ops.unload(store, str(paths["whois"]))
    assert node(store, "afrinic:EXAMPLE5").name == "afrinic:EXAMPLE5"


def test_the_range_index_finds_covering_and_inner_ranges():
    from graph.ranges import RangeIndex, block_range, most_specific

    spans = {"prefix:192.0.2.0/24": "big", "192.0.2.0-192.0.2.127": "mid",
             "203.0.113.0/26": "a", "203.0.113.64/26": "a", "2001:db8::/32": "six"}
    index = RangeIndex((block_range(k), v) for k, v in spans.items())
    assert most_specific(index, block_range("192.0.2.64/26")) == "mid"
    assert most_specific(index, block_range("192.0.2.128/25")) == "big"
    assert most_specific(index, block_range("203.0.113.0/25")) == "a"
    assert most_specific(index, block_range("203.0.113.0/24")) is None  # nothing covers it
    assert most_specific(index, block_range("2001:db8:1::/48")) == "six"
    assert block_range("prefix:not a range") is None


def test_a_copied_store_undoes_an_absorption_when_its_cause_is_unloaded(store, tmp_path):
    from graph.store.memory import MemoryStore
    from graph.store.sync import sync

    paths = several_holders(tmp_path)
    original = MemoryStore()
    for name in ("delegated", "as2org"):
        load_ok(original, paths[name])
    assert sync(original, store)["absorbed"] == 1
    assert named_view(store) == named_view(original)
    for copy in (original, store):
        ops.unload(copy, str(paths["as2org"]))
    assert node(store, "afrinic:EXAMPLE1").id != node(store, "afrinic:EXAMPLE3").id
    assert named_view(store) == named_view(original)
