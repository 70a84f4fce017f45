"""Issue 14's check of the text pipeline on pages from publishers it was not written for:
each folder is loaded with the CLI into a fresh SQLite store, page by page and as one folder,
read back with ``govgraph export --format json`` and scored against the hand labels
(tests/text_labels.py): people, organisations and documents found, relations, alias groups
on one node, and no headline typed as a person or organisation."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.model import Batch
from graph.vocab import DOCUMENT_TYPES, ORGANISATION_TYPES
from loaders.profile import is_headline
from tests.test_text_pipeline import HELD_OUT_BARS
from tests.text_labels import (
    FRESH,
    FRESH7,
    FRESH8,
    FRESH9,
    HELD_OUT,
    PAGES,
    UNSEEN,
    address,
    export_batches,
    labels,
    page_files,
    score_groups,
)

# Groups 4 and 5 (tests/data/text_unseen/) were scored once, before any rule was changed for
# them (labels.json's comment has those first figures); rules were then tuned on them (issue
# 14, text4) and their bars are the figures reached, rounded down.
UNSEEN_BARS = {
    4: {"entities": (1.0, 0.94), "relations": (1.0, 0.79), "aliases": (None, 0.81)},
    5: {"entities": (0.93, 0.85), "relations": (1.0, 0.57), "aliases": (None, 0.87)},
}
# Group 6 (tests/data/text_fresh/) was labelled after groups 4 and 5 were tuned on, and scored
# once on main 719e148, after the last rule changes, whose writer never saw it; its bars are
# those first figures (the lower of the page-by-page and the folder load) rounded down
# (labels.json's comment has them).
FRESH_BARS = {
    6: {"entities": (0.90, 0.93), "relations": (0.94, 0.71), "aliases": (None, 0.90)},
}
# Group 7 (tests/data/text_fresh7/) was labelled while the rules were being tuned on the four
# other folders, never shown to their writer, and scored once on main 4ecd5ae; its bars are
# those first figures (page by page and as one folder the same) rounded down (labels.json's
# comment has them); the lead re-scores it after merging the rule writer's work. Round 4
# (issue 14, text6) then tuned on it: its bars are the figures reached, rounded down.
FRESH7_BARS = {
    7: {"entities": (1.0, 0.97), "relations": (1.0, 0.90), "aliases": (None, 1.0)},
}
# Group 8 (tests/data/text_fresh8/) was labelled while the rules were being tuned on the five
# other folders and never shown to their writer. The lead scored it once, at first sight, on the
# merged rules (cafd896): entities 0.88 / 0.75, relations 0.64 / 0.39, aliases 0.66
# (labels.json's comment). Round 5 (issue 14, text7) then tuned on it: its bars are the
# figures reached (page by page and as one folder the same), rounded down.
FRESH8_BARS = {
    8: {"entities": (0.98, 0.95), "relations": (0.97, 0.89), "aliases": (None, 0.88)},
}
# Group 9 (tests/data/text_fresh9/) was labelled while the rules were being tuned on the six
# other folders and never shown to their writer. The lead scored it once, at first sight, on the
# merged round-5 rules (71505d0); its bars are those figures (the lower of the page-by-page and
# the folder load) rounded down (labels.json's comment has them).
FRESH9_BARS = {
    9: {"entities": (0.81, 0.72), "relations": (0.69, 0.43), "aliases": (None, 0.42)},
}
FOLDERS = {
    "unseen": (UNSEEN, UNSEEN_BARS),
    "fresh": (FRESH, FRESH_BARS),
    "fresh7": (FRESH7, FRESH7_BARS),
    "fresh8": (FRESH8, FRESH8_BARS),
    "fresh9": (FRESH9, FRESH9_BARS),
    "held-out": (HELD_OUT, HELD_OUT_BARS),
}
# Each folder of pages from new publishers, its least size and the folders it must not share
# a publisher with.
NEW_PUBLISHERS = {
    "unseen": (UNSEEN, 16, (PAGES, HELD_OUT)),
    "fresh": (FRESH, 10, (PAGES, HELD_OUT, UNSEEN)),
    "fresh7": (FRESH7, 10, (PAGES, HELD_OUT, UNSEEN, FRESH)),
    "fresh8": (FRESH8, 12, (PAGES, HELD_OUT, UNSEEN, FRESH, FRESH7)),
    "fresh9": (FRESH9, 13, (PAGES, HELD_OUT, UNSEEN, FRESH, FRESH7, FRESH8)),
}


def _cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def _export(folder: Path, db: Path, page_by_page: bool) -> dict:
    targets = [str(p) for p in page_files(folder)] if page_by_page else [str(folder)]
    for target in targets:
        _cli("load", target, "--db", str(db), "--quiet")
    out = db.with_suffix(".json")
    _cli("export", "--format", "json", "--db", str(db), "-o", str(out))
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=[(f, m) for f in FOLDERS for m in ("pages", "folder")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def read_back(request, tmp_path_factory) -> tuple[str, dict[str, Batch]]:
    name, mode = request.param
    db = tmp_path_factory.mktemp(f"{name}-{mode}") / "graph.db"
    return name, export_batches(_export(FOLDERS[name][0], db, page_by_page=mode == "pages"))


def _hosts(folder: Path) -> set[str]:
    return {urlsplit(address(p)).hostname.removeprefix("www.") for p in page_files(folder)}


@pytest.mark.parametrize("name", list(NEW_PUBLISHERS))
def test_pages_are_real_pages_from_publishers_never_seen_before(name):
    folder, least, earlier = NEW_PUBLISHERS[name]
    files = page_files(folder)
    assert {p.stem for p in files} == set(labels(folder)) and len(files) >= least
    groups = {page["group"] for page in labels(folder).values()}
    assert groups == set(FOLDERS[name][1])
    assert len(_hosts(folder)) == len(files)
    assert not _hosts(folder) & set().union(*map(_hosts, earlier))


def test_precision_and_recall_read_back_from_the_export(read_back):
    name, batches = read_back
    folder, bars = FOLDERS[name]
    for group, score in score_groups(batches, folder).items():
        for measure, (precision, recall) in bars[group].items():
            tally = getattr(score, measure)
            detail = f"group {group} {measure}: wrong {tally.wrong[:8]} missed {tally.missed[:8]}"
            if precision is not None:
                assert tally.precision >= precision, detail
            assert tally.recall >= recall, detail


def test_every_page_reads_back_with_its_document(read_back):
    name, batches = read_back
    folder = FOLDERS[name][0]
    assert set(batches) == {address(p) for p in page_files(folder)}
    assert all(b.entities[0].type in DOCUMENT_TYPES for b in batches.values())


def test_no_headline_reads_back_as_a_person_or_organisation(read_back):
    _, batches = read_back
    actors = {"Person"} | ORGANISATION_TYPES
    for url, batch in batches.items():
        doc = batch.entities[0]
        if is_headline(doc.name):
            assert not [e for e in batch.entities if e.type in actors and e.name == doc.name], url
