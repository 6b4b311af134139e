"""A SHACL Core evaluator for exactly the constraint components shapes/ uses, over plain triples.

Why: pySHACL costs ~20 ms per document (rdflib graph building, constraint objects per shape, SPARQL
for sh:class); at 100k letters that alone is 30 minutes on two cores. Our shapes use a small subset
of SHACL Core (node shapes with class or subjects-of targets, property shapes with an IRI path, the
components in ``COMPONENTS``), so this module compiles them once and checks every focus node with
dictionary lookups. It follows pySHACL's own rules where SHACL leaves room (datatype well-formedness
via rdflib's ``ill_typed``, pattern match-then-search, literal comparison), and refuses shapes it
does not understand (``Unsupported``) so the caller can fall back to pySHACL. pySHACL stays the
reference: tests/test_scale.py checks both give the same results on every invalid sample, the
seed build and a generated corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from rdflib import RDF, RDFS, SH, XSD, BNode, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
Values = list[Node]  # the distinct value nodes, in data order
Check = Callable[["View", Node, Values], list[tuple[Node, Node | None]]]  # -> (component, value) results

KNOWN = {SH.path, SH.severity, SH.message, SH.minCount, SH.maxCount, SH.datatype, SH.pattern, SH.flags, SH["in"],
         SH["class"], SH.hasValue, SH.equals, SH["or"], SH.lessThanOrEquals, SH.nodeKind, SH.minInclusive,
         SH.maxInclusive, SH.uniqueLang, SH.languageIn, SH["not"], RDF.type, SH.name, SH.description, RDFS.comment}


class Unsupported(ValueError):
    """A shape uses something this evaluator does not implement (use pySHACL for it)."""


RDF_TYPE = str(RDF.type)


def nkey(node: Node) -> str:
    """A node as a plain-str dictionary key (rdflib's term __eq__ is Python code; str's is not)."""
    return "_:" + node if type(node) is BNode else str(node)  # type(): rdflib's ABC isinstance is slow


@dataclass
class View:
    """What a batch of data looks like to the evaluator: values by subject and predicate, classes.

    Subjects, predicates and classes are keyed by plain strings; values stay rdflib terms."""

    spo: dict[str, dict[str, Values]]
    nodes: dict[str, Node]  # subject key -> its term
    superclasses: dict[str, frozenset[str]]

    def values(self, node: Node, path: str) -> Values:
        if type(node) is Literal:
            return []
        return self.spo.get(nkey(node), {}).get(path, [])

    def is_instance(self, node: Node, cls: str) -> bool:
        types = self.spo.get(str(node) if type(node) is URIRef else nkey(node), {}).get(RDF_TYPE, ())
        return any(cls in self.superclasses.get(str(t), (str(t),)) for t in types)


def view_of(triples: Iterable[Triple], hierarchy: Iterable[Triple]) -> View:
    """Index triples (duplicates collapse, as in a graph) with the rdfs:subClassOf closure of ``hierarchy``."""
    spo: dict[str, dict[str, Values]] = {}
    nodes: dict[str, Node] = {}
    for s, p, o in triples:
        k = str(s) if type(s) is URIRef else nkey(s)
        preds = spo.get(k)
        if preds is None:
            preds = spo[k] = {}
            nodes[k] = s
        pk = str(p)
        values = preds.get(pk)
        if values is None:
            preds[pk] = [o]
        else:
            values.append(o)
    for preds in spo.values():  # a triple may arrive twice (two graphs): values are a set
        for p, values in preds.items():
            if len(values) > 1:
                preds[p] = list(dict.fromkeys(values))
    return View(spo, nodes, superclass_closure(hierarchy))


def superclass_closure(hierarchy: Iterable[Triple]) -> dict[str, frozenset[str]]:
    parents: dict[str, set[str]] = {}
    for s, p, o in hierarchy:
        if p == RDFS.subClassOf:
            parents.setdefault(str(s), set()).add(str(o))
    out: dict[str, frozenset[str]] = {}
    for cls in parents:
        seen, todo = {cls}, [cls]
        while todo:
            for sup in parents.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        out[cls] = frozenset(seen)
    return out


@dataclass(frozen=True)
class PropertyRule:
    """One property shape: its path, severity, message and compiled constraint checks."""

    path: Node
    key: str  # the path as a plain string (View's predicate keys)
    severity: Node
    message: str
    checks: tuple[Check, ...]


@dataclass
class NodeRule:
    """One targeted node shape: targets, property shapes, closedness."""

    shape: Node
    target_classes: tuple[str, ...]
    target_subjects_of: tuple[str, ...]
    severity: Node
    target_nodes: tuple[Node, ...] = ()
    message: str = ""
    checks: tuple[Check, ...] = ()  # constraints on the focus node itself
    properties: list[PropertyRule] = field(default_factory=list)
    closed: frozenset[str] | None = None  # allowed predicates when sh:closed true


# -- the constraint components -----------------------------------------------------------------------


def datatype_ok(v: Node, dt: Node) -> bool:
    """pySHACL's reading: the same datatype and well formed; xsd:string for plain, rdf:langString for tagged."""
    if type(v) is not Literal:
        return False
    if v.datatype is None:
        return dt == RDF.langString if v.language else dt == XSD.string
    return v.datatype == dt and getattr(v, "ill_typed", None) is not True and _value_type_ok(v, dt)


def _python_types() -> dict[Node, type | tuple[type, ...]]:
    from datetime import date, datetime, time
    from decimal import Decimal

    return {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
            XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}


