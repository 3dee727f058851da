"""Put new article files into the corpus without ever overwriting a different article."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from search.errors import DefsearchError, DocumentError
from search.ingest.read import read_document
from search.ingest.sidecar import SIDECAR_SUFFIX, sidecar_path
from search.ingest.walk import display_path, document_id
from search.text.safe import is_valid_unicode

MAX_NAME_TRIES = 1000  # name-2.txt ... name-1000.txt before giving up


def _check(path: Path) -> str | None:
    """Return why a file cannot be added, or None when it reads as an article."""
    if not path.exists():
        return "no such file"
    if not path.is_file():
        return "not a regular file"
    # Refused, not renamed: the user would look for the article under the name given.
    if path.name.startswith("."):
        return "a hidden name (starting with '.') is never indexed; rename the file"
    if path.name.endswith(SIDECAR_SUFFIX):
        return (
            f"a {SIDECAR_SUFFIX} file is the sidecar of an article, not an article; "
            "add the article and its sidecar comes with it"
        )
    if not is_valid_unicode(path.name):
        return "the file name is not valid UTF-8; rename the file"
    try:
        read_document(path, path.parent)
    except DocumentError as exc:
        return str(exc)
    return None


def _same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _place(source: Path, corpus: Path) -> tuple[Path, bool]:
    """Copy source into corpus under a free name; return (target, already_there)."""
    stem, suffix = source.stem, source.suffix or ".txt"
    fd, tmp_name = tempfile.mkstemp(prefix=".add-", dir=corpus)  # hidden: never indexed
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(source, tmp)
        for n in range(1, MAX_NAME_TRIES + 1):
            target = corpus / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            if target.exists() and _same_bytes(source, target):
                return target, True
            try:
                os.link(tmp, target)  # fails if the name is taken, even by a racing add
            except FileExistsError:
                continue
            return target, False
    finally:
        tmp.unlink(missing_ok=True)
    raise DefsearchError(f"cannot find a free name for {source.name} in {corpus}")


def add_articles(files: list[Path], corpus: Path) -> list[dict]:
    """Check every file, then copy them (and their sidecars) into the corpus.

    If any file is bad, nothing is copied and the error names each bad file.
    """
    problems = [
        f"{display_path(str(path))}: {reason}" for path in files if (reason := _check(path))
    ]
    if problems:
        raise DefsearchError("cannot add " + "; ".join(problems))
    corpus.mkdir(parents=True, exist_ok=True)
    added = []
    for path in files:
        target, existing = _place(path, corpus)
        sidecar = sidecar_path(path)
        if sidecar.is_file() and not existing:
            shutil.copyfile(sidecar, sidecar_path(target))
        added.append(
            {
                "source": str(path),
                "path": str(target),
                "id": document_id(target, corpus),
                "existing": existing,
            }
        )
    return added
