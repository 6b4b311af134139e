"""Stage "resolve": who is who in each document — parties, names as written, mentions, events.

Why per document: a form's meaning depends on the letter ("the old man" is Lenin in No. 168 and
Kalinin in No. 170; "Andrei" is Radek where note 3 of No. 173 says so, and may be anybody elsewhere).
So each occurrence is decided in its document, from (in this order of trust) an editorial note of the
document, a reviewed identification (identifications.toml), the authority files, or the document's own
context — and the basis and an explanation are recorded with it. Anything ambiguous stays unresolved and
becomes a warning, because a wrong identification is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.config import Settings
from kg.errors import Diagnostic
from kg.model import Corpus, Document, Event, NameUsage, Note, ParseResult, Party, Resolution
from kg.progress import progress
from kg.resolve.authority import Authorities, NameForm, load_authorities, name_key
from kg.resolve.events import extract_events
from kg.resolve.names import DocForm, Found, NameFinder, identification_forms, note_explanation, note_forms
from kg.resolve.readings import read_context_name
from kg.resolve.replies import find_replies
from kg.resolve.text import BodyLines, clean_signature, doc_line, signature_regions, with_signature_lead

PARTY_NAME = re.compile(r"^(?P<initials>(?:[A-Z][a-z]{0,2}\.\s*)*)(?P<surname>.+?)\.?$")


@dataclass
class Decision:
    entity: str | None
    basis: str | None
    explanation: str
    kind: str
    silent: bool = False  # a context name no reading applies to here: words, not a name (not recorded)


@dataclass
class Context:
    """What is known about one document while its names are decided."""

    doc: Document
    auth: Authorities
    doc_forms: list[DocForm]
    established: dict[str, str] = field(default_factory=dict)  # entity -> how the document names it plainly
    parties: list[str | None] = field(default_factory=list)  # resolved senders then recipients (None: unresolved)


def resolve(result: ParseResult, settings: Settings) -> Corpus:
    """Resolve every document of ``result`` against the authority files under ``settings.data_dir``.

    Corpus.diagnostics holds the parser's diagnostics followed by ours (code "unresolved-name")."""
    return resolve_with(result, load_authorities(settings.data_dir))


def resolve_with(result: ParseResult, auth: Authorities) -> Corpus:
    """As ``resolve``, with authorities already loaded (tests, `kg link`)."""
    finder = NameFinder(auth)
    events = extract_events(result.documents, auth)
    corpus = Corpus(documents=result.documents, entities=dict(auth.entities), events=events,
                    aliases=list(auth.aliases), diagnostics=list(result.diagnostics))
    cited = events_by_document(events)
    replies = find_replies(result.documents, auth)
    for doc in progress(result.documents, "resolving"):
        res = resolve_document(doc, auth, finder)
        res.mentions = list(dict.fromkeys([*res.mentions, *cited.get(doc.key, ())]))
        res.reply = replies.found.get(doc.key)
        res.unlinked_reply = replies.refused.get(doc.key)
        corpus.resolutions[doc.key] = res
        corpus.diagnostics += unresolved_diagnostics(doc, res) + replies.diagnostics.get(doc.key, [])
    return corpus


def events_by_document(events: dict[str, Event]) -> dict[str, list[str]]:
    """Document key -> ids of the events its notes describe or its text names, in event order.

    Why an index: asking every event about every document was quadratic (2.5 s of 6 s at 2k letters)."""
    out: dict[str, dict[str, None]] = {}
    for ev in events.values():
        for key in [k for k, _ in ev.cited_in] + ev.named_in:
            out.setdefault(key, {})[ev.id] = None
    return {key: list(ids) for key, ids in out.items()}


