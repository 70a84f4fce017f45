"""Sentences, the unit of extraction: a page's body lines are first joined into paragraphs
(hard-wrapped text: a line that ends mid-sentence continues on the next), then split into
sentences. A sentence ends at ``.``, ``!`` or ``?`` (and a closing quote or bracket after it)
followed by a space and a capital, digit or opening quote — except after an abbreviation of
data/words.json (``Mr.``, ``Dr.``, ``Ltd.``, ``Jan.``, ``U.S.``) or an initial (``Christian
D. Bope``). (pysbd does this too, but takes about 55 ms for a 5 kB page, a quarter of the
whole pipeline, and has not been released since 2021.) Each sentence keeps the source line
where it starts and its character offset in that line: its locator is ``line N, char M``.

Web addresses (``http://www.icann.org``, glued to a sentence's last word as pages often
leave them: ``Department of Commerce.http://…``) are blanked to spaces, and a family name
written in capitals after a given name (``Ms. Sylvia CADENA``, as election notices and
speaker lists write it) is read in title case (``Sylvia Cadena``), the same length, unless
the capitals are a known institution's name (``Jane ICANN`` stays). Citation markers
(``[1]``, ``[14]``) and nicknames in quotes inside a name (``Kurt Erik
“Kurtis” Lindqvist``) are blanked to spaces of the same length, so that offsets stay true to
the source and patterns read across them; the nickname becomes an alias (``Kurtis
Lindqvist``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from graph.ids import fold
from loaders.profile_text import Line
from loaders.text.lexicon import lexicon
from loaders.text.people import given_names

_CITATION = re.compile(r"\s?\[\d{1,3}\]")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"”]+")
# a given name (or a name after Mr, Ms, Dr), then a family name in capitals with vowels
# (two without Mr or Ms: an acronym seldom has two)
_CAPS_FAMILY = re.compile(r"(?<![\w’'-])(?P<hon>(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?"
                          r"(?P<given>[A-ZÀ-Þ][a-zß-ÿ]+)\s+"
                          r"(?P<family>[A-ZÀ-Þ]{4,}(?:-[A-ZÀ-Þ]{2,})?)(?![\w’'-])")
_VOWELS = re.compile(r"[AEIOUYÀ-ÆÈ-ÏÒ-ÖÙ-Ü]")
_NAME = r"[A-ZÀ-Þ][a-zß-ÿ]+(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?"
NICKNAME = re.compile(rf"(?P<first>{_NAME}(?:\s+{_NAME})?)\s+(?P<q>[“\"‘(])(?P<nick>{_NAME})[”\"’)]"
                      rf"\s+(?P<last>{_NAME})")
_MAY_HOLD_NICKNAME = re.compile(r"[“\"‘(][A-ZÀ-Þ]")  # a cheap test before NICKNAME
_ENDS_SENTENCE = re.compile(r"[.!?:;”\"’')\]]$")
_WRAP_WIDTH = 60  # a line at least this long that ends mid-sentence was wrapped
_LABELLED = re.compile(r"^[^:.;]{2,60}:\s+\S")  # "Routing Area Director: Adrian Farrel"


@dataclass(slots=True)
class Paragraph:
    """Lines joined with single spaces; ``starts`` holds (offset in text, line) per line."""

    text: str
    starts: list[tuple[int, Line]]

    def place(self, offset: int) -> tuple[Line, int]:
        """The line holding a paragraph offset, and the offset within that line."""
        where = self.starts[0]
        for start in self.starts:
            if start[0] > offset:
                break
            where = start
        return where[1], offset - where[0]


def _continues(prev: Line, nxt: Line) -> bool:
    """A line that runs on into the next one (hard-wrapped prose)."""
    if nxt.no != prev.no + 1 or prev.heading or nxt.heading or nxt.bullet:
        return False
    text = prev.text
    if _ENDS_SENTENCE.search(text) or _LABELLED.match(text) and _LABELLED.match(nxt.text):
        return False  # (a list of "label: value" lines, one entry a line)
    return nxt.text[:1].islower() or text.endswith((",", "–", "—", "-")) or \
        len(text) >= _WRAP_WIDTH


def paragraphs(lines: list[Line]) -> list[Paragraph]:
    """Consecutive lines of one paragraph joined (see module docstring)."""
    out: list[Paragraph] = []
    for ln in lines:
        if out and _continues(out[-1].starts[-1][1], ln):
            para = out[-1]
            para.starts.append((len(para.text) + 1, ln))
            para.text = f"{para.text} {ln.text}"
        else:
            out.append(Paragraph(ln.text, [(0, ln)]))
    return out


_BOUNDARY = re.compile(r"[.!?]+[”\"’')\]]*\s+(?=[“\"‘(\[]?[A-Z0-9À-Þ])")
_LAST_WORD = re.compile(r"(\S+)$")


def _abbreviation(before: str) -> bool:
    """The text before a full stop ends in an abbreviation or an initial."""
    m = _LAST_WORD.search(before)
    if not m:
        return False
    word = m.group(1).lstrip("(“\"‘'")
    return (len(word) == 1 and word.isupper()) or word.lower() in lexicon()["abbreviations"] \
        or bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", word))


def split(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) for each sentence of a paragraph."""
    out = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        stop = m.start()
        if text[stop] == "." and _abbreviation(text[start:stop]):
            continue
        sentence = text[start:m.end()].strip()
        if sentence:
            out.append((start, sentence))
        start = m.end()
    rest = text[start:].strip()
    if rest:
        out.append((start + len(text[start:]) - len(text[start:].lstrip()), rest))
    return out or [(0, text)]


