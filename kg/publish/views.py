"""The letter-shaped views of a release, written into the staging directory beside the dumps (so they are
swapped in with them, checksummed in SHA256SUMS and described in void.ttl): ``cmif.xml`` and
``letters.csv``, both read back from the staging ``kg.nt.gz`` (kg/publish/letters.py).
"""

from __future__ import annotations

from pathlib import Path

from kg.publish.cmif import write_cmif
from kg.publish.letters import read_letters
from kg.publish.letters_csv import write_letters_csv

VIEWS = ("cmif.xml", "letters.csv")


def write_letter_views(staging: Path, base: str, started: str) -> list[Path]:
    """Write the views from ``staging/kg.nt.gz``; their paths, in ``VIEWS`` order."""
    index = read_letters(staging / "kg.nt.gz")
    cmif, table = (staging / name for name in VIEWS)
    write_cmif(cmif, index, base, started)
    write_letters_csv(table, index)
    return [cmif, table]
