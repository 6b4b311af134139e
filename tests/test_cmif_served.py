"""The letter views from outside: served at /cmif.xml and /letters.csv (and under /dumps/) by the live
server, byte for byte; and cmif.xml checked against the TEI Correspondence SIG's own RELAX NG schema
when it is at hand (the schema is not part of this repository: the check reads it from a local
mirror of the SIG's repository, or from the file named by $CMIF_RNG, and is skipped otherwise;
tests/test_cmif.py holds our own checks, which need nothing)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from kg.build.pipeline import build
from kg.config import Settings
from kg.web import create_app
from tests.web_server import Live, serving

MIRROR = Path("/work/.mirror/TEI-Correspondence-SIG+CMIF/repo")  # a `git` mirror of the SIG's repository
SCHEMA_PATH = "schema/cmi-customization.rng"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "output"
    lines: list[str] = []
    assert build(replace(Settings(), output_dir=out), None, echo=lines.append) == 0, "\n".join(lines)
    return out


def test_views_are_served_byte_for_byte(live: Live, seed: Path) -> None:
    settings = replace(live.settings, output_dir=seed)
    with serving(create_app(settings, live.store), settings) as server:
        url = f"http://127.0.0.1:{server.port}"
        listing = {f["name"]: f for f in requests.get(url + "/dumps/", headers={"Accept": "application/json"},
                                                      timeout=30).json()["files"]}
        for name, media in (("cmif.xml", "application/tei+xml"), ("letters.csv", "text/csv")):
            body = (seed / name).read_bytes()
            assert listing[name]["sha256"] == hashlib.sha256(body).hexdigest()
            assert listing[name]["media_type"] == media
            for path in (f"/{name}", f"/dumps/{name}"):
                r = requests.get(url + path, timeout=30)
                assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media, path
                assert r.content == body
        html = requests.get(url + "/dumps/", headers={"Accept": "text/html"}, timeout=30).text
        assert 'href="/dumps/cmif.xml"' in html and 'href="/dumps/letters.csv"' in html


def test_a_build_without_views_answers_404_not_500(live: Live, tmp_path: Path) -> None:
    empty = tmp_path / "output"
    empty.mkdir()
    settings = replace(live.settings, output_dir=empty)
    with serving(create_app(settings, live.store), settings) as server:
        r = requests.get(f"http://127.0.0.1:{server.port}/cmif.xml", headers={"Accept": "application/json"},
                         timeout=30)
        assert r.status_code == 404 and "/dumps/" in r.json()["message"]


def official_schema() -> bytes | None:
    if os.environ.get("CMIF_RNG"):
        return Path(os.environ["CMIF_RNG"]).read_bytes()
    if not MIRROR.is_dir():
        return None
    shown = subprocess.run(["git", "--git-dir", str(MIRROR), "show", f"HEAD:{SCHEMA_PATH}"], capture_output=True)
    return shown.stdout if shown.returncode == 0 else None


def test_cmif_is_valid_against_the_sigs_schema(seed: Path) -> None:
    etree = pytest.importorskip("lxml.etree")
    schema = official_schema()
    if schema is None:
        pytest.skip(f"the CMIF schema is not at hand (set CMIF_RNG or mirror the SIG's repository at {MIRROR})")
    validator = etree.RelaxNG(etree.fromstring(schema))
    ok = validator.validate(etree.parse(str(seed / "cmif.xml")))
    assert ok, str(validator.error_log)[:2000]
    damaged = (seed / "cmif.xml").read_bytes().replace(b'type="received"', b'type="cc"', 1)
    assert not validator.validate(etree.fromstring(damaged).getroottree())  # the schema does check
