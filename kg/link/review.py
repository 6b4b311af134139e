"""The review file of `kg link` and `kg link --accept`, which turns reviewed rows into Wikidata links.

Why a file and a second step: a link is only published once a person has looked at it. `kg link`
writes every candidate (one CSV row each, best first per entity, with its score and reasons) and an
empty ``accept`` column; the reviewer marks rows ``y``; ``--accept`` appends exactly those rows to
``data/authority/wikidata-links.csv`` with provenance (which review file, method "reconciled", the
score as confidence, the date, the matched label and description as evidence). Accepting twice
changes nothing; an entity already linked to another item is reported, never overwritten.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from kg.config import Settings
from kg.errors import LinkingError
from kg.link.client import ClientConfig, WikidataClient
from kg.link.reconcile import (
    RECONCILE_KINDS,
    Candidate,
    LinkSummary,
    reconcile,
    subjects_from_entities,
    subjects_from_events,
)
from kg.model import DateStatement, Entity, Event

ENTITY_IRI = "http://www.wikidata.org/entity/"
QID = re.compile(r"^Q[1-9][0-9]*$")
YES = frozenset({"y", "yes", "x", "1", "true", "accept", "accepted", "ok"})
NO = frozenset({"n", "no", "0", "false", "reject", "rejected", "-"})
LINK_COLUMNS = ("entity_id", "wikidata", "source", "method", "confidence", "date", "evidence")


@dataclass(frozen=True)
class ReviewRow:
    """One row of the review file; every value is the text of the cell."""

    accept: str
    entity_id: str
    kind: str
    entity_label: str
    rank: str
    score: str
    qid: str
    label: str
    description: str
    dates: str
    matched: str
    reasons: str


REVIEW_COLUMNS = tuple(f.name for f in fields(ReviewRow))


@dataclass
class AcceptSummary:
    """What `kg link --accept` did."""

    added: list[str] = field(default_factory=list)  # "entity_id -> Q..."
    unchanged: list[str] = field(default_factory=list)  # accepted rows already in the links file
    problems: list[str] = field(default_factory=list)  # conflicts and unreadable rows (nothing written for them)

    def __str__(self) -> str:
        text = f"added {len(self.added)} links, {len(self.unchanged)} already present, {len(self.problems)} problems"
        return "\n".join([text, *(f"added {a}" for a in self.added), *(f"PROBLEM {p}" for p in self.problems)])


# -- writing and reading the review file ------------------------------------------------------------------


def review_rows(candidates: list[Candidate]) -> list[ReviewRow]:
    """Candidates as review rows, ranked 1..n within each entity, ``accept`` left empty."""
    rows, rank = [], defaultdict(int)
    for c in candidates:
        rank[c.subject.id] += 1
        rows.append(ReviewRow(accept="", entity_id=c.subject.id, kind=c.subject.kind, entity_label=c.subject.label,
                              rank=str(rank[c.subject.id]), score=str(c.score), qid=c.qid, label=c.label,
                              description=c.description, dates=c.dates, matched=c.matched,
                              reasons="; ".join(c.reasons)))
    return rows


def check_review_writable(path: Path) -> None:
    """Refuse to overwrite a review file someone has already marked: their work would be lost."""
    if path.exists() and any(row.accept.strip() for row in read_review(path)):
        raise LinkingError(f"{path}: already has reviewed rows (an 'accept' cell is filled); run "
                           f"`kg link --accept {path}` first or write the new candidates elsewhere with --out")


def write_review(path: Path, candidates: list[Candidate]) -> None:
    """Write the review CSV (ranked candidates, ``accept`` empty), never over a reviewed one."""
    check_review_writable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REVIEW_COLUMNS)
    for row in review_rows(candidates):
        writer.writerow([getattr(row, name) for name in REVIEW_COLUMNS])
    _replace(path, buffer.getvalue())


def read_review(path: Path) -> list[ReviewRow]:
    """Read a review file; missing columns are an error (we would not know what was accepted)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("accept", "entity_id", "qid") if c not in (reader.fieldnames or [])]
            if missing:
                raise LinkingError(f"{path}: not a review file (missing columns: {', '.join(missing)})")
            return [ReviewRow(**{name: (raw.get(name) or "").strip() for name in REVIEW_COLUMNS}) for raw in reader]
    except OSError as err:
        raise LinkingError(f"{path}: cannot read ({err.strerror})") from None


