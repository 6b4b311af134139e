"""External stores (issues 6 and 16): `kg load` into a live Oxigraph server and a live Virtuoso (both
protocols, and Virtuoso's bulk loader reading `kg load --to-files`), then `kg serve --sparql-backend`
in front of each answers exactly like the embedded store: the whole graph (through a CONSTRUCT over
/sparql, as a generic client fetches it), the seed's facts on it, COUNT(*) over the default graph (the
collection and nothing else, even on a Virtuoso whose own system graphs are part of its default graph),
GRAPH ?g over the per-document graphs, the dataset a query or a request brings, a letter page and
search. The guards of our app still apply in front.

Virtuoso comes from Debian's `virtuoso-opensource` (`make virtuoso`); without it those cases skip and say so.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from bench.peer_queries import PICK_LETTER, PICK_PERSON, PREFIXES, QUERIES, render
from kg.store.dataset import CONFINED, Dataset, plan_dataset, says_graph, without_dataset_clauses
from kg.store.load import Collection
from kg.store.remote import RemoteStore
from kg.store.results import to_ox as ox_term
from tests.oxigraph_server import free_port, running_oxigraph, wait_until_answering
from tests.release_builds import Built, seed_release  # noqa: F401 - a fixture
from tests.seed_facts import SEED_TOTAL, score_dump
from tests.virtuoso_server import running_virtuoso, virtuoso_installed

KG = str(Path(sys.executable).parent / "kg")
WHOLE_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
LETTERS = "PREFIX schema: <http://schema.org/> SELECT (COUNT(?l) AS ?n) WHERE { ?l a schema:Message }"
BASE = Collection().base_iri
LETTER_GRAPH = BASE + "graph/letter/167"
AUTHORITY_GRAPH = BASE + "graph/authority"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
LETTER = BASE + "letter/167"
FILE = BASE + "archive/garf/fr-5674/op1/d1"  # an archival file, in a chain of units up to its fond
FOREIGN_GRAPH = "urn:x:foreign"
FOREIGN_DEFAULT = "urn:x:foreign-default"  # Virtuoso has no plain default graph: its default is every graph
BC = "https://w3id.org/bolcorr/ns#"
# What a shared store holds beside ours, shaped like ours (a letter "167", a statement about our letter,
# a file's archival chain) so that any of it leaking shows in the answers compared below.
FOREIGN_TRIPLES = (f'<{LETTER}> <http://schema.org/identifier> "167" . <{FILE}> <{BC}inUnit> <urn:x:unit> . '
                   '<urn:x:unit> <{BC}inUnit> <urn:x:fond> . '
                   '<urn:x:letter> a <http://schema.org/Message> ; <http://schema.org/identifier> "167" . ')
FOREIGN_TRIPLES = FOREIGN_TRIPLES.replace("{BC}", BC)
NO_VIRTUOSO = "Virtuoso is not installed (/usr/bin/virtuoso-t): run `make virtuoso` as root to test it"

# The same questions on every store; each answer is compared with the embedded store's, row for row.
SAME_ANSWERS: dict[str, tuple[str, dict[str, list[str]]]] = {
    "every triple of the default graph": (COUNT_ALL, {}),
    "distinct triples of the default graph": (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }", {}),
    "distinct subjects": ("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }", {}),
    "triples per named graph": ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {}),
    "every quad": ("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {}),
    "graphs of a letter": ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?l <http://schema.org/identifier> \"167\" } }",
                           {}),
    "FROM one letter graph": (f"SELECT (COUNT(*) AS ?n) FROM <{LETTER_GRAPH}> WHERE {{ ?s ?p ?o }}", {}),
    "FROM only, no named graphs": (f"SELECT (COUNT(*) AS ?n) FROM <{LETTER_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                                   {}),
    "FROM NAMED, default graph empty": (
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{LETTER_GRAPH}> WHERE {{ {{ ?s ?p ?o BIND(<urn:x:default> AS ?g) }}"
        " UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g", {}),
    "FROM a foreign graph is empty": ("SELECT (COUNT(*) AS ?n) FROM <urn:x:not-ours> WHERE { ?s ?p ?o }", {}),
    "default-graph-uri": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"default-graph-uri": [AUTHORITY_GRAPH]}),
    "default-graph-uri wins over FROM": (f"SELECT (COUNT(*) AS ?n) FROM <{LETTER_GRAPH}> WHERE {{ ?s ?p ?o }}",
                                         {"default-graph-uri": [AUTHORITY_GRAPH]}),
    "named-graph-uri": ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                        {"named-graph-uri": [LETTER_GRAPH]}),
    "ASK": ('ASK { ?l <http://schema.org/identifier> "167" }', {}),
    "default-graph-uri, and GRAPH over every graph of ours": (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o BIND(<urn:x:default> AS ?g) } UNION { GRAPH ?g { ?s ?p ?o } } } "
        "GROUP BY ?g", {"default-graph-uri": [AUTHORITY_GRAPH]}),
    # a dataset naming someone else's graph that the store holds: empty, as on the embedded store
    "FROM a foreign graph the store holds": (f"SELECT (COUNT(*) AS ?n) FROM <{FOREIGN_GRAPH}> WHERE {{ ?s ?p ?o }}",
                                             {}),
    "default-graph-uri of a foreign graph": (COUNT_ALL, {"default-graph-uri": [FOREIGN_GRAPH]}),
    "FROM NAMED a foreign graph and ours": (
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{FOREIGN_GRAPH}> FROM NAMED <{LETTER_GRAPH}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {}),
    "named-graph-uri of a foreign graph and ours": (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        {"named-graph-uri": [FOREIGN_GRAPH, LETTER_GRAPH]}),
    # queries that say GRAPH go out with no dataset, rewritten to the collection (kg.store.confine)
    "GRAPH in OPTIONAL": ("SELECT ?l ?g WHERE { ?l a <http://schema.org/Message> "
                          "OPTIONAL { GRAPH ?g { ?l <http://schema.org/identifier> ?id } } }", {}),
    "GRAPH in UNION": ("SELECT ?id (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?l <http://schema.org/identifier> ?id } } "
                       "UNION { ?l <http://schema.org/identifier> ?id } } GROUP BY ?id", {}),
    "GRAPH <letter> in MINUS": (f"SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE {{ ?l a <http://schema.org/Message> "
                                f"MINUS {{ GRAPH <{LETTER_GRAPH}> {{ ?l ?p ?o }} }} }}", {}),
    "subqueries, on graphs and on the default graph": (
        "SELECT ?g ?n ?all WHERE { { SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g } "
        "{ SELECT (COUNT(*) AS ?all) WHERE { ?s ?p ?o } } }", {}),
    "FILTER EXISTS holding GRAPH": ("SELECT ?l WHERE { ?l a <http://schema.org/Message> FILTER EXISTS { "
                                    "GRAPH ?g { ?l <http://schema.org/identifier> \"167\" } } }", {}),
    "EXISTS in the projection": (
        "SELECT ?l (IF(EXISTS { GRAPH ?g { ?l a <http://schema.org/Message> } }, \"in\", \"out\") AS ?where) "
        "WHERE { ?l <http://schema.org/identifier> ?id }", {}),
    # Virtuoso 7.2 refuses `?x p+ ?y` with neither end bound ("transitive start not given") and a trailing
    # VALUES on a variable not projected ("No column"), and repeats the rows of a path inside GRAPH ?g,
    # rewritten or not (with the list of named graphs too): these shapes avoid all three
    "a property path in each graph": (f"SELECT DISTINCT ?g ?y WHERE {{ GRAPH ?g {{ <{FILE}> <{BC}inUnit>+ ?y }} }}",
                                      {}),
    "a property path on the default graph, then GRAPH": (
        f"SELECT ?y ?g WHERE {{ <{FILE}> <{BC}inUnit>+ ?y OPTIONAL {{ GRAPH ?g {{ ?y a ?t }} }} }}", {}),
    "GRAPH <foreign> is empty": (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{FOREIGN_GRAPH}> {{ ?s ?p ?o }} }}", {}),
    "GRAPH <the union> is empty": (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/collection> {{ ?s ?p ?o }} }}",
                                   {}),
    "ASK GRAPH <foreign>": (f"ASK {{ GRAPH <{FOREIGN_GRAPH}> {{ ?s ?p ?o }} }}", {}),
    "nested GRAPH": ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?l a <http://schema.org/Message> "
                     "GRAPH ?h { ?l <http://schema.org/identifier> ?id } } }", {}),
    "trailing VALUES": ("SELECT ?g ?l ?id WHERE { GRAPH ?g { ?l <http://schema.org/identifier> ?id } } "
                        "VALUES ?id { \"167\" \"9999\" }", {}),
    "default triples in no graph": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
                                    "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }", {}),
    "CONSTRUCT from graphs": ("CONSTRUCT { ?l <urn:x:in> ?g } WHERE { GRAPH ?g { ?l a <http://schema.org/Message> } }",
                              {}),
}


@dataclass(frozen=True)
class External:
    """A store loaded by `kg load`, and our `kg serve --sparql-backend` in front of it."""

    name: str
    query: str  # the store's own SPARQL endpoint
    site: str  # our app in front of it


@contextmanager
def kg_serve(data: Path, *extra: str) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen([KG, "serve", "--data", str(data), "--port", str(port), *extra],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:  # closes its pipe
        try:
            wait_until_answering(base + "/sparql", proc)
            yield base
        finally:
            proc.kill()
            proc.wait(timeout=10)


def sparql_json(url: str, query: str, **params: list[str]) -> dict:
    resp = requests.post(url, data={"query": query, **params}, headers={"Accept": "application/sparql-results+json"},
                         timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()


def rows(site: str, query: str, **params: list[str]) -> Counter:
    """The answer through our /sparql as a multiset of rows (blank nodes as '_:', ASK as its boolean,
    a CONSTRUCT's triples as N-Triples lines)."""
    if query.startswith(("CONSTRUCT", "DESCRIBE")):
        resp = requests.post(site + "/sparql", data={"query": query, **params},
                             headers={"Accept": "application/n-triples"}, timeout=60)
        assert resp.status_code == 200, resp.text
        return Counter(resp.text.splitlines())
    doc = sparql_json(site + "/sparql", query, **params)
    if "boolean" in doc:
        return Counter([doc["boolean"]])
    names = doc["head"]["vars"]
    return Counter(tuple(_term(b.get(n)) for n in names) for b in doc["results"]["bindings"])


def _term(binding: dict | None) -> str:
    if binding is None:
        return ""
    if binding["type"] == "uri":
        return str(ox.NamedNode(binding["value"]))
    if binding["type"] == "bnode":
        return "_:"
    if "xml:lang" in binding:
        return str(ox.Literal(binding["value"], language=binding["xml:lang"]))
    return str(ox.Literal(binding["value"], datatype=ox.NamedNode(binding.get("datatype", ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#string").value))))


def count(site: str, query: str, **params: list[str]) -> int:
    return int(sparql_json(site + "/sparql", query, **params)["results"]["bindings"][0]["n"]["value"])


def whole_graph(base: str) -> Graph:
    resp = requests.post(base + "/sparql", data={"query": WHOLE_GRAPH},
                         headers={"Accept": "application/n-triples"}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("application/n-triples")
    assert resp.headers["X-SPARQL-Truncated"] == "false"  # the whole graph, not a cut
    return Graph().parse(data=resp.text, format="nt")


def count_letters(base: str) -> int:
    resp = requests.get(base + "/sparql", params={"query": LETTERS},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def trig_quads(data: Path) -> Counter:
    """The build's quads as the rows of ``every quad`` (blank nodes as '_:')."""
    def show(term: object) -> str:
        return "_:" if isinstance(term, ox.BlankNode) else str(term)

    quads = set(ox.parse(path=str(data / "kg.trig"), format=ox.RdfFormat.TRIG))
    return Counter((show(q.graph_name), show(q.subject), show(q.predicate), show(q.object)) for q in quads)


def kg_load(data: Path, endpoint: str, protocol: str) -> str:
    done = subprocess.run([KG, "load", "--endpoint", endpoint, "--protocol", protocol, "--data", str(data)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAILED" not in done.stdout
    return done.stdout


@pytest.fixture(scope="module")
def seed_build(seed_release: Built) -> Path:  # noqa: F811 - the session's seed build (tests/release_builds.py)
    return seed_release.out


@pytest.fixture(scope="module")
def embedded(seed_build: Path) -> Iterator[str]:
    with kg_serve(seed_build) as site:
        yield site


def kg_load_files(data: Path, folder: Path) -> str:
    done = subprocess.run([KG, "load", "--to-files", str(folder), "--data", str(data)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@contextmanager
def external(name: str, data: Path) -> Iterator[External]:
    """Start the store, `kg load` the build with SPARQL Update, then again with the Graph Store
    Protocol (which must replace, not add), and serve our app in front of it. "virtuoso_bulk": the
    operator's path for a big collection instead, `kg load --to-files` into a folder Virtuoso may read
    (its DirsAllowed), then its bulk loader (``ld_dir``, ``rdf_loader_run()``, ``checkpoint``)."""
    with ExitStack() as stack:
        if name == "oxigraph":
            server = stack.enter_context(running_oxigraph(union_default_graph=False))
            gsp, update, query = server.store, server.update, server.query
        else:
            virtuoso = stack.enter_context(running_virtuoso())
            gsp, update, query = virtuoso.store, virtuoso.update, virtuoso.query
        if name == "virtuoso_bulk":
            out = kg_load_files(data, virtuoso.folder / "bulk")
            assert f"ld_dir('{virtuoso.folder / 'bulk'}', 'kg-*.nq.gz'" in out
            virtuoso.bulk_load(virtuoso.folder / "bulk")
        else:
            kg_load(data, update, "update")
            out = kg_load(data, gsp, "gsp")
            assert f"default graph for `kg serve --sparql-backend`: <{BASE}graph/collection>" in out
        default = (f"GRAPH <{FOREIGN_DEFAULT}> {{ {FOREIGN_TRIPLES} }}" if name.startswith("virtuoso")
                   else FOREIGN_TRIPLES)
        foreign = requests.post(update, data={"update": f"INSERT DATA {{ GRAPH <{FOREIGN_GRAPH}> {{ "
                                                        f"{FOREIGN_TRIPLES} }} {default} }}"}, timeout=60)
        assert foreign.status_code < 300, foreign.text
        site = stack.enter_context(kg_serve(data, "--sparql-backend", query))
        yield External(name, query, site)


@pytest.fixture(scope="module")
def oxigraph_store(seed_build: Path) -> Iterator[External]:
    with external("oxigraph", seed_build) as store:
        yield store


def _virtuoso(name: str, build: Path) -> Iterator[External]:
    if not virtuoso_installed():
        pytest.skip(NO_VIRTUOSO)
    with external(name, build) as store:
        yield store


@pytest.fixture(scope="module")
def virtuoso_store(seed_build: Path) -> Iterator[External]:
    yield from _virtuoso("virtuoso", seed_build)


@pytest.fixture(scope="module")
def virtuoso_bulk_store(seed_build: Path) -> Iterator[External]:
    yield from _virtuoso("virtuoso_bulk", seed_build)


@pytest.fixture(params=["oxigraph", "virtuoso", "virtuoso_bulk"])
def store(request: pytest.FixtureRequest) -> External:
    return request.getfixturevalue(f"{request.param}_store")


@pytest.mark.slow
def test_the_whole_graph_and_the_seed_facts_read_back_from_the_external_store(
        store: External, embedded: str, tmp_path: Path) -> None:
    g_embedded, g_remote = whole_graph(embedded), whole_graph(store.site)
    assert len(g_remote) > 1000
    assert isomorphic(g_embedded, g_remote)
    dump = tmp_path / "remote.nt"
    g_remote.serialize(dump, format="nt", encoding="utf-8")
    score = score_dump(dump)
    assert (score.ok, score.total) == (SEED_TOTAL, SEED_TOTAL), score.report()


@pytest.mark.slow
def test_every_quad_is_in_its_graph_and_the_default_graph_is_the_collection_alone(
        store: External, embedded: str, seed_build: Path) -> None:
    """Loaded twice (Update, then the Graph Store Protocol): every quad once, in its graph, and the
    default graph is the collection: as many triples as the VoID description and the N-Triples dump say.

    COUNT(*) over the default graph: every store answers the number of distinct triples (an RDF graph
    is a set). The embedded store's union default graph (pyoxigraph's) does not merge quads; it agrees
    because no triple is published in two graphs (kg.rdf.iris.document_local)."""
    every = rows(store.site, SAME_ANSWERS["every quad"][0])
    assert every == rows(embedded, SAME_ANSWERS["every quad"][0])
    quads = list(ox.parse(path=str(seed_build / "kg.trig"), format=ox.RdfFormat.TRIG))
    assert sum(every.values()) == len(set(quads))  # replaced, not doubled
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    void = Graph().parse(seed_build / "void.ttl")
    published = {int(o) for o in void.objects(predicate=URIRef("http://rdfs.org/ns/void#triples"))}
    assert len(triples) == max(published)  # the dataset's own count
    assert count(store.site, COUNT_ALL) == len(triples)
    assert count(embedded, COUNT_ALL) == len(set(quads)) == len(triples)
    assert count_letters(store.site) == count_letters(embedded) == 11


@pytest.mark.slow
@pytest.mark.parametrize("question", list(SAME_ANSWERS))
def test_the_same_query_answers_the_same_on_the_external_store(store: External, embedded: str,
                                                                question: str) -> None:
    query, params = SAME_ANSWERS[question]
    expected = rows(embedded, query, **params)
    assert expected and sum(expected.values()) >= 1
    assert rows(store.site, query, **params) == expected


def above_the_cut(answer: Counter) -> Counter:
    """For a query ordered on its last column (a count) and cut by LIMIT: the rows strictly above the
    lowest count kept, and how many rows have each count. Which of several tied rows at the cut are
    kept is the store's choice (SPARQL 1.1 §15.1 leaves the order of ties open)."""
    def n(row: tuple) -> int:
        return int(row[-1].split('"')[1])

    lowest = min(n(row) for row in answer)
    kept = Counter({row: k for row, k in answer.items() if n(row) > lowest})
    kept.update(("rows with count", n(row)) for row in answer.elements())
    return kept


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in QUERIES if not QUERIES[n].startswith("DESCRIBE")])
def test_the_peers_bench_queries_answer_the_same(store: External, embedded: str, name: str) -> None:
    """DESCRIBE is left out: what it returns is the store's choice (SPARQL 1.1 §16.4)."""
    person = sparql_json(embedded + "/sparql", PREFIXES + PICK_PERSON)["results"]["bindings"][0]["p"]["value"]
    letter = sparql_json(embedded + "/sparql", PREFIXES + PICK_LETTER)["results"]["bindings"][0]["l"]["value"]
    query = render(name, person, letter)
    expected, got = rows(embedded, query), rows(store.site, query)
    assert sum(expected.values()) >= 1
    if "ORDER BY DESC(?n) LIMIT" in query:
        expected, got = above_the_cut(expected), above_the_cut(got)
    assert got == expected


# What each page must show, whichever store is behind it.
PAGES = {"/": "<strong>11</strong> letters", "/letters": "/letter/167", "/letter/167": "Nazaretyan",
         "/search?q=stalin": "/person/stalin-i-v",
         "/search?q=%D0%A1%D1%82%D0%B0%D0%BB%D0%B8%D0%BD": "/person/stalin-i-v"}
# Virtuoso 7.2 drops the row of the top unit when `bc:inUnit*` is joined with OPTIONALs (kg/web/queries.py
# unit_chain): the letter's archival breadcrumb lacks the fond. A store bug; strict, so a fix shows.
VIRTUOSO_CHAIN = pytest.mark.xfail(strict=True, reason="Virtuoso 7.2: `?x bc:inUnit* ?unit` + OPTIONAL loses a row")


def search_hits(html: str) -> list[str]:
    """The resources a search page lists, in order, with their names and types (not the 'matched'
    list: GROUP_CONCAT's order is the store's choice, and Virtuoso 7.2 writes its ' · ' separator as '?')."""
    return re.findall(r'<li><a href="([^"]+)">([^<]*)</a> <small>([^<]*)</small>', html)


@pytest.mark.slow
@pytest.mark.parametrize("path", list(PAGES))
def test_pages_are_the_same_as_from_the_embedded_store(request: pytest.FixtureRequest, store: External,
                                                       embedded: str, path: str) -> None:
    if store.name.startswith("virtuoso") and path == "/letter/167":
        request.applymarker(VIRTUOSO_CHAIN)
    want = requests.get(embedded + path, timeout=30)
    got = requests.get(store.site + path, timeout=30)
    assert want.status_code == got.status_code == 200, got.text[:500]
    assert got.headers["Content-Type"].startswith("text/html")
    assert PAGES[path] in got.text
    if path.startswith("/search"):
        assert search_hits(got.text) == search_hits(want.text) != []
    else:
        assert got.text.replace(store.site, "") == want.text.replace(embedded, "")


@pytest.mark.slow
def test_the_guards_apply_in_front_of_the_external_store(store: External) -> None:
    upd = requests.post(store.site + "/sparql", data={"update": "DROP ALL"}, timeout=10)
    assert upd.status_code in (400, 403, 405), upd.text
    ins = requests.post(store.site + "/sparql", data="INSERT DATA { <urn:x> <urn:y> <urn:z> }",
                        headers={"Content-Type": "application/sparql-update"}, timeout=10)
    assert ins.status_code in (400, 403, 405, 415), ins.text
    assert count_letters(store.site) == 11
    # a SERVICE call to a host not on the allowlist is refused before it reaches the store
    svc = requests.get(store.site + "/sparql", timeout=10, params={
        "query": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> {{ ?s ?p ?o }} }}"})
    assert svc.status_code == 403, svc.text


@pytest.mark.slow
def test_a_slow_backend_is_cut_at_our_time_limit(seed_build: Path) -> None:
    """A cross product on the external store: our app gives up at its own limit (503) and says so. A
    server of its own, stopped right after: the store itself keeps running the query after we give up."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with running_oxigraph(union_default_graph=False) as server:
        kg_load(seed_build, server.store, "gsp")
        with kg_serve(seed_build, "--sparql-backend", server.query, "--query-timeout", "2") as remote:
            started = time.monotonic()
            r = requests.get(remote + "/sparql", params={"query": runaway},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
            elapsed = time.monotonic() - started
            assert r.status_code == 503, r.text
            assert "time limit (2 s)" in r.json()["message"]
            assert elapsed < 15
            assert count_letters(remote) == 11  # still answering


# -- what is particular to Virtuoso, and the three stores side by side ----------------------------------------



@pytest.mark.slow
def test_virtuosos_own_default_graph_is_not_ours_but_the_published_one_is(virtuoso_store: External,
                                                                          oxigraph_store: External,
                                                                          embedded: str) -> None:
    """Asked directly, Virtuoso's default graph is every graph it holds: its system graphs, and our
    union graph on top of the per-document graphs. Through our app it is the collection alone."""
    raw = int(sparql_json(virtuoso_store.query, COUNT_ALL)["results"]["bindings"][0]["n"]["value"])
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    ours = count(embedded, distinct)
    assert count(virtuoso_store.site, COUNT_ALL) == count(oxigraph_store.site, COUNT_ALL) == ours
    assert raw > 2 * ours  # the union copy, the graphs and Virtuoso's own system graphs


@pytest.mark.slow
def test_the_foreign_data_is_in_the_store_but_not_in_our_answers(store: External, embedded: str) -> None:
    """The stores hold someone else's graph (and default-graph triples): the comparisons above would
    show it if it leaked. Asked directly, GRAPH ?g sees it; through our app, only our graphs."""
    query = 'SELECT ?g WHERE { GRAPH ?g { ?l <http://schema.org/identifier> "167" } }'
    raw = {b["g"]["value"] for b in sparql_json(store.query, query)["results"]["bindings"]}
    assert {FOREIGN_GRAPH, LETTER_GRAPH, BASE + "graph/collection"} <= raw
    assert rows(store.site, query) == rows(embedded, query) == Counter([(f"<{LETTER_GRAPH}>",)])


@pytest.mark.slow
@pytest.mark.parametrize("question", list(SAME_ANSWERS))
def test_the_three_stores_answer_identically(virtuoso_store: External, oxigraph_store: External,
                                             embedded: str, question: str) -> None:
    query, params = SAME_ANSWERS[question]
    answers = {name: rows(site, query, **params) for name, site in
               (("embedded", embedded), ("oxigraph", oxigraph_store.site), ("virtuoso", virtuoso_store.site))}
    assert answers["oxigraph"] == answers["embedded"]
    assert answers["virtuoso"] == answers["embedded"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "tsv", "nt", "ttl"])
def test_an_external_stores_answer_is_cut_at_our_byte_cap(oxigraph_store: External, fmt: str) -> None:
    """``max_bytes`` holds for answers from an external store as for the embedded one: the backend's
    answer is read no further than 4x the cap (the rows read so far become a whole answer), then rows
    are dropped from the end until ours fits, and the cut is flagged."""
    cap = 30_000
    store = RemoteStore(oxigraph_store.query, max_bytes=cap)
    graph = fmt in ("nt", "ttl")
    query = WHOLE_GRAPH if graph else "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    formats = ("tsv" if fmt == "tsv" else "json", {"nt": "ntriples", "ttl": "turtle"}.get(fmt, "ntriples"))
    answer = store.query_serialized(query, 60, formats=formats, max_rows=100_000)
    assert answer.truncated and 0.5 * cap < len(answer.body) <= cap
    if graph:
        kept = ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.TURTLE)
        read = [(t.subject, t.predicate, t.object) for t in kept]
    else:  # pyoxigraph reads it: no member beside "results" that its parser would refuse
        parsed = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.TSV if fmt == "tsv" else
                                        ox.QueryResultsFormat.JSON)
        read = [(r["s"], r["p"], r["o"]) for r in parsed]
    whole = RemoteStore(oxigraph_store.query).query(query, 60, max_rows=100_000)
    assert len(read) > 50 and not whole.truncated
    everything = ({(ox_term(a), ox_term(b), ox_term(c)) for a, b, c in whole.triples} if graph else
                  {tuple(ox_term(t) for t in row) for row in whole.rows})
    assert set(read) <= everything  # rows of the answer, never a half row
    small = store.query_serialized(LETTERS, 60, formats=("json", "ntriples"), max_rows=100_000)
    assert not small.truncated and b'"11"' in small.body


@pytest.mark.slow
def test_a_cut_by_virtuosos_row_limit_is_reported(seed_build: Path) -> None:
    """With ``ResultSetMaxRows`` below our row cap Virtuoso cuts answers silently in the body; for a
    SELECT it says so in its ``X-SPARQL-MaxRows`` header, and our app then reports the cut as it does
    for its own cap. (A CONSTRUCT is cut without the header: hence ResultSetMaxRows above our cap.)"""
    if not virtuoso_installed():
        pytest.skip(NO_VIRTUOSO)
    with running_virtuoso(max_rows=1000) as server:
        kg_load(seed_build, server.store, "gsp")
        with kg_serve(seed_build, "--sparql-backend", server.query) as site:
            resp = requests.post(site + "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o }"},
                                 headers={"Accept": "application/sparql-results+json"}, timeout=60)
            assert resp.status_code == 200, resp.text
            assert resp.headers["X-SPARQL-Truncated"] == "true"
            assert len(resp.json()["results"]["bindings"]) == 1000
            small = requests.post(site + "/sparql", data={"query": COUNT_ALL},
                                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
            assert small.headers["X-SPARQL-Truncated"] == "false"
            assert int(small.json()["results"]["bindings"][0]["n"]["value"]) > 6000


@pytest.mark.slow
def test_a_describe_that_says_graph(store: External, embedded: str) -> None:
    """Not confined (its description is read from the default graph): it goes out with the union as
    default graph and our graphs listed. What DESCRIBE returns is the store's choice; it is about our
    letter and holds only our triples, not the foreign letter "167" nor the foreign statement."""
    query = 'DESCRIBE ?l WHERE { GRAPH ?g { ?l <http://schema.org/identifier> "167" } }'
    got = set(rows(store.site, query))
    ours = set(rows(embedded, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    assert any(line.startswith(f"<{LETTER}> ") for line in got)
    assert got <= ours


@pytest.mark.slow
def test_a_long_list_of_named_graphs_from_a_client(store: External, embedded: str) -> None:
    """A client's own ``named-graph-uri`` list, of graphs mostly not ours: those go out as one graph that
    does not exist, so the store answers as the embedded store does."""
    named = [LETTER_GRAPH, FOREIGN_GRAPH, *(f"urn:x:none/{i}" for i in range(120))]
    query = SAME_ANSWERS["named-graph-uri"][0]
    assert rows(store.site, query, **{"named-graph-uri": named}) == rows(embedded, query, **{
        "named-graph-uri": named}) == rows(embedded, query, **{"named-graph-uri": [LETTER_GRAPH]})


MANY_GRAPHS = 6000  # Virtuoso 7.2 refused a list of 5,001 named-graph-uri (docs/external-stores.md)


@pytest.mark.slow
def test_graph_queries_on_virtuoso_beyond_its_limit_of_listed_graphs(seed_build: Path, embedded: str) -> None:
    """A collection of more graphs than Virtuoso takes as named-graph-uri (it answered 502 through our
    app when they were listed): with the query confined instead of the graphs listed, GRAPH ?g sees every
    one of them, and still nothing foreign. The tiny graphs, their lines in the collection's list and a
    foreign graph go in with Virtuoso's bulk loader (0.6 s; SPARQL Update took 15 s for the same)."""
    if not virtuoso_installed():
        pytest.skip(NO_VIRTUOSO)
    union, catalog = Collection().union, Collection().catalog
    with running_virtuoso() as server:
        kg_load(seed_build, server.store, "gsp")
        quads = [line for i in range(MANY_GRAPHS) for g in [f"{BASE}graph/test/{i}"] for line in (
            f'<{g}#it> <urn:x:n> "{i}" <{g}> .', f"<{union}> <http://purl.org/dc/terms/hasPart> <{g}> <{catalog}> .",
            f'<urn:x:{i}> <urn:x:n> "{i}" <{FOREIGN_GRAPH}> .')]
        (server.folder / "many.nq").write_text("\n".join(quads) + "\n", encoding="utf-8")
        server.isql(f"ld_dir('{server.folder}', 'many.nq', 'urn:x:unused');", "rdf_loader_run();")
        distinct = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        ours = count(embedded, distinct)
        assert ours > 10
        with kg_serve(seed_build, "--sparql-backend", server.query) as site:
            assert count(site, distinct) == MANY_GRAPHS + ours
            assert count(site, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <urn:x:n> ?o } }") == MANY_GRAPHS
            assert rows(site, SAME_ANSWERS["graphs of a letter"][0]) == rows(embedded, SAME_ANSWERS[
                "graphs of a letter"][0])
            # a client's own list of more than ~95 of our graphs: Virtuoso repeats each as a response header,
            # and Python's HTTP client reads at most 100; our app says why (502)
            listed = [f"{BASE}graph/test/{i}" for i in range(150)]
            resp = requests.post(site + "/sparql", timeout=60, data={
                "query": SAME_ANSWERS["named-graph-uri"][0], "named-graph-uri": listed})
            assert resp.status_code == 502, resp.text
            assert "more than 100 header lines" in resp.json()["message"], resp.text
            assert "150 named-graph-uri" in resp.json()["message"]


# -- the dataset our app sends -------------------------------------------------------------------------------


def test_the_dataset_sent_mirrors_the_embedded_store() -> None:
    c = Collection("https://example.org/")
    plain = "SELECT * WHERE { ?s ?p ?o }"
    assert plan_dataset(plain, [], [], c) == Dataset(("https://example.org/graph/collection",), None)
    # saying GRAPH: no dataset, the text confined (kg.store.confine); a DESCRIBE keeps the default graph
    assert plan_dataset("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", [], [], c) == CONFINED
    assert plan_dataset("DESCRIBE ?s WHERE { GRAPH ?g { ?s ?p ?o } }", [], [], c) == Dataset(
        ("https://example.org/graph/collection",), None)  # and every graph of ours as named graphs
    assert plan_dataset("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", ["urn:a"], [], c) == Dataset(("urn:a",), None)
    assert plan_dataset(plain, ["urn:a"], [], c) == Dataset(("urn:a",), None)  # every graph of ours as named
    assert plan_dataset(plain, [], ["urn:b"], c) == Dataset(("https://example.org/graph/default",), ("urn:b",))
    # the query's own, as parameters (checked to be ours in kg.store.remote), the missing half as "none"
    none = "https://example.org/graph/collection/none"
    assert plan_dataset("SELECT * FROM <urn:a> WHERE { ?s ?p ?o }", [], [], c) == Dataset(("urn:a",), (none,))
    # a FROM without FROM NAMED means no named graphs, which Virtuoso does not honour as a clause
    own = "PREFIX ex: <urn:x:> SELECT * FROM ex:a FROM NAMED <urn:x:b> WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert plan_dataset(own, [], [], c) == Dataset(("urn:x:a",), ("urn:x:b",))
    assert plan_dataset("SELECT * FROM <urn:a> { GRAPH ?g { ?s ?p ?o } }", [], [], c) == Dataset(("urn:a",), (none,))
    assert plan_dataset("SELECT * FROM NAMED <urn:a> { GRAPH ?g {} }", [], [], c) == Dataset((none,), ("urn:a",))
    assert plan_dataset("SELECT * FROM <a> { GRAPH ?g {} }", [], [], c) is None  # relative: the store resolves
    assert plan_dataset("SELECT * FROM <urn:a> WHERE { ?s ?p ?o }", ["urn:b"], [], c) == Dataset(("urn:b",), None)
    assert says_graph("SELECT ?g WHERE { graph ?g { ?s ?p ?o } }")
    assert says_graph("SELECT ?g WHERE { \\u0047RAPH ?g { ?s ?p ?o } }")  # escapes are processed first
    assert not says_graph('SELECT * WHERE { ?s <urn:graph> "GRAPH" ; ex:graph ?o }')


@pytest.mark.slow
def test_a_store_without_the_collection_is_a_clear_error(seed_build: Path) -> None:
    """Loaded graph by graph but without the collection's graphs (not by `kg load`): our app does not
    fall back on the store's own default graph, it says what is missing."""
    from kg.store.load import load

    with running_oxigraph(union_default_graph=True) as server:
        assert load(seed_build, server.store, "gsp").failed == {}
        with kg_serve(seed_build, "--sparql-backend", server.query) as site:
            resp = requests.post(site + "/sparql", data={"query": LETTERS},
                                 headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert resp.status_code == 502, resp.text
    assert f"no list of the collection's graphs (<{BASE}graph/collection/graphs>)" in resp.json()["message"]
    assert "`kg load`" in resp.json()["message"]


def test_the_first_part_of_a_backends_answer_becomes_a_whole_answer() -> None:
    """What ``max_bytes`` reads of a long answer: whole rows only, in a body every parser reads."""
    from kg.store.remote import N_TRIPLES, RESULTS_JSON, _complete_prefix

    doc = {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "literal", "value": f"é {i} ]}}"}}
                                                             for i in range(50)]}}
    text = json.dumps(doc, indent=1, ensure_ascii=False).encode()
    for cut in (len(text) // 2, len(text) // 2 + 1, len(text) // 3):
        part = json.loads(_complete_prefix(text[:cut], RESULTS_JSON) or b"")
        kept = part["results"]["bindings"]
        assert part["head"] == doc["head"] and 10 < len(kept) < 50 and kept == doc["results"]["bindings"][:len(kept)]
    assert _complete_prefix(b'{"results": {"bindings": [{"s": ', RESULTS_JSON) is None  # no head: no answer
    assert _complete_prefix(b"<a> <b> <c> .\n<a> <b> <d", N_TRIPLES) == b"<a> <b> <c> .\n"


def test_a_query_with_parameters_reaches_the_store_without_its_from_clauses() -> None:
    query = 'PREFIX ex: <urn:x:>\nSELECT * FROM ex:a FROM  NAMED <urn:x:b> # FROM <urn:c>\nWHERE { ?s ?p "FROM <x>" }'
    stripped = without_dataset_clauses(query)
    assert stripped.split() == 'PREFIX ex: <urn:x:> SELECT * # FROM <urn:c> WHERE { ?s ?p "FROM <x>" }'.split()
    assert stripped.splitlines()[2] == 'WHERE { ?s ?p "FROM <x>" }'  # the comment still ends at its line
    # read as the engine reads it: an escape only inside a string or an IRI, where it stays as written
    assert without_dataset_clauses('SELECT * FROM <urn:a> { ?s ?p "\\u0022 FROM <urn:b> \\u0022" }').split() == [
        "SELECT", "*", "{", "?s", "?p", '"\\u0022', "FROM", "<urn:b>", '\\u0022"', "}"]


def test_make_test_installs_virtuoso_when_missing() -> None:
    """CI builds a fresh machine with `make test`: its `virtuoso` prerequisite installs Debian's package
    when /usr/bin/virtuoso-t is missing and we are root, and only says so otherwise."""
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    test_target = re.search(r"^test: (.*)$", makefile, flags=re.M)
    assert test_target and "virtuoso" in test_target.group(1).split()
    recipe = makefile[makefile.index("\nvirtuoso:"):].split("\n\n")[0]
    assert "test -x /usr/bin/virtuoso-t ||" in recipe
    assert 'id -u)" = 0' in recipe and "DEBIAN_FRONTEND=noninteractive apt-get install -y" in recipe
    assert "virtuoso-opensource" in recipe and "Virtuoso tests will be skipped" in recipe
