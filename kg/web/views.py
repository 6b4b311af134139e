"""What each page shows, as plain data for its template (no markup here)."""

from __future__ import annotations

import re

from kg.publish.parties import PartyRole, in_edition_order, position_of
from kg.web import letter_reading as reading
from kg.web import queries
from kg.web.context import ctx
from kg.web.describe import Description

S = "http://schema.org/"
BC = "https://w3id.org/bolcorr/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"


def links(desc: Description, prop: str, subject: str | None = None) -> list[dict[str, str]]:
    """Linked resources with their labels, sorted by label (stores return them in any order)."""
    found = [{"iri": t[1], "label": desc.label(t[1])} for t in desc.values(prop, subject) if t[0] == "uri"]
    return sorted(found, key=lambda link: (link["label"], link["iri"]))


def _marker_at(text: str, n: int, anchor: str | None, pos: int) -> tuple[int, int] | None:
    """Where note ``n``'s marker goes: right after its anchor text (``bc:anchorText``) when the body
    no longer carries the marker, else at a printed marker (``word 1 .``, ``word1``)."""
    if anchor:
        found = text.find(anchor, pos)
        if found >= 0:
            end = found + len(anchor)
            return end, end
    m = re.compile(rf"(?<=[^\W\d_])\s?{n}(?=\s?[.,;:!?)]|\s|$)").search(text, pos)
    return (m.start(), m.end()) if m else None


def footnoted(text: str, notes: list[tuple[int, str | None]]) -> list[tuple[str, int | None]]:
    """Split the body at its footnote markers so the template can link each to its note; markers are
    looked for in order, one per note, so years and counts in the text survive."""
    segments: list[tuple[str, int | None]] = []
    pos = 0
    for n, anchor in sorted(notes):
        place = _marker_at(text, n, anchor, pos)
        if place is None:
            continue
        segments.append((text[pos:place[0]], None))
        segments.append((str(n), n))
        pos = place[1]
    segments.append((text[pos:], None))
    return segments


def _notes(desc: Description) -> list[dict]:
    notes = []
    for t in desc.values(S + "comment") or desc.values(BC + "hasNote"):
        iri = t[1]
        number = desc.first(S + "position", iri) or desc.first(BC + "noteNumber", iri)
        notes.append({"iri": iri, "number": int(number) if number and number.isdigit() else None,
                      "text": desc.first(S + "text", iri) or "", "anchor": desc.first(BC + "anchorText", iri),
                      "about": links(desc, BC + "about", iri) + links(desc, BC + "citesDocument", iri)})
    return sorted(notes, key=lambda n: (n["number"] is None, n["number"] or 0))


def _chain(unit: str) -> list[dict[str, str]]:
    """Archive → fond → opis → delo, from the unit up, returned top-down."""
    rows = {r["unit"]: r for r in queries.unit_chain(unit)}
    chain, current, seen = [], unit, set()
    while current in rows and current not in seen:
        seen.add(current)
        chain.append({"iri": current, "label": rows[current].get("name") or current.rsplit("/", 1)[-1]})
        holder, holder_name = rows[current].get("holder"), rows[current].get("holderName")
        current = rows[current].get("parent")
    if chain and holder and holder not in seen:  # the archive itself, when units say bc:heldBy only
        chain.append({"iri": holder, "label": holder_name or holder.rsplit("/", 1)[-1]})
    return list(reversed(chain))


def _sources(desc: Description) -> list[dict]:
    out = []
    for t in desc.values(BC + "hasInstantiation"):
        iri = t[1]
        unit = desc.first(BC + "inUnit", iri)
        out.append({"iri": iri, "citation": desc.first(BC + "citation", iri),
                    "state": links(desc, BC + "recordState", iri), "chain": _chain(unit) if unit else []})
    return out


def _date(desc: Description) -> dict:
    stmt = desc.first(BC + "created")
    get = (lambda p: desc.first(BC + p, stmt)) if stmt else (lambda p: None)
    return {"value": desc.first(S + "dateCreated"), "expressed": get("expressedDate"), "edtf": get("edtf"),
            "supplied": get("dateSupplied"), "component": get("suppliedComponent"),
            "calendar": links(desc, BC + "calendar", stmt) if stmt else [],
            "qualifier": links(desc, BC + "dateQualifier", stmt) if stmt else [],
            "gregorian": get("gregorianEarliest"), "iri": stmt}


def ordered_parties(desc: Description, qualified: str, plain: str) -> list[dict]:
    """Senders or recipients in the edition's order (kg.publish.parties), each with ``copy`` set for a copy
    recipient; plain values no role names (all of them, in a graph without roles) follow, by label."""
    roles = []
    for t in desc.values(BC + qualified):
        agent = desc.first(BC + "party", t[1])
        if agent:
            copy = (desc.first(BC + "recipientKind", t[1]) or "").endswith("copyRecipient")
            roles.append(PartyRole(agent, position_of(desc.first(BC + "position", t[1])), copy, desc.label(agent)))
    values = [PartyRole(t[1], name=desc.label(t[1])) for t in desc.values(S + plain) if t[0] == "uri"]
    return [{"iri": p.agent, "label": p.name, "copy": p.copy} for p in in_edition_order(roles, values)]


