"""Names in profile pages: the patterns that find people and organisations, the known
registries (and other institutions) with their long forms, how an organisation's type is
judged from its name, and :class:`PageNames`, which resolves the names one page uses
(``Heng`` after ``Lu Heng``; ``CI`` after ``Cloud Innovation (CI)``; ``Afrinic`` = ``AFRINIC``)
to one entity each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry
from nameparser import HumanName
from nicknames import NickNamer

from graph.ids import LEGAL_SUFFIXES, entity_id, fold, normalise_name
from loaders.text.gazetteer import NameMatcher
from loaders.text.lexicon import lexicon
from loaders.text.people import NAME_WORD

UP = "A-ZÀ-ÖØ-Þ"
LO = "a-zß-öø-ÿ"
_PARTICLE = r"(?:van|von|de|da|der|del|della|bin|binti|al|ibn|le|la|du|dos|das)"
PERSON = rf"{NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?(?:{NAME_WORD}|[{UP}]\.)){{1,3}}"
PERSON_OR_SHORT = rf"{NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?(?:{NAME_WORD}|[{UP}]\.)){{0,3}}"
_OWORD = rf"(?:[{UP}0-9][\w&'’.-]*\w|[{UP}])"
_CONN = r"(?:of the|for the|of|for|and|de|du|des|la|le|&|on)"
ORG = rf"(?:(?:[A-Z]\.){{2,}}\s+(?=[{UP}]))?{_OWORD}(?:\s+(?:{_CONN}\s+)?{_OWORD})*"  # U.S. Dept

_LEX = lexicon()
# Known institutions (loaders/text/data/institutions.json): canonical name, type, other names.
KNOWN_ORGS: list[tuple[str, str, tuple[str, ...]]] = [
    (i.name, i.type, i.aliases) for i in _LEX.institutions]
KNOWN_PUBLISHERS = _LEX.publishers

_PUBLISHER_SET = frozenset(KNOWN_PUBLISHERS)
KNOWN_PUBLISHERS_PATTERN = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(p) for p in KNOWN_PUBLISHERS) + r")(?!\w)")

_KNOWN: dict[str, tuple[str, str]] = {}
for _canon, _type, _names in KNOWN_ORGS:
    for _n in (_canon, *_names):
        _KNOWN[fold(_n)] = (_canon, _type)
DESCRIPTIONS = {fold(d): (i.name, i.type) for i in _LEX.institutions for d in i.descriptions}
_KNOWN.update(DESCRIPTIONS)


@lru_cache(maxsize=8192)
def known_org(name: str) -> tuple[str, str] | None:
    """``(canonical name, type)`` of a known institution by any of its names, any case."""
    return _KNOWN.get(fold(name)) or _KNOWN.get(normalise_name(name, "org"))


def known_names_matcher() -> NameMatcher:
    """Every name and description of every known institution, for one Aho–Corasick pass
    over a sentence. Names of four letters or more match in any case (``Afrinic``); shorter
    ones only as written (``PTI``)."""
    return NameMatcher([(n, i.name) for i in _LEX.institutions
                        for n in (i.name, *i.aliases, *i.descriptions)])


KNOWN_NAMES = known_names_matcher()

_AUTHORITY = _LEX["authority"]
_COMPANY = _LEX["company"] | set(LEGAL_SUFFIXES)
_SAME_ORG_TAILS = _LEX["same_org_tails"]


def _one_capital(name: str) -> bool:
    return sum(c.isupper() for c in name) == 1


ORG_WORDS = _AUTHORITY | _COMPANY | _LEX["org_words"]
NOT_NAME_WORDS = ORG_WORDS | _LEX["not_name_words"] | _LEX["not_org_heads"]  # things: no names
_LEADING_STOP = _LEX["leading_stop"]


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


@lru_cache(maxsize=8192)
def clean_name(text: str) -> str:
    """A name without surrounding punctuation, possessive ``'s``, leading ``the`` or
    honorifics, with straight quotes and single spaces."""
    text = " ".join(text.replace("’", "'").split())
    if text in _PUBLISHER_SET:
        return text  # "The Register" is the publisher's name
    text = re.sub(r"^(?:(?:the|The|THE|Mr|Mrs|Ms|Dr|Prof|Judge|Justice)\.?\s+)+", "", text)
    text = re.sub(r"'s$", "", text)
    return text.strip(" \t,.;:!?\"'()[]{}–—-")


def strip_leading_stopwords(text: str) -> str:
    words = text.split()
    while words and words[0].lower() in _LEADING_STOP:
        words.pop(0)
    return " ".join(words)


GENERIC_WORDS = _LEX["generic_words"]
NOT_ORG_HEADS = _LEX["not_org_heads"]


def generic_description(name: str) -> bool:
    """A description rather than a name: ``Regional Internet Registry for Africa``,
    ``Internet Registry``, ``National Government`` (every word before "for"/"of" generic)."""
    head = re.split(r"\s+(?:for|of|in)\s+", name, maxsplit=1)[0]
    return all(w in GENERIC_WORDS for w in fold(head).split())


@lru_cache(maxsize=8192)
def plausible_person(name: str) -> bool:
    """Two to four name words, none of them a word that names things rather than people."""
    words = fold(name).split()
    return 2 <= len(words) <= 4 and not any(w in NOT_NAME_WORDS for w in words) \
        and known_org(name) is None \
        and not any(len(w) > 1 and w.isalpha() and w.isupper() for w in name.split())


def plausible_org(name: str, single_word_ok: bool = False) -> bool:
    """At least two letters, not a lone stopword, not a sentence fragment; a single word only
    when it is a known institution or written like a name (``LARUS``, ``InternetNZ``, not
    ``Retiring``) or the caller vouches for it (``single_word_ok``); never a thing (a name
    ending in agreement, protocol, plan, ...), a role title or a description (``Regional
    Internet Registry``)."""
    words = name.split()
    if not words or len(fold(name)) < 2 or len(words) > 10 or name.isdigit():
        return False
    if known_org(name):
        return True
    if fold(words[0]) in _LEADING_STOP or fold(words[-1]) in NOT_ORG_HEADS or \
            fold(name) in _LEX.sub_bodies:  # "Supervisory Board" alone: whose?
        return False
    if len(words) == 1 and sum(c.isupper() for c in name) < 2 and not single_word_ok:
        return False
    return not is_role_title(name) and not generic_description(name)


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Folded names of countries and their subdivisions (ISO 3166, pycountry)."""
    countries = (n for c in pycountry.countries for n in (
        c.name, getattr(c, "common_name", ""), getattr(c, "official_name", "")))
    return frozenset(fold(n) for n in (*countries, *(s.name for s in pycountry.subdivisions))
                     if n)


