"""Build time against the size of ONE letter: is it linear?

    python bench/letter_size_bench.py                    # bodies of 0.25, 0.5, 1 and 2 MB
    python bench/letter_size_bench.py --sizes 0.25 0.5 --repeat 3
    python bench/letter_size_bench.py --peer /path/to/other/checkout --peer-max 0.5   # the same pages, its code

One generated page holds one letter whose body is N MB of letter prose (the generator's sentence pool)
with names every few sentences (surnames, nicknames, "Comrade X", bracket completions, unknown names),
in paragraphs like the collection's; it is built with `kg build` in a subprocess, as a user would.
Why: the issue-13 attack found the build quadratic in the length of one letter (0.25 / 0.5 / 1 / 2 MB
took 7.5 / 26 / 98 / > 300 s). The figure that matters is the ratio, not the seconds: each size's
seconds above the build of a 2 KB letter (the fixed cost: imports, shapes, authority graph), per MB,
against the smallest size's in the same run (CPU seconds of the build and its workers, which a loaded
machine disturbs much less than wall seconds; wall seconds are printed beside them); linear time keeps
that ratio near 1 (quadratic doubles it with every doubling). ``--peer`` also builds the pages up to
``--peer-max`` MB with another checkout's code (an older commit, say) in the same run, for a ratio of
the two. Prints Markdown with the load average and the commit.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from kg.devtools.generate_text import sentence_pool  # noqa: E402

BANNER = ("Bolshevik Leaders correspondence\n\nMarx-Engels |\u00a0 Lenin \u00a0| Stalin |\u00a0 Home Page\n\n"
          "\u00a0Bolshevik leadership Correspondence. 1912-1927\nCollection of documents 1996.\n\n"
          "Compiled by: A.V.Kvashonkin, L.P.Kosheleva, L.A.Rogovaya, O.V.Khlevnyuk.\n\u00a0")
HEAD = ["No. 1", "I. V. Stalin - G. K. Ordzhonikidze.", "January 24, 1923", "Dear Sergo!"]
TAIL = ["Your Koba.", "RTSKHIDNI. F. 85. Op. 1/S. D. 13. L. 12-13. Autograph."]
FIRST = "Koba asks you to answer the cipher about the sale of gasoline to the Turks without delay."
LAST = "Greetings to Dzerzhinsky and to all friends."
NAMED = (  # what the letters say about people, in the translation's forms
    "Koba sent your cipher to Smilge, and the latter delayed.",
    "Comrade Trotsky insists on his theses about Gosplan.",
    "I spoke with Dzerzhinsky and Kalinin about it yesterday.",
    "Nothing has changed with Ilyich yet.",
    "St[alin] and Bukharin will write to you about it.",
    "Tov. Vardzieli brought the protocols from Tiflis.",
    "Voroshilov asks to postpone the question until the plenum.",
    "Have you received the correspondence between Trotsky and Stalin about Gosplan?",
)
BODY_SIZES = (0.25, 0.5, 1.0, 2.0)
BASELINE_KB = 2


def letter_body(size_bytes: int, seed: int = 0) -> list[str]:
    """Paragraphs of about ``size_bytes`` characters in all: prose with a name every few sentences,
    opening with ``FIRST`` and closing with ``LAST`` (names a test looks for at both ends)."""
    rng = random.Random(seed)
    pool = sentence_pool(rng)
    paragraphs, size = [FIRST], len(FIRST)
    while size < size_bytes - len(LAST):
        sentences = [rng.choice(NAMED) if rng.random() < 0.3 else rng.choice(pool) for _ in range(rng.randint(2, 6))]
        paragraph = " ".join(sentences)
        if paragraph == paragraphs[-1]:  # the parser would read a repeated paragraph once (a page glitch)
            continue
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    paragraphs.append(LAST)
    return paragraphs


def letter_page(size_bytes: int, seed: int = 0) -> str:
    """A page in the collection's format holding one letter (No. 1) whose body is ``letter_body``."""
    lines = [*HEAD, *letter_body(size_bytes, seed), *TAIL]
    return BANNER + "\n\n" + "\n\n".join(lines) + "\n"