def _transmission(desc: Description) -> dict:
    """Status (with the note or line that states it), the letter answered and the letters answering this one."""
    out: dict = {"status": None, "reply_to": None, "answered_by": []}
    for t in desc.values(BC + "attestation"):
        node = t[1]
        attests, value, where = (desc.first(BC + p, node) for p in ("attests", "attestedValue", "statedIn"))
        if not value:
            continue
        basis = {"quotation": desc.first(BC + "quotation", node), "lines": desc.first(BC + "sourceLines", node),
                 "note": desc.first(BC + "noteNumber", where) if where else None}
        if attests == BC + "transmissionStatus":
            out["status"] = {"label": desc.label(value), **basis}
        elif attests == BC + "inReplyTo":
            out["reply_to"] = {"iri": value, "label": "No. " + value.rsplit("/", 1)[-1], **basis}
    out["answered_by"] = [{"iri": s, "label": "No. " + s.rsplit("/", 1)[-1]}
                          for s, p in desc.inverse if p == BC + "inReplyTo"]
    return out


def _languages(desc: Description) -> dict[str, str | None]:
    text = desc.first(S + "workTranslation")
    return {"original": desc.first(S + "inLanguage"), "text": desc.first(S + "inLanguage", text) if text else None,
            "machine": "yes" if text and desc.first(BC + "machineTranslationOf", text) else None}


def letter(desc: Description) -> dict:
    notes = _notes(desc)
    text = desc.first(S + "text") or ""
    recipients = ordered_parties(desc, "qualifiedRecipient", "recipient")
    date = _date(desc)
    segments = footnoted(text, [(n["number"], n["anchor"]) for n in notes if n["number"]])
    return {"number": desc.first(S + "identifier"), "title": desc.first(S + "name") or desc.label(desc.iri),
            "heading": reading.heading(desc), "when": reading.date_line(desc, date),
            "linked": reading.linked_text(segments, desc), "mentioned": reading.mentioned_by_kind(desc.iri, desc),
            "senders": ordered_parties(desc, "qualifiedSender", "sender"),
            "recipients": [r for r in recipients if not r.get("copy")],
            "copies": [r for r in recipients if r.get("copy")], "transmission": _transmission(desc),
            "languages": _languages(desc),
            "place": links(desc, S + "locationCreated"), "date": date, "segments": segments, "notes": notes,
            "citation": desc.first("http://purl.org/dc/terms/bibliographicCitation"), "sources": _sources(desc),
            "mentions": links(desc, S + "mentions"), "part_of": links(desc, S + "isPartOf"),
            "derived": [t[1] for t in desc.values(PROV + "wasDerivedFrom")],
            "machine": desc.first(BC + "machineTranslated"),
            "graph": ctx().settings.base_iri + "graph/" + desc.iri[len(ctx().settings.base_iri):]}


def archive_unit(desc: Description) -> dict:
    return {"chain": _chain(desc.iri), "children": queries.unit_children(desc.iri),
            "letters": queries.unit_letters(desc.iri)}


def inverse_groups(desc: Description) -> list[tuple[str, list[dict[str, str]]]]:
    groups: dict[str, list[dict[str, str]]] = {}
    for subject, prop in desc.inverse:
        groups.setdefault(prop, []).append({"iri": subject, "label": desc.label(subject)})
    return sorted(groups.items())


def schema_org(desc: Description, view: dict) -> dict:
    """The schema.org JSON-LD island of a page: what search engines and generic tools read."""
    types = [t[len(S):] for t in desc.types() if t.startswith(S)] or ["Thing"]
    doc: dict = {"@context": "https://schema.org", "@type": types[0] if len(types) == 1 else types,
                 "@id": desc.iri, "name": desc.label(desc.iri)}
    if "date" in view:  # a letter
        doc.update({"identifier": view.get("number"), "dateCreated": view["date"]["value"],
                    "sender": [{"@id": a["iri"], "name": a["label"]} for a in view["senders"]],
                    "recipient": [{"@id": a["iri"], "name": a["label"]} for a in view["recipients"] + view["copies"]],
                    "ccRecipient": [{"@id": a["iri"], "name": a["label"]} for a in view["copies"]],
                    "mentions": [{"@id": a["iri"], "name": a["label"]} for a in view["mentions"]]})
    if "aliases" in view:  # a person or organization
        doc["alternateName"] = view["aliases"]
        doc["sameAs"] = [w["iri"] for w in view["wikidata"]]
    return {k: v for k, v in doc.items() if v not in (None, [], "")}