# -- accepting ----------------------------------------------------------------------------------------------


def accept_review(review: Path, links: Path, today: date | None = None,
                  known_ids: set[str] | None = None) -> AcceptSummary:
    """Append the accepted rows of ``review`` to the links CSV, with provenance. Idempotent."""
    summary = AcceptSummary()
    chosen = _accepted_rows(read_review(review), summary, known_ids)
    header, existing = _read_links(links)
    bare = any(v and not v.startswith("http") for v in existing.values())
    new_rows = []
    for entity_id, row in chosen.items():
        current = existing.get(entity_id)
        if current is not None:
            if current.rsplit("/", 1)[-1] == row.qid:
                summary.unchanged.append(f"{entity_id} -> {row.qid}")
            else:
                summary.problems.append(f"{entity_id}: already linked to {current}, not to {row.qid} (edit "
                                        f"{links.name} by hand to change it)")
            continue
        new_rows.append(_link_record(row, review, today or date.today(), bare))
        summary.added.append(f"{entity_id} -> {row.qid}")
    if new_rows:
        _append_links(links, header, new_rows)
    return summary


def _accepted_rows(rows: list[ReviewRow], summary: AcceptSummary,
                   known_ids: set[str] | None) -> dict[str, ReviewRow]:
    """The accepted row per entity; several accepted items for one entity, or bad cells, are problems."""
    by_entity: dict[str, list[ReviewRow]] = defaultdict(list)
    for number, row in enumerate(rows, start=2):
        mark = row.accept.lower()
        if not mark or mark in NO:
            continue
        if mark not in YES:
            summary.problems.append(f"line {number}: accept value {row.accept!r} is neither yes nor no")
        elif not QID.match(row.qid):
            summary.problems.append(f"line {number}: {row.qid!r} is not a Wikidata item id")
        elif known_ids is not None and row.entity_id not in known_ids:
            summary.problems.append(f"line {number}: {row.entity_id!r} is not an authority entity (events and "
                                    f"unknown ids cannot carry a link in the links file)")
        else:
            by_entity[row.entity_id].append(row)
    chosen = {}
    for entity_id, accepted in by_entity.items():
        qids = sorted({r.qid for r in accepted})
        if len(qids) > 1:
            summary.problems.append(f"{entity_id}: several items accepted ({', '.join(qids)}); accept one")
        else:
            chosen[entity_id] = accepted[0]
    return chosen


def _link_record(row: ReviewRow, review: Path, today: date, bare: bool) -> dict[str, str]:
    evidence = f"label '{row.label}'; description '{row.description}'; matched '{row.matched}'"
    if row.reasons:
        evidence += f"; {row.reasons}"
    return {"entity_id": row.entity_id, "wikidata": row.qid if bare else ENTITY_IRI + row.qid,
            "source": f"{review.name} (Wikidata API wbsearchentities/wbgetentities)", "method": "reconciled",
            "confidence": row.score, "date": today.isoformat(), "evidence": evidence}


def read_linked_ids(links: Path) -> set[str]:
    """Entity ids that already have a Wikidata link in the links CSV (skipped by `kg link`)."""
    return set(_read_links(links)[1])


def _read_links(links: Path) -> tuple[list[str], dict[str, str]]:
    """(header, entity_id -> wikidata value) of the links CSV; a missing file is an empty one."""
    if not links.exists():
        return list(LINK_COLUMNS), {}
    with links.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        if "entity_id" not in header or "wikidata" not in header:
            raise LinkingError(f"{links}: needs 'entity_id' and 'wikidata' columns (has: {', '.join(header)})")
        return header, {r["entity_id"]: (r.get("wikidata") or "").strip() for r in reader if r.get("entity_id")}