def _without_nickname(m: re.Match[str]) -> str:
    """``Kurt Erik “Kurtis” Lindqvist`` read as ``Kurt Erik Lindqvist`` (same length)."""
    return m.group(0)[:m.start("q") - m.start()] + " " * (m.end("nick") + 1 - m.start("q")) + \
        m.group(0)[m.end("nick") + 1 - m.start():]


def nicknames(lines: list[Line]) -> list[tuple[str, str]]:
    """(full name, nickname and family name) for every ``First “Nick” Last`` of the
    lines: ``("Kurt Erik Lindqvist", "Kurtis Lindqvist")``."""
    return [(f"{m['first']} {m['last']}", f"{m['nick']} {m['last']}")
            for ln in lines if _MAY_HOLD_NICKNAME.search(ln.text)
            for m in NICKNAME.finditer(ln.text)]


def _family_in_title_case(m: re.Match[str]) -> str:
    """``Sylvia CADENA`` -> ``Sylvia Cadena`` when it reads as a person's name."""
    family = m["family"]
    if not (m["hon"] or fold(m["given"]) in given_names()) or \
            len(_VOWELS.findall(family)) < (1 if m["hon"] else 2) or \
            fold(family) in _known_words():
        return m.group(0)
    return m.group(0)[:m.start("family") - m.start()] + "-".join(
        w.capitalize() for w in family.split("-"))


@cache
def _known_words() -> frozenset[str]:
    """Words in capitals that are names of institutions or technologies, not family names."""
    lex = lexicon()
    names = {fold(n) for i in lex.institutions for n in (i.name, *i.aliases)}
    return frozenset(names | lex["not_org_acronyms"])


def _plain(text: str) -> str:
    """The paragraph with addresses blanked and capitalised family names in title case
    (module docstring), the same length."""
    if "http" in text or "www." in text:
        text = _URL.sub(lambda m: " " * len(m.group(0)), text)
    return _CAPS_FAMILY.sub(_family_in_title_case, text)


def sentences(lines: list[Line]) -> list[Line]:
    """The body as sentences: one Line per sentence, with its source line number and the
    character offset where it starts in that line."""
    out: list[Line] = []
    for para in paragraphs(lines):
        text = _plain(_CITATION.sub(lambda m: " " * len(m.group(0)), para.text))
        if _MAY_HOLD_NICKNAME.search(text):
            text = NICKNAME.sub(_without_nickname, text)
        for offset, sentence in split(text):
            line, column = para.place(offset)
            out.append(Line(line.no, " ".join(sentence.split()), line.heading, line.bullet,
                            column))
    return out
