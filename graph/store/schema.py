"""The SQLite schema and its migrations. ``PRAGMA user_version`` is the schema version; each
entry of MIGRATIONS (SQL statements, or a function of the connection) upgrades from its index
to the next, in one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator

from graph.store.scores import metric_order, to_row


def _scores_table(db: sqlite3.Connection) -> None:
    """2 -> 3: scores move from a JSON object per node (``nodes.scores``) to a table with a
    row per metric and node, indexed for ranking; the metrics' write order (the key order
    of the JSON objects) is kept in ``score_metrics``."""
    db.execute("CREATE TABLE score_metrics(metric TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
    # A metric's rows are contiguous, so writing one touches only its own pages. ``value``
    # has no declared type (no affinity): integers stay integers, floats floats.
    db.execute("CREATE TABLE scores(metric TEXT NOT NULL, nid INTEGER NOT NULL, value,"
               " detail TEXT, PRIMARY KEY(metric, nid)) WITHOUT ROWID")
    db.execute("CREATE INDEX scores_rank ON scores(metric, value DESC)")  # (…, nid) implied
    orders: set[tuple[str, ...]] = set()

    def rows() -> Iterator[tuple]:
        for nid, text in db.execute("SELECT nid, scores FROM nodes WHERE scores <> '{}'"):
            scores = json.loads(text)
            orders.add(tuple(scores))
            yield from ((metric, nid, *to_row(value)) for metric, value in scores.items())

    db.executemany("INSERT INTO scores(metric, nid, value, detail) VALUES (?,?,?,?)", rows())
    db.executemany("INSERT INTO score_metrics(metric, seq) VALUES (?,?)",
                   [(metric, seq) for seq, metric in enumerate(metric_order(orders), 1)])
    db.execute("ALTER TABLE nodes DROP COLUMN scores")
    db.execute(_DELETE_SCORES_WITH_NODE)


# A deleted node's scores go with it (its nid may be given to the next new node). A trigger
# rather than a foreign key: ON DELETE CASCADE would need an index on nid, and that index
# would interleave the metrics again. Every metric with rows has a score_metrics row, so
# this is one primary-key seek per metric.
_DELETE_SCORES_WITH_NODE = (
    "CREATE TRIGGER nodes_delete_scores AFTER DELETE ON nodes BEGIN"
    " DELETE FROM scores WHERE metric IN (SELECT metric FROM score_metrics)"
    " AND nid=old.nid; END")


def _scores_with_ids(db: sqlite3.Connection) -> None:
    """6 -> 7: each score row carries its node's id (a node's id never changes), and the
    ranking index orders by it after the value, so ``top`` of a metric with a large tie is
    an index range like any other, with no sort of the tie. The table is copied in key
    order into a new one rather than updated in place (a quarter of the CPU: rows written
    once, in order)."""
    db.execute("DROP TRIGGER nodes_delete_scores")
    db.execute("CREATE TABLE scores_new(metric TEXT NOT NULL, nid INTEGER NOT NULL, value,"
               " detail TEXT, id TEXT, PRIMARY KEY(metric, nid)) WITHOUT ROWID")
    db.execute("INSERT INTO scores_new(metric, nid, value, detail, id) SELECT s.metric, s.nid,"
               " s.value, s.detail, n.id FROM scores s LEFT JOIN nodes n ON n.nid = s.nid"
               " ORDER BY s.metric, s.nid")
    db.execute("DROP TABLE scores")
    db.execute("ALTER TABLE scores_new RENAME TO scores")
    db.execute("CREATE INDEX scores_rank ON scores(metric, value DESC, id)")
    db.execute(_DELETE_SCORES_WITH_NODE)


MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # 0 -> 1: the first schema.
    """
    CREATE TABLE sources(
        sid INTEGER PRIMARY KEY, source_id TEXT NOT NULL UNIQUE, uri TEXT, loader TEXT,
        retrieved_at TEXT, loaded_at TEXT, n_entities INTEGER DEFAULT 0,
        n_relations INTEGER DEFAULT 0);
    CREATE TABLE nodes(
        nid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
        name TEXT NOT NULL, aliases TEXT NOT NULL DEFAULT '[]', keys TEXT NOT NULL DEFAULT '[]',
        props TEXT NOT NULL DEFAULT '{}', scores TEXT NOT NULL DEFAULT '{}',
        first_seen TEXT, last_seen TEXT);
    CREATE INDEX nodes_type ON nodes(type);
    CREATE TABLE node_claims(
        nid INTEGER NOT NULL REFERENCES nodes(nid) ON DELETE CASCADE,
        sid INTEGER NOT NULL REFERENCES sources(sid) ON DELETE CASCADE,
        type TEXT NOT NULL, name TEXT NOT NULL, aliases TEXT, keys TEXT, props TEXT,
        locator TEXT, first_seen TEXT, last_seen TEXT,
        PRIMARY KEY(nid, sid)) WITHOUT ROWID;
    CREATE INDEX node_claims_sid ON node_claims(sid);
    CREATE TABLE aliases(
        norm TEXT NOT NULL, nid INTEGER NOT NULL REFERENCES nodes(nid) ON DELETE CASCADE,
        kind TEXT NOT NULL, PRIMARY KEY(norm, nid, kind)) WITHOUT ROWID;
    CREATE INDEX aliases_nid ON aliases(nid);
    CREATE VIRTUAL TABLE names_fts USING fts5(text, tokenize='trigram');
    CREATE TABLE edges(
        eid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,
        src INTEGER NOT NULL REFERENCES nodes(nid), dst INTEGER NOT NULL REFERENCES nodes(nid),
        type TEXT NOT NULL, props TEXT NOT NULL DEFAULT '{}', confidence REAL NOT NULL,
        weight REAL, start TEXT, end TEXT);
    CREATE INDEX edges_src ON edges(src, type);
    CREATE INDEX edges_dst ON edges(dst, type);
    CREATE INDEX edges_type ON edges(type, confidence);
    CREATE TABLE edge_claims(
        eid INTEGER NOT NULL REFERENCES edges(eid) ON DELETE CASCADE,
        sid INTEGER NOT NULL REFERENCES sources(sid) ON DELETE CASCADE,
        locator TEXT NOT NULL DEFAULT '', confidence REAL NOT NULL, props TEXT,
        PRIMARY KEY(eid, sid, locator)) WITHOUT ROWID;
    CREATE INDEX edge_claims_sid ON edge_claims(sid);
    CREATE TABLE redirects(old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL, reason TEXT);
    CREATE TABLE merge_log(merged TEXT NOT NULL, into_id TEXT NOT NULL, reason TEXT,
        source_id TEXT);
    """,
    # 1 -> 2: people's same / not-same judgements, consulted before name merges.
    """
    CREATE TABLE judgements(
        sid INTEGER NOT NULL REFERENCES sources(sid) ON DELETE CASCADE,
        a TEXT NOT NULL, b TEXT NOT NULL, same INTEGER NOT NULL, locator TEXT);
    CREATE INDEX judgements_sid ON judgements(sid);
    """,
    # 2 -> 3: a scores table (metric, nid, value, detail) ranked by (metric, value DESC).
    _scores_table,
    # 3 -> 4: each endpoint's edges indexed in the order they are served (highest
    # confidence first, then key), so the first N edges of a node with 15,000 (a registry,
    # a big provider) are an index range rather than a sort of all of them.
    """
    DROP INDEX edges_src;
    DROP INDEX edges_dst;
    CREATE INDEX edges_src ON edges(src, confidence DESC, key);
    CREATE INDEX edges_dst ON edges(dst, confidence DESC, key);
    """,
    # 4 -> 5: a source may be one snapshot of a dataset, observed on a date (graph/timeline.py).
    """
    ALTER TABLE sources ADD COLUMN dataset TEXT;
    ALTER TABLE sources ADD COLUMN observed TEXT;
    """,
    # 5 -> 6: how to undo a node absorbed into another (graph/store/absorb.py), kept with
    # the source that caused it.
    """
    CREATE TABLE absorbed(
        seq INTEGER PRIMARY KEY,
        sid INTEGER NOT NULL REFERENCES sources(sid) ON DELETE CASCADE,
        absorbed TEXT NOT NULL, kept TEXT NOT NULL, record TEXT NOT NULL);
    CREATE INDEX absorbed_sid ON absorbed(sid);
    """,
    # 6 -> 7: scores ranked by (metric, value DESC, id), the node's id on each row.
    _scores_with_ids,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> int:
    """Bring the database to SCHEMA_VERSION; returns the version it was at. Refuses a
    database written by a newer govgraph."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"database schema {version} is newer than this govgraph "
                           f"({SCHEMA_VERSION}); upgrade govgraph")
    for target in range(version, SCHEMA_VERSION):
        db.execute("BEGIN IMMEDIATE")
        if db.execute("PRAGMA user_version").fetchone()[0] != target:  # another process did it
            db.execute("ROLLBACK")
            continue
        try:
            step = MIGRATIONS[target]
            if callable(step):
                step(db)
            else:
                for statement in step.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version={target + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return version
