"""A real Curbside server on loopback, over a real library, for API and browser tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from curbside.library.store import Library
from curbside.models import Document, DocumentSection
from tests.servers import free_port, running

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def start_server(library_dir: Path, **env_extra: str) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, CURBSIDE_LIBRARY=str(library_dir), **env_extra)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "curbside.cli", "serve", "--port", str(port)]
    with running(command, library_dir / f"server-{port}.log", f"{base}/openapi.json", env):
        yield base


@pytest.fixture(scope="session")
def server(starter_library_dir: Path) -> Iterator[str]:
    yield from start_server(starter_library_dir)


HOSTILE = Document(
    id="test:hostile", source="test",
    title="Synthetic zanthoxylosis <script>window.pwned=1</script> test record",
    sections=[DocumentSection(label="CONCLUSIONS", text=(
        "Zanthoxylosis is a synthetic test condition <img src=x onerror=\"window.pwned=2\"> "
        "invented for Curbside's browser tests. Zanthoxylosis treatment with <b>bold</b> "
        "markup is described only in this synthetic record written for tests."))],
)


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("hostile")
    with Library(directory, create=True) as library:
        library.write([HOSTILE])
    yield from start_server(directory)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (which never downloads a browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.exit(f"The browser tests need Debian's Chromium at {CHROMIUM}, which is not "
                    "installed: run `bash tests/install_system_packages.sh` (or "
                    "`sudo apt-get install chromium`) and run the tests again.", returncode=4)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
