"""What the command line prints of hostile input files, and asking for a password with no
terminal; real processes over a library of synthetic records written for these tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from curbside.library.store import Library
from curbside.models import Document, DocumentSection
from curbside.text import printable
from tests.stores import board_db

ESCAPES = "\x1b[2J\x1b[31m\x1b]0;pwned\x07\x9b1m\x07\x08\r"
HOSTILE = Document(
    id="test:esc", source="test", journal=f"Journal{ESCAPES} of tests",
    title=f"Zanthoxylosis{ESCAPES} in synthetic records",
    sections=[DocumentSection(label=f"CONCLUSIONS{ESCAPES}", text=(
        f"Zanthoxylosis{ESCAPES} is a synthetic test condition invented for Curbside's "
        "terminal tests. Zanthoxylosis is treated with synthetic rest in this test record."))])


def run(library: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "curbside.cli", *args], capture_output=True, text=True,
        check=False, stdin=subprocess.DEVNULL, start_new_session=True,  # no terminal
        env=dict(env or os.environ, CURBSIDE_LIBRARY=str(library), COLUMNS="200"))


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("terminal") / "library"
    with Library(directory, create=True) as opened:
        opened.write([HOSTILE])
        board_db(opened)
    return directory


def _clean(output: str) -> None:
    assert not any(c in output for c in "\x1b\x9b\x07\x08\r"), repr(output)


def test_text_from_input_files_prints_without_escapes(library: Path) -> None:
    shown = run(library, "show", "test:esc")
    assert shown.returncode == 0, shown.stderr
    assert "Zanthoxylosis in synthetic records" in shown.stdout
    assert "Journal of tests" in shown.stdout
    _clean(shown.stdout)
    found = run(library, "search", "zanthoxylosis")
    assert found.returncode == 0 and "test:esc" in found.stdout
    _clean(found.stdout)
    for fmt in ("markdown", "html"):
        asked = run(library, "ask", "What is zanthoxylosis?", "--format", fmt)
        assert asked.returncode == 0, asked.stderr
        assert "Zanthoxylosis in synthetic records" in asked.stdout
        _clean(asked.stdout)


def test_a_password_prompt_without_a_terminal_says_what_to_set(library: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CURBSIDE_PASSWORD"}
    added = run(library, "users", "add", "dr-prompt", "--role", "editor", env=env)
    assert added.returncode == 1
    assert "CURBSIDE_PASSWORD" in added.stderr and "Aborted" not in added.stderr
    token = run(library, "users", "token", "dr-prompt", env=env)
    assert token.returncode == 1 and "CURBSIDE_PASSWORD" in token.stderr


def test_printable_keeps_text_and_drops_controls() -> None:
    assert printable("a\x1b[1;31mb\x1b[0m\tc\nd") == "ab\tc\nd"
    assert printable("x\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\y") == "xlinky"
    assert printable("bell\x07 del\x7f c1\x9b2J cr\r") == "bell del c1 cr"
    assert printable("Ménière – 中文 ✓") == "Ménière – 中文 ✓"
