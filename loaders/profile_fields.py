"""What a profile page says about itself: its rendering, title, labelled fields, publisher
and subject, read from the template and header before the boilerplate is dropped.

Renderings (docs/loaders.md): ``flat`` (template sentences, a Markdown grade table, "At A
Glance"), ``card`` (``<Kind> Profiling / <Type>``, labels glued to values), ``article``
(navigation, ``Home » <title>``, a byline glued to its date) and ``other`` (plain news prose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from graph.vocab import ATTRIBUTION, FIELD, PATTERN, grade_for
from loaders.profile_names import PERSON, plausible_person
from loaders.profile_text import Line, Page
from loaders.text.metadata import SOURCE_LINE

MONTHS = ("january february march april may june july august september october november "
          "december").split()
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|" \
        r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
DATE = rf"(?:{MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{MONTH},?\s+\d{{4}}|{MONTH}\s+\d{{4}}" \
       r"|\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4}|(?:19|20)\d{2})"

# ------------------------------------------------------------------ template and boilerplate
_PROFILED_BY = re.compile(r"^(?P<subject>.+?) is profiled by (?P<publisher>.+?) because\b")
_TRACKED_AS = re.compile(r"^(?P<subject>.+?) is tracked as an? (?P<type>.+?) within the\b")
_IMPACT = re.compile(r"(?i)\bsupport (?P<impact>high|medium|low|critical)[- ]impact monitoring")
TEMPLATE = [re.compile(p) for p in (
    r" is profiled by .+ because ", r" is tracked as an? .+ within the ",
    r" has public-source relevance to ", r"^Public-source signals support ",
    r"^Public records support ", r"^Monitoring focuses on ", r"^Track verified source updates",
    r"^Longer-term relevance depends on ", r"^Profile context is limited to ",
)]
PAYWALL = [re.compile(p, re.IGNORECASE) for p in (
    r"^login is required", r"^member briefing$", r"^deeper profile context$", r"^only for ",
    r"circle access$", r"alliance access$", r"^open to all readers", r"^join (strategic|leader)",
    r"^for owners and management", r"\b(log ?in|sign ?in|subscribe|register)\b.{0,60}"
    r"\b(to (read|continue|unlock|access|view)|required)\b", r"^(subscribe|sign up|log ?in|sign in|"
    r"register|log out)( now| today| here)?[.!]?$", r"^(already a (member|subscriber))",
    r"\bpaywall\b", r"^unlock (the )?(full|this)", r"^(this|the) (content|article|story) is "
    r"(for|available to) (subscribers|members)",
)]
NAVIGATION = [re.compile(p, re.IGNORECASE) for p in (
    r"^(close menu|open menu|menu|search|skip to (main )?content|home|share|print|email|"
    r"advertisement|sponsored|trending|popular|latest|read next|back to top|cookies?|"
    r"accept( all)?( cookies)?|privacy policy|terms (of use|and conditions)|contact us|"
    r"about us|follow us|newsletter|type above and press enter.*|"
    r"leave a reply|cancel reply|add a comment|no comments|comments)$",
    r"^((facebook|twitter|linkedin|youtube|instagram|pinterest|email|whatsapp|telegram|"
    r"reddit|tiktok|x \(twitter\)|x)\s*)+$",
    r"^\d+ mins? read$", r"^share (this|on)\b", r"^©|^copyright\b", r"all rights reserved",
)]
STOP_MARKERS = re.compile(r"(?i)^(related posts|related articles|you may also like|more from|"
                          r"leave a reply|add a comment|comments are closed|previous article|"
                          r"next article|latest news|most popular|recommended for you)\b")
_GRADE_ROW = re.compile(r"^\|?\s*[01]?\.\d\d\s*[–—-]\s*[01]\.\d\d\s*\|?\s*(A/B|B/C|C/D|A|B|C|D)")
_SECTION_HEADINGS = re.compile(r"(?i)^(at a glance|what it does|why it matters|what to watch|"
                               r"key points|summary|profile)$")

# ------------------------------------------------------------------ labelled fields
CARD_HEAD = re.compile(r"^(?P<kind>[A-Z][\w&-]*(?: [A-Z][\w&-]*)?) (?:Profiling|Briefing)\s*/\s*"
                       r"(?P<type>.+)$")  # "Institution Profiling / …", "Event Briefing / …"
CARD_LABELS = {"Signal Focus": "signal_focus", "Content Type": "content_type",
               "Primary Domain": "primary_domain", "Source Type": "source_type",
               "Category": "category", "Region": "region", "Topic": "topic", "Impact": "impact"}
COLON_LABELS = {"name": "stated_name", "type": "stated_type", "base": "base",
                "profile focus": "profile_focus", "operational criticality":
                "operational_criticality", "time horizon": "time_horizon", "region": "region",
                "category": "category", "topic": "topic", "impact": "impact",
                "signal focus": "signal_focus", "content type": "content_type",
                "primary domain": "primary_domain", "source type": "source_type",
                "author": "author", "published": "published", "date": "published"}
_GLUED = re.compile(r"^(?P<label>" + "|".join(sorted(CARD_LABELS, key=len, reverse=True))
                    + r")(?:\s*[:：]\s*|(?=[A-Z0-9&])|\s+(?=\S))(?P<value>\S.{0,80})$")
_COLON = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*[:：]\s*(?P<value>\S.{0,200})$")
_STATED_GRADE = re.compile(r"(?<![\w/])(?P<grade>A/B|B/C|C/D|A|B|C|D)\s*[·•|—–-]\s*"
                           r"(?P<score>[01]?\.\d{1,3}|1(?:\.0+)?|\d{1,3}\s*%)(?![\d.])")
_LABEL_CONFIDENCE = re.compile(r"(?i)\b(?P<label>[a-z]+(?:[- ][a-z]+)?) confidence\s*\(\s*"
                               r"(?P<pct>\d{1,3}(?:\.\d+)?)\s*%\s*\)")
# the word the label pattern needs, found far faster than the pattern tries each word
_CONFIDENCE_WORD = re.compile(r"(?i) confidence")
_PLAIN_CONFIDENCE = re.compile(r"(?i)^confidence\s*[:：]?\s*(?P<score>[01]?\.\d+|\d{1,3}\s*%)$")
_SOURCE_LINE = re.compile(r"(?i)^((several|multiple|mixed|limited|single|official|primary|"
                          r"public|verified|few|many|direct|secondary)(\s[\w -]{0,30})?\bsources?|"
                          r"mixed[- ]source|single[- ]source)$")
# ------------------------------------------------------------------ article header
_HOME = re.compile(r"^Home\s*(?:»|>|/|›|→)\s*(?P<rest>.+)$")
_BYLINE = re.compile(rf"^By\s+(?P<author>.+?)\s*(?P<date>{MONTH}\s+\d{{1,2}},\s+\d{{4}})"
                     rf"(?:\s*Updated:\s*(?P<updated>{MONTH}\s+\d{{1,2}},\s+\d{{4}}))?")
_PLAIN_BYLINE = re.compile(r"^By\s+(?P<author>[A-Z][\w'’-]+(?:\s+[A-Za-z][\w'’-]+){1,3})"
                           r"\s*(?:[,|•·-]|$)")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
REGIONS = {"africa": "Africa", "asia-pacific": "Asia-Pacific", "asia pacific": "Asia-Pacific",
           "north america": "North America", "lat am/caribbean": "Lat Am/Caribbean",
           "latin america": "Latin America", "latin america and caribbean":
           "Latin America and Caribbean", "europe/middle east": "Europe/Middle East",
           "europe": "Europe", "middle east": "Middle East", "global": "Global",
           "oceania": "Oceania", "caribbean": "Caribbean", "asia": "Asia"}
_COPYRIGHT = re.compile(r"(?i)(?:©|copyright)\s*(?:\d{4}\s*[-–]?\s*\d{0,4}\s*)?(?P<name>[A-Z]"
                        r"[\w&.' -]{1,60}?)(?:\.|,|\s+all rights|\s*$)")
_PUBLISHED_BY = re.compile(r"(?i)^published by\s+(?P<name>[A-Z][\w&.' -]{1,60})$")


@dataclass(slots=True)
class Found:
    """A value read from the page and where: ``confidence`` says how it was found (a
    tier of graph/vocab.py: FIELD for labelled fields and templates, ATTRIBUTION for
    bylines, PATTERN for a title read from the first line)."""

    value: str
    line: int
    confidence: float


@dataclass(slots=True)
class Header:
    """What a page says about itself."""

    rendering: str
    title: Found | None = None
    fields: dict[str, object] = field(default_factory=dict)
    publisher: Found | None = None
    subject: Found | None = None  # a named subject (template, card, At A Glance)
    subject_kind: str = ""  # what the page calls its subject: Person, Institution, ...
    author: Found | None = None
    consumed: set[int] = field(default_factory=set)  # ids of lines read as fields


def detect_rendering(lines: list[Line]) -> str:
    """``card``, ``article``, ``flat`` or ``other``, from the page's own markers."""
    head = [ln.text for ln in lines[:8]]
    if any(CARD_HEAD.match(t) for t in head):
        return "card"
    if any(_HOME.match(ln.text) or _BYLINE.match(ln.text) for ln in lines[:400]):
        return "article"
    if any(_PROFILED_BY.match(ln.text) or _TRACKED_AS.match(ln.text) or
           _GRADE_ROW.match(ln.text) for ln in lines):
        return "flat"
    return "other"


