"""Compile shapes/ into the fast evaluator's rules (kg/validate/shacl_fast.py) and run them over a View.

    rules = compile_rules(shapes_graph)                 # raises Unsupported for anything unknown
    results = evaluate(rules, view_of(triples, hierarchy), focus=own_subjects)

Why a compiler: the shapes file stays the single source of truth; nothing about a constraint is
written twice. Only SHACL-SPARQL constraints are left out (kg/validate/sparql.py runs them once).
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass

from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.validate.shacl_fast import (
    KNOWN,
    RDF_TYPE,
    Check,
    NodeRule,
    PropertyRule,
    Unsupported,
    Values,
    View,
    class_ok,
    compare_ok,
    count_check,
    datatype_ok,
    each_value,
    equals,
    has_value,
    language_ok,
    less_than_or_equals,
    nkey,
    node_kind_ok,
    pattern_ok,
    unique_lang,
)

NODE_SHAPE_KEYS = {RDF.type, SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.property, SH.closed,
                   SH.ignoredProperties, SH.severity, SH.sparql, SH.message, SH.name, SH.description, SH.declare,
                   RDFS.label, *(p for p in KNOWN if p != SH.path)}


@dataclass(frozen=True)
class Result:
    """One validation result as SHACL defines it (no text: messages come from the shapes or pySHACL)."""

    focus: Node
    path: Node | None
    component: Node
    severity: Node
    value: Node | None
    message: str


def _one(shapes: Graph, node: Node, p: Node) -> Node:
    values = list(shapes.objects(node, p))
    if len(values) != 1:
        raise Unsupported(f"{node} needs exactly one {p}")
    return values[0]


def _pattern(shapes: Graph, node: Node) -> re.Pattern[str]:
    flags = str(shapes.value(node, SH.flags) or "").lower()
    mode = (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0)
    return re.compile(str(_one(shapes, node, SH.pattern)), mode)


def _or(shapes: Graph, node: Node) -> Check:
    """sh:or of member shapes: a value conforms when it conforms to any member."""
    members = []
    for member in shapes.items(_one(shapes, node, SH["or"])):
        path = shapes.value(member, SH.path)
        members.append((str(path) if path is not None else None, compile_checks(shapes, member)))

    def conforms(view: View, v: Node) -> bool:
        for path, checks in members:
            values: Values = view.values(v, path) if path is not None else [v]
            if not any(check(view, v, values) for check in checks):
                return True
        return False
    return each_value(conforms, SH.OrConstraintComponent)


def _not(shapes: Graph, inner: Node) -> Check:
    """sh:not: a value conforms when it does not conform to the inner shape (its node-level constraints)."""
    checks = compile_checks(shapes, inner)
    return each_value(lambda view, v: any(check(view, v, [v]) for check in checks), SH.NotConstraintComponent)


def compile_checks(shapes: Graph, node: Node, allowed: set[Node] = KNOWN) -> list[Check]:
    """The constraint checks declared on one shape node, in a fixed order."""
    unknown = {p for p in shapes.predicates(node, None) if p not in allowed}
    if unknown:
        raise Unsupported(f"{node}: {sorted(map(str, unknown))}")
    g, checks = shapes, []
    if (node, SH.minCount, None) in g:
        checks.append(count_check(int(_one(g, node, SH.minCount)), at_least=True))  # type: ignore[call-overload]
    if (node, SH.maxCount, None) in g:
        checks.append(count_check(int(_one(g, node, SH.maxCount)), at_least=False))  # type: ignore[call-overload]
    simple = {SH.datatype: lambda dt: each_value(lambda view, v: datatype_ok(v, dt), SH.DatatypeConstraintComponent),
              SH["class"]: lambda c: each_value(class_ok(c), SH.ClassConstraintComponent),
              SH.nodeKind: lambda k: each_value(node_kind_ok(k), SH.NodeKindConstraintComponent),
              SH.hasValue: has_value, SH.equals: equals, SH.lessThanOrEquals: less_than_or_equals,
              SH.minInclusive: lambda b: each_value(compare_ok(b, True), SH.MinInclusiveConstraintComponent),
              SH.maxInclusive: lambda b: each_value(compare_ok(b, False), SH.MaxInclusiveConstraintComponent)}
    for p, make in simple.items():
        checks += [make(o) for o in g.objects(node, p)]
    if (node, SH.pattern, None) in g:
        checks.append(each_value(pattern_ok(_pattern(g, node)), SH.PatternConstraintComponent))
    if (node, SH["in"], None) in g:
        allowed = set(g.items(_one(g, node, SH["in"])))
        checks.append(each_value(lambda view, v: v in allowed, SH.InConstraintComponent))
    if (node, SH.languageIn, None) in g:
        tags = {str(t).lower() for t in g.items(_one(g, node, SH.languageIn))}
        checks.append(each_value(language_ok(tags), SH.LanguageInConstraintComponent))
    if (node, SH.uniqueLang, Literal(True)) in g:
        checks.append(unique_lang)
    if (node, SH["or"], None) in g:
        checks.append(_or(g, node))
    checks += [_not(g, inner) for inner in g.objects(node, SH["not"])]
    return checks


def compile_rules(shapes: Graph) -> list[NodeRule]:
    """Every targeted node shape with its property shapes; Unsupported if anything is outside our subset."""
    rules = []
    if any(shapes.objects(None, SH.targetObjectsOf)) or any(shapes.objects(None, SH.target)):
        raise Unsupported("sh:targetObjectsOf / sh:target")
    targeted = {*shapes.subjects(SH.targetClass, None), *shapes.subjects(SH.targetSubjectsOf, None),
                *shapes.subjects(SH.targetNode, None)}
    if any((s, RDF.type, RDFS.Class) in shapes for s in shapes.subjects(RDF.type, SH.NodeShape)):
        raise Unsupported("implicit class targets")
    for shape in sorted(targeted, key=str):
        unknown = {p for p in shapes.predicates(shape, None) if p not in NODE_SHAPE_KEYS}
        if unknown:
            raise Unsupported(f"{shape}: {sorted(map(str, unknown))}")
        rule = NodeRule(shape, tuple(map(str, shapes.objects(shape, SH.targetClass))),
                        tuple(map(str, shapes.objects(shape, SH.targetSubjectsOf))),
                        shapes.value(shape, SH.severity) or SH.Violation,
                        target_nodes=tuple(shapes.objects(shape, SH.targetNode)),
                        message=str(shapes.value(shape, SH.message) or ""),
                        checks=tuple(compile_checks(shapes, shape, NODE_SHAPE_KEYS)))
        for prop in shapes.objects(shape, SH.property):
            path = _one(shapes, prop, SH.path)
            if isinstance(path, BNode):
                raise Unsupported(f"{shape}: complex path")
            rule.properties.append(PropertyRule(path, str(path), shapes.value(prop, SH.severity) or SH.Violation,
                                                str(shapes.value(prop, SH.message) or ""),
                                                tuple(compile_checks(shapes, prop))))
        if (shape, SH.closed, Literal(True)) in shapes:
            ignored = shapes.value(shape, SH.ignoredProperties)
            listed = shapes.items(ignored) if ignored else ()
            rule.closed = frozenset([*(p.key for p in rule.properties), *map(str, listed)])
        rules.append(rule)
    return rules


def focus_nodes(rule: NodeRule, view: View, by_class: dict[str, list[str]]) -> dict[str, None]:
    out: dict[str, None] = {}
    for cls in rule.target_classes:
        out.update(dict.fromkeys(by_class.get(cls, ())))
    for p in rule.target_subjects_of:
        out.update(dict.fromkeys(s for s, preds in view.spo.items() if p in preds))
    for node in rule.target_nodes:  # a target node is a focus node even where the data never names it
        out[nkey(node)] = None
        view.nodes.setdefault(nkey(node), node)
    return out


def instances(view: View) -> dict[str, list[str]]:
    """Class -> its instances (subclass instances included), in one pass over the typed nodes."""
    by_class: dict[str, list[str]] = {}
    for s, preds in view.spo.items():
        classes: set[str] = set()
        for t in preds.get(RDF_TYPE, ()):
            classes |= view.superclasses.get(str(t), frozenset((str(t),)))
        for c in classes:
            by_class.setdefault(c, []).append(s)
    return by_class


def evaluate(rules: list[NodeRule], view: View, focus: Container[Node] | None = None) -> list[Result]:
    """Every result of every rule on the view's focus nodes (only those in ``focus`` when given)."""
    by_class = instances(view)
    out: list[Result] = []
    for rule in rules:
        for k in focus_nodes(rule, view, by_class):
            f = view.nodes[k]
            if focus is None or f in focus:
                out += evaluate_node(rule, view, k, f)
    return out


def evaluate_node(rule: NodeRule, view: View, k: str, f: Node) -> list[Result]:
    out = []
    preds = view.spo.get(k, {})
    for check in rule.checks:  # node-level constraints: the focus node is the value node
        out += [Result(f, None, c, rule.severity, v, rule.message) for c, v in check(view, f, [f])]
    for prop in rule.properties:
        values = preds.get(prop.key, [])
        for check in prop.checks:
            out += [Result(f, prop.path, c, prop.severity, v, prop.message) for c, v in check(view, f, values)]
    if rule.closed is not None:
        for p, objs in preds.items():
            if p not in rule.closed:
                out += [Result(f, URIRef(p), SH.ClosedConstraintComponent, rule.severity, o, "") for o in objs]
    return out
