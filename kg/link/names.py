"""Name keys for matching our names against Wikidata labels and aliases (used by kg.link.reconcile).

Why a key rather than string equality: the edition's translation, Wikidata's English labels and the
German, French and Russian aliases spell one name many ways (Ordzhonikidze/Ordjonikidze/Орджоникидзе,
Zinoviev/Zinovyev/Sinowjew/Зиновьев). ``fold`` maps such variants to one key; the key is only ever
compared, never shown or published.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіўє",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
                      "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "u", "ye"],
                     strict=True))  # Russian, and the Ukrainian/Belarusian і ў є: one Latin spelling each
_CLUSTERS = re.compile(r"shch|tsch|sch|dzh|dj|zh|kh|ch|ts|tz|sh|yu|iu|ju|ya|ia|ja|yo|ou")
_CLUSTER_KEY = {"shch": "s", "tsch": "c", "sch": "s", "dzh": "j", "dj": "j", "zh": "j", "kh": "h", "ch": "c",
                "ts": "c", "tz": "c", "sh": "s", "yu": "u", "iu": "u", "ju": "u", "ya": "a", "ia": "a", "ja": "a",
                "yo": "o", "ou": "u"}
INITIALS = re.compile(r"^(?:[A-ZА-Я][a-zа-я]?\.)+$")


def transliterate(text: str) -> str:
    """``text`` in lower case with its Cyrillic letters in Latin ("Сталин" -> "stalin"); other characters
    unchanged. The one rule: name matching folds with it, and the site's search (kg/web/search.py)
    searches a Cyrillic query's words in this Latin form as well."""
    return "".join(CYRILLIC.get(c, c) for c in text.lower())


def fold(name: str) -> str:
    """A matching key that equates transliteration variants.

    Ordzhonikidze/Ordjonikidze/Орджоникидзе, Zinoviev/Zinovyev/Sinowjew-ish, Kuibyshev/Kuybyshev and
    Dzerzhinsky/Dzerzhinski all fold to one key each. Only used to compare names, never shown.
    """
    text = transliterate(name)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[^a-z ]+", " ", text)
    text = _CLUSTERS.sub(lambda m: _CLUSTER_KEY[m.group()], text)
    text = text.translate(str.maketrans({"y": "i", "j": "i", "w": "v", "z": "s", "x": "ks"}))
    text = re.sub(r"(.)\1+", r"\1", text)  # doubled letters and "ii" from y/j
    return " ".join(text.replace("ie", "e").split())  # Zinoviev/Зиновьев (the soft sign is dropped)


def tokens(name: str) -> list[str]:
    """Words of a name; spaces, commas and brackets separate them."""
    return [t for t in re.split(r"[\s,()\[\]]+", name) if t]


def surname(label: str, full_name: str | None = None) -> str | None:
    """The last non-initial word of the preferred label (or full name): 'G. K. Ordzhonikidze' -> Ordzhonikidze."""
    for source in (label, full_name or ""):
        words = [t for t in tokens(source) if not INITIALS.match(t)]
        if words:
            return words[-1]
    return None


def given_initial(label: str, full_name: str | None = None) -> str | None:
    """The first given-name initial, from the full name or the label's initials ('G. K.' -> 'g')."""
    if full_name and len(tokens(full_name)) > 1:
        return fold(tokens(full_name)[0])[:1] or None
    first = tokens(label)[:1]
    if first and INITIALS.match(first[0]):
        return fold(first[0])[:1] or None
    return None


def has_initials(name: str) -> bool:
    """'G. K. Ordzhonikidze' has initials: no use as a search string, Wikidata labels spell names out."""
    return any(INITIALS.match(t) for t in tokens(name))


def unique_names(names: Iterable[str]) -> tuple[str, ...]:
    """Non-empty names, first occurrence of each folded form kept."""
    seen, out = set(), []
    for name in names:
        key = fold(name)
        if name and key and key not in seen:
            seen.add(key)
            out.append(name.strip())
    return tuple(out)
