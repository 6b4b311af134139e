"""Score parsed documents against the generator's facts, field by field.

Shared by tests/test_generate.py (the >= 99 % gate) and bench/parser_accuracy.py (the per-field table for
the parser's author), so both measure the same thing. Fields are compared on what the facts fix
unambiguously; conventions the facts leave open (how "[late March 1921]" is bounded) accept either the
EDTF value or the earliest/latest bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.model import Document, Party

Facts = dict[str, Any]
CITATION_PARTS = ("archive", "fond", "opis", "delo", "folios")


def _names(parties: list[Party]) -> list[tuple[str, str]]:
    """Names as compared: an organization's leading 'the' and its case do not count."""
    return [(_fold(p.name, p.kind), p.kind) for p in parties]


def _parties_ok(parsed: list[Party], expected: list[dict[str, Any]]) -> bool:
    """Same parties in the same order; the parser may normalize a name ('Eastpart' -> 'Istpart') as long as
    it keeps the printed form in ``verbatim``."""
    if len(parsed) != len(expected):
        return False
    for p, e in zip(parsed, expected, strict=True):
        want = _fold(e["name"], e["kind"])
        if p.kind != e["kind"] or want not in (_fold(p.name, p.kind), _fold(p.verbatim, p.kind)):
            return False
    return True


def _fold(name: str, kind: str) -> str:
    name = name.strip()
    return name.lower().removeprefix("the ") if kind == "organization" else name


def _surname(name: str) -> str:
    return (name.split() or [""])[-1].lower()


def _writers(doc: Document) -> list[str]:
    return [_surname(p.writer.name) if p.writer else "?" for p in doc.parts]


def _sources(f: Facts) -> list[str]:
    """Where each party must have been read from (Party.read_from), by the document's layout."""
    layouts, n_s, n_r = f.get("layouts", []), len(f["senders"]), len(f["recipients"])
    if "headerless-telegram" in layouts:
        return ["signature"] * n_s + ["address-line"] * n_r
    return ["dative-reading" if "dative-header" in layouts else "header"] * (n_s + n_r)


def _copies_ok(doc: Document, f: Facts) -> bool | None:
    """The recipients the page sends a copy (Party.copy), in the header's order."""
    t = f.get("transmission")
    if t is None:
        return None
    copies = [p for p in doc.recipients if p.copy is not None]
    return len(copies) == len(t["copies"]) and all(
        _fold(name, p.kind) in (_fold(p.name, p.kind), _fold(p.verbatim, p.kind))
        for p, name in zip(copies, t["copies"], strict=True))


def _status_ok(doc: Document, f: Facts) -> bool | None:
    """sent / not-sent / draft where the page says so (doc.transmission), None where it is silent."""
    t = f.get("transmission")
    if t is None:
        return None
    return (doc.transmission.status if doc.transmission else None) == t["status"]


def _date_ok(doc: Document, f: Facts) -> bool:
    d, detail = doc.date, f["date_detail"]
    if d is None:
        return False
    if d.edtf and d.edtf.rstrip("~?%") == f["date"]:
        return True
    return (d.earliest, d.latest) == (detail["earliest"], detail["latest"])


def _form_ok(doc: Document, f: Facts) -> bool:
    c = doc.citation
    if c is None:
        return False
    printed = f["citation"]["form_verbatim"].rstrip(".").lower()
    return (c.form or "") == f["form"] or (c.form_verbatim or "").rstrip(".").lower() == printed


