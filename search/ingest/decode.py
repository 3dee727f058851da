"""Read an article file's bytes and decode them into clean text.

UTF-8 with or without a BOM, UTF-16 with a BOM, or a legacy code page: Windows-1251 and KOI8-R
are told apart by how Russian the letters look, since charset-normalizer confuses them on
short texts."""

from __future__ import annotations

import codecs
import math
import re
import stat
import unicodedata
from pathlib import Path

from search.errors import DocumentError

MAX_BYTES = 5 * 1024 * 1024  # larger files are refused: no news article is this big
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


def read_article(path: Path) -> bytes:
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
        raise DocumentError(f"cannot read: {os_reason(exc)}") from None
    if len(raw) > MAX_BYTES:
        raise DocumentError(f"too large (over {MAX_BYTES} bytes)")
    if not raw:
        raise DocumentError("empty file")
    return raw


def os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def decode(raw: bytes) -> str:
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


def clean_text(text: str) -> str:
    """Normalize line ends, spaces and invisible or control characters, and compose accents."""
    text = _CHAR_CLEANUP_RE.sub(lambda m: _CHAR_CLEANUP[m[0]], text.replace("\r\n", "\n"))
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text
