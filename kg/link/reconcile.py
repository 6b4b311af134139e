"""`kg link`: propose Wikidata candidates for unlinked people, organizations, places and events.

Why it only proposes: a wrong Wikidata link is worse than none, and the name "Ordzhonikidze" finds a
politician, a city and a dozen streets. So each candidate is scored with reasons a reviewer can
check — type (a human for people), life dates compatible with activity in 1912–1927, which of our
names (transliteration variants included) matched which Wikidata label or alias, and descriptive
keywords — and written to a review file. Only ``kg link --accept`` (kg.link.review) turns reviewed
rows into links, with provenance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from kg.link.client import ApiError, SearchHit, WikidataClient, WikidataItem, get_items, search_items
from kg.link.names import fold, given_initial, has_initials, surname, tokens, unique_names
from kg.model import Entity, Event

ReconcileKind = Literal["person", "organization", "place", "event"]
RECONCILE_KINDS: tuple[ReconcileKind, ...] = ("person", "organization", "place", "event")
PERIOD = (1912, 1927)  # the letters' span: a correspondent must have been alive and active in it
LATEST_BIRTH = 1905  # born later, nobody wrote or was written about as an adult actor before 1927

HUMAN = "Q5"
# Items that are pages about names or wiki housekeeping, never the thing itself (disambiguation page,
# category, list article, template, family name, given name).
NOT_A_THING = frozenset({"Q4167410", "Q4167836", "Q13406463", "Q11266439", "Q101352", "Q202444"})

KEYWORDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {  # kind -> (positive, negative) description words
    "person": (frozenset({"soviet", "bolshevik", "revolutionary", "politician", "communist", "statesman", "marxist",
                          "commissar", "party", "chekist", "diplomat", "menshevik", "socialist", "comintern"}),
               frozenset({"footballer", "actor", "actress", "singer", "athlete", "player", "fictional", "film",
                          "album", "ship", "asteroid", "street", "station"})),
    "organization": (frozenset({"party", "committee", "council", "commissariat", "organization", "organisation",
                                "bureau", "police", "agency", "newspaper", "international", "union", "soviet",
                                "communist", "government", "institute", "commission"}),
                     frozenset({"street", "station", "film", "album", "ship", "band", "song", "asteroid"})),
    "place": (frozenset({"city", "town", "capital", "village", "region", "province", "governorate", "country",
                         "area", "port", "river"}),
              frozenset({"street", "station", "square", "film", "ship", "asteroid", "club", "airport", "album"})),
    "event": (frozenset({"uprising", "occupation", "revolt", "rebellion", "congress", "conference", "plenum", "war",
                         "treaty", "meeting", "strike", "revolution", "famine", "insurrection"}),
              frozenset({"film", "album", "book", "novel", "song", "painting"})),
}
NON_ITEM_DESCRIPTIONS = ("wikimedia disambiguation page", "family name", "given name", "wikimedia category",
                         "wikimedia list article")


@dataclass(frozen=True)
class Subject:
    """Something of ours to reconcile: an authority entity or an event, with every name we know it by."""

    id: str
    kind: ReconcileKind
    label: str
    names: tuple[str, ...]  # preferred label, full name, alternative labels (transliteration variants...)
    full_name: str | None = None
    year: int | None = None  # events: the year it happened


@dataclass(frozen=True)
class Candidate:
    """One proposed Wikidata item for a subject, with the score and the reasons behind it."""

    subject: Subject
    qid: str
    score: int
    label: str
    description: str
    matched: str  # which Wikidata label/alias matched which of our names
    dates: str  # "1886–1937" for people, founded/dissolved or event years otherwise
    reasons: tuple[str, ...]
    search_rank: int = 0  # position in Wikidata's own search order (tie-break)


@dataclass(frozen=True)
class EntityError:
    """A subject whose reconciliation failed (network, API error, malformed answer)."""

    subject_id: str
    message: str


@dataclass
class LinkSummary:
    """What a `kg link` run did."""

    subjects: int = 0
    searched: int = 0
    candidates: int = 0
    rejected: int = 0
    skipped_linked: int = 0
    errors: list[EntityError] = field(default_factory=list)
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0

    def __str__(self) -> str:
        text = (f"searched {self.searched}/{self.subjects} entities ({self.skipped_linked} already linked, skipped), "
                f"{self.candidates} candidates ({self.rejected} rejected), {len(self.errors)} errors; "
                f"{self.requests} requests, {self.cache_hits} from cache, {self.retries} retries")
        for err in self.errors:
            text += f"\nERROR {err.subject_id}: {err.message}"
        return text


# -- subjects ----------------------------------------------------------------------------------------


def subjects_from_entities(entities: Iterable[Entity], linked: set[str],
                           kinds: Iterable[str] = RECONCILE_KINDS) -> tuple[list[Subject], int]:
    """Unlinked entities of the wanted kinds, as subjects; also how many were skipped as already linked."""
    wanted, subjects, skipped = set(kinds), [], 0
    for entity in entities:
        if entity.kind not in wanted:
            continue
        if entity.wikidata is not None or entity.id in linked:
            skipped += 1
            continue
        names = unique_names([entity.pref_label, entity.full_name or "", *entity.alt_labels])
        subjects.append(Subject(entity.id, entity.kind, entity.pref_label, names, entity.full_name))  # type: ignore[arg-type]
    return subjects, skipped


def subjects_from_events(events: Iterable[Event], linked: set[str]) -> tuple[list[Subject], int]:
    """Unlinked events, searched by label; their year checks the candidates' dates."""
    subjects, skipped = [], 0
    for event in events:
        if event.wikidata is not None or event.id in linked:
            skipped += 1
            continue
        subjects.append(Subject(event.id, "event", event.label, (event.label,), year=_event_year(event)))
    return subjects, skipped


