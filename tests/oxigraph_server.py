"""A real Oxigraph server (PyPI package `oxigraph`) on 127.0.0.1, started and stopped by the tests.

It is the reference external store of `kg load` / `kg serve --sparql-backend`. In-memory storage, a
free port, killed at the end: nothing outlives the test session.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests


@dataclass(frozen=True)
class OxigraphServer:
    base: str  # http://127.0.0.1:PORT
    pid: int = 0  # of the server process (the scale-out benchmark reads its memory)

    @property
    def store(self) -> str:
        return self.base + "/store"

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"


def oxigraph_binary() -> str | None:
    """The `oxigraph` CLI installed by the test extra next to this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def wait_until_answering(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Poll ``url`` (a SPARQL endpoint or a page) until the server started as ``proc`` answers;
    raise with its stderr when it exits or does not answer within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=2)
            return
        except requests.RequestException:
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr and proc.poll() is not None else ""
                proc.kill()
                raise RuntimeError(f"{url}: the server did not start {err}".strip()) from None
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_oxigraph(union_default_graph: bool = True) -> Iterator[OxigraphServer]:
    """Start `oxigraph serve` (in memory) on a free loopback port and wait until it answers.
    ``union_default_graph``: the store's own switch; `kg serve --sparql-backend` does not need it (it
    names the collection's union graph in every query), the tests of `kg load` alone do."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph server is not installed (it comes with the `test` extra)")
    port = free_port()
    args = [binary, "serve", "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        args.append("--union-default-graph")
    with subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:  # closes its pipe
        server = OxigraphServer(f"http://127.0.0.1:{port}", proc.pid)
        try:
            wait_until_answering(server.query, proc, seconds=20)
            yield server
        finally:
            proc.kill()
            proc.wait(timeout=10)
