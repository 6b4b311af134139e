"""`kg link` against recorded Wikidata answers served by a real HTTP server on 127.0.0.1.

The answers in tests/data/wikidata/ are hand-written in the exact shape of the live API
(wbsearchentities bodies, wbgetentities entities) with test-only ids Q9000xx, so nothing here can
leak into the published links. The server counts every hit, which is how the tests see retries,
the cache and the rate limit; faults (429 + Retry-After, 500, a slow answer, malformed JSON) are
scripted per search string. The network guard of conftest.py refuses anything but loopback.
Hostile servers (a byte every few seconds, endless bodies, redirects elsewhere, deep JSON) are in
tests/test_link_hostile.py.
"""

from __future__ import annotations

import csv
import json
import re
import socket
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from kg.config import Settings
from kg.errors import LinkingError
from kg.link.client import ClientConfig, WikidataClient, retry_after_seconds
from kg.link.names import fold
from kg.link.reconcile import Subject, reconcile, search_queries, subjects_from_entities, subjects_from_events
from kg.link.review import LINK_COLUMNS, accept_review, read_review, run_link, write_review
from kg.model import DateStatement, Entity, Event, WikidataLink

DATA = Path(__file__).parent / "data" / "wikidata"
API_PATH = "/w/api.php"


class RecordedWikidata:
    """A fake MediaWiki API: replays recorded bodies, counts hits, plays scripted faults."""

    def __init__(self, server: HTTPServer):
        self.server = server
        self.hits: Counter[tuple[str, str]] = Counter()
        self.times: dict[tuple[str, str], list[float]] = {}
        self.user_agents: list[str] = []
        self.faults: dict[str, list[str]] = {}  # search string -> faults to play, in order
        server.expect_request(API_PATH).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for(API_PATH)

    @property
    def total(self) -> int:
        return sum(self.hits.values())

    def handle(self, request: Request) -> Response:
        action, key = request.args.get("action", ""), request.args.get("search") or request.args.get("ids", "")
        self.hits[(action, key)] += 1
        self.times.setdefault((action, key), []).append(time.monotonic())
        self.user_agents.append(request.headers.get("User-Agent", ""))
        queue = self.faults.get(key, [])
        fault = queue.pop(0) if queue else None
        if fault == "429":
            return Response("Too many requests", 429, headers={"Retry-After": "1"})
        if fault == "500":
            return Response("<html>upstream error</html>", 500, content_type="text/html")
        if fault == "garbled":
            return Response('{"searchinfo": {"search": "Garb', 200, content_type="application/json")
        if fault == "maxlag":  # how MediaWiki says "replicas lag, come back later": HTTP 200 and an error object
            return Response(json.dumps({"error": {"code": "maxlag", "info": "Waiting for db1: 6 seconds lagged.",
                                                  "host": "db1", "lag": 6}, "servedby": "mw1"}), 200,
                            headers={"Retry-After": "0"}, content_type="application/json")
        if fault == "badparam":
            error = {"code": "badvalue", "info": "Unrecognized value for parameter \"type\"."}
            return Response(json.dumps({"error": error, "servedby": "mw1"}), 200, content_type="application/json")
        if fault == "slow":
            time.sleep(0.6)  # longer than the client's 0.2 s timeout
        body = self.search(key) if action == "wbsearchentities" else self.entities(key.split("|"))
        return Response(json.dumps(body, ensure_ascii=False), 200, content_type="application/json; charset=utf-8")

    @staticmethod
    def search(text: str) -> dict:
        path = DATA / "search" / (re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") + ".json")
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        return {"searchinfo": {"search": text}, "search": [], "success": 1}

    @staticmethod
    def entities(qids: list[str]) -> dict:
        found = {}
        for qid in qids:
            path = DATA / "entities" / f"{qid}.json"
            found[qid] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"id": qid, "missing": ""}
        return {"entities": found, "success": 1}


@pytest.fixture
def api() -> Iterator[RecordedWikidata]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)  # threaded: a slow answer blocks no retry
    server.start()
    try:
        yield RecordedWikidata(server)
    finally:
        server.clear()
        server.stop()


def make_client(url: str, cache: Path | None, **overrides: float) -> WikidataClient:
    config = ClientConfig(base_url=url, user_agent=Settings().user_agent, cache_dir=cache, min_interval=0.0,
                          timeout=0.2, deadline=10.0, max_retries=3, backoff=0.01, max_delay=5.0)
    return WikidataClient(replace(config, **overrides))


