"""``python -m bench``: run the benchmark, or only generate its corpus.

Examples:
    python -m bench --count 2000
    python -m bench --count 20000 --profile --json bench-results/20k.json
    python -m bench generate --count 50 --seed 7 --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.floors import DEFAULT_FLOOR_SCRIPT
from bench.run import (
    DEFAULT_WORKDIR,
    SKIPPABLE,
    SYNC_REPEAT,
    format_report,
    run_benchmark,
)


def _generate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench generate",
        description="Write a deterministic synthetic corpus of bilingual defense news.",
    )
    parser.add_argument("--count", type=int, required=True, help="number of articles")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    args = parser.parse_args(argv)
    from bench.generator import generate_corpus

    started = time.perf_counter()
    corpus = generate_corpus(args.out, args.count, args.seed)
    print(
        f"{corpus.count} articles, {corpus.bytes / 2**20:.1f} MB in {args.out} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark indexing and search on a synthetic corpus (issue 6).",
        epilog="Use 'python -m bench generate --help' to only write a corpus.",
    )
    parser.add_argument("--count", type=int, default=2000, help="articles (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"cached corpora and indexes (default {DEFAULT_WORKDIR}/)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per timing; the median counts (default 3)"
    )
    parser.add_argument("--json", type=Path, help="write the report here ('-' for stdout)")
    parser.add_argument(
        "--profile", action="store_true", help="also profile the build and the query loop"
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=SKIPPABLE,
        help="leave out a measurement (repeatable)",
    )
    parser.add_argument(
        "--cli-runs", type=int, default=5, help="one-shot CLI searches timed (default 5)"
    )
    parser.add_argument(
        "--sync-repeat",
        type=int,
        default=SYNC_REPEAT,
        help=f"one-article syncs timed (default {SYNC_REPEAT})",
    )
    parser.add_argument(
        "--floor-script",
        type=Path,
        default=DEFAULT_FLOOR_SCRIPT,
        help="issue 17's analysis floor script (default ../shared/bench/floor.py from the "
        "project); if it is missing, the bench runs the same procedure itself",
    )
    parser.add_argument(
        "--opensearch-url",
        help="also build and search the corpus on this OpenSearch node (bench.opensearch)",
    )
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = run_benchmark(
        args.count,
        seed=args.seed,
        workdir=args.workdir,
        repeat=max(1, args.repeat),
        profile=args.profile,
        skip=tuple(args.skip),
        cli_runs=max(1, args.cli_runs),
        sync_repeat=max(1, args.sync_repeat),
        log=log,
        floor_script=args.floor_script,
        opensearch_url=args.opensearch_url,
    )
    data = json.dumps(report, ensure_ascii=False, indent=1)
    json_path = args.json or args.workdir / f"bench-n{args.count}-s{args.seed}.json"
    if str(json_path) == "-":
        print(data)
    else:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(data + "\n", encoding="utf-8")
    print(format_report(report))
    if "opensearch" in report:
        from bench.opensearch import report_lines

        print("\n" + "\n".join(report_lines(report["opensearch"])))
    if str(json_path) != "-":
        print(f"\nJSON report: {json_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "generate":
        return _generate(argv[1:])
    return _run(argv)


if __name__ == "__main__":
    sys.exit(main())