def read_header(page: Page) -> Header:
    """The rendering and everything labelled: title, fields, publisher, subject, byline."""
    lines = page.lines
    header = Header(detect_rendering(lines))
    _template(lines, header)
    if header.rendering == "card":
        _card(lines, header)
    elif header.rendering == "article":
        _article(lines, header)
    _labelled(lines, header)
    _confidence(lines, header)
    _meta(page, header)
    _source(lines, header)
    _text_byline(lines, header)
    _title_fallback(lines, header, page.meta.get("title", ""))
    return header


def _template(lines: list[Line], header: Header) -> None:
    """Subject, stated type, publisher and impact from the template sentences."""
    for ln in lines:
        if m := _PROFILED_BY.match(ln.text):
            header.subject = header.subject or Found(m["subject"].strip(), ln.no, FIELD.confidence)
            header.publisher = header.publisher or Found(m["publisher"].strip(), ln.no,
                                                         FIELD.confidence)
        elif m := _TRACKED_AS.match(ln.text):
            header.subject = header.subject or Found(m["subject"].strip(), ln.no, FIELD.confidence)
            header.fields.setdefault("stated_type", m["type"].strip())
        if m := _IMPACT.search(ln.text):
            header.fields.setdefault("impact", m["impact"].capitalize())


def _labelled(lines: list[Line], header: Header) -> None:
    """``Label: value`` lines (At A Glance, Why It Matters), the source line, key points."""
    after_table = False
    for i, ln in enumerate(lines):
        if _GRADE_ROW.match(ln.text):
            after_table = True
            continue
        if id(ln) in header.consumed:
            continue
        short = len(ln.text.split()) <= 4 and not re.search(r"[\d:]", ln.text)
        if not ln.bullet and (_SOURCE_LINE.match(ln.text) and i < 60
                              or after_table and short):
            header.fields.setdefault("source_type", ln.text)
            header.consumed.add(id(ln))
        after_table = False
        m = _COLON.match(ln.text)
        key = COLON_LABELS.get(m["label"].strip().lower()) if m else None
        if m and key and (ln.bullet or len(ln.text) < 120):
            _set_field(header, key, m["value"].strip(), ln)


