"""The short form of the bounded load test (issue 7): `kg serve` of the bundled corpus, on loopback,
answers a mix of pages, RDF, dumps and SPARQL from 16 concurrent connections with zero errors.
The long form is `python bench/load_test.py` (30 s, 32 connections)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load_test import default_mix, discover, run_load, serve_bundled


@pytest.mark.slow
def test_mixed_load_on_a_live_server_has_zero_errors(tmp_path: Path) -> None:
    proc, base = serve_bundled(tmp_path)
    try:
        letters, dumps = discover(base)
        assert sorted(letters) == [f"/letter/{n}" for n in range(167, 178)]
        mix = default_mix(letters, dumps)
        report = run_load(base, mix, seconds=5, connections=16)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    print(report)
    assert report.errors == []
    assert report.served > 50
    # every kind of request in the mix was answered successfully at least once
    assert {step.path for step in report.served_by_step} == {step.path for step in mix}
    assert report.percentile(0.99) < 30  # answered, not timed out
