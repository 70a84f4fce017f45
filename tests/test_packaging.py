"""Installed from a wheel, govgraph carries everything it needs: the demo's sources (the
repository's data/ ships as ``govgraph.data``) and the viewer's templates. The wheel is
built from this checkout offline, installed into a fresh virtual environment, and
``govgraph demo --no-serve`` runs from a folder outside the checkout.

The fresh environment gets govgraph's dependencies from this interpreter's site-packages
(a path file), since no test may reach the Internet; govgraph itself comes only from the
wheel, and the checkout is never on the path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtual environment with govgraph installed from its
    wheel."""
    work = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "--no-build-isolation",
                "--no-index", "-w", work / "dist", cwd=work)
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("govgraph-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    fresh = env_dir / "bin" / "python"
    purelib = run(fresh, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                  cwd=work).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "govgraph-test-deps.pth").write_text(deps + "\n")
    installed = run(sys.executable, "-m", "pip", "--python", fresh, "install", "--no-deps",
                    "--no-index", wheel, cwd=work)
    assert installed.returncode == 0, installed.stderr
    return env_dir / "bin"


@pytest.mark.slow
def test_wheel_ships_the_demo_and_builds_it_from_anywhere(installed: Path, demo_db: Path,
                                                         tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "GOVGRAPH_STORE",
                                                             "GOVGRAPH_DB"}}
    where = run(installed / "python", "-c", "import govgraph, api; print(govgraph.__file__, "
                "api.__file__)", cwd=elsewhere, env=env)
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout, where.stdout
    db = elsewhere / "demo.db"
    demo = run(installed / "govgraph", "demo", "--no-serve", "--db", db, cwd=elsewhere, env=env)
    assert demo.returncode == 0, demo.stderr
    stats = json.loads(run(installed / "govgraph", "stats", "--json", "--db", db,
                           cwd=elsewhere, env=env).stdout)
    checkout = json.loads(run(sys.executable, "-m", "api.cli", "stats", "--json", "--db",
                              demo_db, cwd=ROOT).stdout)
    # the same graph as the checkout builds, with every kind of bundled source in it
    assert stats["nodes_by_type"] == checkout["nodes_by_type"]
    assert stats["edges_by_type"] == checkout["edges_by_type"]
    assert {"Person", "Profile", "Registry", "Prefix", "ASN"} <= set(stats["nodes_by_type"])
    assert stats["sources"] == checkout["sources"] >= 5
    templates = run(installed / "python", "-c", "from api.pages import env; "
                    "print(' '.join(sorted(n for n in env.list_templates() "
                    "if env.get_template(n))))", cwd=elsewhere, env=env)
    assert templates.stdout.split() == sorted(p.name for p in (ROOT / "api" / "templates")
                                              .iterdir()), templates.stderr
