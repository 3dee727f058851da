"""Group the lines of a story into paragraphs: blank lines, indents and hard wrapping."""

from __future__ import annotations

WRAP_MAX_CHARS = 100  # only lines up to this long can be hard-wrapped parts of a paragraph
WRAPPED_FILE_MIN_LINES = 5  # a file is hard-wrapped when this many lines...
WRAPPED_FILE_SHARE = 0.5  # ...and this share of its lines are 40 to WRAP_MAX_CHARS long
DEDUP_MIN_CHARS = 20  # shorter paragraphs ("- Да.") may repeat on purpose; longer ones do not
_END_PUNCT = '.!?…:;,»"”)'


def split_paragraphs(lines: list[str], indented: list[bool]) -> list[str]:
    """Group lines into paragraphs: blank lines separate them, hard-wrapped lines are joined."""
    paragraphs: list[str] = []
    block: list[str] = []
    starts: list[bool] = []
    for line, indent in zip([*lines, ""], [*indented, False], strict=True):
        if line:
            block.append(line)
            starts.append(indent)
        elif block:
            paragraphs.extend(_unwrap(block, starts))
            block, starts = [], []
    return paragraphs


def _unwrap(block: list[str], indented: list[bool]) -> list[str]:
    """Join the lines of a block that were wrapped at a fixed width into paragraphs.

    Where the block marks its paragraphs by indenting their first line (wire copy), every
    line that is not indented continues the one above. Otherwise a line was wrapped when the
    next line's first word would not have fitted on it, the width being the longest line of
    the run of short lines it belongs to. A line longer than WRAP_MAX_CHARS is a paragraph
    of its own (files saved without blank lines).
    """
    by_indent = indented[0] and not all(indented)
    paragraphs: list[list[str]] = []  # lines of each paragraph, joined at the end
    width = 0  # wrap width of the current run of short lines; 0 outside a run
    for i, line in enumerate(block):
        if len(line) > WRAP_MAX_CHARS:
            paragraphs.append([line])
            width = 0
            continue
        if by_indent and i:
            if indented[i] or stands_alone(line):
                paragraphs.append([line])
            else:
                paragraphs[-1].append(line)
            continue
        if not width:
            width = _run_width(block, i)
            paragraphs.append([line])
            continue
        prev = block[i - 1]
        wrapped = len(prev) + 1 + len(line.split(" ", 1)[0]) > width
        if wrapped and not _is_heading(prev) and not stands_alone(line):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return [" ".join(lines) for lines in paragraphs]


def _run_width(block: list[str], start: int) -> int:
    width = 0
    for line in block[start:]:
        if len(line) > WRAP_MAX_CHARS:
            break
        width = max(width, len(line))
    return width


def _is_heading(line: str) -> bool:
    return line.startswith(("#", "**", "__"))


def stands_alone(line: str) -> bool:
    """Headings, dialogue and list lines start a paragraph, never continue a wrapped one."""
    return _is_heading(line) or line.startswith(("- ", "– ", "— ", "• ", "* "))


def wrap_width(lines: list[str]) -> int:
    """The width a hard-wrapped file was wrapped at; 0 when it is not hard-wrapped."""
    filled = [line for line in lines if line]
    # Lines of a wrapping width that stop mid-sentence: a file of one sentence a line is not
    # wrapped, however alike its line lengths are.
    wrapped = [len(x) for x in filled if 40 <= len(x) <= WRAP_MAX_CHARS and x[-1] not in _END_PUNCT]
    if len(wrapped) < WRAPPED_FILE_MIN_LINES or len(wrapped) < WRAPPED_FILE_SHARE * len(filled):
        return 0
    return max(wrapped)


def join_split_paragraphs(paragraphs: list[str]) -> list[str]:
    """Rejoin a sentence split by a stray blank line: "... and are" + "constantly developing."."""
    joined = [[paragraphs[0]]] if paragraphs else []
    for paragraph in paragraphs[1:]:
        prev = joined[-1][-1]
        if prev[-1].isalpha() and paragraph[0].islower() and not stands_alone(paragraph):
            joined[-1].append(paragraph)
        else:
            joined.append([paragraph])
    return [" ".join(parts) for parts in joined]


def drop_repeats(paragraphs: list[str], headline: str | None) -> list[str]:
    """Drop paragraphs repeated verbatim (copy-paste twice) and a repeat of the headline."""
    seen = {_key(headline)} if headline else set()
    kept = []
    for paragraph in paragraphs:
        key = _key(paragraph)
        if key in seen:
            continue
        if len(paragraph) >= DEDUP_MIN_CHARS:
            seen.add(key)
        kept.append(paragraph)
    return kept


def _key(text: str) -> str:
    return text.strip(" -–—*_#").casefold()  # lines are already whitespace-collapsed
