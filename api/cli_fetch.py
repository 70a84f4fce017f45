"""``govgraph fetch NAME``: download a named public dataset into the cache and print its
paths; and the step ``govgraph load NAME --date ...`` takes first (fetch when not cached).
Thin wrappers over :mod:`loaders.fetch`. (No ``from __future__ import annotations``: typer
reads the option annotations.)"""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

import loaders
from loaders import fetch as fetcher

DateOption = Annotated[str | None, typer.Option(
    "--date", help="Publication date YYYY-MM-DD (default: the current file, where there is "
    "one)", show_default=False)]
MirrorOption = Annotated[str | None, typer.Option(
    "--mirror", help="Fetch every file from this base URL by its official file name "
    "[env GOVGRAPH_MIRROR]", show_default=False)]


def parse_date(text: str | None) -> date | None:
    """``YYYY-MM-DD`` as a date; ValueError with the reason otherwise."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--date {text!r} is not a date YYYY-MM-DD") from None


def fetch_with_bar(name: str, when: date | None, mirror: str | None,
                   force: bool = False) -> list[Path]:
    """:func:`loaders.fetch.fetch` with a progress bar on stderr (when it is a terminal)."""
    err = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), TimeRemainingColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(file: str, done: int, total: int | None) -> None:
            if file not in tasks:
                tasks[file] = bar.add_task(file, total=total)
            bar.update(tasks[file], completed=done, total=total)

        return fetcher.fetch(name, when, mirror, progress, force)


def fetch_targets(targets: list[str], when: date | None, mirror: str | None) -> list[str]:
    """``targets`` with each catalogued dataset name (that is not a file, folder or built-in
    dataset) replaced by the paths of its files, fetched when not cached."""
    builtin = loaders.datasets()
    out: list[str] = []
    for target in targets:
        if Path(target).exists() or target in builtin or not fetcher.is_dataset(target):
            out.append(target)
        else:
            out.extend(str(p) for p in fetch_with_bar(target, when, mirror))
    return out


def register(app: typer.Typer, fail: Callable[[str], NoReturn]) -> None:
    """Add the ``fetch`` command to ``app``."""

    @app.command("fetch")
    def fetch_cmd(
            name: Annotated[str | None, typer.Argument(
                help="Dataset (e.g. caida-as2org, rir-delegated:afrinic); see --list",
                show_default=False)] = None,
            when: DateOption = None,
            mirror: MirrorOption = None,
            force: Annotated[bool, typer.Option("--force", help="Download again even when "
                                                "the file is cached")] = False,
            list_: Annotated[bool, typer.Option("--list", help="List the datasets, where "
                                                "they come from and their terms")] = False,
    ) -> None:
        """Download a named public dataset into the cache (GOVGRAPH_CACHE, default
        ~/.cache/govgraph), verify it (size, archive integrity, published checksums) and
        print the path of each file."""
        if list_ or name is None:
            for key, spec in fetcher.catalogue().items():
                typer.echo(f"{key} (--date {spec.get('date', 'optional')}): {spec['source']}; "
                           f"terms: {spec['terms']}")
            return
        try:
            paths = fetch_with_bar(name, parse_date(when), mirror, force)
        except (ValueError, fetcher.FetchError) as exc:
            fail(str(exc))
        for path in paths:
            typer.echo(str(path))
