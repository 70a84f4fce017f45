"""Names in profile pages: the patterns that find people and organisations, the known
registries (and other institutions) with their long forms, how an organisation's type is
judged from its name, and :class:`PageNames`, which resolves the names one page uses
(``Heng`` after ``Lu Heng``; ``CI`` after ``Cloud Innovation (CI)``; ``Afrinic`` = ``AFRINIC``)
to one entity each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.ids import LEGAL_SUFFIXES, entity_id, fold, normalise_name

UP = "A-ZÀ-ÖØ-Þ"
LO = "a-zß-öø-ÿ"
NAME_WORD = rf"[{UP}][{LO}]+(?:[-'’][{UP}]?[{LO}]+)*"
_PARTICLE = r"(?:van|von|de|da|der|del|della|bin|binti|al|ibn|le|la|du|dos|das)"
PERSON = rf"{NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?(?:{NAME_WORD}|[{UP}]\.)){{1,3}}"
PERSON_OR_SHORT = rf"{NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?(?:{NAME_WORD}|[{UP}]\.)){{0,3}}"
_OWORD = rf"(?:[{UP}0-9][\w&'’.-]*\w|[{UP}])"
_CONN = r"(?:of the|for the|of|for|and|de|du|des|la|le|&|on)"
ORG = rf"{_OWORD}(?:\s+(?:{_CONN}\s+)?{_OWORD})*"

# Known institutions: canonical name, type, other names (the long forms are what pages use).
KNOWN_ORGS: list[tuple[str, str, tuple[str, ...]]] = [
    ("IANA", "Registry", ("Internet Assigned Numbers Authority",)),
    ("AFRINIC", "Registry", ("African Network Information Centre",
                             "African Network Information Center")),
    ("APNIC", "Registry", ("Asia-Pacific Network Information Centre",
                           "Asia Pacific Network Information Centre")),
    ("ARIN", "Registry", ("American Registry for Internet Numbers",)),
    ("LACNIC", "Registry", ("Latin American and Caribbean Internet Addresses Registry",
                            "Latin America and Caribbean Network Information Centre")),
    ("RIPE NCC", "Registry", ("Réseaux IP Européens Network Coordination Centre",
                              "RIPE Network Coordination Centre")),
    ("ICANN", "Organization", ("Internet Corporation for Assigned Names and Numbers",)),
    ("PTI", "Organization", ("Public Technical Identifiers",)),
    ("NRO", "Organization", ("Number Resource Organization",)),
    ("IETF", "Organization", ("Internet Engineering Task Force",)),
    ("Internet Society", "Organization", ("ISOC",)),
    ("BTW Media", "Publisher", ("Blue Tech Wave Media", "btw.media")),
    ("Supreme Court of Mauritius", "Authority", ("Mauritius Supreme Court",
                                                 "Mauritian Supreme Court")),
]
KNOWN_PUBLISHERS = ("BTW Media", "Blue Tech Wave Media", "MyBroadband", "TechCentral", "ITWeb",
                    "TechCabal", "CircleID", "Domain Name Wire", "The Register", "Reuters",
                    "Capacity Media", "Light Reading", "Le Mauricien", "Defimedia",
                    "Business Day", "Daily Maverick")

KNOWN_PUBLISHERS_PATTERN = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(p) for p in KNOWN_PUBLISHERS) + r")(?!\w)")

_KNOWN: dict[str, tuple[str, str]] = {}
for _canon, _type, _names in KNOWN_ORGS:
    for _n in (_canon, *_names):
        _KNOWN[fold(_n)] = (_canon, _type)


def known_org(name: str) -> tuple[str, str] | None:
    """``(canonical name, type)`` of a known institution by any of its names, any case."""
    return _KNOWN.get(fold(name)) or _KNOWN.get(normalise_name(name, "org"))


def known_names_pattern() -> re.Pattern[str]:
    """Every name of every known institution, longest first, as whole words. Names of four
    letters or more match in any case (``Afrinic``); shorter ones only as written (``PTI``)."""
    parts = []
    for name in sorted({n for c, _, ns in KNOWN_ORGS for n in (c, *ns)}, key=len, reverse=True):
        body = re.escape(name).replace(r"\ ", r"\s+")
        parts.append(f"(?i:{body})" if len(name) >= 4 else body)
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?![\w])")


KNOWN_NAMES = known_names_pattern()

_AUTHORITY = {"court", "tribunal", "ministry", "government", "regulator", "commission",
              "parliament", "police", "department", "agency", "judiciary", "senate", "council"}
_COMPANY = {"company", "corporation", "group", "holdings", "technologies", "technology",
            "networks", "telecom", "telecommunications", "systems", "solutions", "capital",
            "ventures", "partners", "bank", "labs", "innovation"} | set(LEGAL_SUFFIXES)
ORG_WORDS = _AUTHORITY | _COMPANY | {
    "foundation", "registry", "authority", "association", "institute", "institution",
    "centre", "center", "union", "forum", "society", "organization", "organisation",
    "university", "network", "media", "board", "committee", "alliance", "consortium",
    "federation", "trust", "exchange", "office", "secretariat", "agency", "club", "academy"}
NOT_NAME_WORDS = ORG_WORDS | {
    "internet", "registries", "african", "africa", "global", "supreme", "the", "this", "that",
    "these", "those", "its", "his", "her", "their", "our", "new", "cloud", "digital", "ip",
    "ipv4", "ipv6", "world", "national", "international", "regional", "public", "private",
    "why", "what", "how", "who", "when", "where", "also", "read", "home", "profile", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "north", "south", "east", "west", "asia", "pacific", "europe", "american",
    "latin", "caribbean", "mauritius", "seychelles", "china", "hong", "kong", "sovereign",
    "administration", "according", "however", "meanwhile", "category", "region", "topic",
    "impact", "signal", "focus", "content", "primary", "domain", "source", "sources", "court",
    "ceo", "founder", "chief", "executive", "officer", "chairman", "president", "director",
    "mr", "mrs", "ms", "dr", "prof", "judge", "justice", "policy", "governance", "strategic",
    "leadership", "member", "briefing", "institution", "infrastructure", "ripe", "ncc"}
_LEADING_STOP = {"each", "every", "all", "other", "five", "several", "many", "some",
                 "the", "this", "that", "these", "it", "he", "she", "they", "we", "in", "on",
                 "at", "as", "according", "however", "but", "and", "a", "an", "its", "his",
                 "her", "their", "when", "while", "after", "before", "since", "if", "for",
                 "with", "by", "from", "also", "read", "why", "what", "how", "who", "both",
                 "former", "then", "today", "yesterday", "last", "next", "under", "between"}


def org_type(name: str, hint: str = "") -> str:
    """The node type an organisation's name (or a stated type such as "registry") implies:
    Registry, Authority, Foundation, Company, Publisher or Organization."""
    known = known_org(name)
    if known:
        return known[1]
    words = set(fold(f"{name} {hint}").split())
    if words & {"registry", "rir", "nic"}:
        return "Registry"
    if words & _AUTHORITY:
        return "Authority"
    if "foundation" in words:
        return "Foundation"
    if words & {"publisher", "media", "newspaper", "magazine"} and hint:
        return "Publisher"
    if words & _COMPANY or fold(name).split()[-1:] and fold(name).split()[-1] in LEGAL_SUFFIXES:
        return "Company"
    return "Organization"


def clean_name(text: str) -> str:
    """A name without surrounding punctuation, possessive ``'s``, leading ``the`` or
    honorifics, with straight quotes and single spaces."""
    text = " ".join(text.replace("’", "'").split())
    text = re.sub(r"^(?:(?:the|The|THE|Mr|Mrs|Ms|Dr|Prof|Judge|Justice)\.?\s+)+", "", text)
    text = re.sub(r"'s$", "", text)
    return text.strip(" \t,.;:!?\"'()[]{}–—-")


def strip_leading_stopwords(text: str) -> str:
    words = text.split()
    while words and words[0].lower() in _LEADING_STOP:
        words.pop(0)
    return " ".join(words)


GENERIC_WORDS = {"regional", "internet", "registry", "registries", "national", "address",
                 "addresses", "number", "numbers", "resource", "resources", "network",
                 "networks", "domain", "name", "names", "top", "level", "country", "code",
                 "official", "local", "government", "court", "courts", "company", "companies",
                 "organisation", "organization", "authority", "authorities", "exchange",
                 "ip", "ipv4", "ipv6", "global", "public", "private", "independent"}


def generic_description(name: str) -> bool:
    """A description rather than a name: ``Regional Internet Registry for Africa``,
    ``Internet Registry``, ``National Government`` (every word before "for"/"of" generic)."""
    head = re.split(r"\s+(?:for|of|in)\s+", name, maxsplit=1)[0]
    return all(w in GENERIC_WORDS for w in fold(head).split())


def plausible_person(name: str) -> bool:
    """Two to four name words, none of them a word that names things rather than people."""
    words = fold(name).split()
    return 2 <= len(words) <= 4 and not any(w in NOT_NAME_WORDS for w in words) \
        and known_org(name) is None


def plausible_org(name: str) -> bool:
    """At least two letters, not a lone stopword, not a sentence fragment."""
    words = name.split()
    return (bool(words) and len(fold(name)) >= 2 and len(words) <= 10
            and fold(words[0]) not in _LEADING_STOP and not name.isdigit())


def acronym_of(words: list[str]) -> str:
    return "".join(w[0] for w in words if w[:1].isupper()).upper()


def looks_like_acronym(short: str, long: str) -> bool:
    """``CI`` for ``Cloud Innovation``, ``CIL`` for ``Cloud Innovation Ltd``, ``IANA`` for
    ``Internet Assigned Numbers Authority``; or a known name of the same institution."""
    if known_org(short) and known_org(short) == known_org(long):
        return True
    letters = re.sub(r"[^A-Za-z]", "", short).upper()
    if not 2 <= len(letters) <= 10:
        return False
    initials = acronym_of(long.split())
    return letters == initials or (len(letters) >= 2 and initials.startswith(letters)) \
        or (letters in initials and len(letters) >= 3)


@dataclass(slots=True)
class Named:
    """One person or organisation of a page, with every name the page uses for it."""

    id: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    line: int = 0
    short_forms: set[str] = field(default_factory=set)


class PageNames:
    """The people and organisations one page names, each under one id."""

    def __init__(self) -> None:
        self.items: dict[str, Named] = {}
        self.index: dict[str, str] = {}  # folded name or alias -> id

    def lookup(self, name: str) -> Named | None:
        """The entity a full name or alias refers to (any case, legal suffix or not)."""
        key = self.index.get(fold(name)) or self.index.get(entity_id("Organization", name))
        return self.items.get(key) if key else None

    def person(self, raw: str, line: int) -> Named | None:
        """The person a name refers to: a known full name, a single name word that only one
        person of the page carries (``Heng``), or a new person (two or more name words)."""
        name = clean_name(raw)
        hit = self.lookup(name)
        if hit is not None:
            return hit if hit.type == "Person" else None
        if len(name.split()) == 1:
            return self.by_short_form(name)
        if not plausible_person(name):
            return None
        return self._add(Named(entity_id("Person", name), "Person", name, line=line,
                               short_forms={fold(w) for w in name.split() if len(w) > 1}))

    def by_short_form(self, word: str) -> Named | None:
        key = fold(word)
        hits = [n for n in self.items.values() if n.type == "Person" and key in n.short_forms]
        return hits[0] if len(hits) == 1 else None

    def org(self, raw: str, line: int, hint: str = "", aliases: tuple[str, ...] = ()
            ) -> Named | None:
        """The organisation a name refers to, added when new. Known institutions take their
        canonical name (``Afrinic`` -> ``AFRINIC``) with the form used as an alias."""
        name = clean_name(strip_leading_stopwords(clean_name(raw)))
        if not plausible_org(name):
            return None
        known = known_org(name) or next((known_org(a) for a in aliases if known_org(a)), None)
        canonical, type_ = known if known else (name, org_type(name, hint))
        hit = self.lookup(canonical) or self.lookup(name) or next(
            (self.lookup(a) for a in aliases if self.lookup(a)), None)
        if hit is not None and hit.type == "Person":
            return None
        if hit is None:
            hit = self._add(Named(entity_id("Organization", canonical), type_, canonical,
                                  line=line))
        elif hit.type == "Organization" and type_ != "Organization":
            hit.type = type_
        for alias in (name, *aliases):
            self.add_alias(hit, alias)
        return hit

    def add_alias(self, item: Named, alias: str) -> None:
        alias = clean_name(alias)
        if alias and fold(alias) != fold(item.name) and alias not in item.aliases:
            item.aliases.append(alias)
        if alias:
            self.index.setdefault(fold(alias), item.id)

    def _add(self, item: Named) -> Named:
        existing = self.items.get(item.id)
        if existing is not None:
            return existing
        self.items[item.id] = item
        self.index.setdefault(fold(item.name), item.id)
        if item.type != "Person":
            self.index.setdefault(item.id, item.id)
        return item

    def people(self) -> list[Named]:
        return [n for n in self.items.values() if n.type == "Person"]

    def orgs(self) -> list[Named]:
        return [n for n in self.items.values() if n.type != "Person"]

    def search_forms(self, item: Named) -> list[str]:
        """The names to look for in text: name, aliases, the name without legal suffix,
        and for people their single name words (resolved only when unambiguous)."""
        forms = {item.name, *item.aliases}
        if item.type != "Person":
            bare = _without_suffix(item.name)
            if bare:
                forms.add(bare)
        else:
            forms.update(w for w in item.name.split() if self.by_short_form(w) is item)
        return sorted((f for f in forms if len(f) >= 2), key=len, reverse=True)


def _without_suffix(name: str) -> str:
    words = name.split()
    while len(words) > 1 and fold(words[-1]).strip(".") in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)