# field name -> check; every check sees the parsed document and the facts of the same number
CHECKS: dict[str, Callable[[Document, Facts], bool | None]] = {  # None: the facts do not say (no extras)
    "number": lambda d, f: d.number == f["number"],
    "sender_count": lambda d, f: len(d.senders) == len(f["senders"]),
    "recipient_count": lambda d, f: len(d.recipients) == len(f["recipients"]),
    "senders": lambda d, f: _parties_ok(d.senders, f["senders"]),
    "recipients": lambda d, f: _parties_ok(d.recipients, f["recipients"]),
    "date": _date_ok,
    "calendar": lambda d, f: d.date is not None and d.date.calendar == f["calendar"],
    "year_supplied": lambda d, f: d.date is not None and bool(d.date.supplied) == f["year_supplied"],
    "citation": lambda d, f: d.citation is not None
    and all(getattr(d.citation, k) == f[k] for k in CITATION_PARTS),
    "form": _form_ok,
    "note_count": lambda d, f: len(d.notes) == f["note_count"],
    "note_numbers": lambda d, f: [n.number for n in d.notes] == [n["number"] for n in f["notes"]],
    "markers": lambda d, f: [m.number for m in d.markers] == f["markers"],
    "cross_references": lambda d, f: sorted((x.document, x.note or 0) for n in d.notes for x in n.cross_references)
    == sorted((x["document"], x["note"] or 0) for x in f["cross_references"]),
    "place": lambda d, f: d.place == f["place"],
    "pages": lambda d, f: sorted({Path(p).name for p in d.pages}) == sorted(f["pages"]),
    "parts": lambda d, f: _writers(d) == [_surname(p["writer"]) for p in f.get("parts", [])],
    "party_sources": lambda d, f: [p.read_from for p in d.senders + d.recipients] == _sources(f),
    "layout_flags": lambda d, f: sorted(set(d.flags) & set(LAYOUT_FLAGS.values()))
    == sorted(LAYOUT_FLAGS[x] for x in f.get("layouts", []) if x in LAYOUT_FLAGS),
    "edition_page": lambda d, f: (d.edition_reference.pages if d.edition_reference else None)
    == (f.get("rendering") or {}).get("edition_page"),
    "copies": _copies_ok,
    "status": _status_ok,
}
REPLY_FIELD = "reply_to"  # scored on the replies the caller found (kg.resolve.replies), when it passes them
FIELDS = (*CHECKS, REPLY_FIELD)
LAYOUT_FLAGS = {"headerless-telegram": "header-missing", "dative-header": "dative-header"}
GATE_FIELDS = ("number", "sender_count", "recipient_count", "date", "citation", "note_count")  # the test's gate


