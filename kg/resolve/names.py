"""Finding names in a text: authority forms, editorial bracket completions, per-document forms.

Why a finder separate from the resolver: *finding* a name ("Kobe", "K[alini]nu", "A.D.Ts.", "the old
man") is about the printed text and its translation noise; *deciding* whom it designates depends on the
document (resolve.py). The finder only reports spans and the authority forms they could be.

Matching rules, each chosen against a trap of the seed:
- whole words only, so "Leninist" is not Lenin and "Kobi road" is not Koba;
- a form matches as written or in capitals ("BUKHARIN"), never in lower case ("soso" is not Soso);
- a bracket completion is read without its brackets ("St[alin]" -> Stalin) and may carry a short Russian
  ending the translation kept ("K[alini]nu", "Andrei[she]"), but plain words must match exactly
  ("Andreyev" is not Andrei).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.model import Document, Note
from kg.resolve.authority import Authorities, Identification, NameForm, name_key

_WORD_START = r"(?<![\w\[\]])"
_WORD_END = r"(?![\w\[\]])"
BRACKET_TOKEN = re.compile(_WORD_START + r"[A-Za-z]*(?:\[[A-Za-z]+\][A-Za-z]*)+" + _WORD_END)
INITIALS_BEFORE = re.compile(r"(?:(?<=\s)|^)((?:[A-Z][a-z]?\.\s?){1,3})\s*\[?$")
COMRADE = re.compile(r"\b(?:[Cc]omrades?|[Tt]ov)\.?[ \t]+(?P<name>[A-Z][a-z]{3,}|[A-Z]{4,})(?![\w.\[])")
QUALIFIED = re.compile(r"\s+of\s+(?:the\s+)?[A-Z]")
# after a context name ("Central Committee", "Sovnarkom", "Politburo"): " of <anything>" is another body ("of the
# CP(b)U", "of the unions", "of Georgia"), except "of the Party"/"of our Party" (the writer's own), "of a/an ..." (no
# body is named so) and "of the Central Committee"/"of the CC" with no other body after it: "the appointment of the
# Politburo of the Central Committee of a special commission" (No. 176) is the party's own Politburo
CONTEXT_QUALIFIED = re.compile(r"\s+of\s+(?!(?:the|our)\s+[Pp]arty\b|an?\s"
                               r"|the\s+(?:Central\s+Committee|CC)\b(?!\s+of\s+(?!an?\s)\S))\S")
NOT_NAMES = frozenset({"Chairman", "Secretary", "People", "Plenipotentiary", "Commissar", "Dear", "With", "Your",
                       "This", "That", "These", "They", "Then", "When", "What", "There", "Here"})
TOV = frozenset({"T.", "Tov."})  # "T. Trotsky": the translation's abbreviation of "tov." (comrade), not an initial
MAX_ENDING = 3  # letters of a kept Russian case ending after a completed name


@dataclass(frozen=True)
class DocForm:
    """A form valid in one document only: an identification or an editorial note's reading."""

    pattern: re.Pattern[str]
    entity: str | None
    basis: str
    kind: str
    explanation: str
    note: int | None = None  # the editorial note that identifies the form
    accept: Callable[[str], bool] | None = None  # a further test of the matched text


@dataclass
class Found:
    """A span of text that is (or may be) a name."""

    start: int
    end: int
    text: str
    how: str  # form | bracket | doc | comrade
    candidates: tuple[NameForm, ...] = ()
    doc_form: DocForm | None = None
    qualifier: str = ""  # initials or first name printed just before ("G. I." Myasnikov, "Ruth" [Fischer])

    PRIORITY = {"doc": 0, "bracket": 1, "form": 2, "comrade": 3}


