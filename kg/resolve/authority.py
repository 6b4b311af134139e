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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.model import Entity, EntityKind, IriAlias, WikidataLink
from kg.resolve.aliases import load_aliases
from kg.resolve.authority_rows import SLUG, AuthorityError, read_toml, value_of
from kg.resolve.event_entries import HistoricalEvent, load_events
from kg.resolve.gazetteer import load_gazetteer

QID_IRI = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
LINK_COLUMNS = ("entity_id", "wikidata", "source", "method", "confidence", "date", "evidence")
SCOPES = ("everywhere", "signature", "established", "explained")  # "dated": context_names of a body (Reading)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
READ_WHEN = ("always", "parties-resolved")
BASES = ("context", "editor-note", "authority-file")
ENTITY_FILES: tuple[tuple[str, str, EntityKind], ...] = (
    ("people.toml", "person", "person"), ("organizations.toml", "organization", "organization"),
    ("places.toml", "place", "place"), ("archives.toml", "archive", "archive"))


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
        for i, row in enumerate(read_toml(path).get(table, [])):
            _add_entity(auth, path, f"[[{table}]] #{i + 1}", row, kind)
    _load_identifications(auth, folder / "identifications.toml")
    auth.events = load_events(folder / "events.toml", auth.entities)
    _load_links(auth, folder / "wikidata-links.csv")
    auth.aliases = load_aliases(folder / "aliases.toml")
    load_gazetteer(auth.entities, folder / "geonames.csv")
    return auth


def _add_entity(auth: Authorities, path: Path, where: str, row: dict[str, Any], kind: EntityKind) -> None:
    ent_id = value_of(path, where, row, "id", str)
    where = f"{where} (id '{ent_id}')"
    if not SLUG.match(ent_id):
        raise AuthorityError(path, where, "id must be an ASCII lower-case slug (a-z, 0-9, '-')")
    if ent_id in auth.entities:
        raise AuthorityError(path, where, "duplicate id")
    label = value_of(path, where, row, "label", str)
    alt: list[str] = []
    if kind == "person":
        _person_forms(auth, path, where, row, ent_id, alt)
    else:
        for name in value_of(path, where, row, "names", list, []):
            if not isinstance(name, str):
                raise AuthorityError(path, where, "'names' must be a list of strings")
            auth.forms.append(NameForm(name, ent_id, "label"))
            alt.append(name)
        if value_of(path, where, row, "qualifiable", bool, False):
            auth.qualifiable.add(ent_id)
        alt += _context_names(auth, path, where, row, ent_id)  # names it bears, read by context ("PB")
    auth.entities[ent_id] = Entity(
        id=ent_id, kind=kind, pref_label=label, alt_labels=[a for a in dict.fromkeys(alt) if a != label],
        full_name=value_of(path, where, row, "full_name", str, None),
        description=value_of(path, where, row, "description", str, None),
        founded=_day(path, where, row, "founded"), dissolved=_day(path, where, row, "dissolved"),
        source=value_of(path, where, row, "source", str, None))


def _day(path: Path, where: str, row: dict[str, Any], key: str) -> str | None:
    value = value_of(path, where, row, key, str, None)
    if value is not None and not ISO_DAY.match(value):
        raise AuthorityError(path, where, f"'{key}' must be an ISO date YYYY-MM-DD, not {value!r}")
    return value


def _context_names(auth: Authorities, path: Path, where: str, row: dict[str, Any], ent_id: str) -> list[str]:
    """A body's context_names as "dated" forms, with the Reading that says when they designate it; returns them."""
    names = value_of(path, where, row, "context_names", list, [])
    if not names:
        return []
    when = value_of(path, where, row, "read_when", str, "always")
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
    surnames = value_of(path, where, row, "surnames", list)
    initials = tuple(value_of(path, where, row, "initials", list, []))
    declined = value_of(path, where, row, "declined", list, [])  # case forms the translation kept: match, never label
    if not all(isinstance(s, str) for s in [*surnames, *initials, *declined]):
        raise AuthorityError(path, where, "'surnames', 'initials' and 'declined' must be lists of strings")
    surname_scope = "established" if value_of(path, where, row, "ambiguous_surname", bool, False) else "everywhere"
    auth.initials[ent_id] = initials
    for s in [*surnames, *declined]:
        auth.forms.append(NameForm(s, ent_id, "surname", surname_scope))
    alt.extend(f"{i} {s}" for s in surnames for i in initials if len(i) > 3)
    alt.extend(surnames[1:])
    for j, name in enumerate(value_of(path, where, row, "names", list, [])):
        here = f"{where} names[{j}]"
        if not isinstance(name, dict):
            raise AuthorityError(path, here, "each name must be a table { form = ..., kind = ... }")
        scope = value_of(path, here, name, "scope", str, "everywhere")
        if scope not in SCOPES:
            raise AuthorityError(path, here, f"scope must be one of {', '.join(SCOPES)}")
        form = value_of(path, here, name, "form", str)
        explained = _explained_in(path, here, value_of(path, here, name, "explained_in", str, None))
        auth.forms.append(NameForm(form, ent_id, value_of(path, here, name, "kind", str), scope, explained))
        if value_of(path, here, name, "label", bool, True):
            alt.append(form)


def _explained_in(path: Path, where: str, value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    m = re.fullmatch(r"(\w+)/(\d+)", value)
    if not m:
        raise AuthorityError(path, where, f"explained_in must be 'DOCUMENT/NOTE' like '173/10', not {value!r}")
    return m.group(1), int(m.group(2))


def _load_identifications(auth: Authorities, path: Path) -> None:
    data = read_toml(path)
    for i, row in enumerate(data.get("ambiguous", [])):
        where = f"[[ambiguous]] #{i + 1}"
        auth.ambiguous.append(Identification(
            document="", form=value_of(path, where, row, "form", str), entity=None, basis="context",
            kind=value_of(path, where, row, "kind", str), explanation=value_of(path, where, row, "explanation", str)))
    for i, row in enumerate(data.get("identification", [])):
        where = f"[[identification]] #{i + 1}"
        entity = value_of(path, where, row, "entity", str) or None
        if entity is not None and entity not in auth.entities:
            raise AuthorityError(path, where, f"unknown entity '{entity}'")
        basis = value_of(path, where, row, "basis", str)
        if basis not in BASES:
            raise AuthorityError(path, where, f"basis must be one of {', '.join(BASES)}")
        ident = Identification(
            document=value_of(path, where, row, "document", str), form=value_of(path, where, row, "form", str),
            entity=entity, basis=basis, kind=value_of(path, where, row, "kind", str),
            explanation=value_of(path, where, row, "explanation", str))
        auth.identifications.setdefault(ident.document, []).append(ident)


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
