"""The test server takes any Neo4j setting by its neo4j.conf name (``settings``), as the
benchmarks' server-settings experiments need."""

from __future__ import annotations

import neo4j
import pytest

from tests.neo4j_server import Neo4jTestServer


@pytest.mark.neo4j
def test_a_setting_given_by_name_is_in_force():
    with Neo4jTestServer(settings={"db.transaction.timeout": "7s"}) as server:
        assert server.uri is not None
        with neo4j.GraphDatabase.driver(server.uri, auth=None) as driver:
            records = driver.execute_query(
                "SHOW SETTINGS YIELD name, value WHERE name = 'db.transaction.timeout' "
                "RETURN value").records
    assert [r["value"] for r in records] == ["7s"]
