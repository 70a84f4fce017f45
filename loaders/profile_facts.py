"""Facts in the body of a page, read sentence by sentence (loaders/text/sentences.py): quote
attributions and quotes (direct and reported speech), roles stated in prose with their
qualifiers (former, interim, acting) and start date, the organisations and people the text
names, essays named in quotes; then relations that link the mentions around a cue
(loaders/text/relations.py: litigation, membership, operational dependency).

Confidence comes from the named tiers in graph/vocab.py: an attribution line ATTRIBUTION
(0.9), a role in an explicit pattern PATTERN (0.7), a looser pattern, a pronoun or a single
name word LOOSE (0.6), a mention MENTION (0.5). Role titles, qualifiers, speech verbs and
honorifics come from the data files (loaders/text/data/, read by loaders/text/lexicon.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from graph.ids import clean_text, entity_id, fold
from graph.vocab import ATTRIBUTION, LOOSE, MENTION, PATTERN, ConfidenceTier
from loaders.profile_fields import DATE, iso_date
from loaders.profile_names import (
    KNOWN_NAMES,
    LO,
    ORG,
    ORG_WORDS,
    PERSON,
    PERSON_OR_SHORT,
    UP,
    Named,
    PageNames,
    acronym_of,
    clean_name,
    generic_description,
    is_place,
    is_role_title,
    known_org,
    looks_like_acronym,
    nickname_forms,
    org_core,
    plausible_org,
    plausible_person,
    strip_leading_stopwords,
)
from loaders.profile_text import Line
from loaders.text import ner
from loaders.text.gazetteer import Hit, NameMatcher
from loaders.text.lexicon import lexicon
from loaders.text.model import Fact, Mention
from loaders.text.people import name_chunks, without_leading_titles
from loaders.text.relations import linked_facts
from loaders.text.sentences import nicknames, sentences

_LEX = lexicon()


def _alternation(words: Iterable[str]) -> str:
    r"""The words as one alternative, longest first, written as a tree of their common
    beginnings (``chief\s+(?:executive|operating)``): the same matches in the same order (the
    words one position can match begin one another, and the longer one is tried first), but
    ``re`` tries each beginning once at a position instead of once per word."""
    tree: dict[str, dict] = {}
    for word in sorted(words, key=len, reverse=True):
        node = tree
        for unit in re.findall(r" |.", word, re.S):
            node = node.setdefault(r"\s+" if unit == " " else re.escape(unit), {})
        node[""] = {}
    return _written(tree)


def _written(node: dict[str, dict]) -> str:
    """One node of ``_alternation``'s tree: its branches, each word's end (``""``) last."""
    branches = [unit + _written(child) for unit, child in node.items() if unit]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if "" not in node:
        return body
    return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"


_FIELD = rf"(?i:{_alternation(_LEX.role_fields)})(?![\w-])"
ROLE = (rf"(?i:(?:(?:{_alternation(_LEX.role_modifiers)})\s+)?(?:chief\s+[a-z]+\s+officer|"
        rf"founding\s+member|{_alternation(_LEX.role_titles)})s?(?:\s+of\s+{_FIELD})?)")
ROLES = rf"{ROLE}(?:\s*(?:,|and|&|/)\s*{ROLE})*"
_VERB_ROLES = _LEX.role_verbs
_ART = r"(?:(?:the|a|an|its|their)\s+)?"
_ADJ = (r"(?:(?i:new|current|next|first|incumbent|sole|permanent|long-serving|longtime|"
        r"(?:recently|newly|just)\s+(?:appointed|elected|named))\s+)?")
# "Vice President for the Asia Pacific at the Internet Society": a region the role covers
# or a field ("associate professor of law at Y", "head of policy at Y")
_REGION = (rf"(?:\s+for\s+(?:the\s+)?[{UP}][\w-]*(?:\s+[{UP}][\w-]*){{0,2}}|\s+(?:of|for|in)\s+"
           rf"(?:the\s+)?[a-z][\w-]*(?:\s+(?:and\s+)?[a-z][\w-]*){{0,2}}(?=\s+(?:at|with)\s))?")
_FORMER = rf"(?P<former>(?i:{_alternation(_LEX.qualifiers)})\s*)?"
_PRONOUN = r"(?<![\w’'-])(?i:he|she|his|her)(?![\w’'-])"
_HON = rf"(?:(?i:{_alternation(_LEX['honorifics'])})\.?\s+)?"
_SPEECH = rf"(?:{_alternation(_LEX['speech'])})"
_WHOLE = rf"(?!\s[{UP}][{LO}])"  # a name is not cut short before another name word
_P = rf"{_HON}(?P<p>{PERSON}){_WHOLE}"
_PS = rf"{_HON}(?P<p>{PERSON_OR_SHORT}|{_PRONOUN}){_WHOLE}"
_PP = rf"{_HON}(?P<p>{PERSON}|{_PRONOUN}){_WHOLE}"  # a full name or a pronoun
_RE = re.compile

# a speaker's turn in a transcript: "Steve Katz  0:09"
TRANSCRIPT_TURN = _RE(rf"^(?P<p>{PERSON})(?:\s+\(?\d{{1,2}}:\d{{2}}(?::\d{{2}})?\)?$|:\s+\S)")
# a turn in a stenographic record: "HANS PETTER HOLEN: So, thank you."
_CAPS_WORD = rf"[{UP}]{{2,}}(?:[-'’][{UP}]+)?"
CAPITALS_TURN = _RE(rf"^(?P<p>{_CAPS_WORD}(?:\s+{_CAPS_WORD}){{1,3}}):\s+\S")
_ORG_KIND = _RE(rf"(?<![\w’'-])(?P<o>{ORG}),\s+(?i:a|an|the)\s+(?:(?!(?i:at|of|for|with|in|and|who|"
                rf"which|that)\s)[\w-]+\s+){{0,4}}?(?i:{_alternation(_LEX['org_kinds'])})"
                rf"(?=\s*[,.;:)]|\s+(?:that|which|based|headquartered|in|from|with|offering|"
                rf"providing|founded|whose|owned|registered|operating|serving|and)\b)")
ATTRIBUTION_LINE = _RE(r"^\s*(?:[—―–]{1,3}|-{2,3}|~)\s*(?P<body>[^\s—―–-].*)$")
# "at storage specialist NetApp", "of networking firm Cisco": a description before the name
_DESCRIBED_AS = (rf"(?:(?:[a-z][\w-]*\s+){{0,2}}?(?:"
                 rf"{_alternation(_LEX['org_descriptors'] | _LEX['org_kinds'])})\s+(?=[{UP}]))?")
_O = rf"(?:the\s+)?{_DESCRIBED_AS}(?P<o>{ORG})"
_OPENS_WITH_QUOTE = _RE(r"^\s*[“\"«]")
_AND_PERSON = _RE(rf",?\s+and\s+{_HON}(?P<p>{PERSON}){_WHOLE}")
_OPOSS = r"(?:'s|’s|(?<=s)['’](?=\s))"  # "Example Registry's", "Example Networks’"
_BE = (r"(?:is|was|serves as|served as|became|becomes|will become|remains|remained|has been|"
       r"had been|will be)")
_NAMED = rf"(?:{_alternation(_LEX.appointment_verbs)})"
# Every role pattern starts at a word's start: far fewer places to try (a quarter of the time).
_START = r"(?<![\w’'-])"


def _role_re(pattern: str) -> re.Pattern[str]:
    return _RE(_START + pattern)


# "the CEO of Org, Name"
ROLE_OF_ORG_NAME = _role_re(rf"{_ART}{_FORMER}(?P<r>{ROLES})\s+of\s+{_O},?\s+{_P}")
# "Org's CEO Name", "Org CEO Name", "Q&A: RIPE NCC managing director Axel Pawlik"
ORG_TITLE_NAME = _role_re(rf"(?P<o>{ORG}){_OPOSS}?\s*\(?\s*{_FORMER}{_ADJ}(?P<r>{ROLES}),?\s+{_P}")
# "Name, Org CEO"
NAME_ORG_TITLE = _role_re(rf"{_P},\s+(?P<o>{ORG})\s+{_FORMER}(?P<r>{ROLES})(?!\w)")
# "Org has named Name as its CEO", "ICANN picks Fadi Chehade as new chief executive"
ORG_NAMES_AS = _role_re(rf"(?P<o>{ORG})(?:\s*\([^)]*\))?(?:,[^,]{{1,80}},)?\s+"
                        rf"(?:has\s+|have\s+|had\s+)?{_NAMED}\s+{_P}(?:,[^,]{{1,60}},)?\s+(?:[\w-]+\s+){{0,4}}?as\s+(?:its\s+|"
                        rf"the\s+|their\s+)?{_ADJ}{_FORMER}(?P<r>{ROLES})")
ROLE_PATTERNS = [  # (pattern, tier); groups p (person), r (roles), o (organisation); each
    # compiled once, at a word's start (_role_re)
    # "Jane Roe, CEO of Y", "Lu Heng, a Chinese citizen and owner of Larus"
    (_role_re(rf"{_P}(?:\s*\([^()]{{1,30}}\))?(?:,\s+|\s*[—–]\s*)(?:(?:now|currently|still|then)\s+)?"
         rf"(?:(?i:a|an)\s+"
         rf"(?:(?!(?:of|at|for|with)\s)[\w-]+\s+){{1,3}}?and\s+|{_ART}){_FORMER}{_ADJ}(?P<r>{ROLES})"
         rf"{_REGION}\s+(?:of|at|for|with)\s+{_O}"), PATTERN),
    (_role_re(rf"{_PS}(?:,\s+who)?(?:\s+{_BE}|(?:’s|'s)\s+been)\s+(?:also\s+|now\s+|currently\s+)?{_ART}"
         rf"{_FORMER}{_ADJ}(?P<r>{ROLES}){_REGION}\s+(?:of|at|for)\s+{_O}"), PATTERN),
    (_role_re(rf"(?P<o>{ORG})\s+and\s+(?:its\s+)?{_FORMER}(?P<r>{ROLES}),?\s+{_P}"), LOOSE),
    (_role_re(rf"(?P<o>{ORG})(?:\s*\([^)]*\))?,\s+whose\s+{_FORMER}(?P<r>{ROLES}),?\s+{_P}"),
     PATTERN),
    (ROLE_OF_ORG_NAME, PATTERN),
    (ORG_TITLE_NAME, PATTERN),
    (_role_re(rf"{_P},\s+(?P<o>{ORG}){_OPOSS}\s+{_FORMER}(?P<r>{ROLES})"), PATTERN),
    (NAME_ORG_TITLE, PATTERN),
    (_role_re(rf"{_P},\s+{_FORMER}(?P<r>{ROLES})(?:,\s+|\s+(?=[^,.;]+$))(?P<o>{ORG})"), PATTERN),
    (_role_re(rf"{_PS}(?:,[^,]{{1,60}},|,\s+who)?\s+(?:was|has\s+been|had\s+been|is|will\s+be)\s+(?:\w+\s+)"
         rf"{{0,2}}?{_NAMED}\s+(?:\w+\s+)??(?:as\s+)?{_ART}{_ADJ}{_FORMER}(?P<r>{ROLES})\s+"
         rf"(?:of|at|for|with)\s+{_O}"), PATTERN),
    (ORG_NAMES_AS, PATTERN),
    (_role_re(rf"{_PS}\s+(?:[\w’'-]+,?\s+){{0,14}}?(?:as|became)\s+{_ART}{_FORMER}{_ADJ}(?P<r>{ROLES})"
         rf"{_REGION}\s+(?:of|at|for|to|with)\s+{_O}"), LOOSE),
    # "The Asia Pacific Network Information Center (APNIC) has named its new director
    # general: ICANN regional managing director and vice president Jia Rong Low."
    (_role_re(rf"(?P<o>{ORG})(?:\s*\([^)]*\))?\s+(?:has\s+|have\s+)?{_NAMED}\s+(?:its|their|a|"
         rf"the)\s+{_ADJ}{_FORMER}(?P<r>{ROLES})\s*[:–—]\s+(?:[^.;:]{{0,80}}?\s)?{_P}"), PATTERN),
    (_role_re(rf"{_P}(?:'s|’s)\s+(?:resignation|appointment|departure|retirement|election|tenure)\s+"
         rf"as\s+{_ART}{_FORMER}{_ADJ}(?P<r>{ROLES})\s+(?:of|at)\s+{_O}"), PATTERN),
    # "11 years at the Internet Corporation … (ICANN), where he rose to become … director"
    (_role_re(rf"\b(?:at|with|for)\s+{_O}(?:\s*\([^)]*\))?,\s+where\s+(?P<p>{_PRONOUN})\s+"
         rf"(?:[\w-]+\s+){{0,3}}?(?:become|became|was|served\s+as|serves\s+as|worked\s+as|is)\s+"
         rf"{_ART}{_FORMER}{_ADJ}(?P<r>{ROLES})"), LOOSE),
    (_role_re(rf"{_PS}\s+(?:[\w’'-]+,?\s+){{0,14}}?serves?\s+{_O}(?:\s*\([^)]*\))?\s+as\s+{_ART}"
         rf"{_FORMER}(?P<r>{ROLES})"), PATTERN),
    (_role_re(rf"{_PS}(?:'s|’s)\s+(?:[\w-]+\s+){{0,3}}?(?:posts|positions|roles|jobs)\s+(?:include|"
         rf"included|have\s+included)\s+{_FORMER}(?P<r>{ROLES})\s+(?:of|at|for)\s+{_O}"), PATTERN),
    (_role_re(rf"\bas\s+{_ART}{_FORMER}(?P<r>{ROLES})\s+(?:of|at)\s+{_O},(?:[^,]{{0,60}},)?\s+{_PS}\s"),
     LOOSE),
    (_role_re(rf"{_PS}\b[^.;]{{0,120}}?,\s+as\s+well\s+as\s+{_ART}{_FORMER}(?P<r>{ROLES})\s+of\s+"
         rf"{_O}"), LOOSE),
    (_role_re(rf"{_PS}\s+(?:is|was|has\s+been|had\s+been)\s+(?:[\w’'-]+\s+){{0,6}}?(?:as\s+)?"
         rf"(?P<o>{ORG}){_OPOSS}\s+{_FORMER}{_ADJ}(?P<r>{ROLES})"), PATTERN),
    (_role_re(rf"{_PS}\s+(?:is|was)\s+(?:one\s+of\s+)?the\s+{_FORMER}(?P<r>(?i:co-?founders?|founders?))"
         rf"\s+of\s+{_O}"), PATTERN),
    (_role_re(rf"{_PS},?\s+(?:who\s+)?(?:joined|joins)\s+{_O}\s+(?:in\s+\d{{4}}\s+)?as\s+{_ART}"
         rf"{_ADJ}{_FORMER}(?P<r>{ROLES})"), PATTERN),
    # "Hans Petter Holen, who took on the role of Managing Director of the RIPE NCC"
    (_role_re(rf"{_PS},?\s+(?:who\s+)?(?:took\s+on|takes\s+on|assumed|assumes|holds|held)\s+the\s+"
         rf"(?:role|position|post|office)\s+of\s+{_FORMER}(?P<r>{ROLES})\s+(?:of|at)\s+{_O}"),
     PATTERN),
    # "CEO John Curran of ARIN", "Director General Jane Roe of Example Registry"
    (_role_re(rf"{_FORMER}(?P<r>{ROLES})\s+{_HON}(?P<p>{PERSON}){_WHOLE}\s+(?:of|at)\s+{_O}"),
     PATTERN),
    # "Jane Roe (CEO, Example Registry)", "Jane Roe (CEO of Example Registry)"
    (_role_re(rf"{_P}\s*\(\s*{_FORMER}(?P<r>{ROLES})(?:,\s*|\s+(?:of|at)\s+)(?P<o>{ORG})\s*\)"),
     PATTERN),
    # "Jane Roe (Example Registry CEO)", "Jane Roe (Example Registry's CEO)"
    (_role_re(rf"{_P}\s*\(\s*(?P<o>{ORG}){_OPOSS}?\s+{_FORMER}(?P<r>{ROLES})\s*\)"), PATTERN),
    # "his role as director of the Example Center", "Jane Roe's time as CEO of Y"
    (_role_re(rf"{_PS}(?:'s|’s)?\s+(?:[\w-]+\s+){{0,2}}?(?:role|position|post|job|tenure|stint|time|"
         rf"term)\s+as\s+{_ART}{_FORMER}{_ADJ}(?P<r>{ROLES}){_REGION}\s+(?:of|at|for|with)\s+{_O}"),
     LOOSE),
    # "Jane Roe works at Example Networks as a senior engineer"
    (_role_re(rf"{_PS}\s+(?:also\s+)?(?:works|worked|working|has\s+worked)\s+(?:at|for|with)\s+{_O}"
         rf"(?:\s+(?:since|in)\s+\d{{4}})?\s+as\s+{_ART}{_FORMER}{_ADJ}(?P<r>{ROLES})"), PATTERN),
]
# a speaker of a transcript on themself: "I'm the CEO at NTEN"
_OWN_TITLE = _RE(rf"(?<![\w’'-])I(?:'m|’m|\s+am)\s+{_ART}{_FORMER}{_ADJ}(?P<r>{ROLES})\s+"
                 rf"(?:of|at|for|with)\s+{_O}")
# headlines too: "Axel Pawlik Stepping Down as RIPE NCC Managing Director"
HEADLINE_ROLE_PATTERNS = [(_RE(
    rf"{_START}{_HON}(?P<p>{PERSON})\s+(?:(?i:steps?|stepping|stepped)\s+(?i:down)|(?i:resigns?|resigning|resigned|"
    rf"retires?|retiring|retired|named|appointed|elected|confirmed))\s+as\s+(?P<o>{ORG})"
    rf"{_OPOSS}?\s+{_FORMER}(?P<r>{ROLES})"), PATTERN)]
# sentence-case headlines as prose: "ICANN picks Fadi Chehade as new chief executive",
# "Q&A: RIPE NCC managing director Axel Pawlik"
HEADLINE_ROLE_PATTERNS += [(ORG_NAMES_AS, PATTERN), (ORG_TITLE_NAME, PATTERN),
                           (NAME_ORG_TITLE, PATTERN)]  # "X, Org CEO,"
ROLE_PATTERNS += HEADLINE_ROLE_PATTERNS[:1]  # (the others are in ROLE_PATTERNS already)
_ANY_ROLE = _RE(ROLE)
_FIELD_START = _RE(rf"{_FIELD}(?:\s|$)")
_OF_ORG = _RE(r"\s(?:of|for|at)\s")
_NEXT_WORD = _RE(r"\s+([a-z]+)")
_CAPITALS_WORD = _RE(r"(?<![\w.-])[A-Z]{3,8}(?![\w-])")
_ROLE_IN = _RE(rf"(?<![\w-]){ROLE}(?![\w-])")  # a title as whole words
# "Ms. Jane Roe, Head of Programs, Example Registry (EXR) – 12 votes": a person, then the
# comma-separated parts of an affiliation, up to a dash, a semicolon or the sentence's end
_AFFILIATED = _RE(rf"{_START}{_HON}(?P<p>{PERSON}){_WHOLE},\s+(?P<parts>[^;:–—]+?)"
                  rf"(?=\s+[–—-]\s|\s*[;:]|\.?$)")
_AFFILIATED_IN_BRACKETS = _RE(rf"{_START}{_HON}(?P<p>{PERSON}){_WHOLE}\s*"
                              rf"\((?P<parts>[^()]{{2,80}})\)")
_PART = _RE(r"\s*,\s*(?![^()]*\))")  # a comma outside brackets
_ACRONYM_AFTER_PART = _RE(r"\s*\((?P<short>[A-Z][A-Za-z&.-]{1,14})\)$")
# "Jane Roe, Example Ltd – IETF Chair", "John Doe – IAB Liaison to the IESG": a roster line
_DASH_ROLE_LINE = _RE(rf"^{_HON}(?P<p>{PERSON})(?:,\s+(?P<aff>[^–—,]+?))?\s+[–—]\s+"
                      rf"(?P<t>(?:[\w&-]+\s+){{0,3}}?){_FORMER}(?P<r>{ROLES})(?![\w-])")
# Where role titles stand in a sentence, found in one Aho–Corasick pass (any case): a test
# before the role patterns, far cheaper than the titles' regular expression
_TITLES = NameMatcher([(t + s, t) for t in (*_LEX.role_titles, "chief", "founding member")
                       for s in ("", "s")], any_case=True)  # "one of the founders of"
_AFTER_TITLE_NAME = _RE(rf",?\s+{_HON}[{UP}][{LO}]")


@lru_cache(maxsize=64)
def _titles_in(text: str) -> tuple[Hit, ...]:
    """The role titles of a sentence (asked several times per sentence)."""
    return tuple(_TITLES.find(text))


def _title_then_name(text: str) -> bool:
    """A role title followed by a capitalised word (``CEO Lu Heng``)."""
    return any(_AFTER_TITLE_NAME.match(text, hit.end) for hit in _titles_in(text))


_NAMED_WORDS = _LEX.appointment_verbs
_POSSESSIVE = ("'s", "’s", "s' ", "s’ ")
# Cheap tests that skip a role pattern on a sentence that cannot match it: words one of which
# the lower-cased sentence must hold, or a regular expression it must match (same order as
# ROLE_PATTERNS; None: no test).
_ROLE_CUES: list[tuple[str, ...] | Callable[[str], bool] | None] = [
    (",", "—", "–"), ("is ", "was ", "serve", "became", "becomes", "remain", "been", "will be"),
    (" and ",), ("whose",), (" of ",), _title_then_name, _POSSESSIVE, (",",), (",",),
    _NAMED_WORDS, _NAMED_WORDS, (" as ", "became"), _NAMED_WORDS,
    ("resignation", "appointment", "departure", "retirement", "election", "tenure"),
    ("where",), ("serve",), ("posts", "positions", "roles", "jobs"), ("as ",),
    ("as well as",), _POSSESSIVE, ("founder",), ("join",), ("role of", "position of", "post of",
                                                          "office of"),
    _title_then_name, ("(",), ("(",),
    ("role as", "position as", "post as", "job as", "tenure as", "stint as", "time as", "term as"),
    ("work",), ("step", "resign", "retir", "named", "appointed", "elected", "confirmed")]
assert len(_ROLE_CUES) == len(ROLE_PATTERNS)
_CUES = {id(p): cue for (p, _), cue in zip(ROLE_PATTERNS, _ROLE_CUES, strict=True)}


def _cued(pattern: re.Pattern[str], text: str, lowered: str) -> bool:
    """Whether the sentence passes the pattern's cheap test (``_CUES``): one of its words in
    the words the sentence holds (all patterns' words found in one pass), or its function."""
    cue = _CUE_TESTS.get(id(pattern))
    if cue is None:
        return True
    if isinstance(cue, frozenset):
        return not cue.isdisjoint(_cue_words_in(lowered))
    return cue(text)


# a sentence whose subject is a role, not a name: "The former cybersecurity chief at the U.S.
# Department of Homeland Security (DHS) is now the head of ICANN"
_DESCRIBED = _RE(rf"^(?i:the|a|an)\s+{_FORMER}(?:[\w-]+\s+){{0,2}}?(?P<r>{ROLES})\s+"
                 rf"(?:of|at|for)\s+(?:the\s+)?(?P<o>{ORG})")
_DESCRIBED_THEN = _RE(rf"\b(?:is|was|has\s+been|had\s+been|will\s+be)\s+(?:now\s+|also\s+)?"
                      rf"(?:(?:appointed|named|elected|chosen)\s+(?:as\s+)?)?{_ART}{_FORMER}{_ADJ}"
                      rf"(?P<r>{ROLES})\s+(?:of|at)\s+(?:the\s+)?(?P<o>{ORG})")
# an opening phrase before the subject: a person named in it is not who "he" is
_INTRODUCTORY = _RE(r"^(?:In|At|After|Before|With|During|On|From|Following|Through|Under|"
                    r"Unlike|Like|Despite|Besides|To)\b[^,;]*,\s*$")
_PRONOUN_SUBJECT = _RE(r"^(?:[\w,]+\s+){0,3}?(?:He|She|he|she)\s")
_TITLED_PERSON = _RE(rf"(?<![\w’']){_FORMER}(?:(?P<r>{ROLES})|(?i:entrepreneur|executive|lawyer|"
                     rf"analyst|journalist|engineer)),?\s+{_HON}(?P<p>{PERSON}){_WHOLE}"
                     rf"(?!,?\s+(?:of|at)\s)")
_PERSON_LIST = _RE(rf"(?:{PERSON}(?:\s*\([^)]{{1,30}}\))?,\s+){{2,}}(?:and\s+)?{PERSON}")
_SINCE = _RE(rf"\b(?:effective|since|as of|starting|from)\s+(?P<d>{DATE})|\b(?:appointed|named|"
             rf"elected|selected|joined)\b[^.;]*?\bin\s+(?P<d2>{DATE})")
_CONTINUATION = _RE(rf"(?:\s*\([^)]*\))?\s*(?:,\s*(?:and\s+)?|\s+and\s+(?:as\s+)?|\s+as well as\s+)"
                    rf"{_ART}{_FORMER}(?P<r>{ROLES})\s+(?:of|at|for)\s+(?P<o>{ORG})")
_PRESENT_VERBS = [v for v in _VERB_ROLES if v in {"co-founded", "founded", "established"} or (
    v not in _LEX.past_verbs and not v.endswith("ed"))]
_VERBS = rf"(?P<v>{_alternation(_PRESENT_VERBS)})"
VERB_PATTERNS = [
    # "Jane Roe founded Y", "He has worked for IBM and founded RosettaNet"
    _RE(rf"(?P<p>{PERSON_OR_SHORT}|{_PRONOUN})(?:\s+(?:has\s+|had\s+)?[a-z]+(?:\s+[\w-]+){{0,4}}?"
        rf"\s+and)?\s+(?:also\s+|later\s+|previously\s+|"
        rf"subsequently\s+)?{_VERBS}\s+(?:(?:an?|the)\s+(?:[\w-]+\s+){{0,4}}?(?:called|named)\s+"
        rf"|the\s+)?(?P<o>{ORG})"),
    _RE(rf"(?P<o>{ORG})(?:\s*\([^)]*\))?,?\s+(?:[^.;()]{{0,60}}?\s)?(?:which\s+was\s+|was\s+|"
        rf"is\s+)?(?P<v>co-founded|founded|led|headed|chaired|run|owned|established|controlled)"
        rf"\s+(?:and\s+(?:owned|controlled)\s+)?by\s+(?:[\w-]+,?\s+){{0,3}}?{_P}"),
    # "Jane Roe, who heads Y", "Lars Eggert, who is the first German to head the IETF"
    _RE(rf"(?P<p>{PERSON}),\s+who\s+(?:also\s+)?(?:(?:is|was|will\s+be|became)\s+(?:[\w-]+\s+)"
        rf"{{0,4}}?to\s+)?{_VERBS}\s+(?:the\s+)?(?P<o>{ORG})"),
]
# "Jane Roe, who led Example Registry for ten years": a role held before (former)
_PAST_VERB = _RE(rf"(?P<p>{PERSON}|{_PRONOUN})(?:,\s+who)?\s+(?P<since>has\s+|have\s+)?"
                 rf"(?:previously\s+|formerly\s+|once\s+|also\s+|later\s+)?"
                 rf"(?P<v>{_alternation(_LEX.past_verbs)})\s+"
                 rf"(?:the\s+)?(?P<o>{ORG})"
                 rf"(?=\s*(?:[,.;:)]|$)|\s+(?:for|from|until|between|in|during|since|through|and|"
                 rf"when|before|after)\b)")
VERB_PATTERNS.append(_PAST_VERB)
# "Jane Roe and John Doe, the CEOs of Example Registry and Sample Networks": one role each
_COORDINATED = _RE(rf"{_START}{_HON}(?P<p>{PERSON})\s+and\s+{_HON}(?P<p2>{PERSON}),\s+{_ART}"
                   rf"(?:respective\s+)?{_FORMER}(?P<r>{ROLE})s?\s+(?:of|at)\s+{_O}")
# a speaker page: a line with a name alone, then "Research Director, Example Institute"
_TITLE_LINE = _RE(rf"^{_FORMER}{_ADJ}(?:[{UP}][\w&-]*\s+){{0,2}}?(?P<r>{ROLES})"
                  rf"(?:\s*,\s*|\s+(?:of|at)\s+(?:the\s+)?)(?P<o>[^.;]+?)\.?$")
# "IETF Chair: Russ Housley", "Routing Area Director: Adrian Farrel": one entry of a roster
_ROSTER_LINE = _RE(rf"^(?P<t>(?:[\w&-]+\s+){{0,5}}?)(?P<r>{ROLES}):\s+(?P<p>{PERSON})$")
# "…the following new officers: Jane Roe as Chairman; John Doe as Vice Chairman; and …"
_AS_ROLE_ITEM = _RE(rf"(?P<p>{PERSON})\s+as\s+(?:(?i:its|the)\s+)?(?P<r>{ROLES})\.?$")
# "Its CEO, Jane Roe", "the company's chief executive Jane Roe": the organisation named last
_ITS_TITLE = _RE(rf"\b(?:(?i:its|their)|(?i:the)\s+(?i:{_alternation(_LEX['org_kinds'])})(?:'s|’s))"
                 rf"\s+{_FORMER}{_ADJ}(?P<r>{ROLES}),?\s+{_P}")
# "Jane Roe will become its new CEO", "... took over as their chair"
# "Example Networks announced that Jane Roe will join as chief technology officer"
# "In 2015 she was named chief executive": the organisation the sentences before name
_JOINS_AS = _RE(rf"{_PP}\s+(?:(?:will\s+join|has\s+joined|joins|joined|is\s+joining|will\s+return)"
                rf"\s+as|(?:was|has\s+been|had\s+been|is|will\s+be)\s+(?:{_NAMED}|promoted\s+to)(?:\s+as)?)"
                rf"\s+{_ART}{_FORMER}{_ADJ}(?P<r>{ROLES})(?!\s+(?:of|at|for|with)\s)")
_AS_ITS_TITLE = _RE(rf"{_PP}\s+(?:[\w’'-]+\s+){{0,4}}?(?:as|become|becomes|became)\s+"
                    rf"(?i:its|their)\s+{_FORMER}{_ADJ}(?P<r>{ROLES})(?!\s+(?:of|at)\s)")
# "“…,” the chief executive said", "said the CEO": the one person the page gave that title
_DEFINITE = rf"(?i:the|its|their)\s+(?:[\w-]+(?:'s|’s)\s+)?{_FORMER}(?P<r>{ROLES})"
_TITLE_SPEAKERS = [
    _RE(rf"(?:[,”\"’»]\s*|^){_DEFINITE}\s+(?:has\s+|had\s+|also\s+|later\s+)?{_SPEECH}\b"),
    _RE(rf"(?:[,”\"’»]\s*|^){_SPEECH}\s+{_DEFINITE}(?!\s+(?:of|at|for)\s|,?\s+{_HON}[{UP}])"),
]
# "accepted Göran Marby's resignation as President", "the appointment of X as CEO"
_TITLE_WITHOUT_ORG = [
    _RE(rf"{_P}(?:'s|’s)\s+(?:resignation|appointment|departure|retirement|election)\s+as\s+"
        rf"{_ART}{_FORMER}{_ADJ}(?P<r>{ROLES})(?!\s+(?:of|at)\s)"),
    _RE(rf"\b(?:appointment|election|selection|nomination)\s+of\s+{_P}\s+as\s+{_ART}{_FORMER}"
        rf"{_ADJ}(?P<r>{ROLES})(?!\s+(?:of|at)\s)"),
    # "Andrew Sullivan, our President and CEO": on the organisation's own page
    _RE(rf"{_P},\s+(?:our|its)\s+{_FORMER}{_ADJ}(?P<r>{ROLES})(?!\s+(?:of|at)\s)"),
    # "said Dr. Stephen Crocker, Chair of the Board of Directors."
    _RE(rf"{_P},\s+(?:the\s+)?{_FORMER}{_ADJ}(?P<r>{ROLES})(?:\s+of\s+the\s+(?i:"
        rf"{_alternation(_LEX.sub_bodies)}))?(?=\s*(?:[,.;:]|$))"),
]
# "The org was led by Paul Wilson for 26 years": the organisation the page is about
_LED_BY = _RE(rf"\b(?i:the)\s+(?i:org|organisation|organization|registry|company|firm|group|"
              rf"foundation|association|institute|body)\s+(?:was|is|has\s+been|had\s+been)\s+"
              rf"(?P<v>led|headed|run|founded|chaired)\s+by\s+{_P}")
_AS_TITLE = _RE(rf"{_P}(?:,[^,]{{1,80}},)?\s+(?:will\s+|would\s+|is\s+|was\s+)?(?:keep\s+serving|"
                rf"serving|continue|"
                rf"continues|serve|serves|remain|remains|stays?)\s+as\s+(?:its\s+|the\s+(?:organi[sz]"
                rf"ation(?:'s|’s)\s+)?)?"
                rf"{_FORMER}(?P<r>{ROLES})(?!\s+(?:of|at|for)\s)")
PERSON_PATTERNS = [
    _RE(rf"(?P<p>{PERSON})\s+{_SPEECH}\b"),
    _RE(rf"\b(?:according to|said|says|added|wrote)\s+{_P}"),
    _RE(rf"\b(?i:mr|mrs|ms|dr|prof|professor|judge|justice)\.?\s+(?P<p>{PERSON})"),
    _RE(rf"{_P}\s+(?:is|was|has\s+been|became)\s+(?:also\s+)?an?\s+(?:founding\s+)?member\s+of\b"),
    _AS_TITLE,
]
_QUOTE_SPEAKERS = [  # direct speech: a quote and its speaker
    _RE(rf"[”\"»]\s*,?\s*{_PS}\s+{_SPEECH}"),
    _RE(rf"[”\"»]\s*,?\s*{_SPEECH}\s+{_HON}(?P<p>{PERSON_OR_SHORT})"),
    _RE(rf"{_PS}\s+{_SPEECH}\s*[:,]?\s*[“\"«]"),
    # "Oscar Messano, President of …, thanked Echeberría for his 12 years …: "…""
    _RE(rf"^{_P}(?:,[^,]{{1,80}},)?\s+[^“\"«:]{{1,120}}:\s*[“\"«]"),
]
_REPORTED = [  # reported speech and interviews: "X said", "according to X", "spoke with X"
    _RE(rf"{_PS}(?<!['’]s)(?:,[^,]{{1,60}},|,\s+who)?\s+(?:has\s+|had\s+|also\s+|later\s+)?"
        rf"{_SPEECH}\b"),  # not "Axel's assured leadership"
    # "Göran Marby, President and CEO of ICANN said": an appositive that names a role
    _RE(rf"{_P},\s+[^,.;]{{0,30}}?{ROLE}[^,.;]{{0,40}}?\s+{_SPEECH}\b"),
    # "…," said ICANN Board Chair Tripti Sinha
    _RE(rf"(?:[,”\"’»]\s*|^){_SPEECH}\s+(?:[{UP}][\w&-]*\s+){{0,3}}?{ROLES}\s+{_P}"),
    _RE(rf"(?:[,”\"’]\s*|^){_SPEECH}\s+{_HON}(?P<p>{PERSON_OR_SHORT})"),  # "…, said X"
    # (not "according to a press release now surprisingly Lars Eggert": a document)
    _RE(rf"\b(?i:according to)\s+(?:(?!(?i:{_alternation(_LEX['source_nouns'])})\s)[\w’'-]+\s+)"
        rf"{{0,10}}?{_P}"),
    _RE(rf"\b(?i:{_alternation(_LEX['interview_cues'])})\s+{_HON}(?P<p>{PERSON_OR_SHORT})"),
]
_INTERVIEW = _REPORTED[5]
# Organisations defined by the page's own usage, where only an organisation stands: in
# brackets after a person ("Jari Arkko (Ericsson)"), after a person's "from" ("Neil McRae
# from BT"), before a possessive board, founders, title or person ("Akamai’s board",
# "Netnod’s Lars-Johan Liman")
_TOKEN = rf"[{UP}][\w&.-]*[\w&]"
_ACRONYM_LIKE = _RE(r"[A-Z][\w-]*[A-Z][\w-]*")  # LINX, EX-CIX, IXLeeds
_NAME_CONNECTOR_BEFORE = _RE(rf"[{UP}][\w&.-]*\s+(?:of|for|de|du|des)\s+$")
_IN_PLACES = _RE(r"\b(?:in|near|across|throughout|from)\s+$")  # "offices in London, … and BT"
_CAPITALISED_BEFORE = _RE(rf"[{UP}][\w&.-]*\s+$")
_USAGE = [
    _RE(rf"{_START}(?P<p>{PERSON})\s*\((?P<o>{_TOKEN}(?:\s+{_TOKEN})?)\)"),
    # (written like a name, not "Jane Roe from Nairobi": cities are not in the place list)
    _RE(rf"{_START}(?P<p>{PERSON})\s+from\s+(?P<o>[{UP}][\w&.-]*[{UP}][\w&.-]*)(?![\w’'-])"),
    _RE(rf"{_START}(?P<o>{_TOKEN})(?:'s|’s)\s+(?:(?P<p>{PERSON})|(?:[\w-]+\s+)?(?i:board|council|"
        rf"founders?|co-founders?)|{_FORMER}{ROLES})(?![\w-])"),
]
# a list with an organisation in it: "Charter Communications, Google, and IPv4.Global",
# "from Google and Facebook to Sky and BT" (each item one to three capitalised words)
_ITEM = rf"[{UP}][\w&.'’-]*(?:\s+[{UP}][\w&.'’-]*){{0,2}}"
_LIST = rf"{_ITEM}(?:\s*,\s*{_ITEM})*,?\s+(?:and|or)\s+{_ITEM}"
_ORG_LIST = _RE(rf"{_START}(?:from\s+(?P<a>{_LIST}|{_ITEM})\s+to\s+(?P<b>{_LIST}|{_ITEM})|"
                rf"(?P<c>{_LIST}))(?![\w’'-]|\s+[{UP}])")
_GENERIC_OR_COMPANY = _LEX["generic_words"] | _LEX["company"] | ORG_WORDS
_LIST_SPLIT = _RE(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
# a seat on a board: "X has served on the Y Board", "X and Z were re-elected to serve a new
# term on the Y board", "X has served as a Y board member", "X reelected to the Y Board"
_SEAT_BODY = r"(?P<b>(?i:board|council))(?!\s+of\s)"
_BOARD_SEAT = [
    _RE(rf"\b(?:serves|served|serve|serving|sits|sat|re-?elected|elected|appointed|joined|joins|"
        rf"joining|stood|stand|standing)\b[^.;:]{{0,60}}?\b(?:on|to)\s+the\s+(?P<o>{ORG})"
        rf"(?:'s|’s)?\s+(?:\d+-person\s+)?{_SEAT_BODY}"),
    _RE(rf"\bas\s+(?:a|an)\s+(?P<o>{ORG})\s+(?P<b>(?i:board|council))\s+member\b"),
]
_SUBJECT = _RE(rf"^(?:(?:[{UP}][^,]{{0,60}}|\w+),\s+)?{_HON}(?:(?P<p>{PERSON_OR_SHORT})(?:\s+and\s+"
               rf"{_HON}(?P<p2>{PERSON}))?|(?P<pronoun>He|She))\b")
PARENTHESES = _RE(rf"(?P<long>{ORG})\s*\((?P<short>[A-Za-z][\w&.-]{{1,14}})\)")
ACRONYM_APPOSITIVE = _RE(rf"(?<![\w-])(?P<short>[A-Z][A-Z&-]{{1,9}}),\s+the\s+(?P<long>{ORG})")
# "the London Internet Exchange, LINX, and": the acronym after the long form
ACRONYM_AFTER = _RE(rf"(?P<long>{ORG}),\s+(?P<short>[A-Z][A-Z&-]{{1,9}})"
                    rf"(?=\s*[,;)]|\s+(?:and|or)\s)")
# "Dyn (later, Oracle Dyn)", "Example Ltd (now Sample Group)", "Y, formerly X,": one organisation
RENAMED = _RE(rf"(?P<long>{ORG})\s*(?:\(\s*(?i:later|now|formerly|previously|renamed)|,\s+"
              rf"(?i:formerly|previously))(?:\s+(?i:known\s+as|called))?,?\s+(?P<short>{ORG})"
              rf"\s*[),;.]")
# "Organisations with .org domains include NPR, Khan Academy and the IET", "ISPs (e.g. Comcast)":
# the capitalised names listed as examples of a kind of organisation
_KINDS = _alternation({f"{k[:-1]}ies" if k.endswith("y") else f"{k}s" for k in _LEX["org_kinds"]})
KIND_EXAMPLES = _RE(rf"(?<!\w)(?i:{_KINDS})(?![\w-])(?:[^.;:]|\.(?=\w)){{0,60}}?(?:\b(?:include|"
                    rf"included|including|such\s+as|like)|[(:,]\s*(?:i\.e\.|e\.g\.)),?\s+"
                    rf"(?P<list>[^.;:()]+)")
# "RIPE NCC separated from TERENA", "Vice Chairman, of APIA": a name in capitals after a
# preposition (not a technology, currency or place: words.json not_org_acronyms)
CAPITALS_AFTER = _RE(r"(?:\b(?:from|at|of|with|by|joined|for|to)\s+|,\s+)(?:the\s+)?"
                     r"(?P<acr>[A-Z]{3,10}(?:-[A-Z]{2,6})?)(?![\w-])(?!\s+[A-Z])")
# "Jane Roe told Reuters", "told The Register": the outlet a person spoke to
TOLD = _RE(rf"\btold\s+(?P<o>(?:The\s+)?[{UP}][\w&.'’-]*(?:\s+[{UP}][\w&.'’-]*){{0,3}})")
_PUBLISHER_NAMES = NameMatcher([(p, p) for p in _LEX.publishers])
_LIST_ITEM = _RE(rf"^(?:the\s+)?(?P<name>[{UP}][\w&.'’-]*(?:\s+[{UP}][\w&.'’-]*){{0,3}})$")
PARENTHESES = _RE(_START + PARENTHESES.pattern)
PARENTHESES_REVERSED = _RE(rf"(?P<short>[A-Z][A-Za-z&.-]{{1,14}})\s*\((?P<long>{ORG})\)")
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

_SPEECH_WORDS = tuple(sorted(_LEX["speech"]))
_KINDS_OF_PERSON = NameMatcher([(w, w) for w in ("entrepreneur", "executive", "lawyer", "analyst",
                                                  "journalist", "engineer")], any_case=True)


def _title_or_kind_then_name(text: str) -> bool:
    return _title_then_name(text) or any(_AFTER_TITLE_NAME.match(text, hit.end)
                                         for hit in _KINDS_OF_PERSON.find(text))


for _pattern in (*_QUOTE_SPEAKERS, *_REPORTED[:4], PERSON_PATTERNS[0]):
    _CUES[id(_pattern)] = _SPEECH_WORDS
_CUES.update({
    id(_QUOTE_SPEAKERS[3]): (":",),
    id(_REPORTED[4]): ("according to",),
    id(_REPORTED[5]): tuple(_LEX["interview_cues"]),
    id(PERSON_PATTERNS[1]): ("according to", "said", "says", "added", "wrote"),
    id(PERSON_PATTERNS[2]): ("mr", "mrs", "ms", "dr", "prof", "judge", "justice"),
    id(PERSON_PATTERNS[3]): ("member of",),
    id(PERSON_PATTERNS[4]): lambda text: " as " in text.lower() and bool(_titles_in(text)),
    id(_TITLED_PERSON): _title_or_kind_then_name,
    id(VERB_PATTERNS[0]): tuple(_PRESENT_VERBS),
    id(VERB_PATTERNS[1]): (" by ",),
    id(VERB_PATTERNS[2]): ("who ",),
    id(_PAST_VERB): tuple(f" {v} " for v in _LEX.past_verbs),
    id(_AS_TITLE): (" as ",),
    id(_TITLE_WITHOUT_ORG[0]): ("resignation", "appointment", "departure", "retirement",
                                "election"),
    id(_TITLE_WITHOUT_ORG[1]): ("appointment", "election", "selection", "nomination"),
    id(_TITLE_WITHOUT_ORG[2]): (", our ", ", its "),
    id(_TITLE_WITHOUT_ORG[3]): lambda text: "," in text and bool(_titles_in(text)),
    id(ACRONYM_APPOSITIVE): (", the ",),
    id(ACRONYM_AFTER): lambda text: bool(re.search(r", [A-Z][A-Z&-]+\b", text)),
    id(RENAMED): ("later", "now", "formerly", "previously", "then", "renamed"),
    id(KIND_EXAMPLES): ("includ", "such as", "like", "i.e.", "e.g."),
    id(_ORG_KIND): (", a ", ", an ", ", the "),
})


class _Search:
    """Whether a lower-cased sentence holds one of some words (an Aho–Corasick automaton:
    a regular expression of many alternatives is tried at every position)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self._automaton = ahocorasick.Automaton()
        for word in words:
            self._automaton.add_word(word, word)
        self._automaton.make_automaton()

    def __call__(self, lowered: str) -> bool:
        return next(self._automaton.iter(lowered), None) is not None

    def words_in(self, lowered: str) -> frozenset[str]:
        """Every one of the words the sentence holds."""
        return frozenset(word for _, word in self._automaton.iter(lowered))


_SPEECH_SEARCH = _Search(_SPEECH_WORDS)
_CUE_TESTS: dict[int, frozenset[str] | Callable[[str], bool]] = {
    key: frozenset(cue) if isinstance(cue, tuple) else cue
    for key, cue in _CUES.items() if cue is not None}
_CUE_WORDS = _Search(tuple({w for cue in _CUE_TESTS.values() if isinstance(cue, frozenset)
                            for w in cue}))


@lru_cache(maxsize=64)
def _cue_words_in(lowered: str) -> frozenset[str]:
    """The cue words a lower-cased sentence holds (asked by every pattern of every pass):
    one automaton pass, where a test per pattern scanned the sentence again each time."""
    return _CUE_WORDS.words_in(lowered)


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
    """``founder and CEO`` -> ``["Founder", "CEO"]`` (titles from data/roles.json)."""
    out = []
    for part in re.split(r"\s*(?:,|\band\b|&|/)\s*", text.strip()):
        key = " ".join(part.lower().replace("cofounder", "co-founder").split())
        key = key[:-1] if key.endswith("s") and key[:-1] in _LEX.role_titles else key  # CEOs
        first, _, rest = key.partition(" ")
        if key not in _LEX.role_titles and first in _LEX.role_modifiers and rest:
            key = rest  # "regional managing director" is a Managing director
        if key:
            out.append(_LEX.role_titles.get(key) or key[:1].upper() + key[1:])
    return out


_ROLE_WORDS = {w for title in _LEX.role_titles for w in title.split()} | set(_LEX.role_modifiers)


def shift_role_words(org: str, role: str) -> tuple[str, str]:
    """``ICANN Vice`` + ``President`` -> ``ICANN`` + ``Vice President``: the greedy
    organisation phrase gives back the words that begin the role title."""
    words = org.split()
    while words and fold(words[-1]) in _ROLE_WORDS and \
            _ANY_ROLE.fullmatch(f"{words[-1]} {role}"):
        role = f"{words.pop()} {role}"
    return " ".join(words), role


def qualifiers(word: str | None) -> dict[str, object]:
    """``former``/``then``/``retiring`` -> ``{"former": True}``, ``interim`` ->
    ``{"interim": True}``, ``acting`` -> ``{"acting": True}``."""
    key = (word or "").strip().lower()
    name = _LEX.qualifiers.get(key)
    return {name: True} if name else {}


def split_orgs(text: str, names: PageNames | None = None) -> list[str]:
    """``Cloud Innovation and LARUS Limited`` -> two names, when each part could stand as
    a name (an organisation word, a legal form, an acronym, or a name the page knows);
    known names that contain "and" (``Internet Corporation for Assigned Names and
    Numbers``, or ``Rwanda Internet Community and Technology Alliance`` once the page
    defined it) stay whole."""
    if not _AND.search(text) or known_org(text) or (names and names.lookup(text)):
        return [text]
    parts = [p for p in _AND.split(text) if p]
    return parts if all(_could_be_name(p, names) for p in parts) else [text]


_AND = re.compile(r"\s+(?:and|AND)\s+")  # "AfriNIC AND Cloud Innovation Dispute"


def _could_be_name(part: str, names: PageNames | None) -> bool:
    words = fold(part).split()
    return part[:1].isupper() and bool(
        set(words) & ORG_WORDS or known_org(part) or (names and names.lookup(part))
        or re.fullmatch(r"[A-Z][A-Z0-9&-]+", part)
        or " " not in part and sum(c.isupper() for c in part) >= 2  # IPv4.Global, InternetNZ
        or len(words) >= 2 and all(w[:1].isupper() for w in part.split()))


_ROLES_OF_START = _RE(rf"^{ROLES}\s+(?:of|at|for)\s+")
_ROLE_START = _RE(rf"^{ROLE}(?!\w)")
_ROLE_AFTER = _RE(rf"(?:'s|’s)?\s+{ROLE}(?!\w)")
_ROLE_OF_FIELD = _RE(rf"{ROLE}\s+(?:of|for)\s")


# A pure function of a phrase that every organisation phrase of every sentence asks for, and
# the titles' alternation is slow to try at every space: remembered (bounded).
@lru_cache(maxsize=4096)
def cut_at_role(text: str) -> str:
    """An organisation phrase up to the first role word (``Cloud Innovation CEO`` ->
    ``Cloud Innovation``)."""
    text = _ROLES_OF_START.sub("", text)
    if _ROLE_START.match(text):
        return ""
    m = _ROLE_AFTER.search(text)
    return without_trailing_connectors(text[:m.start()]) if m else text  # "Y and [Director]"


def start_date(text: str) -> str | None:
    """The date a role starts when the sentence gives one (``effective July 1, 2009``,
    ``since 1998``, ``was appointed … in November 2019``), as ISO."""
    m = _SINCE.search(text)
    if not m:
        return None
    return iso_date(m["d"] or m["d2"])


class Extractor:
    """Reads one page's body, sentence by sentence, into mentions, people, organisations,
    essays and facts."""

    def __init__(self, body: list[Line], names: PageNames, doc_id: str,
                 title: Line | None = None, site: str | None = None) -> None:
        self.names = names
        self.title = title
        self.site = site  # the page's site as one word (metadata.site_key): "netnod"
        self.doc_id = doc_id
        self.facts: list[Fact] = []
        self.mentions: list[Mention] = []
        self.essays: list[Essay] = []
        self.related: list[tuple[str, int]] = []
        self.quoted: dict[str, int] = {}
        lines: list[Line] = []
        for ln in body:
            m = _ALSO_READ.match(ln.text)
            if m:
                self.related.append((clean_name(m["t"]), ln.no))
            else:
                lines.append(ln)
        self.text: list[Line] = sentences(lines)
        self._nicknames = nicknames(lines)
        self._position = {id(s): i for i, s in enumerate(self.text)}
        self._unresolved: set[int] = set()
        self._candidate_cache: tuple[tuple[int, int], dict[str, set[int]]] | None = None
        self._orgs_cache: tuple[tuple[int, int], NameMatcher] | None = None
        self._mid_sentence: dict[str, bool] = {}
        self._affiliation_words: dict[str, bool] = {}
        self._capitals_words: set[str] | None = None
        self._turn_speakers: dict[int, Named] = {}  # line -> who speaks in that turn

    def run(self) -> None:
        """Every extraction step, in the order that lets later steps resolve short names:
        attributions, then the names stated with roles and organisations, then speakers and
        the people titles and lists name, then roles by verb, essays, quotes, and last the
        relations between mentions."""
        for full, nick in self._nicknames:
            person = self.names.person(full, 0)
            if person is not None:
                self.names.add_alias(person, nick)
                person.short_forms.add(fold(nick.split()[0]))
        self._site_name()
        for ln in self.text:
            self._attribution(ln)
        for ln in self.text:
            self._orgs(ln)
            self._roles(ln)
            self._own_title(ln)
        for ln in self.text:
            self._affiliations(ln)
            self._dash_role_line(ln)
        if self.title is not None:
            self._named_people(self.title, heading=True)
            self._roles(self.title, HEADLINE_ROLE_PATTERNS)
        for ln in self.text:
            self._capitals(ln)
            self._people(ln)
            self._named_people(ln, bool(ln.heading) or _title_case_line(ln.text))
        self._model_mentions()
        for ln in self.text:
            self._orgs_by_usage(ln)
        for ln in self.text:
            self._listed_orgs(ln)
        self._nicknames_used()
        self._known_in_title()
        self._initials_used()
        self._country_prefixed()
        for ln in self.text:
            if id(ln) in self._unresolved:  # a short name the page has named in full since
                self._roles(ln)
            self._verb_roles(ln)
            self._coordinated(ln)
        for ln in self.text:
            self._essays(ln)
            self._quotes(ln)
        self._title_interview()
        self._quotes_after_colon()
        self._speaker_lines()
        for ln in self.text:
            self._its_titles(ln)
        for ln in [*self.text, *([self.title] if self.title else [])]:
            self._board_seats(ln)
        self._unattached_titles()
        self._described_subjects()
        self._roster()
        for ln in self.text:
            self._appointment_list(ln)
        for ln in self.text:
            self._title_speakers(ln)
        self.facts.extend(linked_facts(self.text, self.names, self.last_person,
                                       self.org_by_noun))

    # -------------------------------------------------------------- mentions
    def _person(self, raw: str, ln: Line, rule: str, confidence: float) -> Named | None:
        person = self.names.person(without_leading_titles(strip_leading_stopwords(raw)), ln.no)
        if person is not None:
            self.mentions.append(Mention(raw, "Person", person.id, ln.no, ln.offset, rule,
                                         confidence))
        return person

    def _org(self, raw: str, ln: Line, rule: str, confidence: float,
             aliases: tuple[str, ...] = (), single_word_ok: bool = False) -> Named | None:
        org = self.names.org(raw, ln.no, aliases=aliases, single_word_ok=single_word_ok or
                             self._capitalised_mid_sentence(raw.strip()))
        if org is not None:
            self.mentions.append(Mention(raw, org.type, org.id, ln.no, ln.offset, rule,
                                         confidence))
        return org

    def _capitalised_mid_sentence(self, word: str) -> bool:
        """A single capitalised word that the page also writes capitalised inside a sentence
        is a name (``CEO of Larus``), not a sentence's first word (``Retiring Chair``)."""
        if " " in word or not word[:1].isupper() or sum(c.isupper() for c in word) > 1:
            return False  # several words, or written like a name already (LARUS)
        if word not in self._mid_sentence:
            pattern = re.compile(rf"[\w,;:]\s+{re.escape(word)}(?![\w’'-])")
            self._mid_sentence[word] = any(pattern.search(s.text) for s in self.text)
        return self._mid_sentence[word]

    def _site_name(self) -> None:
        """The page's own organisation, named as its site is spelled: one to four capitalised
        words whose letters are the site's (``Netnod`` on netnod.se, ``Farsight Security``
        on info.farsightsecurity.com), not a person's name (rule ``site name``)."""
        for ln in [self.title, *self.text] if self.site else ():
            if ln is None:
                continue
            for m in _CAPITALISED_RUN.finditer(ln.text):
                name = _spelling(m.group(0), str(self.site))
                if name and not any(chunk == name for _, chunk in name_chunks(name)) and \
                        self._org(name, ln, "site name", MENTION.confidence) is not None:
                    return

    def site_owner(self) -> Named | None:
        """The organisation of the page whose name or alias spells its site."""
        return next((o for o in self.names.orgs() if self.site and any(
            _letters(n) == self.site for n in (o.name, *o.aliases))), None)

    # -------------------------------------------------------------- attributions
    def _attribution(self, ln: Line) -> None:
        """``——Name, CEO at X, CEO at Y, Founder of Z.``: QUOTED_IN plus one ROLE_AT per
        role."""
        if ln.offset == 0 and (caps := CAPITALS_TURN.match(ln.text)) and \
                (name := _capitals_name(caps["p"])):
            self._quoted(self._person(name, ln, "transcript", ATTRIBUTION.confidence), ln,
                         ATTRIBUTION.confidence)
            return
        if ln.offset == 0 and (turn := TRANSCRIPT_TURN.match(ln.text)) and _turn_name(turn):
            speaker = self._person(turn["p"], ln, "transcript", ATTRIBUTION.confidence)
            self._quoted(speaker, ln, ATTRIBUTION.confidence)
            if speaker is not None:
                self._turn_speakers[ln.no] = speaker
            return
        m = ATTRIBUTION_LINE.match(ln.text)
        if not m:
            return
        parts = [p.strip() for p in m["body"].rstrip(" .").split(",") if p.strip()]
        person = self._person(parts[0], ln, "attribution", ATTRIBUTION.confidence) \
            if parts else None
        if person is None:
            return
        self._quoted(person, ln, ATTRIBUTION.confidence)
        for part in parts[1:]:
            rm = re.match(rf"^{_FORMER}(?P<r>.+?)\s+(?:at|of|,)\s+(?P<o>.+)$", part)
            if rm and len(rm["r"].split()) <= 5:
                self._roles_at(person, rm["r"], rm["o"], ln, ATTRIBUTION.confidence,
                               rm["former"])
            elif not _ROLE_WORD.match(part):
                self._org(part, ln, "attribution", ATTRIBUTION.confidence)

    def _roles_at(self, person: Named, roles: str, orgs: str, ln: Line, confidence: float,
                  qualifier: str | None = None) -> None:
        since = start_date(ln.text)
        for org_name in self._split_orgs(org_core(cut_at_role(orgs))):
            org = self._org(org_name, ln, "role", confidence)
            if org is None or org.type == "Person":
                continue
            for role in role_names(roles):
                props: dict[str, object] = {"role": role, **qualifiers(qualifier)}
                if since and not props.get("former"):  # (the date is of the later step)
                    props["since"] = since
                self._fact(person.id, "ROLE_AT", org.id, ln, confidence, props)

    # -------------------------------------------------------------- prose
    def _roles(self, ln: Line,
               patterns: Sequence[tuple[re.Pattern[str], ConfidenceTier]] = ROLE_PATTERNS
               ) -> None:
        """Roles in prose (ROLE_PATTERNS): appositives (``Name, CEO of Org``, ``Name, Org's
        CEO``), ``Org's CEO Name``, ``Name is the CEO of Org``, appointments (``Name was
        appointed CEO of Org``, ``Org has named Name as its CEO``), ``Name served as CEO of
        Org``, ``Name serves Org as CEO``, ``Name joined Org as CEO``."""
        if not _titles_in(ln.text):
            return
        lowered = ln.text.lower()
        for pattern, tier in patterns:
            if not _cued(pattern, ln.text, lowered):
                continue
            for m in pattern.finditer(ln.text):
                raw = _before_heading_verb(m["p"]) if ln is self.title else m["p"]
                if pattern is ROLE_OF_ORG_NAME and not _clear_boundary(ln.text, m) or \
                        self._field_before_org(ln.text, m):
                    continue
                person = self._speaker(raw, ln, "role", tier.confidence, m.start())
                if person is None:
                    self._unresolved.add(id(ln))
                    continue
                conf = tier.confidence if len(m["p"].split()) > 1 else LOOSE.confidence
                org, role = shift_role_words(m["o"], m["r"])
                org = _before_heading_verb(org, keep=1) if self._headline(ln) else org
                if _FIELD_START.match(org) and not _OF_ORG.search(org):
                    continue  # "Head of Public Affairs Malcolm Hutty" (not "Operations … of Y")
                self._roles_at(person, role, org, ln, conf, m["former"])
                self._continuations(person, ln, m.end(), conf)
                plural = pattern is ORG_TITLE_NAME and m["r"].lower().endswith("s")
                second = _AND_PERSON.match(ln.text, m.end()) if plural else None
                other = self._person(second["p"], ln, "role", conf) if second else None
                if other is not None:  # "Example Networks co-founders Jane Roe and John Doe"
                    self._roles_at(other, role, org, ln, conf, m["former"])

    def _headline(self, ln: Line) -> bool:
        return ln is self.title or bool(ln.heading) or _title_case_line(ln.text)

    def _own_title(self, ln: Line) -> None:
        """``I'm the CEO at Example Org`` in a speaker's turn of a transcript: the speaker's
        role (PATTERN)."""
        speaker = self._turn_speakers.get(ln.no)
        if speaker is None:
            return
        for m in _OWN_TITLE.finditer(ln.text):
            self._roles_at(speaker, m["r"], m["o"], ln, PATTERN.confidence, m["former"])

    def _named_person(self, raw: str, ln: Line, honorific: bool) -> Named | None:
        """A person the page knows, or a name after an honorific (``Mr. Rajnesh Singh``) or
        one that starts with a given name (not ``Homeland Security (DHS)``)."""
        known = self.names.lookup(raw)
        if known is not None:
            return known if known.type == "Person" else None
        if not honorific and not any(chunk == raw for _, chunk in name_chunks(raw)):
            return None
        return self._person(raw, ln, "affiliation", PATTERN.confidence)

    def _split_orgs(self, name: str) -> list[str]:
        """split_orgs, but a name whose initials the page writes as a word stays whole, and so
        does a known institution's name with an "and" in it (``National Telecommunications
        and Information Administration`` beside ``NTIA``)."""
        if " and " not in name:
            return split_orgs(name, self.names)
        if acronym_of(name.split()) in self._words_in_capitals():
            return [name]
        return _around_known_and(name, KNOWN_NAMES.find(name)) or split_orgs(name, self.names)

    def _words_in_capitals(self) -> set[str]:
        if self._capitals_words is None:
            self._capitals_words = {w for ln in self.text for w in _CAPITALS_WORD.findall(ln.text)}
        return self._capitals_words

    def _affiliations(self, ln: Line) -> None:
        """``Name, Role (of a field), Org``: a person, then an affiliation in comma-separated
        parts (a list item, a signature, an appositive): a role at the first part after the
        role title that reads as an organisation (``Ms. Sylvia Cadena, Head of Programs,
        Asia Pacific Network Information Centre (APNIC)``; ``Mr. Rajnesh Singh, Director of
        the Asia-Pacific Regional Bureau, Asia-Pacific, Internet Society (ISOC)``: not the
        place), or in brackets (``Anju Mangal (Knowledge Specialist, Pacific Community)``).
        Without a role title, ``Name, Org`` is an affiliation (``Member``; ``Name (Org)`` is
        none: the organisation only, by ``_orgs_by_usage``)
        when the organisation is one the page or the lexicon knows, or a word the page writes after
        ``at``/``with``/``for``/``joined`` (``Jari Arkko, Ericsson``). PATTERN."""
        if "," not in ln.text and "(" not in ln.text:
            return
        patterns = [p for p, mark in ((_AFFILIATED, ","), (_AFFILIATED_IN_BRACKETS, "("))
                    if mark in ln.text]  # (the comma, the bracket each needs)
        matches = (m for p in patterns for m in p.finditer(ln.text))
        for m in matches:
            parts = [p for p in _PART.split(m["parts"]) if p]
            if not any(self._org_part(p) for p in parts[:4]):
                continue
            person = self._named_person(m["p"], ln, honorific=m.start("p") > m.start())
            if person is None or self._has_role(person, ln):
                continue
            titled = next((i for i, part in enumerate(parts) if _role_part(part)), None)
            if titled is None and m.re is _AFFILIATED_IN_BRACKETS:
                continue  # "Jari Arkko (Ericsson)": where one works, no role (_orgs_by_usage)
            if titled is None:  # (not "Jane Roe, the Register": a writer's publisher)
                org, role, qualifier = self._affiliated_org(parts[0], strict=True), "Member", None
                org = org if org is not None and org.type != "Publisher" else None
            else:
                org = next((o for part in parts[titled + 1:titled + 3]
                            if (o := self._affiliated_org(part, strict=False))), None)
                title = _ROLE_IN.search(parts[titled])
                role, qualifier = title.group(0) if title else "Member", _qualifier(parts[titled])
            if org is not None:
                self._roles_at(person, role, org.name, ln, PATTERN.confidence, qualifier)

    def _field_before_org(self, text: str, m: re.Match[str]) -> bool:
        """``Head of Programs, Example Registry – 12 votes``, ``Knowledge Management
        Specialist, Example Community (EC)``: what the title names is a field, not an
        organisation, when the page does not know it and an organisation ends the clause
        after a comma (the affiliation pass takes that one)."""
        return "o" in m.re.groupindex and self._field_then_org(text, m["o"], m.end())

    def _field_then_org(self, text: str, name: str, end: int) -> bool:
        if known_org(name) or self.names.lookup(name) is not None:
            return False
        clause = re.split(r"\s+[–—-]\s|[;:]", text[end:])[0].rstrip(" .")
        rest = _PART.split(clause)  # (a place may stand between: ", Asia-Pacific, Org")
        return 2 <= len(rest) <= 3 and not rest[0].strip() and self._org_part(rest[-1])

    def _org_part(self, part: str) -> bool:
        return self._affiliated_org(part, strict=True, create=False) is not None

    def _affiliated_org(self, part: str, strict: bool, create: bool = True) -> Named | None:
        """The organisation one part of an affiliation names (with its acronym after it),
        or None when the part reads as a place, a field or a phrase."""
        acronym = _ACRONYM_AFTER_PART.search(part)
        name = clean_name(part[:acronym.start()] if acronym else part)
        if not name[:1].isupper() or len(name.split()) > 8 or is_role_title(name):
            return None
        known = self.names.lookup(name)
        if known is not None:
            return known if known.type != "Person" else None
        fits = acronym is not None and _acronym_holds(acronym["short"], name)
        if not (fits or known_org(name) or set(fold(name).split()) & ORG_WORDS or
                self._affiliation_word(name) or not strict and _written_as_org(name)):
            return None
        if not create:  # (the page does not know it: looked up above)
            return Named("", "Organization", name)
        return self._org(name, Line(0, part), "affiliation", PATTERN.confidence,
                         aliases=(acronym["short"],) if fits and acronym else ())

    def _affiliation_word(self, name: str) -> bool:
        """A name the page writes after ``at``, ``with``, ``for`` or ``joined`` (where people
        work, not where they are: ``in``)."""
        if name not in self._affiliation_words:  # (asked again for every part that names it)
            pattern = re.compile(rf"\b(?:at|with|for|joined)\s+(?:the\s+)?{re.escape(name)}(?!\w)")
            self._affiliation_words[name] = any(pattern.search(s.text) for s in self.text)
        return self._affiliation_words[name]

    def _dash_role_line(self, ln: Line) -> None:
        """``Jane Roe, Example Ltd – IETF Chair``: a role at the organisation before the
        title (else at the one the page is about) and the affiliation after the name."""
        m = _DASH_ROLE_LINE.match(ln.text) if ln.offset == 0 else None
        person = self._person(m["p"], ln, "roster", PATTERN.confidence) if m else None
        if m is None or person is None:
            return
        if m["aff"] and (org := self._affiliated_org(m["aff"], strict=True)):
            self._roles_at(person, "Member", org.name, ln, PATTERN.confidence)
        named = self._org_matcher().find(m["t"])
        org = self.names.items.get(named[0].key) if named else self._main_org()
        if org is not None and org.type != "Person":
            for role in role_names(m["r"]):
                self._fact(person.id, "ROLE_AT", org.id, ln,
                           (PATTERN if named else LOOSE).confidence,
                           {"role": role, **qualifiers(m["former"])})

    def _continuations(self, person: Named, ln: Line, pos: int, confidence: float) -> None:
        while m := _CONTINUATION.match(ln.text, pos):
            self._roles_at(person, m["r"], m["o"], ln, confidence, m["former"])
            pos = m.end()

    def _verb_roles(self, ln: Line) -> None:
        """``Name founded Org``, ``Org, founded by Name``, ``Name, who leads Org``."""
        lowered = ln.text.lower()
        for pattern in VERB_PATTERNS:
            if not _cued(pattern, ln.text, lowered):
                continue
            for m in pattern.finditer(ln.text):
                person = self._speaker(m["p"], ln, "verb", LOOSE.confidence, m.start())
                if person is not None:
                    held = pattern is _PAST_VERB and not m["since"]  # "has led": still
                    self._roles_at(person, _VERB_ROLES[m["v"].lower()], m["o"], ln,
                                   LOOSE.confidence, "former" if held else None)

    def _coordinated(self, ln: Line) -> None:
        """``X and Y, the CEOs of A and B``: X at A and Y at B; ``X and Y, co-founders of
        A``: both at A."""
        for m in _COORDINATED.finditer(ln.text) if " and " in ln.text and _titles_in(ln.text) \
                else ():
            people = [self._person(m[g], ln, "role", PATTERN.confidence) for g in ("p", "p2")]
            orgs = self._split_orgs(org_core(cut_at_role(m["o"])))
            pairs = zip(people, orgs, strict=True) if len(orgs) == 2 else \
                ((p, orgs[0]) for p in people)
            for person, org in pairs:
                if person is not None and len(orgs) <= 2:
                    self._roles_at(person, m["r"], org, ln, PATTERN.confidence, m["former"])

    def _speaker_lines(self) -> None:
        """A name alone on its line, and on the next line its title and organisation (a
        speaker page): ``Jane Roe`` / ``Research Director, Example Institute (EI), Example
        University`` -> a role at the first organisation the title line names."""
        for ln, nxt in zip(self.text, self.text[1:], strict=False):
            person = self.names.lookup(ln.text)
            m = _TITLE_LINE.match(nxt.text) if nxt.no - ln.no <= 2 and nxt.offset == 0 else None
            if person is None or person.type != "Person" or m is None:
                continue
            for part in re.split(r"\s*,\s*", m["o"]):
                part = re.sub(r"\s*\([^)]*\)$", "", part)
                if self._org_like(part):
                    self._roles_at(person, m["r"], part, nxt, PATTERN.confidence, m["former"])
                    break

    def _org_like(self, name: str) -> bool:
        """A name with an organisation word, one the page or the lexicon knows, or written
        like one (``GeoTech``, ``ICANN``)."""
        return bool(known_org(name) or self.names.lookup(name) or
                    set(re.split(r"[\s/]+", fold(name))) & ORG_WORDS or
                    re.fullmatch(r"[A-Z][A-Za-z]*[A-Z][\w&-]*", name))

    # -------------------------------------------------------------- titles for names
    def _its_titles(self, ln: Line) -> None:
        """``Its CEO, Jane Roe``, ``the company's chief executive Jane Roe``, ``Jane Roe will
        join as CTO``: a role at the organisation the nearest sentence names first (LOOSE)."""
        if not _titles_in(ln.text):
            return  # (each pattern names a title)
        cued = "'s" in ln.text or "’s" in ln.text or re.search(r"(?i)\b(?:its|their)\b", ln.text)
        patterns = (_ITS_TITLE, _AS_ITS_TITLE) if cued else ()
        found = (m for p in (*patterns, _JOINS_AS) for m in p.finditer(ln.text))
        for m in found:
            person = self._speaker(m["p"], ln, "role", LOOSE.confidence, m.start())
            org = self._org_before(ln, m.start())
            if person is not None and org is not None and not self._has_role(person, ln):
                for role in role_names(m["r"]):
                    self._fact(person.id, "ROLE_AT", org.id, ln, LOOSE.confidence,
                               {"role": role, **qualifiers(m["former"])})

    def _has_role(self, person: Named, ln: Line) -> bool:
        return any(f.source == person.id and f.type == "ROLE_AT" and f.line == ln.no and
                   f.offset == ln.offset for f in self.facts)

    def _org_before(self, ln: Line, pos: int) -> Named | None:
        """The organisation named last in this sentence before ``pos``, else first (the
        subject) in one of the two sentences before it."""
        at = self._position.get(id(ln), 0)
        hits = self._org_matcher().find(ln.text[:pos])
        if hits:
            return self.names.items.get(hits[-1].key)
        for x in reversed(self.text[max(0, at - 2):at]):
            hits = self._org_matcher().find(x.text)
            if hits:
                return self.names.items.get(hits[0].key)
        return None

    def org_by_noun(self, ln: Line, pos: int, noun: str) -> Named | None:
        """The organisation ``the registry`` (``the company``, ``the firm`` …) stands for:
        the nearest one named before, in this sentence or the two before it, of the type the
        noun implies (any type for ``the organisation``)."""
        wanted = _NOUN_TYPES.get(noun)
        at = self._position.get(id(ln), 0)
        for x in reversed(self.text[max(0, at - 2):at + 1]):
            hits = self._org_matcher().find(x.text[:pos] if x is ln else x.text)
            for hit in reversed(hits) if x is ln else hits:
                org = self.names.items.get(hit.key)
                if org is not None and (wanted is None or org.type == wanted):
                    return org
        return None

    def _org_matcher(self) -> NameMatcher:
        version = (len(self.names.items), sum(len(n.aliases) for n in self.names.items.values()))
        if self._orgs_cache is None or self._orgs_cache[0] != version:
            self._orgs_cache = (version, NameMatcher([
                (form, org.id) for org in self.names.orgs()
                for form in self.names.search_forms(org)]))
        return self._orgs_cache[1]

    def _title_speakers(self, ln: Line) -> None:
        """``“…,” the chief executive said``, ``said the CEO``: QUOTED_IN for the one person
        the page has given that title (LOOSE)."""
        lowered = ln.text.lower()
        if not _titles_in(ln.text) or not _SPEECH_SEARCH(lowered):
            return
        for pattern in _TITLE_SPEAKERS:
            for m in pattern.finditer(ln.text):
                wanted = set(role_names(m["r"]))
                holders = self._holders(wanted, ln) or self._holders(
                    {t for group in _LEX.equivalent_titles if wanted & group for t in group}, ln)
                if len(holders) == 1:
                    self._quoted(self.names.items.get(holders.pop()), ln, LOOSE.confidence)

    def _holders(self, titles: set[str], ln: Line) -> set[str]:
        """The people given one of these titles on the page, up to this sentence."""
        return {f.source for f in self.facts if f.type == "ROLE_AT" and
                f.properties.get("role") in titles and (f.line, f.offset) <= (ln.no, ln.offset)}

    def _orgs(self, ln: Line) -> None:
        """Known institutions, acronyms defined in either order (``Long Name (ACR)``, ``ACR
        (Long Name)``), and capitalised names that end in or contain an organisation word
        (Foundation, Court, Ltd, Registry, ...)."""
        lowered = ln.text.lower()
        for pattern in (PARENTHESES, PARENTHESES_REVERSED):
            for m in pattern.finditer(ln.text) if "(" in ln.text else ():
                self._acronym(m["long"], m["short"], ln)
        known = KNOWN_NAMES.find(ln.text)
        for hit in known:
            self._org(ln.text[hit.start:hit.end], ln, "known institution", MENTION.confidence)
        named = [h for h in _PUBLISHER_NAMES.find(ln.text)
                 if _written_as(ln.text[h.start:h.end], h.form)]
        for hit in named:
            self._publisher(hit.form, ln, "known publisher")
        for m in TOLD.finditer(ln.text) if "told" in lowered else ():
            if any(h.start <= m.start("o") < h.end for h in named):
                continue  # "told The Post and Courier": the known name, not "The Post"
            if not any(True for _ in name_chunks(m["o"])) and not self.names.lookup(m["o"]):
                self._publisher(m["o"], ln, "told")
        for pattern in (ACRONYM_APPOSITIVE, _ORG_KIND):
            if not _cued(pattern, ln.text, lowered):
                continue
            for m in pattern.finditer(ln.text):
                self._org_apposition(m, ln)
        for m in ACRONYM_AFTER.finditer(ln.text) if _cued(ACRONYM_AFTER, ln.text, lowered) \
                else ():
            self._acronym(m["long"], m["short"], ln, fits=True)  # not "the ICANN, RIR and ASO"
        for m in RENAMED.finditer(ln.text) if _cued(RENAMED, ln.text, lowered) else ():
            self._renamed(m["long"], m["short"], ln)
        for m in KIND_EXAMPLES.finditer(ln.text) if _cued(KIND_EXAMPLES, ln.text, lowered) \
                else ():
            self._kind_examples(m["list"], ln)
        if ln.heading or _title_case_line(ln.text) or ATTRIBUTION_LINE.match(ln.text):
            return
        for m in ORG_PHRASE.finditer(ln.text):
            if ln.text[m.start() - 1:m.start()] == ".":
                continue  # ".COM Registry Agreement": a domain, not an organisation
            if any(h.start < m.end() and m.start() < h.end for h in named):
                continue  # not "Data Center" of Data Center Knowledge
            inside = [Hit(h.start - m.start(), h.end - m.start(), h.key, h.form) for h in known
                      if m.start() <= h.start and h.end <= m.end()]
            for part in (_around_known_and(m.group(0), inside) or [m.group(0)]):
                self._keyword_org(part, ln, m.end())

    def _org_apposition(self, m: re.Match[str], ln: Line) -> None:
        """``ACR, the Long Name``, or ``Addrex, the IP address brokerage that …``."""
        if "short" in m.re.groupindex:
            self._acronym(m["long"], m["short"], ln, fits=True)
            return
        name = cut_at_role(strip_leading_stopwords(clean_name(m["o"])))
        if self.names.lookup(name) is None and not is_role_title(name):
            self._org(name, ln, "appositive", PATTERN.confidence)

    def _renamed(self, old_name: str, new_name: str, ln: Line) -> None:
        """Two names of one organisation, neither a person's name or a role title."""
        for name in (old_name, new_name):
            known = self.names.lookup(name)
            if is_role_title(cut_at_role(name) or name) or known is not None and \
                    known.type == "Person":
                return
        self._org(old_name, ln, "renamed", PATTERN.confidence, aliases=(new_name,))

    def _publisher(self, name: str, ln: Line, rule: str) -> None:
        article = re.match(r"The\s+(.+)", name)  # "The Post and Courier": "Post and Courier"
        org = self.names.org(name, ln.no, hint="publisher", single_word_ok=True,
                             aliases=(article[1],) if article else ())
        if org is not None and org.type != "Person":
            if org.type in {"Organization", "Company"}:
                org.type = "Publisher"
            self.mentions.append(Mention(name, org.type, org.id, ln.no, ln.offset, rule,
                                         MENTION.confidence))

    def _capitals(self, ln: Line) -> None:
        """Names in capitals after a preposition (``CAPITALS_AFTER``), once the page's long
        forms are known (``EPR`` after ``Example Public Registry`` is that registry)."""
        for m in CAPITALS_AFTER.finditer(ln.text) if not ln.heading else ():
            acronym = m["acr"]
            thing = _NEXT_WORD.match(ln.text, m.end())  # "AAA systems": a technology
            if fold(acronym) not in _LEX["not_org_acronyms"] and not is_role_title(acronym) and \
                    not (thing and thing[1] in _LEX["thing_nouns"]):
                self._org(acronym, ln, "name in capitals", MENTION.confidence)

    def _kind_examples(self, listed: str, ln: Line) -> None:
        """Each capitalised item of a list of examples of a kind of organisation."""
        for item in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", listed.strip()):
            m = _LIST_ITEM.match(item)
            if m and not self.names.lookup(m["name"]) and plausible_person(m["name"]) is False:
                self._org(m["name"], ln, "example of a kind", MENTION.confidence)

    def _acronym(self, long_form: str, short: str, ln: Line, fits: bool = False) -> None:
        """``Long Name (ACR)`` or ``ACR (Long Name)``: the long form, or the words at its end
        that the acronym fits (``Principal Consultant for the International Development
        Research Centre (IDRC)``: the acronym's letters are exactly the initials of the last
        four words), with the acronym as an alias. ``fits``: only where the letters fit,
        even for a name the page knows already."""
        if sum(c.isupper() for c in short) < 2 and not known_org(short):
            return  # "Research Centre (IDRC)" read backwards: "Centre" is no acronym
        words = strip_leading_stopwords(clean_name(long_form)).split()
        ends = [" ".join(words[i:]) for i in range(len(words))
                if not (i and fold(words[i]) in _CONNECTOR_WORDS | {"the"})]
        letters = re.sub(r"[^A-Za-z]", "", short).upper()
        exact = [n for n in ends if acronym_of(n.split()) == letters]
        for name in exact[-1:] or ends:
            hit = self.names.lookup(name)
            fit = looks_like_acronym(short, name)
            if hit is not None and hit.type != "Person" and (fit or not fits) or hit is None and \
                    fit and (plausible_org(name) or known_org(short)):
                self._org(name, ln, "acronym", PATTERN.confidence,
                          aliases=(short, *_place_before(words, name)))
                return

    def _keyword_org(self, phrase: str, ln: Line, end: int = 0) -> None:
        if _ROLE_OF_FIELD.match(phrase) and \
                self._field_then_org(ln.text, phrase, end):
            return  # "Dean of College of Information Technology, Example University"
        name = cut_at_role(strip_leading_stopwords(clean_name(re.split(r"['’]s\b", phrase)[0])))
        name = without_trailing_connectors(name)  # "... Office of the" (before "President")
        name = _trim_after_org_word(name) if name else name
        people, name = _people_of(name)
        for person in people:  # "Jane Roe and John Doe of Example Foundation"
            self._person(person, ln, "name of organisation", MENTION.confidence)
        words = fold(name).split()
        hit = self.names.lookup(name)
        if hit is None and len(words) == 1:
            hit = self.names.org_by_first_word(name)  # "Ethos" for Ethos Capital
        if hit is not None and hit.type != "Person" and fold(name) != fold(hit.name):
            self.names.add_alias(hit, name)  # "Cloud Innovation Limited" for Cloud Innovation
        if (len(words) >= 2 and set(words) & ORG_WORDS and hit is None
                and not generic_description(name) and not is_role_title(name)):
            for part in self._split_orgs(org_core(name)):
                if len(part.split()) >= 2 or self.names.lookup(part):
                    self._org(part, ln, "organisation word", MENTION.confidence)

    def _people(self, ln: Line) -> None:
        """People named as speakers (``Name said``, ``according to Name``, ``Mr Name``),
        by a title before the name (``former CEO Alan Barrett``), or in a list of three or
        more names (``Chris Chapman (Chair), Sarah Deutsch (Vice Chair), Tripti Sinha``)."""
        lowered = ln.text.lower()
        for pattern in (*PERSON_PATTERNS, _TITLED_PERSON):
            if not _cued(pattern, ln.text, lowered):
                continue
            for m in pattern.finditer(ln.text):
                self._person(m["p"], ln, "speaker or title", LOOSE.confidence)
        for m in _PERSON_LIST.finditer(ln.text) if ln.text.count(",") >= 2 else ():
            items = [re.sub(r"\s*\([^)]*\)$", "", x.strip()) for x in
                     re.split(r",\s+(?:and\s+)?|\s+and\s+", m.group(0))]
            if all(plausible_person(x) and len(x.split()) <= 3 for x in items):
                for item in items:
                    self._person(item, ln, "list of names", MENTION.confidence)

    def _named_people(self, ln: Line, heading: bool) -> None:
        """People named by a given name and a family name (loaders/text/people.py)."""
        for _, name in name_chunks(ln.text, heading):
            self._person(_before_heading_verb(name) if heading else name, ln, "given name",
                         MENTION.confidence)

    def _model_mentions(self) -> None:
        """Names a pretrained NER model proposes (``loaders/text/ner.py``; only when the
        setting names one), each resolved as a rule's mention is: the page's resolution
        keeps or drops it. An organisation must first pass ``_model_org_ok``."""
        model = ner.model_name()
        if model is None:
            return
        for ln, found in zip(self.text, ner.entities([s.text for s in self.text], model),
                             strict=True):
            for _, surface, type_ in found:
                if type_ == "Person":
                    self._person(surface, ln, "model", MENTION.confidence)
                elif self._model_org_ok(surface):
                    self._org(surface, ln, "model", MENTION.confidence)

    def _model_org_ok(self, surface: str) -> bool:
        """A model's organisation span that reads as a whole name: not cut off (a last
        connector, an unclosed bracket or quote, a slash), no role title in it (``Board
        Chair``), not a word of a person's name on the page (``Curran``), and an acronym
        only when the page or the known institutions already have it (``DNS`` is none)."""
        words = surface.split()
        if not words or fold(words[-1]) in _LEX["connectors"] or "/" in surface or \
                surface.count("(") != surface.count(")") or surface.count("“") != \
                surface.count("”") or _titles_in(surface):
            return False
        if any(fold(surface) in n.short_forms for n in self.names.people()):
            return False
        acronym = len(words) == 1 and sum(c.isupper() for c in surface) >= 2
        return not acronym or bool(known_org(surface) or self.names.lookup(surface))

    def _known_in_title(self) -> None:
        """A known institution the title names in another form than the body (a page
        titled ``Internet Architecture Board`` that says ``the IAB``): one node with both."""
        title = self.title
        if title is None:
            return
        for hit in KNOWN_NAMES.find(title.text):
            form = title.text[hit.start:hit.end]
            org = self.names.lookup(form)
            if org is not None and org.type != "Person":
                self.names.add_alias(org, form)
            elif org is None and any(self.names.lookup(n) for n in _known_forms(hit.key)):
                self._org(form, title, "known institution", MENTION.confidence)

    def _initials_used(self) -> None:
        """An acronym the page uses without defining it (``the NSA`` after ``the National
        Security Agency``): an alias of the one organisation of the page whose initials
        spell it exactly (three letters or more, a name of three words or more)."""
        seen: set[str] = set()
        for ln in self.text:
            for word in _CAPITALS_WORD.findall(ln.text):
                if word in seen or self.names.lookup(word) is not None or known_org(word):
                    continue
                seen.add(word)
                org = self.names.by_initials(word)
                if org is not None:
                    self.names.add_alias(org, word)

    def _country_prefixed(self) -> None:
        """``the U.S. Department of Commerce`` where the page's name is ``Department of
        Commerce`` (a full stop ends no organisation phrase): the prefixed name as an alias
        (data/words.json ``country_prefixes``)."""
        text = " ".join(ln.text for ln in self.text)
        for org in self.names.orgs():
            for form in [org.name, *org.aliases] if len(org.name.split()) >= 2 else ():
                for prefix in _LEX["country_prefixes"]:
                    if f"{prefix} {form}" in text:
                        self.names.add_alias(org, f"{prefix} {form}")

    def _nicknames_used(self) -> None:
        """``Will Charnock`` on a page that names William Charnock: an alias, though
        ``Will`` alone is no given name (``nicknames`` package's table)."""
        text = " ".join(ln.text for ln in self.text)
        for person in list(self.names.people()):
            for form in nickname_forms(person.name):
                if form in text and self.names.lookup(form) is None:
                    self.names.add_alias(person, form)

    def _unattached_titles(self) -> None:
        """``the former CEO Alan Barrett``, ``President and CEO Fadi Chehadé``, ``Sally
        Costerton will continue as interim CEO``: a role with
        no organisation in its sentence is a role at the organisation the page is about —
        its site's own, else the one it names most, at least three times and more often than
        any other (LOOSE).
        """
        main = self._main_org()
        if main is None:
            return
        for ln in self.text:
            lowered = ln.text.lower()
            for m in _LED_BY.finditer(ln.text) if " by " in lowered else ():
                self._main_org_role(main, m["p"], _VERB_ROLES[m["v"].lower()], None, ln)
            titled = (m for p in (_TITLED_PERSON, _AS_TITLE, *_TITLE_WITHOUT_ORG)
                      if _cued(p, ln.text, lowered) for m in p.finditer(ln.text)
                      ) if _titles_in(ln.text) else ()  # (only matches with a title count)
            for m in titled:
                if m["r"]:
                    self._main_org_role(main, m["p"], m["r"], m["former"], ln)

    def _described_subjects(self) -> None:
        """``A former director of the US Example Center has been appointed as president of
        Example Org``: a sentence about a person named only by a role is about the person
        the page names most (at least twice, more than anyone else), when it names no one
        else: the role in its subject and the one it gives (LOOSE)."""
        main = self._main_person()
        if main is None:
            return
        for ln in self.text:
            m = _DESCRIBED.match(ln.text)
            if m is None or any(True for _ in name_chunks(ln.text)):
                continue
            self._roles_at(main, m["r"], m["o"], ln, LOOSE.confidence, m["former"])
            then = _DESCRIBED_THEN.search(ln.text, m.end())
            if then:
                self._roles_at(main, then["r"], then["o"], ln, LOOSE.confidence, then["former"])

    def _main_person(self) -> Named | None:
        counts: dict[str, int] = {}
        for person in self.names.people():
            counts[person.id] = len(self.mention_lines(person))
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < 2 or len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return None
        return self.names.items.get(ranked[0][0])

    def _roster(self) -> None:
        """``IETF Chair: Russ Housley`` / ``Routing Area Director: Adrian Farrel`` lines: a
        role at the organisation the title names, else at the one the page is about (PATTERN
        when the title names it, LOOSE otherwise)."""
        main = self._main_org()
        for ln in self.text:
            m = _ROSTER_LINE.match(ln.text) if ln.offset == 0 and ":" in ln.text else None
            person = self._person(m["p"], ln, "roster", PATTERN.confidence) if m else None
            if m is None or person is None:
                continue
            named = self._org_matcher().find(m["t"])
            org = self.names.items.get(named[0].key) if named else main
            if org is not None and org.type != "Person" and not self._has_role(person, ln):
                for role in role_names(m["r"]):
                    self._fact(person.id, "ROLE_AT", org.id, ln,
                               (PATTERN if named else LOOSE).confidence, {"role": role})

    def _appointment_list(self, ln: Line) -> None:
        """``Example Org … announces the following new officers: Jane Roe as Chairman; John
        Doe as Vice Chairman; and Mary Major as Treasurer``: each at the first organisation
        named before the colon (PATTERN)."""
        head, colon, items = ln.text.partition(": ")
        if not colon or ";" not in items:
            return
        orgs = [self.names.items.get(h.key) for h in self._org_matcher().find(head)]
        org = next((o for o in orgs if o is not None and o.type != "Person"), None)
        for item in re.split(r";\s+(?:and\s+)?", items) if org is not None else ():
            m = _AS_ROLE_ITEM.search(item.strip())
            person = self._person(m["p"], ln, "role", PATTERN.confidence) if m else None
            if m and person is not None and org is not None:
                for role in role_names(m["r"]):
                    self._fact(person.id, "ROLE_AT", org.id, ln, PATTERN.confidence,
                               {"role": role})

    def _main_org_role(self, main: Named, raw: str, roles: str, qualifier: str | None,
                       ln: Line) -> None:
        raw = strip_leading_stopwords(raw)  # "After Hollis Kara, Director of …"
        person = self.names.lookup(raw) or self.names.by_short_form(raw)
        if person is None or person.type != "Person" or any(
                f.source == person.id and f.type == "ROLE_AT" and f.line == ln.no
                for f in self.facts):
            return
        for role in role_names(roles):
            if fold(role) not in _LEX.occupations:  # "journalist Jane Roe" works anywhere
                self._fact(person.id, "ROLE_AT", main.id, ln, LOOSE.confidence,
                           {"role": role, **qualifiers(qualifier)})

    def _main_org(self) -> Named | None:
        """The organisation the page is about: its site's own (an organisation's own page)
        when no other is named on more lines, else the one it names most (three times or
        more, more than any other), else the only one it names."""
        owner = self.site_owner()
        if owner is not None and all(len(self.mention_lines(o)) <= len(self.mention_lines(owner))
                                     for o in self.names.orgs()):
            return owner  # (not a wire's name in a dateline: "/PRNewswire/ -- ICANN …")
        counts: dict[str, int] = {}
        for mention in self.mentions:
            if mention.type != "Person":
                counts[mention.entity] = counts.get(mention.entity, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if not ranked or len(ranked) > 1 and (ranked[0][1] < 3 or ranked[1][1] == ranked[0][1]):
            return None  # (a page that names one organisation only is about it)
        return self.names.items.get(ranked[0][0])

    def _speaker(self, raw: str, ln: Line, rule: str, confidence: float,
                 pos: int | None = None) -> Named | None:
        if re.fullmatch(_PRONOUN, raw):
            return self.last_person(ln, before=pos)
        return self._person(raw, ln, rule, confidence)

    def last_person(self, ln: Line, before: int | None = None) -> Named | None:
        """The person a pronoun stands for: the first person named in this sentence before
        ``before`` (the sentence's subject, not one named in an opening phrase before it),
        else in the nearest sentence before it that names one."""
        upto = self._position.get(id(ln), len(self.text) - 1)
        people = self.names.people()
        for x in reversed(self.text[:upto + 1]):
            text = x.text[:before] if x is ln and before is not None else x.text
            if x is ln and _INTRODUCTORY.match(text):
                continue  # "In a letter to Secretary Jane Roe, he said": not Jane Roe
            if x is not ln and _PRONOUN_SUBJECT.match(x.text):
                continue  # "He will replace interim CEO Sally Costerton": he is not Sally
            best, where = None, len(text) + 1
            for person in people:
                m = names_regex(tuple(self.names.search_forms(person)), False).search(text)
                if m and m.start() < where:
                    best, where = person, m.start()
            if best is not None:
                return best
        return None

    # -------------------------------------------------------------- essays and quotes
    def _essays(self, ln: Line) -> None:
        """``In his September 2025 essay “…”``, ``titled “…”``, ``his essay “…”``: an Essay
        with AUTHORED from the writer and the date when given."""
        if "“" not in ln.text and '"' not in ln.text:
            return  # (each pattern ends in a quoted title)
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
                self.essays.append(Essay(title, ln.no, iso_date(date) if date else None))
                author = self._essay_author(groups, ln, m.start())
                if author is not None:
                    self._fact(author.id, "AUTHORED", entity_id("Essay", title), ln,
                               PATTERN.confidence)

    def _essay_author(self, groups: dict[str, str | None], ln: Line, pos: int
                      ) -> Named | None:
        for key in ("by", "who"):
            raw = groups.get(key)
            if raw and raw.lower() not in {"his", "her", "their"}:
                person = self._person(clean_name(raw), ln, "essay author", PATTERN.confidence)
                if person is not None:
                    return person
        return self.last_person(ln, before=pos) or self.last_person(ln)

    def _quotes(self, ln: Line) -> None:
        """QUOTED_IN for direct speech (``“…,” Name said``, ``“…,” he said``, ``Name said:
        “…”``: PATTERN with a full name, LOOSE with a pronoun or one name word) and for
        reported speech and interviews (``Name said that``, ``according to Name``, ``Name
        told Reuters``, ``an interview with Name``: LOOSE)."""
        direct = bool(re.search(r"[“”\"«»]", ln.text))
        patterns = [(p, True) for p in _QUOTE_SPEAKERS] if direct else []
        lowered = ln.text.lower()
        for pattern, is_direct in [*patterns, *((p, False) for p in _REPORTED)]:
            if not _cued(pattern, ln.text, lowered):
                continue
            for m in pattern.finditer(ln.text):
                person = self._speaker(m["p"], ln, "speech", LOOSE.confidence, m.start())
                if person is None:
                    continue
                full = len(m["p"].split()) > 1
                self._quoted(person, ln,
                             PATTERN.confidence if is_direct and full else LOOSE.confidence)

    def _orgs_by_usage(self, ln: Line) -> None:
        """An organisation the page defines by using it where only an organisation stands
        (``_USAGE``): not a place, nor a person's name or name word (rule ``usage``)."""
        if "(" not in ln.text and " from " not in ln.text and "’s" not in ln.text and \
                "'s" not in ln.text:
            return
        for m in (m for p in _USAGE for m in p.finditer(ln.text)):
            who = (self.names.lookup(m["p"]) or self.names.by_short_form(m["p"])) if m["p"] \
                else None
            name = m["o"]
            if _CAPITALISED_BEFORE.search(ln.text, 0, m.start("o")):
                continue  # "RIPE NCC’s": a longer name, not NCC
            if m["p"] and (who is None or who.type != "Person") or is_place(name) or \
                    fold(name) in _LEX["not_org_acronyms"] or self.names.by_short_form(name) \
                    or any(True for _ in name_chunks(name)) or _ROLE_WORD.match(name):
                continue
            known = self.names.lookup(name)
            if known is None or known.type != "Person":
                self._org(name, ln, "usage", MENTION.confidence, single_word_ok=True)

    def _listed_orgs(self, ln: Line) -> None:
        """The other items of a list that names an organisation of the page and no person
        (``_ORG_LIST``): organisations too, unless a place, a person's name, a role or a
        generic word (``Media, Entertainment and Telecommunications``) (rule ``list``)."""
        if " and " not in ln.text and " or " not in ln.text:
            return
        for m in _ORG_LIST.finditer(ln.text):
            if _CAPITALISED_BEFORE.search(ln.text, 0, m.start()) or \
                    _NAME_CONNECTOR_BEFORE.search(ln.text, 0, m.start()) or \
                    _IN_PLACES.search(ln.text, 0, m.start()):
                continue  # the end of a longer name ("Registry for Internet Numbers Ltd"), places
            items = [i for g in ("a", "b", "c") if m[g] for i in _LIST_SPLIT.split(m[g]) if i]
            known = [self.names.lookup(i) for i in items]
            if not any(k is not None and k.type != "Person" for k in known) or any(
                    k is not None and k.type == "Person" for k in known):
                continue
            for item, hit in zip(items, known, strict=True):
                if hit is None and self._could_be_listed_org(item):
                    self._org(item, ln, "list", MENTION.confidence, single_word_ok=True)

    def _could_be_listed_org(self, item: str) -> bool:
        words = fold(item).split()
        if len(words) == 1 and not self._capitalised_mid_sentence(item) and \
                sum(c.isupper() for c in item) < 2:
            return False  # "Ultimately, …": a sentence's first word
        return not (is_place(item) or any(True for _ in name_chunks(item)) or
                    _ROLE_WORD.match(item) or self.names.by_short_form(item) or
                    len(words) == 1 and (words[0] in _GENERIC_OR_COMPANY or
                                         words[0] in _LEX["not_org_acronyms"]))

    def _board_seats(self, ln: Line) -> None:
        """A seat on an organisation's board or council (``_BOARD_SEAT``): a role
        (``Board member``, ``Council member``) of the sentence's subject — one person, two
        joined by "and", or a pronoun (PATTERN; LOOSE for a pronoun)."""
        lowered = ln.text.lower()
        if "board" not in lowered and "council" not in lowered:
            return
        for m in (m for p in _BOARD_SEAT for m in p.finditer(ln.text)):
            subject = _SUBJECT.match(ln.text[:m.start()])
            if subject is None:
                continue
            people = [self.last_person(ln, before=m.start())] if subject["pronoun"] else [
                self.names.lookup(raw) or self.names.by_short_form(raw)
                for raw in (subject["p"], subject["p2"]) if raw]
            if m["b"][0].isupper() and not _ACRONYM_LIKE.fullmatch(m["o"]):
                continue  # "the Internet Architecture Board": a board that is an organisation
            org = self._org(m["o"], ln, "role", PATTERN.confidence)
            if org is None or org.type == "Person":
                continue
            role = f"{m['b'].capitalize()} member"
            for person in people:
                if person is not None and person.type == "Person":
                    self._fact(person.id, "ROLE_AT", org.id, ln, (LOOSE if subject["pronoun"]
                               else PATTERN).confidence, {"role": role})

    def _quotes_after_colon(self) -> None:
        """``Jane Roe, CEO of Example Networks, was blunt:`` then a sentence or paragraph
        that opens with a quote: the quote is the subject's, the person (or pronoun) the
        sentence before the colon starts with (PATTERN; LOOSE for a pronoun)."""
        for before, quote in zip(self.text, self.text[1:], strict=False):
            if not before.text.rstrip().endswith(":") or not _OPENS_WITH_QUOTE.match(quote.text):
                continue
            subject = _SUBJECT.match(before.text)
            if subject is None or subject["p2"]:
                continue
            person = self.last_person(before, before=subject.end()) if subject["pronoun"] \
                else self.names.lookup(subject["p"]) or self.names.by_short_form(subject["p"])
            if person is not None and person.type == "Person":
                self._quoted(person, quote, (LOOSE if subject["pronoun"] else PATTERN).confidence)

    def _title_interview(self) -> None:
        """``5 Questions with Dr. Jane Roe, …`` as the page's title: the interviewee is
        quoted (LOOSE)."""
        title = self.title
        if title is None:
            return
        for m in _INTERVIEW.finditer(title.text):
            self._quoted(self._person(m["p"], title, "speech", LOOSE.confidence), title,
                         LOOSE.confidence)

    def _quoted(self, person: Named | None, ln: Line, confidence: float) -> None:
        if person is not None:
            self.quoted[person.id] = self.quoted.get(person.id, 0) + 1
            self._fact(person.id, "QUOTED_IN", self.doc_id, ln, confidence)

    def _fact(self, source: str, type_: str, target: str, ln: Line, confidence: float,
              properties: dict[str, object] | None = None) -> None:
        self.facts.append(Fact(source, type_, target, ln.no, confidence, properties or {},
                               ln.offset))

    # -------------------------------------------------------------- mentions
    def mention_lines(self, item: Named, extra: Sequence[Line] = ()) -> list[int]:
        """Line numbers where a person or organisation is named: the sentences where one
        automaton pass over the page finds any of its names, confirmed by its pattern."""
        pattern = names_regex(tuple(self.names.search_forms(item)), item.type != "Person")
        candidates = self._candidates().get(item.id, set())
        lines = [*extra, *(ln for i, ln in enumerate(self.text) if i in candidates)]
        return [ln.no for ln in lines if pattern.search(ln.text)]

    def _candidates(self) -> dict[str, set[int]]:
        """Entity id -> indexes of the sentences that hold one of its names (in any case,
        even inside a word: a superset), for the page's names as they are now."""
        version = (len(self.names.items), sum(len(n.aliases) for n in self.names.items.values()))
        if self._candidate_cache is None or self._candidate_cache[0] != version:
            matcher = NameMatcher([(form, item.id) for item in self.names.items.values()
                                   for form in self.names.search_forms(item)], any_case=True)
            found: dict[str, set[int]] = {}
            for i, ln in enumerate(self.text):
                for hit in matcher.find(ln.text, whole_words=False):
                    found.setdefault(hit.key, set()).add(i)
            self._candidate_cache = (version, found)
        return self._candidate_cache[1]


_CAPITALISED_RUN = _RE(rf"(?<![\w’'.-])[{UP}][\w&-]*(?:\s+[{UP}][\w&-]*){{0,3}}")


def _letters(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(name))


def _spelling(run: str, site: str) -> str | None:
    """The words at the start of a capitalised run whose letters spell the site."""
    words = run.split()
    return next((" ".join(words[:n]) for n in range(1, len(words) + 1)
                 if _letters(" ".join(words[:n])) == site), None)


@lru_cache(maxsize=4096)
def names_regex(forms: tuple[str, ...], ignore_case: bool) -> re.Pattern[str]:
    """Any of the names as a whole word (case-insensitive for organisations)."""
    body = "|".join(re.escape(f) for f in forms) or r"(?!x)x"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE if ignore_case else 0)


_NOUN_TYPES = {"registry": "Registry", "company": "Company", "firm": "Company",
               "foundation": "Foundation", "regulator": "Authority"}
_CONNECTOR_WORDS = {"of", "for", "de", "du", "des", "on", "and", "&"}
_CONNECTOR_ENDS = {"of", "for", "and", "the", "on", "&"}  # words a name does not end in
_TRAILING_CONNECTORS = re.compile(
    r"(?:\s+(?:" + "|".join(map(re.escape, sorted(_CONNECTOR_ENDS))) + r"))+$")


def without_trailing_connectors(name: str) -> str:
    """``Office of the`` -> ``Office``. The pattern is tried only on a name whose last word
    is a connector: anchored at the end, it is otherwise tried (and fails) at every space."""
    words = name.split()
    if not words or words[-1] not in _CONNECTOR_ENDS:
        return name
    return _TRAILING_CONNECTORS.sub("", name)


def _written_as(text: str, name: str) -> bool:
    """A publisher's name as written: ``The Register`` or, inside a sentence, ``the
    Register``, never ``the register``."""
    return text == name or name.startswith("The ") and text == "the" + name[3:]


def _turn_name(turn: re.Match[str]) -> bool:
    """A speaker's turn (``Dan York: Hello``) is named by a given name first, not a heading
    (``Important People: Principal Figures``); a turn with a time (``Steve Katz  0:09``) is
    a turn whatever the name."""
    return ":" not in turn.group(0)[len(turn["p"]):len(turn["p"]) + 2] or any(
        chunk == turn["p"] for _, chunk in name_chunks(turn["p"]))


def _clear_boundary(text: str, m: re.Match[str]) -> bool:
    """``the CEO of ICANN, Göran Marby`` or ``… ICANN Göran Marby`` with a given name: not
    ``the President of the Corporation for National Research Initiatives`` read as an
    organisation ``Corporation for National`` and a person ``Research Initiatives``."""
    return "," in text[m.end("o"):m.start("p")] or any(
        chunk == m["p"] for _, chunk in name_chunks(m["p"]))


def _before_heading_verb(name: str, keep: int = 2) -> str:
    """``Brian Cute Resigns`` -> ``Brian Cute`` (a title-case headline's verb); an
    organisation (``keep=1``) ends at its first verb: ``Akamai Names`` -> ``Akamai``."""
    words = name.split()
    if keep == 1:
        verb = next((i for i, w in enumerate(words[1:], 1) if fold(w) in _HEADLINE_VERBS), None)
        return " ".join(words[:verb])
    while len(words) > keep and fold(words[-1]) in _LEX["heading_verbs"]:
        words.pop()
    return " ".join(words)


_HEADLINE_VERBS = _LEX["heading_verbs"] - _LEX["connectors"] - {"as", "to"}


def _capitals_name(text: str) -> str | None:
    """``HANS PETTER HOLEN`` -> ``Hans Petter Holen`` when it reads as a person's name (a
    given name first: not ``RIPE NCC`` or ``ICANN BOARD``)."""
    name = " ".join(w.capitalize() for w in text.split())
    return name if any(chunk == name for _, chunk in name_chunks(name)) else None


def _place_before(words: list[str], name: str) -> tuple[str, ...]:
    """The name with the one capitalised word before it that its acronym leaves out
    (``Tanzania Commission for Science and Technology (COSTECH)``), as another name of it."""
    extra = words[:len(words) - len(name.split())]
    if len(extra) != 1 or not extra[0][:1].isupper() or fold(extra[0]) in _ROLE_WORDS or \
            fold(extra[0]) in _LEX["leading_stop"]:
        return ()
    return (" ".join(words),)


def _people_of(phrase: str) -> tuple[list[str], str]:
    """``Jane Roe and John Doe of the Example Foundation`` -> the people, each named by a
    given name first, and the organisation; any other phrase -> no people, the phrase."""
    m = _PEOPLE_OF.match(phrase)
    if m is None:
        return [], phrase
    people = [p for p in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", m["people"]) if p]
    if not all(any(chunk == p for _, chunk in name_chunks(p)) for p in people):
        return [], phrase
    return people, m["org"]


_PEOPLE_OF = re.compile(r"(?P<people>.+?)\s+of\s+(?:the\s+)?(?P<org>.+)")


def _trim_after_org_word(name: str) -> str:
    """A phrase cut after its last organisation word unless a connector follows it
    (``Supreme Court Judgment Of Appointment`` -> ``Supreme Court``; ``Bank of Kigali``
    stays)."""
    words = name.split()
    last = max((i for i, w in enumerate(words) if fold(w) in ORG_WORDS), default=None)
    if last is None or last == len(words) - 1 or fold(words[last + 1]) in _CONNECTOR_WORDS:
        return name
    return " ".join(words[:last + 1])


def _around_known_and(text: str, known: list[Hit]) -> list[str] | None:
    """When an organisation phrase holds a known institution whose name has an "and"
    (which split_orgs would cut), that name and what follows it after "of"/"for":
    ``National Telecommunications and Information Administration of the US Department of
    Commerce`` -> both names; None for any other phrase."""
    inside = [h for h in known if " and " in text[h.start:h.end]]
    if not inside:
        return None
    after = re.match(r"\s+(?:of|for)\s+(?:the\s+)?(?P<rest>.+)", text[inside[-1].end:])
    return [text[inside[-1].start:inside[-1].end],
            *([after["rest"]] if after and len(after["rest"].split()) >= 2 else [])]


def _known_forms(canonical: str) -> tuple[str, ...]:
    """Every name of a known institution, by its canonical name."""
    return next(((i.name, *i.aliases) for i in _LEX.institutions if i.name == canonical), ())


def _role_part(part: str) -> bool:
    """A part of an affiliation that states a role: a title among its first words
    (``Head of Programs``, ``Knowledge Management and ICT Specialist``)."""
    m = _ROLE_IN.search(part)
    return m is not None and len(part[:m.start()].split()) <= 4 and len(part.split()) <= 9


def _acronym_holds(short: str, name: str) -> bool:
    """An acronym after a name in an affiliation: one that fits it, or one that holds its
    initials in order (``Pacific Community (SPC)``: the Secretariat of the Pacific
    Community)."""
    initials = acronym_of(name.split())
    return looks_like_acronym(short, name) or len(initials) >= 2 and short.isupper() and \
        _subsequence_of(initials, short)


def _subsequence_of(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


def _qualifier(part: str) -> str | None:
    word = part.split()[0].lower() if part.split() else ""
    return word if word in _LEX.qualifiers else None


def _written_as_org(name: str) -> bool:
    """Two capitalised words or more, or one written in capitals (``LARUS``)."""
    words = name.split()
    return len(words) >= 2 and all(w[:1].isupper() or w in _CONNECTOR_WORDS for w in words) \
        or bool(re.fullmatch(r"[A-Z][A-Z0-9&-]+", name))


def _title_case_line(text: str) -> bool:
    """A heading written in title case (every long word capitalised, no full stop)."""
    words = [w for w in text.split() if len(w) > 3]
    return (len(words) >= 2 and not text.endswith((".", "”", '"')) and len(text) < 90
            and all(w[:1].isupper() for w in words))
