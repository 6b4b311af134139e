"""What the letter page adds for a reader on top of the letter's statements (``kg.web.views.letter``).

    heading(desc)               # kind and archival form: "Letter · autograph (handwritten original)"
    date_line(desc, statement)  # the date in words, "printed as …", the calendar only when Old Style
    linked_text(segments, desc) # the names in the text linked to their entity, from the stored usages
    mentioned_by_kind(iri)      # "Mentioned": people, organizations, places, events apart
    citation(view, desc, build) # one citation record, written as text, BibTeX, RIS and CSL-JSON

Why here and not in the templates: every piece reads the data the build published (the usages with
their forms, the date statement, the archival instantiation); the templates only lay them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from kg.config import VOCAB_NS
from kg.store.describe import iri_ref
from kg.web.describe import Description
from kg.web.letters_list import concept_label, date_in_words
from kg.web.queries import select

S = "http://schema.org/"
BC = "https://w3id.org/bolcorr/ns#"
KINDS = (("people", S + "Person"), ("organizations", S + "Organization"), ("places", S + "Place"),
         ("events", S + "Event"))
EDITION = "Bolshevik leadership. Correspondence. 1912–1927"
EDITORS = ("A. V. Kvashonkin", "L. P. Kosheleva", "L. A. Rogovaya", "O. V. Khlevnyuk")


def heading(desc: Description) -> dict[str, str]:
    """The document's kind (letter, telegram…) and the archival form of its original (autograph, copy…)."""
    kind = desc.first(BC + "documentKind")
    forms = []
    for t in desc.values(BC + "hasInstantiation"):
        form = desc.first(BC + "form", t[1])
        state, technique = desc.first(BC + "recordState", t[1]), desc.first(BC + "technique", t[1])
        detail = ", ".join(concept_label(x) for x in (technique, state) if x)
        if form or detail:
            forms.append(f"{form or ''}{f' ({detail})' if form and detail else detail if not form else ''}")
    return {"kind": concept_label(kind) if kind else "", "form": "; ".join(forms)}


def date_line(desc: Description, statement: dict) -> dict[str, str]:
    """The date as a reader says it, what the edition printed, and the calendar only when it matters."""
    stmt = statement.get("iri")
    bounds = {p: desc.first(BC + p, stmt) or "" for p in ("earliest", "latest", "edtf")} if stmt else {}
    qualifier = desc.first(BC + "dateQualifier", stmt) if stmt else None
    words = date_in_words({**{k: v for k, v in bounds.items() if v}, "qualifier": qualifier or "",
                           "created": statement.get("value") or ""})
    calendar = (desc.first(BC + "calendar", stmt) or "") if stmt else ""
    old_style = calendar.endswith("/julian")
    gregorian = statement.get("gregorian") or ""
    return {"words": words, "printed": statement.get("expressed") or "",
            "old_style": f"Old Style (Julian); {date_in_words({'edtf': gregorian})} in the Gregorian calendar"
            if old_style and gregorian else ("Old Style (Julian)" if old_style else ""),
            "supplied": "supplied by the editors" if statement.get("supplied") == "true" else ""}


def _usage_forms(desc: Description) -> dict[str, str]:
    """Form as written in the body -> the one entity it names in this letter (forms naming several are left)."""
    targets: dict[str, set[str]] = {}
    for sub in desc.sub_resources():
        if "/name/" not in sub or desc.first(BC + "usageContext", sub) != "body":
            continue
        form, target = desc.first(BC + "nameForm", sub), desc.first(BC + "refersTo", sub)
        if form and target and len(form) > 1:
            targets.setdefault(form, set()).add(target)
    return {form: next(iter(t)) for form, t in targets.items() if len(t) == 1}


def linked_text(segments: list[tuple[str, int | None]], desc: Description) -> list[tuple[str, int | None, str]]:
    """The text's segments with each name the letter's usages resolve turned into a link: (text, note, href)."""
    forms = _usage_forms(desc)
    if not forms:
        return [(text, n, "") for text, n in segments]
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                         + r")(?![\w-])")
    out: list[tuple[str, int | None, str]] = []
    for text, n in segments:
        if n is not None:
            out.append((text, n, ""))
            continue
        pos = 0
        for m in pattern.finditer(text):
            out.append((text[pos:m.start()], None, ""))
            out.append((m.group(0), None, forms[m.group(0)]))
            pos = m.end()
        out.append((text[pos:], None, ""))
    return [seg for seg in out if seg[0] or seg[1] is not None]


@dataclass
class Mentioned:
    kind: str
    items: list[dict[str, str]] = field(default_factory=list)


