"""Line mutations of a page for property tests and the fuzzer (hypothesis draws every position).

    mutate_lines(draw, lines, "move")     # in place; ops: MUTATIONS

Why one place: tests/test_parse_property.py and bench/fuzz_parser.py damage pages the same ways
(the ways the web pages are damaged: lost, repeated, displaced and cut lines), and a test must not
import a bench script. Needs hypothesis (the test and bench extras), so kg itself never imports it.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

MUTATIONS = ("drop", "dup", "move", "shuffle", "cut", "truncate")


def mutate_lines(draw: Callable, lines: list[str], op: str) -> None:
    """Apply one named mutation to a non-empty list of lines, in place."""
    i = draw(st.integers(0, len(lines) - 1))
    if op == "drop":
        del lines[i]
    elif op == "dup":
        lines.insert(i, lines[i])
    elif op == "move":
        lines.insert(draw(st.integers(0, len(lines))), lines.pop(i))
    elif op == "shuffle":
        j = min(len(lines), i + draw(st.integers(2, 12)))
        lines[i:j] = draw(st.permutations(lines[i:j]))
    elif op == "cut":
        lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    elif op == "truncate":
        del lines[i + 1:]
        lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    else:
        raise ValueError(f"unknown mutation {op!r} (known: {', '.join(MUTATIONS)})")
