"""Load on a real server: `curbside serve` on a library, idle and then under many clients.

    python bench/load_server.py [--library DIR] [--clients 50] [--seconds 60]

First each endpoint is timed alone (one client, one request at a time): that is "idle". Then
`--clients` clients run for `--seconds`, each looping: pick an endpoint by the weights below,
send it, wait a think time (uniform 0.5-1.5 s, as a reader between clicks). A 503 that carries
Retry-After is the server shedding load as designed ("shed"): the client waits as long as it
says. Anything else that is not 2xx/3xx, and any transport failure or timeout, is an error.
Questions come from BioASQ 12b (hundreds of distinct ones), so asks are not repeats.

Prints a JSON summary; `run_benchmarks.py` writes it into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from curbside.settings import Settings  # noqa: E402
from tests.servers import free_port, running  # noqa: E402

SEED = 13
# What a reader does, by how often: most requests read; one in ten composes an article.
WEIGHTS = {"ask": 1, "search": 3, "article": 3, "document": 2, "home": 1}
THINK_SECONDS = (0.5, 1.5)
IDLE_REQUESTS = 40
TIMEOUT_SECONDS = 60.0

Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def questions(data: Path) -> list[str]:
    """The questions of BioASQ 12b batches 1-3, in their files' order."""
    found = []
    for batch in (1, 2, 3):
        path = data / "bioasq-12b-golden" / f"12B{batch}_golden.json"
        found += [q["body"] for q in json.loads(path.read_text())["questions"]]
    return found


class Workload:
    """The requests a reader makes, over pages that exist in the library."""

    def __init__(self, pool: list[str], article_ids: list[str], doc_ids: list[str]) -> None:
        self.pool, self.article_ids, self.doc_ids = pool, article_ids, doc_ids

    def request(self, kind: str, rng: random.Random) -> Request:
        if kind == "ask":
            question = rng.choice(self.pool)
            return lambda c: c.post("/api/ask", json={"question": question})
        if kind == "search":
            words = rng.choice(self.pool).rstrip("?").split()[:6]
            return lambda c: c.get("/api/search", params={"q": " ".join(words)})
        if kind == "article":
            article = rng.choice(self.article_ids)
            return lambda c: c.get(f"/articles/{article}")
        if kind == "document":
            document = rng.choice(self.doc_ids)
            return lambda c: c.get(f"/documents/{document}")
        return lambda c: c.get("/")


async def prepare(base: str, pool: list[str]) -> Workload:
    """A few answers to view and documents to open, made before any timing."""
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_SECONDS) as client:
        article_ids, doc_ids = [], []
        for question in pool[:5]:
            reply = await client.post("/api/ask", json={"question": question})
            reply.raise_for_status()
            article_ids.append(reply.json()["id"])
            hits = await client.get("/api/search", params={"q": question, "k": 10})
            doc_ids += [hit["doc_id"] for hit in hits.json()]
    return Workload(pool[5:], article_ids, sorted(set(doc_ids)))


async def idle(base: str, workload: Workload) -> dict[str, list[float]]:
    rng = random.Random(SEED)
    timings: dict[str, list[float]] = {kind: [] for kind in WEIGHTS}
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_SECONDS) as client:
        for kind in WEIGHTS:
            await workload.request(kind, rng)(client)  # not timed: first use of each page
            for _ in range(IDLE_REQUESTS):
                send = workload.request(kind, rng)
                start = time.perf_counter()
                reply = await send(client)
                timings[kind].append(time.perf_counter() - start)
                if reply.status_code >= 400:
                    raise RuntimeError(f"idle {kind} answered {reply.status_code}: {reply.text}")
    return timings


async def loaded(base: str, workload: Workload, clients: int, seconds: float
                 ) -> tuple[dict[str, list[float]], dict[str, int], dict[str, int], list[str]]:
    timings: dict[str, list[float]] = {kind: [] for kind in WEIGHTS}
    shed = dict.fromkeys(WEIGHTS, 0)
    errors = dict.fromkeys(WEIGHTS, 0)
    samples: list[str] = []
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def reader(number: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(SEED * 1000 + number)
        await asyncio.sleep(rng.uniform(0, THINK_SECONDS[1]))  # not all at once
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            send = workload.request(kind, rng)
            start = time.perf_counter()
            wait = rng.uniform(*THINK_SECONDS)
            try:
                reply = await send(client)
            except httpx.HTTPError as error:
                errors[kind] += 1
                samples.append(f"{kind}: {type(error).__name__}")
            else:
                if reply.status_code == 503 and "retry-after" in reply.headers:
                    shed[kind] += 1
                    wait = max(wait, float(reply.headers["retry-after"]))
                elif reply.status_code >= 400:
                    errors[kind] += 1
                    samples.append(f"{kind}: {reply.status_code} {reply.text[:120]}")
                else:
                    timings[kind].append(time.perf_counter() - start)
            await asyncio.sleep(wait)

    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_SECONDS,
                                 limits=limits) as client:
        await asyncio.gather(*(reader(n, client) for n in range(clients)))
    return timings, shed, errors, samples[:10]


def summary(idle_times: dict[str, list[float]], load_times: dict[str, list[float]],
            shed: dict[str, int], errors: dict[str, int], seconds: float
            ) -> dict[str, dict[str, float]]:
    def p(values: list[float], q: float) -> float:
        return float(np.percentile(values, q)) * 1000 if values else float("nan")

    rows = {}
    for kind in WEIGHTS:
        idle_p95 = p(idle_times[kind], 95)
        load_p95 = p(load_times[kind], 95)
        rows[kind] = {
            "idle_p50_ms": p(idle_times[kind], 50), "idle_p95_ms": idle_p95,
            "load_p50_ms": p(load_times[kind], 50), "load_p95_ms": load_p95,
            "ratio_p95": load_p95 / idle_p95, "served": len(load_times[kind]),
            "served_per_s": len(load_times[kind]) / seconds,
            "shed": shed[kind], "errors": errors[kind]}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--log", type=Path, default=Path("/tmp/curbside-load-server.log"))
    arguments = parser.parse_args()
    settings = Settings() if arguments.library is None else Settings(library=arguments.library)
    pool = questions(settings.data)
    random.Random(SEED).shuffle(pool)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CURBSIDE_LIBRARY=str(settings.library))
    command = [sys.executable, "-m", "curbside.cli", "serve", "--port", str(port)]
    with running(command, arguments.log, f"{base}/openapi.json", env):
        workload = asyncio.run(prepare(base, pool))
        idle_times = asyncio.run(idle(base, workload))
        load_times, shed, errors, samples = asyncio.run(
            loaded(base, workload, arguments.clients, arguments.seconds))
    rows = summary(idle_times, load_times, shed, errors, arguments.seconds)
    print(json.dumps({"clients": arguments.clients, "seconds": arguments.seconds,
                      "weights": WEIGHTS, "think_seconds": THINK_SECONDS, "endpoints": rows,
                      "error_samples": samples}, indent=1))


if __name__ == "__main__":
    main()
