"""The analysis floor of issue 17, measured in the same run as the build.

The floor is ``../shared/bench/floor.py`` (relative to the project; ``--floor-script``):
read every article, lowercase, tokenize with one regex, lemmatize Cyrillic tokens with a
cached pymorphy3 and stem the others with Snowball, in one process, nothing indexed. That
script reads the ``*.txt`` files of one folder, not of its subfolders, so it is run over a
flat folder of hard links to the corpus's articles. Without the script the same procedure
runs here (:func:`reference_floor`), so the ratios keep their meaning.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_FLOOR_SCRIPT = PROJECT.parent / "shared" / "bench" / "floor.py"
FLOOR_LEMMA_CACHE = 200_000  # lemmas the floor keeps, as the issue's script does
_RATE_RE = re.compile(r"([\d.]+) docs/s\s+([\d.]+) tokens/s")


def flat_view(corpus: Path, folder: Path) -> int:
    """Fill folder with hard links (symlinks across file systems) to the corpus's articles.

    Return how many there are. Names keep their subfolder (``2019-ru-000001.txt``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(corpus.rglob("*.txt")):
        link = folder / "-".join(path.relative_to(corpus).parts)
        if not link.exists():
            try:
                os.link(path, link)
            except OSError:
                link.symlink_to(path.resolve())
        count += 1
    return count


def script_floor(script: Path, flat: Path) -> dict:
    """Run the issue's floor script over a flat folder; return its docs/s and tokens/s."""
    done = subprocess.run(
        [sys.executable, str(script), str(flat)], capture_output=True, text=True, check=False
    )
    found = _RATE_RE.search(done.stdout)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"{script} failed: {(done.stderr or done.stdout)[-500:].strip()}")
    return {"docs_per_s": float(found.group(1)), "tokens_per_s": float(found.group(2))}


def reference_floor(flat: Path) -> dict:
    """The floor's procedure, for when its script is not there: the same steps, timed alike."""
    import pymorphy3
    import snowballstemmer

    token_re, cyrillic_re = re.compile(r"\w+(?:-\w+)*"), re.compile(r"[а-яё]")
    morph = pymorphy3.MorphAnalyzer()
    stem = snowballstemmer.stemmer("english").stemWord

    @functools.lru_cache(maxsize=FLOOR_LEMMA_CACHE)
    def lemma(word: str) -> str:
        return morph.parse(word)[0].normal_form

    files = sorted(flat.glob("*.txt"))
    started = time.perf_counter()
    tokens = 0
    for path in files:
        for token in token_re.findall(path.read_text(encoding="utf-8").lower()):
            tokens += 1
            lemma(token) if cyrillic_re.search(token) else stem(token)
    seconds = time.perf_counter() - started
    return {"docs_per_s": len(files) / seconds, "tokens_per_s": tokens / seconds}


def issue_floor(corpus: str, flat: str, script: str | None) -> dict:
    """Measure the issue's floor once: its script if it exists, else the same procedure."""
    from bench.jobs import cpu_seconds

    flat_dir = Path(flat)
    docs = flat_view(Path(corpus), flat_dir)
    cpu_started = cpu_seconds()
    if script and Path(script).is_file():
        result = script_floor(Path(script), flat_dir)
        result["how"] = str(script)
    else:
        result = reference_floor(flat_dir)
        result["how"] = "bench.floors.reference_floor (no floor script found)"
    # The CPU time of the whole measurement, pymorphy3's loading included.
    result["cpu_s"] = cpu_seconds() - cpu_started
    result["docs"] = docs
    return result
