"""Archival citations ("RTSKHIDNI. F. 85. Op. 1/S. D. 13. L. 12-13. Autograph.") and the forms.

Why tolerant separators: the translation writes "On." for "Оп.", "RTSHIDNI;" for the archive,
commas for periods inside notes, and sometimes drops the period before the form. The archive is
normalized (RTsKhIDNI = RGASPI, the archive's name since 1999) and the printed spelling is kept in
``archive_verbatim``. The same reader serves the citation line under a letter and the archival
references inside editorial notes ("Ibid. D. 331. L. 1" is completed by notes.py).

Why parts are checked against the shapes' forms: the OCR puts letters where numbers belong ("F. abc",
Cyrillic look-alikes, other scripts' digits), and one such value in the graph is a sh:Violation that
stops publication of every page. Printing variants are normalized ("Р-5674", "13A", "1 S", "56v");
what is still not a number is left empty and named, so that the caller can report it.
"""

from __future__ import annotations

import re

from kg.model import Citation

ARCHIVES = {"RTSKHIDNI": "RTsKhIDNI", "RTSHIDNI": "RTsKhIDNI", "RTSKHIDNY": "RTsKhIDNI", "RGASPI": "RTsKhIDNI",
            "RCKHIDNI": "RTsKhIDNI", "RTSHKIDNI": "RTsKhIDNI", "GARF": "GARF", "RGAE": "RGAE", "RGVA": "RGVA",
            "APRF": "APRF", "TSKHSD": "TsKhSD", "RGANI": "RGANI", "AVPRF": "AVPRF", "TSGAOR": "TsGAOR"}
_SEP = r"\s*[.,;:]?\s*"
_END = r"(?=[\s.,;:)]|$)"  # a value ends at a separator: "F. 85abc" is the token "85abc", not 85 and garbage
_TOKEN = r"[^\s.,;:]+"  # whatever stands where a number belongs ("F. abc"): read, then refused by check_parts
_FOLIO = r"[0-9]+\s*(?:v|ob)?\.?"
_FOLIOS = rf"{_FOLIO}(?:\s*[-–—]\s*{_FOLIO})?(?:\s*,\s*{_FOLIO}(?:\s*[-–—]\s*{_FOLIO})?)*"
_PARTS = (rf"(?:F\.\s*(?P<fond>[A-ZА-Я]?-?[0-9]+[A-Za-zА-Я]?{_END}|{_TOKEN})){_SEP}"
          rf"(?:(?:Op|On|Оп)\.\s*(?P<opis>[0-9]+(?:\s*/\s*[A-Za-zА-Я]+|\s*[A-Za-zА-Я](?=\W))?{_END}|{_TOKEN}){_SEP})?"
          rf"(?:D\.\s*(?P<delo>[0-9]+[A-Za-zА-Я]?(?:/[0-9]+)?{_END}|{_TOKEN}){_SEP})?"
          rf"(?:(?:L|LL|Ll)\.\s*(?P<folios>{_FOLIOS}{_END}|{_TOKEN}))?")
CITATION = re.compile(rf"^\(?\s*(?P<arch>[A-Za-zА-Яа-я ]{{3,12}}?)(?![A-Za-zА-Яа-я]){_SEP}{_PARTS}(?P<rest>.*)$")
LINE_START = re.compile(r"^\(?\s*[A-Za-zА-Я]{3,12}\s*[.,;:]?\s*F\.\s*[A-ZА-Я]?-?[0-9]")
GARBLED_START = re.compile(r"^\(?\s*(?P<arch>[A-Za-zА-Я]{3,12})\s*[.,;:]?\s*F\.\s*\S.*\b(?:Op|On|D|L)\.")
# The forms the published graph accepts (shapes/bolcorr.shapes.ttl, ArchivalInstantiationShape; a test
# keeps the two in step). A part read in another form is OCR garbage ("F. abc") and is left empty.
PART_FORMS = {
    "fond": r"^(R-)?[0-9]+$",
    "opis": r"^[0-9]+(/[A-Za-zА-Яа-я]+)?$",
    "delo": r"^[0-9]+[a-zа-я]?$",
    "folios": r"^[0-9]+( ?ob\.?)?(-[0-9]+( ?ob\.?)?)?(, ?[0-9]+( ?ob\.?)?(-[0-9]+( ?ob\.?)?)?)*$",
}
_PART_RES = {name: re.compile(rx) for name, rx in PART_FORMS.items()}
# (pattern, normalized form, record_state, technique, signature_autograph)
FORMS: list[tuple[str, str, str | None, str | None, bool]] = [
    (r"typewritten text\.?\s*the signatures? (?:is|are) (?:an )?autographs?\.?",
     "typewritten, signature autograph", "original", "typewritten", True),
    (r"typewritten text\.?\s*signatures are autographs\.?", "typewritten, signatures autographs", "original",
     "typewritten", True),
    (r"certified typewritten copy\.?", "certified typewritten copy", "certified-copy", "typewritten", False),
    (r"uncertified typewritten copy\.?", "uncertified typewritten copy", "uncertified-copy", "typewritten", False),
    (r"typewritten copy\.?", "typewritten copy", "copy", "typewritten", False),
    (r"handwritten text on a telegraph form\.?", "handwritten on a telegraph form", "original", "handwritten",
     False),
    (r"handwritten copy\.?", "handwritten copy", "copy", "handwritten", False),
    (r"handwritten text\.?", "handwritten", "original", "handwritten", False),
    (r"typewritten text\.?", "typewritten", "original", "typewritten", False),
    (r"autographs?\.?", "autograph", "original", "handwritten", False),
    (r"signatures are autographs\.?", "signatures autographs", "original", None, True),
    (r"the signature is (?:an )?autograph\.?", "signature autograph", "original", None, True),
    (r"copy\.?", "copy", "copy", None, False),
]
_FORMS = [(re.compile(p, re.I), *rest) for p, *rest in FORMS]