def _append_links(links: Path, header: list[str], records: list[dict[str, str]]) -> None:
    """Append rows under the file's own header; the existing bytes are kept as they are."""
    text = links.read_text(encoding="utf-8") if links.exists() else ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore", restval="")
    if not text:
        writer.writeheader()
    elif not text.endswith("\n"):
        text += "\n"
    writer.writerows(records)
    links.parent.mkdir(parents=True, exist_ok=True)
    _replace(links, text + buffer.getvalue())


def _replace(path: Path, text: str) -> None:
    """Write through a temporary file so a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


# -- the `kg link` run -----------------------------------------------------------------------------------------


def run_link(entities: list[Entity], events: list[Event], client: WikidataClient, links: Path, out: Path,
             kinds: tuple[str, ...] = RECONCILE_KINDS, limit: int | None = None,
             per_subject: int = 5) -> LinkSummary:
    """Reconcile what is not linked yet and write the review file. Writes no link: that is --accept's job."""
    check_review_writable(out)  # before spending any request
    linked = read_linked_ids(links)
    subjects, skipped = subjects_from_entities(entities, linked, kinds)
    if "event" in kinds:
        event_subjects, skipped_events = subjects_from_events(events, linked)
        subjects, skipped = subjects + event_subjects, skipped + skipped_events
    candidates, summary = reconcile(subjects[:limit] if limit is not None else subjects, client, per_subject)
    summary.skipped_linked = skipped
    write_review(out, candidates)
    return summary


# -- wiring to the project's settings and authority files (the `kg link` verb) ----------------------------------

DEFAULT_KINDS: tuple[str, ...] = ("person", "organization", "place")


def links_file(data_dir: Path) -> Path:
    """Where kg.resolve.authority reads the links (data/authority/wikidata-links.csv, or data_dir itself)."""
    folder = data_dir / "authority" if (data_dir / "authority").is_dir() else data_dir
    return folder / "wikidata-links.csv"


def default_review_file(data_dir: Path) -> Path:
    """Next to the links file it feeds, so the accepted review can be committed as the links' provenance."""
    return links_file(data_dir).with_name("wikidata-review.csv")


def default_cache_dir(settings: Settings) -> Path:
    return settings.output_dir.parent / ".cache" / "wikidata"


def link_from_settings(settings: Settings, out: Path | None = None, kinds: tuple[str, ...] = DEFAULT_KINDS,
                       limit: int | None = None, cache_dir: Path | None = None,
                       min_interval: float = 1.0) -> tuple[LinkSummary, Path]:
    """`kg link`: reconcile the unlinked authority entities (and curated events) into a review file."""
    from kg.resolve.authority import load_authorities

    authorities = load_authorities(settings.data_dir)
    events = [Event(e.id, e.label, e.kind, DateStatement(expressed="", edtf=None, earliest=None, latest=None))
              for e in authorities.events]  # curated events carry no date of their own
    config = ClientConfig(base_url=settings.wikidata_api, user_agent=settings.user_agent,
                          cache_dir=cache_dir or default_cache_dir(settings), min_interval=min_interval,
                          deadline=settings.wikidata_deadline, max_bytes=settings.wikidata_max_bytes)
    client = WikidataClient(config)
    review = out or default_review_file(settings.data_dir)
    summary = run_link(list(authorities.entities.values()), events, client, links_file(settings.data_dir), review,
                       kinds=kinds, limit=limit)
    return summary, review


def accept_from_settings(settings: Settings, review: Path, today: date | None = None) -> AcceptSummary:
    """`kg link --accept`: merge the accepted rows; only ids kg.resolve.authority can attach a link to are accepted."""
    from kg.resolve.authority import load_authorities

    known = set(load_authorities(settings.data_dir).entities)
    return accept_review(review, links_file(settings.data_dir), today=today, known_ids=known)
