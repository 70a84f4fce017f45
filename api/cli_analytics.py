"""``govgraph centrality`` and ``govgraph impact``: thin wrappers over
``graph.analytics.centrality`` and ``graph.analytics.impact`` (same names, same arguments).

``register(app, ...)`` adds the commands to the typer app; api/cli.py calls it once and
passes its own store opener, error printer and ``--db`` option, so this module never
imports api.cli (which also runs as ``python -m api.cli``).
"""

import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from graph import analytics
from graph.analytics import measures
from graph.query import resolve_name
from graph.store import GraphStore
from graph.vocab import LAYERS

TABLE_WIDTH = 180  # a ranking of every metric stays readable when piped
out = Console(width=None if sys.stdout.isatty() else TABLE_WIDTH)
err = Console(stderr=True, soft_wrap=True)

MetricOption = Annotated[list[str] | None, typer.Option(
    "--metric", "-m", help="all, or one or more of: " + ", ".join(analytics.METRICS)
    + " [default: all]", show_default=False)]
RelOption = Annotated[list[str] | None, typer.Option(
    "--rel", help="Relation type that counts as a dependency (repeatable) [default: "
    "the vocabulary's dependency relations, DEPENDS_ON]", show_default=False)]
ConfidenceOption = Annotated[float, typer.Option(
    "--min-confidence", min=0.0, max=1.0, help="Ignore edges below this confidence")]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="ISO date: only edges in force then (the snapshots of each dataset "
    "in force on that date; default: the newest)", show_default=False)]
LayerOption = Annotated[str | None, typer.Option(
    "--layer", help="Dependency layer: all, " + ", ".join(LAYERS) + " [default: all; "
    "single points of failure per layer, united]", show_default=False)]
WeightOption = Annotated[str | None, typer.Option(
    "--weight", help="Numeric edge property to weigh dependencies by (e.g. weight, "
    "ipv4_addresses) [default: unweighted]", show_default=False)]
EngineOption = Annotated[str, typer.Option(
    "--engine", help="auto, networkx or igraph")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON")]


def register(app: typer.Typer, store_for: Callable[[str | None], GraphStore],
             fail: Callable[[str], NoReturn], db_option: Any,
             note: Callable[[str | None], None]) -> None:
    """Add the analytics commands to ``app`` (``note`` prints how a shared name was read)."""

    @app.command("centrality")
    def centrality(metric: MetricOption = None, rel: RelOption = None,
                   min_confidence: ConfidenceOption = 0.0, as_of: AsOfOption = None,
                   weight: WeightOption = None,
                   top: Annotated[int | None, typer.Option(
                       "--top", min=1, help="Show the first N", show_default=False)] = None,
                   engine: EngineOption = "auto", layer: LayerOption = None,
                   as_json: JsonOption = False, db: db_option = None) -> None:
        """Compute dependency centrality, store the scores on the nodes, print a ranking
        (see docs/analytics.md for each metric's definition)."""
        with store_for(db) as store:
            try:
                rows = analytics.centrality(store, metric or "all", rel, min_confidence,
                                            as_of, weight, None, engine, layer)
            except ValueError as exc:
                fail(str(exc))
        err.print(_note(len(rows), rel, weight, layer), highlight=False)
        rows = rows[:top] if top else rows
        if as_json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            out.print(_ranking(rows, analytics.metric_names(metric or "all")))

    @app.command("impact")
    def impact(ref: Annotated[str, typer.Argument(help="Entity name, id or key")],
               rel: RelOption = None, min_confidence: ConfidenceOption = 0.0,
               as_of: AsOfOption = None, weight: WeightOption = None,
               engine: EngineOption = "auto", layer: LayerOption = None,
               as_json: JsonOption = False, db: db_option = None) -> None:
        """What depends on an entity, directly and transitively (with weights), and which
        dependents would be cut off entirely if it failed (per dependency layer)."""
        with store_for(db) as store:
            chosen = resolve_name(store, ref)
            note(chosen.note)
            try:
                report = analytics.impact(store, chosen.id, rel, min_confidence, as_of,
                                          weight, engine, layer)
            except ValueError as exc:
                fail(str(exc))
        if as_json:
            print(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            _print_impact(report)


def _note(n: int, rel: list[str] | None, weight: str | None, layer: str | None) -> str:
    k = measures.default_betweenness_k(n)
    how = "exact" if k is None else f"sampled from k={k} sources, seed {measures.BETWEENNESS_SEED}"
    on = (f"{', '.join(rel)} edges" if rel else
          f"the {layer} layer" if layer and layer != "all" else "every dependency layer")
    return (f"{n} nodes on {on}, {'weighted by ' + weight if weight else 'unweighted'}; "
            f"betweenness {how}; scores stored on the nodes")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def _ranking(rows: list[dict[str, Any]], names: list[str]) -> Table:
    table = Table("#", "name", "type", *names)
    for rank, row in enumerate(rows, 1):
        table.add_row(str(rank), escape(str(row["name"])), escape(str(row["type"] or "")),
                      *(_show(row[n]) for n in names))
    return table


def _by_layer(counts: dict[str, int]) -> str:
    shown = [f"{n} in {layer}" for layer, n in counts.items() if n]
    return f" ({', '.join(shown)})" if len(counts) > 1 and shown else ""


def _print_impact(report: dict[str, Any]) -> None:
    out.print(f"[bold]{escape(report['name'])}[/bold] ({escape(report['id'])}): "
              f"{report['dependents']} direct, {report['transitive_dependents']} transitive "
              f"dependents, dependency share {report['dependency_share']:.4g} "
              f"(by {escape(report['weight'])}); {report['cut_off_count']} cut off if it fails"
              + _by_layer(report["cut_off_by_layer"]))
    table = Table("dependent", "type", "distance", "weight", "cut off", title="dependents")
    cut = {c["id"] for c in report["cut_off"]}
    for row in report["transitive"]:
        table.add_row(escape(row["name"]), escape(str(row["type"] or "")), str(row["distance"]),
                      _show(row["weight"]), "yes" if row["id"] in cut else "")
    out.print(table)
