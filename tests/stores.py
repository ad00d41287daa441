"""The editorial stores the tests run against, opened as Curbside opens them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import SecretStr

from curbside.library.store import Library
from curbside.settings import Settings
from curbside.store.connect import migrate, open_editorial
from curbside.store.editorial import EditorialStore
from curbside.store.sql import SQLEditorialStore


def board_db(library: Library, database_url: str | None = None) -> EditorialStore:
    """The editorial store of a library (or of a PostgreSQL URL), migrated."""
    settings = Settings(library=library.directory,
                        database_url=SecretStr(database_url) if database_url else None)
    store = open_editorial(settings, library)
    migrate(store)
    return store


def sql(db: EditorialStore, query: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """A statement run on the store's database directly, as someone holding it could."""
    assert isinstance(db, SQLEditorialStore)
    return db.execute(query, params)
