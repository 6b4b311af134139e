"""`kg serve` as a user runs it: a subprocess on a free loopback port, stopped with SIGTERM (requests in
flight finish, new connections are refused), leaving no worker process behind; a build it cannot serve
is one `kg: error:` line naming the file, exit 2."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef

from kg.devtools.procs import descendants
from tests.oxigraph_server import free_port
from tests.web_server import BASE, make_data_dir

KG = str(Path(sys.executable).parent / "kg")


def _pids_with_parent_chain(root: int) -> set[int]:
    return set(descendants(root))
def test_kg_serve_serves_the_build_and_stops_cleanly(tmp_path: Path) -> None:
    data = make_data_dir(tmp_path / "output")
    port = free_port()
    with subprocess.Popen([KG, "serve", "--data", str(data), "--port", str(port)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:  # closes its pipes
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    r = requests.get(f"http://127.0.0.1:{port}/letter/167", headers={"Accept": "text/turtle"},
                                     timeout=5)
                    break
                except requests.ConnectionError:
                    assert proc.poll() is None and time.monotonic() < deadline, (
                        proc.stderr.read() if proc.stderr else "")
                    time.sleep(0.2)
            assert r.status_code == 200
            graph = Graph().parse(data=r.text, format="turtle")
            assert (URIRef(BASE + "letter/167"), None, None) in graph
            workers = _pids_with_parent_chain(proc.pid)
            assert workers, "the store process and its workers run beside the server"
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        assert proc.stdout is not None and f"http://127.0.0.1:{port}/" in proc.stdout.read()
    time.sleep(0.5)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]
    assert alive == [], f"left behind: {alive}"
    assert os.getpid()  # the test process itself is untouched


def test_kg_serve_without_a_build_says_what_to_do(tmp_path: Path) -> None:
    done = subprocess.run([KG, "serve", "--data", str(tmp_path), "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no kg.trig" in done.stderr and "kg build" in done.stderr


@contextmanager
def kg_serve(data: Path, *extra: str) -> Iterator[tuple[subprocess.Popen, int]]:
    """`kg serve` on a free port, answering; killed at the end if a test left it running."""
    port = free_port()
    with subprocess.Popen([KG, "serve", "--data", str(data), "--port", str(port), *extra], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(f"http://127.0.0.1:{port}/dumps/", timeout=5)
                    break
                except requests.ConnectionError:
                    assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                    time.sleep(0.2)
            yield proc, port
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def _count(port: int, query: str, timeout: float = 60) -> int:
    r = requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}, timeout=timeout)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _slow_count_query(multiplier: int) -> str:
    values = " ".join(str(i) for i in range(multiplier))
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . VALUES ?k {{ {values} }} }}"


def test_sigterm_lets_a_request_in_flight_finish_and_refuses_new_ones(tmp_path: Path) -> None:
    data = make_data_dir(tmp_path / "output")
    with kg_serve(data, "--query-timeout", "60") as (proc, port):
        triples = _count(port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        started = time.monotonic()
        assert _count(port, _slow_count_query(1)) == triples ** 3
        once = time.monotonic() - started
        multiplier = max(1, min(50, round(2.0 / max(once, 0.01))))  # ~2 s on this machine: well inside the grace
        answer: list[object] = []
        client = threading.Thread(target=lambda: answer.append(_count(port, _slow_count_query(multiplier))))
        client.start()
        time.sleep(0.5)  # the query is running in a worker
        workers = _pids_with_parent_chain(proc.pid)
        assert workers, "the store process and its workers run beside the server"
        proc.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        if proc.poll() is None:  # still finishing the request: but no longer accepting
            with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
                sock.settimeout(5)
                sock.connect(("127.0.0.1", port))
        client.join(timeout=60)
        assert answer == [triples ** 3 * multiplier], "the request in flight was cut off"
        assert proc.wait(timeout=30) == 0
    time.sleep(0.5)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]
    assert alive == [], f"left behind: {alive}"


def test_sigterm_lets_a_slow_download_finish(tmp_path: Path) -> None:
    """A dump read slowly is in flight for as long as it takes (within the grace): waitress sends
    files from its I/O loop, so stopping that loop at SIGTERM used to cut every download short."""
    data = make_data_dir(tmp_path / "output")
    big = os.urandom(1 << 20) * 24  # 24 MiB: far more than the socket buffers hold
    (data / "big.nt").write_bytes(big)
    with kg_serve(data) as (proc, port):
        got = bytearray()
        with requests.get(f"http://127.0.0.1:{port}/dumps/big.nt", stream=True, timeout=60) as r:
            assert r.status_code == 200 and r.headers["Content-Length"] == str(len(big))
            chunks = r.iter_content(1 << 20)
            got += next(chunks)
            proc.send_signal(signal.SIGTERM)
            for chunk in chunks:  # a slow reader: ~2 s for the rest
                got += chunk
                time.sleep(0.08)
        assert len(got) == len(big) and bytes(got) == big
        assert proc.wait(timeout=30) == 0


def test_kg_serve_on_a_corrupt_build_names_the_file_in_one_line(tmp_path: Path) -> None:
    data = make_data_dir(tmp_path / "output")
    trig = data / "kg.trig"
    trig.write_text(trig.read_text(encoding="utf-8") + "\n<https://w3id.org/bolcorr/x> { <a> <b> \"unterminated .\n",
                    encoding="utf-8")
    done = subprocess.run([KG, "serve", "--data", str(data), "--port", str(free_port())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2  # README, Exit codes: a command that cannot start
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kg: error: {trig}: "), done.stderr
    assert "Traceback" not in done.stderr and "line" in lines[0].lower()


def test_kg_serve_on_a_taken_port_says_so(tmp_path: Path) -> None:
    data = make_data_dir(tmp_path / "output")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([KG, "serve", "--data", str(data), "--port", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"kg: error: cannot listen on 127.0.0.1:{port}: Address already in use"]
