"""The README stays honest: every `kg` verb and every setting is documented where a user looks for it,
and the two commands the README promises exist in the Makefile and in .ci/run."""

from __future__ import annotations

import re
from pathlib import Path

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
