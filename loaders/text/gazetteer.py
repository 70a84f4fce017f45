"""Finding many names in text at once with an Aho–Corasick automaton (pyahocorasick): one
pass over a sentence finds every occurrence of every name, however many names there are,
instead of one regular expression per name. Used for the names one page resolves (to link
relations to the mentions around a cue) and for names a caller already knows (the graph's
names and aliases, passed to the loader as a read-only list: the loader never opens a store).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from graph.ids import fold
from graph.vocab import ORGANISATION_TYPES


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    key: str  # what the name stands for (an entity id, or the name itself)
    form: str  # the name as given to the matcher


class NameMatcher:
    """Whole-word matches of names in text, longest first, never overlapping. Names of four
    characters or more match in any case; shorter ones (acronyms, ``Lu``) only as written."""

    def __init__(self, names: list[tuple[str, str]], any_case: bool = False) -> None:
        """``names``: (name, key) pairs; ``any_case``: short names match in any case too."""
        self._short = 0 if any_case else 4
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, str]]] = {}
        for name, key in names:
            name = " ".join(name.split())
            if len(name) >= 2:
                entries.setdefault(name.lower(), []).append((name, key))
        for lowered, values in entries.items():
            self._automaton.add_word(lowered, values)
        self.empty = not entries
        if not self.empty:
            self._automaton.make_automaton()

    def find(self, text: str, whole_words: bool = True) -> list[Hit]:
        """The names in the text; with ``whole_words=False`` every occurrence, even inside a
        word or overlapping another (candidates for a stricter test)."""
        if self.empty:
            return []
        lowered = text.lower()
        source = text if len(lowered) == len(text) else lowered  # "İ" lowers to two chars
        hits: list[Hit] = []
        for end, values in self._automaton.iter(lowered):
            for form, key in values:
                start = end - len(form) + 1
                if not whole_words:
                    hits.append(Hit(start, end + 1, key, form))
                    continue
                if not _whole_word(lowered, start, end + 1):
                    continue
                if len(form) < self._short and source[start:end + 1] != form:
                    continue
                hits.append(Hit(start, end + 1, key, form))
        return _longest_first(hits) if whole_words else hits


def _whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_")


def _longest_first(hits: list[Hit]) -> list[Hit]:
    taken: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(hit.end <= t.start or hit.start >= t.end for t in taken):
            taken.append(hit)
    return sorted(taken, key=lambda h: h.start)


def known_name_list(names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, type) pairs from a caller (the graph's names and aliases), de-duplicated by
    folded name; a name that two types claim is left out (ambiguous)."""
    seen: dict[str, tuple[str, str]] = {}
    clash: set[str] = set()
    for name, type_ in names:
        key = fold(name)
        if key in seen and seen[key][1] != type_:
            clash.add(key)
        seen.setdefault(key, (name, type_))
    return [v for k, v in seen.items() if k not in clash]


class KnownNames:
    """The names a caller already knows (the graph's people and organisations, names and
    aliases), typed, in one automaton built once and shared by every page of a load. A name
    joins only when it could not be an ordinary word: two words or more, or one word written
    with two capitals or more (``AFRINIC``, ``InternetNZ``); a name two types claim is left
    out."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        usable = [(n, t) for n, t in names
                  if (t == "Person" or t in ORGANISATION_TYPES) and _distinctive(n)]
        self.types = dict(known_name_list(usable))
        self.matcher = NameMatcher([(n, n) for n in self.types])

    def find(self, text: str) -> list[tuple[str, str]]:
        """(name, type) of every known name in the text, as the caller wrote the name."""
        return [(hit.key, self.types[hit.key]) for hit in self.matcher.find(text)]


def _distinctive(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 or sum(c.isupper() for c in name) >= 2