def _set_field(header: Header, key: str, value: str, ln: Line) -> None:
    if key == "stated_name":
        header.subject = header.subject or Found(value, ln.no, FIELD.confidence)
    elif key == "base":
        header.fields.setdefault("base", value)
        if value.lower() in REGIONS:
            header.fields.setdefault("region_from_base", REGIONS[value.lower()])
    elif key == "published":
        header.fields.setdefault("published", iso_date(value) or value)
    elif key == "author":
        header.author = header.author or Found(value, ln.no, ATTRIBUTION.confidence)
    else:
        header.fields.setdefault(key, value)
    header.consumed.add(id(ln))


def _confidence(lines: list[Line], header: Header) -> None:
    """``C · 0.80`` (stated grade and score) or ``Limited confidence (80%)``."""
    for ln in lines:
        if _GRADE_ROW.match(ln.text):
            continue
        score = None
        if m := _STATED_GRADE.search(ln.text):
            if len(ln.text) > 60:
                continue
            header.fields.setdefault("stated_grade", m["grade"])
            score = _score(m["score"])
        elif _CONFIDENCE_WORD.search(ln.text) and (m := _LABEL_CONFIDENCE.search(ln.text)):
            header.fields.setdefault("confidence_label", m["label"].strip().capitalize())
            score = _score(m["pct"] + "%")
        elif m := _PLAIN_CONFIDENCE.match(ln.text):
            score = _score(m["score"])
        if score is not None and "confidence" not in header.fields:
            header.fields["confidence"] = score
            header.consumed.add(id(ln))
    if "confidence" in header.fields:
        grade = grade_for(header.fields["confidence"])  # type: ignore[arg-type]
        header.fields["grade"] = grade
        stated = header.fields.get("stated_grade")
        if stated:
            header.fields["grade_disagrees"] = stated != grade


