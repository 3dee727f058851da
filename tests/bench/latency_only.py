"""``python -m bench.latency_only``: time the engine's searches on an index the bench built.

A full run rebuilds the index (12 minutes at 100,000 articles) before it searches; this
measures the query path alone on the index a previous run left in the work folder, with
the same query set and the same timing (bench.latency.engine_latency), ``--runs`` times,
and prints the median of each figure with the machine's load.

Examples:
    PYTHONPATH=tests python -m bench.latency_only --count 100000 --runs 3
    PYTHONPATH=tests python -m bench.latency_only --count 100000 --kind phrase --profile
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from bench import latency
from bench.generator import GENERATOR_VERSION, Samples
from bench.queries import KINDS, BenchQuery, build_queries
from bench.run import DEFAULT_WORKDIR


def load_queries(workdir: Path, count: int, seed: int) -> list[BenchQuery]:
    """Return the bench's query set for a corpus already generated in ``workdir``."""
    manifest_path = workdir / f"corpus-n{count}-s{seed}-g{GENERATOR_VERSION}" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    samples = Samples(**manifest["samples"])
    samples.forms = {lang: [tuple(pair) for pair in pairs] for lang, pairs in samples.forms.items()}
    return build_queries(samples, manifest["top_lemmas"], seed)


def median_report(runs: list[dict]) -> dict:
    """Return the median over runs of every percentile, overall, first pass and by kind."""

    def med(pick) -> float:
        return statistics.median(pick(run) for run in runs)

    names = ("p50", "p95", "p99")
    return {
        "warm": {p: med(lambda r, p=p: r[p]) for p in names},
        "first_pass": {p: med(lambda r, p=p: r["first_pass"][p]) for p in names},
        "by_kind": {
            kind: {p: med(lambda r, k=kind, p=p: r["by_kind"][k][p]) for p in ("p50", "p95")}
            for kind in runs[0]["by_kind"]
        },
    }


def format_lines(report: dict, load: tuple[float, float]) -> list[str]:
    """Return the report as printed lines."""

    def three(stats: dict) -> str:
        return " / ".join(f"{stats[p]:.1f}" for p in ("p50", "p95", "p99"))

    lines = [
        f"load average before/after: {load[0]:.2f} / {load[1]:.2f} (1 min)",
        f"warm p50/p95/p99 ms: {three(report['warm'])}",
        f"first pass p50/p95/p99 ms: {three(report['first_pass'])}",
    ]
    for kind, stats in report["by_kind"].items():
        lines.append(f"  {kind:<12} p50 {stats['p50']:6.1f}  p95 {stats['p95']:6.1f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency_only", description=__doc__)
    parser.add_argument("--count", type=int, default=2000, help="articles (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="bench folder")
    parser.add_argument("--rounds", type=int, default=3, help="warm rounds per run (default 3)")
    parser.add_argument("--runs", type=int, default=3, help="runs; medians count (default 3)")
    parser.add_argument("--kind", choices=KINDS, help="only the queries of one kind")
    parser.add_argument("--profile", action="store_true", help="print a warm pass's profile")
    args = parser.parse_args(argv)
    index_dir = args.workdir / f"run-n{args.count}-s{args.seed}" / "index"
    try:
        queries = load_queries(args.workdir, args.count, args.seed)
    except OSError as exc:
        print(f"error: no bench corpus: {exc}; run python -m bench first", file=sys.stderr)
        return 1
    if not index_dir.is_dir():
        print(f"error: no index in {index_dir}; run python -m bench first", file=sys.stderr)
        return 1
    if args.kind:
        queries = [q for q in queries if q.kind == args.kind]
    if args.profile:
        print(latency.profile_queries(index_dir, queries))
        return 0
    before = os.getloadavg()[0]
    runs = [latency.engine_latency(index_dir, queries, args.rounds) for _ in range(args.runs)]
    load = (before, os.getloadavg()[0])
    print("\n".join(format_lines(median_report(runs), load)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
