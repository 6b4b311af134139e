"""The house rules of ``kg/``, read from the code: one package per stage, imports only downward, no cycles.

Each stage package says in its ``__init__.py`` docstring which parts of ``kg`` it may import (a line
``May import: kg.x, kg.y``); this test reads those lines, so the docstrings are the single statement of
the layering and cannot drift from the code. Imports are read as text (``ast``), at module level and
inside functions alike: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

KG = Path(__file__).resolve().parent.parent / "kg"
# What may stand at the top of kg/: the entry points and what every stage shares (no stage's work).
BASE = {"kg", "kg.config", "kg.errors", "kg.model", "kg.progress"}
ENTRY = {"kg.cli", "kg.__main__"}
MAX_LINES = 400
MAY_IMPORT = re.compile(r"^May import:(.*)$", re.M)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(KG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(KG.rglob("*.py")) if "vendor" not in p.parts}


def imports_of(name: str, path: Path) -> set[str]:
    """The kg modules ``name`` imports (the longest known module each imported name starts with)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for imported in names:
            while imported and imported not in MODULES:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                found.add(imported)
    return found


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def stage_of(module: str) -> str:
    """``kg.rdf.letter`` -> ``kg.rdf``; a top-level module is its own stage."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def declared() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        if path.name == "__init__.py" and name.count(".") == 1:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            match = MAY_IMPORT.search(doc)
            assert match, f"{path}: the package docstring has no 'May import:' line"
            out[name] = {m.strip() for m in match.group(1).split(",") if m.strip()}
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    # a package's __init__ importing its own children (create_app, open_store) is not a cycle of the design
    graph = {m: {d for d in deps if not (MODULES[m].name == "__init__.py" and d.startswith(m + "."))}
             for m, deps in GRAPH.items()}
    assert cycles(graph) == []


def test_the_declared_layers_have_no_cycle_either():
    layers = declared()
    graph = {stage: {stage_of(d) for d in deps} - {stage} for stage, deps in layers.items()}
    assert cycles(graph) == []


def test_every_stage_imports_only_what_its_docstring_allows():
    layers = declared()
    wrong = []
    for module, deps in sorted(GRAPH.items()):
        stage = stage_of(module)
        if stage not in layers:
            continue
        for dep in sorted(deps):
            target = stage_of(dep)
            if target != stage and target not in layers[stage]:
                wrong.append(f"{module} imports {dep}, but {stage} may import only {sorted(layers[stage])}")
    assert wrong == []


def test_the_shared_base_imports_no_stage():
    """The base imports only the base (kg.model's own modules, ``kg.model.source`` …, are part of it)."""
    base = [m for m in GRAPH if stage_of(m) in BASE]
    for module in sorted(base):
        outside = {d for d in GRAPH[module] if stage_of(d) not in BASE}
        assert not outside, f"{module} imports {outside}"


def test_top_level_holds_only_entry_points_and_the_shared_base():
    top = {m for m, p in MODULES.items() if p.parent == KG}
    assert top - BASE - ENTRY == set()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it by concern"


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path: Path):
    """The walk itself works: a made-up pair of modules importing each other is a cycle."""
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert "kg.store.types" in GRAPH["kg.store.engine"]  # an ordinary import is read
    assert "kg.store.engine" in GRAPH["kg.store.zygote"]  # so is one inside a function
