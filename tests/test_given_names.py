"""The given names people are found by (loaders/text/data/given_names.txt): licence-clean
sources, international coverage, ordinary words left out, small and read once."""

from __future__ import annotations

from importlib import resources

from graph.ids import fold
from loaders.text.people import given_names, name_chunks

DATA = resources.files("loaders.text").joinpath("data", "given_names.txt")


def test_the_file_names_its_public_domain_and_mit_sources_and_is_small():
    text = DATA.read_text("utf-8")
    header = " ".join(line for line in text.splitlines() if line.startswith("#"))
    assert "Social Security Administration" in header and "public domain" in header
    assert "Faker" in header and "MIT" in header
    assert len(text.encode("utf-8")) < 2_000_000
    assert len(given_names()) > 50_000


def test_given_names_from_many_countries():
    international = ["Jia", "Göran", "Eddy", "Adiel", "Oleg", "Alain", "Kenny", "Paul", "Hervé",
                     "Lu", "Tripti", "Fadi", "Sajid", "Maarten", "Katrina", "Raúl", "Xavier"]
    assert [n for n in international if fold(n) not in given_names()] == []


def test_ordinary_words_are_no_given_names():
    words = ["Indian", "Billion", "Oracle", "Internet", "Registry", "Court", "Board", "The"]
    assert [w for w in words if fold(w) in given_names()] == []


def test_a_name_with_an_accent_or_a_romanised_given_name_makes_a_person():
    text = "The board thanked Hervé Clément and Jia Rong Low, then Oracle Dyn and Indian Ocean."
    assert [name for _, name in name_chunks(text)] == ["Hervé Clément", "Jia Rong Low"]


def test_the_list_is_read_once():
    assert given_names() is given_names()
