"""Articles composed off the request threads, in worker processes, behind a bounded queue.

Composing is CPU-bound for about half a second; done on the server's own threads it holds the
interpreter, and every search and page view waits behind it (under 50 readers a 20 ms search
took 2.7 s). Here at most `ask_workers` articles are composed at a time, each in a process of
its own, and at most `ask_queue` more asks per worker wait; beyond that an ask is refused at
once with `ServerBusyError` (503 with Retry-After) instead of letting every reader's wait grow.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import count
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Any

from curbside.answer.ask import answer_question
from curbside.answer.fetching import FetchingOffError, answer_with_fetch
from curbside.answer.llm import LLMUnavailableError, Progress
from curbside.errors import CurbsideError, LibraryError, QuestionError
from curbside.library.store import Library
from curbside.models import Article, Audience
from curbside.settings import Settings

WORKER_NICENESS = 10
WARM_UP_QUESTION = "How is hypertension treated?"  # loads the models; its article is dropped
# One "stop" flag per task, shared with the workers: task n uses slot n % CANCEL_SLOTS, far
# more slots than asks can be in flight at once.
CANCEL_SLOTS = 4096
CANCEL_POLL_SECONDS = 0.25  # how often a waiting ask looks whether its reader has gone


class ServerBusyError(CurbsideError):
    """Every composing worker is busy and the queue is full: try again after `retry_after`."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "The server is composing as many answers as it can right now. Try again in "
            f"{retry_after} second{'s' if retry_after != 1 else ''}.")
        self.retry_after = retry_after


class ComposeCancelledError(CurbsideError):
    """The reader left before the article was ready: composing stopped, nothing was kept."""

    def __init__(self, message: str = "The reader left; composing stopped.") -> None:
        super().__init__(message)


class ComposerStoppedError(CurbsideError):
    """The worker composing an article died (killed, out of memory); new ones start."""

    retry_after = 1

    def __init__(self) -> None:
        super().__init__(
            "The process composing the article stopped before it finished; try again. If "
            "this keeps happening, ask an administrator to check the server's memory and log.")


# Errors a worker reports by kind, rebuilt here from their message: the classes the web
# handlers answer differently (their constructors take the message alone).
_ERROR_KINDS: dict[str, type[CurbsideError]] = {
    cls.__name__: cls for cls in (QuestionError, LibraryError, LLMUnavailableError,
                                  FetchingOffError, ComposeCancelledError)}


@dataclass(frozen=True)
class ComposeRequest:
    """What a worker needs to compose one article: plain data, sent to another process."""

    task: int
    question: str
    audience: Audience
    thread_question: str | None = None
    reports_progress: bool = False
    fetch: bool = False  # from PubMed when the library lacks evidence (the site allows it)


# One worker process's state, set once by `_start_worker`.
_WORKER: dict[str, Any] = {}


def _start_worker(settings: Settings, progress: multiprocessing.Queue[tuple[int, str]],
                  stop_flags: SynchronizedArray[int]) -> None:
    # Searches and page views take a few milliseconds and come first; composing, half a
    # second, takes the CPU they leave.
    os.nice(WORKER_NICENESS)
    _WORKER["settings"] = settings
    _WORKER["progress"] = progress
    _WORKER["stop_flags"] = stop_flags


def _compose(request: ComposeRequest) -> Article | tuple[str, str]:
    """The article, or (error kind, message) for a problem the reader should hear of."""
    settings: Settings = _WORKER["settings"]
    progress: multiprocessing.Queue[tuple[int, str]] = _WORKER["progress"]
    stop_flags: SynchronizedArray[int] = _WORKER["stop_flags"]

    def report(message: str) -> None:
        # Every stage reports here (a language model every few hundred characters), so a
        # reader who has left stops the work at the next step: the model's stream closes.
        if stop_flags[request.task % CANCEL_SLOTS]:
            raise ComposeCancelledError()
        if request.reports_progress:
            progress.put((request.task, message))

    try:
        with Library(settings.library) as library:
            on_progress = report
            if request.fetch:
                return answer_with_fetch(library, request.question, request.audience,
                                         settings, thread_question=request.thread_question,
                                         on_progress=on_progress)
            return answer_question(library, request.question, request.audience, settings,
                                   thread_question=request.thread_question,
                                   on_progress=on_progress)
    except CurbsideError as error:
        kind = type(error).__name__
        return (kind if kind in _ERROR_KINDS else CurbsideError.__name__, str(error))