@dataclass
class NameFinder:
    """Compiled patterns for one set of authorities."""

    auth: Authorities
    _pattern: re.Pattern[str] = field(init=False)
    _people: re.Pattern[str] = field(init=False)  # the forms of people only, looked for inside bodies' names
    _by_key: dict[str, list[NameForm]] = field(init=False)
    _by_variant: dict[str, list[NameForm]] = field(init=False)
    _stems: list[tuple[str, NameForm]] = field(init=False)  # forms a completion may extend by a case ending

    def __post_init__(self) -> None:
        self._by_key, self._by_variant = {}, {}
        alternatives: set[str] = set()
        people: set[str] = set()
        for nf in self.auth.forms:
            self._by_key.setdefault(name_key(nf.form), []).append(nf)
            self._by_variant.setdefault(variant_key(nf.form), []).append(nf)
            for variant in {nf.form, nf.form.upper()}:
                alternatives.add(form_regex(variant))
                if nf.kind != "label":
                    people.add(form_regex(variant))
        self._stems = [(variant_key(nf.form), nf) for nf in self.auth.forms
                       if nf.kind in ("surname", "nickname", "pseudonym") and len(nf.form) >= 4]
        ordered = sorted(alternatives, key=len, reverse=True)
        self._pattern = re.compile(_WORD_START + "(?:" + "|".join(ordered) + ")" + _WORD_END)
        self._people = re.compile(_WORD_START + "(?:" + "|".join(sorted(people, key=len, reverse=True)) + ")"
                                  + _WORD_END)

    def forms_for(self, text: str) -> tuple[NameForm, ...]:
        return tuple(self._by_key.get(name_key(text), ()))

    def find(self, text: str, doc_forms: Iterable[DocForm] = ()) -> list[Found]:
        """Every name in ``text``: per-document forms first, then brackets, authority forms, "Comrade X"."""
        found = [Found(m.start(), m.end(), m.group(), "doc", doc_form=df)
                 for df in doc_forms for m in df.pattern.finditer(text) if df.accept is None or df.accept(m.group())]
        found += self._brackets(text)
        for m in self._pattern.finditer(text):
            candidates = self.forms_for(m.group())
            if QUALIFIED.match(text, m.end()):  # "Council of People's Commissars of Georgia": another body
                candidates = tuple(nf for nf in candidates if nf.entity not in self.auth.qualifiable)
            if CONTEXT_QUALIFIED.match(text, m.end()):
                candidates = tuple(nf for nf in candidates if nf.scope != "dated")
            if candidates:
                found.append(Found(m.start(), m.end(), m.group(), "form", candidates))
        found += [Found(m.start("name"), m.end("name"), m.group("name"), "comrade")
                  for m in COMRADE.finditer(text) if m.group("name") not in NOT_NAMES]
        kept = _without_overlaps(found)
        kept += self._people_inside(text, kept)
        for f in kept:
            f.qualifier = qualifier_before(text, f.start)
            if f.how == "bracket" and f.text.startswith("[") and f.qualifier.endswith("."):
                f.start = text.rindex(f.qualifier, 0, f.start)  # "L. D. [Trotsky]": initials the editors completed
                f.text = text[f.start:f.end]
        return kept

    def _people_inside(self, text: str, kept: list[Found]) -> list[Found]:
        """People named inside a body's name ("the Dzerzhinsky commission"): the letter names them too."""
        out = []
        for f in kept:
            if f.how == "form" and " " in f.text and all(nf.kind == "label" for nf in f.candidates):
                for m in self._people.finditer(text, f.start, f.end):
                    people = tuple(nf for nf in self.forms_for(m.group()) if nf.kind != "label")
                    if people and (m.start(), m.end()) != (f.start, f.end):
                        out.append(Found(m.start(), m.end(), m.group(), "form", people))
        return out

    def _brackets(self, text: str) -> list[Found]:
        out = []
        for m in BRACKET_TOKEN.finditer(text):
            candidates = self.completions(m.group())
            if candidates:
                out.append(Found(m.start(), m.end(), m.group(), "bracket", candidates))
        return out

    def completions(self, token: str) -> tuple[NameForm, ...]:
        """Person forms an editorial completion reads as: exact, or with a short kept case ending."""
        reading = token.replace("[", "").replace("]", "")
        if not reading[:1].isupper():
            return ()
        key = variant_key(reading)
        exact = tuple(self._by_variant.get(key, ()))
        if exact:
            return exact
        return tuple(nf for stem, nf in self._stems if key.startswith(stem) and len(key) - len(stem) <= MAX_ENDING)


def form_regex(form: str) -> str:
    """A printed form as a regex: spacing after a period optional ("A.D.Ts." = "A. D. Ts."), spaces flexible."""
    parts = re.split(r"(\s+)", form)
    out = []
    for part in parts:
        if part.isspace():
            out.append(r"\s*" if out and out[-1].endswith(r"\.") else r"\s+")
        else:
            out.append(re.escape(part))
    return "".join(out)


def variant_key(text: str) -> str:
    """name_key with the translation's y/i alternation folded ("Andrey" = "Andrei")."""
    return name_key(text).replace("ey", "ei")


def qualifier_before(text: str, start: int) -> str:
    """Initials printed right before a name ("G. I. " Myasnikov, "L. D. [" Trotsky), or a capitalized word."""
    before = text[max(0, start - 16):start]
    m = INITIALS_BEFORE.search(before)
    if m:
        return "" if m.group(1).strip() in TOV else m.group(1).strip()
    m = re.search(r"([A-Z][a-z]+)\s+\[?$", before)
    return m.group(1) if m else ""


def identification_forms(idents: Iterable[Identification], context_keys: frozenset[str] = frozenset()) -> list[DocForm]:
    """identifications.toml entries of one document as case-insensitive whole-word patterns; a context name
    ("Central Committee") followed by " of ..." is another body and is left to the authority forms."""
    return [DocForm(re.compile(_WORD_START + form_regex(i.form) + _WORD_END
                               + (r"(?!" + CONTEXT_QUALIFIED.pattern + ")" if name_key(i.form) in context_keys else ""),
                               re.I), i.entity, i.basis, i.kind, i.explanation) for i in idents]


