"""``govgraph sync``: copy the embedded graph into Neo4j (``--to``) or back (``--from``).
A thin wrapper over :func:`graph.store.sync.sync`. (No ``from __future__ import
annotations``: typer reads the option annotations, which name a local.)"""

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.store import GraphStore
from graph.store.sync import sync


def register(app: typer.Typer, store_for: Callable[..., GraphStore],
             fail: Callable[[str], NoReturn], db_option: Any) -> None:
    """Add the ``sync`` command to ``app``."""

    @app.command("sync")
    def sync_cmd(
            to: Annotated[str | None, typer.Option(
                "--to", help="Copy the local store (--db) into this store, e.g. "
                "neo4j://host:7687, or into a stopped Neo4j's home folder (bulk import)",
                show_default=False)] = None,
            from_: Annotated[str | None, typer.Option(
                "--from", help="Copy this store (e.g. neo4j://host:7687) into the local "
                "store (--db)", show_default=False)] = None,
            replace: Annotated[bool, typer.Option(
                "--replace", help="Delete what the destination holds first")] = False,
            neo4j_admin: Annotated[str | None, typer.Option(
                "--neo4j-admin", help="The neo4j-admin command for --to FOLDER (default: "
                "FOLDER/bin/neo4j-admin, else on the PATH)", show_default=False)] = None,
            database: Annotated[str, typer.Option(
                "--database", help="The database --to FOLDER imports into")] = "neo4j",
            db: db_option = None) -> None:
        """Copy a whole graph, claims and merge history included, between the embedded
        SQLite store and Neo4j. The destination must be empty (or use --replace). --to a
        folder (the home of a stopped Neo4j) writes the database with `neo4j-admin database
        import full` instead of transactions."""
        if (to is None) == (from_ is None):
            fail("give exactly one of --to URI or --from URI")
        if to and Path(to).is_dir():
            _import(to, neo4j_admin, database, db)
            return
        err = Console(stderr=True)
        with store_for(db, create=bool(from_)) as local, \
                store_for(to or from_, create=bool(to)) as remote:
            src, dst = (local, remote) if to else (remote, local)
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err, transient=True,
                          disable=not err.is_terminal) as bar:
                task = bar.add_task("copying", total=None)

                def progress(what: str, done: int, total: int) -> None:
                    bar.update(task, description=what, completed=done, total=total)

                copied = sync(src, dst, progress, replace=replace)
        _copied(copied)

    def _import(home: str, admin: str | None, database: str, db: str | None) -> None:
        from graph.store.neo4j_import import import_into_home

        with store_for(db) as local:
            try:
                copied = import_into_home(local, home, shlex.split(admin) if admin else None,
                                          database)
            except (RuntimeError, ValueError) as exc:
                fail(f"{home}: {exc}")
        _copied(copied)


def _copied(copied: dict[str, int]) -> None:
    parts = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in copied.items() if n)
    typer.echo(f"copied {parts or 'nothing'}")