def mentioned_by_kind(iri: str, desc: Description) -> list[Mentioned]:
    """The letter's mentions, grouped as people, organizations, places and events (others last); an event a text
    does not state as a fact says how it puts it ("supposed by the writer", "planned or announced": bc:factuality)."""
    rows = select(f"""SELECT ?m ?t ?f WHERE {{ {iri_ref(iri)} schema:mentions ?m . OPTIONAL {{ ?m a ?t
      FILTER(?t IN (schema:Person, schema:Organization, schema:Place, schema:Event)) }}
      OPTIONAL {{ ?m bc:factuality ?f FILTER(?f != <{VOCAB_NS}stated>) }} }}""")
    kinds: dict[str, str] = {}
    how = {str(r["m"]): concept_label(str(r["f"])) for r in rows if r["f"]}
    for r in rows:
        kinds.setdefault(str(r["m"]), "")
        if r["t"]:
            kinds[str(r["m"])] = str(r["t"])
    groups = []
    for name, type_iri in (*KINDS, ("other", "")):
        items = sorted(({"iri": m, "label": desc.label(m), "factuality": how.get(m, "")}
                        for m, t in kinds.items() if t == type_iri), key=lambda i: (i["label"].casefold(), i["iri"]))
        if items:
            groups.append(Mentioned(name, items))
    return groups


@dataclass(frozen=True)
class Citation:
    """One letter as a citable item: the same facts in every export."""

    iri: str
    number: str
    title: str
    authors: tuple[str, ...]
    recipients: tuple[str, ...]
    issued: str  # ISO date (or its first part) of the letter, "" when undated
    version: str
    accessed: str  # ISO date of today

    @property
    def key(self) -> str:
        return f"bolcorr{self.number or 'x'}"

    def text(self) -> str:
        by = ", ".join(self.authors) or "Unknown"
        return (f"{by}. “{self.title}”. In: {EDITION}, comp. {', '.join(EDITORS)}. Moscow: ROSSPEN, 1996"
                f"{f', No. {self.number}' if self.number else ''}. Linked Data edition, version {self.version}: "
                f"{self.iri} (accessed {self.accessed}).")

    def bibtex(self) -> str:
        def esc(value: str) -> str:
            return value.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")

        fields = {"title": self.title, "author": " and ".join(self.authors) or "Unknown", "booktitle": EDITION,
                  "editor": " and ".join(EDITORS), "publisher": "ROSSPEN", "address": "Moscow", "year": "1996",
                  "number": self.number, "url": self.iri, "urldate": self.accessed,
                  "note": f"Letter of {self.issued or 'unknown date'}; English machine translation; "
                          f"Linked Data edition, version {self.version}"}
        body = ",\n".join(f"  {k} = {{{esc(v)}}}" for k, v in fields.items() if v)
        return f"@incollection{{{self.key},\n{body}\n}}\n"

    def ris(self) -> str:
        lines = [("TY", "CHAP"), ("TI", self.title), *(("AU", a) for a in self.authors),
                 ("T2", EDITION), *(("A2", e) for e in EDITORS), ("PB", "ROSSPEN"), ("CY", "Moscow"),
                 ("PY", "1996"), ("DA", self.issued.replace("-", "/")), ("UR", self.iri), ("Y2", self.accessed),
                 ("N1", f"No. {self.number}; Linked Data edition, version {self.version}"), ("LA", "en"), ("ER", "")]
        return "\r\n".join(f"{tag}  - {value}" for tag, value in lines if value or tag == "ER") + "\r\n"

    def csl(self) -> dict:
        parts = [int(p) for p in self.issued.split("-") if p.isdigit()][:3]
        accessed = [int(p) for p in self.accessed.split("-")]
        item = {"id": self.key, "type": "letter", "title": self.title, "URL": self.iri,
                "author": [{"literal": a} for a in self.authors],
                "recipient": [{"literal": r} for r in self.recipients],
                "container-title": EDITION, "editor": [{"literal": e} for e in EDITORS], "publisher": "ROSSPEN",
                "publisher-place": "Moscow", "number": self.number, "accessed": {"date-parts": [accessed]},
                "note": f"Linked Data edition, version {self.version}; English machine translation of the Russian"}
        if parts:
            item["issued"] = {"date-parts": [parts]}
        return item


def citation(view: dict, desc: Description, version: str) -> Citation:
    issued = view["date"].get("value") or ""
    return Citation(desc.iri, view.get("number") or "", view["title"],
                    tuple(p["label"] for p in view["senders"]), tuple(p["label"] for p in view["recipients"]),
                    issued, version, date.today().isoformat())