def is_place(name: str) -> bool:
    """A country or a country's subdivision (``Mauritius``, ``Canada``, ``Hessen``): a
    place, never an organisation alone."""
    return fold(name) in _places()


def is_role_title(text: str) -> bool:
    """``Chief Executive Officer``, ``CEO``, ``Board Chair``: a role, not a name."""
    key = " ".join(fold(text).replace("-", " ").split())
    titles = _LEX.role_titles
    return key in titles or key.replace(" ", "-") in titles or (
        key.startswith("board ") and key[6:] in titles)


_DATE_TAIL = re.compile(r"\s+(?:(?:on|in|at|since|from|as of)\s+(?:\d|(?:January|February|March|"
                        r"April|May|June|July|August|September|October|November|December)\b)|"
                        r"(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
                        r".*$")
_ORDINAL_HEAD = re.compile(r"^(?:\d+(?:st|nd|rd|th)|\d+)\s+")
_SUB_BODY_OF = re.compile(r"^(?:(?:the|its)\s+)?(?:[\w&-]+\s+){0,4}?(?:" + "|".join(
    re.escape(b) for b in _LEX.sub_bodies) + r")\s+(?:of|for\s+the)\s+(?:the\s+)?(?P<org>.+)$",
    re.IGNORECASE)
_SUB_BODY_TAIL = re.compile(r"(?:'s|’s)?\s+(?:" + "|".join(
    re.escape(b) for b in _LEX.sub_bodies) + r")(?:\s+(?:on|for)\s+[\w&-]+(?:\s+[\w&-]+)?)?$",
    re.IGNORECASE)  # (a topic after it: "Chapter's Working Group on IoT")