def resolve_document(doc: Document, auth: Authorities, finder: NameFinder) -> Resolution:
    """Parties, name usages and mentions of one document."""
    ctx = Context(doc, auth, _doc_forms(doc, auth))
    res = Resolution(document=doc.key, place=_place(doc, auth))
    position = 0
    for role, parties, out in (("sender", doc.senders, res.senders), ("recipient", doc.recipients, res.recipients)):
        for party in parties:
            position += 1
            usage = resolve_party(party, ctx, position)
            out.append(usage.entity)
            ctx.parties.append(usage.entity)
            res.usages.append(usage)
            if usage.entity:
                ctx.established.setdefault(usage.entity, f"{role} {party.name} in the header")
    found = _find_all(ctx, finder)
    _establish(ctx, found)
    for where, note, line, f, cited, signature in found:
        d = decide(ctx, where, f)
        if d.silent:
            continue
        usage = NameUsage(document=doc.key, form=f.text, kind=d.kind, where=where, line=line, note=note,
                          entity=d.entity, basis=d.basis if d.entity else None, explanation=d.explanation,
                          span=(f.start, f.end), signature=signature)
        kind = ctx.auth.entities[usage.entity].kind if usage.entity else "person"
        if kind == "person" or f.how == "doc" or any(nf.scope == "dated" for nf in f.candidates):
            res.usages.append(usage)  # people, and bodies or places named only in context: whom, and why
        if usage.entity and where in ("body", "note") and kind != "archive" and not cited:
            res.mentions.append(usage.entity)  # archives are sources, cited titles name the publication
    res.mentions = list(dict.fromkeys(res.mentions))
    return res


def _doc_forms(doc: Document, auth: Authorities) -> list[DocForm]:
    """This document's identifications and note readings, then the context-dependent forms it does not settle."""
    idents = auth.identifications.get(doc.key, [])
    settled = {name_key(i.form) for i in idents}
    open_forms = [a for a in auth.ambiguous if name_key(a.form) not in settled]
    keys = frozenset(auth.context_keys)
    return identification_forms(idents, keys) + note_forms(doc, auth) + identification_forms(open_forms, keys)


# -- parties -------------------------------------------------------------------------------------------


def resolve_party(party: Party, ctx: Context, position: int) -> NameUsage:
    """A header party (the ``position``-th, senders then recipients): an organization by any of its names, a person
    by surname checked against initials."""
    line = ctx.doc.fields["header"].first_line if "header" in ctx.doc.fields else doc_line(ctx.doc)
    usage = NameUsage(document=ctx.doc.key, form=party.verbatim or party.name, kind="header", where="header",
                      line=line, party=position)
    if party.kind == "organization":
        ids = {nf.entity for name in (party.name, party.verbatim) for nf in ctx.auth.lookup(name)
               if ctx.auth.entities[nf.entity].kind == "organization"}
        reason = f"'{party.name}' is a name of no organization in organizations.toml"
    else:  # the normalized name first, then the header as printed (a normalization may have lost an initial)
        ids, reason = _person_party(ctx.auth, party.name)
        if len(ids) != 1 and party.verbatim and party.verbatim != party.name:
            ids = _person_party(ctx.auth, party.verbatim)[0] or ids
    if len(ids) == 1:
        usage.entity = ids.pop()
        usage.basis = "authority-file"
        usage.explanation = f"header '{party.verbatim or party.name}' = {ctx.auth.entities[usage.entity].pref_label}"
    else:
        usage.explanation = reason if not ids else f"ambiguous: {', '.join(sorted(ids))}"
    return usage


def _person_party(auth: Authorities, name: str) -> tuple[set[str], str]:
    """Candidates for a person named in a header: "I. V. Stalin", "Grigory Ordzhonikidze", "STALIN", "Koba".

    Given names count as initials ("Grigory K." = "G. K."); a surname that may designate several people
    (ambiguous_surname) or a pseudonym valid only where a note explains it needs initials that agree."""
    m = PARTY_NAME.match(name.strip())
    initials, rest = (m.group("initials").strip(), m.group("surname")) if m else ("", name)
    words = rest.split()
    forms = auth.lookup(rest)
    if not forms and len(words) > 1:
        forms = auth.lookup(words[-1])
        initials = " ".join([initials, *(f"{w[0]}." for w in words[:-1])]).strip()
    ids = {nf.entity for nf in forms if auth.entities[nf.entity].kind == "person"
           and (nf.scope in ("everywhere", "signature") or _initials_agree(auth, nf.entity, initials))
           and _initials_agree(auth, nf.entity, initials) is not False}
    return ids, f"no person in people.toml is named '{rest}' with initials '{initials}' unambiguously"


def _initials_agree(auth: Authorities, entity: str, initials: str) -> bool | None:
    """True/False when printed initials agree/disagree with the person's; None when nothing to compare."""
    known = [name_key(i) for i in auth.initials.get(entity, ())]
    if not initials or not known:
        return None
    return any(k.startswith(name_key(initials)) for k in known)


