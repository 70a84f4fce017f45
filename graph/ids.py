"""Deterministic ids and name normalisation.

The same real thing always gets the same id: ``<family>:<slug of normalised name>`` for
named things (``person:lu-heng``, ``org:cloud-innovation``), or a natural key for resources
(``prefix:41.0.0.0/8``, ``asn:1228``, ``country:za``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from graph.vocab import LEGAL_SUFFIXES, family, node_type

__all__ = ["LEGAL_SUFFIXES", "clean_text", "display_text", "entity_id", "fold",
           "normalise_name", "slug"]

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"',
                         "„": '"', "‟": '"', "«": '"', "»": '"', "–": "-", "—": "-"})

_PUNCT = re.compile(r"[^\w\s/.:-]+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # category C, except tab and newline


def clean_text(text: str) -> str:
    """Unicode NFKC, straight quotes and dashes, no control characters, single spaces."""
    if text.isascii():  # fast path: NFKC and the quote table leave ASCII as it is
        return _SPACE.sub(" ", _ASCII_CONTROL.sub("", text)).strip()
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return _SPACE.sub(" ", text).strip()


# Format characters that are part of how some scripts and emoji are spelt (ZWNJ, ZWJ).
_KEEP_FORMAT = {"\u200c", "\u200d"}


def display_text(text: str) -> str:
    """A name as shown: Unicode NFC, single spaces, and none of the characters that hide or
    reorder text (controls, bidi overrides and marks, lone surrogates, unassigned or private
    code points). ``entity_id`` ignores the same characters, so ids do not change."""
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():  # fast path: nothing to remove but runs of spaces
        return _SPACE.sub(" ", text).strip()
    text = "".join(" " if ch in "\t\n\r\v\f" else ch for ch in text
                   if unicodedata.category(ch)[0] != "C" or ch in _KEEP_FORMAT or ch.isspace())
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case without accents, quotes or punctuation: the key names are compared by."""
    text = clean_text(text).lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    text = _PUNCT.sub(" ", text.replace("&", " and "))
    return _SPACE.sub(" ", text).strip(" .:-")


def normalise_name(name: str, family_name: str = "") -> str:
    """The comparison key of a name. In a family that folds legal suffixes (organisations,
    :data:`graph.vocab.FAMILIES`), trailing legal forms are dropped, so ``LARUS Ltd``,
    ``LARUS Limited`` and ``Larus`` share one key."""
    key = fold(name).replace(".", " ").strip()
    key = _SPACE.sub(" ", key)
    if family_name and family(family_name).folds_legal_suffixes:
        words = key.split(" ")
        while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
            words.pop()
        key = " ".join(words)
    return key


def slug(text: str) -> str:
    """A readable, URL-safe form of a normalised key."""
    return re.sub(r"[^\w./:]+", "-", text, flags=re.UNICODE).strip("-") or "_"


def entity_id(type_name: str, name: str) -> str:
    """The deterministic id of a named entity of a given type: a natural key for the
    families that have one (:class:`graph.vocab.Family`), else a slug of the name key."""
    name_of_family = node_type(type_name).family
    if family(name_of_family).natural_key:
        return f"{name_of_family}:{name.strip().lower()}"
    return f"{name_of_family}:{slug(normalise_name(name, name_of_family))}"