def _event_year(event: Event) -> int | None:
    d = event.date
    for value in (d.gregorian_earliest, d.earliest, d.edtf):
        if value and value[:4].isdigit():
            return int(value[:4])
    return None


# -- searching -------------------------------------------------------------------------------------------


def search_queries(subject: Subject, max_queries: int = 3) -> list[str]:
    """What to type into Wikidata's search, most specific first, at most ``max_queries``.

    For people: the full name, given name + surname, multi-word variants without initials, then the
    surname alone (Wikidata labels are 'Sergo Ordzhonikidze', never 'G. K. Ordzhonikidze').
    """
    if subject.kind != "person":
        plain = [_drop_parentheses(n) for n in subject.names if not has_initials(n)] or list(subject.names)
        spelled = [n for n in plain if not _is_acronym(n)]
        return list(unique_names(spelled or plain))[:max_queries]
    queries: list[str] = []
    if subject.full_name:
        words = tokens(subject.full_name)
        queries += [subject.full_name, f"{words[0]} {words[-1]}" if len(words) > 2 else ""]
    queries += [n for n in subject.names if not has_initials(n) and len(tokens(n)) > 1]
    queries.append(surname(subject.label, subject.full_name) or subject.label)
    return list(unique_names(queries))[:max_queries]


def _drop_parentheses(name: str) -> str:
    """'Council of Labor and Defense (STO)' -> 'Council of Labor and Defense': search matches label prefixes."""
    return re.sub(r"\s+\([^)]*\)", "", name).strip() or name


def _is_acronym(name: str) -> bool:
    """'STO', 'CCC', 'SPD': short capitals find hundreds of unrelated items; searched only when nothing else is."""
    return len(name) <= 6 and not any(c.islower() for c in name)


# -- scoring ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One component of a score: points and the reason a reviewer reads ('' when there is nothing to say)."""

    points: int
    reason: str = ""


