"""Serializers for answers that come as plain data: SPARQL results (JSON, XML, CSV, TSV) and RDF.

``serialize`` writes a ``kg.store.types`` result (``Solutions``, ``Boolean``, ``Triples``: pages,
remote stores, zero-variable SELECTs) in a format of ``kg.store.formats``. /sparql answers normally
never become Python rows: the worker writes them with the engine's own writers under the row cap
(``kg.store.capped``). RDF always goes through pyoxigraph's writers, which stay linear on big graphs
(rdflib's Turtle writer does not, see docs/performance.md).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring as _esc  # C-accelerated JSON string escaping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.store.formats import (
    JSONLD,
    NTRIPLES,
    RDF_FORMATS,
    RDFXML,
    RESULT_FORMATS,
    RESULTS_CSV,
    RESULTS_JSON,
    RESULTS_TSV,
    RESULTS_XML,
    TURTLE,
    Format,
)
from kg.store.types import RDF_LANGSTRING, XSD_STRING, Boolean, QueryResult, Solutions, Term, Triples

PREFIXES = {
    "bc": "https://w3id.org/bolcorr/ns#", "bcv": "https://w3id.org/bolcorr/vocab/", "schema": "http://schema.org/",
    "dcterms": "http://purl.org/dc/terms/", "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "prov": "http://www.w3.org/ns/prov#",
    "wd": "http://www.wikidata.org/entity/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
_OX_FORMATS = {TURTLE: ox.RdfFormat.TURTLE, NTRIPLES: ox.RdfFormat.N_TRIPLES, JSONLD: ox.RdfFormat.JSON_LD,
               RDFXML: ox.RdfFormat.RDF_XML}


def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind = term[0]
    if kind == "uri":
        return ox.NamedNode(term[1])
    if kind == "bnode":
        return ox.BlankNode(term[1])
    if term[3]:
        return ox.Literal(term[1], language=term[3])
    return ox.Literal(term[1], datatype=ox.NamedNode(term[2]))


def serialize_triples(triples: Iterable[tuple[Term, Term, Term]], fmt: Format, base_prefix: str | None = None) -> bytes:
    """Triples in an RDF format; Turtle and RDF/XML get our prefixes (and ``base_prefix`` as ``d:``)."""
    return write_rdf([ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples], fmt, base_prefix)


def write_rdf(oxt: list[ox.Triple], fmt: Format, base_prefix: str | None) -> bytes:
    prefixes = dict(PREFIXES, d=base_prefix) if base_prefix else PREFIXES
    if fmt in (TURTLE, RDFXML):
        return ox.serialize(oxt, format=_OX_FORMATS[fmt], prefixes=prefixes)
    return ox.serialize(oxt, format=_OX_FORMATS[fmt])


def _json_term(term: Term) -> str:
    """One RDF term as a SPARQL JSON object, written as text (no dict, no json.dumps per cell)."""
    if term[0] == "uri":
        return '{"type":"uri","value":' + _esc(term[1]) + "}"
    if term[0] == "bnode":
        return '{"type":"bnode","value":' + _esc(term[1]) + "}"
    if term[3]:
        return '{"type":"literal","value":' + _esc(term[1]) + ',"xml:lang":' + _esc(term[3]) + "}"
    if term[2] != XSD_STRING:
        return '{"type":"literal","value":' + _esc(term[1]) + ',"datatype":' + _esc(term[2]) + "}"
    return '{"type":"literal","value":' + _esc(term[1]) + "}"


def _json(result: Solutions | Boolean) -> bytes:
    """SPARQL JSON; each distinct term is written once (result tables repeat IRIs a lot). No member
    beyond ``head`` and ``results``: Oxigraph's reader refuses anything after ``results`` (a federating
    Oxigraph got a broken answer), so a cut is said only by the ``X-SPARQL-Truncated`` header."""
    if isinstance(result, Boolean):
        return json.dumps({"head": {}, "boolean": result.value}).encode()
    memo: dict[Term, str] = {}
    names = [_esc(v) + ":" for v in result.variables]
    bindings = []
    for row in result.rows:
        cells = []
        for name, term in zip(names, row, strict=True):
            if term is not None:
                text = memo.get(term)
                if text is None:
                    text = memo[term] = _json_term(term)
                cells.append(name + text)
        bindings.append("{" + ",".join(cells) + "}")
    head = json.dumps({"vars": list(result.variables)}, ensure_ascii=False)
    return ('{"head":' + head + ',"results":{"bindings":[' + ",".join(bindings) + "]}}").encode()


def _memoized(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """``fn`` with a cache for one serialization (result tables repeat the same IRIs)."""
    memo: dict[Any, str] = {}

    def cached(term: Any) -> str:
        text = memo.get(term)
        if text is None:
            text = memo[term] = fn(term)
        return text

    return cached


def _xml_term(term: Term) -> str:
    if term[0] == "uri":
        return f"<uri>{escape(term[1])}</uri>"
    if term[0] == "bnode":
        return f"<bnode>{escape(term[1])}</bnode>"
    if term[3]:
        return f"<literal xml:lang={quoteattr(term[3])}>{escape(term[1])}</literal>"
    if term[2] not in (XSD_STRING, RDF_LANGSTRING):
        return f"<literal datatype={quoteattr(term[2])}>{escape(term[1])}</literal>"
    return f"<literal>{escape(term[1])}</literal>"


def _xml(result: Solutions | Boolean) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if isinstance(result, Boolean):
        out.append(f"<head/><boolean>{str(result.value).lower()}</boolean></sparql>")
        return "".join(out).encode()
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
    if result.truncated:
        out.append('<!-- truncated: more rows matched than this endpoint returns -->')
    out.append("<results>")
    cell = _memoized(_xml_term)
    names = [f"<binding name={quoteattr(v)}>" for v in result.variables]
    for row in result.rows:
        cells = "".join(f"{n}{cell(t)}</binding>" for n, t in zip(names, row, strict=True) if t is not None)
        out.append(f"<result>{cells}</result>")
    out.append("</results></sparql>")
    return "".join(out).encode()


def _csv_value(term: Term | None) -> str:
    return "" if term is None else (f"_:{term[1]}" if term[0] == "bnode" else term[1])


def _tsv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return str(to_ox(term))


def _table(result: Solutions | Boolean, tsv: bool) -> bytes:
    if isinstance(result, Boolean):
        return f"{str(result.value).lower()}\n".encode()
    buf = io.StringIO()
    if tsv:
        value = _memoized(_tsv_value)
        buf.write("\t".join(f"?{v}" for v in result.variables) + "\n")
        for row in result.rows:
            buf.write("\t".join(value(t) for t in row) + "\n")
    else:
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(result.variables)
        writer.writerows([_csv_value(t) for t in row] for row in result.rows)
    return buf.getvalue().encode()


def serialize_results(result: Solutions | Boolean, fmt: Format) -> bytes:
    if fmt is RESULTS_JSON:
        return _json(result)
    if fmt is RESULTS_XML:
        return _xml(result)
    if fmt in (RESULTS_CSV, RESULTS_TSV):
        return _table(result, tsv=fmt is RESULTS_TSV)
    raise ValueError(f"not a results format: {fmt.name}")


BY_NAME = {f.name: f for f in (*RESULT_FORMATS, *RDF_FORMATS)}


def serialize(result: QueryResult, formats: tuple[str, str], base_prefix: str | None) -> tuple[str, bytes]:
    """(format name, bytes): ``formats[0]`` for SELECT/ASK results, ``formats[1]`` for graphs."""
    if isinstance(result, Triples):
        return formats[1], serialize_triples(result.triples, BY_NAME[formats[1]], base_prefix)
    return formats[0], serialize_results(result, BY_NAME[formats[0]])