class ComposerPool:
    """The server's composing workers and the count of asks in them or waiting for them.

    A web app has one; its processes start at the first ask or at `warm_up`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workers = settings.web.ask_workers
        self.limit = self.workers * (1 + settings.web.ask_queue)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._seconds = 1.0  # a running mean of an ask's time, waiting included: Retry-After
        self._tasks = count()
        self._listeners: dict[int, Progress] = {}
        self._executor: ProcessPoolExecutor | None = None
        self._progress: multiprocessing.Queue[tuple[int, str]] | None = None
        self._stop_flags: SynchronizedArray[int] | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # Spawned, not forked: the server's threads and open SQLite handles stay behind.
                context = multiprocessing.get_context("spawn")
                if self._progress is None:
                    self._progress = context.Queue()
                    threading.Thread(target=self._relay_progress, args=(self._progress,),
                                     daemon=True, name="curbside-compose-progress").start()
                if self._stop_flags is None:
                    self._stop_flags = context.Array("b", CANCEL_SLOTS, lock=False)
                self._executor = ProcessPoolExecutor(
                    self.workers, mp_context=context, initializer=_start_worker,
                    initargs=(self.settings, self._progress, self._stop_flags))
            return self._executor

    def _relay_progress(self, progress: multiprocessing.Queue[tuple[int, str]]) -> None:
        while True:
            try:
                task, message = progress.get()
            except (EOFError, OSError, ValueError):  # the queue was closed at shutdown
                return
            listener = self._listeners.get(task)
            if listener is not None:
                listener(message)

    def warm_up(self) -> None:
        """Starts every worker and loads its models, so that the first readers do not wait."""
        pool = self._pool()
        futures = [pool.submit(_compose, ComposeRequest(-1, WARM_UP_QUESTION, "clinician"))
                   for _ in range(self.workers)]
        for future in futures:
            future.result()

    def compose(self, question: str, audience: Audience, thread_question: str | None = None,
                on_progress: Progress | None = None, fetch: bool = False,
                cancelled: threading.Event | None = None) -> Article:
        """The article, composed by a worker; `ServerBusyError` at once when the queue is full.
        Once `cancelled` is set (the reader left), a waiting ask is dropped, a running one
        stops at its next step, and `ComposeCancelledError` is raised: nothing is returned."""
        with self._lock:
            if self._in_flight >= self.limit:
                raise ServerBusyError(self._retry_after())
            self._in_flight += 1
        task = next(self._tasks)
        started = time.perf_counter()
        try:
            if on_progress is not None:
                self._listeners[task] = on_progress
            request = ComposeRequest(task, question, audience, thread_question,
                                     reports_progress=on_progress is not None, fetch=fetch)
            pool = self._pool()
            try:
                outcome = self._outcome(pool, request, cancelled)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): the next ask starts new ones.
                self._discard(pool)
                raise ComposerStoppedError() from None
        finally:
            self._listeners.pop(task, None)
            with self._lock:
                self._in_flight -= 1
                self._seconds = 0.8 * self._seconds + 0.2 * (time.perf_counter() - started)
        if isinstance(outcome, Article):
            return outcome
        kind, message = outcome
        raise _ERROR_KINDS.get(kind, CurbsideError)(message)

    def _outcome(self, pool: ProcessPoolExecutor, request: ComposeRequest,
                 cancelled: threading.Event | None) -> Article | tuple[str, str]:
        """What the worker returned; with `cancelled`, watched while it works."""
        assert self._stop_flags is not None  # made with the pool
        slot = request.task % CANCEL_SLOTS
        self._stop_flags[slot] = 0
        future: Future[Article | tuple[str, str]] = pool.submit(_compose, request)
        if cancelled is None:
            return future.result()
        while not wait([future], CANCEL_POLL_SECONDS, FIRST_COMPLETED).done:
            if cancelled.is_set():
                if future.cancel():  # still queued: no worker ever saw it
                    raise ComposeCancelledError()
                self._stop_flags[slot] = 1
                break
        outcome = future.result()  # the in-flight count holds until the worker is free
        if cancelled.is_set():
            raise ComposeCancelledError()
        return outcome

    def _retry_after(self) -> int:
        """Seconds until the asks now queued have likely been answered."""
        return max(1, math.ceil(self._seconds))

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is not broken:
                return  # another ask has replaced it already
            self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            executor, progress = self._executor, self._progress
            self._executor = self._progress = None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if progress is not None:
            progress.close()