ORDZHONIKIDZE = Entity("ordzhonikidze-g-k", "person", "G. K. Ordzhonikidze", ["Sergo", "Ordjonikidze"],
                       full_name="Grigory Konstantinovich Ordzhonikidze")
POLITBURO = Entity("politburo", "organization", "Politburo", ["Political Bureau of the CC"])
TIFLIS = Entity("tiflis", "place", "Tiflis", ["Tbilisi"])
HAMBURG = Event("hamburg-uprising", "Hamburg uprising", "historical",
                DateStatement("23–25 October 1923", "1923-10-23/1923-10-25", "1923-10-23", "1923-10-25",
                              gregorian_earliest="1923-10-23", gregorian_latest="1923-10-25"))


def person(entity_id: str, surname: str) -> Entity:
    return Entity(entity_id, "person", f"A. A. {surname}")


def subjects_of(*entities: Entity) -> list[Subject]:
    return subjects_from_entities(entities, set())[0]


def review_table(path: Path) -> list[tuple[str, str, str, str]]:
    return [(r.entity_id, r.rank, r.qid, r.score) for r in read_review(path)]


# -- ranking ---------------------------------------------------------------------------------------------------


def test_review_file_ranks_candidates_by_score_with_reasons(api: RecordedWikidata, tmp_path: Path) -> None:
    subjects = subjects_of(ORDZHONIKIDZE, POLITBURO, TIFLIS) + subjects_from_events([HAMBURG], set())[0]
    candidates, summary = reconcile(subjects, make_client(api.url, tmp_path / "cache"))
    write_review(tmp_path / "review.csv", candidates)

    assert review_table(tmp_path / "review.csv") == [
        ("ordzhonikidze-g-k", "1", "Q900001", "10"),  # human, 1886–1937, alias = our full name, Soviet politician
        ("ordzhonikidze-g-k", "2", "Q900005", "5"),  # human, dates fit, but initial K. conflicts with our G.
        ("ordzhonikidze-g-k", "3", "Q900006", "2"),  # human, no dates, "chess player"
        ("politburo", "1", "Q900011", "6"),  # alias "Politburo", founded 1917, party/communist body
        ("politburo", "2", "Q900013", "1"),  # same label, but a film
        ("tiflis", "1", "Q900021", "5"),  # alias "Tiflis", capital city
        ("tiflis", "2", "Q900022", "1"),  # label "Tbilisi", but a railway station
        ("hamburg-uprising", "1", "Q900031", "6"),  # 1923 matches, insurrection
        ("hamburg-uprising", "2", "Q900032", "1"),  # a film
    ]
    top = read_review(tmp_path / "review.csv")[0]
    assert top.accept == "" and top.kind == "person" and top.entity_label == "G. K. Ordzhonikidze"
    assert top.label == "Sergo Ordzhonikidze" and top.dates == "1886–1937"
    assert top.matched == "Grigory Konstantinovich Ordzhonikidze"
    assert top.reasons == ("human (P31 Q5); born 1886, died 1937: alive in 1912–1927; "
                           "'Grigory Konstantinovich Ordzhonikidze' = our 'Grigory Konstantinovich Ordzhonikidze'; "
                           "description: bolshevik, politician, revolutionary, soviet")
    assert "conflicts with our initial G." in read_review(tmp_path / "review.csv")[1].reasons
    # The city (not human), the family-name page, the athlete born 1930 and the disambiguation page are out.
    assert (summary.searched, summary.candidates, summary.rejected, summary.errors) == (4, 9, 4, [])
    assert set(api.user_agents) == {Settings().user_agent}


def test_people_are_searched_by_full_and_short_names_not_initials() -> None:
    assert search_queries(subjects_of(ORDZHONIKIDZE)[0]) == [
        "Grigory Konstantinovich Ordzhonikidze", "Grigory Ordzhonikidze", "Ordzhonikidze"]
    assert search_queries(subjects_of(person("x", "Nazaretyan"))[0]) == ["Nazaretyan"]
    sto = Entity("sto", "organization", "Council of Labor and Defense (STO)", ["STO", "SRT", "Council of Labour"])
    assert search_queries(subjects_of(sto)[0]) == ["Council of Labor and Defense", "Council of Labour"]
    assert search_queries(subjects_of(Entity("kpd", "organization", "KPD"))[0]) == ["KPD"]


