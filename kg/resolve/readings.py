"""Context names of bodies ("Central Committee", "Sovnarkom"), read by the letter's date and parties.

Why a rule and not a name: "the Central Committee" of a letter between Bolshevik leaders in 1923 is the
RCP(b)'s, but the same words name the KPD's committee in a letter from Berlin and the RSDLP(b)'s in 1915;
"the Council of People's Commissars" is the RSFSR's until 6 July 1923 and the union's after. Each body's
Reading (organizations.toml: read_from, read_until, read_when) says when its context names designate it;
the resolver asks every candidate body, and links the form only when exactly one may be meant. A letter
whose reading is not this one (identifications.toml) overrides it, as for "the old man". The explanation
recorded with each usage names the date and the parties it was read by.
"""

from __future__ import annotations

from kg.model import Document, Entity
from kg.resolve.authority import Reading


def read_context_name(reading: Reading, doc: Document, parties: list[str | None], entity: Entity,
                      names: dict[str, str], form: str) -> tuple[str, str] | str:
    """("context", explanation) when ``form`` designates ``entity`` in ``doc``; else why it may not.

    ``parties`` are the letter's resolved senders and recipients (None: unresolved); ``names`` gives
    their labels by id."""
    date = doc.date
    lo = (date.gregorian_earliest or date.earliest) if date else None
    hi = (date.gregorian_latest or date.latest) if date else None
    if not lo or not hi:
        return f"'{form}' is read by the letter's date, and this letter has none"
    if (reading.start and lo < reading.start) or (reading.end and hi > reading.end):
        return f"'{form}' is {entity.pref_label} in letters dated {reading.period()}; this one is of {date.expressed}"
    if reading.when == "parties-resolved" and (not parties or None in parties):
        return f"'{form}' is {entity.pref_label} only in letters whose parties are all in the authority files"
    basis = f"'{form}' in a letter of {date.expressed}"
    if reading.when == "parties-resolved":
        basis += " between " + ", ".join(dict.fromkeys(names[p] for p in parties if p))
    return "context", f"{basis}: {entity.pref_label} (so read {reading.period()})"
