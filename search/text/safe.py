"""Characters that must never reach a page or a terminal as they are.

Control characters (NUL, ESC …) and the bidirectional overrides (U+202E turns the rest of a
line around) can disguise what a page or a terminal shows. Queries are searched without
them, and anything a user typed is echoed with them spelled out as escapes.
"""

from __future__ import annotations

import re

# C0 and C1 controls but tab and newline, and the bidi embedding/override/isolate marks.
_HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """Spell out hidden characters: ESC becomes ``\\x1b``, U+202E ``\\u202e``."""
    return _HIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def strip_controls(text: str) -> str:
    """Replace hidden characters with spaces (a query is searched without them)."""
    return _HIDDEN.sub(" ", text)


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
