"""Per-field accuracy of the parser on generated pages, against the generator's expected.jsonl.

    python bench/parser_accuracy.py --n 2000 --seed 0            # generate into a temporary directory
    python bench/parser_accuracy.py --corpus build/corpus-10k      # an existing generated corpus

The seed page has 11 documents; generated pages exercise every variant of FORMATS.md thousands of times,
so this is where a parser change shows which field it helped or broke. Prints a Markdown table (field,
agree, accuracy), the same per layout (issue 15: headerless telegrams, garbled dative headers, exchanges
on one sheet, documents also on a page of the other rendering; extras only), the first disagreements of
each field with the page they are on, and the other rendering's pages read alone (without the numbered
copy they are merged into).

Transmission (extras): copy recipients (Party.copy), sent / not sent / draft (Document.transmission) as the
parser reads them, and replies as kg.resolve.replies links them over the parsed documents ("reply_to"),
each also per variant of generate_transmission ("Copies of comrades ...", "Copy: CC.", "TO X, copy TO Y",
a note's "not sent.", a draft, "Filed from", "Your letter received.", a note naming the letter answered).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from kg.devtools.accuracy import rendering_lines, report_lines, score, score_renderings  # noqa: E402
from kg.devtools.generate import FACTS_FILE, PAGE_GLOB, write_corpus  # noqa: E402
from kg.devtools.generate_facts import read_facts  # noqa: E402
from kg.devtools.generate_layouts import RENDERING_PREFIX  # noqa: E402


def replies_found(documents: list) -> dict[str, str]:
    """Document number -> number answered, as the build links them: kg.resolve.replies over the parsed
    documents (the parser keeps the words and notes; which letter they answer needs the whole collection)."""
    from kg.config import Settings
    from kg.resolve.authority import load_authorities
    from kg.resolve.replies import find_replies

    found = find_replies(documents, load_authorities(Settings().data_dir)).found
    return {key: reply.document for key, reply in found.items()}


def measure(corpus: Path, examples: int) -> list[str]:
    from kg.sources.parse import parse_sources  # imported late: the parser may not exist yet in a checkout

    pages = sorted(corpus.glob(PAGE_GLOB))
    start = time.perf_counter()
    result = parse_sources([str(p) for p in pages])
    seconds = time.perf_counter() - start
    acc = score(result.documents, read_facts(corpus / FACTS_FILE), keep_examples=examples,
                replies=replies_found(result.documents))
    rate = f"{acc.total / seconds:.0f} docs/s" if seconds > 0 else "n/a"
    head = [f"parsed {len(pages)} pages in {seconds:.2f} s ({rate}); {len(result.diagnostics)} diagnostics", ""]
    renderings = [str(p) for p in pages if p.name.startswith(RENDERING_PREFIX)]
    alone = score_renderings(parse_sources(renderings).documents if renderings else [],
                             read_facts(corpus / FACTS_FILE), keep_examples=examples)
    return head + report_lines(acc) + ["", *rendering_lines(alone)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="documents to generate (ignored with --corpus)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, help=f"an existing generated corpus (pages + {FACTS_FILE})")
    parser.add_argument("--examples", type=int, default=5, help="disagreements shown per field")
    parser.add_argument("--plain", action="store_true",
                        help="no introduction page and no per-letter copies (see write_corpus extras)")
    args = parser.parse_args(argv)
    what = args.corpus or f"n={args.n}, seed={args.seed}{'' if args.plain else ', with extras'}"
    print(f"# Parser accuracy on generated pages ({what})")
    print()
    if args.corpus:
        lines = measure(args.corpus, args.examples)
    else:
        with tempfile.TemporaryDirectory(prefix="kg-accuracy-") as tmp:
            write_corpus(Path(tmp), args.n, args.seed, extras=not args.plain)
            lines = measure(Path(tmp), args.examples)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
