"""Profile pages (``.txt``, ``.md``, ``.html``): people, organisations, roles, essays, quotes
and the page itself, with provenance.

One page becomes one Batch: the page as a ``Profile`` (flat and card renderings) or
``Article`` (article and other publishers) node named by its title, with its labelled fields
as properties; ``PUBLISHED_BY`` its publisher, ``ABOUT`` its subject, ``MENTIONS`` for every
person, organisation and essay it names, ``RELATED_TO`` for each "Also Read" title; every
quote attribution as ``QUOTED_IN`` plus ``ROLE_AT`` per role; roles stated in prose; essays
with ``AUTHORED``. See docs/loaders.md ("Profile pages").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from graph.ids import fold
from graph.model import Batch, Entity, ModelError, Relation
from graph.vocab import FIELD, LOOSE, MENTION, PATTERN
from loaders.base import Loader, LoadError, new_batch, register
from loaders.profile_fields import (
    Found,
    Header,
    body_lines,
    copyright_owner,
    read_header,
    site_publisher_lines,
)
from loaders.profile_names import (
    KNOWN_PUBLISHERS_PATTERN,
    ORG,
    PERSON,
    Named,
    PageNames,
    clean_name,
    known_org,
    plausible_person,
)
from loaders.profile_text import HTML_SUFFIXES, Line, Page, read_page
from loaders.text.gazetteer import KnownNames
from loaders.text.lexicon import lexicon
from loaders.text.metadata import publisher_for_url, site_key
from loaders.text.people import name_chunks

if TYPE_CHECKING:
    from loaders.profile_facts import Fact

# loaders.profile_facts is imported when the first page is read, not with this module: its
# ~390 patterns take 0.6 s to compile, which every CLI command and every server worker would
# otherwise pay, pages or not.

SUFFIXES = (".txt", ".md", ".markdown", *HTML_SUFFIXES)
PROFILE_RENDERINGS = {"flat", "card"}
_LEX = lexicon()
_INTERROGATIVES = _LEX["interrogatives"]
_HEADLINE_WORDS = _LEX["headline_words"]
_CONNECTORS = _LEX["connectors"]
_PERSON_KINDS = _LEX["person_kinds"]
_NAME_PREFIX = re.compile(rf"^(?P<n>{PERSON}|{ORG})\s*:\s")


_NAME_LIKE = re.compile(r"(?<![\w.-])[A-Za-z]*[A-Z][a-z]*[A-Z][\w&-]*")  # AusNOG, APrIGF


def _prose(text: str) -> bool:
    """A sentence of the article, not a line of the site's own (a masthead, a footer)."""
    return len(text.split()) > 12 and text.rstrip().endswith((".", "”", '"'))


def is_headline(title: str) -> bool:
    """A title that is a sentence or question ("Why …", "What is …?", "X: Y", anything with
    a verb or lower-case words) rather than the name of a person or organisation."""
    text = title.strip()
    words = fold(text).split()
    if not words or len(words) > 8:
        return True
    if re.search(r"[?!:;,]|\.\s|\.$", text) and not re.search(r"\b(Ltd|Inc|Co|Corp)\.$", text):
        return True
    if words[0] in _INTERROGATIVES or any(w in _HEADLINE_WORDS for w in words):
        return True
    raw = re.findall(r"[\w’'&.-]+", text)
    return any(w[:1].islower() and w.lower() not in _CONNECTORS for w in raw)


def _detect(path: Path, head: str) -> bool:
    """Every ``.md`` and ``.html`` file, and ``.txt`` files that are not pipe-separated
    records (RIR statistics): a page that then fails to parse is reported, not skipped."""
    if path.suffix.lower() != ".txt":
        return True
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    return not re.match(r"^\s*[\w.-]+\|[\w.*-]*\|", first)


def load_profile(path: Path,
                 known_names: Iterable[tuple[str, str]] | KnownNames = ()) -> Batch:
    """One profile page as a Batch. Raises LoadError (with the file name and reason) for a
    page that cannot be parsed: empty, binary, not text, or without a title.

    ``known_names`` are (name, type) pairs the caller already knows (the graph's names and
    aliases, read by the caller: a loader never opens a store); every one the page names
    becomes a mention under that name, found in one Aho–Corasick pass per sentence."""
    batch, lines = read_profile(path)
    if known_names:
        known = known_names if isinstance(known_names, KnownNames) else KnownNames(known_names)
        add_known_names(batch, lines, known)
    return batch