def test_fold_equates_transliteration_variants() -> None:
    for variants in (["Ordzhonikidze", "Ordjonikidze", "Орджоникидзе"], ["Zinoviev", "Zinovyev", "Зиновьев"],
                     ["Kuibyshev", "Kuybyshev", "Куйбышев"], ["Dzerzhinsky", "Dzerzhinski", "Дзержинский"],
                     ["Trotsky", "Trotzki", "Троцкий"], ["Chicherin", "Tschitscherin"]):
        assert len({fold(v) for v in variants}) == 1, variants
    assert fold("Stalin") != fold("Lenin")


# -- cache, rate limit ------------------------------------------------------------------------------------------


def test_cache_answers_a_rerun_without_any_request(api: RecordedWikidata, tmp_path: Path) -> None:
    subjects = subjects_of(ORDZHONIKIDZE, TIFLIS)
    first, first_summary = reconcile(subjects, make_client(api.url, tmp_path / "cache"))
    hits_after_first = api.total
    assert hits_after_first == first_summary.requests == 7  # 3 + 2 searches, 2 wbgetentities
    second, second_summary = reconcile(subjects, make_client(api.url, tmp_path / "cache"))
    assert api.total == hits_after_first  # nothing asked again
    assert second_summary.requests == 0 and second_summary.cache_hits == hits_after_first
    assert [(c.qid, c.score) for c in second] == [(c.qid, c.score) for c in first]
    assert len(list((tmp_path / "cache").glob("*.json"))) == hits_after_first


def test_min_interval_spaces_requests(api: RecordedWikidata, tmp_path: Path) -> None:
    reconcile(subjects_of(TIFLIS), make_client(api.url, None, min_interval=0.15))
    times = sorted(t for ts in api.times.values() for t in ts)
    assert len(times) == 3
    assert all(b - a >= 0.14 for a, b in zip(times, times[1:], strict=False))


# -- errors -------------------------------------------------------------------------------------------------------


def test_429_waits_for_retry_after_then_succeeds(api: RecordedWikidata, tmp_path: Path) -> None:
    api.faults["Ratelimitov"] = ["429"]
    client = make_client(api.url, tmp_path / "cache")
    candidates, summary = reconcile(subjects_of(person("ratelimitov-a-a", "Ratelimitov")), client)
    assert api.hits[("wbsearchentities", "Ratelimitov")] == 2
    first, second = api.times[("wbsearchentities", "Ratelimitov")]
    assert second - first >= 1.0  # Retry-After: 1 honoured, not the 0.01 s backoff
    assert client.stats.waits == [1.0] and summary.retries == 1 and summary.errors == []
    assert [c.qid for c in candidates] == ["Q900041"]


def test_a_retry_after_longer_than_max_delay_is_not_shortened(api: RecordedWikidata, tmp_path: Path) -> None:
    api.faults["Ratelimitov"] = ["429"]
    client = make_client(api.url, tmp_path / "cache", max_delay=0.5)
    candidates, summary = reconcile(subjects_of(person("ratelimitov-a-a", "Ratelimitov")), client)
    assert api.hits[("wbsearchentities", "Ratelimitov")] == 1 and client.stats.waits == []
    assert candidates == [] and "asks to wait 1 s, more than max_delay" in summary.errors[0].message


def test_500_is_retried_with_backoff(api: RecordedWikidata, tmp_path: Path) -> None:
    api.faults["Flakin"] = ["500", "500"]
    client = make_client(api.url, tmp_path / "cache")
    candidates, summary = reconcile(subjects_of(person("flakin-b-b", "Flakin")), client)
    assert api.hits[("wbsearchentities", "Flakin")] == 3
    assert client.stats.waits == [0.01, 0.02]  # exponential
    assert [c.qid for c in candidates] == ["Q900042"] and summary.errors == []


def test_timeout_is_retried(api: RecordedWikidata, tmp_path: Path) -> None:
    api.faults["Slowkin"] = ["slow"]
    client = make_client(api.url, tmp_path / "cache")
    candidates, summary = reconcile(subjects_of(person("slowkin-v-v", "Slowkin")), client)
    assert api.hits[("wbsearchentities", "Slowkin")] == 2
    assert summary.retries == 1 and summary.errors == []
    assert [c.qid for c in candidates] == ["Q900043"]