@dataclass
class Accuracy:
    """Per-field agreement counts and a few examples of each disagreement."""

    total: int = 0
    agree: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))  # documents the facts say it of
    examples: dict[str, list[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # numbers the parser did not return
    unexpected: list[str] = field(default_factory=list)  # documents the parser returned that were not written
    all_of: dict[tuple[str, ...], int] = field(default_factory=dict)
    layouts: dict[str, dict[str, int]] = field(default_factory=dict)  # layout -> field -> agreeing documents
    layout_total: dict[str, int] = field(default_factory=dict)  # layout -> documents (missing ones included)
    variants: dict[str, dict[str, int]] = field(default_factory=dict)  # transmission variant -> field -> agreeing
    variant_total: dict[str, int] = field(default_factory=dict)

    def rate(self, name: str) -> float:
        """Share of the documents the field is scored on that agree (missing documents count as wrong)."""
        return self.agree[name] / self.scored[name] if self.scored[name] else 1.0

    def documents_agreeing(self, fields: tuple[str, ...] = GATE_FIELDS) -> float:
        """Share of documents on which every field of `fields` agrees."""
        return self.all_of.get(fields, 0) / self.total if self.total else 1.0


def _describe(name: str, doc: Document, f: Facts, replies: Mapping[str, str] | None = None) -> str:
    got: Any = {
        "senders": _names(doc.senders), "recipients": _names(doc.recipients),
        "sender_count": _names(doc.senders), "recipient_count": _names(doc.recipients),
        "date": doc.date and (doc.date.edtf, doc.date.earliest, doc.date.latest),
        "citation": doc.citation and doc.citation.verbatim, "form": doc.citation and doc.citation.form,
        "note_count": [n.number for n in doc.notes], "note_numbers": [n.number for n in doc.notes],
        "markers": [(m.number, m.anchor) for m in doc.markers],
        "place": doc.place, "calendar": doc.date and doc.date.calendar, "pages": doc.pages,
        "copies": [(p.name, p.copy.quotation) for p in doc.recipients if p.copy],
        "status": doc.transmission and (doc.transmission.status, doc.transmission.attestation.quotation),
        REPLY_FIELD: (replies or {}).get(f["number"]),
    }.get(name, "?")
    want: Any = {
        "senders": f["header"], "recipients": f["header"], "sender_count": f["header"],
        "recipient_count": f["header"], "date": f["date_expressed"], "citation": f["citation"]["verbatim"],
        "form": f["form"], "note_count": [n["number"] for n in f["notes"]],
        "note_numbers": [(n["number"], n["printed"], n["style"]) for n in f["notes"]], "place": f["place"],
        "pages": f["pages"], "copies": (f.get("transmission") or {}).get("copies"),
        "status": (f.get("transmission") or {}).get("status"),
        REPLY_FIELD: (f.get("transmission") or {}).get(REPLY_FIELD),
    }.get(name, f.get(name))
    return f"No. {f['number']} ({f['page']}): expected {want!r}, parsed {got!r}"


def _checked(doc: Document, f: Facts, replies: Mapping[str, str] | None) -> dict[str, bool | None]:
    """Every field's verdict on one document (None: the facts do not say, so the field is not scored)."""
    ok = {name: check(doc, f) for name, check in CHECKS.items()}
    t = f.get("transmission")
    ok[REPLY_FIELD] = None if replies is None or t is None else replies.get(f["number"]) == t["reply_to"]
    return ok


def _says(f: Facts, replies: Mapping[str, str] | None) -> set[str]:
    """The fields the facts of a document say something of (all but transmission's without extras)."""
    if "transmission" not in f:
        return set(FIELDS) - {"copies", "status", REPLY_FIELD}
    return set(FIELDS) - ({REPLY_FIELD} if replies is None else set())


def _count(table: dict[str, dict[str, int]], totals: dict[str, int], groups: list[str],
           ok: dict[str, bool | None] | None) -> None:
    for g in groups:
        totals[g] = totals.get(g, 0) + 1
        counts = table.setdefault(g, {})
        for name, good in (ok or {}).items():
            counts[name] = counts.get(name, 0) + bool(good)


def score(documents: Iterable[Document], facts: Iterable[Facts], keep_examples: int = 5,
          gate: tuple[str, ...] = GATE_FIELDS, replies: Mapping[str, str] | None = None) -> Accuracy:
    """Compare parsed documents with the facts, matched by edition number.

    replies: document number -> the number of the document it answers, as kg.resolve.replies finds them
    over these documents (the parser reads the words, the resolver makes the link); None: not scored."""
    documents = list(documents)
    by_number = {d.number: d for d in documents if d.number}
    acc = Accuracy()
    seen = set()
    for f in facts:
        seen.add(f["number"])
        acc.total += 1
        for name in _says(f, replies):
            acc.scored[name] += 1
        doc = by_number.get(f["number"])
        groups, variants = f.get("layouts") or ["ordinary"], (f.get("transmission") or {}).get("variants", [])
        ok = _checked(doc, f, replies) if doc is not None else None
        if ok is not None:
            ok["gate"] = all(ok[name] for name in gate)
        _count(acc.layouts, acc.layout_total, groups, ok)
        _count(acc.variants, acc.variant_total, variants, ok)
        if ok is None:
            acc.missing.append(f["number"])
            continue
        del ok["gate"]
        for name, good in ok.items():
            if good is None:
                continue
            acc.agree[name] += good
            if not good and len(acc.examples.setdefault(name, [])) < keep_examples:
                acc.examples[name].append(_describe(name, doc, f, replies))  # type: ignore[arg-type]
        if all(ok[name] for name in gate):
            acc.all_of[gate] = acc.all_of.get(gate, 0) + 1
    acc.unexpected = [d.number or d.key for d in documents if d.number not in seen]
    return acc


LAYOUT_COLUMNS = ("gate", "senders", "recipients", "party_sources", "layout_flags", "date", "citation",
                  "note_count", "markers", "parts", "pages", "edition_page")


def layout_lines(acc: Accuracy) -> list[str]:
    """Per-layout rows: documents of each layout and the share agreeing on each field ('gate': all of
    GATE_FIELDS). A document of several layouts (an exchange also on a rendering page) counts in each."""
    head = ["| layout | documents | " + " | ".join(LAYOUT_COLUMNS) + " |", "|---" * (len(LAYOUT_COLUMNS) + 2) + "|"]
    rows = []
    for layout in sorted(acc.layout_total, key=lambda x: (x != "ordinary", x)):
        total, counts = acc.layout_total[layout], acc.layouts.get(layout, {})
        cells = [f"{100 * counts.get(c, 0) / total:.1f}" for c in LAYOUT_COLUMNS]
        rows.append(f"| {layout} | {total} | " + " | ".join(cells) + " |")
    return ["Per layout (% of the layout's documents agreeing):", "", *head, *rows]


VARIANT_COLUMNS = ("gate", "recipients", "copies", "status", REPLY_FIELD, "note_count", "markers", "place")


def variant_lines(acc: Accuracy) -> list[str]:
    """Per transmission variant (generate_transmission): documents showing it and the share agreeing."""
    if not acc.variant_total:
        return []
    head = ["| variant | documents | " + " | ".join(VARIANT_COLUMNS) + " |", "|---" * (len(VARIANT_COLUMNS) + 2) + "|"]
    rows = []
    for variant in sorted(acc.variant_total):
        total, counts = acc.variant_total[variant], acc.variants.get(variant, {})
        cells = [f"{100 * counts.get(c, 0) / total:.1f}" for c in VARIANT_COLUMNS]
        rows.append(f"| {variant} | {total} | " + " | ".join(cells) + " |")
    return ["", "Per transmission variant (% of the variant's documents agreeing):", "", *head, *rows]


def report_lines(acc: Accuracy) -> list[str]:
    """A Markdown table of per-field accuracy, then the first disagreements of each field."""
    lines = [f"documents: {acc.total}, not returned by the parser: {len(acc.missing)}, "
             f"returned but never written: {len(acc.unexpected)} {acc.unexpected[:10]}", "",
             "| field | agree | accuracy |", "|---|---|---|"]
    lines += [f"| {name} | {acc.agree[name]}/{acc.scored[name]} | {100 * acc.rate(name):.2f} % |"
              for name in FIELDS if acc.scored[name]]
    lines += ["", f"all of {', '.join(GATE_FIELDS)}: {100 * acc.documents_agreeing():.2f} % of documents"]
    lines += ["", *layout_lines(acc), *variant_lines(acc)]
    if acc.missing:
        lines.append(f"missing numbers (first 10): {', '.join(acc.missing[:10])}")
    for name, examples in acc.examples.items():
        lines += ["", f"{name}:"] + [f"  - {e}" for e in examples]
    return lines


def _surnames(parties: list[Party]) -> list[str]:
    return [_surname(p.name) for p in parties]


# The other rendering's pages read alone (no numbered copy to lean on): what each page itself says.
RENDERING_CHECKS: dict[str, Callable[[Document, Facts], bool | None]] = {  # None: the facts do not say (no extras)
    "unnumbered": lambda d, f: d.number is None and d.layout == "other-rendering",
    "senders": lambda d, f: _surnames(d.senders) == [_surname(n) for n in f["rendering"]["senders"]],
    "recipients": lambda d, f: _surnames(d.recipients) == [_surname(n) for n in f["rendering"]["recipients"]],
    "date": _date_ok,
    "citation": CHECKS["citation"],
    "note_count": lambda d, f: len(d.notes) == f["rendering"]["note_count"],
    "parts": CHECKS["parts"],
    "edition_page": CHECKS["edition_page"],
    "titles": lambda d, f: len(d.titles) == 2 and d.titles[0] == f["rendering"]["title"],
}


@dataclass
class RenderingAccuracy:
    """Per-field agreement of the other rendering's pages, each parsed on its own."""

    total: int = 0
    agree: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RENDERING_CHECKS, 0))
    missing: list[str] = field(default_factory=list)  # rendering pages that gave no document
    examples: list[str] = field(default_factory=list)


