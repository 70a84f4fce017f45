"""An optional mention source: a pretrained spaCy pipeline's ``PERSON`` and ``ORG`` entities
(issue 14's evaluation, docs/loaders.md "A pretrained NER model"). Off unless the setting
``GOVGRAPH_NER_MODEL`` names an installed spaCy pipeline package; spaCy is imported only
then, so the project does not depend on it. The spans only propose names: each one goes
through the page's own resolution (``PageNames.person`` / ``org``, with every word list and
test the rules use), which keeps or drops it, as for a mention any rule finds.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

from graph.settings import SettingsError, get_settings

TYPES = {"PERSON": "Person", "ORG": "Organization"}
_POSSESSIVE = re.compile(r"[’']s?$")


class NerUnavailable(SettingsError):
    """The setting names a pipeline that cannot be loaded here (each page is reported by
    name with this reason, and nothing of it is written)."""


@cache
def _pipeline(name: str) -> Any:
    try:  # spaCy is optional: imported only when the setting asks for it
        spacy = importlib.import_module("spacy")
        return spacy.load(name, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger"])
    except (ImportError, OSError) as exc:
        says = " ".join(str(exc).split())[:200]
        raise NerUnavailable(f"GOVGRAPH_NER_MODEL={name!r}: cannot load it ({says})") from None


def model_name() -> str | None:
    """The spaCy pipeline package the setting names, or None (off)."""
    return get_settings().ner_model


def entities(texts: list[str], name: str) -> list[list[tuple[int, str, str]]]:
    """For each text, (offset, surface, type) of every person and organisation the pipeline
    finds; a possessive ending is left out of the surface."""
    found = []
    for doc in _pipeline(name).pipe(texts):
        found.append([(ent.start_char, _POSSESSIVE.sub("", ent.text), TYPES[ent.label_])
                      for ent in doc.ents if ent.label_ in TYPES])
    return found
