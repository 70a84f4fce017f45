"""The ``govgraph`` command. Each command wraps a library function of the same name
(``api.ops``, ``graph.query``, ``graph.analytics``) and prints its result."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api import ops
from api.cli_analytics import register as register_analytics
from api.cli_progress import load_progress
from api.cli_sync import register as register_sync
from api.cli_view import register as register_view
from api.settings import get_settings
from graph import export
from graph.store import GraphStore, StoreError, open_store
from graph.store.base import EdgeFilter

app = typer.Typer(help="govgraph: a knowledge graph of who runs the Internet's infrastructure, "
                       "who depends on whom, and who says what about it.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DEMO_DATA = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_DATASETS = ["iana"]

DbOption = Annotated[str | None, typer.Option(
    "--db", "--store", help="SQLite file or Neo4j URI (neo4j://host:7687) "
    "[env GOVGRAPH_STORE / GOVGRAPH_DB; default ./govgraph.db]", show_default=False)]


def one_line(text: str) -> str:
    """Text safe to print as one terminal line: control and bidi characters (from file names
    or hostile content) shown as escapes, rich markup escaped."""
    shown = "".join(ch if unicodedata.category(ch)[0] != "C"
                    else ch.encode("unicode_escape").decode("ascii") for ch in str(text))
    return escape(shown)


def say(label: str, message: str, style: str = "red") -> None:
    """One labelled line on stderr (``error: FILE:LINE: reason``)."""
    err.print(f"[{style}]{label}:[/{style}] {one_line(message)}", highlight=False,
              soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    say("error", message)
    raise typer.Exit(code)


def store_for(db: str | None) -> GraphStore:
    try:
        return open_store(db or get_settings().store)
    except Exception as exc:  # a broken file or an unreachable server: one line, no trace
        fail(f"{db or get_settings().store}: cannot open store: {exc}")


def _run_load(store: GraphStore, targets: list[str], quiet: bool = False) -> ops.LoadReport:
    with load_progress(err, quiet) as progress:
        report = ops.load(store, targets, progress)
    for line in report.errors:
        say("error", line)
    for line in report.warnings:
        say("warning", line, "yellow")
    if report.skipped_files:
        err.print(f"skipped {len(report.skipped_files)} files no loader recognises",
                  highlight=False)
    return report


@app.command()
def load(targets: Annotated[list[str], typer.Argument(
             help="Files, folders (walked recursively) or built-in dataset names")],
         db: DbOption = None,
         quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display")]
         = False) -> None:
    """Load files, folders or named datasets (e.g. `iana`). Each source loads whole or not at
    all; reloading a source replaces what it said before. On a terminal it shows records read
    or written, their rate and peak memory as it goes."""
    with store_for(db) as store:
        report = _run_load(store, targets, quiet)
    out.print(report.summary(), highlight=False)
    if report.errors:
        raise typer.Exit(1)


@app.command()
def unload(source: Annotated[str, typer.Argument(help="Source id or the path it was loaded "
                                                       "from (see `govgraph stats`)")],
           db: DbOption = None) -> None:
    """Remove a source and everything only it supported."""
    with store_for(db) as store:
        try:
            result = ops.unload(store, source)
        except StoreError as exc:
            fail(str(exc))
    out.print(f"unloaded {result.source_id}: {result.summary()}", highlight=False)


@app.command()
def stats(db: DbOption = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Counts of nodes, edges, claims and sources, by type."""
    with store_for(db) as store:
        data = store.stats()
        data["source_list"] = [s.source_id for s in store.sources()]
    if as_json:
        print(json.dumps(data, indent=2))
        return
    table = Table("what", "count", title=f"govgraph store {data['path'] if 'path' in data else ''}")
    for key in ("nodes", "edges", "claims", "sources"):
        table.add_row(key, str(data[key]))
    for kind in ("nodes_by_type", "edges_by_type"):
        for name, count in data[kind].items():
            table.add_row(f"  {name}", str(count))
    out.print(table)