def read_profile(path: Path) -> tuple[Batch, list[Line]]:
    """The page's batch, and the lines known names are looked for in (its title and body):
    the page's header and body are read once for both (``add_known_names``)."""
    page = read_page(path)
    try:
        builder = PageBuilder(path, page)
        return builder.build(), builder.name_lines()
    except ModelError as exc:
        raise LoadError(path, f"cannot use page: {exc}") from None
    except RecursionError:
        raise LoadError(path, "page nested too deeply to parse") from None


def add_known_names(batch: Batch, lines: list[Line], known: KnownNames) -> None:
    """Resolution against the graph, last: every known name (the graph's people and
    organisations, or the other pages of a load) that the page's title and body ``lines``
    (``read_profile``) write but that the page did not recognise alone becomes an entity
    under the name and type given, with a MENTIONS edge from the page at the line that
    names it. Found in one Aho–Corasick pass per line."""
    have = {fold(n) for e in batch.entities for n in (e.name, *e.aliases)}
    doc = batch.entities[0]
    ids = {e.id for e in batch.entities}
    for ln in lines:
        for name, type_ in known.find(ln.text):
            entity = Entity(type_, name, locator=f"line {ln.no}")
            if fold(name) in have or entity.id in ids:
                continue
            have.add(fold(name))
            ids.add(entity.id)
            batch.entities.append(entity)
            batch.relations.append(Relation(doc.id, entity.id, "MENTIONS",
                                            confidence=MENTION.confidence,
                                            locator=f"line {ln.no}"))


