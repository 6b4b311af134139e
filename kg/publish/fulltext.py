"""The full-text index of the release: ``search.sqlite``, SQLite FTS5 over the letters' words.

    write_fragment(path, graphs)                     # in each batch worker, beside the dump fragments
    write_index(target, fragments, shared) -> int    # in the main process, into the staging directory

Why SQLite FTS5: it ships with Python's standard library, answers a ranked (BM25) query with
snippets in milliseconds at 100k letters (bench/fulltext_bench.py), and is one read-only file that
``kg serve`` opens without loading anything. Why built by ``kg build``: the server only opens it, so
a server starts as fast with it as without it, and the index always matches the dumps beside it.

What is indexed comes from the published triples only (each letter's graph, and the shared graph for
the names of people, places, bodies and archival units), so every hit is traceable to a statement of
the dumps. Per letter, four columns, weighted in that order by ``RANK``: the header and title; the
names (every name form as written in the letter, and the names and aliases of its parties and of
what it mentions); the text; the editorial notes. Beside it, the facets (year, sender, recipient,
kind, place, fond): each value once in ``facet_value`` with its display label, and ``facet`` pairing
letters with value ids, so that counting the facets of a hit set groups integers (ten times faster
than grouping the IRIs). A party or place the edition names but no authority file knows is a node of
its letter alone; as a facet it is its printed name (``name:A. N. Sharov``), so such letters group.

The words are indexed as the tokenizer reads them (``porter unicode61 remove_diacritics 2``:
case-folded, accents removed, English stems; Cyrillic words kept as written). Transliteration is
applied to the query, not here (kg/web/search.py): a Cyrillic query also looks for its Latin form.
The file is written into a temporary name and renamed, and its bytes depend only on the input (no
timestamps), so rebuilding the same corpus gives the same file.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.config import ONTOLOGY_NS, VOCAB_NS
from kg.publish.parties import PartyRole, agents, in_edition_order, position_of
from kg.publish.postings import write_postings

Triple = tuple[Node, Node, Node]

FILENAME = "search.sqlite"
FORMAT = "3"  # bumped when the tables change; the server refuses another format (kg/web/fulltext.py)
COLUMNS = ("header", "names", "text", "notes")
WEIGHTS = (5.0, 3.0, 1.0, 0.5)  # BM25 weights: header > names > text > notes, per column of COLUMNS
RANK = f"bm25({', '.join(map(str, WEIGHTS))})"  # the table's rank configuration
RANK_FUNCTION = f"bm25(letter_text, {', '.join(map(str, WEIGHTS))})"  # the same, called by name
TOKENIZER = "porter unicode61 remove_diacritics 2"
FACETS = ("year", "sender", "recipient", "kind", "place", "fond")
FIELD_SHIFT = 32  # facet_value.id = (position of its field in FACETS + 1) << FIELD_SHIFT | serial number
AS_WRITTEN = "name:"  # a facet value that is a name as printed (an unresolved party or place), not an IRI
MARKS = ("\ue000", "\ue001")  # private-use characters that mark a hit in a snippet; never in the index

S = "http://schema.org/"
BC = ONTOLOGY_NS
NAME_PROPS = frozenset({S + "name", S + "alternateName", "http://www.w3.org/2004/02/skos/core#prefLabel",
                        "http://www.w3.org/2004/02/skos/core#altLabel",
                        "http://www.w3.org/2004/02/skos/core#hiddenLabel",
                        "http://www.w3.org/2000/01/rdf-schema#label"})

SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE letter(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, number TEXT, title TEXT, date TEXT,
                    sort_key TEXT NOT NULL);
CREATE TABLE facet_value(id INTEGER PRIMARY KEY, field TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL);
CREATE TABLE facet(letter INTEGER NOT NULL, value INTEGER NOT NULL, position INTEGER NOT NULL,
                   PRIMARY KEY(letter, value)) WITHOUT ROWID;
CREATE VIRTUAL TABLE letter_text USING fts5({", ".join(COLUMNS)}, tokenize='{TOKENIZER}');
"""
INDEXES = """
CREATE INDEX facet_by_value ON facet(value, letter);
CREATE UNIQUE INDEX facet_value_by_value ON facet_value(field, value);
"""


