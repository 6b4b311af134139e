"""``deploy/nginx-front.conf`` (nginx in front of the app server; run by bench/front.py), through it:
real bodies, ETags and 304s; never a kept truncated answer, error or POST; a new release within
seconds; and slow request bodies that never reach granian (the reason it was not shipped alone).

Why measured and not shipped: bench/results/front.md. Skipped where nginx is not installed
(Debian: ``apt-get install nginx-light``).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests

from bench.front import Front, available, nginx_front
from kg.config import Settings
from kg.publish.dumps import swap_in
from tests.oxigraph_server import free_port, wait_until_answering
from tests.test_web_cache import JSON, LOOKUP, NAME, _release
from tests.web_server import ROOT, kg_serve, live_settings, make_data_dir, probes_behind_slow_bodies

pytestmark = pytest.mark.skipif(not available(), reason="nginx is not installed (apt-get install nginx-light)")


@dataclass
class Fronted:
    front: Front
    data_dir: Path

    @property
    def url(self) -> str:
        return self.front.url


def _settings(data_dir: Path) -> Settings:
    """`kg serve` with its answer cache, checking for a new release on every request."""
    return replace(live_settings(data_dir, "http://127.0.0.1:9/sparql"),
                   answer_cache_bytes=Settings().answer_cache_bytes, release_check_interval=0.0)


def _fronted(data_dir: Path) -> Iterator[Fronted]:
    settings = _settings(data_dir)
    with kg_serve(settings) as app, \
            nginx_front(free_port(), f"127.0.0.1:{app.port}", cache=True, settings=settings) as front:
        yield Fronted(front, data_dir)


@pytest.fixture(scope="module")
def fronted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fronted]:
    yield from _fronted(make_data_dir(tmp_path_factory.mktemp("front")))


def _get(url: str, query: str, **headers: str) -> requests.Response:
    return requests.get(url + "/sparql", params={"query": query}, headers={**JSON, **headers}, timeout=30)


def test_answers_etags_and_304_through_the_front(fronted: Fronted) -> None:
    answers = [_get(fronted.url, LOOKUP) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["results"]["bindings"] and len({a.content for a in answers}) == 1
    assert len({a.headers["ETag"] for a in answers}) == 1 and answers[0].headers["ETag"].startswith('"')
    # kept from the second time it is asked (proxy_cache_min_uses 2), replayed by nginx the third
    assert [a.headers["X-Front-Cache"] for a in answers] == ["MISS", "MISS", "HIT"]
    same = _get(fronted.url, LOOKUP, **{"If-None-Match": answers[0].headers["ETag"]})
    assert same.status_code == 304 and same.content == b"" and same.headers["ETag"] == answers[0].headers["ETag"]
    other = _get(fronted.url, LOOKUP, **{"If-None-Match": '"another-release-tag"'})
    assert other.status_code == 200 and other.content == answers[0].content
    pages = [requests.get(fronted.url + "/letter/167.ttl", timeout=30) for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert pages[0].headers["Content-Type"].startswith("text/turtle")
    assert 'schema:identifier "167"' in pages[0].text and len({p.content for p in pages}) == 1
    assert pages[2].headers["X-Front-Cache"] == "HIT"
    head = requests.head(fronted.url + "/letter/167.ttl", timeout=30)
    assert head.status_code == 200 and head.content == b"" and head.headers["ETag"] == pages[0].headers["ETag"]


def test_truncated_answers_errors_and_posts_are_never_kept(fronted: Fronted) -> None:
    cut = [_get(fronted.url, "SELECT * WHERE { ?s ?p ?o }") for _ in range(4)]  # max_rows=20: cut
    assert all(c.status_code == 200 and c.headers["X-SPARQL-Truncated"] == "true" for c in cut)
    assert [c.headers["X-Front-Cache"] for c in cut] == ["MISS"] * 4
    missing = [requests.get(fronted.url + "/person/nobody-at-all", timeout=30) for _ in range(4)]
    assert [m.status_code for m in missing] == [404] * 4 and "no-store" in missing[0].headers["Cache-Control"]
    assert "HIT" not in [m.headers.get("X-Front-Cache") for m in missing]
    posts = [requests.post(fronted.url + "/sparql", data=LOOKUP.encode(), timeout=30,
                           headers={**JSON, "Content-Type": "application/sparql-query"}) for _ in range(4)]
    assert [p.status_code for p in posts] == [200] * 4 and posts[0].json()["results"]["bindings"]
    assert "HIT" not in [p.headers.get("X-Front-Cache") for p in posts]


def test_a_new_release_is_served_through_the_front(tmp_path: Path) -> None:
    """The front keeps a copy one second, then revalidates it with the app's ETag (a new release has
    new ones); while one request revalidates, the old copy may be answered once more."""
    out = make_data_dir(tmp_path / "output")
    for fronted in _fronted(out):
        before = [_get(fronted.url, NAME) for _ in range(3)]
        assert before[2].headers["X-Front-Cache"] == "HIT"
        assert [b["n"]["value"] for b in before[2].json()["results"]["bindings"]] == ["I. V. Stalin"]
        version = _release(tmp_path / ".output.new", 'schema:name "I. V. Stalin"@en', 'schema:name "Iosif Stalin"@en')
        swap_in(tmp_path / ".output.new", out)
        deadline, after = time.monotonic() + 90, before[2]
        while after.headers["ETag"] == before[2].headers["ETag"] and time.monotonic() < deadline:
            time.sleep(0.2)
            after = _get(fronted.url, NAME)
        assert after.headers["ETag"].startswith(f'"{version}-'), after.headers
        assert [b["n"]["value"] for b in after.json()["results"]["bindings"]] == ["Iosif Stalin"]
        again = [_get(fronted.url, NAME) for _ in range(3)]
        assert {a.headers["ETag"] for a in again} == {after.headers["ETag"]}


def test_slow_request_bodies_never_reach_granian_behind_the_front(tmp_path: Path) -> None:
    """granian alone answers no probe while twice its threads' worth of bodies trickle (docs/server.md);
    behind nginx, which reads every body itself, the probes are answered."""
    from bench.server_bench import GRANIAN

    data_dir = make_data_dir(tmp_path / "output")
    port = free_port()
    argv = [a.format(port=port) for a in GRANIAN]
    env = dict(os.environ, KG_BENCH_DATA=str(data_dir), PYTHONPATH=str(ROOT))
    with subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        try:
            wait_until_answering(f"http://127.0.0.1:{port}/sparql", proc, seconds=120)
            with nginx_front(free_port(), f"127.0.0.1:{port}", cache=False) as front:
                url = front.url + "/sparql?query=" + requests.utils.quote(LOOKUP)
                took = probes_behind_slow_bodies(url, front.port, count=2 * 8)  # granian runs 8 threads (GRANIAN)
                assert all(t is not None for t in took), f"probes failed behind slow request bodies: {took}"
        finally:
            proc.terminate()
            proc.wait(timeout=30)
