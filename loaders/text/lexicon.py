"""The text pipeline's data files (``loaders/text/data/*.json``), read once: word lists,
role titles, known institutions and publisher templates. Changing what the pipeline knows
(a role title, an institution, a publisher's host) is a change to these files, not to code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


def _read(name: str) -> dict:
    return json.loads(resources.files(__package__).joinpath("data").joinpath(name)
                      .read_text("utf-8"))


@dataclass(frozen=True, slots=True)
class Institution:
    name: str
    type: str
    aliases: tuple[str, ...]
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the data files say, as frozen sets and mappings."""

    words: dict[str, frozenset[str]]
    role_titles: dict[str, str]  # lower-case title -> recorded role
    role_verbs: dict[str, str]
    past_verbs: tuple[str, ...]  # verbs of a role held before ("led"): former
    appointment_verbs: tuple[str, ...]  # "appointed", "picks"
    qualifiers: dict[str, str]  # word -> property name (former, interim, acting, incoming)
    role_modifiers: tuple[str, ...]  # words that may stand before any title ("regional")
    role_fields: tuple[str, ...]  # what a title may be "of" ("Director of Communications")
    occupations: frozenset[str]  # titles that say what, not where ("journalist")
    equivalent_titles: tuple[frozenset[str], ...]  # roles one title may refer back to
    sub_bodies: tuple[str, ...]
    institutions: tuple[Institution, ...]
    hosts: dict[str, str]
    publishers: tuple[str, ...]
    generic_suffixes: frozenset[str]  # host suffixes that say nothing of the site's owner
    service_prefixes: frozenset[str]  # host prefixes that say nothing of it ("lists.")

    def __getitem__(self, key: str) -> frozenset[str]:
        return self.words[key]


@cache
def lexicon() -> Lexicon:
    """The data files, parsed once per process."""
    words = {k: frozenset(v) for k, v in _read("words.json").items() if isinstance(v, list)}
    roles = _read("roles.json")
    known = _read("institutions.json")["institutions"]
    sites = _read("sites.json")
    return Lexicon(
        words=words,
        role_titles=dict(roles["titles"]),
        role_verbs=dict(roles["verbs"]),
        past_verbs=tuple(roles["past_verbs"]),
        appointment_verbs=tuple(roles["appointment_verbs"]),
        qualifiers=dict(roles["qualifier_names"]),
        role_modifiers=tuple(roles["modifiers"]),
        role_fields=tuple(roles["fields"]),
        occupations=frozenset(roles["occupations"]),
        equivalent_titles=tuple(frozenset(g) for g in roles["equivalent_titles"]),
        sub_bodies=tuple(sorted(roles["sub_bodies"], key=len, reverse=True)),
        institutions=tuple(Institution(i["name"], i["type"], tuple(i["aliases"]),
                                       tuple(i.get("descriptions", ()))) for i in known),
        hosts=dict(sites["hosts"]),
        publishers=tuple(sites["publishers"]),
        generic_suffixes=frozenset(sites["generic_suffixes"]),
        service_prefixes=frozenset(sites["service_prefixes"]),
    )
