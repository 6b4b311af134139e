"""Run every benchmark in bench/ and collect what they print into one Markdown report.

    python bench/run_all.py                   # every bench/*_bench.py, plus parser_accuracy.py
    python bench/run_all.py --only generate,parser   # scripts whose name contains one of these
    python bench/run_all.py --skip peers             # all but these
    make bench

Each script runs in its own process with its default arguments (so a new ``*_bench.py`` joins without
touching this file) and prints Markdown to stdout. The report, bench/results/latest.md, starts with the
machine (nproc, memory, Python, commit, date) because timings mean nothing without it. A failing or
timed-out script is recorded with the end of its stderr; the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
EXTRA = ("parser_accuracy.py",)  # not *_bench.py, but worth a line in every report


@dataclass
class Run:
    script: str
    returncode: int | None  # None: timed out
    seconds: float
    stdout: str
    stderr: str


def scripts(only: str | None, skip: str | None) -> list[Path]:
    """The scripts to run; `only`/`skip` are comma-separated parts of file names."""
    found = sorted(BENCH.glob("*_bench.py")) + [BENCH / name for name in EXTRA if (BENCH / name).exists()]
    wanted, unwanted = (only or "").split(","), (skip or "").split(",")
    return [p for p in found if (not only or any(w and w in p.name for w in wanted))
            and not any(u and u in p.name for u in unwanted)]


def run_script(path: Path, timeout: float) -> Run:
    start = time.perf_counter()
    cmd = [sys.executable, str(path)]
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        rc, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        rc, out, err = None, _text(exc.stdout), _text(exc.stderr) + f"\ntimed out after {timeout:.0f} s"
    return Run(path.name, rc, time.perf_counter() - start, out, err)


def _text(data: bytes | str | None) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else (data or "")


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine_lines() -> list[str]:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [f"- date: {now}", f"- nproc: {os.cpu_count()}", f"- memory: {_memory()}",
            f"- python: {platform.python_version()} ({platform.python_implementation()})",
            f"- platform: {platform.platform()}", f"- commit: {_git_commit()}"]


def report(runs: list[Run]) -> str:
    lines = ["# Benchmark results", "", *machine_lines(), "", "| script | status | seconds |", "|---|---|---|"]
    for r in runs:
        status = "timed out" if r.returncode is None else ("ok" if r.returncode == 0 else f"exit {r.returncode}")
        lines.append(f"| {r.script} | {status} | {r.seconds:.1f} |")
    for r in runs:
        lines += ["", f"## {r.script}", "", f"`python bench/{r.script}`", "", r.stdout.strip() or "(no output)"]
        if r.returncode != 0:
            tail = "\n".join(r.stderr.strip().splitlines()[-25:])
            lines += ["", "stderr (last lines):", "", "```", tail, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated: run only scripts whose file name contains one of these")
    parser.add_argument("--skip", help="comma-separated: skip scripts whose file name contains one of these")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per script")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "latest.md")
    args = parser.parse_args(argv)
    runs = []
    for path in scripts(args.only, args.skip):
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        runs.append(run_script(path, args.timeout))
        print(f"  {path.name}: exit {runs[-1].returncode} in {runs[-1].seconds:.1f} s", file=sys.stderr, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(runs), encoding="utf-8")
    print(f"wrote {args.out} ({len(runs)} scripts)")
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