@lru_cache(maxsize=8192)
def org_core(name: str) -> str:
    """An organisation's own name from a phrase around it: no date after it (``Supreme
    Court of Mauritius on 12 September 2023``), no ordinal before it (``75th ICANN``), and
    its board or council standing for itself (``Board of the ICANN``, ``ARIN's Board of
    Trustees``, ``APNIC Executive Council`` -> the organisation)."""
    name = _ORDINAL_HEAD.sub("", _DATE_TAIL.sub("", name)).strip()
    for _ in range(2):
        m = _SUB_BODY_TAIL.search(name)
        parent = name[:m.start()].strip() if m else ""
        if m and parent and (known_org(parent) or m.group(0)[:2] in {"'s", "’s"} or
                       re.fullmatch(r"[A-Z][A-Z0-9&-]+", parent)):
            name = parent
    if (m := _SUB_BODY_OF.match(name)) and not generic_description(m["org"]):
        name = m["org"]
    return clean_name(name)


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
        or (letters in initials and len(letters) >= 3) \
        or (len(letters) >= 3 and sorted(letters) == sorted(initials)) \
        or (len(letters) >= 3 and letters[0] == initials[:1] and letters[-1] == initials[-1:]
            and _subsequence(letters, initials)) \
        or _syllables_fit(letters, words := [w for w in long.split() if w[:1].isupper()]) \
        or len(words) >= 3 and fold(words[-1]) in ORG_WORDS and _syllables_fit(letters, words[:-1])
    # (the last: an organisation word the acronym leaves out, IPSO for IP Smart Objects Alliance)


_INITIAL_SOUNDS = {"exchange": "X", "extension": "X", "transfer": "X"}  # LINX, AMS-IX


def _syllables_fit(letters: str, words: list[str]) -> bool:
    """An acronym made of the first letters of the long form's words, each word giving its
    initial (``X`` for Exchange) and perhaps more of its letters in order: LINX is London
    INternet eXchange. Every word gives at least its initial."""
    if not words:
        return not letters
    word = words[0]
    initial = _INITIAL_SOUNDS.get(word.lower(), word[0].upper())
    if not letters or letters[0] != initial:
        return False
    rest = word[1:].upper()
    for used in range(len(letters)):  # letters[1:used + 1] taken from the rest of this word
        if used and not _subsequence(letters[1:used + 1], rest):
            break
        if _syllables_fit(letters[used + 1:], words[1:]):
            return True
    return False


