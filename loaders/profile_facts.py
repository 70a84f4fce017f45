"""Facts in the body of a profile page: quote attributions, roles stated in prose, the
organisations and people the text names, essays named in quotes, and quotes in prose.

Confidence says how a fact was found (docs/loaders.md): an attribution line 0.9, a role in an
explicit pattern 0.7, a looser pattern or a pronoun 0.6, a mention 0.5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from graph.ids import clean_text, entity_id, fold
from loaders.profile_fields import DATE, iso_date
from loaders.profile_names import (
    KNOWN_NAMES,
    ORG,
    ORG_WORDS,
    PERSON,
    PERSON_OR_SHORT,
    Named,
    PageNames,
    clean_name,
    generic_description,
    known_org,
    looks_like_acronym,
    strip_leading_stopwords,
)
from loaders.profile_text import Line

ATTRIBUTION_CONFIDENCE = 0.9
PATTERN_CONFIDENCE = 0.7
LOOSE_CONFIDENCE = 0.6
MENTION_CONFIDENCE = 0.5

ROLE = (r"(?i:co-?founder|founding (?:ceo|chairman|director)|founder|chief executive officer|"
        r"chief executive|chief [a-z]+ officer|ceo|cto|coo|cfo|cio|chair(?:man|woman|person)?|"
        r"(?:vice[- ])?president|managing director|executive director|director[- ]general|"
        r"director|board member|member of the board|head|secretary[- ]general|"
        r"general counsel|owner|managing partner|partner)")
ROLES = rf"{ROLE}(?:\s*(?:,|and|&|/)\s*{ROLE})*"
_ROLE_NAMES = {"ceo": "CEO", "chief executive officer": "CEO", "chief executive": "CEO",
               "cto": "CTO", "coo": "COO", "cfo": "CFO", "cio": "CIO", "founder": "Founder",
               "co-founder": "Co-founder", "cofounder": "Co-founder", "chairman": "Chair",
               "chairwoman": "Chair", "chairperson": "Chair", "chair": "Chair",
               "board member": "Board member", "member of the board": "Board member"}
_VERB_ROLES = {"co-founded": "Co-founder", "founded": "Founder", "established": "Founder",
               "set up": "Founder", "launched": "Founder", "leads": "Head", "heads": "Head",
               "runs": "Head", "led": "Head", "headed": "Head", "run": "Head",
               "chairs": "Chair", "chaired": "Chair", "owned": "Owner", "owns": "Owner"}
_ART = r"(?:(?:the|a|an)\s+)?"
_FORMER = r"(?P<former>(?i:former|then|ex-)\s*)?"
_PRONOUN = r"(?i:he|she)"
_RE = re.compile

ATTRIBUTION = _RE(r"^\s*(?:[—―–]{1,3}|-{2,3}|~)\s*(?P<body>[^\s—―–-].*)$")
ROLE_PATTERNS = [  # (pattern, confidence); groups p (person), r (roles), o (organisation)
    (_RE(rf"(?P<p>{PERSON}),\s+{_ART}{_FORMER}(?P<r>{ROLES})\s+(?:of|at)\s+(?P<o>{ORG})"),
     PATTERN_CONFIDENCE),
    (_RE(rf"(?P<p>{PERSON_OR_SHORT}|{_PRONOUN})\s+(?:is|was|serves as|served as|became|remains|"
         rf"has been|had been)\s+(?:also\s+)?{_ART}{_FORMER}(?P<r>{ROLES})\s+(?:of|at)\s+"
         rf"(?P<o>{ORG})"),
     PATTERN_CONFIDENCE),
    (_RE(rf"(?P<o>{ORG})\s+and\s+its\s+{_FORMER}(?P<r>{ROLES}),?\s+(?P<p>{PERSON})"),
     LOOSE_CONFIDENCE),
    (_RE(rf"{_ART}{_FORMER}(?P<r>{ROLES})\s+of\s+(?P<o>{ORG}),\s+(?P<p>{PERSON})"),
     PATTERN_CONFIDENCE),
    (_RE(rf"(?P<o>{ORG})(?:'s|’s)?\s+{_FORMER}(?P<r>{ROLES}),?\s+(?P<p>{PERSON})"),
     PATTERN_CONFIDENCE),
]
_CONTINUATION = _RE(rf"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+as well as\s+){_ART}{_FORMER}"
                    rf"(?P<r>{ROLES})\s+(?:of|at)\s+(?P<o>{ORG})")
_VERBS = r"(?P<v>co-founded|founded|established|set up|launched|leads|heads|runs|chairs|owns)"
VERB_PATTERNS = [
    _RE(rf"(?P<p>{PERSON_OR_SHORT}|{_PRONOUN})\s+(?:also\s+|later\s+|previously\s+|"
        rf"subsequently\s+)?{_VERBS}\s+(?:(?:an?|the)\s+(?:[\w-]+\s+){{0,4}}?(?:called|named)\s+"
        rf"|the\s+)?(?P<o>{ORG})"),
    _RE(rf"(?P<o>{ORG}),?\s+(?:which\s+was\s+|was\s+|is\s+)?(?P<v>co-founded|founded|led|"
        rf"headed|chaired|run|owned|established)\s+by\s+(?P<p>{PERSON})"),
    _RE(rf"(?P<p>{PERSON}),\s+who\s+(?:also\s+)?{_VERBS}\s+(?P<o>{ORG})"),
]
_SPEECH = (r"(?:said|says|argues|argued|explains|explained|told|added|noted|wrote|writes|"
           r"stressed|stresses|warned|warns|believes|believed|claims|claimed|emphasi[sz]ed|"
           r"emphasi[sz]es|insists|insisted|contends|maintained|maintains|welcomed|assured|"
           r"stated|states|observed|observes)")
PERSON_PATTERNS = [
    _RE(rf"(?P<p>{PERSON})\s+{_SPEECH}\b"),
    _RE(rf"\b(?:according to|said|says|added|wrote)\s+(?P<p>{PERSON})"),
    _RE(rf"\b(?:Mr|Mrs|Ms|Dr|Prof|Judge|Justice)\.?\s+(?P<p>{PERSON})"),
]
_QUOTE_SPEAKERS = [
    _RE(rf"[”\"]\s*,?\s*(?P<p>{PERSON_OR_SHORT}|{_PRONOUN})\s+{_SPEECH}"),
    _RE(rf"[”\"]\s*,?\s*{_SPEECH}\s+(?P<p>{PERSON})"),
    _RE(rf"(?P<p>{PERSON_OR_SHORT}|{_PRONOUN})\s+{_SPEECH}\s*[:,]?\s*[“\"]"),
]
PARENTHESES = _RE(rf"(?P<long>{ORG})\s*\((?P<short>[A-Za-z][\w&.-]{{1,14}})\)")
ORG_PHRASE = _RE(ORG)
_QT = r"[“\"](?P<title>[^”\"\n]{3,200}?)[”\"]"
_DOC_WORDS = (r"(?P<kind>essay|commentary|op-ed|opinion piece|opinion article|article|column|"
              r"blog post|paper|piece|open letter|letter|memo|manifesto|notes|note)")
_TITLED = r"(?:(?:titled|entitled|called|named)\s+)?"
ESSAY_PATTERNS = [
    _RE(rf"(?P<who>\b(?:his|her|their|His|Her|Their)|{PERSON_OR_SHORT}(?:'s|’s))\s+"
        rf"(?:(?P<date>{DATE})\s+)?(?:(?:new|latest|recent|published|widely[- ]read)\s+)?"
        rf"{_DOC_WORDS}\s*,?\s*{_TITLED}{_QT}"),
    _RE(rf"\b(?:an?|the|this|that)\s+(?:(?P<date>{DATE})\s+)?{_DOC_WORDS}\s*,?\s*{_TITLED}{_QT}"
        rf"(?:\s*,?\s*(?:written\s+)?by\s+(?P<by>{PERSON}))?"),
    _RE(rf"\b(?:titled|entitled)\s+{_QT}"),
]
_PUBLISHED_ON = _RE(rf"\bpublished\s+(?:on|in)\s+(?P<date>{DATE})")
_ALSO_READ = _RE(r"(?i)^(?:also read|read also|see also|related|read more)\s*[:：]\s*(?P<t>\S.+)$")
_ROLE_WORD = _RE(rf"^{ROLE}$")


@dataclass(slots=True)
class Fact:
    """One relation as the page states it (``source``/``target`` are ids)."""

    source: str
    type: str
    target: str
    line: int
    confidence: float
    properties: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class Essay:
    title: str
    line: int
    published: str | None = None


_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor",
                "of", "on", "or", "over", "the", "to", "up", "via", "with", "vs"}


def title_case(title: str) -> str:
    """An essay title in title case, so that one essay written in sentence case on one page
    and in title case on another reads the same (``Why registries must never become
    enforcers`` -> ``Why Registries Must Never Become Enforcers``). Words with capitals
    inside (``IPv4``, ``ICANN``) are kept as written."""
    words = title.split(" ")
    out = []
    for i, word in enumerate(words):
        if any(c.isupper() for c in word[1:]) or not word[:1].isalpha():
            out.append(word)
        elif 0 < i < len(words) - 1 and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def role_names(text: str) -> list[str]:
    """``founder and CEO`` -> ``["Founder", "CEO"]``."""
    out = []
    for part in re.split(r"\s*(?:,|\band\b|&|/)\s*", text.strip()):
        key = part.strip().lower().replace("cofounder", "co-founder")
        if key:
            out.append(_ROLE_NAMES.get(key) or key[:1].upper() + key[1:])
    return out


def split_orgs(text: str) -> list[str]:
    """``Cloud Innovation and LARUS Limited`` -> two names; known names that contain "and"
    (``Internet Corporation for Assigned Names and Numbers``) stay whole."""
    if " and " not in text or known_org(text):
        return [text]
    parts = [p for p in re.split(r"\s+and\s+", text) if p]
    return parts if all(p[:1].isupper() for p in parts) else [text]


def cut_at_role(text: str) -> str:
    """An organisation phrase up to the first role word (``Cloud Innovation CEO`` ->
    ``Cloud Innovation``)."""
    text = re.sub(rf"^{ROLES}\s+(?:of|at)\s+", "", text)
    m = re.search(rf"(?:'s|’s)?\s+{ROLE}(?!\w)", text)
    return text[:m.start()] if m else text


class Extractor:
    """Reads one page's body into people, organisations, essays and facts."""

    def __init__(self, body: list[Line], names: PageNames, doc_id: str) -> None:
        self.names = names
        self.doc_id = doc_id
        self.facts: list[Fact] = []
        self.essays: list[Essay] = []
        self.related: list[tuple[str, int]] = []
        self.quoted: dict[str, int] = {}
        self.text: list[Line] = []
        for ln in body:
            m = _ALSO_READ.match(ln.text)
            if m:
                self.related.append((clean_name(m["t"]), ln.no))
            else:
                self.text.append(ln)

    def run(self) -> None:
        """Every extraction step, in the order that lets later steps resolve short names."""
        for ln in self.text:
            self._attribution(ln)
        for ln in self.text:
            self._roles(ln)
            self._orgs(ln)
        for ln in self.text:
            self._people(ln)
        for ln in self.text:
            self._verb_roles(ln)
        for i, ln in enumerate(self.text):
            self._essays(i, ln)
            self._prose_quotes(i, ln)

    # -------------------------------------------------------------- attributions
    def _attribution(self, ln: Line) -> None:
        """``——Name, CEO at X, CEO at Y, Founder of Z.``: QUOTED_IN plus one ROLE_AT per
        role."""
        m = ATTRIBUTION.match(ln.text)
        if not m:
            return
        parts = [p.strip() for p in m["body"].rstrip(" .").split(",") if p.strip()]
        person = self.names.person(parts[0], ln.no) if parts else None
        if person is None:
            return
        self.quoted[person.id] = self.quoted.get(person.id, 0) + 1
        self._fact(person.id, "QUOTED_IN", self.doc_id, ln.no, ATTRIBUTION_CONFIDENCE)
        for part in parts[1:]:
            rm = re.match(rf"^{_FORMER}(?P<r>.+?)\s+(?:at|of|,)\s+(?P<o>.+)$", part)
            if rm and len(rm["r"].split()) <= 5:
                self._roles_at(person, rm["r"], rm["o"], ln.no, ATTRIBUTION_CONFIDENCE,
                               bool(rm["former"]))
            else:
                self.names.org(part, ln.no) if not _ROLE_WORD.match(part) else None

    def _roles_at(self, person: Named, roles: str, orgs: str, line: int, confidence: float,
                  former: bool = False) -> None:
        for org_name in split_orgs(cut_at_role(orgs)):
            org = self.names.org(org_name, line)
            if org is None:
                continue
            for role in role_names(roles):
                props: dict[str, object] = {"role": role}
                if former:
                    props["former"] = True
                self._fact(person.id, "ROLE_AT", org.id, line, confidence, props)

    # -------------------------------------------------------------- prose
    def _roles(self, ln: Line) -> None:
        """``Name, founder of Org``, ``Name is the CEO of Org and the founder of Org``,
        ``Org's CEO Name``, ``Org and its founder, Name``, ``CEO of Org, Name``."""
        for pattern, confidence in ROLE_PATTERNS:
            for m in pattern.finditer(ln.text):
                person = self._speaker(m["p"], ln)
                if person is None:
                    continue
                conf = confidence if len(m["p"].split()) > 1 else LOOSE_CONFIDENCE
                self._roles_at(person, m["r"], m["o"], ln.no, conf, bool(m["former"]))
                self._continuations(person, ln, m.end(), conf)

    def _continuations(self, person: Named, ln: Line, pos: int, confidence: float) -> None:
        while m := _CONTINUATION.match(ln.text, pos):
            self._roles_at(person, m["r"], m["o"], ln.no, confidence, bool(m["former"]))
            pos = m.end()

    def _verb_roles(self, ln: Line) -> None:
        """``Name founded Org``, ``Org, founded by Name``, ``Name, who leads Org``."""
        for pattern in VERB_PATTERNS:
            for m in pattern.finditer(ln.text):
                person = self._speaker(m["p"], ln)
                if person is not None:
                    self._roles_at(person, _VERB_ROLES[m["v"].lower()], m["o"], ln.no,
                                   LOOSE_CONFIDENCE)

    def _orgs(self, ln: Line) -> None:
        """Known institutions, ``Long Name (ACRONYM)``, and capitalised names that end in or
        contain an organisation word (Foundation, Court, Ltd, Registry, ...)."""
        for m in PARENTHESES.finditer(ln.text):
            long = strip_leading_stopwords(clean_name(m["long"]))
            if (looks_like_acronym(m["short"], long) and self.names.lookup(long) is None
                    or (hit := self.names.lookup(long)) is not None and hit.type != "Person"):
                self.names.org(long, ln.no, aliases=(m["short"],))
        for m in KNOWN_NAMES.finditer(ln.text):
            self.names.org(m.group(0), ln.no)
        if ln.heading or _title_case_line(ln.text) or ATTRIBUTION.match(ln.text):
            return
        for m in ORG_PHRASE.finditer(ln.text):
            self._keyword_org(m.group(0), ln)

    def _keyword_org(self, phrase: str, ln: Line) -> None:
        name = cut_at_role(strip_leading_stopwords(clean_name(phrase)))
        words = fold(name).split()
        if (len(words) >= 2 and set(words) & ORG_WORDS and self.names.lookup(name) is None
                and not generic_description(name)):
            for part in split_orgs(name):
                if len(part.split()) >= 2 or self.names.lookup(part):
                    self.names.org(part, ln.no)

    def _people(self, ln: Line) -> None:
        """People named as speakers (``Name said``, ``according to Name``, ``Mr Name``)."""
        for pattern in PERSON_PATTERNS:
            for m in pattern.finditer(ln.text):
                self.names.person(strip_leading_stopwords(m["p"]), ln.no)

    def _speaker(self, raw: str, ln: Line) -> Named | None:
        if re.fullmatch(_PRONOUN, raw):
            return self.last_person(ln)
        return self.names.person(strip_leading_stopwords(raw), ln.no)

    def last_person(self, ln: Line, before: int | None = None) -> Named | None:
        """The person most recently named at or before this line (before ``before`` on the
        line itself)."""
        lines = [x for x in self.text if x.no <= ln.no]
        for x in reversed(lines):
            text = x.text[:before] if x is ln and before is not None else x.text
            best, where = None, -1
            for person in self.names.people():
                for m in names_regex(tuple(self.names.search_forms(person)), False).finditer(text):
                    if m.start() > where:
                        best, where = person, m.start()
            if best is not None:
                return best
        return None

    # -------------------------------------------------------------- essays and quotes
    def _essays(self, i: int, ln: Line) -> None:
        """``In his September 2025 essay “…”``, ``titled “…”``, ``his essay “…”``: an Essay
        with AUTHORED from the writer and the date when given."""
        done: set[str] = set()
        for pattern in ESSAY_PATTERNS:
            for m in pattern.finditer(ln.text):
                title = title_case(clean_name(clean_text(m["title"])))
                if len(title) < 3 or fold(title) in done:
                    continue
                done.add(fold(title))
                groups = m.groupdict()
                published = _PUBLISHED_ON.search(ln.text)
                date = groups.get("date") or (published["date"] if published else None)
                essay = Essay(title, ln.no, iso_date(date) if date else None)
                self.essays.append(essay)
                author = self._essay_author(groups, ln, m.start())
                if author is not None:
                    self._fact(author.id, "AUTHORED", entity_id("Essay", title), ln.no,
                               PATTERN_CONFIDENCE)

    def _essay_author(self, groups: dict[str, str | None], ln: Line, pos: int
                      ) -> Named | None:
        for key in ("by", "who"):
            raw = groups.get(key)
            if raw and raw.lower() not in {"his", "her", "their"}:
                person = self.names.person(clean_name(raw), ln.no)
                if person is not None:
                    return person
        return self.last_person(ln, before=pos) or self.last_person(ln)

    def _prose_quotes(self, i: int, ln: Line) -> None:
        """``“…,” Name said`` / ``“…,” he said`` / ``Name said: “…”``: QUOTED_IN."""
        if not re.search(r"[“”\"]", ln.text):
            return
        for pattern in _QUOTE_SPEAKERS:
            for m in pattern.finditer(ln.text):
                person = self._speaker(m["p"], ln) if not re.fullmatch(_PRONOUN, m["p"]) \
                    else self.last_person(ln, before=m.start())
                if person is not None:
                    conf = PATTERN_CONFIDENCE if len(m["p"].split()) > 1 else LOOSE_CONFIDENCE
                    self.quoted[person.id] = self.quoted.get(person.id, 0) + 1
                    self._fact(person.id, "QUOTED_IN", self.doc_id, ln.no, conf)

    def _fact(self, source: str, type_: str, target: str, line: int, confidence: float,
              properties: dict[str, object] | None = None) -> None:
        self.facts.append(Fact(source, type_, target, line, confidence, properties or {}))

    # -------------------------------------------------------------- mentions
    def mention_lines(self, item: Named, extra: list[Line] = ()) -> list[int]:
        """Line numbers where a person or organisation is named."""
        pattern = names_regex(tuple(self.names.search_forms(item)), item.type != "Person")
        return [ln.no for ln in [*extra, *self.text] if pattern.search(ln.text)]


@lru_cache(maxsize=4096)
def names_regex(forms: tuple[str, ...], ignore_case: bool) -> re.Pattern[str]:
    """Any of the names as a whole word (case-insensitive for organisations)."""
    body = "|".join(re.escape(f) for f in forms) or r"(?!x)x"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE if ignore_case else 0)


def _title_case_line(text: str) -> bool:
    """A heading written in title case (every long word capitalised, no full stop)."""
    words = [w for w in text.split() if len(w) > 3]
    return (len(words) >= 2 and not text.endswith((".", "”", '"')) and len(text) < 90
            and all(w[:1].isupper() for w in words))
