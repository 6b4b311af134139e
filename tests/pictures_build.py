"""Generated builds whose correspondents are in the authority files, for the pictures' tests.

The generator's cast (``kg.devtools.generate_vocab.PEOPLE``) is invented, so in a plain generated build no
sender or recipient resolves and the network of resolved correspondents is nearly empty. Here the cast is
appended to a copy of ``data/authority/people.toml`` (one entry per invented person, skipping surnames the
real authority file already has, which would make them ambiguous), so the network has real work to do:
dozens of people and thousands of letters between them.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from kg.build.pipeline import build
from kg.config import Settings
from kg.devtools.generate import write_corpus
from kg.devtools.generate_vocab import PEOPLE

ROOT = Path(__file__).resolve().parent.parent


def authority_with_cast(target: Path) -> Path:
    """A data dir: the real authority files plus the generator's people."""
    folder = target / "authority"
    shutil.copytree(ROOT / "data" / "authority", folder)
    people = folder / "people.toml"
    text = people.read_text(encoding="utf-8")
    entries = []
    for p in PEOPLE:
        if f'"{p.surname}"' in text:
            continue
        slug = "gen-" + p.surname.lower() + "-" + p.first[0].lower() + "-" + p.patronymic.lower()
        entries.append(f'\n[[person]]\nid = "{slug}"\nlabel = "{p.name}"\nsurnames = ["{p.surname}"]\n'
                       f'initials = ["{p.first[0]}. {p.patronymic}."]\n')
    people.write_text(text + "".join(entries), encoding="utf-8")
    return target


def generated_build(root: Path, letters: int, seed: int = 0) -> Path:
    """Generate ``letters`` documents and build them against the cast-aware authority files."""
    pages = write_corpus(root / "pages", letters, seed)
    out = root / "output"
    settings = replace(Settings(), output_dir=out, data_dir=authority_with_cast(root / "data"))
    lines: list[str] = []
    assert build(settings, [str(p) for p in pages], echo=lines.append) == 0, "\n".join(lines)
    return out
