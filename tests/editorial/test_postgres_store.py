"""What only the shared PostgreSQL store does: migrating a database made by an older
Curbside, and counting failed sign-ins for every server process together."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from curbside.editorial import audit
from curbside.store.connect import migrate
from curbside.store.postgres import (
    MIGRATIONS,
    SCHEMA_VERSION,
    DatabaseUnavailableError,
    PostgresEditorialStore,
)
from curbside.web.throttle import LoginThrottle
from tests.postgres import PostgresServer
from tests.servers import free_port


def test_an_older_database_is_migrated_in_place(postgres: PostgresServer,
                                                tmp_path: Path) -> None:
    url = postgres.new_database()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(MIGRATIONS[1].encode())
        connection.execute("INSERT INTO curbside_schema (version) VALUES (1)")
    store = PostgresEditorialStore(url, tmp_path)
    try:
        assert not store.schema_current()
        migrate(store)
        assert store.schema_current()
        versions = [r[0] for r in store.execute("SELECT version FROM curbside_schema "
                                                "ORDER BY version")]
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        migrate(store)  # current: nothing happens
        assert store.execute("SELECT count(*) FROM curbside_schema")[0][0] == SCHEMA_VERSION
        assert audit.verify(store)[0]
    finally:
        store.close()


def test_server_processes_share_one_sign_in_throttle(postgres: PostgresServer,
                                                    tmp_path: Path) -> None:
    """Two throttles (as two server processes have) over one database: failures through
    either count against the same limits."""
    store = PostgresEditorialStore(postgres.new_database(), tmp_path)
    try:
        migrate(store)
        one, other = (LoginThrottle(per_account=3, per_address=100, window_seconds=900,
                                    shared=store) for _ in range(2))
        for throttle in (one, other, one):
            stamps, wait = throttle.begin("dr-target", "192.0.2.1")
            assert stamps is not None and wait == 0  # counted; the password is then wrong
        assert other.locked_now("dr-target", "192.0.2.1")
        for throttle in (one, other):
            stamps, wait = throttle.begin("dr-target", "192.0.2.2")
            assert stamps is None and 0 < wait <= 900
        # A right password through one takes the account's failures back for both.
        stamps, _ = other.begin("dr-other", "192.0.2.3")
        assert stamps is not None
        other.succeeded("dr-other", "192.0.2.3", stamps)
        assert one.accounts.count("dr-other") == 0 and one.addresses.count("192.0.2.3") == 0
        assert one.accounts.count("dr-target") == 3
    finally:
        store.close()


def test_an_unreachable_database_is_said_plainly(tmp_path: Path) -> None:
    store = PostgresEditorialStore(f"postgresql://curbside:secret-pw@127.0.0.1:{free_port()}/x",
                                   tmp_path)
    with pytest.raises(DatabaseUnavailableError, match="Cannot use the PostgreSQL") as caught:
        migrate(store)
    assert "secret-pw" not in str(caught.value) and "CURBSIDE_DATABASE_URL" in str(caught.value)
