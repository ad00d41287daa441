"""A small library of synthetic documents (written for these tests, not real medicine) and
saved articles answered from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.answer.ask import answer_question
from curbside.editorial.accounts import Accounts, User
from curbside.editorial.store import ArticleStore
from curbside.library.store import Library
from curbside.models import Article, Document, DocumentSection
from curbside.settings import ComposerSettings, Settings
from curbside.store.editorial import EditorialStore
from tests.postgres import PostgresServer
from tests.stores import board_db

QUESTION = "What is zanthoxylosis?"
PASSWORD = "synthetic-password-1"


def synthetic(doc_id: str, title: str, text: str, types: list[str] | None = None,
              year: int = 2020) -> Document:
    return Document(id=doc_id, source="test", title=title, year=year,
                    publication_types=types or ["Journal Article"],
                    sections=[DocumentSection(label="CONCLUSIONS", text=text)])


DOCUMENTS = [
    synthetic("test:z1", "Zanthoxylosis: a synthetic test condition",
              "Zanthoxylosis is a synthetic test condition invented for Curbside's editorial "
              "tests. Zanthoxylosis presents with synthetic purple freckles on the left elbow. "
              "Zanthoxylosis is treated with synthetic rest in most test cases."),
    synthetic("test:z2", "Outcomes of synthetic zanthoxylosis",
              "Most synthetic zanthoxylosis cases resolve within 3 weeks in this test record. "
              "Zanthoxylosis mortality was 0% in the synthetic test cohort of 40 people."),
    synthetic("test:z3", "Risk of synthetic zanthoxylosis",
              "Zanthoxylosis risk was higher in synthetic test subjects who eat purple fruit. "
              "Zanthoxylosis is diagnosed by a synthetic elbow test in this record."),
]


@pytest.fixture()
def library(tmp_path: Path) -> Iterator[Library]:
    with Library(tmp_path / "library", create=True) as opened:
        opened.write(DOCUMENTS)
        yield opened


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """The editorial store's database: None for the library's own SQLite file, else a fresh
    database on the tests' PostgreSQL server."""
    if request.param == "sqlite":
        return None
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture()
def database_env(database_url: str | None) -> dict[str, str]:
    """What a process started by a test needs to use the same store."""
    return {"CURBSIDE_DATABASE_URL": database_url} if database_url else {}


@pytest.fixture()
def db(library: Library, database_url: str | None) -> Iterator[EditorialStore]:
    store = board_db(library, database_url)
    yield store
    store.close()


@pytest.fixture()
def store(db: EditorialStore) -> ArticleStore:
    return ArticleStore(db)


# The editorial tests need an article with several statements to edit, remove and reorder;
# which statements answer best is the composer tests' business, so the answer model is off.
EDITORIAL = Settings(composer=ComposerSettings(answer_model=False))


def new_article(library: Library, store: ArticleStore) -> Article:
    return store.save(answer_question(library, QUESTION, "clinician", EDITORIAL))


@pytest.fixture()
def article(library: Library, store: ArticleStore) -> Article:
    return new_article(library, store)


@pytest.fixture()
def people(store: ArticleStore) -> dict[str, User]:
    accounts = Accounts(store.db)
    return {role: accounts.add(f"{role}-one", role, PASSWORD)
            for role in ("editor", "reviewer", "admin")} | {
        "reviewer2": accounts.add("reviewer-two", "reviewer", PASSWORD)}
