"""The ``govgraph`` command. Each command wraps a library function of the same name
(``api.ops``, ``graph.query``, ``graph.analytics``) and prints its result."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from api import ops
from api.cli_analytics import register as register_analytics
from api.cli_fetch import DateOption, MirrorOption, fetch_targets, parse_date
from api.cli_fetch import register as register_fetch
from api.cli_progress import load_progress
from api.cli_sync import register as register_sync
from api.cli_view import register as register_view
from api.errors import classify, exit_code, where
from graph import export
from graph.query import merge_candidates
from graph.settings import SettingsError, get_settings
from graph.store import GraphStore, StoreError, open_store
from graph.store.base import AmbiguousName, BadReference, EdgeFilter
from loaders.fetch import FetchError


class Commands(TyperGroup):
    """The command group: a store's refusal or a bad setting, from any command, ends as its
    message and exit status (api/errors.py: 1; 75 busy; 69 unreachable; 2 bad setting)."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click.Context
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            say("error", f"bad setting: {exc}")
            raise typer.Exit(2) from None
        except Exception as exc:
            problem = classify(exc)
            if not isinstance(problem, StoreError):  # typer's own exits and usage errors too
                raise
            explain(problem)
            raise typer.Exit(exit_code(problem)) from None


app = typer.Typer(cls=Commands, help="govgraph: a knowledge graph of who runs the Internet's "
                  "infrastructure, who depends on whom, and who says what about it.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
# Seconds a server process may take to answer uvicorn's health ping before it is killed and
# restarted. uvicorn's 5 s is less than a spawned worker takes to import this module (and the
# loaders) on a busy 2-core machine: at load average 12 the workers were restarted every
# 5-10 s and the server never answered.
WORKER_HEALTHCHECK_S = 120

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


def store_for(db: str | None, create: bool = False) -> GraphStore:
    """The store ``--db`` names (else the settings' store). A command that only reads
    passes ``create=False``: a file that does not exist is NoGraph, and none is made."""
    settings = get_settings()
    location = db or settings.store
    try:
        return open_store(location, create, **settings.store_options(location))
    except StoreError:
        raise
    except Exception as exc:  # a broken file or an unreachable server: one line, no trace
        problem = classify(exc)
        if isinstance(problem, StoreError):
            raise problem from exc
        fail(f"{location}: cannot open store: {exc}")


def explain(exc: StoreError) -> None:
    """A store's refusal on stderr: one line (``FILE:LINE: reason`` for a bad reference),
    and the candidates, one per line, for an ambiguous name."""
    if isinstance(exc, BadReference):
        say("error", where(exc))
    elif isinstance(exc, AmbiguousName):
        say("error", f"{exc.ref!r} names {len(exc.candidates)} entities; give one of "
                     "these ids instead:")
        for entity_id, type_name, name in exc.candidates:
            err.print(f"  {one_line(entity_id)}  {one_line(type_name)}  {one_line(name)}",
                      highlight=False)
    else:
        say("error", str(exc))


def note(message: str | None) -> None:
    """A one-line note on stderr (how a shared name was read), when there is one."""
    if message:
        say("note", message, "cyan")


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
             help="Files, folders (walked recursively) or dataset names")],
         db: DbOption = None, when: DateOption = None, mirror: MirrorOption = None,
         quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display")]
         = False) -> None:
    """Load files, folders or named datasets (e.g. `iana`; or a public dataset such as
    `caida-as2org --date 2023-03-01`, fetched first when not cached, see `govgraph fetch`).
    Each source loads whole or not at all; reloading a source replaces what it said
    before. On a terminal it shows records read or written, their rate and peak memory as
    it goes."""
    try:
        targets = fetch_targets(targets, parse_date(when), mirror)
    except (ValueError, FetchError) as exc:
        fail(str(exc))
    with store_for(db, create=True) as store:
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
        result = ops.unload(store, source)
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


