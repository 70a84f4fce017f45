"""Server-rendered HTML: one Jinja2 environment, autoescaping every value, for the index,
entity and view pages (``api/templates/``). Data for scripts goes through Jinja's ``tojson``,
which escapes ``<``, ``>``, ``&`` and ``'`` (and, being ASCII, U+2028/9), so a name holding
``</script>`` cannot end the block it is embedded in."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from graph.vocab import NODE_TYPES

env = Environment(loader=PackageLoader("api", "templates"),
                  autoescape=select_autoescape(("html",), default_for_string=True),
                  trim_blocks=True, lstrip_blocks=True)


def entity_path(prefix: str, entity_id: str) -> str:
    """``/prefix/<id>`` with the id percent-encoded (its slashes and colons kept)."""
    return f"{prefix}/{quote(entity_id, safe=':/@')}"


def colour(type_name: str) -> str:
    """The display colour of a node type (graph/vocab.py is the one place they live)."""
    found = NODE_TYPES.get(type_name)
    return found.colour if found else "#9aa0a6"


env.globals.update(entity_path=entity_path, colour=colour, node_types=NODE_TYPES)


def render(name: str, **context: Any) -> str:
    """A template rendered with ``context``."""
    return env.get_template(name).render(**context)


def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """An HTML response from a template."""
    return HTMLResponse(render(name, **context), status_code=status_code)
