"""Relations between the mentions around a cue: once a page's people and organisations are
resolved, every sentence is scanned for their names (one Aho–Corasick pass, see
gazetteer.py) and for cue phrases; the mention just before a cue is its subject and the
first mention after it its object (a pronoun subject is the person last named).

- ``LITIGATES_AGAINST``: "X filed a case against Y", "X sued Y", "X took Y to court",
  "X was the plaintiff in … cases against Y", "X and associates have entered 25 lawsuits
  against Y", "X v Y" / "X vs Y"; a prosecutor: "X filed fraud charges against Y", "X
  prosecuted Y", "X was able to charge Y with …";
- ``MEMBER_OF``: "X is a member of Y", "As a member of Y, he …";
- ``DEPENDS_ON`` (organisations only, and only when the sentence plainly states an
  operational dependency): "X relies on Y", "X depends on Y for …", "X receives its IP
  addresses from Y".

Each fact has the sentence as its locator and the PATTERN tier's confidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from graph.vocab import PATTERN
from loaders.profile_names import Named, PageNames
from loaders.profile_text import Line
from loaders.text.gazetteer import Hit, NameMatcher
from loaders.text.model import Fact

_LEGAL = r"(?:case|cases|lawsuit|lawsuits|suit|suits|legal\s+proceedings|proceedings|action|" \
         r"actions|complaint|complaints|claim|claims|application|applications|injunction|appeal|" \
         r"charges|indictment)"
LITIGATION = [
    re.compile(rf"\b(?:filed|lodged|brought|initiated|instituted|entered|launched|commenced|"
               rf"started|initiate|file|bring|lodge|applied\s+for|applies\s+for|sought|obtained|"
               rf"secured)\s+(?:[\w-]+\s+){{0,5}}?{_LEGAL}\s+"
               rf"(?:(?:with|before|in|at|for)\s+[^.;]{{1,60}}?\s+)?against\b", re.IGNORECASE),
    # "won an injunction against Y" (not "won the case against Y": either party wins a case)
    re.compile(r"\bwon\s+(?:[\w-]+\s+){0,5}?(?:injunction|order|application|claim|claims)\s+"
               r"against\b", re.IGNORECASE),
    re.compile(r"\b(?:sued|sues|is\s+suing|was\s+suing)\b(?!\s+by\b)", re.IGNORECASE),
    re.compile(rf"\b(?:plaintiffs?|litigants?|claimants?)\s+in\s+(?:[\w-]+\s+){{0,6}}?{_LEGAL}\s+"
               rf"(?:(?:brought|filed|lodged)\s+)?against\b", re.IGNORECASE),
    re.compile(r"\b(?:took|taken|takes|taking)\b(?=.{1,60}?\bto\s+court\b)", re.IGNORECASE),
    re.compile(r"\b(?:challenged|challenges|challenging)\b(?=.{1,60}?\bin\s+court\b)",
               re.IGNORECASE),
    re.compile(rf"(?:'s|’s)\s+(?:[\w-]+\s+){{0,2}}?{_LEGAL}\s+against\b", re.IGNORECASE),
    # a prosecutor: "X prosecuted Y", "X indicted Y", "X was able to charge Y with fraud"
    re.compile(r"(?<!was\s)(?<!were\s)(?<!been\s)(?<!being\s)\b(?:prosecuted|prosecutes|"
               r"indicted|indicts|charged?)\s+(?=[A-Z])"),
]
# the defendant first: "Y was sued by X", "Y is being sued by X"
SUED_BY = [re.compile(r"\b(?:was|were|is|are|been|being)\s+(?:[\w-]+\s+){0,2}?sued\s+by\b",
                      re.IGNORECASE)]
# "a lawsuit brought by X against Y": the plaintiff after "by", the defendant after "against"
BY_AGAINST = re.compile(rf"\b{_LEGAL}\s+(?:[\w-]+\s+)?(?:filed|brought|lodged|launched|"
                        rf"initiated|commenced|instituted)\s+by\s+(?P<by>[^.;]{{2,80}}?)\s+"
                        rf"against\b", re.IGNORECASE)
CASE_TITLE = re.compile(r"\s+(?:&\s+(?:Others|Ors)\s+)?vs?\.?\s+")
MEMBERSHIP = [
    re.compile(r"\b(?:is|was|became|becomes|has\s+been|had\s+been|remains|(?:has\s+|have\s+)?"
               r"(?:served|serves|serving)\s+as)\s+(?:also\s+|now\s+)?"
               r"(?:a|an)\s+(?:founding\s+|active\s+|former\s+|longtime\s+|full\s+)?member\s+of\b",
               re.IGNORECASE),
]
# "X joined Y as a member", "X, a member of Y", "X, serving on the Internet Architecture Board"
MEMBERSHIP += [
    re.compile(r"\b(?:joined|joins)\b(?=\s+[^.;]{1,80}?\s+as\s+(?:a|an)\s+(?:founding\s+|"
               r"full\s+|associate\s+)?member\b)", re.IGNORECASE),
    re.compile(r",\s+(?:also\s+|now\s+|himself\s+|herself\s+)?(?:a|an)\s+(?:founding\s+|active\s+|"
               r"former\s+|longtime\s+|full\s+)?member\s+of\b", re.IGNORECASE),
    # "Chung, who joined ICANN's board of directors", "she joined the board of Example Ltd"
    re.compile(r"\b(?:joined|joins)\s+(?=(?:the\s+)?[Bb]oard\s+of\b|[^.;]{1,60}?(?:'s|’s)\s+[Bb]oard\b)"),
    re.compile(r"\b(?:serves|served|serving|sits|sat|sitting|held\s+(?:a\s+)?(?:seats?|positions?)|"
               r"holds\s+(?:a\s+)?(?:seats?|positions?)|holding\s+(?:a\s+)?(?:seats?|positions?))"
               r"\s+on\b(?-i:(?!\s+(?:the\s+)?(?:[\w-]*[A-Z][\w-]*[A-Z][\w-]*\s+|[\w-]+(?:'s|’s)\s+)?"
               r"(?:[\w-]+\s+)?(?:boards?|councils?|Board|Council)\b))",
               re.IGNORECASE),  # (a board seat is a role: profile_facts._board_seats)
]
MEMBER_FIRST = re.compile(r"\bAs\s+a\s+(?:founding\s+)?member\s+of\b", re.IGNORECASE)
DEPENDENCY = [
    re.compile(r"\b(?:relies|rely|relied|depends|depend|depended)\s+(?:heavily\s+|entirely\s+)?"
               r"on\b(?=.{0,80}\bfor\b)|\b(?:relies|rely|relied)\s+(?:heavily\s+|entirely\s+)?on\b",
               re.IGNORECASE),
    re.compile(r"\b(?:receives?|received|obtains?|obtained|gets|got)\s+(?:its|their|all\s+its)\s+"
               r"(?:IP\s+|IPv4\s+|IPv6\s+)?(?:addresses|address\s+space|number\s+resources|"
               r"resources|address\s+blocks|connectivity|transit)\s+from\b", re.IGNORECASE),
    re.compile(r"\bis\s+(?:operationally\s+)?dependent\s+on\b", re.IGNORECASE),
]
# "The registry then sued Cloud Innovation": the organisation of that kind named before
_DEFINITE_ORG_BEFORE = re.compile(r"\b(?:[Tt]he|[Ii]ts)\s+(?P<noun>registry|company|firm|"
                                  r"organi[sz]ation|foundation|regulator|operator|provider|ISP)"
                                  r"\s+(?:\w+\s+){0,2}$")
_PRONOUN_BEFORE = re.compile(r"\b(?:he|she|He|She)\s+(?:\w+\s+){0,2}$")
_SUBJECT_GAP = 80
_OBJECT_GAP = 45


def page_matcher(names: PageNames) -> NameMatcher:
    """Every name, alias and unambiguous short form of the page's people and organisations."""
    entries: list[tuple[str, str]] = []
    for item in names.items.values():
        entries.extend((form, item.id) for form in names.search_forms(item))
    return NameMatcher(entries)


