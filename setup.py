"""What pyproject.toml cannot say: the repository's ``data/`` folder ships inside the
installed package as ``govgraph.data`` (so ``govgraph demo`` works from a wheel), while it
stays at the root of a checkout (``g.load(["data/demo"])``). One copy, mapped at build time.
Everything else is in pyproject.toml.

Folders of data files (``api/templates``, ``data/demo``, ...) are listed as namespace
packages: setuptools treats any importable folder as a package and warns about one it was
not told of, so data folders are named rather than left to that guess."""

from setuptools import find_namespace_packages, setup

setup(packages=[*find_namespace_packages(include=["graph*", "loaders*", "api*", "govgraph"]),
                "govgraph.data",
                *(f"govgraph.data.{name}" for name in find_namespace_packages("data"))],
      package_dir={"govgraph.data": "data"})
