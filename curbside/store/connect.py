"""Which editorial store a command or server uses, and the explicit migration step.

Without `CURBSIDE_DATABASE_URL` the board's tables live in the library's SQLite file; with a
`postgresql://` URL they live in that database, shared by every process and host that uses
it. Constructing a store never changes a schema: `migrate` does, run by the commands that
create a library or use the board, and by `curbside serve` as it starts.
"""

from __future__ import annotations

import threading
from pathlib import Path

from curbside.editorial import audit
from curbside.library.store import Library
from curbside.settings import Settings
from curbside.store.editorial import EditorialStore
from curbside.store.sqlite import SQLiteEditorialStore

# One PostgreSQL store (and its pool of connections) per database and library in a process:
# a request borrows a connection instead of opening one.
_shared: dict[tuple[str, Path], EditorialStore] = {}
_shared_lock = threading.Lock()


def open_editorial(settings: Settings, library: Library) -> EditorialStore:
    """The editorial store of these settings (the library's own SQLite file by default)."""
    if settings.database_url is None:
        return SQLiteEditorialStore(library.connection)
    from curbside.store.postgres import PostgresEditorialStore  # only where it is used

    key = (settings.database_url.get_secret_value(), library.directory)
    with _shared_lock:
        store = _shared.get(key)
        if store is None:
            store = _shared[key] = PostgresEditorialStore(key[0], library.directory)
        return store


def forget_shared(store: EditorialStore) -> None:
    """Close a shared store and stop handing it out (its database is going away)."""
    with _shared_lock:
        for key, kept in list(_shared.items()):
            if kept is store:
                del _shared[key]
    store.close()


def migrate(store: EditorialStore) -> None:
    """Create the editorial tables, or bring older ones up to date, in one transaction; when
    they are current this only reads."""
    if store.schema_current():
        return
    if store.create_schema():
        audit.anchor(store)  # a library older than the head file gets one now