def score_item(subject: Subject, item: WikidataItem, search_rank: int = 0) -> Candidate | None:
    """Score one Wikidata item as a candidate for ``subject``; None when it is ruled out (wrong type, dates)."""
    type_part, date_part = _type_part(subject, item), _date_part(subject, item)
    if type_part is None or date_part is None:
        return None
    name_part, matched = _name_part(subject, item)
    parts = [type_part, date_part, name_part, _keyword_part(subject.kind, item.description)]
    return Candidate(subject=subject, qid=item.qid, score=sum(p.points for p in parts), label=item.label,
                     description=item.description, matched=matched, dates=_dates_text(subject.kind, item),
                     reasons=tuple(p.reason for p in parts if p.reason), search_rank=search_rank)


def _type_part(subject: Subject, item: WikidataItem) -> _Part | None:
    """People must be humans (P31 Q5); nothing else may be one; name and wiki pages are never the thing."""
    if NOT_A_THING & set(item.instance_of) or item.description.lower() in NON_ITEM_DESCRIPTIONS:
        return None
    is_human = HUMAN in item.instance_of
    if subject.kind == "person":
        return _Part(3, "human (P31 Q5)") if is_human else None
    return None if is_human else _Part(0)


def _date_part(subject: Subject, item: WikidataItem) -> _Part | None:
    """Dates must allow the subject to act in 1912–1927 (people, organizations) or match the event's year."""
    years = item.years
    first, last = PERIOD
    if subject.kind == "person":
        born, died = min(years.get("P569", ()), default=None), max(years.get("P570", ()), default=None)
        if (born is not None and born > LATEST_BIRTH) or (died is not None and died < first):
            return None
        known = [f"born {born}"] * (born is not None) + [f"died {died}"] * (died is not None)
        if not known:
            return _Part(0, "no life dates on Wikidata")
        return _Part(len(known), ", ".join(known) + f": alive in {first}–{last}")
    if subject.kind == "organization":
        founded, dissolved = min(years.get("P571", ()), default=None), max(years.get("P576", ()), default=None)
        if (founded is not None and founded > last) or (dissolved is not None and dissolved < first):
            return None
        return _Part(1, f"existed in {first}–{last}") if founded or dissolved else _Part(0)
    if subject.kind == "event" and subject.year is not None:
        start = min(years.get("P585", ()) + years.get("P580", ()), default=None)
        if start is None:
            return _Part(0)
        end = max(years.get("P582", ()), default=start)
        if start <= subject.year <= end:
            return _Part(2, f"dated {start}: matches our {subject.year}")
        return _Part(-2, f"dated {start}, ours {subject.year}")
    return _Part(0)


def _name_part(subject: Subject, item: WikidataItem) -> tuple[_Part, str]:
    """The best match between our names and the item's labels/aliases (all fetched languages)."""
    best: tuple[_Part, str] | None = None
    for name in item.names or (item.label,):
        part = _match_person(subject, name) if subject.kind == "person" else _match_other(subject, name)
        if best is None or part.points > best[0].points:
            best = (part, name)
    if best is None or best[0].points == 0:
        return _Part(0, "no label or alias matches our names"), ""
    return best


def _match_person(subject: Subject, name: str) -> _Part:
    key, ours = fold(name), {fold(n): n for n in subject.names}
    if key in ours:
        return _Part(3, f"'{name}' = our '{ours[key]}'")
    sur, words = fold(surname(subject.label, subject.full_name) or ""), key.split()
    if not sur or sur not in words:
        return _Part(0, "no label or alias matches our names")
    given = [w for w in words if w != sur]
    if not given:
        return _Part(1, f"surname '{name}'")
    full_given = fold(tokens(subject.full_name)[0]) if subject.full_name else None
    if full_given and given[0] == full_given:
        return _Part(2, f"given name and surname '{name}'")
    initial = given_initial(subject.label, subject.full_name)
    if initial and given[0][:1] != initial:
        return _Part(-1, f"surname matches but '{name}' conflicts with our initial {initial.upper()}.")
    return _Part(1, f"surname and initial '{name}'")


