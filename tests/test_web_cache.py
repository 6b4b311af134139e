"""Answers per release (kg.web.answers, kg.web.cache, kg.web.release) on a real server on loopback:
replayed answers, validators and 304, what is never replayed, the byte bound, and a release swapped
under the running server."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from flask import Flask
from rdflib import Graph

from kg.config import Settings
from kg.publish.dumps import swap_in
from kg.store.embedded import OxigraphStore
from kg.web import create_app
from kg.web.cache import AnswerCache
from kg.web.release import Releases
from tests.oxigraph_server import free_port, wait_until_answering
from tests.web_server import BASE, FIXTURE, Live, live_settings, make_data_dir, serving

NAME = "PREFIX schema: <http://schema.org/> SELECT ?n WHERE { <" + BASE + "person/stalin-i-v> schema:name ?n }"
LOOKUP = "SELECT ?p ?o WHERE { <" + BASE + "letter/167> ?p ?o } ORDER BY ?p ?o LIMIT 10"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
JSON = {"Accept": "application/sparql-results+json"}


@dataclass
class Cached:
    url: str
    app: Flask
    data_dir: Path

    @property
    def cache(self) -> AnswerCache:
        return self.app.extensions["kg.cache"]

    @property
    def releases(self) -> Releases:
        return self.app.extensions["kg.releases"]


@contextmanager
def cached_server(data_dir: Path, **changes: object) -> Iterator[Cached]:
    """A server of its own over ``data_dir`` with the answer cache on (default size unless changed),
    checking output/ for a new release on every request."""
    settings = replace(live_settings(data_dir, "http://127.0.0.1:9/sparql"),
                       answer_cache_bytes=Settings().answer_cache_bytes, release_check_interval=0.0)
    settings = replace(settings, **changes)  # type: ignore[arg-type]
    store = OxigraphStore(data_dir, warm_workers=1)
    app = create_app(settings, store, reopen=lambda: OxigraphStore(data_dir, warm_workers=1))
    try:
        with serving(app, settings) as server:
            yield Cached(f"http://127.0.0.1:{server.port}", app, data_dir)
    finally:
        app.extensions["kg.releases"].close()
        store.close()


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cached]:
    with cached_server(make_data_dir(tmp_path_factory.mktemp("cached"))) as server:
        yield server


def sparql(url: str, query: str, **params: str) -> requests.Response:
    return requests.get(url + "/sparql", params={"query": query, **params}, headers=JSON, timeout=30)


def test_the_same_query_twice_is_replayed_with_the_same_bytes(cached: Cached) -> None:
    first, second = sparql(cached.url, NAME), sparql(cached.url, NAME)
    assert first.status_code == second.status_code == 200
    assert [b["n"]["value"] for b in first.json()["results"]["bindings"]] == ["I. V. Stalin"]
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second.headers["ETag"] == first.headers["ETag"] and second.headers["Content-Type"] == first.headers[
        "Content-Type"]
    # parameters in another order are the same request; another Accept is another answer
    reordered = requests.get(f"{cached.url}/sparql?format=json&query={requests.utils.quote(NAME)}", timeout=30)
    again = requests.get(f"{cached.url}/sparql?query={requests.utils.quote(NAME)}&format=json", timeout=30)
    assert (reordered.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    csv = requests.get(cached.url + "/sparql", params={"query": NAME}, headers={"Accept": "text/csv"}, timeout=30)
    assert csv.headers["X-Cache"] == "miss" and csv.text.splitlines() == ["n", "I. V. Stalin"]


def test_a_post_is_replayed_by_its_body_and_head_shares_get(cached: Cached) -> None:
    posts = [requests.post(cached.url + "/sparql", data={"query": LOOKUP}, headers=JSON, timeout=30) for _ in "ab"]
    assert [p.status_code for p in posts] == [200, 200]
    assert [p.headers["X-Cache"] for p in posts] == ["miss", "hit"] and posts[0].content == posts[1].content
    assert "ETag" not in posts[0].headers  # a POST is not revalidated
    direct = requests.post(cached.url + "/sparql", data=LOOKUP.encode(), timeout=30,
                           headers={**JSON, "Content-Type": "application/sparql-query"})
    assert direct.headers["X-Cache"] == "miss" and direct.json() == posts[0].json()
    get = requests.get(cached.url + "/letter/168.ttl", timeout=30)
    head = requests.head(cached.url + "/letter/168.ttl", timeout=30)
    assert get.status_code == head.status_code == 200 and head.content == b""
    assert head.headers["X-Cache"] == "hit" and head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.content))


CONDITIONAL_PATHS = ["/sparql?query=" + requests.utils.quote(NAME), "/letter/167.ttl", "/letter/167", "/letters"]


@pytest.mark.parametrize("path", CONDITIONAL_PATHS)
@pytest.mark.parametrize("server", ["cached", "live"])
def test_etag_and_last_modified_answer_304(server: str, path: str, request: pytest.FixtureRequest) -> None:
    """With the answer cache on (``cached``) and off (``live``, the shared server)."""
    url = request.getfixturevalue(server).url
    full = requests.get(url + path, timeout=30)
    assert full.status_code == 200 and full.content
    etag, modified = full.headers["ETag"], full.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith('W/')
    assert full.headers["Cache-Control"] == f"public, max-age={Settings().answer_max_age}"
    by_tag = requests.get(url + path, headers={"If-None-Match": etag}, timeout=30)
    assert by_tag.status_code == 304 and by_tag.content == b"" and by_tag.headers["ETag"] == etag
    assert by_tag.headers["Last-Modified"] == modified
    among = requests.get(url + path, headers={"If-None-Match": f'"other", W/{etag}'}, timeout=30)
    assert among.status_code == 304  # weak comparison, one of a list
    by_date = requests.get(url + path, headers={"If-Modified-Since": modified}, timeout=30)
    assert by_date.status_code == 304 and by_date.content == b""
    # If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2): a stale tag gets the answer
    stale = requests.get(url + path, headers={"If-None-Match": '"not-this"', "If-Modified-Since": modified}, timeout=30)
    assert stale.status_code == 200 and stale.content == full.content
    earlier = requests.get(url + path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, timeout=30)
    assert earlier.status_code == 200 and earlier.content == full.content


def test_a_server_restarted_with_other_caps_does_not_304_the_old_answer(cached: Cached) -> None:
    """The row cap shapes an answer: an ETag issued under one cap must not validate the answer cut
    under another (same release, same request)."""
    full = sparql(cached.url, LOOKUP)
    assert full.status_code == 200 and full.headers["X-SPARQL-Truncated"] == "false"
    assert len(full.json()["results"]["bindings"]) == 10
    with cached_server(cached.data_dir, max_rows=3) as capped:
        same_host = {"Host": cached.url.removeprefix("http://")}  # as if restarted on the same port
        again = requests.get(capped.url + "/sparql", params={"query": LOOKUP},
                             headers={**JSON, **same_host, "If-None-Match": full.headers["ETag"]}, timeout=30)
        assert again.status_code == 200 and again.headers["ETag"] != full.headers["ETag"]
        assert again.headers["X-SPARQL-Truncated"] == "true" and len(again.json()["results"]["bindings"]) == 3


def test_a_missing_resource_never_gets_304_nor_a_cached_404(cached: Cached) -> None:
    known = requests.get(cached.url + "/letter/167.ttl", timeout=30)
    for _ in range(2):
        missing = requests.get(cached.url + "/letter/99999.ttl", timeout=30,
                               headers={"If-Modified-Since": known.headers["Last-Modified"]})
        assert missing.status_code == 404 and "99999" in missing.json()["message"]
        assert missing.headers["Cache-Control"] == "no-store" and missing.headers["X-Cache"] == "miss"


def test_a_truncated_answer_is_never_replayed(cached: Cached) -> None:
    """Computed every time; it keeps its validators (the same cut on every run of a release)."""
    tags = set()
    for _ in range(2):
        cut = sparql(cached.url, "SELECT * WHERE { ?s ?p ?o }")
        assert cut.status_code == 200 and cut.headers["X-SPARQL-Truncated"] == "true"
        assert len(cut.json()["results"]["bindings"]) == cached.app.extensions["kg"].settings.max_rows
        assert cut.headers["X-Cache"] == "miss"
        tags.add(cut.headers["ETag"])
    assert len(tags) == 1


def test_a_timed_out_answer_is_never_replayed(cached: Cached) -> None:
    for _ in range(2):
        stopped = sparql(cached.url, RUNAWAY, timeout="1")
        assert stopped.status_code == 503 and "time limit (1 s)" in stopped.json()["message"]
        assert stopped.headers["X-Cache"] == "miss" and stopped.headers["Cache-Control"] == "no-store"
        assert "ETag" not in stopped.headers


def test_the_cache_stays_within_its_bytes(tmp_path: Path) -> None:
    limit = 40_000
    with cached_server(make_data_dir(tmp_path / "out"), answer_cache_bytes=limit) as server:
        queries = [f"SELECT ?p ?o ({n} AS ?n) WHERE {{ <{BASE}letter/167> ?p ?o }} LIMIT 10" for n in range(60)]
        sizes = []
        for query in queries:
            answer = sparql(server.url, query)
            assert answer.status_code == 200 and answer.headers["X-Cache"] == "miss"
            sizes.append(len(answer.content))
            assert 0 < server.cache.bytes <= limit
        assert sum(sizes) > 2 * limit and server.cache.stats.evicted > 0
        assert sparql(server.url, queries[-1]).headers["X-Cache"] == "hit"  # the newest are kept
        assert sparql(server.url, queries[0]).headers["X-Cache"] == "miss"  # the oldest went
        assert server.cache.bytes <= limit
        big = sparql(server.url, "SELECT * WHERE { ?s ?p ?o } LIMIT 20", format="xml")
        assert len(big.content) > server.cache.entry_limit  # larger than one entry may be: answered, not kept
        assert sparql(server.url, "SELECT * WHERE { ?s ?p ?o } LIMIT 20", format="xml").headers["X-Cache"] == "miss"


def _release(staging: Path, old: str, new: str) -> str:
    """A build like the fixture's with ``old`` text replaced by ``new``, laid out in ``staging``; its version."""
    make_data_dir(staging)
    text = FIXTURE.read_text(encoding="utf-8")
    assert old in text
    (staging / "kg.trig").write_text(text.replace(old, new), encoding="utf-8")
    (staging / "kg.trig.gz").unlink()
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in sorted(staging.iterdir())
             if p.name != "SHA256SUMS"]
    (staging / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return hashlib.sha256((staging / "kg.trig").read_bytes()).hexdigest()[:12]  # as kg.web.context.build_info


def _until_new_release(url: str, old_etag: str, seconds: float = 90) -> requests.Response:
    """Ask until the server answers from a new release (it loads it beside the old one first)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = requests.get(url, timeout=30)
        if answer.headers.get("ETag") != old_etag:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"no new release served within {seconds} s")


def test_a_release_swapped_under_the_running_server_gets_new_answers_and_etags(tmp_path: Path) -> None:
    out = make_data_dir(tmp_path / "output")
    with cached_server(out) as server:
        page = server.url + "/person/stalin-i-v.ttl"
        before = requests.get(page, timeout=30)
        query_before = sparql(server.url, NAME)
        assert sparql(server.url, NAME).headers["X-Cache"] == "hit"
        assert "I. V. Stalin" in before.text and "Iosif Stalin" not in before.text
        old_etag, old_query_etag = before.headers["ETag"], query_before.headers["ETag"]
        assert requests.get(page, headers={"If-None-Match": old_etag}, timeout=30).status_code == 304
        old_store = server.app.extensions["kg"].store

        version = _release(tmp_path / ".output.new", 'schema:name "I. V. Stalin"@en', 'schema:name "Iosif Stalin"@en')
        swap_in(tmp_path / ".output.new", out)

        after = _until_new_release(page, old_etag)
        assert after.status_code == 200 and "Iosif Stalin" in after.text
        assert after.headers["ETag"] != old_etag and after.headers["ETag"].startswith(f'"{version}-')
        assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(
            before.headers["Last-Modified"])
        query_after = sparql(server.url, NAME)
        assert query_after.headers["X-Cache"] == "miss" and query_after.headers["ETag"] != old_query_etag
        assert [b["n"]["value"] for b in query_after.json()["results"]["bindings"]] == ["Iosif Stalin"]
        revalidated = requests.get(page, headers={"If-None-Match": old_etag}, timeout=30)
        assert revalidated.status_code == 200 and "Iosif Stalin" in revalidated.text
        old_query = sparql(server.url, NAME)
        assert old_query.headers["X-Cache"] == "hit"
        assert requests.get(server.url + "/sparql", params={"query": NAME}, timeout=30,
                            headers={**JSON, "If-None-Match": old_query_etag}).status_code == 200
        assert server.releases.swaps == 1 and server.app.extensions["kg"].build.version == version
        assert old_store.pool.zygote.proc.poll() is not None or _waited(old_store)  # the old store was closed


def _subjects(turtle: str) -> set[str]:
    return {str(s) for s in Graph().parse(data=turtle, format="turtle").subjects()}


def test_a_release_with_another_base_is_served_under_its_own_base(tmp_path: Path) -> None:
    """The swapped release's IRIs are what its store holds: its base (void:uriSpace), not the first's."""
    other = "https://example.org/corr/"
    out = make_data_dir(tmp_path / "output")
    with cached_server(out) as server:
        page = server.url + "/person/stalin-i-v.ttl"
        before = requests.get(page, timeout=30)
        assert before.status_code == 200 and _subjects(before.text) >= {f"{BASE}person/stalin-i-v"}
        staging = tmp_path / ".output.new"
        _release(staging, BASE, other)
        void = (f"@prefix void: <http://rdfs.org/ns/void#> . "
                f"<{other}dataset> a void:Dataset ; void:uriSpace \"{other}\" .\n")
        (staging / "void.ttl").write_text(void, encoding="utf-8")
        sums = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in sorted(staging.iterdir())
                if p.name != "SHA256SUMS"]
        (staging / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
        swap_in(staging, out)
        after = _until_new_release(page, before.headers["ETag"])
        assert after.status_code == 200 and _subjects(after.text) >= {f"{other}person/stalin-i-v"}
        assert server.app.extensions["kg"].settings.base_iri == other


def _waited(store: OxigraphStore) -> bool:
    store.pool.zygote.proc.wait(timeout=10)
    return True


def test_the_shared_server_has_no_cache_but_validators(live: Live) -> None:
    twice = [requests.get(live.url + "/letter/167.ttl", timeout=30) for _ in "ab"]
    assert [t.headers["X-Cache"] for t in twice] == ["miss", "miss"] and twice[0].content == twice[1].content
    assert twice[0].headers["ETag"] == twice[1].headers["ETag"]


def test_head_revalidates_and_a_star_matches_only_what_exists(cached: Cached) -> None:
    page = cached.url + "/letter/167.jsonld"
    full = requests.get(page, timeout=30)
    assert full.status_code == 200 and full.json()
    head = requests.head(page, headers={"If-None-Match": full.headers["ETag"]}, timeout=30)
    assert head.status_code == 304 and head.content == b"" and head.headers["ETag"] == full.headers["ETag"]
    star = requests.get(page, headers={"If-None-Match": "*"}, timeout=30)
    assert star.status_code == 304
    missing = requests.get(cached.url + "/letter/99998.jsonld", headers={"If-None-Match": "*"}, timeout=30)
    assert missing.status_code == 404 and "99998" in missing.json()["message"]


def test_kg_serve_picks_up_a_release_published_while_it_runs(tmp_path: Path) -> None:
    """The command as shipped (a subprocess): a build swapped into its output/ is served, said once."""
    out = make_data_dir(tmp_path / "output")
    port = free_port()
    argv = [sys.executable, "-m", "kg", "serve", "--data", str(out), "--port", str(port)]
    with (tmp_path / "log").open("wb") as log, subprocess.Popen(argv, stdout=log, stderr=log) as proc:
        try:
            url = f"http://127.0.0.1:{port}/person/stalin-i-v.ttl"
            wait_until_answering(f"http://127.0.0.1:{port}/sparql", proc, seconds=60)
            before = requests.get(url, timeout=30)
            assert "I. V. Stalin" in before.text and requests.get(url, timeout=30).headers["X-Cache"] == "hit"
            version = _release(tmp_path / ".output.new", 'schema:name "I. V. Stalin"@en',
                               'schema:name "Iosif Stalin"@en')
            swap_in(tmp_path / ".output.new", out)
            after = _until_new_release(url, before.headers["ETag"])
            assert "Iosif Stalin" in after.text and after.headers["ETag"].startswith(f'"{version}-')
        finally:
            proc.terminate()
            assert proc.wait(timeout=30) == 0
    assert f"now serving release {version}" in (tmp_path / "log").read_text()
