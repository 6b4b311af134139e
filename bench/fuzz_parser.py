"""Fuzzing the parser: pages generated and mutated by Hypothesis, run through the whole reading path.

    python bench/fuzz_parser.py --cases 10000            # the long form: prints cases, crashes (0), seconds
    python bench/fuzz_parser.py --cases 500 --seed 3 --map-every 25 --validate-every 100

Why: a converter of OCR'd machine translation meets every kind of broken page, and one exception (or
one value the SHACL shapes refuse) would stop the build for the whole collection. Each case is a page:
either a window of a real page (the seed page, the fixture pages of tests/data/formats/, pages of the
corpus generator) damaged by up to 16 mutations, or a page assembled from the collection's line kinds
in random order. Mutations: lines dropped, duplicated, moved, shuffled, truncated, the page cut off;
characters garbled (Cyrillic look-alikes, no-break and zero-width spaces, random unicode); number lines
inserted ("No. 99999999999"), "Notes:" blocks duplicated, brackets unbalanced, impossible and
half-bracketed dates ("February 31, 1923", "[previously March 5, 1921"), garbage citations. HTML pages
are mutated as markup and go through the HTML reader.

Every case must: return a ParseResult, serialize each document to JSON with the contract keys, give
diagnostics that point into the page, and hold the invariants the published graph needs (edition
numbers, citation parts, dates, note numbers in the forms the shapes accept). A sample of cases is also
resolved and mapped to RDF (``--map-every``) and validated against shapes/ (``--validate-every``): a
sh:Violation there is a page that would stop ``kg build``. An uncaught exception is a crash; a broken
invariant or a violation is a failure. Both are printed with the smallest input that showed them; the
exit status is 1 when there is any. ``tests/test_fuzz.py`` runs a short form in the regular suite.

Optionally, ``--atheris [libFuzzer flags]`` runs the same reading path under atheris (coverage-guided,
raw bytes, seeded with the same pages) when atheris is installed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kg.devtools.mutate import MUTATIONS, mutate_lines  # noqa: E402
from kg.errors import Diagnostic
from kg.model import Document, Page, ParseResult  # noqa: E402
from kg.sources.citations import PART_FORMS  # noqa: E402
from kg.sources.parse import parse_pages  # noqa: E402
from kg.sources.read import html_to_text  # noqa: E402
from kg.sources.records_json import document_to_json  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_KEYS = ("number", "kind", "senders", "recipients", "date", "place", "citation", "notes", "source", "pages")
NUMBER_FORM = re.compile(r"^[0-9]{1,6}[a-z]?$")  # bc:documentNumber in shapes/bolcorr.shapes.ttl
_DAY = r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?[?~%]?"
EDTF_FORM = re.compile(rf"^({_DAY})?(/(\.\.|{_DAY})?)?$|^\.\./{_DAY}$")  # bc:edtf in the shapes
WINDOW = 160  # lines of a long page per case: small cases, many of them

# ------------------------------------------------------------------------------------------ pages


@dataclass(frozen=True)
class Base:
    """A page to start from: its name, its text (markup for HTML) and whether it is HTML."""

    name: str
    text: str
    html: bool = False


@cache
def base_pages() -> tuple[Base, ...]:
    """The seed page, the fixture pages and a few generated pages (with introduction and letter copies)."""
    from kg.devtools.generate import generate_pages

    out = [Base(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "data" / "corpus").glob("*.txt"))]
    for path in sorted((ROOT / "tests" / "data" / "formats").iterdir()):
        if path.suffix in {".txt", ".html"}:
            out.append(Base(path.name, path.read_text(encoding="utf-8"), path.suffix == ".html"))
    out.extend(Base(p.name, p.text) for p in generate_pages(24, seed=5, docs_per_page=4, extras=True))
    return tuple(out)


LOOKALIKES = "АВЕКМНОРСТХаеорсхуІіЈјԁһԛ"  # Cyrillic (and other) letters that look Latin
SPACES = ["\u00a0", "\u2009", "\u202f", "\u200b", "\ufeff", "\t", "\r", "\x0b", "\x0c", "\u2028", "\x85"]
PIECES = list("0123456789.,;:-—–/[]()IVXivx*«»“”\"'") + list(LOOKALIKES) + SPACES + [
    "No. ", "\n", "\n\n", "Notes:", "1 .", " 2,", "3and", "F.", "Op.", "On.", "D.", "L.", "Ibid.", "[", "]",
    "&amp;", "&nbsp;", "<br>", "<p>", "</p>", "<script>", "&#0;", "&#xd800;", "\x00", "<![", "<!", "</"]
NUMBER_LINES = ["No. 99999999999", "No. 0", "No. 12", "No. 167a", "No. 167а", "No. 1677А", "Number 7", "№ 5",
                "No.", "No. 12.", "No 12", "No. ١٦٧", "No. 169/S", "NO. 3", "No. 9999"]
DATE_LINES = ["February 31, 1923", "February 30, 1923", "February 29, 1900", "[previously March 5, 1921",
              "previously March 5, 1921]", "[later March 5, 1921]", "March 6-5, 1921", "March 30 - February 2, 1921",
              "[late February 1900]", "[mid March 1921", "March 5 [1921", "0000", "March 5, 0000", "[1921]",
              "December 31, 9999", "Janaury 5, 1921", "5/13 21", "31/II-23", "29/2 23", "March 5, 1931",
              "[early] March 1921", "[[March 5, 1921]]", "March 5, 1921]", "Tiflis, February 30, 1923"]
CITATIONS = ["RTSKHIDNI. F. abc. Op. 1. D. xyz. L. 9. Autograph.", "GARF. F. Р-5674. On. ١. D. 2/3. L. 5v-3.",
             "RTSKHIDNI. F. 85. Op. 1 S. D. 13A. L. 3.-5. Autograph.", "RGASPI. F. 558 Op. 1 D. L. Autograph",
             "RTSKHIDNI. F. 99999999999. Op. 99999999. D. 9999999999. L. 1-99999999999.", "RTSHIDNI; F.",
             "(RTSKHIDNI. F. 17. Op. 3. D. 331. L. 1", "Ibid. D.", "ARCHIVE. F. 12. Op. 1/. D. 3. L. 4",
             "RTSKHIDNI. F. 85. Op. 1/S. D. 13. L. 12-13. Typewritten text. The signature is an autograph. "
             "\"Journal\". 1936. No. 7. P. 167."]
OTHER_LINES = ["A. B. Ivanov - C. D. Petrov", "Telegram to A. B. Ivanov C. D. Petrov, E. F. Sidorov",
               "Moscow Kremlin to IVANOV, PETROV.", "from Stalin to Lenin", " - ", "—", "to", "Notes:", "Notes",
               "1 The commission.", "2Text glued.", "oneText", "(2) lost", "See note 1 to document No. 166.",
               "See notes 1 and 2 to document No. 99999999999.", "word 99999999999 .", "the commission 1 .",
               "Your Amayak.", "SECRETARY OF THE CC STALIN.", "Filed from Moscow 5/3-21", "3/VІІІ",
               "Bolshevik Leaders correspondence", "Home | Lenin | Stalin", "<script>No. 5</script>", ""]
HTML_PIECES = ["<script>", "</script>", "<script>\nNo. 5\nA. B. Ivanov - C. D. Petrov\nMarch 5, 1921\n</script>",
               "<title>No. 6", "<!--", "-->", "<![CDATA[No. 7", "<head>", "<body>", "<p>No. 8</p>", "<br>",
               "<style>", "&lt;script&gt;", "&amp;amp;", "&#99999999999;", "<p", "</", "<textarea>", "<pre>",
               "<![ ", "<![foo[ x ]]>", "<![if !IE]>", "<!x", "</ x>", "<a<b>", "<?php ?>", "<!DOCTYPE"]
INSERTS = NUMBER_LINES + DATE_LINES + CITATIONS + OTHER_LINES
LINE = st.one_of(st.sampled_from(INSERTS), st.text(max_size=60))
GARBLE = st.one_of(st.sampled_from(PIECES), st.characters(), st.text(max_size=8))


def _window(draw: Callable, lines: list[str]) -> list[str]:
    if len(lines) <= WINDOW:
        return list(lines)
    start = draw(st.integers(0, len(lines) - 1))
    return lines[start:start + draw(st.integers(1, WINDOW))]


def _notes_block(lines: list[str]) -> list[str]:
    """The lines from the first 'Notes:' label to the next number line (empty if there is none)."""
    label = next((i for i, t in enumerate(lines) if t.strip().lower().startswith("notes")), None)
    if label is None:
        return []
    end = next((j for j in range(label + 1, len(lines)) if lines[j].strip().startswith("No.")), len(lines))
    return lines[label:end]


def _mutate(draw: Callable, lines: list[str], op: str) -> None:
    """Apply one named mutation in place (each draws its own positions and pieces); the line moves the
    property test also uses live in kg.devtools.mutate."""
    if op in MUTATIONS:
        mutate_lines(draw, lines, op)
        return
    i = draw(st.integers(0, len(lines) - 1))
    if op == "garble":
        pos = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + draw(GARBLE) + lines[i][pos + draw(st.integers(0, 2)):]
    elif op == "bracket":
        pos = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + draw(st.sampled_from("[]()«»“”")) + lines[i][pos:]
    elif op == "insert":
        lines.insert(i, draw(LINE))
    elif op == "notes":
        lines[i:i] = _notes_block(lines)
    elif op == "numbers":
        lines[i] = re.sub(r"\d+", lambda _: draw(st.sampled_from(["99999999999", "0", "31", "1", "١٢"])), lines[i])
    elif op == "join" and i + 1 < len(lines):
        lines[i:i + 2] = [lines[i] + draw(st.sampled_from([" ", "", "\u00a0"])) + lines[i + 1]]
    elif op == "split":
        pos = draw(st.integers(0, len(lines[i])))
        lines[i:i + 1] = [lines[i][:pos], lines[i][pos:]]
    elif op == "long":
        # at most 200 characters repeated: a line made long twice must not grow 400 x 400 times (a page of
        # several GB, which killed the suite once a new sample page changed the derandomized draws)
        lines[i] = " ".join([(lines[i] or "word 1 .")[:200]] * draw(st.integers(50, 400)))
    elif op == "digits":
        pos = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:pos] + draw(st.from_regex(r"\A ?[0-9]{1,12}[.,]? ?\Z")) + lines[i][pos:]
    elif op == "case":
        lines[i] = draw(st.sampled_from([str.upper, str.lower, str.title]))(lines[i])
    elif op == "html":
        lines.insert(i, draw(st.sampled_from(HTML_PIECES)))
    elif op == "lookalike":
        table = str.maketrans("ABEKMHOPCTXaeopcxyIi", "АВЕКМНОРСТХаеорсхуІі")
        lines[i] = lines[i].translate(table)


OPS = ["drop", "dup", "move", "shuffle", "cut", "truncate", "garble", "bracket", "insert", "notes", "numbers",
       "join", "split", "long", "digits", "case", "html", "lookalike"]


@st.composite
def mutated_page(draw: Callable) -> tuple[str, str, bool]:
    """(name, text, html): a window of a real page with up to 16 mutations."""
    base = draw(st.sampled_from(base_pages()))
    lines = _window(draw, base.text.split("\n"))
    for _ in range(draw(st.integers(0, 16))):
        if not lines:
            lines.append("")
        _mutate(draw, lines, draw(st.sampled_from(OPS)))
    sep = draw(st.sampled_from(["\n", "\n", "\r\n", "\n\n"]))
    return base.name, sep.join(lines), base.html


@st.composite
def assembled_page(draw: Callable) -> tuple[str, str, bool]:
    """(name, text, False): a page made of the collection's line kinds in an order no page has."""
    kinds = st.one_of(st.sampled_from(NUMBER_LINES), st.sampled_from(DATE_LINES), st.sampled_from(CITATIONS),
                      st.sampled_from(OTHER_LINES), st.text(max_size=120))
    lines = draw(st.lists(kinds, max_size=60))
    return "assembled.txt", draw(st.sampled_from(["\n", "\n\n"])).join(lines), False