OrgByNoun = Callable[[Line, int, str], Named | None]


def linked_facts(sentences: list[Line], names: PageNames,
                 last_person: Callable[[Line, int | None], Named | None],
                 org_by_noun: OrgByNoun | None = None) -> list[Fact]:
    """LITIGATES_AGAINST, MEMBER_OF and DEPENDS_ON facts from cue phrases (module doc)."""
    matcher = page_matcher(names)
    if matcher.empty:
        return []
    out: list[Fact] = []
    for ln in sentences:
        hits = matcher.find(ln.text)
        if not hits:
            continue
        linker = _Linker(ln, hits, names, last_person, out, org_by_noun)
        lowered = ln.text.lower()
        if any(w in lowered for w in ("against", "sue", "suing", "court", "prosecut", "indict",
                                      "charge")):
            linker.cues("LITIGATES_AGAINST", LITIGATION, any_type=True)
            linker.cues("LITIGATES_AGAINST", SUED_BY, any_type=True, passive=True)
            linker.by_against()
        if re.search(r"[.!?:;”\"]$", ln.text) and not ln.heading:  # not a headline
            linker.case_titles()
        if "member" in lowered or " on " in lowered or "join" in lowered:
            linker.cues("MEMBER_OF", MEMBERSHIP, any_type=False)
            linker.member_first()
        if any(w in lowered for w in ("rel", "depend", "from")):
            linker.cues("DEPENDS_ON", DEPENDENCY, any_type=False, orgs_only=True)
    return out