def test_retries_are_bounded_and_failures_not_cached(api: RecordedWikidata, tmp_path: Path) -> None:
    api.faults["Flakin"] = ["500"] * 10
    subjects = subjects_of(person("flakin-b-b", "Flakin"), TIFLIS)
    candidates, summary = reconcile(subjects, make_client(api.url, tmp_path / "cache"))
    assert api.hits[("wbsearchentities", "Flakin")] == 4  # 1 + max_retries 3
    assert [e.subject_id for e in summary.errors] == ["flakin-b-b"]
    assert "gave up after 4 attempts: HTTP 500" in summary.errors[0].message
    assert {c.subject.id for c in candidates} == {"tiflis"}  # the run went on
    assert (summary.searched, summary.subjects) == (1, 2)
    api.faults["Flakin"] = []
    reconcile(subjects, make_client(api.url, tmp_path / "cache"))
    assert api.hits[("wbsearchentities", "Flakin")] == 5  # the failure was asked again, the rest came from cache


def test_malformed_json_is_an_error_for_that_entity_only(api: RecordedWikidata, tmp_path: Path) -> None:
    api.faults["Garblev"] = ["garbled"]
    subjects = subjects_of(person("garblev-d-d", "Garblev"), person("flakin-b-b", "Flakin"))
    candidates, summary = reconcile(subjects, make_client(api.url, tmp_path / "cache"))
    assert api.hits[("wbsearchentities", "Garblev")] == 1  # not transient: reported, not retried
    assert [e.subject_id for e in summary.errors] == ["garblev-d-d"]
    assert "malformed JSON" in summary.errors[0].message
    assert [c.qid for c in candidates] == ["Q900042"]
    assert "ERROR garblev-d-d: wbsearchentities 'Garblev': malformed JSON" in str(summary)


def test_api_error_objects_maxlag_is_retried_others_reported(api: RecordedWikidata, tmp_path: Path) -> None:
    api.faults["Flakin"] = ["maxlag"]
    api.faults["Garblev"] = ["badparam"]
    client = make_client(api.url, tmp_path / "cache")
    subjects = subjects_of(person("flakin-b-b", "Flakin"), person("garblev-d-d", "Garblev"))
    candidates, summary = reconcile(subjects, client)
    assert api.hits[("wbsearchentities", "Flakin")] == 2 and client.stats.waits == [0.0]
    assert [c.qid for c in candidates] == ["Q900042"]
    assert api.hits[("wbsearchentities", "Garblev")] == 1
    assert [(e.subject_id, e.message) for e in summary.errors] == [
        ("garblev-d-d", "wbsearchentities 'Garblev': API error badvalue: Unrecognized value for parameter \"type\".")]
    assert not any("Garblev" in json.loads(p.read_text())["params"].get("search", "")
                   for p in (tmp_path / "cache").glob("*.json"))  # errors are not cached


def test_connection_refused_is_reported_per_entity(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}{API_PATH}", tmp_path / "cache")
    candidates, summary = reconcile(subjects_of(person("a-a", "Ratelimitov"), TIFLIS), client)
    assert candidates == [] and summary.searched == 0
    assert [e.subject_id for e in summary.errors] == ["a-a", "tiflis"]
    assert all("connection failed" in e.message for e in summary.errors)
    assert client.stats.requests == 8  # 4 attempts per entity, then it moved on


def test_network_guard_refuses_non_loopback() -> None:
    with pytest.raises(ConnectionRefusedError, match="blocked"), socket.socket() as sock:
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: would hang, not fail, without the guard
    with pytest.raises(requests.ConnectionError):
        requests.get("http://192.0.2.1/w/api.php", timeout=5)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


# -- the run and --accept ----------------------------------------------------------------------------------------

EXISTING_LINKS = ("entity_id,wikidata,source,method,confidence,date,evidence\n"
                  "lenin-v-i,http://www.wikidata.org/entity/Q900099,test fixture,curated,high,2026-01-01,"
                  "\"invented, for the test\"\n")


def test_run_writes_review_and_never_a_link(api: RecordedWikidata, tmp_path: Path) -> None:
    links = tmp_path / "wikidata-links.csv"
    links.write_text(EXISTING_LINKS, encoding="utf-8")
    linked = Entity("lenin-v-i", "person", "V. I. Lenin", full_name="Vladimir Ilyich Lenin")
    curated = Entity("stalin-i-v", "person", "I. V. Stalin",
                     wikidata=WikidataLink("http://www.wikidata.org/entity/Q900098", "test", "curated", "high",
                                           "2026-01-01"))
    summary = run_link([linked, curated, ORDZHONIKIDZE, TIFLIS], [HAMBURG], make_client(api.url, tmp_path / "c"),
                       links, tmp_path / "review.csv", kinds=("person", "place"))
    assert links.read_text(encoding="utf-8") == EXISTING_LINKS  # byte for byte
    assert summary.skipped_linked == 2 and summary.subjects == 2  # the event was not asked for
    assert not any("Lenin" in key or "Stalin" in key for _, key in api.hits)
    assert {r.entity_id for r in read_review(tmp_path / "review.csv")} == {"ordzhonikidze-g-k", "tiflis"}


