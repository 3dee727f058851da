"""Turn raw article files from the corpus into clean NewsDocument records.

This module reads and decodes files and applies sidecars; search.ingest.extract finds the title,
date, outlet and link in the decoded text.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

MAX_BYTES = 5 * 1024 * 1024  # larger files are refused: no news article is this big
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_MAX_BYTES = 64 * 1024  # a sidecar holds five short fields
SIDECAR_FIELDS = ("title", "date", "source", "url", "lang")
SIDECAR_MAX_DEPTH = 8  # nested arrays or objects refused unparsed (a valid sidecar has one)
SIDECAR_MAX_NUMBER = 40  # characters in a number refused unconverted (no field is a number)
LANGUAGES = ("ru", "en")
# Code pages tried for files that are not UTF-8: what old Windows and Unix tools saved
# Russian (Windows-1251, KOI8-R) and English (Windows-1252) news in.
LEGACY_CODECS = ("cp1251", "koi8_r", "cp1252")
CYRILLIC_CODECS = ("cp1251", "koi8_r")
BINARY_SAMPLE_BYTES = 8192  # how much of a file the control-byte check looks at
BINARY_CONTROL_SHARE = 0.05  # more control bytes than this means a binary file, not text
BROKEN_UTF8_SHARE = 0.001  # UTF-8 with at most this share of bad bytes is still UTF-8
RUSSIAN_SCORE_SAMPLE = 20_000  # characters scored: plenty to tell code pages apart
MIN_RUSSIAN_SCORE = -4.5  # Russian scores about -3, a wrong code page or noise under -5

# Russian letter frequencies (per cent, Russian National Corpus), for _russian_score.
_RUSSIAN_LETTER_FREQ = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73,
    "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01,
    "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97,
    "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48, "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04,
    "ё": 0.04,
}  # fmt: skip
_LETTER_LOG = {ch: math.log(freq / 100) for ch, freq in _RUSSIAN_LETTER_FREQ.items()}
_RARE_LETTER_LOG = math.log(0.0001)  # a Cyrillic letter Russian does not use (Ђ, ў, ...)
_CYRILLIC_WORD_RE = re.compile(r"[\u0400-\u04ff]+")
_PLAIN_CHARS_RE = re.compile(r"[\t\n\r\x20-\x7e\u0410-\u044f\u0401\u0451«»“”„‘’—–…№]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_JSON_STRUCTURE_RE = re.compile(r'[\[\]{}"\\]')
_CONTROL_CHAR_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Bytes that never occur in text files (tab, newlines, form feed and escape are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1b")
# Line breaks, spaces and invisible characters as they come from web pages and old tools.
_CHAR_CLEANUP = {
    **{chr(c): "" for c in (*range(32), *range(0x7F, 0xA0))},
    **{chr(c): " " for c in (0x09, 0xA0, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))},
    **{chr(c): "\n" for c in (0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029)},
    **{chr(c): "" for c in (0xAD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)},
}
del _CHAR_CLEANUP["\n"]
# A regex finds the few such characters much faster than str.translate walks every one.
_CHAR_CLEANUP_RE = re.compile("[" + re.escape("".join(_CHAR_CLEANUP)) + "]")


class DocumentError(Exception):
    """An article file that cannot be read; the message is a one-line reason."""


@dataclass(frozen=True)
class NewsDocument:
    id: str  # path relative to the corpus, without the extension
    path: str  # path relative to the corpus, POSIX separators
    title: str
    body: str
    lang: str  # "ru" or "en"
    date: str | None = None  # ISO YYYY-MM-DD
    source: str | None = None
    url: str | None = None
    hash: str = ""  # fingerprint() of the article and its sidecar
    # Where each field was found: {"date": "dateline", "source": "url", ...} (see extract).
    provenance: dict[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()  # lines dropped as page furniture

    def to_dict(self) -> dict:
        return asdict(self)


class ArticleFile(NamedTuple):
    """An article file found by the corpus walk; ``entry.stat()`` is cached by os.scandir."""

    id: str  # as document_id() gives it
    path: str  # the corpus folder joined with the relative path, as os.walk spells it
    entry: os.DirEntry
    sidecar: os.DirEntry | None  # its NAME.meta.json, when the folder lists one


class SkippedPath(NamedTuple):
    """A file or folder the corpus walk passes over, and why."""

    path: str  # as ArticleFile.path, made printable by display_path()
    error: str  # a one-line reason
    # What stays indexed as it was: an article id, a folder's id prefix ("sub/", "" for the
    # whole corpus) when its articles could not be listed, or None when nothing stays.
    keep: str | None


def iter_article_files(
    corpus: Path, skipped: Callable[[SkippedPath], object] | None = None
) -> Iterator[ArticleFile]:
    """Yield every article file under corpus in a stable order (no sidecars, no hidden files).

    Folders are walked with os.scandir and no Path objects: on a 20,000-article corpus a
    sync's walk costs a tenth of a Path-based one, and the sidecar is found in the folder
    listing instead of by one stat() call per article.

    What cannot be an article is passed to ``skipped``: a folder that cannot be listed, a
    name that is not UTF-8, a link that is broken, loops, or leads to a folder or out of
    the corpus. Links are followed only to files inside the corpus, so that a link cannot
    publish /etc/passwd and a folder link cannot index its articles twice or loop.
    """
    root = os.fspath(corpus)
    real_root = os.path.realpath(root)

    def skip(path: str, reason: str, keep: str | None) -> None:
        if skipped:
            skipped(SkippedPath(display_path(path), reason, keep))

    folders = [(root, "")]  # a stack, not recursion: no generator per folder
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = {entry.name: entry for entry in listing}
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed or replaced since its parent was listed
        except OSError as exc:
            # Its articles stay indexed: a folder that cannot be read is not a deleted one.
            skip(folder, f"cannot read folder: {_os_reason(exc)}", prefix)
            continue
        subfolders = []
        for name in sorted(entries):
            entry = entries[name]
            if name.startswith("."):
                continue
            try:
                kind = _entry_kind(entry, real_root)
            except _Skip as exc:
                skip(entry.path, str(exc), None)
                continue
            if kind == "dir":
                subfolders.append((entry.path, prefix + name + "/"))
            elif kind == "file":
                stem = _stem(name)
                sidecar = entries.get(stem + SIDECAR_SUFFIX)
                if sidecar is not None and sidecar.is_symlink():
                    try:
                        _link_target_mode(sidecar.path, real_root)
                    except _Skip as exc:
                        # As for any bad sidecar, an indexed version of the article stays.
                        skip(entry.path, f"bad sidecar: {exc}", prefix + stem)
                        continue
                yield ArticleFile(prefix + stem, entry.path, entry, sidecar)
        folders.extend(reversed(subfolders))  # the first subfolder is walked next


class _Skip(Exception):
    """An entry the walk reports; the message is the one-line reason."""


def _entry_kind(entry: os.DirEntry, real_root: str) -> str | None:
    """Return "dir" or "file" for an entry the walk takes, None for one it passes over
    silently (a sidecar, a pipe); raise _Skip for one it reports."""
    try:
        is_dir = entry.is_dir(follow_symlinks=False)
        if entry.name.endswith(SIDECAR_SUFFIX) and not is_dir:
            return None  # read with its article
        if not is_valid_unicode(entry.name):
            raise _Skip("file name is not valid UTF-8; rename it")
        if is_dir:
            return "dir"
        if not entry.is_symlink():
            return "file" if entry.is_file(follow_symlinks=False) else None
    except OSError as exc:
        raise _Skip(f"cannot read: {_os_reason(exc)}") from None
    mode = _link_target_mode(entry.path, real_root)
    if stat.S_ISDIR(mode):
        raise _Skip("link to a folder, not followed (links are followed only to files)")
    return "file" if stat.S_ISREG(mode) else None


def _link_target_mode(path: str, real_root: str) -> int:
    """Return the st_mode of a link's target; raise _Skip when it is broken or outside."""
    try:
        mode = os.stat(path).st_mode
        target = os.path.realpath(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _Skip("link loop: the link leads back to itself") from None
        if exc.errno == errno.ENOENT:
            raise _Skip("broken link: its target does not exist") from None
        raise _Skip(f"cannot read: {_os_reason(exc)}") from None
    if os.path.commonpath([target, real_root]) != real_root:
        raise _Skip("link to outside the corpus, not followed")
    return mode


def is_valid_unicode(text: str) -> bool:
    """Tell whether text holds no lone surrogate, so that it has a UTF-8 form.

    os.scandir gives the bytes of a file name that are not UTF-8 as lone surrogates, and
    JSON's ``\\ud800`` escape decodes to one.
    """
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_path(path: str) -> str:
    """Return a path printable on one line: bytes that are not UTF-8 as \\xNN, control
    characters as escapes."""
    if not path.isascii():
        path = os.fsencode(path).decode("utf-8", "backslashreplace")
    return _CONTROL_CHAR_RE.sub(lambda m: repr(m[0])[1:-1], path)


def _stem(name: str) -> str:
    """Return a file name without its extension, by pathlib's rule (``a.`` keeps its dot)."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def iter_article_paths(corpus: Path) -> Iterator[Path]:
    """Yield the path of every article file under corpus, in iter_article_files' order."""
    for article in iter_article_files(corpus):
        yield Path(article.path)


def document_id(path: Path, corpus: Path) -> str:
    """Return the id of an article: its corpus-relative path without the extension."""
    return path.relative_to(corpus).with_suffix("").as_posix()


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def fingerprint(path: Path) -> str:
    """Hash the article bytes and its sidecar, so a change to either re-indexes it.

    Both are read as read_document reads them, size checked first: raise DocumentError
    for a file it would refuse unread (too large, not a regular file, empty).
    """
    return _fingerprint(_read_article(path), _read_sidecar(path))


def read_document(path: Path, corpus: Path) -> NewsDocument:
    """Parse one article file into a record; raise DocumentError with a reason if it is bad."""
    # Imported here: compiling its patterns costs ~15 ms, which `defsearch search` (it imports
    # this module through the indexer) should not pay.
    from search.ingest.extract import detect_lang, extract_article

    raw = _read_article(path)
    sidecar = _read_sidecar(path)
    overrides = _parse_sidecar(sidecar) if sidecar is not None else {}
    text = _clean_text(_decode(raw))
    if not text.strip():
        raise DocumentError("empty file (only whitespace)")
    if not _LETTER_RE.search(text):
        raise DocumentError("no text: the file holds no letters")
    article = extract_article(text, detect_lang(text), overrides.get("url"))
    if article is None:
        raise DocumentError("no article text, only separators and boilerplate")
    fields = {
        "title": article.title,
        "body": article.body,
        "lang": detect_lang(article.title + "\n" + article.body),
        "date": article.date,
        "source": article.source,
        "url": article.url,
        **overrides,
    }
    provenance = {**article.provenance, "lang": "text"}
    provenance.update(dict.fromkeys(overrides, "sidecar"))
    doc = NewsDocument(
        id=document_id(path, corpus),
        path=path.relative_to(corpus).as_posix(),
        hash=_fingerprint(raw, sidecar),
        provenance={key: where for key, where in provenance.items() if fields.get(key)},
        dropped=article.dropped,
        **fields,
    )
    if not is_valid_unicode(doc.id):
        raise DocumentError("file name is not valid UTF-8; rename it")
    for name in ("title", "body", "source", "url"):
        # Decoded bytes are valid Unicode; a lone surrogate would break every search that
        # finds the article, so nothing that holds one reaches the index.
        if (value := getattr(doc, name)) and not is_valid_unicode(value):
            raise DocumentError(f"{name} is not valid Unicode (a lone surrogate)")
    return doc


def inspect_file(path: Path) -> dict:
    """Return what an article file would become, and where each value was found.

    Nothing is indexed; a file that cannot be read gives {"path", "error"}.
    """
    try:
        doc = read_document(path, path.parent)
    except DocumentError as exc:
        return {"path": str(path), "error": str(exc)}
    return {
        "path": str(path),
        **{key: getattr(doc, key) for key in ("title", "date", "source", "url", "lang")},
        "provenance": doc.provenance,
        "dropped": list(doc.dropped),
    }


def _fingerprint(article: bytes, sidecar: bytes | None) -> str:
    digest = hashlib.sha256(article)
    if sidecar is not None:
        digest.update(b"\0sidecar\0" + sidecar)
    return digest.hexdigest()


def _read_article(path: Path) -> bytes:
    """Read the file, refusing what is not a regular file or too large before reading it."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError("not a regular file")
        if info.st_size > MAX_BYTES:
            raise DocumentError(f"too large ({info.st_size} bytes, limit {MAX_BYTES})")
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)  # the file may have grown since stat
    except OSError as exc:
        raise DocumentError(f"cannot read: {_os_reason(exc)}") from None
    if len(raw) > MAX_BYTES:
        raise DocumentError(f"too large (over {MAX_BYTES} bytes)")
    if not raw:
        raise DocumentError("empty file")
    return raw


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _decode(raw: bytes) -> str:
    """Decode article bytes: UTF-8 (BOM or not), UTF-16 with a BOM, or a legacy code page."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentError("undecodable text: broken UTF-16") from None
    sample = raw[:BINARY_SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\0" in raw or controls > len(sample) * BINARY_CONTROL_SHARE:
        raise DocumentError("binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    return _decode_broken_utf8(raw) or _decode_legacy(raw)


def _decode_broken_utf8(raw: bytes) -> str | None:
    """Accept UTF-8 with a few damaged bytes (a truncated copy), dropping the damage."""
    text = raw.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    good = len(text.encode("utf-8")) - len(text) - 2 * bad  # extra bytes of valid multibyte chars
    if bad <= max(1, len(text) * BROKEN_UTF8_SHARE) and good >= 10 * bad:
        return text.replace("\ufffd", "")
    return None


def _decode_legacy(raw: bytes) -> str:
    """Decode a file in a legacy code page, detected by charset-normalizer.

    On short Russian texts charset-normalizer often mistakes Windows-1251 for KOI8-R and
    back (they hold the same letters at different bytes), so when the text is Cyrillic its
    answer is re-ranked: every Cyrillic code page decoding is scored by how Russian its
    letters look (_russian_score) and the best one wins.
    """
    from charset_normalizer import from_bytes  # ~60 ms to import; UTF-8 files never need it

    best = from_bytes(raw, cp_isolation=list(LEGACY_CODECS)).best()
    guess = str(best) if best is not None else None
    if guess is not None and not _CYRILLIC_WORD_RE.search(guess):
        return guess
    decodings = [guess] if guess is not None else []
    for codec in CYRILLIC_CODECS:
        try:
            decodings.append(raw.decode(codec))
        except UnicodeDecodeError:
            continue
    scored = [
        (_russian_score(text[:RUSSIAN_SCORE_SAMPLE]), text)
        for text in decodings
        if _CYRILLIC_WORD_RE.search(text)
    ]
    if scored:
        score, text = max(scored, key=lambda pair: pair[0])
        if score >= MIN_RUSSIAN_SCORE or guess is not None:
            return text
    if guess is not None:
        return guess
    raise DocumentError("undecodable text: not UTF-8, Windows-1251, KOI8-R or Windows-1252")


def _russian_score(text: str) -> float:
    """Score how Russian a decoding looks; higher is better, real Russian is about -3.

    The mean log-frequency of its Cyrillic letters, minus penalties for words in mixed
    case ("бИЖЕ" is Windows-1251 read as KOI8-R) and for characters plain text rarely
    holds (box drawing, Ђ, ў: bytes read in the wrong code page).
    """
    letters = 0
    log_sum = 0.0
    mixed = 0
    words = _CYRILLIC_WORD_RE.findall(text)
    for word in words:
        letters += len(word)
        log_sum += sum(_LETTER_LOG.get(ch, _RARE_LETTER_LOG) for ch in word.lower())
        if not (word.islower() or word.isupper() or word.istitle()):
            mixed += 1
    if not letters:
        return -math.inf
    odd = len(text) - len(_PLAIN_CHARS_RE.findall(text))
    return log_sum / letters - 4 * mixed / len(words) - 20 * odd / len(text)


def _clean_text(text: str) -> str:
    """Normalize line ends, spaces and invisible or control characters, and compose accents."""
    text = _CHAR_CLEANUP_RE.sub(lambda m: _CHAR_CLEANUP[m[0]], text.replace("\r\n", "\n"))
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _read_sidecar(path: Path) -> bytes | None:
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
        raise DocumentError(f"bad sidecar: cannot read: {_os_reason(exc)}") from None
    if len(raw) > SIDECAR_MAX_BYTES:
        raise DocumentError(f"bad sidecar: too large (over {SIDECAR_MAX_BYTES} bytes)")
    return raw


def _parse_sidecar(raw: bytes) -> dict:
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
