"""One batch of document graphs written as dump fragments, so no process ever holds the whole graph.

    summary = write_chunk(ChunkFiles(workdir, i), graphs, prefixes, slice_predicates)

A batch worker (kg/build/batches.py) calls this for its documents; kg/publish/assemble.py joins the
fragments of every batch with the shared block into the published files. Per batch, in ``workdir``:

    all-<i>.nt     the batch's triples, sorted and unique (merged across batches by ``sort -m -u``)
    ttl-<i>.ttl    Turtle of its *document-local* triples (no prefix lines: the file declares them once)
    trig-<i>.trig  TriG of its document graphs (no prefix lines either)
    jsonld-<i>     its document-local JSON-LD node objects, comma-separated
    obj-<i>.txt    its distinct objects, sorted (VoID's distinctObjects, merged the same way)
    slice-<i>.nq   the quads the global SPARQL constraints read (kg/validate/whole.py)
    search-<i>.jsonl  its letters as the full-text index reads them (kg/publish/fulltext.py)

Why "document-local": a subject that belongs to one document (its letter, the letter's parts, its
graph) has all its triples in that document's graph, so those triples are unique across batches
and can be written where they are made. Every other triple (a source page, a document cited from
outside the corpus) may recur in other batches; its line goes back to the main process, which
dedupes it into the shared block together with the authority graph — in every dump, the TriG too.
So no triple is in two named graphs, and the union of the graphs is their RDF merge on any store:
pyoxigraph's union default graph counts a triple once per graph that states it (a page named by
twenty letters was counted twenty times), while SPARQL and our VoID count an RDF graph as a set.

Why text all the way: every term is turned into N-Triples text once (kg/rdf/ntriples.py), and Turtle,
TriG and JSON-LD are written from that text (an N-Triples term is valid Turtle, and an N-Triples
string literal is a valid JSON string with the same value). Going through Oxigraph's writers needs
one Python object per triple (~3.5 µs: a minute of CPU at 100k letters), and its store turns
xsd:positiveInteger into xsd:integer on the way through.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rdflib import URIRef
from rdflib.term import Node

from kg.publish.fulltext import write_fragment
from kg.rdf.iris import document_local
from kg.rdf.ntriples import NTriples
from kg.rdf.terms import Compactor

Triple = tuple[Node, Node, Node]
Row = tuple[str, str, str]  # subject, predicate, object as N-Triples text
WIKIDATA = "<http://www.wikidata.org/entity/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
OWL_SAME_AS = "<http://www.w3.org/2002/07/owl#sameAs>"


@dataclass(frozen=True)
class DocGraph:
    """One document's named graph: its IRI, the letter it is about, its triples."""

    iri: URIRef
    letter: URIRef
    triples: Iterable[Triple]


@dataclass
class Statistics:
    """VoID figures of a set of unique triples (summable: batches' local triples are disjoint)."""

    triples: int = 0
    subjects: int = 0
    links: int = 0
    classes: Counter[str] = field(default_factory=Counter)

    def add(self, other: Statistics) -> None:
        self.triples += other.triples
        self.subjects += other.subjects
        self.links += other.links
        self.classes.update(other.classes)

    def count(self, rows: list[Row]) -> None:
        """Add one subject's rows."""
        self.subjects += 1
        self.triples += len(rows)
        for _, p, o in rows:
            if p == RDF_TYPE:
                self.classes[o[1:-1]] += 1
            elif p == OWL_SAME_AS and o.startswith(WIKIDATA):
                self.links += 1


@dataclass(frozen=True)
class ChunkFiles:
    """Where batch ``index``'s fragments live (kg/publish/assemble.py reads the same names)."""

    workdir: Path
    index: int

    def path(self, kind: str) -> Path:
        suffix = {"all": ".nt", "ttl": ".ttl", "trig": ".trig", "jsonld": ".json", "obj": ".txt", "slice": ".nq",
                  "search": ".jsonl"}
        return self.workdir / f"{kind}-{self.index:06d}{suffix[kind]}"


@dataclass
class ChunkSummary:
    """What a batch sends back besides its files (small: figures and the non-local lines)."""

    index: int
    quads: int  # the document-local quads: what kg.trig holds of this batch (non-local ones go to the shared graph)
    graphs: int
    local: Statistics
    nonlocal_lines: list[str]  # N-Triples lines of triples whose subject no single document owns


class Writers:
    """The Turtle and JSON-LD writers of one process, sharing their memos."""

    def __init__(self, prefixes: dict[str, str]):
        self.turtle = TurtleTerms(prefixes)
        self.json = JsonTerms(prefixes)
        self.nt = NTriples()

    def subject_block(self, subject: str, rows: list[Row]) -> str:
        """One Turtle statement for a subject's sorted rows: ``s p o ;\n\tp o .`` (rdf:type as ``a``)."""
        t = self.turtle
        parts = [t(subject)]
        sep = " "
        for _, p, o in rows:
            parts.append(f"{sep}{'a' if p == RDF_TYPE else t(p)} {t(o)}")
            sep = " ;\n\t"
        parts.append(" .\n")
        return "".join(parts)


def subject_groups(rows: list[Row]) -> Iterator[tuple[str, list[Row]]]:
    """Sorted rows, one group per subject."""
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            yield rows[start][0], rows[start:i]
            start = i