@dataclass
class LetterRecord:
    """What the index holds of one letter, read from its graph (IRIs as strings)."""

    iri: str
    number: str = ""
    title: str = ""
    date: str = ""  # as shown: the ISO day, else the date as printed
    sort_key: str = "9999"  # earliest ISO day, for ordering; "9999" when undated
    kind: str = ""  # IRI of the bcv: document kind
    header: str = ""
    text: str = ""
    notes: list[str] = field(default_factory=list)
    name_forms: list[str] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # archival units of its copies (the fond is found later)
    labels: dict[str, str] = field(default_factory=dict)  # names of document-local nodes (unresolved parties)


def letter_record(letter_iri: Node, triples: Iterable[Triple]) -> LetterRecord:
    """The record of ``letter_iri`` from the triples of its document graph."""
    letter = str(letter_iri)
    by_subject: dict[str, dict[str, list[object]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(str(s), {}).setdefault(str(p), []).append(o)
    me = by_subject.get(letter, {})

    def one(subject: dict[str, list[object]], prop: str) -> str:
        values = sorted(str(v) for v in subject.get(prop, ()))
        return values[0] if values else ""

    def iris(prop: str) -> list[str]:
        return sorted({str(v) for v in me.get(prop, ()) if isinstance(v, URIRef)})

    def parties(prop: str, qualified: str) -> list[str]:
        """The parties in the edition's order (kg.publish.parties), from the roles and plain values here."""
        roles = [by_subject.get(str(r), {}) for r in me.get(BC + qualified, ())]
        return agents(in_edition_order(
            [PartyRole(one(r, BC + "party"), position_of(one(r, BC + "position"))) for r in roles
             if one(r, BC + "party")], [PartyRole(iri) for iri in iris(prop)]))

    rec = LetterRecord(letter, number=one(me, S + "identifier"), title=one(me, S + "name"),
                       kind=one(me, BC + "documentKind"), header=one(me, BC + "header"), text=one(me, S + "text"),
                       senders=parties(S + "sender", "qualifiedSender"),
                       recipients=parties(S + "recipient", "qualifiedRecipient"),
                       places=iris(S + "locationCreated"), mentions=iris(S + "mentions"))
    date = by_subject.get(one(me, BC + "created"), {})
    iso = one(me, S + "dateCreated")
    rec.date = iso or one(date, BC + "expressedDate")
    rec.sort_key = iso or one(date, BC + "earliest") or one(date, BC + "latest") or "9999"
    notes = [by_subject.get(str(n), {}) for n in me.get(S + "comment", ())]
    rec.notes = [one(n, S + "text") for n in sorted(notes, key=lambda n: _position(one(n, S + "position")))]
    usages = (by_subject.get(str(u), {}) for u in me.get(BC + "nameUsage", ()))
    rec.name_forms = sorted({one(u, BC + "nameForm") for u in usages} - {""})
    copies = (by_subject.get(str(c), {}) for c in me.get(BC + "hasInstantiation", ()))
    rec.units = sorted({one(c, BC + "inUnit") for c in copies} - {""})
    for node in {*rec.senders, *rec.recipients, *rec.places}:
        if node in by_subject and one(by_subject[node], S + "name"):
            rec.labels[node] = one(by_subject[node], S + "name")
    return rec


def _position(text: str) -> int:
    return int(text) if text.isdigit() else 0


def write_fragment(path: Path, graphs: Iterable[tuple[Node, Iterable[Triple]]]) -> None:
    """One JSON line per (letter, its graph's triples) of a batch (what ``write_index`` reads back)."""
    with path.open("w", encoding="utf-8") as out:
        for letter, triples in graphs:
            out.write(json.dumps(asdict(letter_record(letter, triples)), ensure_ascii=False, sort_keys=True) + "\n")


def read_fragments(paths: Iterable[Path]) -> Iterable[LetterRecord]:
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                yield LetterRecord(**json.loads(line))


@dataclass
class Authority:
    """Names and archival structure from the shared graph: what a letter's IRIs stand for."""

    names: dict[str, list[str]] = field(default_factory=dict)  # IRI -> name first, then aliases
    parent: dict[str, str] = field(default_factory=dict)  # archival unit -> the unit it is in
    fonds: set[str] = field(default_factory=set)  # units whose level is a fond

    @classmethod
    def of(cls, shared: Iterable[Triple]) -> Authority:
        auth = cls()
        preferred: dict[str, str] = {}
        aliases: dict[str, set[str]] = {}
        for s, p, o in shared:
            prop = str(p)
            if prop in NAME_PROPS and isinstance(o, Literal):
                aliases.setdefault(str(s), set()).add(str(o))
                if prop == S + "name":
                    preferred[str(s)] = min(str(o), preferred.get(str(s), str(o)))
            elif prop == BC + "inUnit":
                auth.parent[str(s)] = str(o)
            elif prop == BC + "unitLevel" and str(o) == VOCAB_NS + "fond":
                auth.fonds.add(str(s))
        for iri, names in aliases.items():
            first = preferred.get(iri) or min(names)
            auth.names[iri] = [first, *sorted(names - {first})]
        return auth

    def label(self, iri: str, local: dict[str, str]) -> str:
        names = self.names.get(iri)
        return names[0] if names else local.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1]

    def fond(self, unit: str) -> str:
        """The fond a unit lies in (the top unit when no level says fond)."""
        seen = set()
        while unit not in self.fonds and unit in self.parent and unit not in seen:
            seen.add(unit)
            unit = self.parent[unit]
        return unit


def facet_rows(rec: LetterRecord, auth: Authority) -> list[tuple[str, str, str]]:
    """(field, value, label) of one letter: IRIs as values, names as labels, years as both."""
    rows: list[tuple[str, str, str]] = []
    if rec.sort_key[:4].isdigit() and rec.sort_key != "9999":
        rows.append(("year", rec.sort_key[:4], rec.sort_key[:4]))
    if rec.kind:
        rows.append(("kind", rec.kind, rec.kind.rsplit("/", 1)[-1]))
    for name, values in (("sender", rec.senders), ("recipient", rec.recipients), ("place", rec.places),
                         ("fond", sorted({auth.fond(u) for u in rec.units}))):
        for value in values:
            label = auth.label(value, rec.labels)
            local = value.startswith(rec.iri + "/")  # a node of this letter only: group by its printed name
            rows.append((name, AS_WRITTEN + label if local else value, label))
    return rows


def names_text(rec: LetterRecord, auth: Authority) -> str:
    """The names column: forms as written, then every name of its parties and of what it mentions."""
    names = dict.fromkeys(rec.name_forms)
    for iri in (*rec.senders, *rec.recipients, *rec.places, *rec.mentions):
        names.update(dict.fromkeys(auth.names.get(iri) or ([rec.labels[iri]] if iri in rec.labels else [])))
    return " · ".join(names)


def _clean(text: str) -> str:
    return text.replace(MARKS[0], "").replace(MARKS[1], "")


def write_index(target: Path, fragments: Iterable[Path], shared: Iterable[Triple]) -> int:
    """Write ``search.sqlite`` from the batches' fragments; return the number of letters indexed.

    Rows go in in document order with ids 1..n, so the file's bytes depend only on the input."""
    auth = Authority.of(shared)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;" + SCHEMA)
        db.execute("INSERT INTO letter_text(letter_text, rank) VALUES ('rank', ?)", (RANK,))
        n = 0
        ids: dict[tuple[str, str], int] = {}
        for n, rec in enumerate(read_fragments(fragments), start=1):
            db.execute("INSERT INTO letter VALUES (?, ?, ?, ?, ?, ?)",
                       (n, rec.iri, rec.number, rec.title, rec.date, rec.sort_key))
            db.execute("INSERT INTO letter_text(rowid, header, names, text, notes) VALUES (?, ?, ?, ?, ?)",
                       (n, _clean(f"{rec.title}\n{rec.header}"), _clean(names_text(rec, auth)), _clean(rec.text),
                        _clean("\n\n".join(rec.notes))))
            seen: dict[str, int] = {}
            for name, value, label in facet_rows(rec, auth):
                key = (name, value)
                seen[name] = position = seen.get(name, 0) + 1  # parties keep the edition's order
                if key not in ids:
                    ids[key] = ((FACETS.index(name) + 1) << FIELD_SHIFT) | len(ids)
                    db.execute("INSERT INTO facet_value VALUES (?, ?, ?, ?)", (ids[key], name, value, label))
                db.execute("INSERT OR IGNORE INTO facet VALUES (?, ?, ?)", (n, ids[key], position))
        db.executescript(INDEXES)
        db.execute("INSERT INTO letter_text(letter_text) VALUES ('optimize')")
        write_postings(db, n, TOKENIZER, RANK_FUNCTION)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("letters", str(n))])
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    os.replace(partial, target)
    return n
