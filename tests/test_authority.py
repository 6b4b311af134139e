"""Authority files: their schema, the loader's errors, and the provenance of every Wikidata link."""

from __future__ import annotations

import csv
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from kg.config import ROOT
from kg.resolve.authority import LINK_COLUMNS, QID_IRI, AuthorityError, load_authorities, name_key

DATA = ROOT / "data"
AUTH = DATA / "authority"
SEEN = ROOT / "tests" / "data" / "wikidata-seen.tsv"  # copy of ../shared/reference/, see its README
QID_IN_TEXT = re.compile(r"(?:wikidata\.org/entity/|\bwd:)(Q[1-9][0-9]*)")


@pytest.fixture(scope="module")
def auth():
    return load_authorities(DATA)


def _links() -> list[dict[str, str]]:
    with (AUTH / "wikidata-links.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- schema --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("filename, table, required", [
    ("people.toml", "person", {"id": str, "label": str, "surnames": list}),
    ("organizations.toml", "organization", {"id": str, "label": str, "names": list}),
    ("places.toml", "place", {"id": str, "label": str, "names": list}),
    ("archives.toml", "archive", {"id": str, "label": str, "names": list}),
    ("identifications.toml", "identification",
     {"document": str, "form": str, "entity": str, "basis": str, "kind": str, "explanation": str}),
    ("events.toml", "event", {"id": str, "label": str, "kind": str, "stated_in": list}),  # keywords or text_names
    ("identifications.toml", "ambiguous", {"form": str, "kind": str, "explanation": str}),
])
def test_every_entry_has_its_required_keys_and_types(filename, table, required):
    rows = tomllib.loads((AUTH / filename).read_text(encoding="utf-8"))[table]
    assert rows, f"{filename} has no [[{table}]]"
    for row in rows:
        for key, typ in required.items():
            assert isinstance(row.get(key), typ), f"{filename}: {row.get('id') or row.get('form')}: {key}"
        if "id" in row:
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["id"]), row["id"]
            assert row["id"].isascii()


def test_ids_are_unique_across_files_and_every_kind_is_loaded(auth):
    ids = []
    for filename, table in (("people.toml", "person"), ("organizations.toml", "organization"),
                            ("places.toml", "place"), ("archives.toml", "archive")):
        ids += [r["id"] for r in tomllib.loads((AUTH / filename).read_text(encoding="utf-8"))[table]]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(auth.entities)
    kinds = {e.kind for e in auth.entities.values()}
    assert kinds == {"person", "organization", "place", "archive"}


def test_rtskhidni_and_rgaspi_are_one_archive(auth):
    rgaspi = auth.entities["rgaspi"]
    assert rgaspi.kind == "archive"
    assert {"RTsKhIDNI", "RTSKHIDNI", "RTSHIDNI"} <= set(rgaspi.alt_labels)
    assert {nf.entity for nf in auth.lookup("RTSHIDNI")} == {"rgaspi"}
    assert auth.entities["garf"].kind == "archive"


def test_people_carry_variants_initials_and_explained_pseudonyms(auth):
    assert {nf.entity for nf in auth.lookup("Ordjonikidze")} == {"ordzhonikidze-g-k"}
    assert {"I. V.", "J. V."} <= set(auth.initials["stalin-i-v"])
    arvid = [nf for nf in auth.forms if nf.form == "Arvid"]
    assert [(nf.entity, nf.kind, nf.explained_in) for nf in arvid] == [("pyatakov-g-l", "pseudonym", ("173", 10))]
    andrei = [nf for nf in auth.forms if nf.form == "Andrei"]
    assert [(nf.entity, nf.scope, nf.explained_in) for nf in andrei] == [("radek-k-b", "explained", ("173", 3))]
    assert auth.entities["chubar-v-ya"].pref_label == "V. Ya. Chubar"
    assert "Chubarov" in auth.entities["chubar-v-ya"].alt_labels
    assert {nf.entity for nf in auth.lookup("Smilge")} == {"smilga-i-t"}
    assert "Smilge" not in auth.entities["smilga-i-t"].alt_labels  # a kept case ending: matched, not published
    assert "Kobe" not in auth.entities["stalin-i-v"].alt_labels and "Koba" in auth.entities["stalin-i-v"].alt_labels
    assert {nf.entity for nf in auth.lookup("Eastpart")} == {"istpart"}
    assert {nf.entity for nf in auth.lookup("service station")} == {"sto"}