@app.command("export")
def export_cmd(fmt: Annotated[str, typer.Option("--format", "-f", help="json, graphml, gexf, "
                                                 "csv, cypher, ftm or neo4j-import")] = "json",
               output: Annotated[Path | None, typer.Option("-o", "--output",
                                                           help="File (default: stdout)")] = None,
               as_of: Annotated[str | None, typer.Option(
                   "--as-of", help="ISO date: the edges in force then [default: now, the "
                   "newest snapshot of each dataset]", show_default=False)] = None,
               db: DbOption = None) -> None:
    """Export the whole graph. CSV writes FILE.nodes.csv and FILE.edges.csv beside -o FILE;
    neo4j-import writes the files `neo4j-admin database import full` reads into folder -o DIR
    (the whole graph, every snapshot: --as-of does not apply)."""
    if fmt == "neo4j-import":
        _export_neo4j_import(output, db)
        return
    flt = EdgeFilter(as_of=as_of)
    if fmt not in export.FORMATS:
        fail(f"unknown format {fmt!r}; choose from {', '.join(export.FORMATS)}")
    with store_for(db) as store:
        if fmt == "csv":
            stem = output.with_suffix("") if output else Path("govgraph")
            for part in ("nodes", "edges"):
                target = stem.with_name(f"{stem.name}.{part}.csv")
                _write(ops.export_chunks(store, fmt, flt=flt, part=part), target)
                err.print(f"wrote {target}", highlight=False)
            return
        _write(ops.export_chunks(store, fmt, flt=flt), output)


def _export_neo4j_import(folder: Path | None, db: str | None) -> None:
    from graph.store.neo4j_import import write_import_files

    if folder is None:
        fail("--format neo4j-import needs -o FOLDER")
    with store_for(db) as store:
        try:
            rows = write_import_files(store, folder)
        except (OSError, ValueError) as exc:
            fail(str(exc))
    err.print(f"wrote {folder}: {rows.get('nodes', 0)} nodes, {rows.get('edges', 0)} edges; "
              f"import with: cd {folder} && neo4j-admin database import full neo4j "
              "@import.args", highlight=False)


def _write(chunks: object, output: Path | None) -> None:
    if output is None:
        for chunk in chunks:  # type: ignore[attr-defined]
            sys.stdout.write(chunk)
        return
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        for chunk in chunks:  # type: ignore[attr-defined]
            fh.write(chunk)
    tmp.replace(output)


@app.command()
def demo(db: DbOption = None,
         no_serve: Annotated[bool, typer.Option("--no-serve", help="Build, summarise, exit")]
         = False,
         host: Annotated[str, typer.Option(help="Address to serve on")] = "127.0.0.1",
         port: Annotated[int, typer.Option(help="Port to serve on")] = 8000) -> None:
    """Build the demo graph from the data bundled with govgraph, then serve it."""
    import loaders

    targets = [str(DEMO_DATA)] + [d for d in DEMO_DATASETS if d in loaders.datasets()]
    with store_for(db) as store:
        report = _run_load(store, targets)
        _demo_extras(store)
        data = store.stats()
    out.print(report.summary(), highlight=False)
    out.print(f"demo graph: {data['nodes']} nodes, {data['edges']} edges, "
              f"{data['claims']} claims from {data['sources']} sources", highlight=False)
    if report.errors:
        raise typer.Exit(1)
    if not no_serve:
        serve(db=db, host=host, port=port)


def _demo_extras(store: GraphStore) -> None:
    """Steps later features add to the demo (analytics scores)."""
    try:
        from graph.analytics import compute_and_store
    except ImportError:
        return
    compute_and_store(store)


@app.command()
def serve(db: DbOption = None,
          host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
          workers: Annotated[int, typer.Option(
              min=1, help="Server processes (one per core uses every core; env "
                          "GOVGRAPH_WORKERS)")] = get_settings().workers) -> None:
    """Serve the HTTP API and viewer (http://HOST:PORT/, OpenAPI at /docs)."""
    import uvicorn

    from api.app import create_app

    store = store_for(db)
    out.print(f"serving {store.kind} store on http://{host}:{port}/"
              + (f" with {workers} processes" if workers > 1 else ""), highlight=False)
    if workers == 1:
        uvicorn.run(create_app(store=store), host=host, port=port, log_level="warning")
        return
    store.close()  # each worker process opens the store itself, named by GOVGRAPH_STORE
    os.environ["GOVGRAPH_STORE"] = db or get_settings().store
    uvicorn.run("api.app:create_app", factory=True, workers=workers, host=host, port=port,
                log_level="warning")


register_analytics(app, store_for, fail, DbOption)
register_view(app, store_for, fail, DbOption)
register_sync(app, store_for, fail, DbOption)


def main() -> None:
    """The console entry point: errors nobody anticipated end as one line, never a trace
    (set GOVGRAPH_DEBUG=1 to see it)."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("GOVGRAPH_DEBUG"):
            raise
        say("error", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        sys.exit(2)


if __name__ == "__main__":
    main()