PAGES = st.one_of(mutated_page(), mutated_page(), assembled_page())

# ------------------------------------------------------------------------------------------ checks


def read_case(name: str, text: str, html: bool) -> Page:
    """The page as the reader would give it (HTML through the HTML reader, line ends normalized)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if html:
        body, title = html_to_text(text)
        return Page(path=name, text=body, media_type="text/html", title=title)
    return Page(path=name, text=text)


def _iso_day(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_dates(doc: Document) -> None:
    stmts = [doc.date] + [pd.date for pd in doc.place_dates]
    for stmt in (s for s in stmts if s is not None):
        bounds = [stmt.earliest, stmt.latest, stmt.gregorian_earliest, stmt.gregorian_latest]
        for bound in (b for b in bounds if b is not None):
            assert _iso_day(bound), f"date {stmt.expressed!r}: bound {bound!r} is no xsd:date"
        if stmt.earliest and stmt.latest:
            assert stmt.earliest <= stmt.latest, f"date {stmt.expressed!r}: earliest after latest"
        if stmt.gregorian_earliest and stmt.gregorian_latest:
            assert stmt.gregorian_earliest <= stmt.gregorian_latest, f"date {stmt.expressed!r}: Gregorian order"
        assert stmt.edtf is None or EDTF_FORM.match(stmt.edtf), f"date {stmt.expressed!r}: EDTF {stmt.edtf!r}"


def _check_citation(doc: Document) -> None:
    cits = [doc.citation] + [r.citation for n in doc.notes for r in n.references]
    for cit in (c for c in cits if c is not None):
        for part, form in PART_FORMS.items():
            value = getattr(cit, part)
            if cit is doc.citation or part == "fond":  # what the shapes check on each kind of source
                assert value is None or re.match(form, value), f"citation {cit.verbatim!r}: {part} {value!r}"


def check_document(doc: Document, n_lines: int) -> None:
    """The contract keys, JSON without NaN, and the forms the published graph needs."""
    record = document_to_json(doc)
    assert all(key in record for key in CONTRACT_KEYS)
    json.dumps(record, ensure_ascii=False, allow_nan=False)
    assert doc.number is None or NUMBER_FORM.match(doc.number), f"edition number {doc.number!r}"
    assert doc.source is not None and 1 <= doc.source.first_line <= doc.source.last_line <= n_lines
    assert all(0 <= m.offset <= len(doc.body) for m in doc.markers)
    numbers = [n.number for n in doc.notes]
    assert numbers == sorted(set(numbers)) and all(n >= 1 for n in numbers), f"note numbers {numbers}"
    _check_dates(doc)
    _check_citation(doc)


def check_diagnostic(diag: Diagnostic, name: str, n_lines: int) -> None:
    assert isinstance(diag, Diagnostic) and diag.file == name and diag.code and diag.message
    assert 0 <= diag.line <= n_lines and diag.severity in ("error", "warning")
    str(diag)


def check_result(result: ParseResult, page: Page) -> None:
    """What every parse must satisfy, whatever the page (an AssertionError names what broke)."""
    assert isinstance(result, ParseResult)
    n_lines = page.text.count("\n") + 1
    keys = [d.key for d in result.documents]
    assert len(keys) == len(set(keys)), f"document keys not unique: {keys}"
    for doc in result.documents:
        check_document(doc, n_lines)
    for diag in result.diagnostics:
        check_diagnostic(diag, page.path, n_lines)


def run_case(name: str, text: str, html: bool) -> ParseResult:
    """Read, parse and check one page; returns the result for the optional mapping stage."""
    page = read_case(name, text, html)
    result = parse_pages([page])
    check_result(result, page)
    return result


@cache
def _mapping_context() -> tuple[object, object, object]:
    from kg.config import Settings
    from kg.validate.shacl import load_hierarchy, load_shapes

    settings = Settings()
    return settings, load_shapes(settings.shapes_dir), load_hierarchy(settings.ontology_dir)


def map_case(result: ParseResult, validate: bool) -> list[str]:
    """Resolve and map the documents (and validate them): the sh:Violation messages, if any."""
    from kg.rdf.mapping import authority_graph_iri, map_corpus
    from kg.resolve.corpus import resolve
    from kg.validate.shacl import validate_dataset

    settings, shapes, hierarchy = _mapping_context()
    corpus = resolve(result, settings)  # type: ignore[arg-type]
    dataset = map_corpus(corpus, settings.base_iri, problems=[])  # type: ignore[attr-defined]
    if not validate:
        return []
    findings = validate_dataset(dataset, shapes, hierarchy, authority_graph_iri(settings.base_iri))  # type: ignore
    return [str(f) for f in findings if f.is_violation]


# ------------------------------------------------------------------------------------------ the run


@dataclass
class Finding:
    """One distinct problem (by kind and place) and the smallest input that showed it."""

    kind: str  # crash | failure | violation
    what: str
    case: tuple[str, str, bool]
    count: int = 1


@dataclass
class Tally:
    cases: int = 0
    mapped: int = 0
    validated: int = 0
    findings: dict[str, Finding] = field(default_factory=dict)

    def record(self, kind: str, what: str, where: str, case: tuple[str, str, bool]) -> None:
        key = f"{kind}:{where}"
        old = self.findings.get(key)
        if old is None:
            self.findings[key] = Finding(kind, what, case)
            return
        old.count += 1
        if len(case[1]) < len(old.case[1]):
            old.case, old.what = case, what

    def count(self, kind: str) -> int:
        return sum(f.count for f in self.findings.values() if f.kind == kind)


def _where(err: BaseException) -> str:
    """The innermost frame of our code: what makes two crashes the same crash."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if "/kg/" in f.filename or "fuzz" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(err.__traceback__)[-1]
    return f"{type(err).__name__} at {Path(frame.filename).name}:{frame.lineno}"


