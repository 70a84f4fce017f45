"""What pyproject.toml cannot say: the repository's ``data/`` folder ships inside the
installed package as ``govgraph.data`` (so ``govgraph demo`` works from a wheel), while it
stays at the root of a checkout (``g.load(["data/demo"])``). One copy, mapped at build time.
Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["graph*", "loaders*", "api*", "govgraph*"]),
                "govgraph.data"],
      package_dir={"govgraph.data": "data"})
