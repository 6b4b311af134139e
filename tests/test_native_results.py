"""The engine-written answers of /sparql (``kg.store.capped.write_solutions`` / ``write_triples``) give
the same rows as the Python writers, and the row cap still cuts and flags them whatever the query shape
(ORDER BY, GROUP BY, LIMIT/OFFSET, VALUES after the query, no variables)."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from kg.store.capped import write_solutions, write_triples
from kg.store.engine import _encode_result, _execute_serialized
from kg.store.results import BY_NAME, serialize_results
from kg.store.types import Solutions

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    graph = ox.NamedNode(EX + "g")
    odd = ox.Literal('two\nlines\tand "quotes" \\ }},{"x', language="en")
    for i in range(30):
        subject = ox.NamedNode(f"{EX}s{i}")
        s.add(ox.Quad(subject, ox.NamedNode(EX + "n"), ox.Literal(str(i), datatype=ox.NamedNode(XSD + "integer")),
                      graph))
        s.add(ox.Quad(subject, ox.NamedNode(EX + "group"), ox.Literal(f"g{i % 4}"), graph))
    s.add(ox.Quad(ox.NamedNode(EX + "s0"), ox.NamedNode(EX + "label"), odd, graph))
    s.add(ox.Quad(ox.BlankNode("b0"), ox.NamedNode(EX + "label"), ox.Literal("Привет", language="ru"), graph))
    return s


SHAPES = {
    "plain": "SELECT * WHERE { ?s ?p ?o }",
    "order by": f"SELECT ?s ?n WHERE {{ ?s <{EX}n> ?n }} ORDER BY DESC(?n)",
    "group by": f"SELECT ?g (COUNT(*) AS ?c) WHERE {{ ?s <{EX}group> ?g }} GROUP BY ?g ORDER BY ?g",
    "limit offset": f"SELECT ?s WHERE {{ ?s <{EX}n> ?n }} ORDER BY ?n LIMIT 12 OFFSET 5",
    "offset only": f"SELECT ?s WHERE {{ ?s <{EX}n> ?n }} ORDER BY ?n OFFSET 3",
    "values after": f"SELECT ?s ?n WHERE {{ ?s <{EX}n> ?n }} VALUES ?n {{ 1 2 3 4 5 6 7 8 9 10 11 12 }}",
    "unbound cells": f"SELECT ?s ?l WHERE {{ ?s <{EX}n> ?n OPTIONAL {{ ?s <{EX}label> ?l }} }} ORDER BY ?n",
    "odd literals": f"SELECT ?s ?l WHERE {{ ?s <{EX}label> ?l }}",
    "no variables": "SELECT * WHERE { } ",
    "empty": f"SELECT ?s WHERE {{ ?s <{EX}none> ?o }}",
}


def _python(store: ox.Store, query: str, max_rows: int | None) -> Solutions:
    result = _encode_result(store.query(query, use_default_graph_as_union=True), max_rows)
    assert isinstance(result, Solutions)
    return result


def _json_rows(body: bytes) -> tuple[list[str], list[dict]]:
    """Head and rows; the body has nothing else (Oxigraph's reader refuses any member after results)."""
    data = json.loads(body)
    assert set(data) == {"head", "results"}
    return data["head"]["vars"], data["results"]["bindings"]


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("max_rows", [None, 1000, 10, 1])
def test_engine_json_equals_python_json(store: ox.Store, shape: str, max_rows: int | None) -> None:
    query = SHAPES[shape]
    body, truncated = write_solutions(store.query(query, use_default_graph_as_union=True), "json", max_rows)
    expected = _python(store, query, max_rows)
    assert _json_rows(body) == _json_rows(serialize_results(expected, BY_NAME["json"]))
    assert truncated is expected.truncated


@pytest.mark.parametrize("shape", ["order by", "group by", "limit offset", "values after", "plain"])
def test_the_cap_cuts_the_first_rows_in_order_and_flags_them(store: ox.Store, shape: str) -> None:
    query = SHAPES[shape]
    full = _python(store, query, None)
    body, truncated = write_solutions(store.query(query, use_default_graph_as_union=True), "json", 3)
    _, rows = _json_rows(body)
    assert truncated is (len(full.rows) > 3)
    assert len(rows) == min(3, len(full.rows))
    if shape != "plain":  # an ordered answer keeps its first rows
        assert [r[v]["value"] for r in rows for v in sorted(r)] == [
            t[1] for row in full.rows[:3] for _, t in sorted(zip(full.variables, row, strict=True)) if t]


def test_exactly_the_cap_is_not_truncated(store: ox.Store) -> None:
    query = SHAPES["group by"]  # four groups
    _, truncated = write_solutions(store.query(query, use_default_graph_as_union=True), "json", 4)
    assert truncated is False
    _, truncated = write_solutions(store.query(query, use_default_graph_as_union=True), "json", 3)
    assert truncated is True


@pytest.mark.parametrize("fmt", ["xml", "csv", "tsv"])
def test_other_formats_are_cut_too(store: ox.Store, fmt: str) -> None:
    query = SHAPES["order by"]
    body, truncated = write_solutions(store.query(query, use_default_graph_as_union=True), fmt, 5)
    assert truncated
    if fmt == "xml":
        assert body.count(b"<result>") == 5 and b"truncated" in body
    elif fmt == "csv":
        assert len(list(csv.reader(io.StringIO(body.decode())))) == 6
    else:
        assert len(body.decode().splitlines()) == 6


def test_csv_keeps_a_literal_with_a_newline_in_one_row(store: ox.Store) -> None:
    body, _ = write_solutions(store.query(SHAPES["odd literals"], use_default_graph_as_union=True), "csv", 10)
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert len(rows) == 3 and any("two\nlines" in cell for row in rows for cell in row)


def test_graphs_are_cut_and_flagged(store: ox.Store) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    body, truncated = write_triples(store.query(query, use_default_graph_as_union=True), "ntriples", 7, None)
    assert truncated and len(body.splitlines()) == 7
    body, truncated = write_triples(store.query(query, use_default_graph_as_union=True), "turtle", None, EX)
    assert not truncated
    parsed = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert len(parsed) == len(store)


def test_worker_answer_for_ask_and_errors(store: ox.Store) -> None:
    ask = _execute_serialized(store, ("json", "turtle"), None, "ASK { ?s ?p ?o }", (), (), 10)
    assert json.loads(ask.body)["boolean"] is True and not ask.truncated
    with pytest.raises(SyntaxError):
        _execute_serialized(store, ("json", "turtle"), None, "SELECT nonsense", (), (), 10)


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("max_rows", [1000, 10, 1])
def test_worker_answers_equal_python_rows_whatever_the_shape(store: ox.Store, shape: str, max_rows: int) -> None:
    query = SHAPES[shape]
    answer = _execute_serialized(store, ("json", "turtle"), None, query, (), (), max_rows)
    expected = _python(store, query, max_rows)
    assert _json_rows(answer.body) == _json_rows(serialize_results(expected, BY_NAME["json"]))
    assert answer.truncated is expected.truncated


def test_a_limit_above_the_cap_is_still_cut(store: ox.Store) -> None:
    answer = _execute_serialized(store, ("json", "turtle"), None, "SELECT * { ?s ?p ?o } LIMIT 40", (), (), 5)
    _, rows = _json_rows(answer.body)
    assert answer.truncated and len(rows) == 5


BIG = (f"SELECT ?s ?pad WHERE {{ ?s <{EX}n> ?n BIND(CONCAT(STR(?n), \"-\", "
       "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\") "
       "AS ?pad) } ORDER BY ?n")


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("max_bytes", [400, 1000, 2500])
def test_the_byte_cap_keeps_whole_first_rows_and_flags_them(store: ox.Store, fmt: str, max_bytes: int) -> None:
    full, _ = write_solutions(store.query(BIG, use_default_graph_as_union=True), fmt, 1000)
    body, truncated = write_solutions(store.query(BIG, use_default_graph_as_union=True), fmt, 1000, max_bytes)
    assert truncated and len(body) <= max_bytes < len(full)
    rows, every = _rows(body, fmt), _rows(full, fmt)
    assert rows == every[:len(rows)]
    assert len(rows) < 30 and (len(rows) >= 1 or max_bytes < 1000)
    if fmt == "json":
        assert set(json.loads(body)) == {"head", "results"}


def _rows(body: bytes, fmt: str) -> list:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode())))[1:]
    parsed = ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt.upper()))
    return [[str(t) for t in row] for row in parsed]  # type: ignore[union-attr]


def test_the_byte_cap_leaves_a_small_answer_alone(store: ox.Store) -> None:
    body, truncated = write_solutions(store.query(BIG, use_default_graph_as_union=True), "json", 1000, 1_000_000)
    assert not truncated and len(json.loads(body)["results"]["bindings"]) == 30


@pytest.mark.parametrize("fmt", ["ntriples", "turtle", "jsonld", "rdfxml"])
def test_the_byte_cap_cuts_graphs_too(store: ox.Store, fmt: str) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    full, _ = write_triples(store.query(query, use_default_graph_as_union=True), fmt, None, EX)
    body, truncated = write_triples(store.query(query, use_default_graph_as_union=True), fmt, None, EX, 1500)
    assert truncated and len(body) <= 1500 < len(full)
    oxfmt = {"ntriples": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
             "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
    kept = {str(q.triple) for q in ox.parse(body, format=oxfmt)}
    every = {str(q.triple) for q in ox.parse(full, format=oxfmt)}
    assert kept and kept < every