def _match_other(subject: Subject, name: str) -> _Part:
    key = fold(name)
    theirs = set(key.split())
    for ours_name in subject.names:
        ours_key = fold(ours_name)
        if key == ours_key:
            return _Part(3, f"'{name}' = our '{ours_name}'")
        ours = set(ours_key.split())
        if ours and theirs and (ours <= theirs or theirs <= ours):
            return _Part(2, f"'{name}' contains or is contained in our '{ours_name}'")
    overlaps = [len(set(fold(n).split()) & theirs) / len(set(fold(n).split()) | theirs) for n in subject.names]
    if overlaps and max(overlaps) >= 0.5:
        return _Part(1, f"'{name}' shares words with our names")
    return _Part(0, "no label or alias matches our names")


def _keyword_part(kind: str, description: str) -> _Part:
    """Descriptions say what an item is: 'Soviet politician' vs 'street in Minsk'."""
    words = set(re.findall(r"[a-z]+", description.lower()))
    positive, negative = KEYWORDS[kind]
    good, bad = sorted(words & positive), sorted(words & negative)
    points = min(len(good), 2) - 2 * min(len(bad), 2)
    reason = "; ".join(filter(None, [f"description: {', '.join(good)}" if good else "",
                                      f"description suggests something else: {', '.join(bad)}" if bad else ""]))
    return _Part(points, reason)


def _dates_text(kind: str, item: WikidataItem) -> str:
    props = {"person": ("P569", "P570"), "organization": ("P571", "P576")}.get(kind, ("P580", "P582"))
    lo, hi = (min(item.years.get(p, ()), default=None) for p in props)
    if kind == "event" and lo is None:
        lo = min(item.years.get("P585", ()), default=None)
    if lo is None and hi is None:
        return ""
    return f"{lo if lo is not None else '?'}–{hi if hi is not None else '?'}" if hi is not None else f"{lo}–"


# -- the run ------------------------------------------------------------------------------------------------


def reconcile_subject(subject: Subject, client: WikidataClient, per_subject: int = 5,
                      max_queries: int = 3) -> tuple[list[Candidate], int]:
    """Search, fetch and score the candidates of one subject; (best first, at most per_subject; rejected count)."""
    hits: dict[str, SearchHit] = {}
    for query in search_queries(subject, max_queries):
        for hit in search_items(client, query):
            hits.setdefault(hit.qid, hit)
    items = get_items(client, list(hits)[:50])
    scored, rejected = [], 0
    for rank, qid in enumerate(hits):
        candidate = score_item(subject, items[qid], rank) if qid in items else None
        if candidate is None:
            rejected += 1
        else:
            scored.append(candidate)
    scored.sort(key=lambda c: (-c.score, c.search_rank, int(c.qid[1:]) if c.qid[1:].isdigit() else 0))
    return scored[:per_subject], rejected


def reconcile(subjects: Iterable[Subject], client: WikidataClient, per_subject: int = 5,
              max_queries: int = 3) -> tuple[list[Candidate], LinkSummary]:
    """Reconcile every subject; a failure is recorded for that subject and the run goes on."""
    summary, candidates = LinkSummary(), []
    for subject in subjects:
        summary.subjects += 1
        try:
            found, rejected = reconcile_subject(subject, client, per_subject, max_queries)
        except ApiError as err:
            summary.errors.append(EntityError(subject.id, str(err)))
            continue
        except (TypeError, AttributeError, KeyError, ValueError) as err:  # an answer of an unexpected shape
            summary.errors.append(EntityError(subject.id, f"unexpected answer: {type(err).__name__}: {err}"))
            continue
        summary.searched += 1
        summary.candidates += len(found)
        summary.rejected += rejected
        candidates.extend(found)
    summary.requests, summary.cache_hits = client.stats.requests, client.stats.cache_hits
    summary.retries = client.stats.retries
    return candidates, summary
