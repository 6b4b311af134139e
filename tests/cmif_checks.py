"""Our own statement of the CMIF rules a file must keep, checked with the standard library only.

Learned from the TEI Correspondence SIG's CMIF guidelines, its RELAX NG schema and its Schematron
(read, not copied); re-expressed here as checks that name what is wrong and where:

- the TEI root in the TEI namespace; ``teiHeader/fileDesc`` with ``titleStmt`` (one title, at least one
  editor), ``publicationStmt`` (publisher(s), then an ``idno type="url"`` holding an absolute URL, a
  ``date`` whose ``@when`` is an xsd:dateTime, ``availability`` with a ``licence`` whose ``@target`` is
  CC BY 4.0 or CC0), ``sourceDesc`` with ``bibl`` elements, each with an ``xml:id`` (an NCName, so
  starting with a letter; a UUID) and ``@type`` print, online or hybrid; and a ``text/body``;
- in ``profileDesc``, ``correspDesc`` elements only; each with ``@ref`` (an absolute URL) or ``@key``,
  ``@source`` "#" + the id of a ``bibl`` of the file, children among ``correspAction``, ``note``,
  ``correspContext``, exactly one ``correspAction type="sent"`` and one ``type="received"`` (no
  other ``@type``), each with at least one ``persName``/``orgName`` (text only, non-empty);
- in a ``correspAction`` only ``persName``, ``orgName``, ``placeName``, ``date`` and ``note``; every
  ``@ref`` a space-separated list of absolute http(s) URIs; ``@evidence`` only "conjecture", ``@cert``
  only "low";
- a ``date`` with at least one of ``when``, ``from``, ``to``, ``notBefore``, ``notAfter``, each a real
  calendar date as YYYY, YYYY-MM or YYYY-MM-DD; ``when`` alone (not with the others); ``from`` and
  ``to`` together; earliest bound not after the latest;
- CMIF v2: ``correspDesc/note`` holds ``ref`` elements whose ``@type`` is a term of the CMIF vocabulary
  (``https://lod.academy/cmif/vocab/terms#…``) and whose ``@target`` is an absolute URI.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

TEI = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
LICENCES = {"https://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by/4.0/",
            "https://creativecommons.org/publicdomain/zero/1.0/"}
BIBL_TYPES = {"print", "online", "hybrid"}
ACTION_TYPES = {"sent", "received"}
ACTION_CHILDREN = {"persName", "orgName", "placeName", "date", "note"}
DESC_CHILDREN = {"correspAction", "note", "correspContext"}
DATE_ATTRIBUTES = ("when", "from", "to", "notBefore", "notAfter")
CMIF_TERMS = "https://lod.academy/cmif/vocab/terms#"
MENTION_TERMS = {"mentionsPerson", "mentionsPlace", "mentionsOrg", "mentionsBibl", "mentionsSubject"}
DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NCNAME_START = re.compile(r"[A-Za-z_]")
ABSOLUTE = re.compile(r"https?://[^\s/]+/\S*")


def local(el: ET.Element) -> str:
    return el.tag.removeprefix(TEI)


def day_bounds(value: str) -> tuple[date, date] | None:
    """The first and last day a CMIF date value covers; None when it is not YYYY[-MM[-DD]] or no real date."""
    m = DATE.fullmatch(value)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if day:
            d = date(year, int(month), int(day))
            return d, d
        if month:
            first = date(year, int(month), 1)
            nxt = date(year + (first.month == 12), first.month % 12 + 1, 1)
            return first, date.fromordinal(nxt.toordinal() - 1)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def need(self, ok: object, where: str, what: str) -> bool:
        if not ok:
            self.problems.append(f"{where}: {what}")
        return bool(ok)

    def refs(self, value: str | None, where: str) -> None:
        if value is not None:
            tokens = value.split()
            self.need(tokens and all(ABSOLUTE.fullmatch(t) for t in tokens), where,
                      f"@ref {value!r} is not absolute URIs")

    def header(self, root: ET.Element) -> set[str]:
        file_desc = root.find(f"{TEI}teiHeader/{TEI}fileDesc")
        if not self.need(file_desc is not None, "teiHeader", "no fileDesc"):
            return set()
        titles = file_desc.findall(f"{TEI}titleStmt/{TEI}title")
        self.need(len(titles) == 1 and (titles[0].text or "").strip(), "titleStmt", "needs one non-empty title")
        self.need(file_desc.findall(f"{TEI}titleStmt/{TEI}editor"), "titleStmt", "needs an editor")
        pub = file_desc.find(f"{TEI}publicationStmt")
        if self.need(pub is not None, "fileDesc", "no publicationStmt"):
            order = [local(c) for c in pub]
            publishers = order[:order.index("idno")] if "idno" in order else []
            self.need(publishers and set(publishers) == {"publisher"}
                      and order[len(publishers):] == ["idno", "date", "availability"],
                      "publicationStmt", f"must be publisher+, idno, date, availability; is {order}")
            idno = pub.find(f"{TEI}idno")
            self.need(idno is not None and idno.get("type") == "url" and ABSOLUTE.fullmatch((idno.text or "").strip()),
                      "publicationStmt/idno", "needs type='url' and an absolute URL")
            when = pub.find(f"{TEI}date")
            self.need(when is not None and DATETIME.fullmatch(when.get("when", "")), "publicationStmt/date",
                      "needs @when as xsd:dateTime")
            licence = pub.find(f"{TEI}availability/{TEI}licence")
            self.need(licence is not None and licence.get("target") in LICENCES, "availability/licence",
                      "needs @target CC BY 4.0 or CC0")
        bibls = file_desc.findall(f"{TEI}sourceDesc/{TEI}bibl")
        self.need(bibls, "sourceDesc", "needs a bibl")
        ids = set()
        for bibl in bibls:
            bid = bibl.get(XML_ID, "")
            self.need(NCNAME_START.match(bid) and UUID.fullmatch(bid), "bibl", f"xml:id {bid!r} is not a UUID "
                      "starting with a letter")
            self.need(bibl.get("type") in BIBL_TYPES, "bibl", f"@type {bibl.get('type')!r} not print/online/hybrid")
            ids.add(bid)
        self.need(root.find(f"{TEI}text/{TEI}body") is not None, "TEI", "needs text/body")
        return ids

    def date(self, el: ET.Element, where: str) -> None:
        attrs = {a: el.get(a) for a in DATE_ATTRIBUTES if el.get(a) is not None}
        if not self.need(attrs, where, "date without when/from/to/notBefore/notAfter"):
            return
        bounds = {a: day_bounds(v) for a, v in attrs.items()}
        for a, b in bounds.items():
            self.need(b is not None, where, f"@{a}={attrs[a]!r} is not a real YYYY, YYYY-MM or YYYY-MM-DD")
        if None in bounds.values():
            return
        self.need("when" not in attrs or len(attrs) == 1, where, "@when with other dating attributes")
        self.need(("from" in attrs) == ("to" in attrs), where, "@from and @to go together")
        for lo, hi in (("from", "to"), ("notBefore", "notAfter")):
            if lo in bounds and hi in bounds:
                self.need(bounds[lo][0] <= bounds[hi][1], where, f"@{lo} after @{hi}")

    def responsibility(self, el: ET.Element, where: str) -> None:
        self.need(el.get("evidence") in (None, "conjecture"), where, f"@evidence {el.get('evidence')!r}")
        self.need(el.get("cert") in (None, "low"), where, f"@cert {el.get('cert')!r}")

    def action(self, action: ET.Element, where: str) -> None:
        self.need(action.get("type") in ACTION_TYPES, where, f"correspAction @type {action.get('type')!r}")
        children = [local(c) for c in action]
        self.need(set(children) <= ACTION_CHILDREN, where, f"correspAction children {children}")
        self.need({"persName", "orgName"} & set(children), where, "correspAction names nobody")
        for child in action:
            name = local(child)
            self.responsibility(child, f"{where}/{name}")
            if name in ("persName", "orgName", "placeName"):
                self.need(len(child) == 0 and (child.text or "").strip(), f"{where}/{name}", "needs text only")
                self.refs(child.get("ref"), f"{where}/{name}")
            elif name == "date":
                self.date(child, f"{where}/date")

    def note(self, note: ET.Element, where: str) -> None:
        for ref in note.findall(f"{TEI}ref"):
            kind = ref.get("type", "")
            self.need(kind.startswith(CMIF_TERMS) and kind.removeprefix(CMIF_TERMS) in MENTION_TERMS, where,
                      f"note/ref @type {kind!r} is not a CMIF term we use")
            self.need(ABSOLUTE.fullmatch(ref.get("target", "")), where, f"note/ref @target {ref.get('target')!r}")

    def desc(self, desc: ET.Element, bibl_ids: set[str]) -> None:
        where = f"correspDesc {desc.get('key') or desc.get('ref')}"
        self.need(desc.get("ref") or desc.get("key"), where, "needs @ref or @key")
        if desc.get("ref") is not None:
            self.need(ABSOLUTE.fullmatch(desc.get("ref", "")), where, "@ref is not an absolute URL")
        source = desc.get("source", "")
        self.need(source.startswith("#") and source[1:] in bibl_ids, where, f"@source {source!r} names no bibl")
        children = [local(c) for c in desc]
        self.need(set(children) <= DESC_CHILDREN, where, f"children {children}")
        types = [a.get("type") for a in desc.findall(f"{TEI}correspAction")]
        self.need(types.count("sent") == 1 and types.count("received") == 1, where,
                  f"needs one sent and one received correspAction, has {types}")
        for action in desc.findall(f"{TEI}correspAction"):
            self.action(action, f"{where}/{action.get('type')}")
        for note in desc.findall(f"{TEI}note"):
            self.note(note, where)


def cmif_problems(path: Path) -> list[str]:
    """Every rule of the module docstring the file breaks, one line each (empty: the file keeps them)."""
    root = ET.parse(path).getroot()
    check = Checker()
    if not check.need(root.tag == f"{TEI}TEI", "root", f"{root.tag} is not tei:TEI"):
        return check.problems
    bibl_ids = check.header(root)
    profile = root.find(f"{TEI}teiHeader/{TEI}profileDesc")
    if check.need(profile is not None, "teiHeader", "no profileDesc"):
        check.need(all(local(c) == "correspDesc" for c in profile), "profileDesc", "holds more than correspDesc")
        for desc in profile:
            check.desc(desc, bibl_ids)
    return check.problems
