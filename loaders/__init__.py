"""Loaders: one module per source kind, each returning a Batch and never touching a store.

Importing this package registers every loader and built-in dataset.
"""

from loaders import as2org, rpsl  # noqa: F401, I001  (before tabular: as2org JSON Lines)
from loaders import tabular  # noqa: F401, I001  (registers the CSV and JSON Lines loaders)
from loaders import delegated, ftm, iana, peeringdb  # noqa: F401, I001  (structured sources)
from loaders import asrel, rpki  # noqa: F401, I001  (routing; before pages, which take .txt)
from loaders import judgements, profile  # noqa: F401, I001  (pages; merge verdicts)
from loaders.base import Loader, LoadError, datasets, loader_for, loaders, read_text

__all__ = ["LoadError", "Loader", "datasets", "loader_for", "loaders", "read_text"]
