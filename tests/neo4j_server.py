"""Start a throw-away Neo4j server for the test suite.

The server is the small embedded-Neo4j program in ``tools/neo4j-test-server``
(Neo4j Community 5.26 LTS, Bolt only, on 127.0.0.1, authentication disabled).
It is built with Maven on first use and run as a child JVM::

    with Neo4jTestServer() as server:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=None)

``start()`` returns a ``bolt://127.0.0.1:<port>`` URI; ``neo4j://`` with the
same host and port works too (client-side routing against the single server).

If the environment variable ``NEO4J_URI`` is set, this helper is not needed:
the test configuration uses that server directly and starts nothing.

Environment knobs (optional):
    NEO4J_TEST_SERVER_HEAP   maximum JVM heap, default ``1g``

This module has no pytest fixtures; the conftest builds them on top of it.
"""

from __future__ import annotations

import atexit
import collections
import fcntl
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_DIR = REPO_ROOT / "tools" / "neo4j-test-server"
TARGET_DIR = PROJECT_DIR / "target"
CLASSES_DIR = TARGET_DIR / "classes"
CLASSPATH_FILE = TARGET_DIR / "classpath.txt"
MAIN_CLASS = "govgraph.testserver.TestServer"
READY_PREFIX = "NEO4J_READY "

MVN_BUILD = [
    "mvn",
    "-q",
    "-B",
    "compile",
    "dependency:build-classpath",
    f"-Dmdep.outputFile={CLASSPATH_FILE}",
]

# Neo4j 5 on Java 17 (checked in debug.log): without java.nio the page cache
# falls back to a slower mode; without java.io + sun.nio.ch the transaction-log
# native accessors warn "Incorrect file descriptor". --enable-native-access is
# accepted by Java 17 and avoids native-access warnings on newer JDKs; the Netty
# property is one Neo4j's own server launcher sets.
JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
]
# Startup/CPU, not correctness: on the 2-core machine shared with the tests, C1-only JIT
# and the serial GC started ~2x faster and ran short test queries faster than the
# defaults (C2 compile threads compete for cores).
TEST_JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
# For long, heavy work (the benchmarks): the JIT and collector a Neo4j server ships with.
THROUGHPUT_JVM_FLAGS = ["-XX:+UseG1GC"]

_BUILD_TIMEOUT = 1200  # seconds; a cold build downloads ~200 jars
_TERM_GRACE = 20  # seconds between SIGTERM and SIGKILL
_TAIL_LINES = 40


def server_unavailable_reason() -> str | None:
    """Why no test server can be started here, or None if one can."""
    if shutil.which("java") is None:
        return "no `java` on PATH (needed for the Neo4j test server)"
    if shutil.which("mvn") is None and not _build_is_fresh():
        return "no `mvn` on PATH (needed to build tools/neo4j-test-server)"
    return None


def _build_is_fresh() -> bool:
    """True when target/ is newer than pom.xml and every Java source."""
    if not CLASSPATH_FILE.is_file() or not CLASSES_DIR.is_dir():
        return False
    if not any(CLASSES_DIR.rglob("*.class")):
        return False
    sources = [PROJECT_DIR / "pom.xml", *(PROJECT_DIR / "src").rglob("*.java")]
    newest_source = max(p.stat().st_mtime for p in sources)
    if CLASSPATH_FILE.stat().st_mtime <= newest_source:
        return False
    # The jars live in the local Maven repository, which may have been wiped.
    return all(Path(p).exists() for p in _read_classpath())


def _read_classpath() -> list[str]:
    text = CLASSPATH_FILE.read_text().strip()
    return [p for p in text.split(os.pathsep) if p]


