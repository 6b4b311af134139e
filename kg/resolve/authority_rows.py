"""Reading authority files' entries: typed values, and errors that name the file and the entry.

Why a module of its own: every loader of data/authority (kg.resolve.authority, kg.resolve.event_entries)
checks its entries the same way, so a malformed entry is reported alike wherever it is.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from kg.errors import KGError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class AuthorityError(KGError):
    """An authority file is malformed: the message names the file and the entry."""

    def __init__(self, path: Path, where: str, message: str):
        self.path, self.where = path, where
        super().__init__(f"{path}: {where}: {message}")


def read_toml(path: Path) -> dict[str, Any]:
    """The file as TOML ({} when it does not exist: every authority file is optional)."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise AuthorityError(path, "syntax", str(err)) from None


def value_of(path: Path, where: str, row: dict[str, Any], key: str, typ: type, default: Any = ...) -> Any:
    """A typed value of an entry; a missing required key or a wrong type names the file and entry."""
    if key not in row:
        if default is ...:
            raise AuthorityError(path, where, f"missing key '{key}'")
        return default
    value = row[key]
    if typ is list:
        if not isinstance(value, list) or not all(isinstance(v, str | dict) for v in value):
            raise AuthorityError(path, where, f"'{key}' must be a list")
    elif not isinstance(value, typ):
        raise AuthorityError(path, where, f"'{key}' must be a {typ.__name__}, not {type(value).__name__}")
    return value
