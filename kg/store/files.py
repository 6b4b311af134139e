"""The published data file a store loads (``kg.trig`` preferred), and loading it into pyoxigraph."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from kg.errors import KGError


def load_file(store: Any, path: Path) -> None:
    """Load a published file into a pyoxigraph store (TriG keeps the per-document named graphs)."""
    import pyoxigraph as ox

    name = path.name
    formats = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES,
               ".ttl": ox.RdfFormat.TURTLE}
    base = name[:-3] if name.endswith(".gz") else name
    fmt = formats.get(Path(base).suffix)
    if fmt is None:
        raise KGError(f"{path}: not a data file kg serve can load (.trig, .nq, .nt, .ttl, optionally .gz)")
    data = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    store.bulk_load(input=data, format=fmt)


DATA_FILES = ("kg.trig", "kg.nq", "kg.nq.gz", "kg.nt.gz", "kg.nt", "kg.ttl")


def find_data_file(data_dir: Path) -> Path:
    for name in DATA_FILES:
        if (data_dir / name).is_file():
            return data_dir / name
    raise KGError(f"{data_dir}: no kg.trig (or kg.nt.gz) to serve; run `kg build` first")