def test_name_key_ignores_spacing_and_punctuation():
    assert name_key("A.D.Ts.") == name_key("A. D. Ts.") == "adts"
    assert name_key("Central Committee of the RCP (b)") == name_key("Central Committee of the RCP(b)")


def test_old_man_identifications_never_name_the_same_person(auth):
    old = {i.document: i.entity for docs in auth.identifications.values() for i in docs if i.form == "the old man"}
    assert old == {"168": "lenin-v-i", "170": "kalinin-m-i"}
    for entries in auth.identifications.values():
        for ident in entries:
            assert ident.explanation.strip(), ident


# -- Wikidata links: format and provenance -------------------------------------------------------------


def test_links_file_has_the_agreed_columns_and_well_formed_rows(auth):
    with (AUTH / "wikidata-links.csv").open(encoding="utf-8", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == LINK_COLUMNS
    rows = _links()
    assert rows
    seen_ids = set()
    for row in rows:
        assert QID_IRI.match(row["wikidata"]), row
        assert row["entity_id"] in auth.entities, row
        assert row["method"] in ("curated", "reconciled")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"]), row
        assert row["source"] and row["evidence"] and row["confidence"], row
        assert row["entity_id"] not in seen_ids, f"two links for {row['entity_id']}"
        seen_ids.add(row["entity_id"])
    assert auth.entities["stalin-i-v"].wikidata.iri == "http://www.wikidata.org/entity/Q855"


def test_curated_links_are_exactly_rows_of_wikidata_seen():
    with SEEN.open(encoding="utf-8", newline="") as handle:
        seen: dict[str, dict[str, str]] = {}
        for r in csv.DictReader(handle, delimiter="\t"):
            seen.setdefault(r["qid"], r)  # the first row of a QID carries the evidence (later: "see ... row")
    for row in _links():
        if row["method"] != "curated":
            continue
        # a contested identifier is not published until another independent source confirms it
        assert seen.get(row["wikidata"], {}).get("confidence") != "contested", (
            f"{row['entity_id']}: {row['wikidata']} is contested in wikidata-seen.tsv; not published")
        assert row["source"] == "shared/reference/wikidata-seen.tsv"
        assert row["wikidata"] in seen, f"{row['entity_id']}: {row['wikidata']} is not in wikidata-seen.tsv"
        assert row["confidence"] == seen[row["wikidata"]]["confidence"]
        assert row["evidence"].rstrip(" .")[:40] == seen[row["wikidata"]]["evidence"][:40]


def test_places_and_events_never_borrow_a_region_link_for_an_event():
    linked = {r["entity_id"]: r["wikidata"] for r in _links()}
    assert linked.get("ruhr") == "http://www.wikidata.org/entity/Q151993"  # the Ruhr AREA, a place
    assert "occupation-of-the-ruhr" not in linked
    assert "svanidze-a-s" not in linked  # the tsv's Svanidze is Ekaterina, not Alexander


def test_no_wikidata_identifier_in_data_or_code_lacks_an_evidence_row():
    recorded = {row["wikidata"].rsplit("/", 1)[-1] for row in _links()}
    found: dict[str, str] = {}
    for folder in ("kg", "data", "ontology", "shapes"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".toml", ".ttl", ".csv", ".json", ".md", ".txt"}:
                if path.name == "wikidata-links.csv":
                    continue
                for qid in QID_IN_TEXT.findall(path.read_text(encoding="utf-8", errors="replace")):
                    found.setdefault(qid, str(path.relative_to(ROOT)))
    unrecorded = {q: p for q, p in found.items() if q not in recorded}
    assert not unrecorded, f"Wikidata ids without an evidence row in wikidata-links.csv: {unrecorded}"


# -- errors name the file and the entry ----------------------------------------------------------------


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "authority"
    shutil.copytree(AUTH, target)
    return tmp_path


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize("filename, text, message", [
    ("people.toml", '\n[[person]]\nid = "x-y"\nsurnames = ["X"]\n', "missing key 'label'"),
    ("people.toml", '\n[[person]]\nid = "x-y"\nlabel = 3\nsurnames = ["X"]\n', "'label' must be a str"),
    ("people.toml", '\n[[person]]\nid = "stalin-i-v"\nlabel = "X"\nsurnames = []\n', "duplicate id"),
    ("people.toml", '\n[[person]]\nid = "Nö"\nlabel = "X"\nsurnames = []\n', "ASCII lower-case slug"),
    ("people.toml", '\n[[person]]\nid = "x"\nlabel = "X"\nsurnames = []\nnames = [{ form = "Y", kind = "n",'
     ' scope = "sometimes" }]\n', "scope must be one of"),
    ("places.toml", '\n[[place\n', "syntax"),
    ("identifications.toml", '\n[[identification]]\ndocument = "1"\nform = "X"\nentity = "nobody"\n'
     'basis = "context"\nkind = "nickname"\nexplanation = "x"\n', "unknown entity 'nobody'"),
])
def test_malformed_toml_names_file_and_entry(copy_dir, filename, text, message):
    _append(copy_dir / "authority" / filename, text)
    with pytest.raises(AuthorityError) as err:
        load_authorities(copy_dir)
    assert filename in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize("row, message", [
    ("stalin-i-v,http://www.wikidata.org/entity/Q0855,s,curated,high,2026-01-01,e", "not a Wikidata entity IRI"),
    ("nobody,http://www.wikidata.org/entity/Q1,s,curated,high,2026-01-01,e", "unknown entity 'nobody'"),
    ("lenin-v-i,http://www.wikidata.org/entity/Q2,s,curated,high,2026-01-01,e", "already linked"),
    ("radek-k-b,http://www.wikidata.org/entity/Q2,s,guessed,high,2026-01-01,e", "method must be"),
    ("radek-k-b,http://www.wikidata.org/entity/Q2,s,curated,high,2026-01-01,", "source and evidence"),
])
def test_malformed_link_rows_name_the_line(copy_dir, row, message):
    links = copy_dir / "authority" / "wikidata-links.csv"
    _append(links, row + "\n")
    n_lines = len(links.read_text(encoding="utf-8").splitlines())
    with pytest.raises(AuthorityError) as err:
        load_authorities(copy_dir)
    assert f"wikidata-links.csv: line {n_lines}: " in str(err.value)
    assert message in str(err.value)


# -- indexed lookup ------------------------------------------------------------------------------------


def _scan(auth, form: str) -> list:
    """The lookup as it was before the index: every form compared by name_key."""
    return [nf for nf in auth.forms if name_key(nf.form) == name_key(form)]


def test_indexed_lookup_equals_the_scan_on_every_authority_form(auth):
    probes = {p for nf in auth.forms for p in (nf.form, nf.form.upper(), nf.form.lower(), f" {nf.form}. ")}
    probes |= {e.pref_label for e in auth.entities.values()} | {"nobody", "", "K[alini]nu"}
    for probe in sorted(probes):
        assert auth.lookup(probe) == _scan(auth, probe), probe
    for entity in auth.entities:
        assert auth.forms_of(entity) == [nf for nf in auth.forms if nf.entity == entity], entity


def test_index_follows_forms_added_after_a_lookup(auth):
    from dataclasses import replace

    extra = replace(auth, forms=list(auth.forms))
    assert extra.lookup("Zzyzx") == []
    extra.forms.append(replace(auth.forms[0], form="Zzyzx"))
    assert extra.lookup("ZZYZX") == [extra.forms[-1]]


def test_completions_equal_the_scan(auth):
    from kg.resolve.names import MAX_ENDING, NameFinder, variant_key

    finder = NameFinder(auth)
    tokens = {f"{nf.form[:2]}[{nf.form[2:]}]" for nf in auth.forms if len(nf.form) > 3}
    tokens |= {f"{t}u" for t in tokens} | {"K[alini]nu", "Andrei[she]", "St[alin]", "[Nobody]"}
    for token in sorted(tokens):
        reading = token.replace("[", "").replace("]", "")
        key = variant_key(reading)
        exact = tuple(nf for nf in auth.forms if variant_key(nf.form) == key)
        scan = exact or tuple(nf for nf in auth.forms if nf.kind in ("surname", "nickname", "pseudonym")
                              and len(nf.form) >= 4 and key.startswith(variant_key(nf.form))
                              and len(key) - len(variant_key(nf.form)) <= MAX_ENDING)
        assert finder.completions(token) == (scan if reading[:1].isupper() else ()), token
