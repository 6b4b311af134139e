"""What the project took from ../shared, held to its original while ../shared is beside the project.

The suite reads only the project's own copies (tests/data/README.md says where each comes from), so a
fresh clone runs everything without ../shared. CI and developers have ../shared beside the project; there
these tests compare each copy with its original byte for byte, and the version of
../shared/checks/seed_check.py that tests/seed_facts.py re-expresses with the current one. When ../shared
changes they fail, loudly: that is how the project learns of an update. Without ../shared they are not
even defined — nothing is collected, nothing is skipped.
"""

from __future__ import annotations

import difflib
import hashlib
import json

import pytest

from kg.config import ROOT

SHARED = ROOT.parent / "shared"
COPIES = {  # the project's copy -> its original in ../shared
    "data/corpus/bolshevik-correspondence-1923-nos-167-177.txt": "corpus/bolshevik-correspondence-1923-nos-167-177.txt",
    "tests/data/seed-expected.json": "reference/seed-expected.json",
    "tests/data/wikidata-seen.tsv": "reference/wikidata-seen.tsv",
}
# keys the project added to its copy of seed-expected.json (facts read by hand beyond the shared reference,
# issues 14 and 15): the shared facts must still be there verbatim, beside them
PROJECT_KEYS = {"tests/data/seed-expected.json": ("mentioned", "parties_and_transmission", "stated_events")}
# ../shared/checks/seed_check.py as read when tests/seed_facts.py was written from it (its facts, its counting)
SEED_CHECK_SHA256 = "11be2dcc21008d0859fe45a0485f684b696dd39eb4eaa3fc51aad7b827a20a6c"


def _first_differences(copy: bytes, original: bytes, lines: int = 40) -> str:
    diff = difflib.unified_diff(copy.decode("utf-8", "replace").splitlines(),
                                original.decode("utf-8", "replace").splitlines(), "copy", "../shared", lineterm="")
    return "\n".join(list(diff)[:lines])


if SHARED.exists():

    @pytest.mark.parametrize("copy,original", sorted(COPIES.items()))
    def test_each_copy_is_its_shared_original_verbatim(copy: str, original: str) -> None:
        ours, theirs = (ROOT / copy).read_bytes(), (SHARED / original).read_bytes()
        if copy in PROJECT_KEYS:  # the shared facts unchanged; the project's own keys beside them
            mine = json.loads(ours)
            for key in PROJECT_KEYS[copy]:
                assert key in mine, f"{copy}: the project's key {key!r} is missing"
                del mine[key]
            ours = (json.dumps(mine, ensure_ascii=False, indent=1)).encode()
            theirs = json.dumps(json.loads(theirs), ensure_ascii=False, indent=1).encode()
        assert ours == theirs, (
            f"../shared/{original} is no longer what {copy} holds: ../shared was updated. Read what changed, "
            f"copy it over (cp ../shared/{original} {copy}) and fix what the change breaks.\n"
            + _first_differences(ours, theirs))

    def test_seed_facts_helper_was_written_from_the_current_seed_check() -> None:
        digest = hashlib.sha256((SHARED / "checks" / "seed_check.py").read_bytes()).hexdigest()
        assert digest == SEED_CHECK_SHA256, (
            "../shared/checks/seed_check.py changed since tests/seed_facts.py was written from it. Read the change, "
            "carry new or changed facts into tests/seed_facts.py (and SEED_TOTAL), then set SEED_CHECK_SHA256 "
            f"here to {digest}.")