def normalize_archive(printed: str) -> str:
    """RTsKhIDNI for every spelling of the party archive (RGASPI included); others as known or printed."""
    key = re.sub(r"[^A-Za-zА-Яа-я]", "", printed).upper()
    return ARCHIVES.get(key, printed.strip())


def _folios(raw: str | None) -> str | None:
    """'12 - 13.' -> '12-13'; '1,2' -> '1, 2'; '3.-5' -> '3-5'; verso as the shapes accept it ('56v' -> '56 ob')."""
    if not raw:
        return None
    text = re.sub(r"\s*([-–—])\s*", "-", raw.strip())
    text = re.sub(r"\s*,\s*", ", ", text)
    text = re.sub(r"([0-9])\s*\.(?=[-,])", r"\1", text)
    text = re.sub(r"([0-9])\s*(?:v|ob)\b\.?", r"\1 ob", text)
    return text.rstrip(".").strip()


def _normal_part(name: str, value: str) -> str:
    """Printing variants of a valid part: Cyrillic 'Р-5674' (the Russian R), 'D. 13A', 'Op. 1 S' / '1S'."""
    value = re.sub(r"\s+", "", value) if name == "opis" else value
    if name == "fond":
        return re.sub(r"^[РR]-?(?=[0-9])", "R-", value)
    if name == "opis":
        return re.sub(r"^([0-9]+)([A-Za-zА-Яа-я])$", r"\1/\2", value)
    if name == "delo":
        return value.lower() if re.fullmatch(r"[0-9]+[A-ZА-Я]", value) else value
    return value


def check_parts(cit: Citation) -> list[str]:
    """Leave empty each part that is not in a form the graph accepts; say which, for the diagnostic."""
    problems = []
    for name in PART_FORMS:
        value = getattr(cit, name)
        if value is None:
            continue
        value = _normal_part(name, value)
        if _PART_RES[name].match(value):
            setattr(cit, name, value)
        else:
            setattr(cit, name, None)
            problems.append(f"{name} {value!r}")
    return problems


def is_citation_line(line: str) -> bool:
    """The citation line under a letter starts with an archive name and a fond ("F. 85")."""
    return "F." in line and bool(LINE_START.match(line.strip()))


def is_garbled_citation_line(line: str) -> bool:
    """A known archive, 'F.' and more parts, but no number after 'F.' ('RTSKHIDNI. F. abc. Op. 1. D. xyz.')."""
    m = GARBLED_START.match(line.strip()) if "F." in line else None
    return bool(m) and re.sub(r"[^A-Za-zА-Яа-я]", "", m["arch"]).upper() in ARCHIVES and not is_citation_line(line)


def is_form_line(text: str) -> bool:
    """A line that is only a form ("Autograph."), printed under a citation that has none."""
    return any(rx.fullmatch(text.strip()) for rx, *_ in _FORMS)


def read_form(rest: str, cit: Citation) -> None:
    """Fill form/record_state/technique/signature_autograph and a trailing publication reference."""
    text = rest.strip().lstrip(".,; ").strip()
    for rx, form, state, technique, signed in _FORMS:
        m = rx.match(text)
        if m:
            cit.form, cit.record_state, cit.technique = form, state, technique
            cit.signature_autograph = signed
            cit.form_verbatim = m.group(0).strip()
            text = text[m.end():].strip()
            break
    if text:
        cit.publication = text


def read_citation(text: str) -> tuple[Citation | None, list[str]]:
    """A citation and the parts left empty because they are garbage (see ``check_parts``); None: no citation."""
    verbatim = text.strip()
    m = CITATION.match(verbatim.replace("\u00a0", " "))
    if not m or not m["fond"]:
        return None, []
    arch = m["arch"].strip()
    cit = Citation(verbatim=verbatim, archive=normalize_archive(arch), archive_verbatim=arch, fond=m["fond"],
                   opis=m["opis"], delo=m["delo"], folios=_folios(m["folios"]))
    read_form(m["rest"], cit)
    return cit, check_parts(cit)


def parse_citation(text: str) -> Citation | None:
    """Read a citation ("GARF. F. R-5674. On. 1. D. 1. L. 92"); None when it has no archive and fond.

    Garbage parts are left empty (``read_citation`` says which).
    """
    return read_citation(text)[0]


_IBID_PARTS = re.compile(
    rf"^(?:(?:Op|On|Оп)\.\s*(?P<opis>[0-9]+(?:\s*/\s*[A-Za-zА-Я]+)?){_SEP})?(?:D\.\s*(?P<delo>[0-9]+[A-Za-zА-Я]?){_SEP})?"
    rf"(?:(?:L|LL|Ll)\.\s*(?P<folios>{_FOLIOS}))?\s*\.?\s*$")


def resolve_ibid(tail: str, previous: Citation, verbatim: str) -> Citation | None:
    """'Ibid. D. 331. L. 1' against the previous archival reference: the printed parts replace its tail."""
    m = _IBID_PARTS.match(tail.strip().lstrip(".,; "))
    if not m or not any(m.groupdict().values()):
        return None
    opis, delo, folios = previous.opis, previous.delo, previous.folios
    if m["opis"]:
        opis, delo, folios = re.sub(r"\s+", "", m["opis"]), None, None
    if m["delo"]:
        delo, folios = m["delo"], None
    if m["folios"]:
        folios = _folios(m["folios"])
    cit = Citation(verbatim=verbatim, archive=previous.archive, archive_verbatim=previous.archive_verbatim,
                   fond=previous.fond, opis=opis, delo=delo, folios=folios)
    check_parts(cit)
    return cit
