"""The query worker pool stays whole and ends with the server (issue 13, items 5, 10 and 11).

- a killed idle worker is detected and replaced before a query is given to it;
- a query nested or chained deeper than the engine can take is a 400, and costs no worker;
- ``store.close()`` ends every worker, one computing included; and no store process outlives the
  server, even when the server is killed with SIGKILL (parent-death signal).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests
from waitress.server import create_server

from kg.config import Settings
from kg.devtools.procs import alive, descendants
from kg.store.embedded import OxigraphStore
from kg.web import create_app
from tests.web_server import make_data_dir

ROOT = Path(__file__).resolve().parent.parent
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"



def living_descendants(root: int) -> set[int]:
    return {pid for pid, p in descendants(root).items() if p.alive}
def wait_until(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


@dataclass
class Site:
    url: str
    store: OxigraphStore


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_data_dir(tmp_path_factory.mktemp("lifecycle"))


@pytest.fixture(scope="module")
def site(data_dir: Path) -> Iterator[Site]:
    settings = replace(Settings(), output_dir=data_dir, query_timeout=5.0, max_rows=20,
                       answer_cache_bytes=0)  # every request must reach the workers under test
    store = OxigraphStore(data_dir, warm_workers=3)
    server = create_server(create_app(settings, store), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield Site(f"http://127.0.0.1:{server.effective_port}", store)
    finally:
        server.close()
        store.close()


def count(site: Site) -> requests.Response:
    return requests.get(site.url + "/sparql", params={"query": COUNT}, timeout=30)


def test_killing_every_idle_worker_costs_no_request(site: Site) -> None:
    count(site)  # every warm worker has started
    idle = site.store.pool.idle_pids()
    assert len(idle) == 3
    for pid in idle:
        os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: not any(alive(pid) for pid in idle))
    for _ in range(6):
        r = count(site)
        assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "159"
        page = requests.get(site.url + "/letter/167", headers={"Accept": "application/n-triples"}, timeout=30)
        assert page.status_code == 200 and "<https://w3id.org/bolcorr/letter/167>" in page.text
    assert not set(idle) & set(site.store.pool.worker_pids())


def test_one_killed_worker_fails_no_request_later(site: Site) -> None:
    count(site)
    victim = site.store.pool.idle_pids()[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: not alive(victim))
    statuses = [count(site).status_code for _ in range(30)]
    assert statuses == [200] * 30
    assert victim not in site.store.pool.worker_pids()


@pytest.mark.parametrize(("query", "says"), [
    ("ASK " + "{" * 10_000 + "}" * 10_000, "nests 10000 levels deep"),
    ("ASK { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }", "nests 10002 levels deep"),
    ("ASK { FILTER(" + "+".join(["1"] * 10_000) + ") }", "chains 9999 operators"),
    ("ASK { " + " UNION ".join(["{}"] * 10_000) + " }", "chains 9999 operators"),
])
def test_a_query_too_deep_for_the_engine_is_400_and_the_pool_stays_whole(site: Site, query: str, says: str) -> None:
    before = site.store.pool.worker_pids()
    r = requests.post(site.url + "/sparql", data=query.encode(), timeout=30,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and says in r.json()["message"]
    assert site.store.pool.worker_pids() == before and all(alive(pid) for pid in before)
    assert count(site).status_code == 200


def test_the_deepest_accepted_query_runs(site: Site) -> None:
    query = "ASK " + "{" * 256 + "}" * 256
    r = requests.post(site.url + "/sparql", data=query.encode(), timeout=30,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def _busy_worker(store: OxigraphStore) -> int | None:
    busy = set(store.pool.worker_pids()) - set(store.pool.idle_pids())
    return next(iter(busy), None)


def test_close_ends_a_worker_in_the_middle_of_a_query(data_dir: Path) -> None:
    store = OxigraphStore(data_dir, warm_workers=1)
    outcome: list[BaseException] = []

    def runaway() -> None:
        try:
            store.query(RUNAWAY, 60)
        except BaseException as err:  # noqa: BLE001 - what ended it is the point
            outcome.append(err)

    thread = threading.Thread(target=runaway)
    thread.start()
    assert wait_until(lambda: _busy_worker(store) is not None)
    worker, zygote = _busy_worker(store), store.pool.zygote.proc.pid
    assert worker is not None
    time.sleep(0.3)
    assert alive(worker)
    store.close()
    assert wait_until(lambda: not alive(worker) and not alive(zygote), 5)
    thread.join(10)
    assert not thread.is_alive() and outcome, "the waiting request did not end"


SERVER = """
import json, sys, threading, time
from pathlib import Path
from kg.store.embedded import OxigraphStore
store = OxigraphStore(Path(sys.argv[1]), warm_workers=2)
threading.Thread(target=lambda: store.query(sys.argv[2], 60), daemon=True).start()
deadline = time.monotonic() + 30
while not set(store.pool.worker_pids()) - set(store.pool.idle_pids()) and time.monotonic() < deadline:
    time.sleep(0.05)
print(json.dumps([store.pool.zygote.proc.pid, *store.pool.worker_pids()]), flush=True)
time.sleep(60)
"""


def test_no_store_process_outlives_a_server_killed_with_sigkill(data_dir: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with subprocess.Popen([sys.executable, "-c", SERVER, str(data_dir), RUNAWAY], stdout=subprocess.PIPE,
                          env=env, text=True) as proc:
        assert proc.stdout is not None
        pids = json.loads(proc.stdout.readline())
        assert len(pids) == 3 and all(alive(pid) for pid in pids)  # the store process, an idle and a busy worker
        proc.kill()
        proc.wait(10)
    assert wait_until(lambda: not any(alive(pid) for pid in pids), 10), [p for p in pids if alive(p)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sigterm_to_kg_serve_ends_a_running_query_worker(data_dir: Path) -> None:
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "kg", "serve", "--data", str(data_dir), "--port", str(port)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True) as proc:
        assert proc.stdout is not None
        assert "serving" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/sparql"
        assert wait_until(lambda: _answers(url), 20)
        runner = threading.Thread(target=lambda: _ignore(lambda: requests.get(
            url, params={"query": RUNAWAY, "timeout": "8"}, timeout=15)), daemon=True)
        runner.start()
        time.sleep(1.0)  # the runaway is computing in a worker
        family = living_descendants(proc.pid)
        assert len(family) >= 2  # the store process and its workers
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        proc.stdout.read()
    runner.join(20)
    assert wait_until(lambda: not any(alive(pid) for pid in family), 10), [p for p in family if alive(p)]


def _answers(url: str) -> bool:
    try:
        return requests.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _ignore(call: Callable[[], object]) -> None:
    try:
        call()
    except requests.RequestException:
        pass
