"""NAME.meta.json sidecars: metadata written by hand beside an article, validated strictly.

A sidecar is size checked before it is read, refused unparsed when it nests too deep or holds
a huge number, and its text must be valid Unicode."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from search.errors import DocumentError
from search.ingest.decode import os_reason
from search.text.safe import is_valid_unicode

SIDECAR_SUFFIX = ".meta.json"
SIDECAR_MAX_BYTES = 64 * 1024  # a sidecar holds five short fields
SIDECAR_FIELDS = ("title", "date", "source", "url", "lang")
SIDECAR_MAX_DEPTH = 8  # nested arrays or objects refused unparsed (a valid sidecar has one)
SIDECAR_MAX_NUMBER = 40  # characters in a number refused unconverted (no field is a number)
LANGUAGES = ("ru", "en")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_JSON_STRUCTURE_RE = re.compile(r'[\[\]{}"\\]')


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> bytes | None:
    """Read the sidecar beside an article, refusing one too large before reading it."""
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return None
    try:
        size = sidecar.stat().st_size
        if size > SIDECAR_MAX_BYTES:
            raise DocumentError(f"bad sidecar: too large ({size} bytes, limit {SIDECAR_MAX_BYTES})")
        with sidecar.open("rb") as file:
            raw = file.read(SIDECAR_MAX_BYTES + 1)  # it may have grown since stat
    except OSError as exc:
        raise DocumentError(f"bad sidecar: cannot read: {os_reason(exc)}") from None
    if len(raw) > SIDECAR_MAX_BYTES:
        raise DocumentError(f"bad sidecar: too large (over {SIDECAR_MAX_BYTES} bytes)")
    return raw


def parse_sidecar(raw: bytes) -> dict:
    """Validate a NAME.meta.json sidecar and return the fields it sets."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError("bad sidecar: not UTF-8") from None
    if _json_depth(text) > SIDECAR_MAX_DEPTH:
        # Refused before parsing: json's parser recurses once per level (RecursionError).
        raise DocumentError(f"bad sidecar: nested deeper than {SIDECAR_MAX_DEPTH} levels")
    try:
        data = json.loads(
            text,
            parse_int=lambda number: int(_short_number(number)),
            parse_float=lambda number: float(_short_number(number)),
        )
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"bad sidecar: invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise DocumentError("bad sidecar: expected a JSON object")
    unknown = sorted(set(data) - set(SIDECAR_FIELDS))
    if unknown:
        allowed = ", ".join(SIDECAR_FIELDS)
        raise DocumentError(f"bad sidecar: unknown field {unknown[0]!r} (allowed: {allowed})")
    fields = {}
    for name, value in data.items():
        fields[name] = _sidecar_value(name, value)
    return fields


def _sidecar_value(name: str, value: object) -> str | None:
    if value is None and name in ("date", "source", "url"):
        return None  # null clears a wrongly extracted value
    if not isinstance(value, str) or not value.strip():
        raise DocumentError(f"bad sidecar: {name} must be a non-empty string")
    if not is_valid_unicode(value):
        # JSON's \ud800 escape decodes to a lone surrogate: no text, and no UTF-8 for it.
        raise DocumentError(f"bad sidecar: {name} is not valid Unicode (a lone surrogate)")
    value = " ".join(value.split())
    if name == "lang" and value not in LANGUAGES:
        raise DocumentError(f"bad sidecar: lang must be 'ru' or 'en', not {value!r}")
    if name == "date" and not _is_iso_date(value):
        raise DocumentError(f"bad sidecar: date must be a real date as YYYY-MM-DD, not {value!r}")
    if name == "url" and not value.startswith(("http://", "https://")):
        raise DocumentError(f"bad sidecar: url must start with http:// or https://, not {value!r}")
    return value


def _json_depth(text: str) -> int:
    """Return how deep the arrays and objects of a JSON text nest, brackets in strings aside."""
    if text.count("[") + text.count("{") <= SIDECAR_MAX_DEPTH:
        return 0  # the common case: too few brackets to nest too deep, nothing to scan
    depth = deepest = 0
    in_string = False
    escaped_at = -1  # the position of the character a backslash escapes
    for match in _JSON_STRUCTURE_RE.finditer(text):
        char, at = match[0], match.start()
        if at == escaped_at:
            continue
        if in_string:
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _short_number(text: str) -> str:
    """Return a JSON number's text; refuse one too long to convert (int() of 5,000 digits
    raises ValueError, and takes quadratic time below that)."""
    if len(text) > SIDECAR_MAX_NUMBER:
        raise DocumentError(
            f"bad sidecar: a number of {len(text)} characters (limit {SIDECAR_MAX_NUMBER})"
        )
    return text


def _is_iso_date(value: str) -> bool:
    if not _ISO_DATE_RE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
