"""What an entity page shows a reader: a person, an organization, a place or an event, in words.

    view = entity(kind, desc)      # kind: "person", "org", "place", "event"

Why apart from ``kg.web.views``: the letter page reads one letter's graph; an entity page gathers what
the whole collection says about one entity (the letters it sent, received, is mentioned in; the names
the letters call it by; where it is on a map; which notes speak of an event). The raw statements stay
available, folded, at the bottom of the page; here only what a historian reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.store.describe import iri_ref
from kg.web import queries
from kg.web.describe import Description
from kg.web.letters_list import concept_label, date_in_words
from kg.web.pictures import person_pictures

S = "http://schema.org/"
BC = "https://w3id.org/bolcorr/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
OWL_SAMEAS = "http://www.w3.org/2002/07/owl#sameAs"
METHODS = {"curated": "identified by the editors from public sources",
           "reconciled": "matched by name and reviewed by the editors"}


@dataclass
class LetterRef:
    """A letter as listed on an entity page."""

    iri: str
    number: str
    title: str
    date: str
    role: str = ""

    @property
    def when(self) -> str:
        """The date in words, as the letters list says it ("3 Aug 1923", "Aug 1923")."""
        return date_in_words({"edtf": self.date}) if self.date else ""


@dataclass
class NameGroup:
    """One way the letters name the entity, with the letters that use it: "Koba — Nos. 167, 168"."""

    form: str
    kind: str
    letters: list[tuple[str, str]] = field(default_factory=list)  # (number, letter IRI)


def _letters(rows: list[dict[str, str | None]], role: str = "") -> list[LetterRef]:
    seen: dict[str, LetterRef] = {}
    for r in rows:
        iri = str(r["letter"])
        if iri not in seen:
            seen[iri] = LetterRef(iri, str(r.get("number") or ""), str(r.get("name") or ""), str(r.get("date") or ""),
                                  str(r.get("role") or role))
    return sorted(seen.values(), key=lambda letter: (letter.date or "9999", letter.number, letter.iri))


def mentioning(iri: str) -> list[LetterRef]:
    """Letters that mention the entity (in their text or their notes' prose)."""
    return _letters(queries.select(f"""SELECT DISTINCT ?letter ?number ?name ?date WHERE {{
  ?letter a schema:Message ; schema:mentions {iri_ref(iri)} .
  OPTIONAL {{ ?letter schema:identifier ?number }} OPTIONAL {{ ?letter schema:name ?name }}
  OPTIONAL {{ ?letter schema:dateCreated ?date }} }} ORDER BY ?date LIMIT 2000"""), "mentions")


def written_at(iri: str) -> list[LetterRef]:
    return _letters(queries.select(f"""SELECT DISTINCT ?letter ?number ?name ?date WHERE {{
  ?letter a schema:Message ; schema:locationCreated {iri_ref(iri)} .
  OPTIONAL {{ ?letter schema:identifier ?number }} OPTIONAL {{ ?letter schema:name ?name }}
  OPTIONAL {{ ?letter schema:dateCreated ?date }} }} ORDER BY ?date LIMIT 2000"""), "written at")


def event_notes(iri: str) -> list[dict[str, str | None]]:
    """The editorial notes that are about the event, with their letter."""
    return queries.select(f"""SELECT DISTINCT ?note ?letter ?number ?position WHERE {{
  ?note bc:about {iri_ref(iri)} . ?letter bc:hasNote ?note .
  OPTIONAL {{ ?letter schema:identifier ?number }} OPTIONAL {{ ?note schema:position ?position }}
}} ORDER BY ?number ?position LIMIT 500""")


def name_groups(iri: str) -> list[NameGroup]:
    """The names as written, one row per form (and kind), with the numbers of the letters using it."""
    groups: dict[tuple[str, str], NameGroup] = {}
    for u in queries.name_usages(iri):
        kind = concept_label(str(u["kind"])) if u.get("kind") else ""
        group = groups.setdefault((str(u["form"]), kind), NameGroup(str(u["form"]), kind))
        letter = str(u.get("letter") or "")
        number = str(u.get("number") or "")
        if letter and (number, letter) not in group.letters:
            group.letters.append((number, letter))
    for group in groups.values():
        group.letters.sort(key=lambda nl: (len(nl[0]), nl[0]))
    return sorted(groups.values(), key=lambda g: (-len(g.letters), g.form.casefold(), g.kind))


def wikidata(desc: Description) -> list[dict[str, str]]:
    """The Wikidata items the entity is identified with, and how (never our internal research notes)."""
    items = sorted({t[1] for p in (OWL_SAMEAS, S + "sameAs") for t in desc.values(p) if "wikidata.org" in t[1]})
    how = ""
    for t in desc.values(BC + "hasWikidataAlignment"):
        method = (desc.first(BC + "alignmentMethod", t[1]) or "").rsplit("/", 1)[-1]
        confidence = desc.first(BC + "confidence", t[1])
        parts = (METHODS.get(method, method), f"confidence: {confidence}" if confidence else "")
        how = "; ".join(part for part in parts if part)
    return [{"iri": i, "id": i.rsplit("/", 1)[-1], "how": how} for i in items]


def _geo(desc: Description) -> dict[str, str] | None:
    node = desc.first(S + "geo")
    if node is None:
        return None
    lat, lon = desc.first(S + "latitude", node), desc.first(S + "longitude", node)
    if lat is None or lon is None:
        return None
    return {"lat": lat, "lon": lon, "geonames": desc.first(BC + "geonamesId") or "",
            "source": desc.first(DCT + "source") or ""}


def _english(desc: Description, prop: str) -> str:
    found = [t for t in desc.values(prop) if t[0] == "literal" and t[3] in (None, "", "en")]
    return found[0][1] if found else ""


def _aliases(desc: Description) -> list[str]:
    props = (SKOS + "altLabel", S + "alternateName")
    return sorted({t[1] for p in props for t in desc.values(p)} - {desc.label(desc.iri)}, key=str.casefold)


def entity(kind: str, desc: Description) -> dict:
    """The reader's view of a person ("person"), organization ("org"), place or event."""
    name = desc.label(desc.iri)
    view: dict = {"kind": kind, "name": name, "full_name": desc.first(BC + "fullName") or "",
                  "cyrillic": ", ".join(t[1] for p in (S + "alternateName", SKOS + "altLabel", S + "name")
                                        for t in desc.values(p) if t[0] == "literal" and t[3] == "ru"),
                  "description": _english(desc, S + "description"), "born": desc.first(S + "birthDate") or "",
                  "died": desc.first(S + "deathDate") or "", "founded": desc.first(S + "foundingDate") or "",
                  "dissolved": desc.first(S + "dissolutionDate") or "", "aliases": _aliases(desc),
                  "wikidata": wikidata(desc), "mentioning": mentioning(desc.iri), "names": name_groups(desc.iri)}
    if kind in ("person", "org"):
        rows = queries.person_letters(desc.iri)
        letters = _letters(rows)
        others = queries.correspondents(desc.iri)
        view.update(letters=letters, sent=sum(1 for r in letters if r.role == "sent"),
                    received=sum(1 for r in letters if r.role == "received"), correspondents=others,
                    **person_pictures(desc.iri))
    elif kind == "place":
        view.update(geo=_geo(desc), written=written_at(desc.iri))
    elif kind == "event":
        notes = event_notes(desc.iri)
        view.update(start=desc.first(S + "startDate") or "", end=desc.first(S + "endDate") or "",
                    decided_by=[{"iri": t[1], "label": desc.label(t[1])} for t in desc.values(BC + "decidedBy")],
                    types=[desc.label(t) for t in desc.types() if t.startswith(BC) and t != BC + "Event"],
                    references=[desc.first(BC + "verbatim", t[1]) or t[1] for t in desc.values(BC + "hasReference")],
                    notes=notes, stated=stated_in(desc, notes), factuality=factuality(desc, notes))
    return view


def factuality(desc: Description, notes: list[dict[str, str | None]]) -> str:
    """How the text stating the event puts it, in words, and whose text that is: "Supposed by the writer
    (N. N. Krestinsky, letter No. 175, line 535)"; for an event only notes state, "Stated as a fact (the editors'
    note 1 to No. 175)". The words are the concept's label in ontology/vocab.ttl (bcv:Factuality), the writers the
    letter's senders in the header's order (``notes``: ``event_notes``); "" when the data gives no factuality."""
    value = desc.first(BC + "factuality")
    if value is None:
        return ""
    stated = [t[1] for t in desc.values(BC + "statedIn") if t[0] == "uri"]
    rows = queries.select(f"""SELECT ?s ?number ?who WHERE {{
  VALUES ?s {{ {" ".join(iri_ref(s) for s in stated)} }} ?s a schema:Message ; schema:identifier ?number .
  OPTIONAL {{ ?s bc:qualifiedSender ?role . ?role bc:party/schema:name ?who ; bc:position ?position }}
}} ORDER BY ?number ?position""") if stated else []
    writers: dict[str, list[str]] = {}
    for r in rows:
        writers.setdefault(str(r["number"]), []).extend([str(r["who"])] if r["who"] else [])
    where = [f"{_writers(names)}letter No. {number}" for number, names in writers.items()]
    pointers = sorted({t[1].partition("#")[2] for t in desc.values(BC + "sourceLines")},
                      key=lambda span: int(span[1:].split("-")[0]) if span[1:].split("-")[0].isdigit() else 0)
    where += [line for line in (page_lines("#" + span) for span in pointers) if line]
    if not writers:  # stated in the edition's notes only: the editors' words
        where = [f"the editors' note {n['position'] or ''} to No. {n['number']}" for n in notes if n["note"] in stated]
    words = concept_label(value)
    joint = "; " if len(writers) > 1 or not writers else ", "  # several letters (or notes): each apart
    return f"{words[:1].upper()}{words[1:]}" + (f" ({joint.join(where)})" if where else "")


def _writers(names: list[str]) -> str:
    """"N. N. Krestinsky, ", or "G. L. Pyatakov, K. B. Radek and 7 others, " (the letter's header names them all)."""
    if not names:
        return ""
    return (", ".join(names) if len(names) <= 3 else f"{', '.join(names[:2])} and {len(names) - 2} others") + ", "


def stated_in(desc: Description, notes: list[dict[str, str | None]]) -> list[dict[str, str]]:
    """Where the edition states the event (a letter or a note, ``bc:statedIn``), and the lines of the
    page it is read from (``bc:sourceLines``, ``page.txt#L289-L293``) in words a reader can check. A note has
    no name of its own: it is called as the edition numbers it, "note 1 to No. 175" (``notes``: ``event_notes``)."""
    called = {str(n["note"]): f"note {n['position'] or ''} to No. {n['number']}" for n in notes if n["number"]}
    where = [{"iri": t[1], "label": called.get(t[1]) or desc.label(t[1])}
             for t in desc.values(BC + "statedIn") if t[0] == "uri"]
    lines = sorted({page_lines(t[1]) for t in desc.values(BC + "sourceLines")} - {""})
    return [*where, *({"iri": "", "label": line} for line in lines)]


def page_lines(pointer: str) -> str:
    """``page.txt#L289-L293`` as "page.txt, lines 289–293" (one line: "line 289"); "" when not a pointer."""
    page, _, span = pointer.partition("#")
    first, _, last = span.partition("-")
    if not (first[1:].isdigit() and first.startswith("L")):
        return ""
    end = last[1:] if last.startswith("L") and last[1:].isdigit() else first[1:]
    lines = f"line {first[1:]}" if end == first[1:] else f"lines {first[1:]}–{end}"
    return f"{page}, {lines}" if page else lines
