"""`kg serve` as a user runs it: a subprocess on a free loopback port, stopped with SIGTERM, leaving
no worker process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from rdflib import Graph, URIRef

from tests.oxigraph_server import free_port
from tests.web_server import BASE, make_data_dir

KG = str(Path(sys.executable).parent / "kg")


def _pids_with_parent_chain(root: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    family = {root}
    while True:
        more = {pid for pid, ppid in parents.items() if ppid in family} - family
        if not more:
            return family - {root}
        family |= more


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
