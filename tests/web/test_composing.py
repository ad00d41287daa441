"""The composing workers: real worker processes over the starter library."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.errors import QuestionError
from curbside.settings import Settings, WebSettings
from curbside.web.composing import ComposerPool, ComposerStoppedError

QUESTION = "What is oculopharyngeal muscular dystrophy?"


def worker_pids() -> list[int]:
    """This process's children that multiprocessing spawned to do work."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"spawn_main" in command:
                found.append(int(pid))
    return found


@pytest.fixture()
def pool(starter_library_dir: Path) -> Iterator[ComposerPool]:
    composer = ComposerPool(Settings(library=starter_library_dir,
                                     web=WebSettings(ask_workers=1, ask_queue=0)))
    yield composer
    composer.close()


def test_an_article_is_composed_in_a_worker_process(pool: ComposerPool) -> None:
    article = pool.compose(QUESTION, "clinician")
    assert article.question == QUESTION and article.bottom_line
    assert worker_pids(), "no worker process"


def test_a_bad_question_is_the_readers_error(pool: ComposerPool) -> None:
    with pytest.raises(QuestionError):
        pool.compose("   ", "clinician")


def test_a_killed_worker_fails_one_ask_and_new_workers_answer_the_next(
        pool: ComposerPool) -> None:
    pool.compose(QUESTION, "clinician")
    for pid in worker_pids():
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(ComposerStoppedError):
        pool.compose(QUESTION, "clinician")
    assert pool.compose(QUESTION, "patient").audience == "patient"
