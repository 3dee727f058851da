"""Timed jobs that must start cold: each runs in a fresh child process.

A fresh process has empty analysis caches and its own memory peak, so the analysis floor
and the index build are measured the way ``defsearch index`` meets them. The parent runs
``python -m bench.jobs JOB ARGS-AS-JSON`` and reads one JSON line from stdout.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

SYNC_EDIT_ARTICLE = 7  # which article (in path order) the one-article sync rewrites
# How often the build's process tree is measured. Reading a process's PSS walks its page
# tables (/proc/PID/smaps_rollup): 10-50 ms for a worker of 700 MB. Sampled every 0.1 s, as
# it once was, the three processes of a build took most of a core from the build itself.
RSS_SAMPLE_SECONDS = 1.0


def cpu_seconds() -> float:
    """Return the CPU time (user + system) of this process and its ended children.

    On a shared machine wall time depends on the load; CPU time much less.
    """
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB. Worker processes of a multi-process build count too.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers) / 1024


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """Return the summed RSS and PSS of a process and its descendants (Linux /proc).

    RSS counts a page shared by forked workers once per process; PSS splits it among them,
    so their sum is the physical memory the build holds.
    """
    rss_kb = pss_kb = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss_kb += int(line.split()[1])
                        break
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss_kb += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
                    todo.extend(int(child) for child in f.read().split())
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return rss_kb / 1024, pss_kb / 1024


class TreeMemorySampler:
    """Track the peak summed memory of this process and its workers while a job runs."""

    def __init__(self):
        self.peak_mb = 0.0  # summed RSS
        self.peak_pss_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = _tree_memory_mb(os.getpid())
            self.peak_mb, self.peak_pss_mb = max(self.peak_mb, rss), max(self.peak_pss_mb, pss)
            self._stop.wait(RSS_SAMPLE_SECONDS)

    def __enter__(self):
        if os.path.isdir("/proc/self/task"):
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def floor(corpus: str, parse: bool = False) -> dict:
    """Read every article and run our analysis over it (``parse``: through read_document).

    This is our own analysis rate, not the issue's floor (bench.floors).
    """
    from search.ingest.read import read_document
    from search.ingest.walk import iter_article_paths
    from search.text.analysis import analyze

    root = Path(corpus)
    started = time.perf_counter()
    docs = terms = 0
    for path in iter_article_paths(root):
        if parse:
            doc = read_document(path, root)
            texts = (doc.title, doc.body)
        else:
            texts = (path.read_text(encoding="utf-8"),)
        for text in texts:
            for _ in analyze(text):
                terms += 1
        docs += 1
    seconds = time.perf_counter() - started
    return {"docs": docs, "terms": terms, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def build(corpus: str, index: str, profile: bool = False) -> dict:
    """Build a fresh index of the corpus (a rebuild into an empty folder)."""
    from search import sync as indexer

    started, cpu_started = time.perf_counter(), cpu_seconds()
    with TreeMemorySampler() as memory:
        if profile:
            import tempfile

            from bench.profiling import profile_call, stats_text, workers_profiled

            # The build runs as it always does, worker processes included: the parent is
            # profiled here, each worker in its own process (bench.profiling).
            with tempfile.TemporaryDirectory() as folder, workers_profiled(Path(folder)):
                report, parent_text = profile_call(
                    indexer.sync_index, Path(corpus), Path(index), rebuild=True
                )
                saved = sorted(str(p) for p in Path(folder).glob("*.prof"))
                profile_text = {"build (parent process)": parent_text}
                if saved:
                    name = f"build ({len(saved)} worker processes, added up)"
                    profile_text[name] = stats_text(*saved)
        else:
            report = indexer.sync_index(Path(corpus), Path(index), rebuild=True)
            profile_text = None
    seconds = time.perf_counter() - started
    return {
        "docs": report.added,
        "failed": report.failed[:5],
        "failed_count": len(report.failed),
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "peak_tree_rss_mb": memory.peak_mb,
        "peak_tree_pss_mb": memory.peak_pss_mb,
        "cpu_s": cpu_seconds() - cpu_started,
        "profile": profile_text,
    }


def sync_one(corpus: str, index: str, repeat: int) -> dict:
    """Rewrite one article, sync; ``repeat`` times. The article is put back at the end.

    The corpus must be a private copy (the runner makes one of hard links): the article is
    replaced by a new file, never written in place, so the cached corpus is not touched.
    """
    from search.ingest.walk import iter_article_paths
    from search.sync import sync_index

    root, index_dir = Path(corpus), Path(index)
    paths = list(iter_article_paths(root))
    path = paths[min(SYNC_EDIT_ARTICLE, len(paths) - 1)]
    original = path.read_bytes()
    times, reports = [], []
    try:
        for i in range(repeat):
            _replace(path, original + f"\nUpdate {i + 1}: the article was revised.\n".encode())
            started = time.perf_counter()
            report = sync_index(root, index_dir)
            times.append(time.perf_counter() - started)
            reports.append(report.to_dict())
    finally:
        _replace(path, original)
        sync_index(root, index_dir)
    return {"seconds": times, "updated": [r["updated"] for r in reports], "article": str(path)}


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".bench-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # a new inode: the hard-linked original stays as it was


def issue_floor(corpus: str, flat: str, script: str | None) -> dict:
    """The analysis floor of issue 17 (bench.floors)."""
    from bench.floors import issue_floor as measure

    return measure(corpus, flat, script)


JOBS = {"floor": floor, "issue_floor": issue_floor, "build": build, "sync_one": sync_one}


def main(argv: list[str]) -> int:
    job, kwargs = argv[0], json.loads(argv[1])
    result = JOBS[job](**kwargs)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