def _without_overlaps(found: list[Found]) -> list[Found]:
    """Keep the best of overlapping spans: per-document forms, then brackets, then longer spans.

    Why a map of taken characters: comparing each span with every kept one was quadratic in the
    length of the text (a 2 MB letter has ~10^4 names). Spans are taken best first, as before; a
    non-empty span overlaps a kept one exactly when one of its characters is taken, so the work is
    the text's length plus the spans' lengths. Empty spans (no pattern here produces one) overlap
    differently; if there is one, the pairwise comparison decides, as it always did."""
    ranked = sorted(found, key=lambda f: (Found.PRIORITY[f.how], -(f.end - f.start), f.start))
    if any(f.start >= f.end for f in found):
        return _without_overlaps_pairwise(ranked)
    taken = bytearray(max((f.end for f in found), default=0))  # 1 where a kept span covers the character
    kept: list[Found] = []
    for f in ranked:
        if 1 not in taken[f.start:f.end]:
            taken[f.start:f.end] = b"\x01" * (f.end - f.start)
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def _without_overlaps_pairwise(ranked: list[Found]) -> list[Found]:
    """The definition itself (quadratic): a span is kept unless it overlaps a better one kept before it."""
    kept: list[Found] = []
    for f in ranked:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


# -- editorial notes that identify a form ----------------------------------------------------------------

PSEUDONYM_NOTE = re.compile(r"^(?P<surname>[A-Z][\w-]+)'s\s+(?:party\s+)?(?:pseudonym|nickname|alias)\.?$")
INITIALS_NOTE = re.compile(r"^(?P<initials>(?:[A-Z][a-z]?\.\s?){1,3})\s*(?P<surname>[A-Z][\w-]+)\.?$")


def note_forms(doc: Document, auth: Authorities) -> list[DocForm]:
    """Forms a note of this document identifies: "Radek's pseudonym." (the word the marker follows) and
    "A. I. Rykov." (the initials "A.I." in the text)."""
    out: list[DocForm] = []
    for note in doc.notes:
        text = " ".join(note.text.split())
        if m := PSEUDONYM_NOTE.match(text):
            person = _person(auth, m.group("surname"), None)
            if person:
                out += _pseudonym_forms(doc, note, person, auth)
        elif m := INITIALS_NOTE.match(text):
            person = _person(auth, m.group("surname"), m.group("initials"))
            if person:
                out.append(_initials_form(doc, note, person, m.group("initials"), m.group("surname")))
    return out


def note_explanation(doc: Document, note: Note) -> str:
    return f'note {note.number} to No. {doc.number or doc.key}: "{" ".join(note.text.split())}"'


def _person(auth: Authorities, surname: str, initials: str | None) -> str | None:
    """The one person with this surname (and these initials, when given); None when none or several."""
    ids = {nf.entity for nf in auth.lookup(surname) if nf.kind == "surname"}
    if initials:
        ids = {i for i in ids if name_key(initials) in {name_key(x) for x in auth.initials.get(i, ())}}
    return ids.pop() if len(ids) == 1 else None


def _pseudonym_forms(doc: Document, note: Note, person: str, auth: Authorities) -> list[DocForm]:
    bases = {nf.form for nf in auth.forms_of(person) if nf.explained_in == (doc.key, note.number)}
    if note.marker and note.marker.anchor.split():
        word = note.marker.anchor.split()[-1].split("[")[0].strip(".,;:!?()")
        if len(word) >= 3 and word[0].isupper():
            bases.add(word)
    keys = {variant_key(b) for b in bases}
    explanation = note_explanation(doc, note)
    return [DocForm(re.compile(_WORD_START + re.escape(base[0]) + r"[A-Za-z]*(?:\[[A-Za-z]+\][A-Za-z]*)*" + _WORD_END),
                    person, "editor-note", "pseudonym", explanation, note.number, _reads_as(keys))
            for base in sorted(bases)]


def _reads_as(keys: set[str]) -> Callable[[str], bool]:
    """Accept a token that reads as one of ``keys``; a bracket completion may add a short case ending."""
    def accept(token: str) -> bool:
        key = variant_key(token.replace("[", "").replace("]", ""))
        if key in keys:
            return True
        return "[" in token and any(key.startswith(k) and len(key) - len(k) <= MAX_ENDING for k in keys)
    return accept


def _initials_form(doc: Document, note: Note, person: str, initials: str, surname: str) -> DocForm:
    letters = re.findall(r"[A-Z][a-z]?", initials)
    core = r"\.\s?".join(re.escape(x) for x in letters) + r"\."
    abbreviations = "|".join(re.escape(surname[:n]) for n in (3, 2, 1))
    pattern = re.compile(r"(?<![\w.])" + core + rf"(?:\s?(?:{abbreviations})\.)?(?!\w)(?!\s?[A-Z])")
    return DocForm(pattern, person, "editor-note", "initials", note_explanation(doc, note), note.number)
