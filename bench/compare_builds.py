"""Two checkouts, the same inputs: are the published files byte-identical, and is the build as fast?

    python bench/compare_builds.py --base 016b383                  # seed + generated 1k, then 10k timed twice
    python bench/compare_builds.py --base main --timing-size 0     # identity only

For a change that must not change behaviour (a refactor, a package move): the checkout at ``--base``
(made with ``git worktree`` in a temporary folder) and this checkout build the seed corpus and a
generated corpus (``--identity-sizes``), and their ``SHA256SUMS`` are compared line by line. The only
files allowed to differ are ``void.ttl``, in its two ``prov:*AtTime`` build times, and ``cmif.xml``, in
its file date (``publicationStmt/date``), which are masked before comparing them byte for byte. Then
both build a larger generated corpus (``--timing-size``) ``--repeat`` times, alternating base and new
so that machine noise falls on both, and the report gives the median wall seconds of each and their
ratio. Prints Markdown to stdout; exits 1 when any file differs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIME = re.compile(rb'"\d{4}-\d\d-\d\dT[\d:]+(?:Z|[+-]\d\d:\d\d)"\^\^xsd:dateTime')
FILE_DATE = re.compile(rb'<date when="\d{4}-\d\d-\d\dT[\d:]+(?:Z|[+-]\d\d:\d\d)" />')  # cmif.xml's publicationStmt
MASKS = {"void.ttl": BUILD_TIME, "cmif.xml": FILE_DATE}


def build(checkout: Path, sources: list[str], out: Path) -> float:
    """``kg build`` with the code of ``checkout`` (first on PYTHONPATH); wall seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "build", *sources, "--out", str(out)], cwd=checkout,
                   env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def sums(out: Path) -> dict[str, str]:
    pairs = (line.split() for line in (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines() if line)
    return {name.lstrip("*"): digest for digest, name in pairs}


def differences(a: Path, b: Path) -> list[str]:
    """Files whose bytes differ between two builds (void.ttl compared with its build times masked)."""
    left, right = sums(a), sums(b)
    found = [f"only in one build: {name}" for name in sorted(set(left) ^ set(right))]
    for name in sorted(set(left) & set(right)):
        if name in MASKS:
            mask = MASKS[name]
            if mask.sub(b"T", (a / name).read_bytes()) != mask.sub(b"T", (b / name).read_bytes()):
                found.append(name)
        elif left[name] != right[name]:
            found.append(name)
    return found


def corpus(tmp: Path, n: int) -> list[str]:
    folder = tmp / f"corpus-{n}"
    if not folder.is_dir():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate_corpus.py"), "--n", str(n), "--out",
                        str(folder)], check=True, stdout=subprocess.DEVNULL)
    return [str(p) for p in sorted(folder.glob("*.txt"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare this checkout with")
    parser.add_argument("--identity-sizes", default="seed,1000")
    parser.add_argument("--timing-size", type=int, default=10000, help="0: no timing")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    base_rev = subprocess.run(["git", "rev-parse", "--short", args.base], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    failed = False
    with tempfile.TemporaryDirectory(prefix="kg-compare-") as name:
        tmp = Path(name)
        base = tmp / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), base_rev], cwd=ROOT, check=True)
        try:
            print(f"# Builds of {base_rev} (base) and {head.strip()} (this checkout, with its uncommitted changes)\n")
            print("| corpus | files compared | differing files |")
            print("|---|---|---|")
            for size in args.identity_sizes.split(","):
                sources = [] if size == "seed" else corpus(tmp, int(size))
                build(base, sources, tmp / f"base-{size}")
                build(ROOT, sources, tmp / f"new-{size}")
                diff = differences(tmp / f"base-{size}", tmp / f"new-{size}")
                failed |= bool(diff)
                print(f"| {size} | {len(sums(tmp / f'new-{size}'))} | {', '.join(diff) or 'none (byte-identical)'} |")
            if args.timing_size:
                sources = corpus(tmp, args.timing_size)
                seconds: dict[str, list[float]] = {"base": [], "new": []}
                for i in range(args.repeat):
                    for side, checkout in (("base", base), ("new", ROOT)):
                        seconds[side].append(build(checkout, sources, tmp / f"timed-{side}-{i}"))
                b, n = statistics.median(seconds["base"]), statistics.median(seconds["new"])
                print(f"\n`kg build` of {args.timing_size:,} generated letters, alternating, {args.repeat} runs each "
                      "(wall seconds):\n")
                print("| build | runs | median s | new / base |")
                print("|---|---|---|---|")
                print(f"| base {base_rev} | {', '.join(f'{s:.1f}' for s in seconds['base'])} | {b:.1f} | |")
                print(f"| new {head.strip()} | {', '.join(f'{s:.1f}' for s in seconds['new'])} | {n:.1f} | "
                      f"{n / b:.2f} |")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
