"""The profile-page loader: each rendering in .txt, .md and .html, resolution across pages
and loads, the judgements file, and bad pages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import ops
from graph import export
from graph.ids import fold
from graph.model import Batch
from loaders import LoadError, loader_for
from loaders.profile import is_headline, load_profile
from loaders.profile_facts import cut_at_role, role_names, title_case
from loaders.profile_fields import iso_date
from tests.conftest import DATA
from tests.helpers import counts
from tests.profile_expect import expected, score

PAGES = DATA / "profiles"
FILES = sorted(p for p in PAGES.iterdir() if p.suffix in {".txt", ".md", ".html"})


def facts(batch: Batch) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    """(type, name) of every entity and (source name, type, target name) of every relation."""
    names = {e.id: e.name for e in batch.entities}
    return ({(e.type, e.name) for e in batch.entities},
            {(names[r.source], r.type, names[r.target]) for r in batch.relations})


def exported(store) -> dict:
    return json.loads("".join(export.render("json", store.iter_entities(),
                                            store.iter_edges())))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_page_alone_yields_what_it_states(sqlite_store, path):
    assert loader_for(path).name == "profile"
    report = ops.load(sqlite_store, [str(path)])
    assert not report.errors
    result = score(exported(sqlite_store), pages=[path.stem])
    assert result.missing == []
    assert result.headlines_as_actors == []


def test_seed_page_is_a_profile_never_an_institution(tmp_path):
    seed = tmp_path / "seed.txt"
    shutil.copy(DATA / "profiles" / "seed_flat.txt", seed)  # a verbatim copy of the seed
    batch = load_profile(seed)
    [doc] = [e for e in batch.entities if e.type == "Profile"]
    assert doc.name == "Why internet registries must never cross the line into enforcement roles"
    assert doc.properties["stated_type"] == "internet infrastructure institution"
    assert doc.properties["profile_focus"] == "Institution"
    assert doc.properties["operational_criticality"] == "Medium"
    assert doc.properties["time_horizon"] == "Next quarter"
    assert doc.properties["source_type"] == "Several public sources"
    assert len(doc.properties["key_points"]) == 2
    assert not any(fold(e.name) == fold(doc.name) for e in batch.entities if e is not doc)
    types, rels = facts(batch)
    assert ("Person", "Heng") not in types
    roles = {(r.properties["role"], r.locator, r.confidence) for r in batch.relations
             if r.type == "ROLE_AT"}
    assert roles == {("CEO", "line 19", 0.9), ("Founder", "line 19", 0.9)} | {
        ("CEO", "line 19", 0.9)}
    assert len([r for r in batch.relations if r.type == "ROLE_AT"]) == 3


def test_boilerplate_never_reaches_the_graph():
    batch = load_profile(PAGES / "seed_flat.txt")
    text = json.dumps([e.name for e in batch.entities] + [r.locator for r in batch.relations])
    for words in ("Strategic Circle", "Leadership Alliance", "Login", "Member Briefing"):
        assert words not in text
    mentions = [r for r in batch.relations if r.type == "MENTIONS"]
    assert all(r.confidence == 0.5 for r in mentions)


@pytest.mark.parametrize("stem", ["seed_flat", "card_afrinic", "article_rirs",
                                  "other_cloud_innovation"])
def test_html_reads_like_the_text_version(stem):
    assert facts(load_profile(PAGES / f"{stem}.txt")) == facts(load_profile(
        PAGES / f"{stem}.html"))


def test_card_fields_and_stated_grade():
    props = load_profile(PAGES / "card_afrinic.txt").entities[0].properties
    assert props["confidence"] == 0.8 and props["stated_grade"] == "C"
    assert props["grade"] == "A/B" and props["grade_disagrees"] is True
    assert (props["region"], props["category"], props["signal_focus"]) == (
        "Africa", "Internet Governance", "Governance")
    assert (props["content_type"], props["primary_domain"], props["topic"], props["impact"]) \
        == ("Institution profile", "IP address allocation", "Number resources", "High")
    md = load_profile(PAGES / "card_lu_heng.md").entities[0].properties
    assert md["confidence"] == 0.8 and md["confidence_label"] == "Limited"
    assert "stated_grade" not in md


def test_article_byline_and_navigation():
    batch = load_profile(PAGES / "article_rirs.txt")
    doc = batch.entities[0]
    assert doc.type == "Article"
    assert doc.properties["author"] == "Jane Doe"
    assert doc.properties["published"] == "2026-03-02"
    types, rels = facts(batch)
    assert ("Jane Doe", "AUTHORED", doc.name) in rels
    assert all("News" not in name for _, name in types)  # the menu's "AFRINIC News"
    assert not any(name.startswith("Some other story") for _, name in types)


def test_whole_corpus_merges_into_one_graph_and_reloads_idempotently(sqlite_store):
    report = ops.load(sqlite_store, [str(PAGES)])
    assert not report.errors and len(report.results) == len(FILES)
    result = score(exported(sqlite_store))
    assert {k: result.rate(k) for k in result.total} == {k: 1.0 for k in result.total}
    before = counts(sqlite_store)
    assert not ops.load(sqlite_store, [str(PAGES)]).errors
    assert counts(sqlite_store) == before
    people = [e for e in sqlite_store.iter_entities() if e.type == "Person"]
    assert sorted(p.name for p in people) == ["Jane Doe", "Lu Heng"]
    [essay] = [e for e in sqlite_store.iter_entities() if e.type == "Essay"]
    assert essay.name == "Why Registries Must Never Become Enforcers"
    [authored] = [e for e in sqlite_store.edges([essay.id]) if e.type == "AUTHORED"]
    assert len({c.source_id for c in authored.sources}) == 5  # one fact, a claim per page
    assert authored.confidence > 0.7


def test_one_page_at_a_time_equals_all_together(tmp_path):
    from graph.store.sqlite import SQLiteStore

    with SQLiteStore(tmp_path / "a.db") as one, SQLiteStore(tmp_path / "b.db") as each:
        ops.load(one, [str(PAGES)])
        for path in FILES:
            ops.load(each, [str(path)])
        assert counts(one) == counts(each)
        assert {e.id for e in one.iter_entities()} == {e.id for e in each.iter_entities()}


@pytest.mark.parametrize("name,content,reason", [
    ("scripts.html", "<html><body><script>var a = 1;</script></body></html>", "no text"),
    ("rules.md", "---\n***\n| --- | --- |\n", "no text"),
    ("markup.htm", "<html><head><title>T</title></head><body><form>Log in</form></body></html>",
     "no text"),
])
def test_unparseable_page_is_reported_by_name_and_the_rest_load(sqlite_store, tmp_path, name,
                                                                content, reason):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(PAGES / "seed_flat.txt", folder / "seed.txt")
    bad = folder / name
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    report = ops.load(sqlite_store, [str(folder)])
    assert len(report.results) == 1
    assert len(report.errors) == 1 and str(bad) in report.errors[0]
    assert reason in report.errors[0]
    with pytest.raises(LoadError, match=reason):
        load_profile(bad)


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "empty page"), ("blank.md", b"\n  \n\t\n", "empty page"),
    ("bad.txt", b"a page \xc3\x28 not utf-8", "invalid UTF-8"),
    ("binary.html", b"<html>\x00\x01", "binary"),
])
def test_unreadable_page_names_file_and_reason(tmp_path, name, content, reason):
    bad = tmp_path / name
    bad.write_bytes(content)
    with pytest.raises(LoadError, match=reason) as caught:
        load_profile(bad)
    assert str(caught.value).startswith(str(bad))


def test_binary_page_is_refused(sqlite_store, tmp_path):
    bad = tmp_path / "binary.html"
    bad.write_bytes(b"<html>\x00\x01\x02")
    report = ops.load(sqlite_store, [str(bad)])
    assert report.errors == [f"{bad}: binary file (contains NUL bytes), not text"]


# ------------------------------------------------------------------ judgements
NODES = """id,type,name,aliases
c1,Company,Cloud Innovation,CI
"""
OTHER = """id,type,name,aliases
c2,Company,Crystal Innovation,CI
"""


def test_names_merge_without_judgements(sqlite_store, write_file):
    ops.load(sqlite_store, [str(write_file("a.csv", NODES))])
    ops.load(sqlite_store, [str(write_file("b.csv", OTHER))])
    assert [e.id for e in sqlite_store.iter_entities()] == ["org:cloud-innovation"]
    assert "'CI'" in sqlite_store.merge_log()[0]["reason"]


def test_not_same_judgement_blocks_a_merge(sqlite_store, write_file):
    verdicts = write_file("judgements.csv", "a,b,same,note\nCrystal Innovation,"
                                            "org:cloud-innovation,no,two companies\n")
    ops.load(sqlite_store, [str(write_file("a.csv", NODES))])
    report = ops.load(sqlite_store, [str(verdicts), str(write_file("b.csv", OTHER))])
    assert not report.errors
    assert sorted(e.id for e in sqlite_store.iter_entities()) == [
        "org:cloud-innovation", "org:crystal-innovation"]
    assert sqlite_store.merge_log() == []


def test_same_judgement_forces_a_merge(sqlite_store, write_file):
    """Family name first or last: "Heng Lu" shares no name with "Lu Heng"."""
    verdicts = write_file("judgements.csv", "a,b,same\nHeng Lu,person:lu-heng,yes\n")
    people = write_file("people.csv", "id,type,name\np1,Person,Heng Lu\n")
    ops.load(sqlite_store, [str(PAGES / "seed_flat.txt")])
    ops.load(sqlite_store, [str(people), str(verdicts)])  # verdicts are written first
    assert sqlite_store.resolve("p1") == "person:lu-heng"
    [log] = sqlite_store.merge_log()
    assert log["merged"] == "person:heng-lu" and "judged the same as" in log["reason"]
    ops.unload(sqlite_store, str(verdicts))
    assert sqlite_store.resolve("person:heng-lu") == "person:lu-heng"  # made merges stay


@pytest.mark.parametrize("text,message", [
    ("a,b,same\nX Y,,yes\n", "must both name"),
    ("a,b,same\nX Y,Z W,perhaps\n", "yes or no"),
    ("a,b,same\n", "no judgements"),
])
def test_bad_judgements_file(write_file, text, message):
    path = write_file("j.csv", text)
    assert loader_for(path).name == "judgements"
    with pytest.raises(LoadError, match=message):
        loader_for(path).load(path)


# ------------------------------------------------------------------ units
@pytest.mark.parametrize("title,headline", [
    ("Why internet registries must never cross the line into enforcement roles", True),
    ("What is an RIR?", True), ("Lu Heng: IPv4 market shifts were inevitable", True),
    ("Who is Lu Heng? LARUS CEO", True), ("Cloud Innovation and the long dispute", True),
    ("Lu Heng", False), ("AFRINIC", False), ("RIPE NCC", False), ("Cloud Innovation Ltd.", False),
    ("Internet Assigned Numbers Authority (IANA)", False), ("Supreme Court of Mauritius", False),
])
def test_headlines_are_told_from_names(title, headline):
    assert is_headline(title) is headline


def test_small_parsers():
    assert iso_date("September 2025") == "2025-09"
    assert iso_date("January 11, 2026") == "2026-01-11"
    assert iso_date("17.05.2025") == "2025-05-17"
    assert iso_date("no date here") is None
    assert role_names("founder and Chief Executive Officer") == ["Founder", "CEO"]
    assert cut_at_role("Cloud Innovation Chief Executive Officer") == "Cloud Innovation"
    assert cut_at_role("founder of LARUS Foundation") == "LARUS Foundation"
    assert title_case("why registries must never become enforcers") == \
        "Why Registries Must Never Become Enforcers"


def test_dated_essay_in_prose(write_file):
    page = write_file("essay.txt", "Example Person writes on registries\n"
                      "In his September 2025 essay “On The Keeping Of Records,” Example Person, "
                      "founder of Example Registry Foundation, describes the work.\n")
    batch = load_profile(page)
    [essay] = [e for e in batch.entities if e.type == "Essay"]
    assert essay.name == "On the Keeping of Records" and essay.properties["published"] == "2025-09"
    types, rels = facts(batch)
    assert ("Example Person", "AUTHORED", "On the Keeping of Records") in rels
    assert ("Example Person", "ROLE_AT", "Example Registry Foundation") in rels


_FRAGMENTS = st.sampled_from([
    "——", "Lu Heng, CEO at ", "“", "”", "Also Read: ", "Home » ", "By ", "C · 0.8",
    "Institution Profiling / ", "| 0.90–1.00 | A |", "(", ")", " is profiled by X because ",
    "In his essay “", "titled “", "\n", "- Name: ", "Region", "<p>", "</p>", "<li>", "&amp;",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.one_of(_FRAGMENTS, st.text(max_size=40)), max_size=30).map("".join),
       suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_arbitrary_text_raises_nothing_but_load_error(tmp_path: Path, text: str, suffix: str):
    path = tmp_path / f"page{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        batch = load_profile(path)
    except LoadError as exc:
        assert str(path) in str(exc)
        return
    assert batch.entities and batch.entities[0].type in {"Profile", "Article"}


def test_expected_corpus_is_true_to_its_pages():
    exp = expected()
    stems = {p.stem for p in FILES}
    assert set(exp["pages"]) == stems