def build() -> None:
    """Compile the server and resolve its classpath, unless already up to date.

    Safe to call from several processes at once (e.g. pytest-xdist workers).
    """
    TARGET_DIR.mkdir(parents=True, exist_ok=True)
    with open(TARGET_DIR / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _build_is_fresh():
            return
        if shutil.which("mvn") is None:
            raise RuntimeError("cannot build the Neo4j test server: no `mvn` on PATH")
        result = subprocess.run(
            MVN_BUILD,
            cwd=PROJECT_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=_BUILD_TIMEOUT,
        )
        if result.returncode != 0:
            tail = "\n".join(result.stdout.splitlines()[-_TAIL_LINES:])
            raise RuntimeError(
                f"building the Neo4j test server failed ({' '.join(MVN_BUILD)}, "
                f"exit {result.returncode}):\n{tail}"
            )
        # dependency:build-classpath may leave an unchanged file untouched.
        CLASSPATH_FILE.touch()


def admin_tool(heap: str = "1g") -> list[str]:
    """The command line of this Neo4j's ``neo4j-admin`` (``org.neo4j.cli.AdminTool``, from
    the same jars as the server: ``neo4j-import-tool`` is one of its dependencies)."""
    reason = server_unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    build()
    classpath = os.pathsep.join([str(CLASSES_DIR), *_read_classpath()])
    return ["java", f"-Xmx{heap}", *JVM_FLAGS, "-cp", classpath, "org.neo4j.cli.AdminTool"]


class Neo4jTestServer:
    """A Neo4j server in a child JVM, with its data in a temporary folder."""

    def __init__(self, heap: str | None = None, pagecache_mib: int = 128,
                 throughput: bool = False, data_dir: str | Path | None = None,
                 settings: dict[str, str] | None = None) -> None:
        """``heap``: the JVM's maximum heap (default: env NEO4J_TEST_SERVER_HEAP, else 1g);
        ``pagecache_mib``: Neo4j's page cache; ``throughput``: run with the JIT and garbage
        collector of a production server instead of the fast-starting test settings;
        ``data_dir``: serve the databases in this folder (its ``home-1`` is the DBMS home,
        e.g. one ``neo4j-admin database import`` wrote) and keep it after stop, instead of
        a new temporary folder; ``settings``: other Neo4j settings, named as in neo4j.conf."""
        self.heap = heap or os.environ.get("NEO4J_TEST_SERVER_HEAP", "1g")
        self.pagecache_mib = pagecache_mib
        self.jvm_flags = [*JVM_FLAGS, *(THROUGHPUT_JVM_FLAGS if throughput else TEST_JVM_FLAGS)]
        self.settings = dict(settings or {})
        # A production server's heap starts at its maximum (Neo4j's own advice); the tests'
        # small servers start small.
        self.initial_heap = self.heap if throughput else "256m"
        self.uri: str | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._given_dir = None if data_dir is None else str(data_dir)
        self._dir: str | None = None
        self._lines: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None

    # -- public API ---------------------------------------------------------

    def start(self, timeout: float = 300) -> str:
        """Build if needed, start the server and return its bolt:// URI."""
        if self._proc is not None:
            raise RuntimeError("server already started")
        deadline = time.monotonic() + timeout
        reason = server_unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        build()

        self._dir = self._given_dir or tempfile.mkdtemp(prefix="govgraph-neo4j-")
        classpath = os.pathsep.join([str(CLASSES_DIR), *_read_classpath()])
        cmd = [
            "java",
            f"-Xms{self.initial_heap}",
            f"-Xmx{self.heap}",
            *self.jvm_flags,
            "-cp",
            classpath,
            MAIN_CLASS,
            "--dir",
            self._dir,
            "--pagecache",
            str(self.pagecache_mib),
            *(arg for key, value in self.settings.items()
              for arg in ("--config", f"{key}={value}")),
        ]
        # stdin stays an open pipe: if this Python process dies, the pipe
        # closes and the server stops by itself.
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        atexit.register(self.stop)
        self._reader = threading.Thread(
            target=self._read_output, name="neo4j-test-server-output", daemon=True
        )
        self._reader.start()

        try:
            while not self._ready.wait(0.2):
                if self._proc.poll() is not None:
                    self._reader.join(5)
                    raise RuntimeError(
                        f"Neo4j test server exited with code {self._proc.returncode} "
                        f"before it was ready.\n{self._tail()}"
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Neo4j test server not ready after {timeout:.0f} s.\n{self._tail()}"
                    )
            assert self.uri is not None
            self._wait_for_bolt(deadline)
        except BaseException:
            self.stop()
            raise
        return self.uri

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 20 s) and remove its data."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(_TERM_GRACE)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdin:
                try:
                    proc.stdin.close()
                except OSError:
                    pass
            if self._reader is not None:
                self._reader.join(5)
            if proc.stdout:
                proc.stdout.close()
            atexit.unregister(self.stop)
        if self._dir is not None and self._dir != self._given_dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        self.uri = None
        self._ready.clear()

    @property
    def pid(self) -> int | None:
        """The server JVM's process id while it runs."""
        return None if self._proc is None else self._proc.pid

    @staticmethod
    def home(data_dir: str | Path) -> Path:
        """The DBMS home the server uses in ``data_dir`` (where an import must write)."""
        return Path(data_dir) / "home-1"

    def __enter__(self) -> Neo4jTestServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------

    def _read_output(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        try:
            for line in proc.stdout:  # keep draining so the pipe never fills
                line = line.rstrip("\n")
                self._lines.append(line)
                if not self._ready.is_set() and line.startswith(READY_PREFIX):
                    self.uri = line[len(READY_PREFIX) :].strip()
                    self._ready.set()
        except (OSError, ValueError):
            pass

    def _wait_for_bolt(self, deadline: float) -> None:
        import neo4j  # imported late: server_unavailable_reason() needs no driver

        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with neo4j.GraphDatabase.driver(self.uri, auth=None) as driver:
                    driver.verify_connectivity()
                return
            except Exception as e:  # noqa: BLE001 - retried until the deadline
                last_error = e
                time.sleep(0.5)
        raise RuntimeError(
            f"Neo4j test server at {self.uri} printed ready but Bolt did not "
            f"answer: {last_error!r}\n{self._tail()}"
        )

    def _tail(self) -> str:
        parts = ["--- last server output ---", *self._lines]
        if self._dir:
            logs = sorted(Path(self._dir).glob("home-*/logs/debug.log"))
            if logs:
                debug = logs[-1].read_text(errors="replace").splitlines()[-_TAIL_LINES:]
                parts += [f"--- {logs[-1]} (tail) ---", *debug]
        return "\n".join(parts)
