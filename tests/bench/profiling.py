"""Run a callable under cProfile and keep the top entries as text; profile worker processes."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

TOP_ENTRIES = 15  # rows per table, by cumulative and by own ("total") time


def profile_call(fn: Callable, *args, **kwargs) -> tuple[object, str]:
    """Return fn's result and its profile: top entries by cumulative, then by total time."""
    profiler = cProfile.Profile()
    result = profiler.runcall(fn, *args, **kwargs)
    return result, stats_text(profiler)


def stats_text(*sources) -> str:
    """Return the top entries of profiles (Profile objects or saved files), added up."""
    out = io.StringIO()
    for order in ("cumulative", "tottime"):
        stats = pstats.Stats(*sources, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(TOP_ENTRIES)
    return _trim(out.getvalue())


@contextmanager
def workers_profiled(folder: Path):
    """Profile every index worker process started inside the block into folder/PID.prof.

    The workers are forked, so patching their class here reaches them; each saves its
    profile when its run ends, before it reports its segment.
    """
    from search.engine import workers

    folder.mkdir(parents=True, exist_ok=True)
    original = workers._Worker.run

    def run(self) -> None:
        profiler = cProfile.Profile()
        try:
            profiler.runcall(original, self)
        finally:
            profiler.dump_stats(str(folder / f"{os.getpid()}.prof"))

    workers._Worker.run = run
    try:
        yield
    finally:
        workers._Worker.run = original


def _trim(text: str) -> str:
    # pstats prints a banner per table; the rows are what matters.
    keep = [line for line in text.splitlines() if line.strip() and "restriction" not in line]
    return "\n".join(keep)
