"""People named without any cue around them: a run of capitalised name words that starts
with a given name (``Göran Marby``, ``Mark Cenite``, ``Low Jia Rong``).

The given names are ``data/given_names.txt``: about 70,000 first names from US birth records
and from many countries' name lists (public domain and MIT; its header and docs/loaders.md
say how it is built), read once, less the ones a page mostly uses as ordinary words or
places (``data/words.json`` → ``not_given_names``). A run is cut at words that never stand in
a person's name (organisation words, role titles, months, places: ``not_name_words``), so
``Senior Lecturer Mark Cenite`` is ``Mark Cenite``; it is a person only when one of its first
two words is a given name and two to four words remain. In a headline the name is the given
name and the next word, and only when a headline verb follows (``Göran Marby Steps Down``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from graph.ids import fold
from loaders.text.lexicon import lexicon

_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
_FAMILY_PREFIX = "|".join(re.escape(p) for p in sorted(lexicon()["family_prefixes"], key=len,
                                                        reverse=True))
# one word of a person's name: "Göran", "McLaughlin", "O'Brien", "DeVita", "Ohsan-Bellepeau"
NAME_WORD = rf"(?:{_FAMILY_PREFIX})?[{_UP}][{_LO}]+(?:[-'’][{_UP}]?[{_LO}]+)*"
_WORD = NAME_WORD
_PARTICLE = r"(?:van|von|de|da|der|del|della|bin|binti|al|ibn|le|la|du|dos|das)"
NAME_RUN = re.compile(rf"(?<![\w’'.-]){_WORD}(?:\s+(?:{_PARTICLE}\s+)?(?:{_WORD}|[{_UP}]\.))+"
                      rf"(?![\w’'-])")


@cache
def given_names() -> frozenset[str]:
    """Folded given names, without the ones that are mostly ordinary words."""
    lex = lexicon()
    ordinary = (lex["not_given_names"] | lex["not_name_words"] | lex["leading_stop"]
                | lex["headline_words"] | lex["connectors"] | lex["interrogatives"])
    text = resources.files(__package__).joinpath("data", "given_names.txt").read_text("utf-8")
    return frozenset(n for n in text.splitlines()
                     if len(n) >= 2 and not n.startswith("#") and n not in ordinary)


@cache
def _stop_words() -> frozenset[str]:
    """Words a person's name never holds: organisation and place words, titles, stop words."""
    lex = lexicon()
    title_words = {w + s for t in lex.role_titles for w in t.split() for s in ("", "s")}
    return (lex["not_name_words"] | lex["leading_stop"] | lex["org_words"] | lex["company"]
            | lex["authority"] | lex["honorifics"] | frozenset(title_words)
            | frozenset(lex.role_modifiers) | lex["headline_words"] - {"will"})


def without_leading_titles(name: str) -> str:
    """``Administrator Lawrence Strickling`` -> ``Lawrence Strickling``: the words before a
    person's name that never stand in one (titles, organisation words), when what remains
    starts with a given name (``Vice President Stakeholder Engagement`` stays as it is)."""
    words, stop = name.split(), _stop_words()
    while len(words) > 2 and fold(words[0]) in stop:
        words.pop(0)
    rest = " ".join(words)
    return rest if any(chunk == rest for _, chunk in name_chunks(rest)) else name


def name_chunks(text: str, heading: bool = False) -> Iterator[tuple[int, str]]:
    """(offset, name) of every person the text names by a given name (module doc)."""
    names, stop = given_names(), _stop_words()
    heading_verbs = lexicon()["heading_verbs"]
    for m in NAME_RUN.finditer(text):
        words = m.group(0).split()
        start = 0
        while start < len(words) and fold(words[start]) in stop:
            start += 1
        if heading and m.end() < len(text.rstrip(" .:")):
            chunk = words[start:start + 2]
            after = words[start + 2:start + 3]
            if after and fold(after[0]) not in heading_verbs and not after[0].endswith("ing"):
                continue
        else:
            end = start
            while end < len(words) and fold(words[end]) not in stop:
                end += 1
            if end < len(words) and fold(words[end]) not in stop - lexicon()["org_words"] \
                    - lexicon()["company"] - lexicon()["authority"]:
                continue  # "Paul Wilson Foundation": an organisation's name
            chunk = words[start:end]
        given = fold(chunk[0]) in names if chunk else False
        # "Low Jia Rong": a family name first, then a given name, in names of three words
        given = given or len(chunk) >= 3 and fold(chunk[1]) in names
        if 2 <= len(chunk) <= 4 and given and \
                not any(w.endswith(".") and len(w) > 2 for w in chunk):
            offset = m.start() + len(" ".join(words[:start])) + (1 if start else 0)
            yield offset, " ".join(chunk)