def write_chunk(files: ChunkFiles, graphs: list[DocGraph], prefixes: dict[str, str],
                slice_predicates: set[str] | None) -> ChunkSummary:
    """Write batch ``files.index``'s fragments; return its figures and its non-local lines."""
    w = Writers(prefixes)
    text = w.nt
    sliced_p = None if slice_predicates is None else {f"<{p}>" for p in slice_predicates}
    sliced: list[str] = []
    lines: set[str] = set()
    objects: set[str] = set()
    nonlocal_lines: set[str] = set()
    stats = Statistics()
    n_quads = 0
    with (files.path("trig").open("w", encoding="utf-8") as trig, files.path("ttl").open("w", encoding="utf-8") as ttl,
          files.path("jsonld").open("w", encoding="utf-8") as jsonld):
        nodes = 0
        for graph in graphs:
            g = text(graph.iri)
            rows = list(map(text.row, graph.triples))
            rows.sort()
            trig.write(f"{w.turtle(g)} {{\n")
            for subject, group in subject_groups(rows):
                block = w.subject_block(subject, group)
                local = subject[0] == "<" and document_local(subject[1:-1], str(graph.iri), str(graph.letter))
                if local:
                    trig.write(block)
                for s, p, o in group:
                    line = f"{s} {p} {o} .\n"
                    lines.add(line)
                    objects.add(o)
                    if sliced_p is None or p in sliced_p:
                        sliced.append(f"{s} {p} {o} {g} .\n")
                    if not local:
                        nonlocal_lines.add(line)
                if local:
                    n_quads += len(group)
                    ttl.write(block)
                    jsonld.write((",\n  " if nodes else "") + w.json.node(subject, group))
                    nodes += 1
                    stats.count(group)
            trig.write("}\n")
    _write_lines(files.path("all"), sorted(lines))
    _write_lines(files.path("obj"), [o + "\n" for o in sorted(objects)])
    _write_lines(files.path("slice"), sliced)
    write_fragment(files.path("search"), ((g.letter, g.triples) for g in graphs))
    return ChunkSummary(files.index, n_quads, len(graphs), stats, sorted(nonlocal_lines))


def _write_lines(path: Path, lines: list[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.writelines(lines)


# Turtle's PN_LOCAL, restricted to what needs no escaping (anything else stays a full <IRI>).
_PLAIN_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")


class TurtleTerms:
    """N-Triples term text -> Turtle term text: IRIs under a prefix as ``prefix:local``."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {}

    def __call__(self, term: str) -> str:
        found = self.cache.get(term)
        if found is not None:
            return found
        if term.startswith("<"):
            found = self.cache[term] = self._iri(term)
            return found
        cut = term.rfind('"^^<')
        if cut != -1:  # a typed literal: compact its datatype (not cached: literals rarely repeat)
            return term[:cut + 3] + self(term[cut + 3:])
        return term

    def _iri(self, term: str) -> str:
        iri = term[1:-1]
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and _PLAIN_LOCAL.fullmatch(iri[len(ns):]):
                return f"{prefix}:{iri[len(ns):]}"
        return term

    def header(self) -> str:
        return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in sorted(self.prefixes))


class JsonTerms:
    """N-Triples term text -> compact JSON-LD text, as ``json.dumps(..., sort_keys=True)`` writes it.

    An N-Triples string (quotes included) is a JSON string with the same value: both escape only
    ``"``, ``\\``, and control characters as ``\\n``, ``\\t``, ``\\uXXXX``... (Oxigraph writes no
    ``\\U`` escapes). So a literal's lexical form is copied, not decoded and re-encoded."""

    def __init__(self, prefixes: dict[str, str]):
        self.compact = Compactor(prefixes)
        self.iris: dict[str, str] = {}

    def iri(self, term: str) -> str:
        """``<iri>`` or ``_:b`` -> the JSON string of its compact form."""
        found = self.iris.get(term)
        if found is None:
            name = term if term.startswith("_:") else self.compact(term[1:-1])
            found = self.iris[term] = json.dumps(name, ensure_ascii=False)
        return found

    def value(self, term: str) -> str:
        if term[0] != '"':
            return f'{{"@id": {self.iri(term)}}}'
        if term[-1] == '"':
            return term
        cut = term.rindex('"') + 1
        lexical, rest = term[:cut], term[cut:]
        if rest[0] == "@":
            return f'{{"@language": "{rest[1:]}", "@value": {lexical}}}'
        return f'{{"@type": {self.iri(rest[2:])}, "@value": {lexical}}}'

    def node(self, subject: str, rows: list[Row]) -> str:
        """One node object: @id, @type, then the properties in key order, values in row order."""
        types = [self.iri(o) for _, p, o in rows if p == RDF_TYPE]
        props: dict[str, list[str]] = {}
        for _, p, o in rows:
            if p != RDF_TYPE:
                props.setdefault(self.iri(p), []).append(self.value(o))
        parts = [f'{{"@id": {self.iri(subject)}']
        if types:
            parts.append(f', "@type": [{", ".join(types)}]')
        for key in sorted(props):
            parts.append(f", {key}: [{', '.join(props[key])}]")
        parts.append("}")
        return "".join(parts)


def write_turtle_blocks(out: TextIO, rows: list[Row], writers: Writers) -> None:
    """Sorted rows as Turtle statements, one per subject."""
    for subject, group in subject_groups(rows):
        out.write(writers.subject_block(subject, group))
