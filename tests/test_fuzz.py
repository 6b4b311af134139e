"""Short form of the parser fuzz job (``python bench/fuzz_parser.py --cases 10000``).

Why in the regular suite: a page the collection has never shown us must not stop the build. ~300
pages generated and mutated by Hypothesis (the same strategies as the long job) go through reading,
parsing and JSON serialization; a few are also resolved, mapped to RDF and validated against shapes/.
Derandomized, so that a failure here is reproducible and never flaky; the long job varies the seed.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from bench.fuzz_parser import CONTRACT_KEYS, PAGES, map_case, read_case, run_case
from kg.model import ParseResult
from kg.sources.parse import parse_pages
from kg.sources.records_json import document_to_json

FUZZ = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


@FUZZ
@given(PAGES)
def test_generated_and_mutated_pages_parse_and_serialize(case):
    """No exception, a ParseResult, every document as JSON with the contract keys, and the graph's forms."""
    result = run_case(*case)  # also asserts the invariants of bench/fuzz_parser.check_result
    assert isinstance(result, ParseResult)
    for doc in result.documents:
        record = json.loads(json.dumps(document_to_json(doc), ensure_ascii=False))
        assert [key for key in CONTRACT_KEYS if key not in record] == []
        assert record["number"] == doc.number and record["pages"] == [case[0]]


@settings(max_examples=6, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(PAGES)
def test_mutated_pages_map_and_conform_to_the_shapes(case):
    """A damaged page never yields a statement the shapes refuse (that would stop `kg build` for all pages)."""
    result = parse_pages([read_case(*case)])
    assert map_case(result, validate=True) == []