def score_renderings(documents: Iterable[Document], facts: Iterable[Facts], keep_examples: int = 5
                     ) -> RenderingAccuracy:
    """Compare the documents read from rendering pages alone with what those pages say (facts' "rendering")."""
    by_page = {Path(d.pages[0]).name: d for d in documents if d.pages}
    acc = RenderingAccuracy()
    for f in facts:
        if not f.get("rendering"):
            continue
        acc.total += 1
        doc = by_page.get(f["rendering"]["page"])
        if doc is None:
            acc.missing.append(f["rendering"]["page"])
            continue
        for name, check in RENDERING_CHECKS.items():
            good = check(doc, f)
            acc.agree[name] += good
            if not good and len(acc.examples) < keep_examples:
                acc.examples.append(f"{f['rendering']['page']}: {name}: senders {_surnames(doc.senders)}, "
                                    f"recipients {_surnames(doc.recipients)}, parts {_writers(doc)}; "
                                    f"expected {f['rendering']}")
    return acc


def rendering_lines(acc: RenderingAccuracy) -> list[str]:
    """A Markdown table of the rendering pages read alone, then the first disagreements."""
    lines = [f"pages of the other rendering read alone: {acc.total}, gave no document: {len(acc.missing)}", "",
             "| field | agree | accuracy |", "|---|---|---|"]
    for name, good in acc.agree.items():
        rate = 100 * good / acc.total if acc.total else 100.0
        lines.append(f"| {name} | {good}/{acc.total} | {rate:.2f} % |")
    return lines + [f"  - {e}" for e in acc.examples]