def fuzz(cases: int, run_seed: int, map_every: int, validate_every: int) -> Tally:
    """Run ``cases`` generated pages (no shrinking: every case counts, the smallest failing input is kept)."""
    tally = Tally()

    @seed(run_seed)
    @settings(max_examples=cases, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(PAGES)
    def one(case: tuple[str, str, bool]) -> None:
        tally.cases += 1
        try:
            result = run_case(*case)
        except AssertionError as err:
            tally.record("failure", str(err), str(err).split(":")[0][:60], case)
            return
        except Exception as err:  # noqa: BLE001 - counting crashes is the point
            tally.record("crash", f"{_where(err)}: {err!r}", _where(err), case)
            return
        if map_every and tally.cases % map_every == 0:
            validate = bool(validate_every) and tally.cases % validate_every == 0
            try:
                violations = map_case(result, validate)
            except Exception as err:  # noqa: BLE001
                tally.record("crash", f"mapping: {_where(err)}: {err!r}", "mapping " + _where(err), case)
                return
            tally.mapped += 1
            tally.validated += validate
            for message in violations:
                tally.record("violation", message, message[:80], case)

    one()
    return tally


def report(tally: Tally, seconds: float) -> list[str]:
    lines = [f"cases tried: {tally.cases}", f"crashes: {tally.count('crash')}",
             f"invariant failures: {tally.count('failure')}",
             f"mapped: {tally.mapped}, validated: {tally.validated}, shape violations: {tally.count('violation')}",
             f"seconds: {seconds:.1f}"]
    for finding in tally.findings.values():
        name, text, html = finding.case
        lines += ["", f"{finding.kind} x{finding.count}: {finding.what}",
                  f"  smallest input ({name}, html={html}): {text[:2000]!r}"]
    return lines


def _atheris_one(data: bytes) -> None:
    """One libFuzzer input: raw bytes through the UTF-8 reader, then as HTML (first byte '<') or text."""
    from kg.sources.read import decode

    text = decode("atheris.txt", data)
    if isinstance(text, str):
        html = text.lstrip().startswith("<")
        run_case("atheris.html" if html else "atheris.txt", text, html)


def atheris_main(argv: list[str]) -> int:
    """Coverage-guided fuzzing with atheris (optional: ``pip install atheris``), seeded with the base pages.

    ``python bench/fuzz_parser.py --atheris -runs=100000``: libFuzzer flags pass through; an exception or a
    broken invariant stops the run with the input written to ./crash-*.
    """
    import tempfile

    try:
        import atheris
    except ImportError:
        print("atheris is not installed (pip install atheris); the Hypothesis job needs nothing else")
        return 2
    corpus = Path(tempfile.mkdtemp(prefix="fuzz-corpus-"))
    for i, base in enumerate(base_pages()):
        (corpus / f"{i:03d}-{base.name}").write_text(base.text, encoding="utf-8")
    atheris.instrument_all()
    atheris.Setup([sys.argv[0], *argv, str(corpus)], _atheris_one)
    atheris.Fuzz()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--atheris" in argv:
        return atheris_main([a for a in argv if a != "--atheris"])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="pages to try (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (same seed, same cases)")
    parser.add_argument("--map-every", type=int, default=20, help="resolve and map every Nth case (0: never)")
    parser.add_argument("--validate-every", type=int, default=100, help="also validate every Nth case (0: never)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tally = fuzz(args.cases, args.seed, args.map_every, args.validate_every)
    print("\n".join(report(tally, time.perf_counter() - started)))
    return 1 if tally.findings else 0


if __name__ == "__main__":
    sys.exit(main())
