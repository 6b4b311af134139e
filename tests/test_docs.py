"""The README stays honest: every `kg` verb and every setting is documented where a user looks for it,
and the two commands the README promises exist in the Makefile and in .ci/run. The README and docs/*.md
name only what exists (files, links and their anchors, modules, tests), so a move in the code that the
docs did not follow fails here."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from kg.cli import cli
from kg.config import settings_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 3)
    return README[start:end if end > 0 else None]


def test_every_cli_verb_is_in_the_readme_cli_table() -> None:
    table = section("CLI")
    documented = set(re.findall(r"^\| `kg (\w+)", table, flags=re.M))
    assert documented == set(cli.commands), (documented, set(cli.commands))


def test_every_option_of_every_verb_is_in_the_readme() -> None:
    table = section("CLI")
    for name, command in cli.commands.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `kg {name}"))
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in row or opt in README, f"kg {name} {opt} is not documented"


def test_every_setting_is_in_the_settings_table_with_its_default() -> None:
    table = section("Settings")
    for name, default, _help in settings_table():
        row = next((line for line in table.splitlines() if line.startswith(f"| `{name}`")), None)
        assert row is not None, f"setting {name} missing from the README"
        if isinstance(default, int | float) and not isinstance(default, bool):
            assert f"`{default}`" in row, f"setting {name}: README default differs from {default!r}"


def test_the_two_commands_exist_and_ci_runs_the_test_command() -> None:
    quick = section("Quick start")
    assert "make run" in quick and "make test" in quick
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, flags=re.M) and re.search(r"^test:", makefile, flags=re.M)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert [line for line in ci.splitlines() if line and not line.startswith("#") and not line.startswith("set ")
            and not line.startswith("cd ")] == ["make test"]


# --- the docs name only what exists: files, links, anchors, modules, test names --------------------------

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")
REPO_PATH = re.compile(r"^(?:kg|tests|bench|docs)/[\w./-]*$")
# written at run time and git-ignored: named in the docs, absent from a fresh checkout
GENERATED = ("kg/web/static/vendor", "tests/artifacts", "bench/results/latest.md")
MODULE = re.compile(r"^kg(?:\.\w+)+")
DUMP_FILE = re.compile(r"^kg\.(?:nt|ttl|trig|jsonld)\b")  # `kg.nt.gz` is a file of output/, not a module


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m) for m in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_and_anchor_exists(doc: Path) -> None:
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        assert path.exists(), f"{doc.name}: link to {target}: no such file"
        if anchor:
            assert anchor in _anchors(path), f"{doc.name}: link to {target}: no such heading"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_repository_path_named_exists(doc: Path) -> None:
    """`kg/...py`, `tests/...`, `bench/...`, `docs/...md` in code spans: a moved file fails here."""
    for span in CODE.findall(doc.read_text(encoding="utf-8")):
        if not REPO_PATH.match(span) or "*" in span or "<" in span or "…" in span:
            continue
        if span.startswith(GENERATED):
            continue
        assert (ROOT / span).exists(), f"{doc.name}: `{span}` does not exist"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_named_exists(doc: Path) -> None:
    """`kg.x.y` (a package, a module, or a name in one) in code spans."""
    for span in CODE.findall(doc.read_text(encoding="utf-8")):
        match = MODULE.match(span)
        if not match or DUMP_FILE.match(span):
            continue
        parts = match.group(0).split(".")
        for cut in range(len(parts), 0, -1):
            name = ".".join(parts[:cut])
            try:
                if importlib.util.find_spec(name) is not None:
                    break
            except ModuleNotFoundError:
                continue
        obj = importlib.import_module(name)
        for attr in parts[cut:]:
            assert hasattr(obj, attr), f"{doc.name}: `{match.group(0)}`: {name} has no {attr}"
            obj = getattr(obj, attr)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_test_named_exists(doc: Path) -> None:
    defined = set(re.findall(r"^def (test_\w+)", "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py")), flags=re.M))
    for span in CODE.findall(doc.read_text(encoding="utf-8")):
        if re.fullmatch(r"test_\w+", span):
            assert span in defined, f"{doc.name}: `{span}` is not a test in tests/"