def _score(text: str) -> float | None:
    text = text.replace(" ", "")
    value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    return round(value, 4) if 0.0 <= value <= 1.0 else None


def _card(lines: list[Line], header: Header) -> None:
    """``<Kind> Profiling / <Type>``, the title after it, and glued ``LabelValue`` fields."""
    start = next(i for i, ln in enumerate(lines[:8]) if CARD_HEAD.match(ln.text))
    m = CARD_HEAD.match(lines[start].text)
    assert m is not None
    header.subject_kind = m["kind"]
    header.fields.setdefault("profile_kind", m["kind"])
    header.fields.setdefault("stated_type", m["type"].strip())
    header.consumed.add(id(lines[start]))
    if start + 1 < len(lines):
        title = lines[start + 1]
        header.title = Found(title.text, title.no, FIELD.confidence)
        header.consumed.add(id(title))
    for i, ln in enumerate(lines[start + 2:start + 80], start + 2):
        label = CARD_LABELS.get(ln.text)
        if label and i + 1 < len(lines):  # label and value on separate lines (HTML)
            _card_field(header, label, lines[i + 1].text, ln, lines[i + 1])
        elif (m := _GLUED.match(ln.text)) and len(ln.text.split()) <= 12:
            _card_field(header, CARD_LABELS[m["label"]], m["value"], ln)


def _card_field(header: Header, key: str, value: str, *consumed: Line) -> None:
    value = value.strip(" :·")
    if key in header.fields or not value or len(value) > 80:
        return
    header.fields[key] = value
    header.consumed.update(id(ln) for ln in consumed)


def _article(lines: list[Line], header: Header) -> None:
    """``Home » title``, the region label after the slug, and the byline with its date."""
    home = next((i for i, ln in enumerate(lines) if _HOME.match(ln.text)), None)
    if home is not None:
        crumb = _HOME.match(lines[home].text)
        assert crumb is not None
        header.title = Found(re.split(r"\s*[»›]\s*", crumb["rest"])[-1].strip(),
                             lines[home].no, FIELD.confidence)
        header.consumed.add(id(lines[home]))
        for ln in lines[home + 1:home + 8]:
            if _SLUG.match(ln.text):
                header.consumed.add(id(ln))
            elif ln.text.lower() in REGIONS and "region" not in header.fields:
                header.fields["region"] = REGIONS[ln.text.lower()]
                header.consumed.add(id(ln))
    for ln in lines:
        if m := _BYLINE.match(ln.text) or _PLAIN_BYLINE.match(ln.text):
            header.author = Found(m["author"].strip(), ln.no, ATTRIBUTION.confidence)
            if m.groupdict().get("date"):
                header.fields.setdefault("published", iso_date(m["date"]) or m["date"])
            if m.groupdict().get("updated"):
                header.fields.setdefault("updated", iso_date(m["updated"]) or m["updated"])
            header.consumed.add(id(ln))
            break


def _meta(page: Page, header: Header) -> None:
    """What the HTML head adds (never overriding the page's own text)."""
    meta = page.meta
    if meta.get("site_name") and not header.publisher:
        header.publisher = Found(meta["site_name"], 1, FIELD.confidence)
    if meta.get("author") and not header.author:
        header.author = Found(meta["author"], 1, ATTRIBUTION.confidence)
    if meta.get("url"):
        header.fields.setdefault("source_url", meta["url"])
    if meta.get("published"):
        header.fields.setdefault("published", iso_date(meta["published"]) or meta["published"])


