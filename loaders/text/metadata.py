"""What a page says about itself outside its prose: the HTML head (``og:title``,
``og:site_name``, ``article:published_time``, ``author``, ``og:url`` and the canonical link),
JSON-LD (``NewsArticle``/``Article``/``BlogPosting``: headline, author, publisher, date;
``Person``: name, job title, employer), and the publisher a page's address implies (the
hosts in data/sites.json: a saved page's ``Source: URL`` line, ``og:url`` or canonical link).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from loaders.text.lexicon import lexicon

_HEAD = {"title": ('meta[property="og:title"]', "content"),
         "site_name": ('meta[property="og:site_name"]', "content"),
         "author": ('meta[name="author"]', "content"),
         "published": ('meta[property="article:published_time"]', "content"),
         "url": ('meta[property="og:url"]', "content")}
_ARTICLES = {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
             "OpinionNewsArticle", "PressRelease", "WebPage"}
SOURCE_LINE = re.compile(r"^(?:Source|URL|Original URL|Canonical)\s*:\s*(?P<url>https?://\S+)\s*$",
                         re.IGNORECASE)
_SOURCE_COMMENT = re.compile(r"<!--\s*(?:Source|URL)\s*:\s*(?P<url>https?://[^\s>]+)\s*-->",
                             re.IGNORECASE)


def head_metadata(tree: LexborHTMLParser, raw: str) -> dict[str, str]:
    """The head's metadata, then JSON-LD's (never overriding the head)."""
    meta: dict[str, str] = {}
    for key, (selector, attr) in _HEAD.items():
        node = tree.css_first(selector)
        value = " ".join(((node.attributes.get(attr) or "") if node is not None else "").split())
        if value:
            meta[key] = value
    canonical = tree.css_first('link[rel="canonical"]')
    if canonical is not None and canonical.attributes.get("href") and "url" not in meta:
        meta["url"] = canonical.attributes["href"] or ""
    if "url" not in meta and (m := _SOURCE_COMMENT.search(raw)):
        meta["url"] = m["url"]
    for key, value in json_ld(tree).items():
        meta.setdefault(key, value)
    return meta


def json_ld(tree: LexborHTMLParser) -> dict[str, str]:
    """``title``, ``author``, ``site_name``, ``published`` of an article and ``person``,
    ``person_role``, ``person_org`` of a person, from ``application/ld+json`` scripts (an
    ``@graph`` list is read too). Scripts that are not valid JSON are ignored."""
    out: dict[str, str] = {}
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text() or "")
        except ValueError:
            continue
        for item in _items(data):
            types = item.get("@type")
            types = set(types) if isinstance(types, list) else {types}
            if types & _ARTICLES:
                _put(out, "title", item.get("headline") or item.get("name"))
                _put(out, "author", _name(item.get("author")))
                _put(out, "site_name", _name(item.get("publisher")))
                _put(out, "published", item.get("datePublished"))
            if "Person" in types:
                _put(out, "person", item.get("name"))
                _put(out, "person_role", item.get("jobTitle"))
                _put(out, "person_org", _name(item.get("worksFor") or item.get("affiliation")))
    return out


def _items(data: object) -> list[dict]:
    if isinstance(data, list):
        return [x for d in data for x in _items(d)]
    if isinstance(data, dict):
        return [data, *_items(data["@graph"])] if "@graph" in data else [data]
    return []


def _name(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


def _put(out: dict[str, str], key: str, value: object) -> None:
    if isinstance(value, str) and value.strip() and key not in out:
        out[key] = " ".join(value.split())


def publisher_for_url(url: str) -> str | None:
    """The publisher data/sites.json names for a page's address (its host or a parent
    domain of it: ``blog.apnic.net`` -> APNIC), or None."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    hosts = lexicon().hosts
    parts = host.split(".")
    for i in range(len(parts) - 1):
        name = hosts.get(".".join(parts[i:]))
        if name:
            return name
    return None


def site_key(url: str) -> str | None:
    """A page's site as one word, to compare with the names the page uses: the host without
    ``www.``, service prefixes (``lists.``), common suffixes (data/sites.json →
    ``service_prefixes``, ``generic_suffixes``) or dots
    (``www.heficed.com`` -> ``heficed``, ``apnic.foundation`` -> ``apnicfoundation``)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    parts = host.removeprefix("www.").split(".")
    generic, services = lexicon().generic_suffixes, lexicon().service_prefixes
    while len(parts) > 1 and parts[-1] in generic:
        parts.pop()
    while len(parts) > 1 and parts[0] in services:
        parts.pop(0)
    return re.sub(r"[^a-z0-9]", "", "".join(parts)) or None

