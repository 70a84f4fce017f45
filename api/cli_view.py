"""``govgraph view``: a thin wrapper over ``api.viewer.view`` (same arguments) that writes the
interactive page to a file. ``register(app, ...)`` adds the command; api/cli.py calls it
once with its own store opener, error printer and ``--db`` option."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from api import viewer
from api.models import METRICS
from graph.query import resolve_name
from graph.store import GraphStore
from graph.store.base import EdgeFilter
from graph.vocab import LAYERS, layer_relations


def register(app: typer.Typer, store_for: Callable[[str | None], GraphStore],
             fail: Callable[[str], NoReturn], db_option: Any,
             note: Callable[[str | None], None]) -> None:
    """Add ``govgraph view`` to ``app`` (``note`` prints how a shared name was read)."""

    @app.command()
    def view(ref: Annotated[str, typer.Argument(metavar="NAME_OR_ID",
                                                help="Entity id, name or alias")],
             output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write")],
             depth: Annotated[int, typer.Option(min=0, max=10, help="Hops from the entity")]
             = 2,
             limit: Annotated[int, typer.Option(min=1, help="Most nodes to draw")] = 300,
             size: Annotated[str, typer.Option(help="Stored score that sizes nodes: "
                                               + ", ".join(METRICS))] = "pagerank",
             layer: Annotated[str | None, typer.Option(
                 "--layer", help="Draw one dependency layer's relations: "
                 + ", ".join(LAYERS) + " [default: every relation]", show_default=False)]
             = None,
             as_of: Annotated[str | None, typer.Option(
                 "--as-of", help="ISO date: the edges in force then", show_default=False)]
             = None,
             db: db_option = None) -> None:
        """Write the interactive view of an entity's neighbourhood to an HTML file that works
        offline (vis-network inlined, nothing fetched)."""
        if size not in METRICS:
            fail(f"unknown score {size!r}; choose from {', '.join(METRICS)}")
        try:
            rels = layer_relations(layer) if layer else None
        except ValueError as exc:
            fail(str(exc))
        with store_for(db) as store:
            chosen = resolve_name(store, ref)
            note(chosen.note)
            html = viewer.view(store, [chosen.id], depth, EdgeFilter(rels, as_of=as_of),
                               limit=limit, size_by=size)
        tmp = output.with_name(output.name + ".part")
        try:
            tmp.write_text(html, encoding="utf-8")
            tmp.replace(output)
        except OSError as exc:
            fail(f"{output}: cannot write: {exc.strerror or exc}")
        typer.echo(f"wrote {output}", err=True)