@app.command()
def candidates(db: DbOption = None,
               as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False
               ) -> None:
    """Nodes that share a name but are not one node (a bare name match across sources is a
    candidate, not a merge): judge them with a judgements file, or let a registry record tie
    them."""
    with store_for(db) as store:
        found = merge_candidates(store)
    if as_json:
        print(json.dumps(found, indent=2))
        return
    table = Table("name", "nodes", title=f"{len(found)} merge candidates")
    for row in found:
        table.add_row(escape(row["name"]),
                      escape("; ".join(f"{n['id']} ({n['name']})" for n in row["nodes"])))
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


def _write(chunks: Iterable[str], output: Path | None) -> None:
    if output is None:
        sys.stdout.writelines(chunks)
        return
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(chunks)
    tmp.replace(output)


@app.command()
def demo(db: DbOption = None,
         no_serve: Annotated[bool, typer.Option("--no-serve", help="Build, summarise, exit")]
         = False,
         host: Annotated[str | None, typer.Option(
             help="Address to serve on [env GOVGRAPH_HOST; default 127.0.0.1]",
             show_default=False)] = None,
         port: Annotated[int | None, typer.Option(
             help="Port to serve on [env GOVGRAPH_PORT; default 8000]", show_default=False)]
         = None) -> None:
    """Build the demo graph from the data bundled with govgraph, then serve it."""
    with store_for(db, create=True) as store:
        report = _run_load(store, ops.demo_targets())
        ops.score(store)
        data = store.stats()
    out.print(report.summary(), highlight=False)
    out.print(f"demo graph: {data['nodes']} nodes, {data['edges']} edges, "
              f"{data['claims']} claims from {data['sources']} sources", highlight=False)
    if report.errors:
        raise typer.Exit(1)
    if not no_serve:
        serve(db=db, host=host, port=port)


@app.command()
def serve(db: DbOption = None,
          host: Annotated[str | None, typer.Option(
              help="Address to listen on [env GOVGRAPH_HOST; default 127.0.0.1]",
              show_default=False)] = None,
          port: Annotated[int | None, typer.Option(
              min=1, max=65535, help="Port to listen on [env GOVGRAPH_PORT; default 8000]",
              show_default=False)] = None,
          workers: Annotated[int | None, typer.Option(
              min=1, help="Server processes, one per core for a busy server [env "
                          "GOVGRAPH_WORKERS; default 1]", show_default=False)] = None) -> None:
    """Serve the HTTP API and viewer (http://HOST:PORT/, OpenAPI at /docs)."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    workers = workers or settings.workers
    store = store_for(db)
    out.print(f"serving {store.kind} store on http://{host}:{port}/"
              + (f" with {workers} processes" if workers > 1 else ""), highlight=False)
    if workers == 1:
        uvicorn.run(create_app(store=store), host=host, port=port, log_level="warning")
        return
    store.close()  # each worker process opens the store itself, named by GOVGRAPH_STORE
    os.environ["GOVGRAPH_STORE"] = db or settings.store
    uvicorn.run("api.app:create_app", factory=True, workers=workers, host=host, port=port,
                log_level="warning", timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)


register_analytics(app, store_for, fail, DbOption, note)
register_view(app, store_for, fail, DbOption, note)
register_sync(app, store_for, fail, DbOption)
register_fetch(app, fail)


def _debug() -> bool:
    """GOVGRAPH_DEBUG, or False when the settings themselves cannot be read."""
    try:
        return get_settings().debug
    except SettingsError:
        return False


def main() -> None:
    """The console entry point: errors nobody anticipated end as one line and exit 2, never
    a trace (set GOVGRAPH_DEBUG=1 to see it). Store and settings errors are the command
    group's (:class:`Commands`)."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        sys.exit(130)
    except Exception as exc:
        if _debug():
            raise
        say("error", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        sys.exit(2)


if __name__ == "__main__":
    main()