def mark(review: Path, marks: dict[tuple[str, str], str]) -> None:
    """What a reviewer does: fill the accept cell of some rows."""
    with review.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["accept"] = marks.get((row["entity_id"], row["qid"]), row["accept"])
    with review.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_accept_merges_exactly_the_accepted_rows_with_provenance(api: RecordedWikidata, tmp_path: Path) -> None:
    links, review = tmp_path / "wikidata-links.csv", tmp_path / "review.csv"
    links.write_text(EXISTING_LINKS, encoding="utf-8")
    run_link([ORDZHONIKIDZE, POLITBURO, TIFLIS], [], make_client(api.url, tmp_path / "c"), links, review)
    mark(review, {("ordzhonikidze-g-k", "Q900001"): "y", ("ordzhonikidze-g-k", "Q900005"): "n",
                  ("tiflis", "Q900021"): "Yes"})

    summary = accept_review(review, links, today=date(2026, 3, 1))
    assert summary.added == ["ordzhonikidze-g-k -> Q900001", "tiflis -> Q900021"] and summary.problems == []
    text = links.read_text(encoding="utf-8")
    assert text.startswith(EXISTING_LINKS)
    with links.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["entity_id"] for r in rows] == ["lenin-v-i", "ordzhonikidze-g-k", "tiflis"]
    new = rows[1]
    assert list(new) == list(LINK_COLUMNS)
    assert new["wikidata"] == "http://www.wikidata.org/entity/Q900001"
    assert new["source"] == "review.csv (Wikidata API wbsearchentities/wbgetentities)"
    assert (new["method"], new["confidence"], new["date"]) == ("reconciled", "10", "2026-03-01")
    assert new["evidence"].startswith("label 'Sergo Ordzhonikidze'; description 'Soviet politician and Bolshevik "
                                      "revolutionary (1886–1937)'; matched 'Grigory Konstantinovich Ordzhonikidze'")

    again = accept_review(review, links, today=date(2026, 3, 2))  # idempotent
    assert again.added == [] and len(again.unchanged) == 2
    assert links.read_text(encoding="utf-8") == text


def test_accept_reports_conflicts_and_bad_rows_and_writes_nothing_for_them(api: RecordedWikidata,
                                                                           tmp_path: Path) -> None:
    links, review = tmp_path / "wikidata-links.csv", tmp_path / "review.csv"
    links.write_text(EXISTING_LINKS, encoding="utf-8")
    run_link([ORDZHONIKIDZE, POLITBURO, TIFLIS], [], make_client(api.url, tmp_path / "c"), links, review)
    mark(review, {("ordzhonikidze-g-k", "Q900001"): "y", ("ordzhonikidze-g-k", "Q900005"): "y",  # two for one
                  ("politburo", "Q900011"): "maybe", ("tiflis", "Q900021"): "y"})
    with review.open("a", encoding="utf-8") as handle:
        handle.write("y,lenin-v-i,person,V. I. Lenin,1,9,Q900097,x,x,,x,x\n"  # already linked elsewhere
                     "y,nobody,person,Nobody,1,9,Q12x,x,x,,x,x\n")  # not an item id
    summary = accept_review(review, links, today=date(2026, 3, 1), known_ids={"ordzhonikidze-g-k", "politburo",
                                                                                "tiflis", "lenin-v-i"})
    assert summary.added == ["tiflis -> Q900021"]
    problems = "\n".join(summary.problems)
    assert "ordzhonikidze-g-k: several items accepted (Q900001, Q900005)" in problems
    assert "accept value 'maybe' is neither yes nor no" in problems
    assert "lenin-v-i: already linked to http://www.wikidata.org/entity/Q900099, not to Q900097" in problems
    assert "'Q12x' is not a Wikidata item id" in problems
    rows = csv.DictReader(links.read_text(encoding="utf-8").splitlines())
    assert [r["entity_id"] for r in rows] == ["lenin-v-i", "tiflis"]