def _subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


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
        """The person a name refers to: a known full name (or the same name without its
        middle names: ``Eddy Mabano Kayihura`` is ``Eddy Kayihura``), a short form that only
        one person of the page carries (``Heng``, ``Dengate Thrush``), or a new person (two
        or more name words). A single name word never makes a person."""
        name = re.sub(r"^\S+'s\s+", "", clean_name(raw))  # "Verisign's Mark McLaughlin"
        hit = self.lookup(name)
        if hit is not None:
            return hit if hit.type == "Person" else None
        short = self.by_short_form(name)
        if short is not None or len(name.split()) == 1:
            return short
        if not plausible_person(name):
            return None
        plain = first_and_last(name)
        hit = self.lookup(plain) if plain else None
        hit = hit if hit is not None and hit.type == "Person" else self._fuller_or_shorter(name)
        if hit is not None:
            self.add_alias(hit, name)
            return hit
        item = self._add(Named(entity_id("Person", name), "Person", name, line=line,
                               short_forms={fold(f) for f in name_forms(name)}))
        if plain:
            self.add_alias(item, plain)
        for other in self.people():
            if other is not item and first_and_last(other.name) == name:
                self.add_alias(item, other.name)
                self.index[fold(other.name)] = item.id
        return item

    def _fuller_or_shorter(self, name: str) -> Named | None:
        """The one person of the page named by the same name with or without middle names
        (``Oscar Robles`` and ``Oscar Alejandro Robles Garay``)."""
        hits = [p for p in self.people() if same_person_name(name, p.name)]
        return hits[0] if len(hits) == 1 else None

    def by_short_form(self, form: str) -> Named | None:
        """The one person of the page whose name ends in (or is made of) these words."""
        key = fold(form)
        hits = [n for n in self.items.values() if n.type == "Person" and key in n.short_forms]
        return hits[0] if len(hits) == 1 else None

    def org(self, raw: str, line: int, hint: str = "", aliases: tuple[str, ...] = (),
            single_word_ok: bool = False) -> Named | None:
        """The organisation a name refers to, added when new. Known institutions take their
        canonical name (``Afrinic`` -> ``AFRINIC``) with the form used as an alias."""
        name = clean_name(raw)
        if name not in _PUBLISHER_SET:  # ("The Register" keeps its article)
            name = self._parent_of_sub_body(org_core(clean_name(strip_leading_stopwords(name))))
        first, _, rest = name.partition(" ")
        if fold(first) in _LEX["name_adjectives"] and (known_org(rest) or self.lookup(rest)):
            name = rest  # "New ICANN": ICANN
        name, prefixed = _without_country(name)
        aliases = (*aliases, prefixed) if prefixed else aliases
        if not (name in _PUBLISHER_SET or plausible_org(name, single_word_ok)) and \
                not any(known_org(a) for a in aliases):
            return self.org_by_first_word(name) if " " not in name else None
            # (a known acronym vouches for the long form it abbreviates; "Sample's CEO"
            # after "Sample Networks Ltd" is that company)
        known = known_org(name) or next((known_org(a) for a in aliases if known_org(a)), None)
        canonical, type_ = known if known else (name, org_type(name, hint))
        hit = self.lookup(canonical) or self.lookup(name) or next(
            (self.lookup(a) for a in aliases if self.lookup(a)), None) or self.by_initials(name) \
            or (None if known else self._short_or_long_form(name))
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

    def by_initials(self, name: str) -> Named | None:
        """The one organisation of the page whose initials an acronym of three letters or
        more spells exactly (``PIR`` after ``Public Interest Registry``)."""
        if not re.fullmatch(r"[A-Z]{3,8}", name) or known_org(name):
            return None
        hits = [o for o in self.orgs() if len(o.name.split()) >= 3 and
                acronym_of(o.name.split()) == name]
        return hits[0] if len(hits) == 1 else None

    def _parent_of_sub_body(self, name: str) -> str:
        """``Public Interest Registry Board of Directors`` -> ``Public Interest Registry``
        when the page knows the organisation (org_core does this for known institutions),
        or when it is written as an acronym (``DE-CIX Supervisory Board``)."""
        m = _SUB_BODY_TAIL.search(name)
        head = name[:m.start()].strip() if m else ""
        parent = self.lookup(head) if head else None
        if parent is None and re.fullmatch(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|[A-Z]{2,}", head):
            return head  # "DE-CIX Supervisory Board": an acronym's board is the acronym's
        return parent.name if parent is not None and parent.type != "Person" else name

    def add_alias(self, item: Named, alias: str) -> None:
        alias = clean_name(alias)
        if fold(alias) in DESCRIPTIONS:  # "the Regional Internet Registry for Africa"
            return
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

    def _short_or_long_form(self, name: str) -> Named | None:
        """The one organisation of the page that is this name without (or with) trailing
        company words: ``Exa`` and ``Exa Networks``, ``Open-IX`` and ``Open-IX Association``
        (an acronym only with ``association``-like words: ``BBN Planet`` stays itself)."""
        words = name.split()
        if len(words) == 1:
            return self.org_by_first_word(name)
        for cut in range(len(words) - 1, 0, -1):
            head, tail = " ".join(words[:cut]), [fold(w) for w in words[cut:]]
            hit = self.lookup(head)
            if hit is not None and hit.type != "Person" and all(
                    w in (_COMPANY | _SAME_ORG_TAILS if _one_capital(head) else _SAME_ORG_TAILS)
                    for w in tail):
                return hit
        return None

    def org_by_first_word(self, word: str) -> Named | None:
        """The one organisation of the page whose name is this word and company words
        (``Ethos`` for ``Ethos Capital``, ``Hilco`` for ``Hilco Holdings``)."""
        key = fold(word)
        if not _one_capital(word):
            return None  # an acronym stands for itself ("BBN" beside "BBN Planet")
        hits = [n for n in self.orgs() if len(n.name.split()) >= 2
                and fold(n.name).split()[0] == key
                and all(w in _COMPANY | _SAME_ORG_TAILS for w in fold(n.name).split()[1:])]
        return hits[0] if len(hits) == 1 else None

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
            forms.update(f for f in name_forms(item.name) if self.by_short_form(f) is item)
        return sorted((f for f in forms if len(f) >= 2), key=len, reverse=True)


_COUNTRY_PREFIXES = _LEX["country_prefixes"]


def _without_country(name: str) -> tuple[str, str]:
    """``US National Cybersecurity Center`` -> (``National Cybersecurity Center``, the
    prefixed name): the country's word (data/words.json ``country_prefixes``) before a name of
    two words or more; any other name -> (name, "")."""
    first, _, rest = name.partition(" ")
    if first in _COUNTRY_PREFIXES and len(rest.split()) >= 2 and rest[:1].isupper():
        return rest, name
    return name, ""


def name_forms(name: str) -> set[str]:
    """What a page may call a person after naming them in full: each name word of two
    letters or more, and a two-word family name (``Dengate Thrush`` for ``Peter Dengate
    Thrush``), as written."""
    words = [w for w in name.split() if not re.fullmatch(r"[A-Z]\.?", w)]
    forms = {w for w in words if len(w) > 1}
    if len(words) >= 3:
        forms.add(" ".join(words[-2:]))
    return forms


def same_person_name(a: str, b: str) -> bool:
    """Two names of one person: the same first name, and every word of the shorter one
    (two words or more) in the longer one, in order (``Oscar Robles`` in ``Oscar Alejandro
    Robles Garay``; ``Eddy Kayihura`` in ``Eddy Mabano Kayihura``). Names that share only a
    family name never match."""
    x, y = sorted((fold(a).split(), fold(b).split()), key=len)
    return len(x) >= 2 and x != y and same_given_name(x[0], y[0]) and \
        _subsequence_words(x[1:], y[1:])


def same_given_name(a: str, b: str) -> bool:
    """One given name, or one the other's nickname (``Will`` and ``William``, ``Jon`` and
    ``Jonathan``: the curated table of the ``nicknames`` package)."""
    return a == b or b in _nicknamer().canonicals_of(a) or a in _nicknamer().canonicals_of(b)


def nickname_forms(name: str) -> list[str]:
    """``Will Charnock`` and ``Bill Charnock`` for ``William Charnock``: each nickname of
    the given name with the family name."""
    words = name.split()
    if len(words) < 2:
        return []
    return [f"{nick.capitalize()} {words[-1]}"
            for nick in sorted(_nicknamer().nicknames_of(fold(words[0])))]


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


def _subsequence_words(short: list[str], long: list[str]) -> bool:
    words = iter(long)
    return all(w in words for w in short)


@lru_cache(maxsize=4096)  # nameparser is slow, and a name is asked for once per mention
def first_and_last(name: str) -> str | None:
    """``Eddy Kayihura`` for ``Eddy Mabano Kayihura`` and ``Christian Bope`` for
    ``Christian D. Bope`` (nameparser reads the parts); None for two-word names."""
    if len(name.split()) < 3:
        return None
    parsed = HumanName(name)
    if not parsed.first or not parsed.last or not parsed.middle:
        return None
    return f"{parsed.first} {parsed.last}"


def _without_suffix(name: str) -> str:
    words = name.split()
    while len(words) > 1 and fold(words[-1]).strip(".") in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)
