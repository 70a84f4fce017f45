"""The text pipeline (loaders/text/ and loaders/profile_*): precision and recall on the
hand-labelled real pages of tests/data/text_pages/, and each rule the issue names, on
sentences written here with the expected facts written by hand."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api import ops
from graph.ids import fold
from graph.model import Batch
from loaders import LoadError
from loaders.profile import is_headline, load_profile
from loaders.profile_text import Line
from loaders.text import lexicon as text_lexicon
from loaders.text.gazetteer import NameMatcher
from loaders.text.lexicon import lexicon
from loaders.text.sentences import sentences
from tests.helpers import counts
from tests.text_labels import HELD_OUT, PAGES, PageScore, labels, page_files, score_batch

# The bars this project holds the pipeline to on its labelled pages (docs/loaders.md).
BARS = {"entities": (0.95, 0.90), "relations": (0.95, 0.85), "aliases": (None, 0.90)}
# Issue 14's bars for pages from publishers the rules were not written for. Each group was
# scored before any change for it (docs/benchmarks.md has every first score), then used to
# find general mechanisms; groups added later are held to what they measured when first
# scored until they too have been worked on.
# Groups 2 and 3 have been tuned on too since (issue 14, text3): every group is held to what
# it measures now; the figure for unseen publishers comes from groups this project never saw.
HELD_OUT_BARS = {
    1: {"entities": (0.95, 0.88), "relations": (0.95, 0.88), "aliases": (None, 1.0)},
    2: {"entities": (0.95, 1.0), "relations": (0.95, 1.0), "aliases": (None, 1.0)},
    3: {"entities": (0.95, 0.87), "relations": (0.95, 0.88), "aliases": (None, 1.0)},
}


def _source(path: Path) -> str:
    head = path.read_text(encoding="utf-8").splitlines()[0]
    return head.split("Source:", 1)[1].strip(" ->")


def test_labelled_set_is_real_pages_from_many_publishers():
    pages = labels()
    files = page_files()
    assert {p.stem for p in files} == set(pages)
    assert len(files) >= 20
    hosts = {urlsplit(_source(p)).hostname.removeprefix("www.") for p in files}
    assert len(hosts) >= 6
    kinds = {page["kind"] for page in pages.values()}
    assert {"news", "press release", "interview"} <= kinds
    assert kinds & {"speaker biography", "wiki biography"}


def _score_folder(folder: Path, bars: dict, group: int | None = None) -> None:
    total = PageScore()
    for path in page_files(folder):
        page = labels(folder)[path.stem]
        if group is None or page["group"] == group:
            total.add(score_batch(load_profile(path), page))
    for measure, (precision, recall) in bars.items():
        tally = getattr(total, measure)
        detail = f"{measure}: wrong {tally.wrong[:10]} missed {tally.missed[:10]}"
        if precision is not None:
            assert tally.precision >= precision, detail
        assert tally.recall >= recall, detail


def test_precision_and_recall_on_the_labelled_pages():
    _score_folder(PAGES, BARS)


def test_held_out_pages_are_real_pages_from_publishers_the_labelled_set_lacks():
    files = page_files(HELD_OUT)
    assert {p.stem for p in files} == set(labels(HELD_OUT)) and len(files) >= 12
    hosts = {urlsplit(_source(p)).hostname.removeprefix("www.") for p in files}
    known = {urlsplit(_source(p)).hostname.removeprefix("www.") for p in page_files()}
    assert len(hosts) >= 12 and not hosts & known


@pytest.mark.parametrize("group", sorted(HELD_OUT_BARS))
def test_precision_and_recall_on_the_held_out_pages(group):
    _score_folder(HELD_OUT, HELD_OUT_BARS[group], group)


def test_no_headline_is_a_person_or_organisation():
    for path in [*page_files(), *page_files(HELD_OUT)]:
        batch = load_profile(path)
        doc = batch.entities[0]
        if not is_headline(doc.name):
            continue  # a biography's title is its subject's name
        assert all(e.name != doc.name for e in batch.entities[1:]), path.name


def test_folder_loads_once_and_reloading_changes_nothing(sqlite_store):
    report = ops.load(sqlite_store, [str(PAGES)])
    assert not report.errors and len(report.results) == len(page_files())
    before = counts(sqlite_store)
    assert not ops.load(sqlite_store, [str(PAGES)]).errors
    assert counts(sqlite_store) == before


def test_a_page_that_cannot_be_read_is_named_with_its_reason(sqlite_store, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "good.txt").write_text(
        (PAGES / "mybroadband_strange_development.txt").read_text(encoding="utf-8"),
        encoding="utf-8")
    (folder / "bad.md").write_bytes(b"Lu Heng \xff\xfe said")
    report = ops.load(sqlite_store, [str(folder)])
    assert len(report.results) == 1
    [error] = report.errors
    assert error.startswith(str(folder / "bad.md")) and "UTF-8" in error


# ------------------------------------------------------------------ rules, one by one
def page(tmp_path: Path, text: str, name: str = "page.txt") -> Batch:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_profile(path)


def facts(batch: Batch) -> set[tuple[str, str, str]]:
    names = {e.id: e.name for e in batch.entities}
    return {(names[r.source], r.type, names[r.target]) for r in batch.relations}


def roles(batch: Batch) -> dict[tuple[str, str], dict]:
    """(person, organisation) -> the properties of its first role."""
    names = {e.id: e.name for e in batch.entities}
    out: dict[tuple[str, str], dict] = {}
    for r in batch.relations:
        if r.type == "ROLE_AT":
            out.setdefault((names[r.source], names[r.target]), r.properties)
    return out


def people(batch: Batch) -> set[str]:
    return {e.name for e in batch.entities if e.type == "Person"}


TITLE = "Registry news\n"


@pytest.mark.parametrize("sentence,person,org,role", [
    ("Eddy Kayihura, CEO of Afrinic, said the registry would appeal.",
     "Eddy Kayihura", "AFRINIC", "CEO"),
    ("The registry, AFRINIC, whose chief executive, Alan Barrett, spoke first, agreed.",
     "Alan Barrett", "AFRINIC", "CEO"),
    ("AFRINIC's board chair Christian Bope opened the meeting.",
     "Christian Bope", "AFRINIC", "Chair"),
    ("Cloud Innovation CEO Lu Heng disagreed.", "Lu Heng", "Cloud Innovation", "CEO"),
    ("Paul Wilson, who heads APNIC, spoke next.", "Paul Wilson", "APNIC", "Head"),
    ("Jane Roe, an analyst at Example Research Institute, disagreed.",
     "Jane Roe", "Example Research Institute", "Analyst"),
    ("John Doe was appointed managing director of Example Holdings Ltd in March 2021.",
     "John Doe", "Example Holdings Ltd", "Managing director"),
    ("ARIN has named John Curran as president and chief executive officer.",
     "John Curran", "ARIN", "President"),
    ("Oscar Robles is currently serving as LACNIC's CEO.", "Oscar Robles", "LACNIC", "CEO"),
    ("Jane Roe, who was the chief executive of Example Registry until 2020, disagreed.",
     "Jane Roe", "Example Registry", "CEO"),
    ("Jane Roe is an associate professor of law at Example University.",
     "Jane Roe", "Example University", "Professor"),
    ("Jane Roe, head of policy at Example Registry, disagreed.",
     "Jane Roe", "Example Registry", "Head of policy"),  # a field is part of the title
    ("Example Registry hired Jane Roe, previously of Sample Networks, as its general counsel.",
     "Jane Roe", "Example Registry", "General counsel"),
    ("Sample Networks Ltd sued Example Registry. Jane Roe, Sample's chief executive, spoke.",
     "Jane Roe", "Sample Networks Ltd", "CEO"),
    ("Chief executive Jane Roe of Example Registry spoke first.",
     "Jane Roe", "Example Registry", "CEO"),
    ("Example Registry said on Monday that Jane Roe will become its new chief executive.",
     "Jane Roe", "Example Registry", "CEO"),
    ("The panel heard Jane Roe (CEO, Example Registry) first.",
     "Jane Roe", "Example Registry", "CEO"),
    ("The panel heard Jane Roe (Example Registry's chief executive) first.",
     "Jane Roe", "Example Registry", "CEO"),
])
def test_roles_stated_in_prose(tmp_path, sentence, person, org, role):
    batch = page(tmp_path, TITLE + sentence + "\n")
    props = roles(batch).get((person, org))
    assert props is not None and props["role"] == role, roles(batch)


def test_appointments_in_a_sentence_case_headline_and_the_present_tense(tmp_path):
    batch = page(tmp_path, "Example Registry picks Jane Roe as new chief executive\n"
                 "Sample Networks Ltd taps John Doe as its CTO.\n")
    assert roles(batch) == {("Jane Roe", "Example Registry"): {"role": "CEO"},
                            ("John Doe", "Sample Networks Ltd"): {"role": "CTO"}}


def test_speaker_page_name_line_then_title_line(tmp_path):
    batch = page(tmp_path, "Speakers\n\nJane Roe\n\nResearch Director, Example Cyber Initiative "
                 "(ECI), Example University\n\nJohn Doe\n\nPrincipal, Internet Policy and "
                 "Advocacy\n\nHe is a past board member of the Internet Society. He was also "
                 "named a Senior Fellow with the Example Institute in 2018.\n")
    assert roles(batch) == {
        ("Jane Roe", "Example Cyber Initiative"): {"role": "Director"},
        ("John Doe", "Internet Society"): {"role": "Board member", "former": True},
        ("John Doe", "Example Institute"): {"role": "Fellow", "since": "2018"}}


def test_stenographic_turns_and_an_organisation_title_name_headline(tmp_path):
    batch = page(tmp_path, "Q&A: Example Registry managing director Jane Roe\n\n"
                 "JOHN DOE: Welcome to your favourite Working Group, everyone.\n\n"
                 "JANE ROE: Thank you, John.\n\nICANN BOARD: Members met.\n")
    assert roles(batch) == {("Jane Roe", "Example Registry"): {"role": "Managing director"}}
    quoted = {s for s, t, _ in facts(batch) if t == "QUOTED_IN"}
    assert quoted == {"Jane Roe", "John Doe"}
    assert people(batch) == {"Jane Roe", "John Doe"}
    assert "Working Group" not in {e.name for e in batch.entities}


def test_acronym_initials_boards_weekdays_and_title_case_headlines(tmp_path):
    batch = page(tmp_path, "EPR CEO Jane Roe Resigns\n\nJane Roe, CEO of the Example Public "
                 "Registry, has resigned, the EPR statement said. The Example Public Registry "
                 "Board of Directors will find a successor. John Doe is serving as interim CEO.\n"
                 "The Internet Corporation for Assigned Names and Numbers Tuesday agreed.\n"
                 "Ann Poe, who joined ICANN's board of directors a year ago, said nothing.\n")
    orgs = {e.name: set(e.aliases) for e in batch.entities[1:] if e.type != "Person"}
    assert set(orgs) == {"Example Public Registry", "ICANN"} and "EPR" in orgs[
        "Example Public Registry"]
    assert people(batch) == {"Jane Roe", "John Doe", "Ann Poe"}
    assert roles(batch)[("John Doe", "Example Public Registry")] == {"role": "CEO",
                                                                     "interim": True}
    assert ("Ann Poe", "MEMBER_OF", "ICANN") in facts(batch)


def test_role_qualifiers_and_start_date(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe, the former CEO of Example Holdings Ltd, spoke.\n"
                 "John Doe, the interim CEO of Example Registry, agreed.\n"
                 "Ann Poe, acting director of Example Foundation, declined.\n"
                 "ARIN has named John Curran as president, effective July 1, 2009.\n")
    found = roles(batch)
    assert found[("Jane Roe", "Example Holdings Ltd")] == {"role": "CEO", "former": True}
    assert found[("John Doe", "Example Registry")] == {"role": "CEO", "interim": True}
    assert found[("Ann Poe", "Example Foundation")] == {"role": "Director", "acting": True}
    later = roles(page(tmp_path, TITLE + "Ann Poe, previously chief technology officer at Example "
                       "Registry, joined Sample Networks Ltd in 2020.\nJohn Doe, who has led "
                       "Example Foundation since 2015, agreed.\n", "later.txt"))
    assert later[("Ann Poe", "Example Registry")] == {"role": "CTO", "former": True}
    assert later[("John Doe", "Example Foundation")] == {"role": "Head", "since": "2015"}
    assert found[("John Curran", "ARIN")] == {"role": "President", "since": "2009-07-01"}


@pytest.mark.parametrize("sentence,speaker", [
    ("“We will appeal,” said Jane Roe, a lawyer.", "Jane Roe"),
    ("Jane Roe said the registry would appeal.", "Jane Roe"),
    ("According to Jane Roe, the registry will appeal.", "Jane Roe"),
    ("Jane Roe told Reuters the registry would appeal.", "Jane Roe"),
    ("Jane Roe wrote that the registry would appeal.", "Jane Roe"),
])
def test_direct_and_reported_speech(tmp_path, sentence, speaker):
    batch = page(tmp_path, TITLE + sentence + "\n")
    assert (speaker, "QUOTED_IN", "Registry news") in facts(batch)


def test_speaker_named_by_a_title_is_the_person_holding_it(tmp_path):
    batch = page(tmp_path, TITLE + "Example Registry named Jane Roe as chief executive. "
                 "John Doe, its chair, agreed.\n“We will appeal,” the chief executive said.\n"
                 "The CTO said nothing.\n")
    quoted = {s for s, t, _ in facts(batch) if t == "QUOTED_IN"}
    assert quoted == {"Jane Roe"}  # nobody on the page is the CTO: no speaker
    batch = page(tmp_path, TITLE + "Ann Poe will succeed its executive director, Jane Roe. "
                 "Example Registry agreed.\n“It was an honour,” said the outgoing CEO.\n"
                 "John Doe will then serve as the registry's managing director.\n", "eq.txt")
    assert {s for s, t, _ in facts(batch) if t == "QUOTED_IN"} == {"Jane Roe"}


@pytest.mark.parametrize("text,expected,absent", [
    ("Sample Networks Ltd sued Example Registry. Its chief executive, Jane Roe, declined to "
     "comment.\nThe company's chair John Doe did not.\nExample Registry and its founder, Ann "
     "Poe, disagreed.\n",
     {("Jane Roe", "Sample Networks Ltd"): {"role": "CEO"},
      ("John Doe", "Sample Networks Ltd"): {"role": "Chair"},
      ("Ann Poe", "Example Registry"): {"role": "Founder"}},
     {("Jane Roe", "Example Registry")}),
    ("Jane Roe and John Doe, the CEOs of Example Registry and Sample Networks Ltd, met.\n"
     "Ann Poe, who led Example Foundation for ten years, spoke.\n",
     {("Jane Roe", "Example Registry"): {"role": "CEO"},
      ("John Doe", "Sample Networks Ltd"): {"role": "CEO"},
      ("Ann Poe", "Example Foundation"): {"role": "Head", "former": True}},
     {("Jane Roe", "Sample Networks Ltd")}),
])
def test_roles_from_its_title_coordinations_and_roles_held_before(tmp_path, text, expected,
                                                                  absent):
    found = roles(page(tmp_path, TITLE + text))
    assert {pair: found.get(pair) for pair in expected} == expected
    assert not absent & set(found)


def test_a_title_after_a_name_without_organisation_and_occupations(tmp_path):
    batch = page(tmp_path, TITLE + "Example Registry met. Example Registry voted. Example "
                 "Registry closed.\n“We agree,” said Jane Roe, Chair of the Board of Directors.\n"
                 "Professor John Doe and journalist Ann Poe disagreed.\n")
    assert roles(batch) == {("Jane Roe", "Example Registry"): {"role": "Chair"}}


def test_outlets_a_person_spoke_to_and_known_publishers_are_publishers(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe told Example Wire News the registry would appeal.\n"
                 "The Register offers that advice. John Doe told Ann Poe nothing. The register "
                 "of members is public.\n")
    publishers = {e.name for e in batch.entities if e.type == "Publisher"}
    assert publishers == {"Example Wire News", "The Register"}
    assert people(batch) == {"Jane Roe", "John Doe", "Ann Poe"}


def test_an_organisation_name_is_not_cut_into_a_person(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe is Chairman and CEO of the Corporation for "
                 "National Research Initiatives (CNRI).\nThe CEO of ICANN Fadi Chehade spoke.\n"
                 "Important People: Principal Figures of the Internet\n")
    assert people(batch) == {"Jane Roe", "Fadi Chehade"}
    assert set(roles(batch)) == {("Jane Roe", "Corporation for National Research Initiatives"),
                                 ("Fadi Chehade", "ICANN")}


def test_pronoun_speaker_is_the_subject_named_before(tmp_path):
    batch = page(tmp_path, TITLE + "Lu Heng, CEO at LARUS Ltd, has criticised Paul Wilson.\n"
                 "“The registry must change,” he said.\n")
    quoted = {s for s, t, _ in facts(batch) if t == "QUOTED_IN"}
    assert quoted == {"Lu Heng"}


@pytest.mark.parametrize("byline", ["By Jane Roe", "Written by Jane Roe",
                                    "Jane Roe | 3 March 2023"])
def test_bylines(tmp_path, byline):
    batch = page(tmp_path, f"Registry news\n{byline}\n\nThe registry met on Monday.\n")
    assert ("Jane Roe", "AUTHORED", "Registry news") in facts(batch)


@pytest.mark.parametrize("sentence,plaintiff,defendant", [
    ("Cloud Innovation filed a case against AFRINIC in 2021.", "Cloud Innovation", "AFRINIC"),
    ("Cloud Innovation sued AFRINIC for damages.", "Cloud Innovation", "AFRINIC"),
    ("In Afri Holdings Ltd v AFRINIC, the court ruled.", "Afri Holdings Ltd", "AFRINIC"),
    ("Cloud Innovation took AFRINIC to court.", "Cloud Innovation", "AFRINIC"),
    ("Cloud Innovation filed another case with the Supreme Court of Mauritius against AFRINIC.",
     "Cloud Innovation", "AFRINIC"),
    ("AFRINIC was sued by Cloud Innovation in 2021.", "Cloud Innovation", "AFRINIC"),
    ("A lawsuit brought by Cloud Innovation against AFRINIC was dismissed.",
     "Cloud Innovation", "AFRINIC"),
    ("Cloud Innovation has taken AFRINIC to court.", "Cloud Innovation", "AFRINIC"),
    ("Cloud Innovation challenged AFRINIC in court.", "Cloud Innovation", "AFRINIC"),
    ("Cloud Innovation's lawsuit against AFRINIC was heard.", "Cloud Innovation", "AFRINIC"),
    ("Cloud Innovation then applied for an urgent injunction against AFRINIC.",
     "Cloud Innovation", "AFRINIC"),
    ("Whilst Cloud Innovation lodged a claim for damages against AFRINIC, nothing changed.",
     "Cloud Innovation", "AFRINIC"),
])
def test_litigation(tmp_path, sentence, plaintiff, defendant):
    batch = page(tmp_path, TITLE + sentence + "\n")
    found = {f for f in facts(batch) if f[1] == "LITIGATES_AGAINST"}
    assert found == {(plaintiff, "LITIGATES_AGAINST", defendant)}  # never the wrong way round


def test_the_registry_is_the_registry_named_before(tmp_path):
    batch = page(tmp_path, TITLE + "Cloud Innovation Ltd sued AFRINIC in 2021. The registry then "
                 "sued Cloud Innovation Ltd for damages. The company relies on Example Transit "
                 "Ltd for its transit.\n")
    found = facts(batch)
    assert {f for f in found if f[1] == "LITIGATES_AGAINST"} == {
        ("Cloud Innovation Ltd", "LITIGATES_AGAINST", "AFRINIC"),
        ("AFRINIC", "LITIGATES_AGAINST", "Cloud Innovation Ltd")}
    assert ("Cloud Innovation Ltd", "DEPENDS_ON", "Example Transit Ltd") in found


@pytest.mark.parametrize("sentence,member,body", [
    ("Jane Roe is a member of the Internet Society.", "Jane Roe", "Internet Society"),
    ("Jane Roe, a member of the Internet Society, spoke.", "Jane Roe", "Internet Society"),
    ("Example Telecom Ltd joined the Internet Society as a member in 2019.",
     "Example Telecom Ltd", "Internet Society"),
    ("Jane Roe serves on the Internet Architecture Board.", "Jane Roe", "IAB"),
    ("Jane Roe has held positions on the Example Standards Board.", "Jane Roe",
     "Example Standards Board"),
])
def test_membership(tmp_path, sentence, member, body):
    batch = page(tmp_path, TITLE + sentence + "\n")
    assert (member, "MEMBER_OF", body) in facts(batch)


def test_membership_and_plain_dependencies_only(tmp_path):
    batch = page(tmp_path, TITLE + "Example Telecom Ltd receives its IP addresses from AFRINIC.\n"
                 "Example Networks Ltd relies on RIPE NCC for its address space.\n"
                 "Jane Roe is a member of the Internet Society.\n"
                 "This is about a registry system that we all depend on.\n"
                 "Example Bank Ltd praised ICANN and depends on nobody.\n")
    found = facts(batch)
    assert {f for f in found if f[1] == "DEPENDS_ON"} == {
        ("Example Telecom Ltd", "DEPENDS_ON", "AFRINIC"),
        ("Example Networks Ltd", "DEPENDS_ON", "RIPE NCC")}
    assert ("Jane Roe", "MEMBER_OF", "Internet Society") in found


def test_acronyms_in_either_order_and_possessives(tmp_path):
    batch = page(tmp_path, TITLE + "The Number Resource Organization (NRO) met.\n"
                 "PIR (Public Interest Registry) manages .ORG.\n"
                 "Public Interest Registry's board agreed.\n")
    orgs = {e.name: set(e.aliases) for e in batch.entities if e.type != "Person"}
    assert "Public Interest Registry" in orgs and "PIR" in orgs["Public Interest Registry"]
    assert "Number Resource Organization" in orgs["NRO"]


def test_acronym_after_renamed_organisations_and_examples_of_a_kind(tmp_path):
    batch = page(tmp_path, TITLE + "She ran the Example Network Exchange, ENX, and left.\n"
                 "The Tanzania Commission for Science and Technology (COSTECH) hosted it.\n"
                 "In 2012 I joined Dyn (later, Oracle Dyn) to build a lab.\n"
                 "Jane Roe, now CEO of Example Registry, agreed.\n"
                 "Organisations with .org domains include Wikipedia, Khan Academy, NPR, and the "
                 "IET.\nWe get addresses from ISPs (i.e., Comcast, our networks, etc.).\n")
    orgs = {e.name: set(e.aliases) for e in batch.entities if e.type != "Person"}
    assert "ENX" in orgs["Example Network Exchange"] and "Oracle Dyn" in orgs["Dyn"]
    assert {"Khan Academy", "NPR", "IET", "Comcast"} <= set(orgs)
    capitals = page(tmp_path, TITLE + "The registry separated from EXNET in 1998. He was CTO, "
                    "DCTO and chair of APIA, and works with many organizations including the ITU "
                    "and APEC-TEL. They work on DNS and BGP at the UK office.\n", "capitals.txt")
    assert {e.name for e in capitals.entities[1:]} == {"EXNET", "APIA", "ITU", "APEC-TEL"}
    [costech] = [name for name, aliases in orgs.items() if "COSTECH" in aliases | {name}]
    assert not any("Tanzania" in name for name in orgs if name != costech)
    assert "Jane Roe" in people(batch) and "Jane Roe" not in orgs


def test_middle_names_short_forms_and_family_names(tmp_path):
    batch = page(tmp_path, TITLE + "Eddy Mabano Kayihura was appointed CEO of AFRINIC.\n"
                 "Mr Kayihura thanked the board.\n"
                 "Eddy Kayihura said he was honoured.\n"
                 "Lu Heng, founder of Cloud Innovation, disagreed.\n"
                 "Wei Heng, a lawyer at Example Chambers, also spoke.\n"
                 "Heng said nothing more.\n")
    assert people(batch) == {"Eddy Mabano Kayihura", "Lu Heng", "Wei Heng"}
    [eddy] = [e for e in batch.entities if e.name == "Eddy Mabano Kayihura"]
    assert "Eddy Kayihura" in eddy.aliases
    quoted = {s for s, t, _ in facts(batch) if t == "QUOTED_IN"}
    assert quoted == {"Eddy Mabano Kayihura"}  # "Heng said" names two people: nobody


def test_headlines_places_and_things_are_not_actors(tmp_path):
    batch = page(tmp_path, "Why Registries Must Never Become Enforcers\n"
                 "The Registration Service Agreement (RSA) binds members in Mauritius.\n"
                 "Internet Protocol (IP) addresses are scarce, Heng said.\n"
                 "The Regional Internet Registry (RIR) system has five members.\n")
    actors = {e.name for e in batch.entities if e.type not in {"Article", "Profile"}}
    assert actors == set()


def test_sentence_is_the_locator(tmp_path):
    batch = page(tmp_path, TITLE + "The meeting was long. Jane Roe, CEO of Example Registry, "
                 "spoke last.\n")
    [role] = [r for r in batch.relations if r.type == "ROLE_AT"]
    assert role.locator == "line 2, char 22"


def test_hard_wrapped_lines_read_as_one_sentence():
    lines = [Line(3, "changing needs of the Internet community,” said Paul Vixie,"),
             Line(4, "Chairman of ARIN’s Board of Trustees in a statement.")]
    [sentence] = sentences(lines)
    assert sentence.no == 3 and sentence.text.endswith("in a statement.")


def test_html_metadata_and_json_ld(tmp_path):
    html = """<html><head><title>t</title>
    <meta property="og:title" content="Registry elects a board">
    <meta property="article:published_time" content="2024-11-03T10:00:00+00:00">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "NewsArticle", "headline": "Registry elects a board",
       "author": [{"@type": "Person", "name": "Jane Roe"}],
       "publisher": {"@type": "Organization", "name": "Example Wire"}},
      {"@type": "Person", "name": "John Doe", "jobTitle": "Chief Executive Officer",
       "worksFor": {"@type": "Organization", "name": "Example Registry"}}]}</script>
    </head><body><p>The members of the registry voted on Monday.</p></body></html>"""
    batch = page(tmp_path, html, "news.html")
    doc = batch.entities[0]
    assert doc.name == "Registry elects a board" and doc.properties["published"] == "2024-11-03"
    found = facts(batch)
    assert ("Jane Roe", "AUTHORED", doc.name) in found
    assert (doc.name, "PUBLISHED_BY", "Example Wire") in found
    assert roles(batch)[("John Doe", "Example Registry")] == {"role": "CEO"}


def test_publisher_from_the_page_address(tmp_path):
    batch = page(tmp_path, "Source: https://www.mybroadband.co.za/news/x.html\n\n"
                 "Afrinic news\nThe registry met.\n")
    assert ("Afrinic news", "PUBLISHED_BY", "MyBroadband") in facts(batch)


def test_names_the_caller_knows_are_found_without_a_store(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text(TITLE + "The blow was delivered by Crystal Web in June.\n", encoding="utf-8")
    assert "Crystal Web" not in {e.name for e in load_profile(path).entities}
    batch = load_profile(path, known_names=[("Crystal Web", "Company"), ("Heng", "Person")])
    assert ("Company", "Crystal Web") in {(e.type, e.name) for e in batch.entities}


def test_matcher_finds_whole_words_and_short_names_as_written():
    matcher = NameMatcher([("AFRINIC", "a"), ("CI", "c"), ("Lu Heng", "l")])
    hits = matcher.find("Lu Heng and ci of CI sued Afrinic, not AFRINICS.")
    assert [(h.key, h.start) for h in hits] == [("l", 0), ("c", 18), ("a", 26)]


def test_data_files_are_read_once_and_hold_every_list():
    assert lexicon() is lexicon()
    data = Path(text_lexicon.__file__).parent / "data"
    assert {p.name for p in data.glob("*.json")} == {
        "words.json", "roles.json", "institutions.json", "sites.json"}
    roles_file = json.loads((data / "roles.json").read_text(encoding="utf-8"))
    assert lexicon().role_titles == roles_file["titles"]


def test_arbitrary_prose_raises_nothing_but_load_error(tmp_path):
    for text in ["", "“”", "(((", "By\n", "Source: http://[::1\n", "a v b v c", "— — —"]:
        path = tmp_path / "x.txt"
        path.write_text(text, encoding="utf-8")
        try:
            load_profile(path)
        except LoadError as exc:
            assert str(path) in str(exc)


def test_a_single_word_is_an_organisation_only_when_written_as_a_name(tmp_path):
    batch = page(tmp_path, TITLE + "Lu Heng, CEO of Larus, said the registry was wrong.\n"
                 "Retiring Chair Dr Vint Cerf spoke.\n")
    assert {(e.type, e.name) for e in batch.entities[1:]} == {
        ("Person", "Lu Heng"), ("Organization", "Larus"), ("Person", "Vint Cerf")}


def test_event_briefing_cards_read_like_profile_cards(tmp_path):
    batch = page(tmp_path, "Event Briefing / Regional Internet Registry receivership event\n"
                 "AFRINIC\n"
                 "CategoryEvent\n"
                 "RegionAfrica\n"
                 "The Supreme Court of Mauritius restored the receiver.\n")
    doc = batch.entities[0]
    assert (doc.type, doc.name) == ("Profile", "AFRINIC")
    assert (doc.properties["category"], doc.properties["region"]) == ("Event", "Africa")
    assert ("AFRINIC", "ABOUT", "AFRINIC") in facts(batch)


def test_a_title_without_organisation_is_a_role_at_the_page_subject(tmp_path):
    about = ("AFRINIC met in Ebene. AFRINIC members voted. The registry, AFRINIC, agreed.\n"
             "The seat was vacant after the former CEO Alan Barrett resigned.\n")
    assert roles(page(tmp_path, TITLE + about))[("Alan Barrett", "AFRINIC")] == {
        "role": "CEO", "former": True}
    tie = ("AFRINIC met ARIN. AFRINIC and ARIN agreed. AFRINIC and ARIN signed.\n"
           "The seat was vacant after the former CEO Alan Barrett resigned.\n")
    assert not [k for k in roles(page(tmp_path, TITLE + tie)) if k[0] == "Alan Barrett"]


def test_nicknames_syllable_acronyms_and_who_said_what(tmp_path):
    batch = page(tmp_path, TITLE + 'ICANN has selected Kurt Erik "Kurtis" Lindqvist as its CEO.\n'
                 "Lindqvist has served as CEO of the London Internet Exchange (LINX) since 2019.\n"
                 "ICANN said Lindqvist would move to Geneva.\n")
    [kurt] = [e for e in batch.entities if e.type == "Person"]
    assert kurt.name == "Kurt Erik Lindqvist" and "Kurtis Lindqvist" in kurt.aliases
    [linx] = [e for e in batch.entities if e.name == "London Internet Exchange"]
    assert "LINX" in linx.aliases
    assert roles(batch)[("Kurt Erik Lindqvist", "London Internet Exchange")] == {
        "role": "CEO", "since": "2019"}
    assert not [f for f in facts(batch) if f[1] == "QUOTED_IN"]  # ICANN said it, not he


def _names_shared_by_two_entities(batch: Batch) -> list[str]:
    """Names that two people or organisations of the batch carry (a document may carry its
    subject's name: a biography's title)."""
    owner: dict[str, str] = {}
    shared = []
    for entity in batch.entities[1:]:
        if entity.type in {"Article", "Profile", "Essay"}:
            continue
        for name in {fold(n) for n in (entity.name, *entity.aliases)}:
            if owner.setdefault(name, entity.id) != entity.id:
                shared.append(name)
    return shared


def test_no_two_entities_of_a_page_share_a_name(tmp_path):
    """Two entities of one batch with a common name would be merged into one node by the
    store in the middle of writing the batch."""
    for path in page_files():
        assert _names_shared_by_two_entities(load_profile(path)) == [], path.name
    text = ("He worked for the International Development Research Centre (IDRC).\n"
            "The Number Resource Organization (NRO) and the Internet Society (ISOC) met.\n")
    batch = page(tmp_path, TITLE + text + text)
    assert _names_shared_by_two_entities(batch) == []
    assert {a for e in batch.entities for a in e.aliases} == {
        "IDRC", "Number Resource Organization", "ISOC"}


# ------------------------------------------------------------------ general mechanisms (issue 14)
def test_people_named_by_a_given_name_and_a_family_name(tmp_path):
    batch = page(tmp_path, "Göran Marby Steps Down as ICANN President and CEO\n"
                 "He recalled how Senior Lecturer Mark Cenite would question him.\n"
                 "ICANN Vice President Low Jia Rong led a summit in India.\n"
                 "The blow was struck by Crystal Web, a defunct Internet Service Provider that "
                 "sold DSL in South Africa.\n"
                 "(Port Louis, Mauritius) Heng said nothing. Although Crystal Web won, it lost.\n")
    assert people(batch) == {"Göran Marby", "Mark Cenite", "Low Jia Rong"}
    assert ("Organization", "Crystal Web") in {(e.type, e.name) for e in batch.entities}
    found = roles(batch)
    assert found[("Göran Marby", "ICANN")] == {"role": "President"}
    assert found[("Low Jia Rong", "ICANN")] == {"role": "Vice president"}


def test_a_name_with_an_organisation_kind_in_apposition_is_an_organisation(tmp_path):
    batch = page(tmp_path, TITLE + "The letter comes from Addrex, the IP address brokerage that "
                 "sold the block.\nJane Roe, CEO of Heficed, an IP address-centric company "
                 "offering cloud services, spoke.\n")
    orgs = {e.name for e in batch.entities if e.type not in {"Person", "Article"}}
    assert orgs == {"Addrex", "Heficed"}


@pytest.mark.parametrize("text,speaker", [
    ("“We will appeal,” said ICANN Board Chair Jane Roe.", "Jane Roe"),
    ("Jane Roe, President and CEO of ICANN said, « We will appeal. »", "Jane Roe"),
    ("The post was penned by Jane Roe, who hailed the choice as “excellent”.", "Jane Roe"),
    ("Jane Roe  0:09\nHello again and welcome to the podcast.", "Jane Roe"),
])
def test_more_ways_of_quoting(tmp_path, text, speaker):
    assert (speaker, "QUOTED_IN", "Registry news") in facts(page(tmp_path, TITLE + text + "\n"))


def test_a_possessive_is_not_a_speaker(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe joined in 1999. Jane's assured leadership helped.\n")
    assert not [f for f in facts(batch) if f[1] == "QUOTED_IN"]


@pytest.mark.parametrize("head", ["Authored by Jane Roe\n", "3 min read\n7 May 2024\nJane Roe\n"])
def test_more_bylines(tmp_path, head):
    batch = page(tmp_path, f"Registry news\n{head}\nThe registry met on Monday.\n")
    assert ("Jane Roe", "AUTHORED", "Registry news") in facts(batch)


def test_the_organisation_whose_site_it_is_publishes_the_page(tmp_path):
    text = "Source: https://www.example-broker.com/news/x\n\nBroker news\n" \
           "Jane Roe, CEO of Example-Broker, said prices rose.\n"
    assert ("Broker news", "PUBLISHED_BY", "Example-Broker") in facts(page(tmp_path, text))
    other = "Source: https://apnic.example/x\n\nBroker news\nAPNIC met.\n"
    assert not [f for f in facts(page(tmp_path, other)) if f[1] == "PUBLISHED_BY"]


@pytest.mark.parametrize("text,person,org,role", [
    ("The Example Network Information Centre (EXNIC) has named its new director general: "
     "ICANN regional managing director and vice president Jia Rong Low.",
     "Jia Rong Low", "Example Network Information Centre", "Director general"),
    ("Jia Rong Low spent 11 years at the Internet Corporation for Assigned Names and Numbers "
     "(ICANN), where he rose to become regional managing director.",
     "Jia Rong Low", "ICANN", "Managing director"),
    ("Jane Roe, the recently appointed director general of Example Registry, spoke.",
     "Jane Roe", "Example Registry", "Director general"),
    ("Lee Howard, Senior Vice President at Hilco Streambank and IPv4.Global, joins us.",
     "Lee Howard", "IPv4.Global", "Senior vice president"),
    ("Axel Pawlik Stepping Down as RIPE NCC Managing Director.",
     "Axel Pawlik", "RIPE NCC", "Managing director"),
])
def test_more_role_patterns(tmp_path, text, person, org, role):
    props = roles(page(tmp_path, TITLE + text + "\n")).get((person, org))
    assert props is not None and props["role"] == role, roles(page(tmp_path, TITLE + text))


def test_roles_at_the_organisation_the_page_is_about(tmp_path):
    about = "APNIC met. APNIC members voted. APNIC agreed.\n"
    batch = page(tmp_path, TITLE + about + "The org was led by Paul Wilson for 26 years.\n"
                 "The board accepted Jane Roe's resignation as President and CEO.\n"
                 "It announced the appointment of Rajnesh (Raj) Singh as Chief Executive Officer."
                 "\nRaj Singh thanked the board.\n")
    found = roles(batch)
    assert found[("Paul Wilson", "APNIC")] == {"role": "Head"}
    assert found[("Jane Roe", "APNIC")]["role"] == "President"
    assert found[("Rajnesh Singh", "APNIC")] == {"role": "CEO"}
    [raj] = [e for e in batch.entities if e.name == "Rajnesh Singh"]
    assert "Raj Singh" in raj.aliases


def test_a_litigant_in_cases_brought_against(tmp_path):
    batch = page(tmp_path, TITLE + "Although Crystal Web Ltd landed the hit, it was the primary "
                 "litigant in the over 55 court cases brought against AFRINIC since 2020.\n")
    assert ("Crystal Web Ltd", "LITIGATES_AGAINST", "AFRINIC") in facts(batch)


def test_a_load_finds_the_names_the_graph_already_holds(sqlite_store, tmp_path):
    first = tmp_path / "first.txt"
    first.write_text(TITLE + "Crystal Web, a defunct Internet Service Provider that sold DSL, "
                     "sued AFRINIC.\n", encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_text("Receivership news\nThe blow was delivered by Crystal Web in June.\n",
                      encoding="utf-8")
    assert "Crystal Web" not in {e.name for e in load_profile(second).entities}
    assert not ops.load(sqlite_store, [str(first)]).errors
    assert not ops.load(sqlite_store, [str(second)]).errors
    names = {e.id: e.name for e in sqlite_store.iter_entities()}
    mentions = {(names[e.source], names[e.target]) for e in sqlite_store.iter_edges()
                if e.type == "MENTIONS"}
    assert ("Receivership news", "Crystal Web") in mentions


def test_transcripts_dashes_and_the_organisations_own_voice(tmp_path):
    batch = page(tmp_path, "Action plan chat\nJane Roe: Hello everyone, welcome to the chat.\n"
                 "I'm joined by John Doe, our President and CEO, at the Example Society.\n"
                 "Ann Poe—the Chief Executive Officer of the Example Foundation (EF)—spoke.\n"
                 "Example Registry's first chair, Bob Loe, declined.\n")
    found = facts(batch)
    assert ("Jane Roe", "QUOTED_IN", "Action plan chat") in found
    got = roles(batch)
    assert got[("Ann Poe", "Example Foundation")] == {"role": "CEO"}
    assert got[("Bob Loe", "Example Registry")] == {"role": "Chair"}
    assert ("John Doe", "Example Society") not in got  # three organisations: none is "our"
    alone = page(tmp_path, "Action plan chat\nI'm joined by John Doe, our President and CEO, "
                 "at the Example Society.\n")
    assert roles(alone)[("John Doe", "Example Society")] == {"role": "President"}


def test_a_title_then_the_organisation_at_the_end_of_a_line(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe, President and CEO Example Society\n")
    assert roles(batch)[("Jane Roe", "Example Society")]["role"] == "President"


def test_byline_with_an_honorific(tmp_path):
    batch = page(tmp_path, "Registry news\nby Dr. Jane Roe\n\nThe registry met on Monday.\n")
    assert ("Jane Roe", "AUTHORED", "Registry news") in facts(batch)


def test_short_forms_of_organisations(tmp_path):
    batch = page(tmp_path, TITLE + "ICANN (Internet Corp for Assigned Names and Numbers) met.\n"
                 "The registry was sold to Ethos Capital. The deal gave Ethos control.\n"
                 "BBN Planet was founded by BBN in 1994.\n")
    orgs = {e.name: set(e.aliases) for e in batch.entities if e.type != "Article"}
    assert "Internet Corp for Assigned Names and Numbers" in orgs["ICANN"]
    assert "Ethos" in orgs["Ethos Capital"]
    assert "BBN" not in orgs["BBN Planet"]


def test_roles_taken_on_and_quotes_after_a_colon(tmp_path):
    batch = page(tmp_path, TITLE + "An interview with Jane Roe, who took on the role of Managing "
                 "Director of the Example Registry in May 2020.\n"
                 "John Doe, President of the Example Registry's Board, thanked her for her "
                 "years at the head of the organization: \"She led us well.\"\n"
                 "Ann Poe will serve as the organization's Executive Director.\n")
    got = roles(batch)
    assert got[("Jane Roe", "Example Registry")]["role"] == "Managing director"
    assert ("John Doe", "QUOTED_IN", "Registry news") in facts(batch)
    assert got[("Ann Poe", "Example Registry")] == {"role": "Executive director"}


def test_names_of_things_are_never_people(tmp_path):
    batch = page(tmp_path, TITLE + "This note was posted on RIPE Labs: Draft RIPE Chair Election "
                 "Procedure.\n")
    assert people(batch) == set()


def test_people_of_an_organisation_in_a_list(tmp_path):
    batch = page(tmp_path, TITLE + "The call was joined by Jane Roe of Example Society, John "
                 "Doe and Mary Major of the Example Frontier Foundation, and Ann Poe of "
                 "Example Capital.\n")
    names = {e.name: e.type for e in batch.entities if e.type != "Article"}
    assert {"Jane Roe", "John Doe", "Mary Major", "Ann Poe"} == people(batch)
    assert {"Example Society", "Example Frontier Foundation", "Example Capital"} <= set(names)
    assert not any(" of " in n for n in names)
    assert roles(batch) == {}  # no title: no role


def test_a_title_glued_to_a_name_never_starts_a_person(tmp_path):
    batch = page(tmp_path, TITLE + "NTIA Administrator Lawrence Strickling wrote in a blog post "
                 "that the work was done.\n")
    assert people(batch) == {"Lawrence Strickling"}
    assert roles(batch)[("Lawrence Strickling", "NTIA")] == {"role": "Administrator"}


@pytest.mark.parametrize("sentence,wanted", [
    ("Example Capital to Acquire Example Registry from the Example Society.",
     {"Example Capital", "Example Registry"}),  # a verb never starts a name
    ("Selected for the Board by the Example Foundation, she took her seat.",
     {"Example Foundation"}),  # nor a participle
    ("Most of Example Networks’ address space was used abroad.", {"Example Networks"}),
    ("Example Networks AND Sample Holdings Dispute: the Verdict.",
     {"Example Networks", "Sample Holdings"}),  # "AND" in capitals joins two names
])
def test_headline_fragments_are_not_organisations(tmp_path, sentence, wanted):
    batch = page(tmp_path, TITLE + sentence + "\n")
    assert {e.name for e in batch.entities if e.type != "Article"} - {"Example Society"} \
        == wanted


def test_a_preposition_never_stands_in_a_persons_name(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe, Example Society CEO, Arrogantly Deflects Questions "
                 "About the Sale of the Registry to a Private Equity Firm ⇥ example.com\n")
    assert people(batch) == {"Jane Roe"}
    assert set(roles(batch)) == {("Jane Roe", "Example Society")}


def test_news_outlets_the_data_knows_are_named_whole(tmp_path):
    batch = page(tmp_path, TITLE + "\"We never did,\" Jane Roe told The Post and Courier in May. "
                 "She said so in a 2010 Data Center Knowledge interview, as the Register and a "
                 "Wall Street Journal article reported.\n")
    outlets = {e.name: set(e.aliases) for e in batch.entities
               if e.type not in {"Article", "Person"}}
    assert set(outlets) == {"The Post and Courier", "Data Center Knowledge", "The Register",
                            "Wall Street Journal"}
    assert "Post and Courier" in outlets["The Post and Courier"]  # without its article


def test_an_organisation_and_its_founder_named_together(tmp_path):
    batch = page(tmp_path, TITLE + "The hosting company Example Networks LLC and founder Jane Roe "
                 "were the subject of a Wall Street Journal article last week.\n")
    assert roles(batch)[("Jane Roe", "Example Networks LLC")] == {"role": "Founder"}


def test_an_outlet_named_in_an_opening_sentence_is_not_the_publisher(tmp_path):
    text = ("Source: https://www.example.com/news/1\n\nRegistry news\n\nThe hosting company "
            "Example Networks LLC was the subject of a Wall Street Journal article last week "
            "that detailed its business.\n")
    batch = page(tmp_path, text)
    names = {e.id: e.name for e in batch.entities}
    assert [names[r.target] for r in batch.relations if r.type == "PUBLISHED_BY"] != \
        ["Wall Street Journal"]


@pytest.mark.parametrize("byline", [
    "BY JANE ROE, CHIEF EXECUTIVE OFFICER, EXAMPLE HOLDINGS",  # in capitals
    "Jane Roe\nNov 24, 2019 · 4 min read",  # a name above its date and reading time
    "By: Jane Roe\n\nDate: March 6, 2015",  # a colon after "By"
    "Posted by Jane Roe on March 3, 2023",
    "Contributor: Jane Roe",
    "Recent Posts by Jane Roe",  # an author box
])
def test_bylines_in_capitals_and_above_a_date_and_reading_time(tmp_path, byline):
    batch = page(tmp_path, f"Registry news\n\n{byline}\n\nThe registry met on Monday.\n")
    assert ("Jane Roe", "AUTHORED", "Registry news") in facts(batch)


@pytest.mark.parametrize("sentence", [
    "Prosecutor Jane Roe, who in May 2019 filed criminal wire fraud charges against John Doe, "
    "spoke.",
    "As a result, Jane Roe was able to charge John Doe with 20 counts of wire fraud.",
    "Jane Roe prosecuted John Doe last year.",
])
def test_a_prosecutor_litigates_against_the_defendant(tmp_path, sentence):
    batch = page(tmp_path, TITLE + sentence + "\n")
    assert ("Jane Roe", "LITIGATES_AGAINST", "John Doe") in facts(batch)


def test_the_charged_defendant_is_no_prosecutor(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe was charged by John Doe in May.\n")
    assert not any(t == "LITIGATES_AGAINST" and a == "Jane Roe" for a, t, _ in facts(batch))


def test_a_speaker_of_a_transcript_gives_their_own_title(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe:       Hi everyone. Thank you for joining today. I’m "
                 "Jane Roe. I’m the CEO at EXNET. EXNET is a nonprofit organization.\n"
                 "John Doe:       Thanks. As she said, I'm the chair of nothing here.\n")
    assert roles(batch) == {("Jane Roe", "EXNET"): {"role": "CEO"}}


def test_a_roster_of_title_and_name_lines_gives_each_a_role(tmp_path):
    batch = page(tmp_path, TITLE + "The Example Task Force (ETF) met in Lisbon. The ETF confirmed "
                 "its leaders. The ETF meets again in May.\n\n"
                 "ETF Chair: Jane Roe\n"
                 "Real-time Applications Infrastructure Area Director: John Doeman\n"
                 "Routing Area Director: Mary Major\n")
    found = roles(batch)
    assert found[("Jane Roe", "Example Task Force")] == {"role": "Chair"}
    assert ("John Doeman", "Example Task Force") in found
    assert ("Mary Major", "Example Task Force") in found
    assert "John Doeman Routing" not in people(batch)  # the long line is not wrapped prose


def test_each_name_as_role_item_of_an_announced_list_is_a_role(tmp_path):
    batch = page(tmp_path, TITLE + "The Example Exchange Association (EEA) today announces the "
                 "following new officers on its Board: Jane Roe as Chairman; John Doe as Vice "
                 "Chairman; and Executive Director Mary Major as Secretary.\n")
    found = roles(batch)
    assert found[("Jane Roe", "Example Exchange Association")] == {"role": "Chair"}
    assert ("John Doe", "Example Exchange Association") in found
    assert ("Mary Major", "ROLE_AT", "Example Exchange Association") in facts(batch)
    assert "Secretary" in {r.properties["role"] for r in batch.relations if r.type == "ROLE_AT"}


def test_a_list_of_names_its_previous_line_announces_is_no_menu(tmp_path):
    names = ["Jane Roe", "John Doeman", "Mary Major", "Richard Miles", "Anna Smith"]
    body = "\n\n".join(names)
    announced = page(tmp_path, TITLE + "The board has three seats.\n\nList of Candidates:\n\n"
                     + body + "\n", "announced.txt")
    menu = page(tmp_path, TITLE + "The board has three seats.\n\n" + body + "\n", "menu.txt")
    assert set(names) <= people(announced)
    assert not set(names) & people(menu)


def test_an_organisation_before_a_second_title_loses_the_connector(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe, Co-founder of Open-EX and Director of Network "
                 "Architecture at Examplix added: \"We are pleased.\"\n")
    orgs = {e.name for e in batch.entities if e.type != "Person"}
    assert ("Jane Roe", "Open-EX") in roles(batch)
    assert "Open-EX and" not in orgs


@pytest.mark.parametrize("line", ["Updated: Sun Apr 14 18:04:35 UTC 2019",
                                  "Pre-2016 Press Releases 8 September 2011"])
def test_dates_and_section_words_in_scraped_headers_are_no_people(tmp_path, line):
    batch = page(tmp_path, TITLE + line + "\n\nJane Roe chairs the board.\n")
    assert people(batch) == {"Jane Roe"}


def test_a_nickname_with_the_family_name_is_the_same_person(tmp_path):
    batch = page(tmp_path, TITLE + "The board named William Charnock as Chairman. “We welcome "
                 "Will Charnock,” said John Doe.\n")
    aliases = {a for e in batch.entities if e.name == "William Charnock" for a in e.aliases}
    assert "Will Charnock" in aliases and "Will Charnock" not in people(batch)


def test_a_chapters_working_group_on_a_topic_stands_for_the_chapter(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe, Chair of the Example ISOC Chapter's Working Group "
                 "on IoT, opened the meeting.\n")
    assert ("Jane Roe", "Example ISOC Chapter") in roles(batch)


def test_a_nickname_without_the_middle_names_is_the_same_person(tmp_path):
    batch = page(tmp_path, TITLE + "Jonathan Bruce Roeman chaired the meeting. Later Jon Roeman "
                 "spoke.\n")
    assert people(batch) == {"Jonathan Bruce Roeman"}


# ------------------------------------------------------------------ issue 14, round 4 (text6)
def test_a_family_name_in_capitals_after_a_given_name_or_honorific_is_read_as_a_name(tmp_path):
    batch = page(tmp_path, TITLE + "Candidates:\n\n  • Ms. Jane ROEBUCK, Analyst, Example "
                 "University – 3 votes\n  • Mr. Rajnesh SINGH, Editor, Example Foundation – 5 "
                 "votes\n  • Jane ICANN was never a person.\n")
    assert {"Jane Roebuck", "Rajnesh Singh"} <= people(batch)
    assert not any("ICANN" in p for p in people(batch))


@pytest.mark.parametrize("item,org", [
    ("Ms. Jane ROEBUCK, Head of Programs, Example Network Information Centre (ENIC) – 12 votes",
     "Example Network Information Centre"),
    ("Mr. John DOEMAN, Director of the Asia-Pacific Regional Bureau, Asia-Pacific, Internet "
     "Society (ISOC) – 22 votes", "Internet Society"),
    ("Mr. John DOEMAN, Dean of College of Information Technology, Southville International "
     "School and Colleges – 8 votes", "Southville International School and Colleges"),
    ("Ms. Jane ROEBUCK, Knowledge Management and ICT Specialist, Pacific Community (SPC) – 19 "
     "votes", "Pacific Community"),
])
def test_an_affiliation_after_a_name_is_a_role_at_the_organisation_not_the_field(tmp_path,
                                                                                 item, org):
    batch = page(tmp_path, TITLE + "Results:\n\n  • " + item + "\n")
    orgs = {e.name for e in batch.entities if e.type != "Person"}
    assert {o for _, o in roles(batch)} == {org}
    assert not orgs & {"Programs", "Asia-Pacific Regional Bureau", "Knowledge Management",
                       "College of Information Technology", "ICT"}


def test_a_name_then_a_word_the_page_writes_after_at_is_an_affiliation(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe, Examplix – IETF Chair\n\nJane Roe works in a "
                 "number of research projects at Examplix. She moved to Mauritius, Africa.\n"
                 "John Doe, Mauritius, spoke too.\n")
    assert ("Jane Roe", "Examplix") in roles(batch) and ("Jane Roe", "IETF") in roles(batch)
    assert not any(o == "Mauritius" for _, o in roles(batch))


def test_a_mail_senders_line_in_a_list_archive_is_the_author(tmp_path):
    batch = page(tmp_path, "[ExampleNOG] Call for nominations\n\nJane Roe jane at example.org\n"
                 "Tue Jan 6 11:01:04 EST 2009\n\nHi all, the election is near.\n")
    assert {s for s, t, _ in facts(batch) if t == "AUTHORED"} == {"Jane Roe"}


def test_a_web_address_glued_to_a_sentence_is_not_part_of_a_name(tmp_path):
    batch = page(tmp_path, TITLE + "The agreement is between Examplix and the Department of "
                 "Commerce.http://www.examplix.comhttp://www.example.org\n")
    orgs = {e.name for e in batch.entities if e.type != "Person"}
    assert "Department of Commerce" in orgs and not any("http" in o for o in orgs)


def aliases_of(batch: Batch, name: str) -> set[str]:
    return {a for e in batch.entities if e.name == name for a in (e.name, *e.aliases)}


def test_an_acronym_used_without_definition_is_the_organisation_it_spells(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe complained of the Example Security Agency. She said "
                 "the ESA dominated the effort.\n")
    assert {"Example Security Agency", "ESA"} <= aliases_of(batch, "Example Security Agency")
    assert len([e for e in batch.entities if e.type != "Person" and e.type != "Article"]) == 1


def test_a_country_word_before_a_name_is_the_same_organisation(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe was a director of the US Example Cyber Center. "
                 "The agreement is with the U.S. Department of Examples.\n")
    assert {"Example Cyber Center", "US Example Cyber Center"} <= \
        aliases_of(batch, "Example Cyber Center")
    assert {"Department of Examples", "U.S. Department of Examples"} <= \
        aliases_of(batch, "Department of Examples")


def test_a_known_institution_in_the_title_and_its_acronym_in_the_body_are_one_node(tmp_path):
    batch = page(tmp_path, "Internet Architecture Board\n\nThe IAB is composed of twelve "
                 "members.\n")
    assert {"IAB", "Internet Architecture Board"} <= aliases_of(batch, "IAB")


def test_a_board_for_an_organisation_stands_for_it_and_its_acronym_may_skip_its_last_word(
        tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe also serves as a chair of the Technical Advisory "
                 "Board for the IP Smart Objects Alliance (IPSO).\n")
    assert ("Jane Roe", "IP Smart Objects Alliance") in roles(batch)
    assert "IPSO" in aliases_of(batch, "IP Smart Objects Alliance")


def test_a_first_line_that_is_a_sentence_is_the_title_and_prose_too(tmp_path):
    batch = page(tmp_path, "The former chief at the Department of Examples is now the head of "
                 "Example Registry.\nJane Roe said so.\n")
    assert "Department of Examples" in {e.name for e in batch.entities}


def test_mc_family_names_and_a_possessive_before_a_name(tmp_path):
    batch = page(tmp_path, TITLE + "Luminaries endorsed him, including Jane Roe, John Doe and "
                 "Examplix’s Mark McLaughlin.\n")
    assert "Mark McLaughlin" in people(batch)
    assert not any("Examplix" in p for p in people(batch))


def test_a_person_in_an_opening_phrase_is_not_who_he_is(tmp_path):
    batch = page(tmp_path, TITLE + "John Doe resigned in March.\nIn a letter to Example Agency "
                 "Secretary Jane Roe, he said the agency had failed.\n")
    quoted = {s for s, t, _ in facts(batch) if t == "QUOTED_IN"}
    assert quoted == {"John Doe"}


def test_winning_a_case_says_nothing_of_who_brought_it(tmp_path):
    batch = page(tmp_path, TITLE + "“AFRINIC has therefore won this case against Cloud "
                 "Innovation Ltd,” Jane Roe said.\n")
    assert not {f for f in facts(batch) if f[1] == "LITIGATES_AGAINST"}


@pytest.mark.parametrize("text,wrong", [
    ("New ICANN CEO Jane Roe spoke first.", "New ICANN"),
    ("They amended the .COM Registry Agreement with Examplix.", "COM Registry"),
    ("Jane Roe has worked on routers, AAA systems, compilers, and AI systems.", "AAA"),
])
def test_a_leading_adjective_a_domain_and_a_technology_are_no_organisations(tmp_path, text,
                                                                             wrong):
    batch = page(tmp_path, TITLE + text + "\n")
    assert wrong not in {e.name for e in batch.entities}


@pytest.mark.parametrize("text,person,org", [
    ("Lu Heng, a Chinese citizen and owner of Larus, a Hong Kong-based company, spoke.",
     "Lu Heng", "Larus"),
    ("Jane Roe studied at Example University. But it was her role as director of the U.S. "
     "Example Cyber Center (ECC) where she made an impression.", "Jane Roe",
     "Example Cyber Center"),
    ("Jane Roe was born in Lebanon. She has worked for IBM and founded RosettaNet, a nonprofit.",
     "Jane Roe", "RosettaNet"),
])
def test_roles_after_a_description_a_possessive_pronoun_and_a_coordinated_verb(tmp_path, text,
                                                                               person, org):
    batch = page(tmp_path, TITLE + text + "\n")
    assert (person, org) in roles(batch), roles(batch)


def test_a_role_title_after_a_place_and_a_known_name_with_and_are_not_cut(tmp_path):
    batch = page(tmp_path, TITLE + "It caught the attention of South Carolina U.S. Attorney Jane "
                 "Roe. John Doe is administrator of the National Telecommunications and "
                 "Information Administration of the US Department of Commerce; NTIA agreed.\n")
    orgs = {e.name for e in batch.entities if e.type not in {"Person", "Article"}}
    assert not any("Carolina" in o or o.startswith(("National Telecommunications ",
                                                    "Information Administration")) for o in orgs)
    assert "Department of Commerce" in orgs


def publisher(batch: Batch) -> set[str]:
    names = {e.id: e.name for e in batch.entities}
    return {names[r.target] for r in batch.relations if r.type == "PUBLISHED_BY"}


@pytest.mark.parametrize("url,word", [
    ("https://lists.examplenog.net/pipermail/x.html", "ExampleNOG"),
    ("https://ap.rigexample.asia/news/", "APrIGexample"),
])
def test_a_word_the_page_writes_like_a_name_that_spells_its_site_is_the_publisher(tmp_path, url,
                                                                                 word):
    batch = page(tmp_path, f"Source: {url}\n\n[{word}] Call for nominations\n\nHi all, the "
                 "election is near.\n")
    assert publisher(batch) == {word}


def test_the_site_after_a_bar_in_the_title_is_the_publisher(tmp_path):
    batch = page(tmp_path, "The campaign to subvert a registry | The Example Independent\n\n"
                 "Jane Roe spoke.\n")
    assert publisher(batch) in ({"The Example Independent"}, {"Example Independent"})


def test_a_sentence_about_someone_named_by_a_role_is_about_the_pages_main_person(tmp_path):
    batch = page(tmp_path, "Example Org appoints new head\n\nA former director of the US "
                 "Example Cyber Center has been appointed as president of Example Org.\n\nJane "
                 "Roe’s appointment came on Friday. Jane Roe said: “We are pleased.”\n")
    assert ("Jane Roe", "Example Cyber Center") in roles(batch)
    assert roles(batch)[("Jane Roe", "Example Org")]["role"] == "President"


def test_a_headline_appositive_and_a_committees_chair(tmp_path):
    batch = page(tmp_path, "Jane Roe, Internet Society CEO, Deflects Questions About the Sale\n\n"
                 "John Doe, Chair of the IETF Nominating Committee, said, “We are pleased.”\n")
    assert ("Jane Roe", "Internet Society") in roles(batch)
    assert ("John Doe", "IETF") in roles(batch)


def test_an_affiliation_in_brackets_after_a_name_and_never_from_an_organisations_words(tmp_path):
    batch = page(tmp_path, TITLE + "The panel heard Jane Roe (Knowledge Management Specialist, "
                 "Example Foundation), John Doe (pictured) and Mary Major (Mauritius). He had "
                 "left the U.S. Department of Homeland Security (DHS) in March.\n")
    assert set(roles(batch)) == {("Jane Roe", "Example Foundation")}
    assert "Homeland Security" not in people(batch)


def test_a_family_name_with_a_second_capital_after_a_prefix(tmp_path):
    batch = page(tmp_path, TITLE + "Example Org has appointed Robert DeVita as its new executive "
                 "director. Effective immediately, DeVita will lead it, with Anna LaRue.\n")
    assert {"Robert DeVita", "Anna LaRue"} <= people(batch)
    assert roles(batch)[("Robert DeVita", "Example Org")]["role"] == "Executive director"


def test_a_name_with_or_without_trailing_company_words_is_one_organisation(tmp_path):
    batch = page(tmp_path, "Samplo co-founder Jane Roe reelected\n\nJane Roe, a co-founder at "
                 "Samplo Networks, spoke. Open-EX has named John Doe as its new executive "
                 "director. He will serve the Open-EX Association well. BBN Planet and BBN "
                 "differ.\n")
    assert aliases_of(batch, "Samplo Networks") == {"Samplo Networks", "Samplo"}
    assert aliases_of(batch, "Open-EX") == {"Open-EX", "Open-EX Association"}
    assert "BBN" not in aliases_of(batch, "BBN Planet")


def test_a_field_after_a_title_is_part_of_it_not_an_organisation(tmp_path):
    batch = page(tmp_path, "Source: https://www.samplex.net/news/\n\nSamplex news\n\nJoining "
                 "Samplex CEO, John Doe, on the Board are Chief Marketing Officer Jane Roe, "
                 "Head of Public Affairs Malcolm Major, and Chief "
                 "Technical Officer Rick Poe. Samplex serves members; Samplex grows. Mary Poe, "
                 "Director of Communications, opened the meeting.\n")
    orgs = {e.name for e in batch.entities if e.type not in {"Person", "Article"}}
    assert orgs == {"Samplex"} and "Affairs Malcolm Major" not in people(batch)
    assert roles(batch)[("Malcolm Major", "Samplex")]["role"] == "Head of public affairs"
    assert {("Jane Roe", "Samplex"), ("Rick Poe", "Samplex"), ("Mary Poe", "Samplex")} <= \
        set(roles(batch))


def test_the_organisation_a_site_spells_is_the_pages_own(tmp_path):
    batch = page(tmp_path, "Source: https://info.samplexsecurity.com/q\n\nFive questions\n\n"
                 "Since 2000, Samplex Security has operated a root server. Nancy Carter, Board "
                 "Treasurer, was up first. ISTANBUL /Examplewire/ -- the Example Org said.\n")
    assert publisher(batch) == {"Samplex Security"}
    assert roles(batch)[("Nancy Carter", "Samplex Security")]["role"] == "Treasurer"


def test_a_wire_in_a_dateline_is_not_the_organisation_a_page_is_about(tmp_path):
    batch = page(tmp_path, "Source: https://www.examplewire.com/news/x.html\n\nNews\n\nISTANBUL "
                 "/Examplewire/ -- The Example Registry (EXR) announces the appointment of Jane "
                 "Roe as Vice Chair. EXR thanked her. EXR grows.\n")
    assert set(roles(batch)) == {("Jane Roe", "Example Registry")}


def test_an_organisation_in_a_headline_ends_at_the_headline_verb(tmp_path):
    batch = page(tmp_path, "Jane Doe\n\nRecent Posts by Jane Doe\n\nSamplix Names Chief Scientist "
                 "Tom Roe as CEO\n\nIn a statement, Samplix said that Roe will lead it.\n")
    assert set(roles(batch)) == {("Tom Roe", "Samplix")}
    assert ("Jane Doe", "AUTHORED") in {(s, t) for s, t, _ in facts(batch)}


def test_a_description_before_an_organisations_name(tmp_path):
    batch = page(tmp_path, TITLE + "In his main job, Jane Roe is Technical Director at storage "
                 "specialist NetSample.\n")
    assert roles(batch)[("Jane Roe", "NetSample")]["role"] == "Technical director"


def test_a_document_cited_is_no_speaker_and_an_interviewee_is_quoted(tmp_path):
    batch = page(tmp_path, "5 Questions with Dr. Jane Roe, Chair of Example Registry\n\nWon "
                 "the election, according to a press release now surprisingly John Doe. I "
                 "interviewed Mary Major in September.\n")
    quoted = {s for s, t, _ in facts(batch) if t == "QUOTED_IN"}
    assert quoted == {"Jane Roe", "Mary Major"}


def test_an_acronyms_board_is_the_acronym_and_a_board_alone_is_no_organisation(tmp_path):
    batch = page(tmp_path, TITLE + "“We will play our part,” comments Jane Roe, member of the "
                 "Supervisory Board at EX-CIX, on her appointment. The EX-CIX Supervisory Board "
                 "met.\n")
    orgs = {e.name for e in batch.entities if e.type not in {"Person", "Article"}}
    assert orgs == {"EX-CIX"}
    assert ("Jane Roe", "EX-CIX") in roles(batch)


def test_an_organisation_defined_by_where_the_page_uses_it(tmp_path):
    batch = page(tmp_path, TITLE + "Like his predecessors Jane Roe (Samplesson) and John Doe "
                 "(Mauritius), Mary Major will serve. He will be joined by Tom Poe from XT. "
                 "Mary Major was one of Akamix’s founders. The RIPE NCC’s board met. In this "
                 "Q&A, Netnix’s Mary Major explains. Jane Roe from Nairobi agreed.\n")
    orgs = {e.name for e in batch.entities if e.type not in {"Person", "Article"}}
    assert {"Samplesson", "XT", "Akamix", "Netnix"} <= orgs
    assert not orgs & {"Mauritius", "NCC", "Nairobi"}
    assert ("Jane Roe", "Samplesson") not in roles(batch)  # an affiliation in brackets only


def test_a_seat_on_a_board_is_a_role_of_the_sentences_subject(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe and John Doe were re-elected to serve a new term on "
                 "the EXIX board. Mary Major, a co-founder at Samplo Networks and board member "
                 "at Leedix, has served on the EXIX Board for six years. Tom Poe has served as a "
                 "Samplo board member for years. He has also served as a member of the Example "
                 "Architecture Board.\n")
    seats = {k for k, v in roles(batch).items() if v["role"] == "Board member"}
    assert {("Jane Roe", "EXIX"), ("John Doe", "EXIX"), ("Mary Major", "EXIX"),
            ("Tom Poe", "Samplo Networks")} <= seats  # (Samplo is Samplo Networks)
    assert ("Tom Poe", "MEMBER_OF", "Example Architecture Board") in facts(batch)
    assert not any(t == "MEMBER_OF" and s == "Leedix" for s, t, _ in facts(batch))


def test_the_other_items_of_a_list_that_names_an_organisation(tmp_path):
    batch = page(tmp_path, TITLE + "Thanks to our sponsors, Example Communications, Googlix, and "
                 "IPv9.Global. Networks, from Googlix and Facebix to Skyx and BX, meet. Jane Roe "
                 "from BX spoke. Ultimately, Canada and BX agreed. Media, Entertainment and "
                 "Example Communications grew. The Example Registry for Internet Numbers Ltd and "
                 "Googlix met. Jane Roe and Googlix met. It has offices in Londix, Nairix and "
                 "BX.\n")
    orgs = {e.name for e in batch.entities if e.type not in {"Person", "Article"}}
    assert {"Googlix", "IPv9.Global", "Facebix", "Skyx", "BX"} <= orgs
    assert not orgs & {"Ultimately", "Canada", "Media", "Internet Numbers Ltd", "Jane Roe",
                       "Londix", "Nairix"}


ROE_AT_EXN = {("Jane Roe", "Example Networks")}


@pytest.mark.parametrize("sentence,expected", [
    ("Jane Roe is Example Networks’ new CTO.", ROE_AT_EXN),
    ("Jane Roe, who was named CEO of Example Networks in 2020, disagreed.", ROE_AT_EXN),
    ("Jane Roe works at Example Networks as a senior engineer.", ROE_AT_EXN),
    ("Example Networks co-founders Jane Roe and John Doe disagreed.",
     {("Jane Roe", "Example Networks"), ("John Doe", "Example Networks")}),
    ("Example Networks CEO Jane Roe and John Doe disagreed.", ROE_AT_EXN),
    ("The winner is Jane Roe, who is the first German to head the Example Task Force.",
     {("Jane Roe", "Example Task Force")}),
    # a field that names an organisation's part keeps the organisation after it
    ("Jane Roe has served as Area Director for Operations and Network Management Area of the "
     "Internet Engineering Task Force (IETF).", {("Jane Roe", "IETF")}),
    ("Example Networks announced that Jane Roe will join as chief technology officer.", ROE_AT_EXN),
    ("Example Networks welcomed Jane Roe as its new chair.", ROE_AT_EXN),
    ("Jane Roe will become chair of Example Networks in May.", ROE_AT_EXN),
    ("Jane Roe (pictured), CEO of Example Networks, said no.", ROE_AT_EXN),
    # the subject carried over from the sentence before
    ("Jane Roe joined Example Networks in 2010. She became its CEO in 2015.", ROE_AT_EXN),
    ("Jane Roe joined Example Networks in 2010. In 2015 she was named chief executive.",
     ROE_AT_EXN),
])
def test_clause_level_roles(tmp_path, sentence, expected):
    assert set(roles(page(tmp_path, TITLE + sentence + "\n"))) == expected


def test_a_quote_after_a_colon_that_ends_the_paragraph_before(tmp_path):
    batch = page(tmp_path, TITLE + "Jane Roe, chief executive of Example Networks, was blunt:\n\n"
                 "“We will appeal the ruling.”\n\nJohn Doe and Mary Major met:\n\n“No comment.”\n")
    assert {s for s, t, _ in facts(batch) if t == "QUOTED_IN"} == {"Jane Roe"}