def _title_fallback(lines: list[Line], header: Header, meta_title: str = "") -> None:
    """The title when the rendering did not give one: the h1 or ``#`` heading, the
    template's subject, the HTML head's title (``og:title``, JSON-LD ``headline``,
    ``<title>``), the first line (which stays in the body too when it is a sentence, ending
    in a full stop: a page saved without its headline)."""
    if header.title:
        return
    h1 = next((ln for ln in lines if ln.heading == 1), None)
    if h1:
        header.title = Found(h1.text, h1.no, FIELD.confidence)
    elif header.subject:
        header.title = Found(header.subject.value, header.subject.line, FIELD.confidence)
    elif meta_title:
        header.title = Found(meta_title, 1, FIELD.confidence)
    else:
        first = next((ln for ln in lines if not _is_boilerplate(ln.text)
                      and id(ln) not in header.consumed), None)
        if first is not None:
            header.title = Found(_headline(first.text), first.no, PATTERN.confidence)
    if header.title and not (header.title.confidence == PATTERN.confidence and
                             header.title.value.endswith(".")):  # a sentence stays prose
        header.consumed.update(id(ln) for ln in lines
                               if ln.no == header.title.line and ln.text == header.title.value)


_TITLE_WIDTH = 150


def _headline(text: str) -> str:
    """A first line used as the title: whole when short, else its first sentence cut at a
    word before 150 characters (the line then stays in the body)."""
    if len(text) <= _TITLE_WIDTH:
        return text
    first = re.split(r"(?<=[.!?])\s+", text, maxsplit=1)[0]
    return first if len(first) <= _TITLE_WIDTH else first[:_TITLE_WIDTH].rsplit(" ", 1)[0]


def _source(lines: list[Line], header: Header) -> None:
    """A saved page's address: a ``Source: URL`` line among the first three, else the
    HTML head's ``og:url`` or canonical link (kept as ``source_url``)."""
    for ln in lines[:3]:
        if m := SOURCE_LINE.match(ln.text):
            header.fields.setdefault("source_url", m["url"])
            header.consumed.add(id(ln))
            return


_BY = re.compile(rf"^(?i:by:?|written by|authored by|words by|posted by|reported by|story by|"
                 rf"author:|contributor:|(?:recent|more|all|latest)\s+(?:posts|articles|stories)\s+"
                 rf"by)\s+"
                 rf"(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)?(?P<author>{PERSON})\s*"
                 rf"(?:[,|•·–-]|\bon\b|\d|$)")
_NAME_DATE = re.compile(rf"^(?P<author>{PERSON})\s*[|•·–,-]\s*(?P<date>{DATE})\b")
# a mail's sender: "From: Jane Roe <jane@example.org>", "Jane Roe jane at example.org"
_SENDER = re.compile(rf"^(?:From:\s+)?(?P<author>{PERSON})\s+<?[\w.+-]+(?:@|\s+at\s+)[\w-]+"
                     rf"(?:\.[\w-]+)+>?$")
_READ_TIME = re.compile(rf"^(?:(?:{DATE}\s*[·•|]\s*)?\d+\s+min(?:ute)?s?\s+read|{DATE})$",
                        re.IGNORECASE)  # "Nov 24, 2019 · 4 min read"
_DATELINE = re.compile(rf"^\((?P<place>[^()]{{0,60}}?),?\s+(?P<date>{DATE})\)")


def _text_byline(lines: list[Line], header: Header) -> None:
    """The visible byline and dateline of a text page, when nothing labelled gave them:
    ``By Name``, ``Written by Name``, ``Posted by Name``, ``Contributor: Name``, ``Recent
    Posts by Name``, ``Name | 3 March 2023``, a
    name alone on a line
    followed by ``2 min read`` or a date, a mail's sender (``From: Name <address>``, ``Name
    name at example.org`` in a list archive); ``(Port Louis, Mauritius 14 September 2023)``."""
    head = [ln for ln in lines[:16] if id(ln) not in header.consumed]
    for i, ln in enumerate(head):
        if header.author is None:
            near = head[i - 1:i] + head[i + 1:i + 2]  # a name above or below a date
            author = _byline_author(ln, near)
            if author:
                header.author = Found(author, ln.no, ATTRIBUTION.confidence)
                header.consumed.add(id(ln))
        if m := _NAME_DATE.match(ln.text) or _DATELINE.match(ln.text):
            header.fields.setdefault("published", iso_date(m["date"]) or m["date"])