class _Linker:
    """The cue-and-neighbour rules applied to one sentence."""

    def __init__(self, ln: Line, hits: list[Hit], names: PageNames,
                 last_person: Callable[[Line, int | None], Named | None],
                 out: list[Fact], org_by_noun: OrgByNoun | None = None) -> None:
        self.ln, self.hits, self.names, self.last_person, self.out = (
            ln, hits, names, last_person, out)
        self.org_by_noun = org_by_noun

    def cues(self, type_: str, patterns: list[re.Pattern[str]], any_type: bool,
             orgs_only: bool = False, passive: bool = False) -> None:
        """The mention before each cue and the first after it (``passive``: the other way
        round, "Y was sued by X")."""
        for pattern in patterns:
            for m in pattern.finditer(self.ln.text):
                subject = self._before(m.start())
                target = self._after(m.end())
                if passive:
                    subject, target = target, subject
                if subject is None or target is None:
                    continue
                if orgs_only and subject.type == "Person":
                    continue
                if not any_type and target.type == "Person":
                    continue
                self._add(subject, type_, target)

    def by_against(self) -> None:
        """``a lawsuit brought by X against Y``."""
        for m in BY_AGAINST.finditer(self.ln.text):
            self._add(self._after(m.start("by")), "LITIGATES_AGAINST", self._after(m.end()))

    def case_titles(self) -> None:
        """``Afri Holdings & Others vs AFRINIC``: the party before ``v``/``vs`` sues the one
        after it."""
        for left, right in zip(self.hits, self.hits[1:], strict=False):
            gap = self.ln.text[left.end:right.start]
            if CASE_TITLE.fullmatch(gap):
                self._add(self._item(left), "LITIGATES_AGAINST", self._item(right))

    def member_first(self) -> None:
        """``As a member of the Boston Working Group, he …``."""
        for m in MEMBER_FIRST.finditer(self.ln.text):
            body = self._after(m.end())
            comma = self.ln.text.find(",", m.end())
            if body is None or body.type == "Person" or comma < 0:
                continue
            rest = self.ln.text[comma + 1:].lstrip()
            member = None
            if re.match(r"(?:he|she)\b", rest, re.IGNORECASE):
                member = self.last_person(self.ln, m.start())
            else:
                member = next((self._item(h) for h in self.hits if h.start > comma and
                               h.start - comma < 4), None)
            self._add(member, "MEMBER_OF", body)

    def _before(self, pos: int) -> Named | None:
        if _PRONOUN_BEFORE.search(self.ln.text[:pos]):
            return self.last_person(self.ln, pos)
        if self.org_by_noun and (m := _DEFINITE_ORG_BEFORE.search(self.ln.text[:pos])):
            return self.org_by_noun(self.ln, m.start(), m["noun"].lower())
        before = [h for h in self.hits if h.end <= pos and pos - h.end <= _SUBJECT_GAP and
                  ";" not in self.ln.text[h.end:pos]]
        return self._item(before[-1]) if before else None

    def _after(self, pos: int) -> Named | None:
        after = [h for h in self.hits if h.start >= pos and h.start - pos <= _OBJECT_GAP]
        return self._item(after[0]) if after else None

    def _item(self, hit: Hit) -> Named | None:
        return self.names.items.get(hit.key)

    def _add(self, source: Named | None, type_: str, target: Named | None) -> None:
        if source is None or target is None or source.id == target.id:
            return
        self.out.append(Fact(source.id, type_, target.id, self.ln.no, PATTERN.confidence, {},
                             self.ln.offset))
