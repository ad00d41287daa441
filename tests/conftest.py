"""Shared fixtures: the public data sets and a starter library built from them once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.library.ingest import ingest_paths
from curbside.library.starter import starter_paths
from curbside.library.store import Library
from curbside.settings import Settings
from tests.postgres import MISSING, PostgresServer, postgres_server, server_binaries


@pytest.fixture(scope="session")
def data_dir() -> Path:
    folder = Settings().data
    assert (folder / "pubmedqa").is_dir(), (
        f"The public data sets are not at {folder}; set CURBSIDE_DATA to the shared data folder."
    )
    return folder


@pytest.fixture(scope="session")
def starter_library_dir(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("starter")
    with Library(directory, create=True) as library:
        report = ingest_paths(library, starter_paths(data_dir))
    assert report.records > 10_000
    return directory


@pytest.fixture()
def starter_library(starter_library_dir: Path) -> Iterator[Library]:
    with Library(starter_library_dir) as library:
        yield library


@pytest.fixture()
def empty_library(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "library", create=True) as library:
        yield library


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole run (each test takes a fresh database)."""
    if server_binaries() is None:
        pytest.exit(MISSING, returncode=4)
    with postgres_server() as server:
        yield server