# -- finding and deciding names in the text --------------------------------------------------------------


Finding = tuple[str, int | None, int, Found, bool, int | None]


def _find_all(ctx: Context, finder: NameFinder) -> list[Finding]:
    """(where, note number, line, found, inside a cited publication, signature index) for the body (signatures
    marked), the signature lines the body does not repeat (their index in Document.signatures: the text
    Found's offsets are in) and every note. A name inside the reference a note cites ("The Communist
    Opposition in the USSR") is the publication's title, not something the note speaks of."""
    doc, out = ctx.doc, []
    regions = signature_regions(doc)
    lines = BodyLines(doc)
    for f in finder.find(doc.body, ctx.doc_forms):
        where = "signature" if any(a <= f.start < b for a, b in regions) else "body"
        if where == "signature":
            f = with_signature_lead(doc.body, f)
        out.append((where, None, lines.line(f.start), f, False, None))
    for i, sig in enumerate(doc.signatures):
        if not any(doc.body[a:b] == clean_signature(sig) for a, b in regions):
            line = doc.fields["signature"].first_line if "signature" in doc.fields else doc_line(doc)
            out += [("signature", None, line, with_signature_lead(sig, f), False, i)
                    for f in finder.find(sig, ctx.doc_forms)]
    for note in doc.notes:
        line = note.span.first_line if note.span else doc_line(doc)
        cited = publication_spans(note)
        out += [("note", note.number, line, f, any(a <= f.start < b for a, b in cited), None)
                for f in finder.find(note.text, ctx.doc_forms)]
    return out


def publication_spans(note: Note) -> list[tuple[int, int]]:
    """Where the publications a note cites stand in its text (their verbatim references)."""
    out = []
    for ref in note.references:
        at = note.text.find(ref.verbatim) if ref.kind == "publication" and ref.verbatim else -1
        if at >= 0:
            out.append((at, at + len(ref.verbatim)))
    return out


def _establish(ctx: Context, found: list[Finding]) -> None:
    """Entities the document names unambiguously (initials or first name + surname, a note, an identification)."""
    for _, _, _, f, _, _ in found:
        if f.doc_form and f.doc_form.entity:
            ctx.established.setdefault(f.doc_form.entity, f"'{f.text}': {f.doc_form.explanation}")
        for nf in f.candidates:
            if _qualified(ctx.auth, nf, f.qualifier):
                ctx.established.setdefault(nf.entity, f"named '{f.qualifier} {f.text}' in this document")


def _qualified(auth: Authorities, nf: NameForm, qualifier: str) -> bool:
    if not qualifier or nf.kind != "surname":
        return False
    if qualifier.endswith("."):
        return bool(_initials_agree(auth, nf.entity, qualifier))
    entity = auth.entities[nf.entity]
    first_names = {f.form for f in auth.forms_of(nf.entity) if f.kind == "first-name"}
    first_names |= {entity.full_name.split()[0]} if entity.full_name else set()
    return qualifier in first_names


def decide(ctx: Context, where: str, f: Found) -> Decision:
    """Whom a found name designates here, and why; entity None with the reason when we cannot tell."""
    if f.how == "doc" and f.doc_form:
        return Decision(f.doc_form.entity, f.doc_form.basis, f.doc_form.explanation, f.doc_form.kind)
    if f.how == "comrade":
        return Decision(None, None, f"'{f.text}' is in no authority file", "surname")
    kind = _kind(f.candidates)
    if f.how == "bracket":  # "L. D. [Trotsky]" is initials the editors completed; "St[alin]" a completed word
        kind = "initials" if f.qualifier.endswith(".") and f.text.startswith(f.qualifier) else "bracketed"
    allowed: dict[str, Decision] = {}
    refused: list[str] = []
    for nf in f.candidates:
        if _initials_agree(ctx.auth, nf.entity, f.qualifier) is False and f.qualifier.endswith("."):
            refused.append(f"initials '{f.qualifier}' are not those of {ctx.auth.entities[nf.entity].pref_label}")
            continue
        verdict = _by_scope(ctx, where, nf, f)
        if isinstance(verdict, str):
            refused.append(verdict)
        else:
            allowed.setdefault(nf.entity, Decision(nf.entity, verdict[0], verdict[1], kind))
    if len(allowed) == 1:
        return next(iter(allowed.values()))
    if allowed:
        return Decision(None, None, f"'{f.text}' may be any of {', '.join(sorted(allowed))}", kind)
    silent = bool(f.candidates) and all(nf.scope == "dated" for nf in f.candidates)
    return Decision(None, None, "; ".join(dict.fromkeys(refused)) or f"'{f.text}' is in no authority file", kind,
                    silent)


