"""``cmif.xml``: the letters in the Correspondence Metadata Interchange Format (TEI P5, CMIF v1 with the
mentions of CMIF v2), the file correspSearch harvests to find letters across editions.

    write_cmif(staging / "cmif.xml", read_letters(staging / "kg.nt.gz"), base_iri, started)

A thin view of the published graph (kg/publish/letters.py): one ``correspDesc`` per bc:Letter, in
edition order, ``@key`` its number, ``@ref`` its IRI (the letter's page), ``@source`` the printed
edition's ``bibl``. ``correspAction type="sent"`` holds the senders, the place written and the date;
``type="received"`` the recipients and, when a place/date line of the letter says so, where and when
it was received. CMIF allows no other action types, so copy recipients have no place here (the graph
states none today either). Names carry ``@ref``: the Wikidata item where the entity is linked, our
authority IRI otherwise; an unresolved party or place (a document-local node) has no ``@ref``, and a
letter with no sender or recipient says ``Unknown``, as CMIF asks.

Dates are what the date statement says, in the Gregorian calendar (``@when`` and friends are
xsd dates): one day or a Gregorian month/year as ``@when``; a range as ``@from``/``@to``; "not
before"/"not after" as the one bound; an approximate date, or a Julian month or year, as
``@notBefore``/``@notAfter``. A date the editors supplied in brackets carries
``@evidence="conjecture"``, and a date that is not a plain printed Gregorian date keeps its printed
form as the element's text. ``tei_date`` is that rule; tests/test_cmif.py checks it.

The file date (``publicationStmt/date/@when``) is the build's start time, as in void.ttl: it is
the one part of the file that differs between two builds of the same input.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from kg.publish.letters import Agent, DateInfo, Letter, LetterIndex

TEI_NS = "http://www.tei-c.org/ns/1.0"
CMIF_TERMS = "https://lod.academy/cmif/vocab/terms#"
MENTIONS = {"Person": "mentionsPerson", "Group": "mentionsOrg", "Place": "mentionsPlace"}  # events: no CMIF term
NAME_ELEMENTS = {"Person": "persName", "Group": "orgName"}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
# A static UUID (CMIF asks for one that does not change between exports; an xml:id must start with a
# letter): uuid5(NAMESPACE_URL, "Kvashonkin 1996 Bolshevik leadership. Correspondence. 1912-1927").
BIBL_ID = "b931f125-ec93-5961-9f6a-054839d3c668"
COMPILERS = "A. V. Kvashonkin, L. P. Kosheleva, L. A. Rogovaya, O. V. Khlevnyuk"  # data/corpus/README.md
PLAIN_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def tei_date(d: DateInfo) -> dict[str, str]:
    """The TEI dating attributes for a date statement (module docstring); {} when it gives no bound."""
    lo, hi = d.bounds()
    attrs: dict[str, str] = {}
    if d.qualifier == "exact":
        if lo and lo == hi:
            attrs["when"] = lo
        elif d.calendar == "gregorian" and PLAIN_DATE.fullmatch(d.edtf):
            attrs["when"] = d.edtf
        else:
            attrs.update({"notBefore": lo, "notAfter": hi})
    elif d.qualifier == "range":
        attrs.update({"from": lo, "to": hi})
    elif d.qualifier == "notBefore":
        attrs["notBefore"] = lo
    elif d.qualifier == "notAfter":
        attrs["notAfter"] = hi
    else:  # approximate
        attrs.update({"notBefore": lo, "notAfter": hi})
    attrs = {k: v for k, v in attrs.items() if v}
    if attrs and d.supplied and ("when" in attrs or "from" in attrs):
        attrs["evidence"] = "conjecture"
    return attrs


def date_element(parent: ET.Element, d: DateInfo | None) -> None:
    attrs = tei_date(d) if d is not None else {}
    if not attrs:
        return
    el = ET.SubElement(parent, "date", attrs)
    if d is not None and (d.qualifier != "exact" or d.calendar != "gregorian" or d.supplied) and d.expressed:
        el.text = d.expressed


def name_element(parent: ET.Element, who: Agent) -> None:
    el = ET.SubElement(parent, NAME_ELEMENTS.get(who.kind, "persName"))
    if who.authority:
        el.set("ref", who.authority)
    el.text = who.name


def place_element(parent: ET.Element, place: Agent | None, name: str = "") -> None:
    if place is None and not name:
        return
    el = ET.SubElement(parent, "placeName")
    if place is not None and place.authority:
        el.set("ref", place.authority)
    el.text = place.name if place is not None else name


def corresp_desc(letter: Letter) -> ET.Element:
    attrs = {"key": letter.number} if letter.number else {}
    desc = ET.Element("correspDesc", {**attrs, "ref": letter.iri, "source": f"#{BIBL_ID}"})
    sent = ET.SubElement(desc, "correspAction", {"type": "sent"})
    for who in letter.senders:
        name_element(sent, who)
    if not letter.senders:
        ET.SubElement(sent, "persName").text = "Unknown"
    place_element(sent, letter.place)
    date_element(sent, letter.date)
    received = ET.SubElement(desc, "correspAction", {"type": "received"})
    for who in letter.recipients:
        name_element(received, who)
    if not letter.recipients:
        ET.SubElement(received, "persName").text = "Unknown"
    arrival = next((line for line in letter.place_dates if line.role == "received"), None)
    if arrival is not None:
        place_element(received, None, arrival.place)
        date_element(received, arrival.date)
    mentions = [m for m in letter.mentions if m.kind in MENTIONS and m.authority]
    if mentions:
        note = ET.SubElement(desc, "note")
        for m in mentions:
            ref = ET.SubElement(note, "ref", {"type": CMIF_TERMS + MENTIONS[m.kind], "target": m.authority or ""})
            ref.text = m.name
    return desc


def header(index: LetterIndex, base: str, started: str) -> ET.Element:
    """The teiHeader's fileDesc: title, editor, publisher, the file's URL and date, licence, the edition."""
    title = index.edition_title or "Bolshevik leadership. Correspondence. 1912–1927"
    file_desc = ET.Element("fileDesc")
    title_stmt = ET.SubElement(file_desc, "titleStmt")
    ET.SubElement(title_stmt, "title").text = f"{title}: the letters (Linked Data edition, CMIF)"
    ET.SubElement(title_stmt, "editor").text = "bolcorr-kg, the Linked Data edition"
    pub = ET.SubElement(file_desc, "publicationStmt")
    ET.SubElement(ET.SubElement(pub, "publisher"), "ref", {"target": base}).text = \
        "bolcorr-kg: the Bolshevik leadership correspondence as Linked Data"
    ET.SubElement(pub, "idno", {"type": "url"}).text = f"{base}cmif.xml"
    ET.SubElement(pub, "date", {"when": started})
    availability = ET.SubElement(pub, "availability")
    ET.SubElement(availability, "licence", {"target": LICENCE}).text = \
        "This file is licensed under the terms of the Creative Commons License CC-BY 4.0"
    ET.SubElement(availability, "p").text = (
        "The file holds correspondence metadata only (CC BY 4.0, like all our data). The texts of the letters "
        "and of the editorial notes, quoted on the letters' pages, keep their holders' rights.")
    year = index.edition_year or "1996"
    ET.SubElement(ET.SubElement(file_desc, "sourceDesc"), "bibl", {"type": "print", XML_ID: BIBL_ID}).text = (
        f"{COMPILERS} (eds.): {title}. Moscow: ROSSPEN, {year}. "
        "Read in the English machine translation published on the web.")
    return file_desc


def _xml(el: ET.Element, level: int) -> str:
    ET.indent(el, space=" ", level=level)
    return " " * level + ET.tostring(el, encoding="unicode") + "\n"


def write_cmif(path: Path, index: LetterIndex, base: str, started: str) -> None:
    """Write the CMIF file, one correspDesc at a time (the whole tree is never held)."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<TEI xmlns="{TEI_NS}">\n <teiHeader>\n')
        out.write(_xml(header(index, base, started), 2))
        out.write("  <profileDesc>\n")
        for letter in index.letters:
            out.write(_xml(corresp_desc(letter), 3))
        out.write("  </profileDesc>\n </teiHeader>\n <text>\n  <body>\n   <p/>\n  </body>\n </text>\n</TEI>\n")