def _byline_author(ln: Line, near: list[Line]) -> str | None:
    text = ln.text.title() if ln.text.isupper() else ln.text  # "BY GABE FRIED, CEO"
    if m := _BY.match(text) or _NAME_DATE.match(ln.text) or _SENDER.match(ln.text):
        return m["author"]
    alone = re.fullmatch(PERSON, ln.text)
    if alone and any(_READ_TIME.match(x.text) for x in near) and plausible_person(ln.text):
        return ln.text
    return None


def iso_date(text: str) -> str | None:
    """``September 2025`` -> ``2025-09``, ``January 11, 2026`` -> ``2026-01-11``,
    ``2025`` -> ``2025``; ISO timestamps keep their date; None when not a date."""
    text = text.strip()
    if m := re.match(r"^(\d{4}-\d{2}-\d{2})", text):
        return m.group(1)
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        return _ymd(int(m[3]), int(m[2]), int(m[1]))
    words = re.findall(r"[A-Za-z]+|\d+", text)
    month = next((_month(w) for w in words if _month(w)), None)
    numbers = [int(w) for w in words if w.isdigit()]
    year = next((n for n in numbers if 1900 <= n <= 2100), None)
    if year is None:
        return None
    day = next((n for n in numbers if 1 <= n <= 31), None)
    if month and day:
        return _ymd(year, month, day)
    return f"{year}-{month:02d}" if month else str(year)


def _month(word: str) -> int | None:
    word = word.lower()
    for i, name in enumerate(MONTHS, 1):
        if len(word) >= 3 and name.startswith(word):
            return i
    return None


def _ymd(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _is_boilerplate(text: str) -> bool:
    return (any(p.search(text) for p in TEMPLATE) or any(p.search(text) for p in PAYWALL)
            or any(p.search(text) for p in NAVIGATION) or bool(_GRADE_ROW.match(text))
            or bool(CARD_HEAD.match(text)))


def body_lines(lines: list[Line], header: Header) -> list[Line]:
    """The page without its boilerplate: template sentences, the grade table, labelled fields
    already read, paywall and login text, navigation (menus, share bars, runs of short link
    lines), everything before ``Home »`` and after an end-of-article marker, and every
    repeated line after its first occurrence."""
    kept = _after_home(lines, header)
    kept = [ln for ln in kept if id(ln) not in header.consumed and not _is_boilerplate(ln.text)
            and not _SECTION_HEADINGS.match(ln.text) and not _SLUG.match(ln.text)]
    kept = _cut_at_end_marker(kept)
    kept = _drop_menus(kept)
    seen: set[str] = set()
    out = []
    for ln in kept:
        key = " ".join(ln.text.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(ln)
    return out


def _after_home(lines: list[Line], header: Header) -> list[Line]:
    if header.rendering != "article":
        return lines
    home = next((i for i, ln in enumerate(lines) if _HOME.match(ln.text)), None)
    return lines[home + 1:] if home is not None else lines


def _cut_at_end_marker(lines: list[Line]) -> list[Line]:
    for i, ln in enumerate(lines):
        if i >= 3 and STOP_MARKERS.match(ln.text):
            return lines[:i]
    return lines


def _short(ln: Line) -> bool:
    text = ln.text
    return (len(text.split()) <= 4 and not text.endswith((".", "?", "!", ":", "”", '"'))
            and ":" not in text and not text.startswith(("—", "–", "--")))


def _drop_menus(lines: list[Line], run: int = 4) -> list[Line]:
    """Drop runs of ``run`` or more consecutive short, unpunctuated lines (menus), but not
    a list its previous line announces (``List of Candidates:``)."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _short(lines[j]):
            j += 1
        announced = i > 0 and lines[i - 1].text.endswith(":")
        if j - i >= run and not announced:
            i = j
            continue
        out.extend(lines[i:max(j, i + 1)])
        i = max(j, i + 1)
    return out


def site_publisher_lines(lines: list[Line], header: Header) -> list[Line]:
    """Lines where a site names itself: before the title in article pages, and the first and
    last few lines of any page."""
    head = lines[:12]
    if header.rendering == "article" and header.title:
        head = [ln for ln in lines if ln.no < header.title.line] or head
    return head + lines[-12:]


def copyright_owner(text: str) -> str | None:
    """``© 2025 Name`` / ``Published by Name``: the name, or None."""
    m = _COPYRIGHT.search(text) or _PUBLISHED_BY.match(text)
    return m["name"].strip(" .,") if m else None
