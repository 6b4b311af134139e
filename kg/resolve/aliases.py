"""Withdrawn IRIs (data/authority/aliases.toml): the IRI each was replaced by, published as ``owl:sameAs``.

Why a reviewed file and not a rule in code: an IRI is withdrawn when an id is corrected (the "STO meeting of
16 January 1923" was a decision known only from the Politburo's protocol: ``event/1923-01-16-sto`` became
``event/1923-01-16-sto-decision``). The IRI policy says IRIs are never reused and a changed id stays as an alias,
so someone who cited the old IRI still reaches the resource; which ids changed, and why, is a fact a reviewer
records, as for the authority files. Paths are relative to the base (``event/…``, ``org/…``), so the aliases
hold for a build with any base. The mapping stage publishes an alias only when this build mints its new IRI,
and fails when a build mints a withdrawn one (``kg.rdf.mapping``).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kg.errors import KGError
from kg.model import IriAlias

ALIAS_PATH = re.compile(r"^(?:event|person|org|place|archive)/[a-z0-9]+(?:-[a-z0-9]+)*$")


def load_aliases(path: Path) -> list[IriAlias]:
    """The [[alias]] entries of ``path`` (none when the file is absent); a malformed entry names file and entry."""
    if not path.exists():
        return []
    try:
        rows = tomllib.loads(path.read_text(encoding="utf-8")).get("alias", [])
    except tomllib.TOMLDecodeError as err:
        raise KGError(f"{path}: syntax: {err}") from None
    aliases: list[IriAlias] = []
    for i, row in enumerate(rows):
        where = f"{path}: [[alias]] #{i + 1}"
        values = {key: row.get(key) for key in ("old", "new", "reason")}
        if not all(isinstance(v, str) and v.strip() for v in values.values()):
            raise KGError(f"{where}: 'old', 'new' and 'reason' are required strings")
        old, new = values["old"], values["new"]
        if not ALIAS_PATH.match(old) or not ALIAS_PATH.match(new):
            raise KGError(f"{where}: 'old' and 'new' are paths under the base, as 'event/1923-01-16-sto'")
        if old == new or old in {a.old for a in aliases} or old in {a.new for a in aliases}:
            raise KGError(f"{where}: '{old}' is withdrawn twice, or is its own or another alias's replacement")
        aliases.append(IriAlias(old=old, new=new, reason=values["reason"]))
    return aliases
