"""The E-utilities stand-in on loopback, and settings that point Curbside at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from curbside.settings import PubMedSettings, Settings
from tests.pubmed.standin import Recorded, StandIn, load_records, serving


@pytest.fixture(scope="session")
def recorded(data_dir: Path) -> list[Recorded]:
    records = load_records(data_dir / "pubmed-xml-samples")
    assert len(records) >= 7
    return records


@pytest.fixture()
def standin(recorded: list[Recorded]) -> Iterator[StandIn]:
    with serving(recorded) as server:
        yield server


def pubmed_settings(url: str, *, api_key: str | None = "test-key", **changes: Any
                    ) -> PubMedSettings:
    """Settings for the stand-in; with a key (10 requests a second) unless a test is about
    the limit without one, and with short waits between attempts."""
    values: dict[str, Any] = {"url": url, "api_key": SecretStr(api_key) if api_key else None,
                                 "email": "curbside-tests@example.org", "backoff_seconds": 0.05}
    return PubMedSettings(**(values | changes))


@pytest.fixture()
def settings(standin: StandIn, tmp_path: Path) -> Settings:
    return Settings().model_copy(update={"library": tmp_path / "library",
                                         "pubmed": pubmed_settings(standin.url)})
