"""Authority files: people, organizations, places, archives, events, identifications, Wikidata links, aliases.

Why hand-written files (data/authority/*.toml, wikidata-links.csv) rather than names guessed from the
text: the translation spells one person many ways and calls people by nicknames, and a wrong
identification is worse than none. So every form the resolver may link must have been read by a
reviewer here. Malformed files fail loudly, naming the file and the entry, because a silently skipped
entry would become a silently unresolved (or wrongly resolved) name.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.model import FACTUALITIES, Entity, EntityKind, Factuality, IriAlias, WikidataLink
from kg.resolve.aliases import load_aliases
from kg.resolve.gazetteer import load_gazetteer

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QID_IRI = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
LINK_COLUMNS = ("entity_id", "wikidata", "source", "method", "confidence", "date", "evidence")
SCOPES = ("everywhere", "signature", "established", "explained")  # "dated": context_names of a body (Reading)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
READ_WHEN = ("always", "parties-resolved")
BASES = ("context", "editor-note", "authority-file")
ENTITY_FILES: tuple[tuple[str, str, EntityKind], ...] = (
    ("people.toml", "person", "person"), ("organizations.toml", "organization", "organization"),
    ("places.toml", "place", "place"), ("archives.toml", "archive", "archive"))


class AuthorityError(KGError):
    """An authority file is malformed: the message names the file and the entry."""

    def __init__(self, path: Path, where: str, message: str):
        self.path, self.where = path, where
        super().__init__(f"{path}: {where}: {message}")


@dataclass(frozen=True)
class NameForm:
    """One form an entity is known by, and where it may be trusted to designate it."""

    form: str  # as printed: "Koba", "Chubarov", "A. D. Ts.", "Politburo"
    entity: str
    kind: str  # surname | initials | nickname | pseudonym | first-name | label
    scope: str = "everywhere"  # everywhere | signature | established | explained (see people.toml)
    explained_in: tuple[str, int] | None = None  # (document, note) whose editorial note explains it


@dataclass(frozen=True)
class Identification:
    """A per-document reading of a form from context (identifications.toml). entity None = read, unknown."""

    document: str
    form: str
    entity: str | None
    basis: str
    kind: str
    explanation: str


@dataclass(frozen=True)
class HistoricalEvent:
    """A curated event (events.toml): the words that recognize the sentence stating it, who took part, and the
    evidence a reviewer checks it against (``stated_in``: "168/2" is note 2 to No. 168, "177" the letter's text)."""

    id: str
    label: str
    kind: str
    keywords: tuple[str, ...]
    places: tuple[str, ...] = ()
    body: str | None = None
    description: str = ""
    bodies: tuple[str, ...] = ()  # further acting bodies (decided jointly)
    participants: tuple[str, ...] = ()
    work: str = ""  # a publication: the title of the work
    date_words: str = ""  # verbatim words dating it when the sentence has no full date ("15/XII", "at the same time")
    date_of: str = ""  # the event those words date it by ("at the same time" as the Politburo meeting of 24 January);
    # "letter": the date of the letter whose text names it ("tomorrow", "last year": words counting from it)
    date_relation: str = ""  # same | after | at (date_of's date: about it, not before it, at that sitting); for the
    # letter day-after | year-before | month-next ("tomorrow", "last year", "in January")
    text_names: tuple[str, ...] = ()  # forms naming it in the texts of the letters of stated_in (anywhere: in any)
    anywhere: bool = False  # text_names name this event in any letter (the Brest peace), not only where read
    stated_in: tuple[str, ...] = ()
    source: str = ""  # what the stating note cites, verbatim ("" = none)
    undated: bool = False  # the stating note gives no date, and none is read: an event without a date
    factuality: Factuality = "stated"  # how that note or letter puts it (bcv:Factuality): stated, supposed ...


@dataclass(frozen=True)
class Reading:
    """When a body's context_names ("Central Committee", "Sovnarkom") designate it: the letter's date within
    [start, end] (ISO, None = open) and, for "parties-resolved", every party of the letter in the authority files."""

    entity: str
    start: str | None
    end: str | None
    when: str = "always"

    def period(self) -> str:
        if self.start and self.end:
            return f"from {self.start} to {self.end}"
        return f"from {self.start}" if self.start else f"until {self.end}" if self.end else "at any date"


@dataclass
class Authorities:
    """Everything the resolver may link to, with the index from printed forms to entity ids."""

    entities: dict[str, Entity] = field(default_factory=dict)
    forms: list[NameForm] = field(default_factory=list)
    initials: dict[str, tuple[str, ...]] = field(default_factory=dict)  # person id -> "I. V.", "J. V."
    qualifiable: set[str] = field(default_factory=set)  # org ids whose names also denote other bodies
    identifications: dict[str, list[Identification]] = field(default_factory=dict)  # document -> entries
    ambiguous: list[Identification] = field(default_factory=list)  # forms whose meaning depends on the letter
    events: list[HistoricalEvent] = field(default_factory=list)
    readings: dict[str, Reading] = field(default_factory=dict)  # body id -> when its context_names designate it
    context_keys: set[str] = field(default_factory=set)  # name_key of every context name
    aliases: list[IriAlias] = field(default_factory=list)  # withdrawn IRIs (aliases.toml)

    _by_key: dict[str, list[NameForm]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_entity: dict[str, list[NameForm]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _indexed: int = field(default=-1, init=False, repr=False, compare=False)

    @property
    def index(self) -> dict[str, list[str]]:
        """Normalized form -> entity ids (several ids: the form is ambiguous)."""
        out: dict[str, list[str]] = {}
        for nf in self.forms:
            ids = out.setdefault(name_key(nf.form), [])
            if nf.entity not in ids:
                ids.append(nf.entity)
        return out

    def _reindex(self) -> None:
        """(Re)build the key and entity indexes when forms were added since the last lookup.

        Why: a lookup used to scan every form with name_key (783k calls for 3k lookups at 1k letters);
        forms are only ever appended, so their count tells whether the index is current."""
        if self._indexed == len(self.forms):
            return
        self._by_key, self._by_entity = {}, {}
        for nf in self.forms:
            self._by_key.setdefault(name_key(nf.form), []).append(nf)
            self._by_entity.setdefault(nf.entity, []).append(nf)
        self._indexed = len(self.forms)

    def lookup(self, form: str) -> list[NameForm]:
        """Every authority form equal to ``form`` up to case, spacing and punctuation (in file order)."""
        self._reindex()
        return list(self._by_key.get(name_key(form), ()))

    def forms_of(self, entity: str) -> list[NameForm]:
        """Every form of one entity, in file order."""
        self._reindex()
        return list(self._by_entity.get(entity, ()))


NOT_KEY = re.compile(r"[^0-9a-zа-яё]")


def name_key(text: str) -> str:
    """Comparison key: lower case, letters and digits only ("A.D.Ts." == "A. D. Ts.", "RCP (b)" == "RCP(b)")."""
    return NOT_KEY.sub("", text.lower())


def load_authorities(data_dir: Path) -> Authorities:
    """Read data_dir/authority/*.toml and wikidata-links.csv (data_dir is Settings.data_dir, "data/")."""
    folder = data_dir / "authority" if (data_dir / "authority").is_dir() else data_dir
    auth = Authorities()
    for filename, table, kind in ENTITY_FILES:
        path = folder / filename
        for i, row in enumerate(_read_toml(path).get(table, [])):
            _add_entity(auth, path, f"[[{table}]] #{i + 1}", row, kind)
    _load_identifications(auth, folder / "identifications.toml")
    _load_events(auth, folder / "events.toml")
    _load_links(auth, folder / "wikidata-links.csv")
    auth.aliases = load_aliases(folder / "aliases.toml")
    load_gazetteer(auth.entities, folder / "geonames.csv")
    return auth


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise AuthorityError(path, "syntax", str(err)) from None


def _get(path: Path, where: str, row: dict[str, Any], key: str, typ: type, default: Any = ...) -> Any:
    """A typed value of an entry; a missing required key or a wrong type names the file and entry."""
    if key not in row:
        if default is ...:
            raise AuthorityError(path, where, f"missing key '{key}'")
        return default
    value = row[key]
    if typ is list:
        if not isinstance(value, list) or not all(isinstance(v, str | dict) for v in value):
            raise AuthorityError(path, where, f"'{key}' must be a list")
    elif not isinstance(value, typ):
        raise AuthorityError(path, where, f"'{key}' must be a {typ.__name__}, not {type(value).__name__}")
    return value


def _add_entity(auth: Authorities, path: Path, where: str, row: dict[str, Any], kind: EntityKind) -> None:
    ent_id = _get(path, where, row, "id", str)
    where = f"{where} (id '{ent_id}')"
    if not SLUG.match(ent_id):
        raise AuthorityError(path, where, "id must be an ASCII lower-case slug (a-z, 0-9, '-')")
    if ent_id in auth.entities:
        raise AuthorityError(path, where, "duplicate id")
    label = _get(path, where, row, "label", str)
    alt: list[str] = []
    if kind == "person":
        _person_forms(auth, path, where, row, ent_id, alt)
    else:
        for name in _get(path, where, row, "names", list, []):
            if not isinstance(name, str):
                raise AuthorityError(path, where, "'names' must be a list of strings")
            auth.forms.append(NameForm(name, ent_id, "label"))
            alt.append(name)
        if _get(path, where, row, "qualifiable", bool, False):
            auth.qualifiable.add(ent_id)
        alt += _context_names(auth, path, where, row, ent_id)  # names it bears, read by context ("PB")
    auth.entities[ent_id] = Entity(
        id=ent_id, kind=kind, pref_label=label, alt_labels=[a for a in dict.fromkeys(alt) if a != label],
        full_name=_get(path, where, row, "full_name", str, None),
        description=_get(path, where, row, "description", str, None),
        founded=_day(path, where, row, "founded"), dissolved=_day(path, where, row, "dissolved"),
        source=_get(path, where, row, "source", str, None))


def _day(path: Path, where: str, row: dict[str, Any], key: str) -> str | None:
    value = _get(path, where, row, key, str, None)
    if value is not None and not ISO_DAY.match(value):
        raise AuthorityError(path, where, f"'{key}' must be an ISO date YYYY-MM-DD, not {value!r}")
    return value


def _context_names(auth: Authorities, path: Path, where: str, row: dict[str, Any], ent_id: str) -> list[str]:
    """A body's context_names as "dated" forms, with the Reading that says when they designate it; returns them."""
    names = _get(path, where, row, "context_names", list, [])
    if not names:
        return []
    when = _get(path, where, row, "read_when", str, "always")
    if when not in READ_WHEN:
        raise AuthorityError(path, where, f"read_when must be one of {', '.join(READ_WHEN)}")
    auth.readings[ent_id] = Reading(ent_id, _day(path, where, row, "read_from"), _day(path, where, row, "read_until"),
                                    when)
    for name in names:
        if not isinstance(name, str):
            raise AuthorityError(path, where, "'context_names' must be a list of strings")
        auth.forms.append(NameForm(name, ent_id, "label", "dated"))
        auth.context_keys.add(name_key(name))
    return names


def _person_forms(auth: Authorities, path: Path, where: str, row: dict[str, Any], ent_id: str,
                  alt: list[str]) -> None:
    """Surnames, initials and other names of a person, as NameForms (and labels for publication)."""
    surnames = _get(path, where, row, "surnames", list)
    initials = tuple(_get(path, where, row, "initials", list, []))
    declined = _get(path, where, row, "declined", list, [])  # case forms the translation kept: match, never label
    if not all(isinstance(s, str) for s in [*surnames, *initials, *declined]):
        raise AuthorityError(path, where, "'surnames', 'initials' and 'declined' must be lists of strings")
    surname_scope = "established" if _get(path, where, row, "ambiguous_surname", bool, False) else "everywhere"
    auth.initials[ent_id] = initials
    for s in [*surnames, *declined]:
        auth.forms.append(NameForm(s, ent_id, "surname", surname_scope))
    alt.extend(f"{i} {s}" for s in surnames for i in initials if len(i) > 3)
    alt.extend(surnames[1:])
    for j, name in enumerate(_get(path, where, row, "names", list, [])):
        here = f"{where} names[{j}]"
        if not isinstance(name, dict):
            raise AuthorityError(path, here, "each name must be a table { form = ..., kind = ... }")
        scope = _get(path, here, name, "scope", str, "everywhere")
        if scope not in SCOPES:
            raise AuthorityError(path, here, f"scope must be one of {', '.join(SCOPES)}")
        form = _get(path, here, name, "form", str)
        explained = _explained_in(path, here, _get(path, here, name, "explained_in", str, None))
        auth.forms.append(NameForm(form, ent_id, _get(path, here, name, "kind", str), scope, explained))
        if _get(path, here, name, "label", bool, True):
            alt.append(form)


def _explained_in(path: Path, where: str, value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    m = re.fullmatch(r"(\w+)/(\d+)", value)
    if not m:
        raise AuthorityError(path, where, f"explained_in must be 'DOCUMENT/NOTE' like '173/10', not {value!r}")
    return m.group(1), int(m.group(2))


def _load_identifications(auth: Authorities, path: Path) -> None:
    data = _read_toml(path)
    for i, row in enumerate(data.get("ambiguous", [])):
        where = f"[[ambiguous]] #{i + 1}"
        auth.ambiguous.append(Identification(
            document="", form=_get(path, where, row, "form", str), entity=None, basis="context",
            kind=_get(path, where, row, "kind", str), explanation=_get(path, where, row, "explanation", str)))
    for i, row in enumerate(data.get("identification", [])):
        where = f"[[identification]] #{i + 1}"
        entity = _get(path, where, row, "entity", str) or None
        if entity is not None and entity not in auth.entities:
            raise AuthorityError(path, where, f"unknown entity '{entity}'")
        basis = _get(path, where, row, "basis", str)
        if basis not in BASES:
            raise AuthorityError(path, where, f"basis must be one of {', '.join(BASES)}")
        ident = Identification(
            document=_get(path, where, row, "document", str), form=_get(path, where, row, "form", str),
            entity=entity, basis=basis, kind=_get(path, where, row, "kind", str),
            explanation=_get(path, where, row, "explanation", str))
        auth.identifications.setdefault(ident.document, []).append(ident)


EVENT_KINDS = ("decision", "meeting", "plenum", "publication", "death", "arrest", "return", "expulsion", "historical")
STATED_IN = re.compile(r"^\d+[a-z]?(?:/\d+)?$")


def _load_events(auth: Authorities, path: Path) -> None:
    for i, row in enumerate(_read_toml(path).get("event", [])):
        where = f"[[event]] #{i + 1}"
        ev_id, kind = _get(path, where, row, "id", str), _get(path, where, row, "kind", str)
        if not SLUG.match(ev_id):
            raise AuthorityError(path, where, "id must be an ASCII lower-case slug")
        if kind not in EVENT_KINDS:
            raise AuthorityError(path, where, f"kind must be one of {', '.join(EVENT_KINDS)}")
        ids = {key: tuple(_get(path, where, row, key, list, [])) for key in ("places", "bodies", "participants")}
        body = _get(path, where, row, "body", str, None)
        unknown = [e for e in (*ids["places"], *ids["bodies"], *ids["participants"], body)
                   if e and e not in auth.entities]
        if unknown:
            raise AuthorityError(path, where, f"unknown entity id(s) {', '.join(unknown)}")
        stated_in = tuple(_get(path, where, row, "stated_in", list))
        if not stated_in or not all(STATED_IN.match(s) for s in stated_in):
            raise AuthorityError(path, where, "stated_in must list the notes ('168/2') or letters ('177') stating it")
        relation = _get(path, where, row, "date_relation", str, "")
        of_letter = row.get("date_of") == "letter"
        allowed = ("day-after", "year-before", "month-next") if of_letter else ("same", "after", "at")
        if (relation and relation not in allowed) or bool(relation) != bool(row.get("date_of")):
            raise AuthorityError(path, where,
                                 f"date_relation ({' | '.join(allowed)}) goes with date_of, and only with it")
        if of_letter and not row.get("text_names"):
            raise AuthorityError(path, where, 'date_of = "letter" dates words of a letter\'s text (text_names)')
        factuality = _get(path, f"{where} ({ev_id})", row, "factuality", str)  # no default: a reviewer reads each
        if factuality not in FACTUALITIES:
            raise AuthorityError(path, f"{where} ({ev_id})", f"factuality '{factuality}' is not one of "
                                 f"{', '.join(FACTUALITIES)} (bcv:Factuality)")
        auth.events.append(HistoricalEvent(
            id=ev_id, label=_get(path, where, row, "label", str), kind=kind,
            keywords=tuple(_get(path, where, row, "keywords", list, [])), places=ids["places"], body=body,
            description=_get(path, where, row, "description", str, ""), bodies=ids["bodies"],
            participants=ids["participants"], work=_get(path, where, row, "work", str, ""),
            date_words=_get(path, where, row, "date_words", str, ""),
            date_of=_get(path, where, row, "date_of", str, ""),
            date_relation=relation, text_names=tuple(_get(path, where, row, "text_names", list, [])),
            stated_in=stated_in, source=_get(path, where, row, "source", str, ""),
            anywhere=_get(path, where, row, "anywhere", bool, False),
            undated=_get(path, where, row, "undated", bool, False), factuality=factuality))
        if not auth.events[-1].keywords and not auth.events[-1].text_names:
            raise AuthorityError(path, where, "an event needs keywords (of a note sentence) or text_names (in a text)")


def _load_links(auth: Authorities, path: Path) -> None:
    """Attach the curated/accepted Wikidata links; every row must name an entity and a well-formed QID."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in LINK_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise AuthorityError(path, "header", f"missing columns: {', '.join(missing)}")
        for n, row in enumerate(reader, start=2):
            _attach_link(auth, path, f"line {n}", row)


def _attach_link(auth: Authorities, path: Path, where: str, row: dict[str, str]) -> None:
    ent_id, iri = (row.get("entity_id") or "").strip(), (row.get("wikidata") or "").strip()
    entity = auth.entities.get(ent_id)
    if entity is None:
        raise AuthorityError(path, where, f"unknown entity '{ent_id}'")
    if not QID_IRI.match(iri):
        raise AuthorityError(path, where, f"'{iri}' is not a Wikidata entity IRI (http://www.wikidata.org/entity/Q…)")
    method = (row.get("method") or "").strip()
    if method not in ("curated", "reconciled"):
        raise AuthorityError(path, where, "method must be 'curated' or 'reconciled'")
    if not (row.get("source") or "").strip() or not (row.get("evidence") or "").strip():
        raise AuthorityError(path, where, "a link needs its source and evidence")
    if entity.wikidata is not None and entity.wikidata.iri != iri:
        raise AuthorityError(path, where, f"'{ent_id}' already linked to {entity.wikidata.iri}")
    entity.wikidata = WikidataLink(iri=iri, source=row["source"].strip(), method=method,  # type: ignore[arg-type]
                                   confidence=(row.get("confidence") or "").strip(),
                                   date=(row.get("date") or "").strip(), evidence=row["evidence"].strip())