def test_a_reviewed_file_is_never_overwritten(api: RecordedWikidata, tmp_path: Path) -> None:
    links, review = tmp_path / "wikidata-links.csv", tmp_path / "review.csv"
    run_link([TIFLIS], [], make_client(api.url, tmp_path / "c"), links, review)
    mark(review, {("tiflis", "Q900021"): "y"})
    before, hits = review.read_text(encoding="utf-8"), api.total
    with pytest.raises(LinkingError, match="already has reviewed rows"):
        run_link([TIFLIS], [], make_client(api.url, tmp_path / "c"), links, review)
    assert review.read_text(encoding="utf-8") == before and api.total == hits
    assert not links.exists()


# -- the `kg link` verb end to end, with kg.resolve.authority's own files and loader ---------------------------------

PEOPLE_TOML = """
[[person]]
id = "ordzhonikidze-g-k"
label = "G. K. Ordzhonikidze"
full_name = "Grigory Konstantinovich Ordzhonikidze"
surnames = ["Ordzhonikidze", "Ordjonikidze"]
initials = ["G. K."]
names = [{ form = "Sergo", kind = "nickname" }]

[[person]]
id = "lenin-v-i"
label = "V. I. Lenin"
full_name = "Vladimir Ilyich Lenin"
surnames = ["Lenin"]
initials = ["V. I."]
"""
PLACES_TOML = """
[[place]]
id = "tiflis"
label = "Tiflis"
names = ["Tiflis", "Tbilisi"]
"""


def test_kg_link_verb_reviews_then_accepts_into_the_authority_files(api: RecordedWikidata, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli
    from kg.resolve.authority import load_authorities

    folder = tmp_path / "data" / "authority"
    folder.mkdir(parents=True)
    (folder / "people.toml").write_text(PEOPLE_TOML, encoding="utf-8")
    (folder / "places.toml").write_text(PLACES_TOML, encoding="utf-8")
    links = folder / "wikidata-links.csv"
    links.write_text(EXISTING_LINKS, encoding="utf-8")
    common = ["--data", str(tmp_path / "data"), "--cache", str(tmp_path / "cache"), "--min-interval", "0"]

    result = CliRunner().invoke(cli, ["link", "--api", api.url, *common])
    assert result.exit_code == 0, result.output
    assert "searched 2/2 entities (1 already linked, skipped), 5 candidates" in result.output
    review = folder / "wikidata-review.csv"
    assert [(r.entity_id, r.qid) for r in read_review(review) if r.rank == "1"] == [
        ("ordzhonikidze-g-k", "Q900001"), ("tiflis", "Q900021")]
    assert links.read_text(encoding="utf-8") == EXISTING_LINKS  # no link without --accept

    mark(review, {("ordzhonikidze-g-k", "Q900001"): "y"})
    result = CliRunner().invoke(cli, ["link", "--accept", str(review), *common])
    assert result.exit_code == 0, result.output
    assert "added 1 links" in result.output
    link = load_authorities(tmp_path / "data").entities["ordzhonikidze-g-k"].wikidata
    assert link is not None and link.iri == "http://www.wikidata.org/entity/Q900001"
    assert (link.method, link.confidence, link.source) == (
        "reconciled", "10", "wikidata-review.csv (Wikidata API wbsearchentities/wbgetentities)")


def test_kg_link_events_are_proposed_but_cannot_be_accepted_yet(api: RecordedWikidata, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    folder = tmp_path / "data" / "authority"
    folder.mkdir(parents=True)
    (folder / "places.toml").write_text(PLACES_TOML, encoding="utf-8")
    (folder / "events.toml").write_text('[[event]]\nid = "hamburg-uprising"\nlabel = "Hamburg Uprising"\n'
                                        'kind = "historical"\nkeywords = ["uprising", "Hamburg"]\n'
                                        'stated_in = ["173/7"]\nfactuality = "stated"\n', encoding="utf-8")
    common = ["--data", str(tmp_path / "data"), "--cache", str(tmp_path / "cache"), "--min-interval", "0"]
    result = CliRunner().invoke(cli, ["link", "--api", api.url, "--kind", "event", *common])
    assert result.exit_code == 0, result.output
    review = folder / "wikidata-review.csv"
    # Curated events carry no date, so only names and descriptions score them.
    assert review_table(review) == [("hamburg-uprising", "1", "Q900031", "4"),
                                    ("hamburg-uprising", "2", "Q900032", "1")]
    mark(review, {("hamburg-uprising", "Q900031"): "y"})
    result = CliRunner().invoke(cli, ["link", "--accept", str(review), *common])
    assert result.exit_code == 1 and "'hamburg-uprising' is not an authority entity" in result.output
    assert not (folder / "wikidata-links.csv").exists()
