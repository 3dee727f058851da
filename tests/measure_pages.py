"""Measure what is read from saved web pages: title, date, outlet and link, against values
written by hand for each page of tests/data/pages/eval, in the shapes news sites use: Open
Graph, JSON-LD (alone or in a @graph), microdata, Dublin Core, a bare <title> and <time>, a
date only in the link or in the text, a wire dateline or a credit line, a table layout,
Windows-1251 and KOI8-R, a relative canonical link, a page known only by the link it was
downloaded from. The "tuning" set (10 Russian, 10 English) was used while choosing
trafilatura's options; the "held-out" set (5 and 5) was written after, and measured once.

An outlet counts as right when it names the same outlet as expected, whatever the spelling
the outlet table gives it (search/data/outlets.tsv). A page the expected values leave
undated counts as right when no date is read.

Run: .venv/bin/python tests/measure_pages.py
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from search.errors import DocumentError
from search.ingest.outlets import known_outlet
from search.ingest.read import read_document

EVAL = Path(__file__).resolve().parent / "data" / "pages" / "eval"
FIELDS = ("title", "date", "source", "url")


def _outlet(name: str | None) -> str | None:
    return (known_outlet(name) or name) if name else None


def main() -> int:
    expected = json.loads((EVAL / "expected.json").read_text("utf-8"))
    groups = [(s, lang) for s in ("tuning", "held-out") for lang in ("ru", "en")]
    right = {group: dict.fromkeys(FIELDS, 0) for group in groups}
    pages = dict.fromkeys(groups, 0)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp)
        for case in expected:
            path = corpus / case["file"]
            shutil.copyfile(EVAL / case["file"], path)
            if case["sidecar_url"]:  # as `defsearch add URL` leaves it
                sidecar = path.with_name(path.name + ".meta.json")
                sidecar.write_text(json.dumps({"url": case["sidecar_url"]}), "utf-8")
            group = (case["set"], case["lang"])
            pages[group] += 1
            try:
                doc = read_document(path, corpus)
            except DocumentError as exc:
                print(f"{case['file']}: FAILED: {exc}")
                continue
            misses = []
            for name in FIELDS:
                got, want = getattr(doc, name), case[name]
                if name == "source":
                    got, want = _outlet(got), _outlet(want)
                if got == want:
                    right[group][name] += 1
                else:
                    misses.append(f"{name}: got {got!r}, expected {want!r}")
            print(f"{case['file']}: {'ok' if not misses else '; '.join(misses)}")
    print()
    print(f"| pages | {' | '.join(FIELDS)} |")
    print(f"| --- |{' --- |' * len(FIELDS)}")
    for group in groups:
        cells = " | ".join(f"{right[group][name]}/{pages[group]}" for name in FIELDS)
        print(f"| {group[0]}, {group[1]} | {cells} |")
    total = sum(pages.values())
    cells = " | ".join(f"{sum(right[g][n] for g in groups)}/{total}" for n in FIELDS)
    print(f"| all ({total}) | {cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
