"""Profile pages as lines: ``.txt``, ``.md`` and ``.html`` become one line structure, and the
boilerplate (template sentences, navigation, paywall and login text, repeated lines) is
removed before anything is extracted.

HTML goes through a real parser (selectolax/Lexbor): block elements become lines, list items
become bullets, table rows become ``| a | b |`` rows, and scripts, styles, forms and site
navigation (``nav``, and ``header``/``footer`` outside the article) are dropped. The text
parsers then read every format the same way: one parser per rendering, not two.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from loaders.base import LoadError, check_html, check_lines, read_text
from loaders.text.metadata import head_metadata

HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt", ".md", ".markdown")


@dataclass(slots=True)
class Line:
    """One line of a page: ``no`` is its line number in the source file (for HTML, the
    source line where the block's text starts, as near as it can be found)."""

    no: int
    text: str
    heading: int = 0  # 1 for the page title (h1, "# "), 2-6 for section headings
    bullet: bool = False
    offset: int = 0  # a sentence's character offset in its line (loaders/text/sentences.py)

    @property
    def locator(self) -> str:
        """``line N`` for a line, ``line N, char M`` for a sentence within it."""
        return f"line {self.no}, char {self.offset}" if self.offset else f"line {self.no}"


@dataclass(slots=True)
class Page:
    """A page's lines plus what its HTML head says (``title``, ``site_name``, ``author``,
    ``published``)."""

    lines: list[Line]
    meta: dict[str, str] = field(default_factory=dict)


_INVISIBLE = re.compile("[\u0000-\u0008\u000b-\u001f\u007f\u200b\u200e\u200f\u202a-\u202e"
                        "\u2066-\u2069\ufeff\ufffd]")
_BULLET = re.compile(r"^(?:[*•●▪‣◦·]|-(?!-))\s+")


def tidy(text: str) -> str:
    """NFC, no invisible or control characters, single spaces; quotes and dashes are kept
    as written (they mark quotes and attributions)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text).replace("\xa0", " "))
    return " ".join(text.split())


def make_line(no: int, text: str, heading: int = 0, bullet: bool = False) -> Line | None:
    """A Line from raw text (bullet markers recognised and removed), or None when empty."""
    text = tidy(text)
    if _BULLET.match(text):
        text, bullet = _BULLET.sub("", text, count=1), True
    return Line(no, text, heading, bullet) if text else None


def read_page(path: Path) -> Page:
    """The lines of a ``.txt``, ``.md`` or ``.html`` page. Raises LoadError for unreadable,
    binary or empty files."""
    text = read_text(path)
    if not text.strip():
        raise LoadError(path, "empty page")
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and looks_like_html(text)):
        check_html(path, text)
        page = html_page(text)
    else:
        check_lines(path, text.splitlines())
        page = markdown_page(text) if suffix in (".md", ".markdown") else text_page(text)
    if not page.lines:
        raise LoadError(path, "no text in page")
    return page


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def text_page(text: str) -> Page:
    lines = [make_line(no, raw) for no, raw in enumerate(text.splitlines(), 1)]
    return Page([ln for ln in lines if ln])


# ------------------------------------------------------------------ Markdown
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_MD_RULE = re.compile(r"^\s*(?:\|?\s*:?-{3,}:?\s*)+\|?\s*$|^\s*(?:\*\s*){3,}$|^\s*_{3,}\s*$")


def markdown_page(text: str) -> Page:
    """Markdown to lines: headings (``#`` = title), bullets, block quotes, links as their
    text, emphasis removed, table rows kept as ``| a | b |``, rules dropped."""
    lines: list[Line] = []
    meta: dict[str, str] = {}
    for no, raw in enumerate(text.splitlines(), 1):
        if _MD_RULE.match(raw):
            continue
        raw = re.sub(r"^\s*>\s?", "", raw)
        level = 0
        if m := _MD_HEADING.match(raw.strip()):
            level, raw = len(m.group(1)), m.group(2)
        raw = _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", raw))
        bullet = bool(_BULLET.match(raw.strip()))
        raw = _BULLET.sub("", raw.strip(), count=1) if bullet else raw
        raw = _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", raw)
        line = make_line(no, raw, level, bullet)
        if line:
            lines.append(line)
            if level == 1:
                meta.setdefault("title", line.text)
    return Page(lines, meta)


# ------------------------------------------------------------------ HTML
_BLOCKS = frozenset("""p div section article main aside h1 h2 h3 h4 h5 h6 li ul ol dl dt dd
    blockquote pre table thead tbody tfoot tr caption br hr figure figcaption address center
    details summary body header footer""".split())
_DROPPED = frozenset("""script style noscript template svg iframe form button select option
    input textarea nav head object canvas video audio picture map""".split())
_ARTICLE = frozenset({"article", "main"})
_HEADINGS = {f"h{i}": i for i in range(1, 7)}


class _HtmlLines:
    """Collects blocks of text from an HTML tree, in document order."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, int, bool]] = []  # text, heading level, bullet
        self.buf: list[str] = []
        self.heading = 0
        self.bullet = False

    def flush(self) -> None:
        text = tidy("".join(self.buf))
        if text:
            self.blocks.append((text, self.heading, self.bullet))
        self.buf, self.heading, self.bullet = [], 0, False

    def walk(self, root: LexborNode) -> None:
        """Depth-first without recursion (deeply nested pages must not overflow)."""
        stack: list[tuple[LexborNode, bool, bool]] = [(root, False, False)]
        while stack:
            node, leaving, in_article = stack.pop()
            tag = node.tag or ""
            if leaving:
                self._leave(tag)
                continue
            if tag == "-text":
                self.buf.append(node.text_content or "")
                continue
            if tag.startswith(("-", "_")) or self._dropped(tag, in_article):
                continue
            self._enter(tag)
            inside = in_article or tag in _ARTICLE
            stack.append((node, True, inside))
            children = list(node.iter(include_text=True))
            stack.extend((child, False, inside) for child in reversed(children))

    @staticmethod
    def _dropped(tag: str, in_article: bool) -> bool:
        return tag in _DROPPED or (tag in {"header", "footer"} and not in_article)

    def _enter(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.flush()
            self.heading = _HEADINGS.get(tag, 0)
            self.bullet = tag == "li"
        elif tag in {"td", "th"}:
            self.buf.append(" | ")

    def _leave(self, tag: str) -> None:
        if tag in _BLOCKS:
            if tag == "tr" and self.buf:
                self.buf.append(" |")
            self.flush()


def html_page(text: str) -> Page:
    """HTML to lines through selectolax; the head's title, site name, author and publication
    date go to ``meta``."""
    tree = LexborHTMLParser(text)
    meta = head_metadata(tree, text)
    title = tree.css_first("title")
    if title is not None and tidy(title.text()):
        meta.setdefault("title", tidy(title.text()))
    collector = _HtmlLines()
    root = tree.body or tree.root
    if root is not None:
        collector.walk(root)
        collector.flush()
    numbers = _source_lines(text, [b[0] for b in collector.blocks])
    made = [make_line(no, t, h, b) for no, (t, h, b) in zip(numbers, collector.blocks,
                                                             strict=True)]
    lines = [ln for ln in made if ln]
    h1 = next((ln.text for ln in lines if ln.heading == 1), None)
    if h1:
        meta["title"] = h1
    return Page(lines, meta)


_WORD = re.compile(r"[A-Za-z]{6,}")


def _source_lines(raw: str, texts: list[str]) -> list[int]:
    """For each block, the source line where its first long plain word occurs at or after the
    previous block's (a good approximation: parsers keep no positions)."""
    cursor = max(raw.lower().find("<body"), 0)
    starts = [i for i, ch in enumerate(raw) if ch == "\n"]
    out: list[int] = []
    for text in texts:
        word = _WORD.search(text)
        pos = raw.find(word.group(0), cursor) if word else -1
        if pos >= 0:
            cursor = pos
        out.append(_line_of(starts, cursor))
    return out


def _line_of(newlines: list[int], pos: int) -> int:
    lo, hi = 0, len(newlines)
    while lo < hi:
        mid = (lo + hi) // 2
        if newlines[mid] < pos:
            lo = mid + 1
        else:
            hi = mid
    return lo + 1
