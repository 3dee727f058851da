"""Run a callable under cProfile and keep the top entries as text."""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable

TOP_ENTRIES = 15  # rows per table, by cumulative and by own ("total") time


def profile_call(fn: Callable, *args, **kwargs) -> tuple[object, str]:
    """Return fn's result and its profile: top entries by cumulative, then by total time."""
    profiler = cProfile.Profile()
    result = profiler.runcall(fn, *args, **kwargs)
    out = io.StringIO()
    for order in ("cumulative", "tottime"):
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(TOP_ENTRIES)
    return result, _trim(out.getvalue())


def _trim(text: str) -> str:
    # pstats prints a banner per table; the rows are what matters.
    keep = [line for line in text.splitlines() if line.strip() and "restriction" not in line]
    return "\n".join(keep)