class PageBuilder:
    """Turns one page's header and body into entities and relations."""

    def __init__(self, path: Path, page: Page,
                 ) -> None:
        self.path, self.page = path, page
        self.header: Header = read_header(page)
        if not self.header.title or not clean_name(self.header.title.value):
            raise LoadError(path, "no title found in page")
        self.title = clean_name(self.header.title.value)
        self.doc_type = "Profile" if self.header.rendering in PROFILE_RENDERINGS else "Article"
        self.doc = Entity(self.doc_type, self.title, locator=f"line {self.header.title.line}")
        self.names = PageNames()
        self.body = body_lines(page.lines, self.header)
        title_line = Line(self.header.title.line, self.title, heading=1)
        url = str(self.header.fields.get("source_url") or "")
        own_site = url and not publisher_for_url(url)  # not a news outlet's or wire's
        from loaders.profile_facts import Extractor

        self.extractor = Extractor(self.body, self.names, self.doc.id, title_line,
                                   site_key(url) if own_site else None)
        self.facts: list[Fact] = []

    def build(self) -> Batch:
        subject = self._named_subject()
        self.extractor.run()
        publisher = self._publisher()
        author = self._author()
        subject = subject or self._subject_from_title() or self._prominent()
        if subject is not None:
            item, found = subject
            self._fact(self.doc.id, "ABOUT", item.id, found.line, found.confidence)
        if publisher is not None:
            self._fact(self.doc.id, "PUBLISHED_BY", publisher[0].id, publisher[1].line,
                       publisher[1].confidence)
        if author is not None:
            self._fact(author[0].id, "AUTHORED", self.doc.id, author[1].line,
                       author[1].confidence)
        self._structured_person()
        self._mentions(skip={p[0].id for p in (publisher, author) if p})
        self.doc.properties = self._properties()
        return self._batch()

    def name_lines(self) -> list[Line]:
        """The title (as the document is named) and the body: where known names are looked
        for."""
        title = [Line(self.header.title.line, self.doc.name)] if self.header.title else []
        return [*title, *self.body]

    # -------------------------------------------------------------- subject
    def _named_subject(self) -> tuple[Named, Found] | None:
        """The subject when the page names one that is not its own headline: the template's
        or At A Glance's name, or a card's title."""
        h = self.header
        for found in (h.subject, h.title if h.rendering == "card" else None):
            if found is None or is_headline(found.value):
                continue
            item = self._typed(clean_name(found.value), found.line)
            if item is not None:
                return item, Found(item.name, found.line, max(found.confidence, FIELD.confidence))
        return self._biography_subject()

    def _biography_subject(self) -> tuple[Named, Found] | None:
        """A biography's subject: a title that is a person's name (``John Curran
        (businessman)``) and that a sentence of the body starts with."""
        if self.header.title is None or self.header.rendering in PROFILE_RENDERINGS:
            return None
        name = clean_name(re.sub(r"\s*\([^)]*\)\s*$", "", self.title))
        if not plausible_person(name) or is_headline(name) or not any(
                ln.text.startswith(name) and ln.no != self.header.title.line
                for ln in self.body):
            return None
        item = self.names.person(name, self.header.title.line)
        return (item, Found(item.name, self.header.title.line, PATTERN.confidence)) \
            if item else None

    def _typed(self, name: str, line: int) -> Named | None:
        """A named subject typed by what the page calls it (card kind, stated type)."""
        stated = " ".join(str(v) for v in (self.header.subject_kind,
                                           self.header.fields.get("stated_type", ""),
                                           self.header.fields.get("profile_focus", "")))
        if set(fold(stated).split()) & _PERSON_KINDS and not known_org(name):
            return self.names.person(name, line)
        return self.names.org(name, line, hint=stated)

    def _subject_from_title(self) -> tuple[Named, Found] | None:
        """``Name: …`` titles, else a person (then a known organisation) the title names."""
        line = self.header.title.line if self.header.title else 0
        m = _NAME_PREFIX.match(self.title)
        if m:
            name = clean_name(m["n"])
            item = self.names.lookup(name) or self.names.person(name, line)
            if item is not None:
                return item, Found(item.name, line, PATTERN.confidence)
        title_line = [Line(line, self.title)]
        for kind in ("person", "org"):
            items = self.names.people() if kind == "person" else self.names.orgs()
            for item in items:
                if self.extractor.mention_lines(item, title_line)[:1] == [line] and \
                        self._in_title(item):
                    return item, Found(item.name, line, PATTERN.confidence)
        return None

    def _in_title(self, item: Named) -> bool:
        forms = self.names.search_forms(item)
        return any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", self.title,
                             0 if item.type == "Person" else re.IGNORECASE) for f in forms)

    def _prominent(self) -> tuple[Named, Found] | None:
        """The person (else organisation) the page quotes and names most, if named twice."""
        def score(item: Named) -> int:
            return 3 * self.extractor.quoted.get(item.id, 0) + len(
                self.extractor.mention_lines(item))

        for items in (self.names.people(), self.names.orgs()):
            ranked = sorted(items, key=lambda n: (-score(n), n.line))
            if ranked and score(ranked[0]) >= 2:
                first = self.extractor.mention_lines(ranked[0]) or [ranked[0].line]
                return ranked[0], Found(ranked[0].name, first[0], LOOSE.confidence)
        return None

    # -------------------------------------------------------------- publisher, author
    def _publisher(self) -> tuple[Named, Found] | None:
        found = self.header.publisher or self._publisher_from_url() or self._site_publisher() \
            or self._site_owner() or self._site_word() or self._title_site()
        if found is None:
            return None
        item = self.names.org(found.value, found.line, hint="publisher", single_word_ok=True)
        if item is None:
            return None
        if item.type in {"Organization", "Company"}:
            item.type = "Publisher"
        return item, found

    def _publisher_from_url(self) -> Found | None:
        """The publisher of the page's address (data/sites.json)."""
        url = self.header.fields.get("source_url")
        name = publisher_for_url(str(url)) if url else None
        return Found(name, 1, FIELD.confidence) if name else None

    def _site_owner(self) -> Found | None:
        """An organisation the page names whose name is its site's (``heficed.com``:
        Heficed)."""
        item = self.extractor.site_owner()
        return Found(item.name, 1, LOOSE.confidence) if item is not None else None

    def _site_word(self) -> Found | None:
        """A word the page writes like a name (two capitals or more) that spells its site
        (``AusNOG`` on lists.ausnog.net, ``APrIGF`` on ap.rigf.asia)."""
        url = self.header.fields.get("source_url")
        key = site_key(str(url)) if url else None
        for ln in self.name_lines() if key else ():
            for token in _NAME_LIKE.findall(ln.text):
                if re.sub(r"[^a-z0-9]", "", fold(token)) == key:
                    return Found(token, ln.no, LOOSE.confidence)
        return None

    def _title_site(self) -> Found | None:
        """The site's name after the headline in the title: ``The campaign to subvert
        Africa's internet registry | The Cape Independent`` (one to four capitalised
        words, not a person's name)."""
        head, bar, site = self.title.rpartition(" | ")
        words = site.split()
        if not (bar and head and 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words)):
            return None
        named = self.names.lookup(site)
        if named is not None and named.type == "Person" or any(
                chunk == site for _, chunk in name_chunks(site)):
            return None
        return Found(site, self.header.title.line if self.header.title else 1, LOOSE.confidence)

    def _site_publisher(self) -> Found | None:
        for ln in site_publisher_lines(self.page.lines, self.header):
            m = KNOWN_PUBLISHERS_PATTERN.search(ln.text)
            if m and not _prose(ln.text):  # not "… a Wall Street Journal article last week"
                return Found(m.group(0), ln.no, FIELD.confidence)
            owner = copyright_owner(ln.text)
            if owner:
                return Found(owner, ln.no, FIELD.confidence)
        return None

    def _author(self) -> tuple[Named, Found] | None:
        found = self.header.author
        if found is None:
            return None
        item = self.names.person(clean_name(found.value), found.line)
        return (item, found) if item is not None else None

    def _structured_person(self) -> None:
        """JSON-LD ``Person`` with ``jobTitle`` and ``worksFor``: ROLE_AT (FIELD)."""
        meta = self.page.meta
        if not (meta.get("person") and meta.get("person_org")):
            return
        person = self.names.person(meta["person"], 1)
        org = self.names.org(meta["person_org"], 1)
        if person is not None and org is not None and org.type != "Person":
            from loaders.profile_facts import role_names

            for role in role_names(meta.get("person_role") or "Member"):
                self._fact(person.id, "ROLE_AT", org.id, 1, FIELD.confidence, {"role": role})

    # -------------------------------------------------------------- mentions, properties
    def _mentions(self, skip: set[str]) -> None:
        title_line = [Line(self.header.title.line if self.header.title else 0, self.title)]
        for item in list(self.names.items.values()):
            if item.id in skip:
                continue
            lines = self.extractor.mention_lines(item, title_line)
            if lines:
                self._fact(self.doc.id, "MENTIONS", item.id, lines[0], MENTION.confidence)
        for essay in self.extractor.essays:
            self._fact(self.doc.id, "MENTIONS", Entity("Essay", essay.title).id, essay.line,
                       MENTION.confidence)
        for title, line in self.extractor.related:
            self._fact(self.doc.id, "RELATED_TO", Entity("Article", title).id, line,
                       FIELD.confidence)

    def _properties(self) -> dict[str, object]:
        fields = dict(self.header.fields)
        base_region = fields.pop("region_from_base", None)
        if base_region and "region" not in fields:
            fields["region"] = base_region
        props: dict[str, object] = {"rendering": self.header.rendering, **fields}
        if self.header.author:
            props["author"] = clean_name(self.header.author.value)
        points = [ln.text for ln in self.body if ln.bullet and len(ln.text.split()) >= 6]
        if points:
            props["key_points"] = points[:12]
        return props

    def _fact(self, source: str, type_: str, target: str, line: int, confidence: float,
              properties: dict[str, object] | None = None) -> None:
        from loaders.profile_facts import Fact

        self.facts.append(Fact(source, type_, target, line, confidence, properties or {}))

    # -------------------------------------------------------------- batch
    def _entities(self) -> list[Entity]:
        out = [self.doc]
        for item in self.names.items.values():
            out.append(Entity(item.type, item.name, id=item.id, aliases=list(item.aliases),
                              locator=f"line {item.line}"))
        for essay in self.extractor.essays:
            props = {"published": essay.published} if essay.published else {}
            out.append(Entity("Essay", essay.title, properties=props,
                              locator=f"line {essay.line}"))
        for title, line in self.extractor.related:
            if Entity("Article", title).id != self.doc.id:
                out.append(Entity("Article", title, locator=f"line {line}"))
        return out

    def _batch(self) -> Batch:
        batch = new_batch(self.path, "profile")
        batch.entities = self._entities()
        known = {e.id for e in batch.entities}
        best: dict[tuple, Fact] = {}
        for fact in [*self.extractor.facts, *self.facts]:
            if fact.source == fact.target or fact.source not in known or fact.target not in known:
                continue
            key = (fact.source, fact.type, fact.target, str(fact.properties.get("role", "")))
            if key not in best or fact.confidence > best[key].confidence:
                best[key] = fact
        batch.relations = [Relation(f.source, f.target, f.type, properties=f.properties,
                                    confidence=f.confidence, locator=f.locator)
                           for f in best.values()]
        return batch


PROFILE = register(Loader("profile", SUFFIXES, _detect, load_profile, read=read_profile,
                          add_known=add_known_names, known_names=KnownNames))