def build_seconds(page: Path, out: Path, checkout: Path = ROOT) -> tuple[float, float]:
    """(wall, CPU) seconds of `kg build PAGE --out OUT` in a subprocess with ``checkout``'s code (exit 0
    required). CPU: the build's and its workers' (they are waited for, so they count as its children)."""
    started, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run([sys.executable, "-m", "kg", "build", str(page), "--out", str(out), "--quiet"],
                          cwd=checkout, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(checkout)})
    seconds = time.perf_counter() - started, _children_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(f"kg build {page} failed ({proc.returncode}):\n{proc.stderr}")
    return seconds


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Row:
    mb: float
    characters: int
    wall: float
    seconds: float  # CPU
    peer: float | None = None  # the peer checkout's CPU seconds on the same page, when measured


def measure(sizes: list[float], repeat: int, workdir: Path, peer: Path | None = None,
            peer_max: float = 0.0) -> tuple[float, list[Row]]:
    """(baseline seconds, rows), each the best of ``repeat`` builds."""
    def best(page: Path, checkout: Path = ROOT) -> tuple[float, float]:  # the run with the least CPU
        return min((build_seconds(page, workdir / f"out-{page.stem}", checkout) for _ in range(repeat)),
                   key=lambda wall_cpu: wall_cpu[1])

    def page_of(size_bytes: int, name: str) -> Path:
        page = workdir / f"{name}.txt"
        page.write_text(letter_page(size_bytes), encoding="utf-8")
        return page

    baseline = best(page_of(BASELINE_KB * 1000, "baseline"))[1]
    rows = []
    for mb in sizes:
        page = page_of(int(mb * 1_000_000), f"letter-{mb}")
        row = Row(mb, len("\n\n".join(letter_body(int(mb * 1_000_000)))), *best(page))
        if peer is not None and mb <= peer_max:
            row.peer = best(page, peer)[1]
        rows.append(row)
    return baseline, rows


def commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def table(baseline: float, rows: list[Row], peer: Path | None) -> str:
    first = (rows[0].seconds - baseline) / rows[0].mb
    peer_head = f" {peer} (peer): CPU s | peer / this |" if peer else ""
    out = [f"CPU seconds of the build of a {BASELINE_KB} KB letter (the fixed cost): {baseline:.2f}", "",
           "| body (MB) | characters | wall s | CPU s | CPU s above the 2 KB letter | CPU s per MB (above it) | "
           f"s per MB vs the smallest |{peer_head}",
           "|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if peer else "")]
    for r in rows:
        per_mb = (r.seconds - baseline) / r.mb
        peer_cells = ""
        if peer:
            peer_cells = f" {r.peer:.2f} | {r.peer / r.seconds:.1f} |" if r.peer is not None else " - | - |"
        out.append(f"| {r.mb:g} | {r.characters:,} | {r.wall:.2f} | {r.seconds:.2f} | {r.seconds - baseline:.2f} | "
                   f"{per_mb:.2f} | "
                   f"{per_mb / first:.2f} |{peer_cells}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=list(BODY_SIZES), help="body sizes in MB")
    parser.add_argument("--repeat", type=int, default=1, help="builds per size (the best counts)")
    parser.add_argument("--peer", type=Path, help="another checkout whose code builds the same pages")
    parser.add_argument("--peer-max", type=float, default=0.5, help="largest body (MB) the peer builds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="letter-size-") as tmp:
        baseline, rows = measure(args.sizes, args.repeat, Path(tmp), args.peer, args.peer_max)
    load = os.getloadavg()
    print(f"# Build time against the size of one letter\n\n`python bench/letter_size_bench.py` at commit "
          f"{commit()}, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"(`uptime`) at the end of the run.\n")
    print(table(baseline, rows, args.peer))
    print("\nLinear time keeps the last column near 1; quadratic time would double it with each doubling.")


if __name__ == "__main__":
    main()