PYTHON_TYPES = _python_types()  # what pySHACL's _assert_actual_datatype expects of a literal's value


def _value_type_ok(v: Literal, dt: Node) -> bool:
    expected = PYTHON_TYPES.get(dt)
    return expected is None or isinstance(v.value, expected)


def each_value(ok: Callable[[View, Node], bool], component: Node) -> Check:
    def check(view: View, focus: Node, values: Values) -> list[tuple[Node, Node | None]]:
        return [(component, v) for v in values if not ok(view, v)]
    return check


def count_check(n: int, at_least: bool) -> Check:
    component = SH.MinCountConstraintComponent if at_least else SH.MaxCountConstraintComponent

    def check(view: View, focus: Node, values: Values) -> list[tuple[Node, Node | None]]:
        return [(component, None)] if (len(values) < n if at_least else len(values) > n) else []
    return check


def pattern_ok(pattern: re.Pattern[str]) -> Callable[[View, Node], bool]:
    return lambda view, v: not isinstance(v, BNode) and bool(pattern.match(str(v)) or pattern.search(str(v)))


def class_ok(cls: Node) -> Callable[[View, Node], bool]:
    key = str(cls)
    return lambda view, v: not isinstance(v, Literal) and view.is_instance(v, key)


def plain_dates(a: object, b: object) -> bool:
    """Two well-formed xsd:date literals (their Python values compare as the literals do)."""
    return (type(a) is Literal and type(b) is Literal and a.datatype == XSD.date and b.datatype == XSD.date
            and type(a.value) is date and type(b.value) is date)


def compare_ok(bound: Literal, at_least: bool) -> Callable[[View, Node], bool]:
    """sh:minInclusive / sh:maxInclusive as pySHACL compares (strings only with strings)."""
    from pyshacl.rdfutil.compare import compare_literal

    def ok(view: View, v: Node) -> bool:
        if not isinstance(v, Literal) or isinstance(v.value, str) != isinstance(bound.value, str):
            return False
        if plain_dates(v, bound):  # rdflib's literal comparison costs ~100 µs; same answer for two dates
            return v.value >= bound.value if at_least else v.value <= bound.value
        try:
            cmp = compare_literal(v, bound)
        except (TypeError, NotImplementedError):
            return False
        return cmp >= 0 if at_least else cmp <= 0
    return ok


def language_ok(tags: set[str]) -> Callable[[View, Node], bool]:
    def ok(view: View, v: Node) -> bool:
        lang = v.language if isinstance(v, Literal) else None
        return bool(lang) and ("*" in tags or lang.lower() in tags or lang.split("-")[0].lower() in tags)
    return ok


def has_value(value: Node) -> Check:
    def check(view: View, focus: Node, values: Values) -> list[tuple[Node, Node | None]]:
        return [] if value in values else [(SH.HasValueConstraintComponent, None)]
    return check


def equals(prop: Node) -> Check:
    key = str(prop)

    def check(view: View, focus: Node, values: Values) -> list[tuple[Node, Node | None]]:
        other = view.values(focus, key)
        return ([(SH.EqualsConstraintComponent, v) for v in values if v not in other]
                + [(SH.EqualsConstraintComponent, v) for v in other if v not in values])
    return check


def ill_typed(n: object) -> bool:
    """A literal whose lexical form is not of its datatype ("not a date"^^xsd:date): it has no value."""
    return type(n) is Literal and getattr(n, "ill_typed", None) is True


def less_than_or_equals(prop: Node) -> Check:
    """pySHACL's pairwise rule: strings (and IRIs) compare only with strings, else rdflib's <=. An ill-typed
    literal compares with nothing, and SHACL reports a pair that cannot be compared. (pySHACL hands that
    pair to rdflib's <=, whose answer depends on the order: True through a deprecated truth test of
    NotImplemented, or a TypeError.)"""
    def as_cmp(n: Node) -> tuple[object, bool]:
        if isinstance(n, BNode):
            raise Unsupported("sh:lessThanOrEquals on a blank node")
        if isinstance(n, URIRef):
            return str(n), True
        if isinstance(n, Literal) and isinstance(n.value, str):
            return n.value, True
        return n, False

    key = str(prop)

    def check(view: View, focus: Node, values: Values) -> list[tuple[Node, Node | None]]:
        out: list[tuple[Node, Node | None]] = []
        for v in values:
            a, a_str = as_cmp(v)
            for w in view.values(focus, key):
                b, b_str = as_cmp(w)
                if (a_str != b_str or ill_typed(a) or ill_typed(b)
                        or not (a.value <= b.value if plain_dates(a, b) else a <= b)):  # type: ignore
                    out.append((SH.LessThanOrEqualsConstraintComponent, v))
        return out
    return check


def unique_lang(view: View, focus: Node, values: Values) -> list[tuple[Node, Node | None]]:
    seen: set[str] = set()
    dupes: dict[str, None] = {}
    for v in values:
        lang = v.language.lower() if isinstance(v, Literal) and v.language else None
        if lang:
            if lang in seen:
                dupes[lang] = None
            seen.add(lang)
    return [(SH.UniqueLangConstraintComponent, None) for _ in dupes]


def node_kind_ok(kind: Node) -> Callable[[View, Node], bool]:
    kinds = {SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,), SH.BlankNodeOrIRI: (BNode, URIRef),
             SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal)}
    allowed = kinds[kind]
    return lambda view, v: isinstance(v, allowed)
