"""Developer tools that are not part of the build: the seeded corpus generator for benchmarks and scale tests."""

from kg.devtools.generate import GeneratedDocument, GeneratedPage, generate_documents, generate_pages, write_corpus
from kg.devtools.generate_facts import DocumentFacts, read_facts

__all__ = [
    "DocumentFacts",
    "GeneratedDocument",
    "GeneratedPage",
    "generate_documents",
    "generate_pages",
    "read_facts",
    "write_corpus",
]
