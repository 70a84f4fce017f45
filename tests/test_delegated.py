"""RIR delegated-extended statistics: mapping, counts against the file, errors, robustness."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loaders
from api import ops
from graph.model import Batch
from loaders.base import LoadError
from loaders.delegated import build
from tests.conftest import DATA, ROOT
from tests.helpers import counts

SAMPLE = DATA / "delegated" / "delegated-sample-extended"
AFRINIC = ROOT / "data" / "demo" / "delegated-afrinic-extended-20230324"


def exported(store) -> tuple[list[dict], list[dict]]:
    graph = json.loads("".join(ops.export_chunks(store, "json")))
    return graph["nodes"], graph["edges"]


def independent_counts(path: Path) -> dict[str, object]:
    """Counted straight from the file: records per type, distinct holders (opaque ids of
    allocated/assigned records), distinct countries (codes other than ZZ and empty)."""
    per_type: Counter[str] = Counter()
    holders, countries = set(), set()
    for line in path.read_text().splitlines():
        fields = line.split("|")
        if line.startswith("#") or len(fields) < 7 or fields[1] == "*":
            continue
        if not fields[0].isalpha():  # the version line
            continue
        per_type[fields[2]] += 1
        if fields[6] in ("allocated", "assigned") and len(fields) > 7 and fields[7]:
            holders.add(fields[7])
        if fields[1] not in ("", "ZZ"):
            countries.add(fields[1])
    return {"types": dict(per_type), "holders": len(holders), "countries": len(countries)}


def graph_counts(nodes: list[dict]) -> dict[str, object]:
    """The same counts read from an export."""
    resources = Counter(n["resource_type"] for n in nodes if "resource_type" in n)
    return {"types": dict(resources),
            "holders": sum(1 for n in nodes if n["type"] == "Organization"),
            "countries": sum(1 for n in nodes if n["type"] == "Country")}


def test_detected_by_content_whatever_the_name(tmp_path: Path):
    copy = tmp_path / "stats.dat"
    copy.write_text(SAMPLE.read_text())
    assert loaders.loader_for(SAMPLE).name == "rir-delegated"
    assert loaders.loader_for(copy).name == "rir-delegated"
    other = tmp_path / "notes"
    other.write_text("registry|cc|type is a header people write in notes\n")
    with pytest.raises(LoadError):
        loaders.loader_for(other)


def test_sample_maps_resources_holders_countries(store):
    report = ops.load(store, [str(SAMPLE)])
    assert not report.errors and not report.warnings
    nodes, edges = exported(store)
    by_id = {n["id"]: n for n in nodes}
    assert graph_counts(nodes) == independent_counts(SAMPLE) == {
        "types": {"asn": 4, "ipv4": 5, "ipv6": 3}, "holders": 3, "countries": 4}
    assert by_id["asn:1229-1231"]["name"] == "AS1229-AS1231"
    assert by_id["prefix:41.0.0.0/16"]["ip_count"] == 65536
    assert by_id["prefix:196.1.0.0-196.1.5.255"]["ip_start"] == "196.1.0.0"
    assert by_id["prefix:102.0.4.0-102.0.15.255"]["status"] == "available"
    assert by_id["prefix:2c0f:f000::/32"]["date"] == "2004-08-04"
    assert by_id["country:za"]["name"] == "South Africa"
    assert by_id["country:eu"]["name"] == "European Union"
    assert by_id["org:afrinic"]["delegated_stats"]["holders"] == 3
    rel = {(e["source"], e["type"], e["target"]): e for e in edges}
    assert rel[("asn:1228", "HELD_BY", "org:afrinic:f36b9f4b")]["start"] == "1991-03-01"
    assert ("prefix:102.0.0.0/22", "HELD_BY", "org:afrinic") in rel  # reserved: the RIR's
    assert ("prefix:102.0.0.0/22", "ADMINISTERED_BY", "org:afrinic") in rel
    dep = rel[("org:afrinic:f36b9f4b", "DEPENDS_ON", "org:afrinic")]
    assert (dep["weight"], dep["asns"], dep["ipv6_prefixes"], dep["ipv6_slash48s"]) == \
        (65536, 4, 1, 65536)
    assert rel[("org:afrinic:f3648be1", "DEPENDS_ON", "org:afrinic")]["weight"] == 1792
    assert ("org:afrinic:f3648be1", "LOCATED_IN", "country:mu") in rel
    assert all(e["sources"][0]["locator"].startswith("line ") for e in edges)


def test_holder_resolves_by_opaque_id(sqlite_store):
    ops.load(sqlite_store, [str(SAMPLE)])
    assert sqlite_store.resolve("F3648BE1") == "org:afrinic:f3648be1"


def test_reloading_changes_nothing(store):
    ops.load(store, [str(SAMPLE)])
    before = exported(store)
    result = ops.load(store, [str(SAMPLE)]).results[0]
    assert (result.entities_added, result.relations_added, result.entities_removed,
            result.relations_removed, result.relations_updated) == (0, 0, 0, 0, 0)
    after = exported(store)
    strip = lambda edges: [{k: v for k, v in e.items() if k != "sources"} for e in edges]  # noqa: E731
    assert before[0] == after[0] and strip(before[1]) == strip(after[1])


def test_summary_mismatch_is_a_warning(write_file):
    text = SAMPLE.read_text().replace("afrinic|*|ipv4|*|5|summary", "afrinic|*|ipv4|*|6|summary")
    path = write_file("delegated-x", text.replace("|20230323|12|", "|20230323|13|"))
    batch = loaders.loader_for(path).load(path)
    assert any(":5: summary says 6 ipv4 records, file has 5" in w for w in batch.warnings)
    assert any("version line says 13 records, file has 12" in w for w in batch.warnings)


BAD_LINES = [
    ("afrinic|ZA|ipv4|196.1.0", "expected at least 7 fields"),
    ("afrinic|ZA|asn|12x4|1|19910301|allocated|F36B9F4B", "AS number '12x4'"),
    ("afrinic|ZA|ipv4|41.0.0.0|-5|20080122|allocated|F36B9F4B", "value '-5'"),
    ("afrinic|ZA|ipv4|41.0.0.0|65536|20081322|allocated|F36B9F4B", "bad date '20081322'"),
    ("afrinic|ZA|ipv4|41.0.0.0|65536|2008-01-22|allocated|F36B9F4B", "bad date"),
    ("afrinic|ZA|ipv4|300.0.0.0|256|20080122|allocated|F36B9F4B", "bad ipv4 resource"),
    ("afrinic|ZA|ipv4|255.255.255.0|512|20080122|allocated|F36B9F4B", "do not fit"),
    ("afrinic|ZA|ipv6|2c0f:f000::1|32|20040804|allocated|F36B9F4B", "bad ipv6 resource"),
    ("afrinic|ZA|ipv6|2c0f:f000::|129|20040804|allocated|F36B9F4B", "over 128"),
    ("afrinic|ZA|asn|4294967295|2|19910301|allocated|F36B9F4B", "outside"),
    ("afrinic|ZA|ipx|1|1|19910301|allocated|F36B9F4B", "unknown resource type"),
    ("afrinic|ZA|asn|1|1|19910301|stolen|F36B9F4B", "unknown status"),
    ("afrinic|Z1|asn|1|1|19910301|allocated|F36B9F4B", "bad country code"),
    ("afrinic|*|ipv4|*|lots|summary", "summary count 'lots'"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_malformed_line_fails_the_whole_file(store, write_file, line, reason):
    lines = SAMPLE.read_text().splitlines()
    lines.insert(9, line)  # becomes line 10
    path = write_file("delegated-bad", "\n".join(lines) + "\n")
    report = ops.load(store, [str(path)])
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{path}:10: ") and reason in report.errors[0]
    assert counts(store) == (0, 0, 0)


def test_truncated_last_line_and_empty_file(write_file):
    text = SAMPLE.read_text()
    cut = write_file("delegated-cut", text[: text.rindex("|F36ED442")].rsplit("|", 3)[0])
    with pytest.raises(LoadError, match=r"delegated-cut:\d+: expected at least 7 fields"):
        loaders.loader_for(cut).load(cut)
    header_only = write_file("delegated-empty", "2|afrinic|20230323|0|00000000|20230323|0\n")
    with pytest.raises(LoadError, match="no records"):
        loaders.loader_for(header_only).load(header_only)


FIELD = st.one_of(st.sampled_from(["afrinic", "ZA", "ZZ", "", "asn", "ipv4", "ipv6", "41.0.0.0",
                                   "2c0f:f000::", "1228", "256", "32", "19910301",
                                   "allocated", "available", "summary", "*", "F36B9F4B"]),
                  st.text(max_size=12))
LINE = st.one_of(st.lists(FIELD, max_size=9).map("|".join), st.text(max_size=40))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=8))
def test_any_text_loads_or_raises_load_error(lines):
    batch = Batch(source_id="t", uri="t", loader="t", retrieved_at="t")
    try:
        build(Path("fuzz"), lines, batch)
    except LoadError as exc:
        assert str(exc).startswith("fuzz")


@pytest.mark.slow
def test_afrinic_counts_equal_the_file_and_reload_is_idempotent(sqlite_store):
    report = ops.load(sqlite_store, [str(AFRINIC)])
    assert not report.errors and not report.warnings
    nodes, edges = exported(sqlite_store)
    expected = independent_counts(AFRINIC)
    assert graph_counts(nodes) == expected
    assert expected["types"] == {"asn": 3326, "ipv4": 5089, "ipv6": 6604}
    held = Counter(e["type"] for e in edges)
    assert held["HELD_BY"] == held["ADMINISTERED_BY"] == sum(expected["types"].values())
    before = counts(sqlite_store)
    again = ops.load(sqlite_store, [str(AFRINIC)]).results[0]
    assert counts(sqlite_store) == before
    assert (again.entities_added, again.relations_added, again.relations_updated,
            again.relations_removed) == (0, 0, 0, 0)


def test_reloading_a_changed_file_updates_only_what_changed(sqlite_store, write_file):
    path = write_file("delegated-live", SAMPLE.read_text())
    ops.load(sqlite_store, [str(path)])
    path.write_text(SAMPLE.read_text().replace(
        "afrinic|MU|ipv4|196.192.0.0|256|20101015|assigned|F3648BE1",
        "afrinic|MU|ipv4|196.192.0.0|256|20101015|assigned|F36ED442"))
    result = ops.load(sqlite_store, [str(path)]).results[0]
    nodes, edges = exported(sqlite_store)
    rel = {(e["source"], e["type"], e["target"]): e for e in edges}
    assert ("prefix:196.192.0.0/24", "HELD_BY", "org:afrinic:f36ed442") in rel
    assert ("prefix:196.192.0.0/24", "HELD_BY", "org:afrinic:f3648be1") not in rel
    assert rel[("org:afrinic:f3648be1", "DEPENDS_ON", "org:afrinic")]["weight"] == 1536
    assert rel[("org:afrinic:f36ed442", "DEPENDS_ON", "org:afrinic")]["weight"] == 256
    assert ("org:afrinic:f36ed442", "LOCATED_IN", "country:mu") in rel
    assert (result.relations_added, result.relations_removed) == (2, 2)
    assert result.relations_updated == 2  # the two holders' DEPENDS_ON weights
