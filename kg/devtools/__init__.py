"""Developer tools that are not part of the build: the seeded corpus generator, accuracy scoring, mutations.

In: a seed and a size. Out: generated pages in the collection's format with the facts of every
document (benchmarks, scale tests, the parser's accuracy; with extras also the layouts of issue 15 and
transmission: copies, sent / not sent / draft, replies), and line mutations for the fuzzer.

May import: kg.model
"""

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