def _by_scope(ctx: Context, where: str, nf: NameForm, f: Found) -> tuple[str, str] | str:
    """(basis, explanation) when the form may designate nf.entity here; else the reason it may not."""
    entity = ctx.auth.entities[nf.entity]
    note = _explaining_note(ctx, nf)
    if note is not None:
        return "editor-note", f"'{f.text}' = {entity.pref_label}: {note_explanation(ctx.doc, note)}"
    if nf.scope == "explained":
        told = f" (explained in No. {nf.explained_in[0]}, note {nf.explained_in[1]})" if nf.explained_in else ""
        return f"'{nf.form}' designates {entity.pref_label} only where a note or identification says so{told}"
    if nf.scope == "dated":
        return read_in_context(ctx, nf, f.text)
    if nf.scope == "signature" and where != "signature":
        return f"'{nf.form}' designates {entity.pref_label} only as a signature"
    if nf.scope == "established":
        if _qualified(ctx.auth, nf, f.qualifier):
            shown = f.text if f.text.startswith(f.qualifier) else f"{f.qualifier} {f.text}"
            return "context", f"'{shown}' = {entity.pref_label}"
        if nf.entity not in ctx.established:
            return (f"'{f.text}' may designate someone other than {entity.pref_label}, and this document does "
                    "not name him or her unambiguously")
        return "context", f"'{f.text}' = {entity.pref_label}, as the document names: {ctx.established[nf.entity]}"
    if f.how == "bracket":
        return "editor-note", (f"'{f.text}': the editors' completion in brackets names {entity.pref_label} "
                               f"('{nf.form}' in the authority files)")
    source = f" (pseudonym explained in No. {nf.explained_in[0]}, note {nf.explained_in[1]})" if nf.explained_in else ""
    return "authority-file", f"'{f.text}' is a {nf.kind} of {entity.pref_label} in the authority files{source}"


def read_in_context(ctx: Context, nf: NameForm, form: str) -> tuple[str, str] | str:
    """A body's context name ("Central Committee") read by the letter's date and parties (kg.resolve.readings)."""
    labels = {p: ctx.auth.entities[p].pref_label for p in ctx.parties if p}
    return read_context_name(ctx.auth.readings[nf.entity], ctx.doc, ctx.parties, ctx.auth.entities[nf.entity],
                             labels, form)


def _explaining_note(ctx: Context, nf: NameForm) -> Note | None:
    """The note of this document that explains nf (and names its person), if the authority file points to one."""
    if not nf.explained_in or nf.explained_in[0] != ctx.doc.key:
        return None
    surnames = [name_key(s.form) for s in ctx.auth.forms_of(nf.entity) if s.kind == "surname"]
    for note in ctx.doc.notes:
        if note.number == nf.explained_in[1] and any(s in name_key(note.text) for s in surnames):
            return note
    return None


def _kind(candidates: tuple[NameForm, ...]) -> str:
    kinds = {nf.kind for nf in candidates}
    return kinds.pop() if len(kinds) == 1 else "surname"


# -- places and diagnostics ----------------------------------------------------------------


def _place(doc: Document, auth: Authorities) -> str | None:
    if not doc.place:
        return None
    ids = {nf.entity for nf in auth.lookup(doc.place) if auth.entities[nf.entity].kind == "place"}
    return ids.pop() if len(ids) == 1 else None


def unresolved_diagnostics(doc: Document, res: Resolution) -> list[Diagnostic]:
    """One warning per unresolved form and document (its first occurrence), for `kg build` to print."""
    out, seen = [], set()
    for u in res.usages:
        if u.entity is None and (u.where, name_key(u.form)) not in seen:
            seen.add((u.where, name_key(u.form)))
            where = f"note {u.note}" if u.note is not None else u.where
            out.append(Diagnostic(file=doc.source.file if doc.source else "", line=u.line, document=doc.key,
                                  code="unresolved-name", severity="warning",
                                  message=f"name '{u.form}' ({where}) not resolved: {u.explanation}"))
    return out
