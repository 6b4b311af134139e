"""Settings: one declared table (name, default, help). The CLI builds a Settings; nothing reads the
environment at import time."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_BASE_IRI = "https://w3id.org/bolcorr/"
ONTOLOGY_NS = "https://w3id.org/bolcorr/ns#"
VOCAB_NS = "https://w3id.org/bolcorr/vocab/"


def _setting(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    base_iri: str = _setting(DEFAULT_BASE_IRI, "Base IRI of every published resource (letters, people...).")
    publisher_name: str = _setting("The bolcorr-kg project", "Publisher named in void.ttl (dcterms:publisher).")
    corpus_dir: Path = _setting(ROOT / "data" / "corpus", "Pages read by `kg build` when no SOURCES are given.")
    data_dir: Path = _setting(ROOT / "data", "Authority files (people, organizations, places, archives, links).")
    output_dir: Path = _setting(ROOT / "output", "Where `kg build` publishes and `kg serve` reads.")
    ontology_dir: Path = _setting(ROOT / "ontology", "Our OWL ontology and SKOS schemes (Turtle).")
    shapes_dir: Path = _setting(ROOT / "shapes", "SHACL shapes that every published graph must satisfy.")
    build_workers: int = _setting(0, "Worker processes of `kg build` (0: one per core).")
    batch_docs: int = _setting(250, "Documents per `kg build` batch: each is resolved, mapped, validated and "
                               "written on its own, so memory depends on this, not on the corpus size.")
    host: str = _setting("127.0.0.1", "Interface `kg serve` listens on.")
    port: int = _setting(5000, "Port `kg serve` listens on.")
    query_timeout: float = _setting(10.0, "SPARQL query time limit in seconds (requests may ask for less).")
    max_rows: int = _setting(10000, "Most result rows a SPARQL SELECT returns; more are cut and flagged.")
    max_bytes: int = _setting(20_000_000, "Largest SPARQL answer in bytes; rows beyond it are cut and flagged, "
                              "like the row cap.")
    max_body_bytes: int = _setting(1_000_000, "Largest request body accepted (413 beyond).")
    serve_threads: int = _setting(8, "Request threads of `kg serve` (they mostly wait for query workers).")
    max_connections: int = _setting(1000, "Open client connections `kg serve` accepts at once (idle and slow "
                                    "ones included); more wait in the listen queue.")
    request_timeout: float = _setting(15.0, "Seconds a client has to send one whole request (headers and body), "
                                      "and the longest silence on a connection; slower ones are closed.")
    shutdown_grace: float = _setting(10.0, "Seconds `kg serve` lets requests in flight finish after SIGTERM "
                                     "before it stops them.")
    answer_cache_bytes: int = _setting(64_000_000, "Bytes of complete answers `kg serve` keeps in memory to replay "
                                       "for the same request on the same release (pages, resources, /sparql); "
                                       "least recently used go first; 0: none kept.")
    answer_max_age: int = _setting(300, "Seconds browsers and HTTP caches may reuse an answer before they revalidate "
                                   "it (Cache-Control max-age; a 304 costs almost nothing).")
    release_check_interval: float = _setting(1.0, "Seconds between checks of output/ for a new release (one stat of "
                                             "SHA256SUMS and the data file); a new one is loaded and swapped in "
                                             "whole. 0: on every request.")
    query_workers: int = _setting(4, "Query worker processes kept forked and ready; more are forked for a "
                                  "burst and stopped after it.")
    heavy_queries: int = _setting(2, "Queries running longer than `heavy_after` that may run at once (at low "
                                  "CPU priority); one more is stopped with 503 + Retry-After, so cheap queries "
                                  "keep answering.")
    heavy_after: float = _setting(0.25, "Seconds after which a running query counts as heavy.")
    service_allowlist: tuple[str, ...] = _setting(
        ("https://query.wikidata.org/sparql",), "SERVICE endpoints a query may call; all others are refused.")
    service_timeout: float = _setting(5.0, "Time limit for a SERVICE call, seconds.")
    sparql_backend: str | None = _setting(None, "URL of an external SPARQL endpoint to query instead of the "
                                          "embedded store.")
    wikidata_api: str = _setting("https://www.wikidata.org/w/api.php", "Wikidata API used by `kg link`.")
    wikidata_deadline: float = _setting(60.0, "Total time limit of one `kg link` request to the Wikidata API, "
                                        "seconds: connect, headers, whole body and same-host redirects, however "
                                        "slowly the bytes come; on expiry the attempt fails and is retried "
                                        "(bounded), then that entity fails (`kg link --deadline`).")
    wikidata_max_bytes: int = _setting(32_000_000, "Largest Wikidata API answer `kg link` reads or caches, bytes "
                                       "(as received and once decompressed); a larger one fails its entity "
                                       "(`kg link --max-bytes`).")
    user_agent: str = _setting(
        "bolcorr-kg/0.1 (https://w3id.org/bolcorr/; linked-data publisher for historical correspondence)",
        "User-Agent sent to Wikidata.")


def settings_table() -> list[tuple[str, object, str]]:
    """(name, default, help) for every setting: the README table and the CLI help come from here."""
    return [(f.name, f.default, f.metadata["help"]) for f in fields(Settings)]
