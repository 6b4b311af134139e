"""IRIs of everything we publish, derived from the data only (README, "IRI policy").

Why one module: the IRI policy is a public promise (an IRI, once published, names the same thing
forever), so every pattern lives in one place that tests and the web layer can read.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

ENTITY_PREFIX = {"person": "person", "organization": "org", "place": "place", "archive": "archive"}

# Archive names as printed -> archive id. RTsKhIDNI (1991-1999) is a former name of RGASPI.
ARCHIVE_ALIASES = {"rtskhidni": "rgaspi", "rtshidni": "rgaspi", "rtskhdni": "rgaspi", "rgaspi": "rgaspi",
                   "garf": "garf", "rgani": "rgani", "rgva": "rgva", "rgae": "rgae"}


def slug(text: str) -> str:
    """ASCII lower case with '-' between words ('Ruhr area' -> 'ruhr-area')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def unit_segment(value: str) -> str:
    """An archival unit number as an IRI segment: lower case, '/' dropped ('1/S' -> '1s')."""
    return slug(value.replace("/", ""))


def document_local(subject: str, graph: str, letter: str) -> bool:
    """True when triples about ``subject`` belong in the document's graph alone (IRIs as plain text).

    The subject is the graph, the letter or one of the letter's parts. Any other subject (a source
    page, a document cited from outside the corpus) may be described by many documents, so its
    triples are published once, in the shared graph: then no triple is in two named graphs and the
    union of the graphs is their RDF merge on every store (kg/publish/chunks.py applies this rule)."""
    return subject == graph or subject == letter or subject.startswith(letter + "/")


class Iris:
    """The IRI patterns relative to one configurable base."""

    def __init__(self, base: str):
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def _iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def edition(self) -> URIRef:
        return self._iri("edition")

    def letter(self, key: str) -> URIRef:
        return self._iri(f"letter/{quote(key, safe='-._~')}")

    def letter_part(self, key: str, *parts: object) -> URIRef:
        """A sub-resource of a letter: 'date', ('note', 2), ('source', 1), ('name', 3), ('party', 2)..."""
        return URIRef(str(self.letter(key)) + "".join(f"/{p}" for p in parts))

    def graph(self, key: str) -> URIRef:
        return self._iri(f"graph/letter/{quote(key, safe='-._~')}")

    def letter_of_graph(self, graph_iri: URIRef) -> URIRef:
        """The letter a document graph is about (``graph`` with the key already quoted)."""
        prefix = self.base + "graph/letter/"
        if not graph_iri.startswith(prefix):
            raise ValueError(f"not a document graph of {self.base}: {graph_iri}")
        return URIRef(self.base + "letter/" + graph_iri[len(prefix):])

    def authority_graph(self) -> URIRef:
        return self._iri("graph/authority")

    def entity(self, kind: str, entity_id: str) -> URIRef:
        return self._iri(f"{ENTITY_PREFIX[kind]}/{quote(entity_id, safe='-._~')}")

    def event(self, event_id: str) -> URIRef:
        return self._iri(f"event/{quote(event_id, safe='-._~')}")

    def archive(self, archive_id: str) -> URIRef:
        return self._iri(f"archive/{archive_id}")

    def unit(self, archive_id: str, fond: str, opis: str | None = None, delo: str | None = None) -> URIRef:
        path = f"archive/{archive_id}/f{unit_segment(fond)}"
        if opis:
            path += f"/op{unit_segment(opis)}"
            if delo:
                path += f"/d{unit_segment(delo)}"
        return self._iri(path)

    def source_page(self, path: str) -> URIRef:
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        return self._iri(f"source/{quote(name, safe='-._~')}")

    def build_activity(self, version: str) -> URIRef:
        """One IRI per parser version, so two builds of the same input give identical data."""
        return self._iri(f"build/{quote(version, safe='-._~')}")
