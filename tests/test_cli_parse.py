"""`kg parse`: the JSON parse contract on the seed page, --strict, unreadable input, introduction pages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "corpus" / "bolshevik-correspondence-1923-nos-167-177.txt"
FORMATS = ROOT / "tests" / "data" / "formats"


def run(*args: str):
    return CliRunner().invoke(cli, ["parse", *args])


def test_json_contract_on_the_seed():
    result = run("--json", str(SEED))
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert [r["number"] for r in records] == [str(n) for n in range(167, 178)]
    first = records[0]
    for key in ("number", "kind", "senders", "recipients", "date", "place", "citation", "notes", "source", "pages"):
        assert key in first
    assert first["kind"] == "letter"
    assert (first["senders"][0]["name"], first["senders"][0]["kind"]) == ("A. M. Nazaretyan", "person")
    assert {k: first["date"][k] for k in ("expressed", "edtf", "earliest", "latest", "supplied", "calendar")} == {
        "expressed": "January 24, 1923", "edtf": "1923-01-24", "earliest": "1923-01-24", "latest": "1923-01-24",
        "supplied": [], "calendar": "gregorian"}
    assert {k: first["citation"][k] for k in ("archive", "fond", "opis", "delo", "folios", "form")} == {
        "archive": "RTsKhIDNI", "fond": "85", "opis": "1/S", "delo": "13", "folios": "12-13", "form": "autograph"}
    assert first["citation"]["verbatim"] == "RTSKHIDNI. F. 85. Op. 1/S. D. 13. L. 12-13. Autograph."
    assert first["source"] == {"file": str(SEED), "first_line": 11, "last_line": 53}
    assert first["pages"] == [str(SEED)]
    assert [n["number"] for n in first["notes"]] == [1, 2, 3, 4, 5]
    assert first["notes"][2]["references"][0]["citation"]["delo"] == "331"
    assert records[3]["date"]["supplied"] == [] and records[4]["date"]["supplied"] == ["year"]
    assert records[6]["place"] == "Berlin"
    assert "note-without-marker" in result.stderr and "document 168" in result.stderr


def test_strict_exits_1_on_an_impossible_date():
    result = run("--strict", str(FORMATS / "impossible-date.txt"))
    assert result.exit_code == 1
    assert "impossible-date" in result.stderr and "impossible-date.txt:6" in result.stderr
    assert "No. 502" in result.stdout  # the other document is still printed


def test_undecodable_file_is_named(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("No. 1\nA. B. Ivanov - C. D. Petrov\nMarch 5, 1921\nR\xe9sum\xe9\n".encode("latin-1"))
    result = run("--strict", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:4" in result.stderr and "undecodable" in result.stderr


def test_missing_file_is_one_line_exit_2(tmp_path):
    result = run(str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"kg: error: {tmp_path / 'nope.txt'}: no such file or directory"


def test_introduction_page_gives_empty_array():
    result = run("--json", "--strict", str(FORMATS / "intro.txt"))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert result.stderr == ""


def test_directory_without_pages_is_named_exit_1(tmp_path):
    """A newcomer's empty or wrong folder: one line naming it and what is in it, exit 1 (the README's
    "sources in which no document at all could be read"; 2 is for a path that does not exist)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(str(empty))
    assert result.exit_code == 1
    assert (result.stdout, result.stderr) == ("", f"kg: error: {empty}: no pages to read: the directory is empty\n")
    other = tmp_path / "other"
    (other / "sub").mkdir(parents=True)
    (other / "letters.pdf").write_bytes(b"%PDF")
    (other / "sub" / "notes.md").write_text("No. 1\n", encoding="utf-8")
    result = run("--json", str(other))
    assert result.exit_code == 1
    assert result.stderr == (f"kg: error: {other}: no pages to read: none of its 2 files is a page "
                             "(.htm, .html, .text, .txt, .xhtml)\n")
    assert run("--strict", str(empty), str(other)).stderr == (
        f"kg: error: {empty}, {other}: no pages to read: none of their 2 files is a page "
        "(.htm, .html, .text, .txt, .xhtml)\n")
    assert run(str(empty), str(SEED)).exit_code == 0  # pages elsewhere: they are read


def test_quiet_keeps_the_summary_line_and_the_exit_code():
    page = FORMATS / "impossible-date.txt"
    summary = (f"impossible-date: 1 error, e.g. {page}:6: document 501: 'February 30, 1923': no such day: "
               "February 30, 1923; date left empty")
    loud = run(str(page))
    assert loud.exit_code == 0
    assert loud.stderr.splitlines() == [
        f"{page}:6: document 501: error: 'February 30, 1923': no such day: February 30, 1923; date left empty "
        "[impossible-date]", summary]
    for flag in ("--quiet", "-q"):
        quiet = run(flag, str(page))
        assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, loud.stdout, summary + "\n")
        strict = run("--strict", flag, str(page))
        assert (strict.exit_code, strict.stderr) == (1, summary + "\n")
