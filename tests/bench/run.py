"""Run the whole benchmark: corpus, floor, build, sync, queries; a table and a JSON report.

The corpus is generated once per (count, seed, generator version) and cached in the work
folder. Cold jobs (floor, build, one-article sync) run in child processes; query latency
runs in this process against a warm engine, over HTTP against `defsearch serve`, and as a
one-shot `defsearch search` in new processes.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from bench import latency
from bench.floors import DEFAULT_FLOOR_SCRIPT
from bench.generator import GENERATOR_VERSION, Samples, generate_corpus
from bench.queries import BenchQuery, build_queries

# Targets of issues 6 and 17, checked beside the numbers.
TARGET_BUILD_RATIO = 0.3  # full build docs/s >= this x the analysis floor (issue 17's)
TARGET_SEARCH_P95_MS = 25.0  # engine search p95 warm, ten snippets and facets included
TARGET_FIRST_PASS_P95_MS = 60.0  # the same on the first pass (postings not cached)
TARGET_CLI_SECONDS = 0.6  # one-shot `defsearch search`, wall
TARGET_SYNC_SECONDS = 1.0  # sync one changed article into the built index
TARGET_PEAK_MB = 1536.0  # peak memory of a full build, summed PSS
TARGET_INDEX_RATIO = 1.5  # index bytes <= this x the bytes of the articles' text
SYNC_REPEAT = 5  # one-article syncs per run (the first one starts cold)
DEFAULT_WORKDIR = Path("bench-results")
SKIPPABLE = ("http", "cli", "sync", "analysis")  # "analysis": our own analysis rate rows
QUERY_LEMMAS = 6000  # lemmas per language kept for single-word queries (by frequency)


def prepare_corpus(workdir: Path, count: int, seed: int, log=print) -> dict:
    """Return the cached corpus for (count, seed), generating it first when needed."""
    folder = workdir / f"corpus-n{count}-s{seed}-g{GENERATOR_VERSION}"
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["cached"] = True
        return manifest
    if folder.exists():
        shutil.rmtree(folder)  # a generation that did not finish
    log(f"generating {count} articles (seed {seed}) in {folder} ...")
    started = time.perf_counter()
    corpus = generate_corpus(folder / "corpus", count, seed)
    seconds = time.perf_counter() - started
    manifest = {
        "count": count,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "corpus": str(folder / "corpus"),
        "bytes": corpus.bytes,
        "lemmas": {lang: len(words) for lang, words in corpus.lemmas.items()},
        "generate_seconds": seconds,
        # What the query set is made of; the set itself is built at run time (queries.py).
        "samples": corpus.samples.to_dict(),
        "top_lemmas": {lang: words[:QUERY_LEMMAS] for lang, words in corpus.lemmas.items()},
    }
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, manifest_path)  # the manifest marks the corpus complete
    manifest["cached"] = False
    return manifest


def run_job(job: str, **kwargs) -> dict:
    """Run a cold job of bench.jobs in a child process and return its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.jobs", job, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH_HOME), *_python_path()])},
    )
    if done.returncode != 0:
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
        raise RuntimeError(f"benchmark job {job} failed ({how}): {done.stderr[-2000:].strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_benchmark(
    count: int,
    seed: int = 1,
    workdir: Path = DEFAULT_WORKDIR,
    repeat: int = 3,
    profile: bool = False,
    skip: tuple[str, ...] = (),
    cli_runs: int = 5,
    sync_repeat: int = SYNC_REPEAT,
    log=print,
    floor_script: Path | None = DEFAULT_FLOOR_SCRIPT,
    opensearch_url: str | None = None,
) -> dict:
    """Run every measurement and return the report (see docs-bench.md for its fields)."""
    workdir.mkdir(parents=True, exist_ok=True)
    manifest = prepare_corpus(workdir, count, seed, log)
    corpus = Path(manifest["corpus"])
    samples = Samples(**manifest["samples"])
    samples.forms = {lang: [tuple(pair) for pair in pairs] for lang, pairs in samples.forms.items()}
    queries = build_queries(samples, manifest["top_lemmas"], seed)
    run_dir = workdir / f"run-n{count}-s{seed}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    index_dir = run_dir / "index"
    report: dict = {"environment": environment(), "corpus": _corpus_info(manifest, queries)}

    # The build runs first of all child processes, so RUSAGE_CHILDREN's peak is its own.
    log(f"building the index {repeat}x ...")
    builds = []
    for i in range(repeat):
        target = index_dir if i == repeat - 1 else run_dir / f"index-{i}"
        builds.append(run_job("build", corpus=str(corpus), index=str(target)))
        if i == 0:
            children_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if target != index_dir:
            shutil.rmtree(target, ignore_errors=True)
    log(
        "  build: "
        + ", ".join(f"{b['docs'] / b['seconds']:.0f} docs/s" for b in builds)
        + f"; peak {max(b['peak_tree_pss_mb'] for b in builds):.0f} MB PSS"
        + f" ({max(b['peak_tree_rss_mb'] for b in builds):.0f} MB RSS summed)"
    )
    log(f"analysis floor (issue 17) {repeat}x ...")
    flat = run_dir / "floor-articles"
    script = str(floor_script) if floor_script else None
    floors = [
        run_job("issue_floor", corpus=str(corpus), flat=str(flat), script=script)
        for _ in range(repeat)
    ]
    shutil.rmtree(flat, ignore_errors=True)
    log("  floor: " + ", ".join(f"{f['docs_per_s']:.0f} docs/s" for f in floors))
    floor_rate = statistics.median(f["docs_per_s"] for f in floors)
    build_rate = statistics.median(b["docs"] / b["seconds"] for b in builds)
    report["floor"] = {
        "docs_per_s": floor_rate,
        "runs_docs_per_s": [f["docs_per_s"] for f in floors],
        "tokens_per_s": statistics.median(f["tokens_per_s"] for f in floors),
        "how": floors[0]["how"],
        # The script's process: pymorphy3's loading counts too.
        "cpu_ms_per_doc": statistics.median(f["cpu_s"] for f in floors) / floors[0]["docs"] * 1000,
    }
    report["build"] = {"docs_per_s": build_rate, "ratio_to_floor": build_rate / floor_rate}
    if all("cpu_s" in b for b in builds):
        cpu = statistics.median(b["cpu_s"] for b in builds) / builds[-1]["docs"] * 1000
        report["build"]["cpu_ms_per_doc"] = cpu
    if "analysis" not in skip:
        log(f"our analysis {repeat}x ...")
        analyses = [run_job("floor", corpus=str(corpus)) for _ in range(repeat)]
        parse_floor = run_job("floor", corpus=str(corpus), parse=True)
        log("  analysis: " + ", ".join(f"{f['docs'] / f['seconds']:.0f} docs/s" for f in analyses))
        analysis_rate = statistics.median(f["docs"] / f["seconds"] for f in analyses)
        parse_rate = parse_floor["docs"] / parse_floor["seconds"]
        report["analysis"] = {
            "docs_per_s": analysis_rate,
            "ratio_to_floor": analysis_rate / floor_rate,
            "runs_s": [f["seconds"] for f in analyses],
            "terms": analyses[0]["terms"],
            "parse_docs_per_s": parse_rate,
        }
        report["build"]["ratio_to_analysis"] = build_rate / analysis_rate
        report["build"]["ratio_to_parse_floor"] = build_rate / parse_rate
    report["build"] |= {
        "runs_s": [b["seconds"] for b in builds],
        "docs": builds[-1]["docs"],
        "failed": builds[-1]["failed_count"],
        "failed_examples": builds[-1]["failed"],
        # The largest single process (getrusage), and all build processes together
        # (sampled): a build with worker processes holds several dictionaries at once.
        # PSS counts the pages forked workers share with the parent once; summed RSS
        # counts them in every process.
        "peak_mb": max(children_peak_mb, max(b["peak_tree_pss_mb"] for b in builds)),
        "peak_rss_mb": max(children_peak_mb, max(b["peak_tree_rss_mb"] for b in builds)),
        "peak_largest_process_mb": children_peak_mb,
        "peak_tree_mb": max(b["peak_tree_rss_mb"] for b in builds),
        "index_bytes": dir_bytes(index_dir),
        "index_ratio": dir_bytes(index_dir) / max(1, manifest["bytes"]),
    }

    # A failing stage (the engine may change under a long run) is reported, not fatal.
    def stage(name: str, fn) -> None:
        try:
            fn()
        except Exception as exc:  # any failure becomes a line in the report
            report.setdefault("errors", {})[name] = f"{exc.__class__.__name__}: {exc}"
            log(f"  {name} failed: {exc}")

    def sync_stage() -> None:
        log("one-article sync ...")
        copy = run_dir / "corpus-copy"
        shutil.copytree(corpus, copy, copy_function=os.link)
        try:
            sync = run_job("sync_one", corpus=str(copy), index=str(index_dir), repeat=sync_repeat)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        report["sync_one"] = {
            "median_s": statistics.median(sync["seconds"]),
            "first_s": sync["seconds"][0],
            "runs_s": sync["seconds"],
            "updated": sync["updated"],
        }
        log("  sync one: " + ", ".join(f"{t:.2f} s" for t in sync["seconds"]))

    def engine_stage() -> None:
        log(f"{len(queries)} queries x {repeat} rounds through the engine ...")
        report["search_engine"] = engine = latency.engine_latency(index_dir, queries, repeat)
        log(f"  engine: p50 {engine['p50']:.1f} ms, p95 {engine['p95']:.1f} ms")

    def http_stage() -> None:
        log("the same over HTTP ...")
        report["search_http"] = web = latency.http_latency(index_dir, queries, repeat)
        log(f"  HTTP: p50 {web['p50']:.1f} ms, p95 {web['p95']:.1f} ms")

    def cli_stage() -> None:
        log("one-shot CLI ...")
        report["cli"] = latency.cli_latency(index_dir, queries, cli_runs)
        report["cli"]["imports"] = latency.import_times(index_dir, queries[0].q)
        log(f"  one-shot CLI: median {report['cli']['median']:.2f} s")

    def profile_stage() -> None:
        log("profiling the build and the queries ...")
        profiled = run_job(
            "build", corpus=str(corpus), index=str(run_dir / "index-profile"), profile=True
        )
        shutil.rmtree(run_dir / "index-profile", ignore_errors=True)
        report["profiles"] = {
            **profiled["profile"],
            "queries": latency.profile_queries(index_dir, queries),
        }

    if "sync" not in skip:
        stage("sync", sync_stage)
    stage("engine", engine_stage)
    if "http" not in skip:
        stage("http", http_stage)
    if "cli" not in skip:
        stage("cli", cli_stage)
    if profile:
        stage("profile", profile_stage)
    if opensearch_url:  # the same corpus and queries on an OpenSearch node (bench.opensearch)
        from bench import opensearch

        def opensearch_stage() -> None:
            report["opensearch"] = opensearch.measure(
                corpus, index_dir, queries, opensearch_url, repeat, log
            )

        stage("opensearch", opensearch_stage)
    report["targets"] = check_targets(report)
    report["environment"]["git_at_end"] = _git_state()
    return report


def environment() -> dict:
    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
        "whoosh": version("whoosh-reloaded"),
        "pymorphy3": version("pymorphy3"),
        "pymorphy3_dicts_ru": version("pymorphy3-dicts-ru"),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "git": _git_state(),
    }


def _git_state() -> str | None:
    """Return the commit the engine was measured at, with "+dirty" for uncommitted edits."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "search", "web"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return None
    return (head + ("+dirty" if dirty else "")) or None


def _corpus_info(manifest: dict, queries: list[BenchQuery]) -> dict:
    return {
        "count": manifest["count"],
        "seed": manifest["seed"],
        "bytes": manifest["bytes"],
        "lemmas": manifest["lemmas"],
        "generate_s": manifest["generate_seconds"],
        "cached": manifest["cached"],
        "queries": len(queries),
    }


def check_targets(report: dict) -> dict:
    """Return {target name: {"value", "target", "ok"}} for the targets of issue 6."""
    checks = {
        "build_ratio": (report["build"]["ratio_to_floor"], TARGET_BUILD_RATIO, True),
        "peak_mb": (report["build"]["peak_mb"], TARGET_PEAK_MB, False),
        "index_ratio": (report["build"]["index_ratio"], TARGET_INDEX_RATIO, False),
    }
    if "search_engine" in report:
        checks["search_p95_ms"] = (report["search_engine"]["p95"], TARGET_SEARCH_P95_MS, False)
        if report["search_engine"].get("first_pass"):
            first = report["search_engine"]["first_pass"]["p95"]
            checks["first_pass_p95_ms"] = (first, TARGET_FIRST_PASS_P95_MS, False)
    if "sync_one" in report:
        checks["sync_s"] = (report["sync_one"]["median_s"], TARGET_SYNC_SECONDS, False)
    if "cli" in report:
        checks["cli_s"] = (report["cli"]["median"], TARGET_CLI_SECONDS, False)
    return {
        name: {
            "value": value,
            "target": target,
            "ok": value >= target if at_least else value <= target,
        }
        for name, (value, target, at_least) in checks.items()
    }


# -- the table ---------------------------------------------------------------------------


def _mark(report: dict, name: str) -> str:
    check = report["targets"].get(name)
    if check is None:
        return ""
    return "PASS" if check["ok"] else "FAIL"


def _percentiles_text(stats: dict) -> str:
    return f"{stats['p50']:.1f} / {stats['p95']:.1f} / {stats['p99']:.1f} ms"


def format_report(report: dict) -> str:
    """Return the report as a plain-text table."""
    env, corpus = report["environment"], report["corpus"]
    floor, build = report["floor"], report["build"]
    rows: list[tuple[str, str, str, str]] = []

    def row(metric: str, value: str, target: str = "", mark: str = "") -> None:
        rows.append((metric, value, target, mark))

    analysis = report.get("analysis")
    row("analysis floor (issue 17)", f"{floor['docs_per_s']:,.0f} docs/s")
    if analysis:
        row(
            "our analysis (read+analyze)",
            f"{analysis['docs_per_s']:,.0f} docs/s = {analysis['ratio_to_floor']:.2f}x the floor",
        )
        row("  ours incl. parsing", f"{analysis['parse_docs_per_s']:,.0f} docs/s")
    row(
        "full index build",
        f"{build['docs_per_s']:,.0f} docs/s",
        f">= {TARGET_BUILD_RATIO * floor['docs_per_s']:,.0f} docs/s",
    )
    row(
        "  build / floor",
        f"{build['ratio_to_floor']:.2f}x",
        f">= {TARGET_BUILD_RATIO}x",
        _mark(report, "build_ratio"),
    )
    if analysis:
        row("  build / our analysis", f"{build['ratio_to_analysis']:.2f}x")
        row("  build / ours incl. parsing", f"{build['ratio_to_parse_floor']:.2f}x")
    row("  build runs", ", ".join(f"{s:.1f}" for s in build["runs_s"]) + " s")
    if "cpu_ms_per_doc" in build:
        row(
            "  CPU per article: build / floor",
            f"{build['cpu_ms_per_doc']:.2f} / {floor['cpu_ms_per_doc']:.2f} ms "
            f"(all processes; {floor['cpu_ms_per_doc'] / build['cpu_ms_per_doc']:.2f}x)",
        )
    if build["failed"]:
        row("  articles that failed", str(build["failed"]))
    row(
        "peak memory of the build",
        f"{build['peak_mb']:,.0f} MB PSS (RSS summed {build['peak_rss_mb']:,.0f}, "
        f"largest process {build['peak_largest_process_mb']:,.0f})",
        f"<= {TARGET_PEAK_MB:,.0f} MB",
        _mark(report, "peak_mb"),
    )
    row(
        "index size",
        f"{build['index_bytes'] / 2**20:,.1f} MB = {build['index_ratio']:.2f}x the text",
        f"<= {TARGET_INDEX_RATIO}x",
        _mark(report, "index_ratio"),
    )
    if "sync_one" in report:
        sync = report["sync_one"]
        row(
            "sync one changed article",
            f"{sync['median_s']:.2f} s (first {sync['first_s']:.2f} s)",
            f"<= {TARGET_SYNC_SECONDS} s",
            _mark(report, "sync_s"),
        )
    engine = report.get("search_engine")
    if engine:
        row(
            "search p50/p95/p99 (engine)",
            _percentiles_text(engine),
            f"p95 <= {TARGET_SEARCH_P95_MS:.0f} ms",
            _mark(report, "search_p95_ms"),
        )
        cold = engine.get("first_pass")
        if cold:
            row(
                "  first pass (postings not cached)",
                _percentiles_text(cold),
                f"p95 <= {TARGET_FIRST_PASS_P95_MS:.0f} ms",
                _mark(report, "first_pass_p95_ms"),
            )
    if "search_http" in report:
        web = report["search_http"]
        errors = f", {web['errors']} errors" if web["errors"] else ""
        row(
            "search p50/p95/p99 (HTTP API)",
            _percentiles_text(web) + errors,
        )
    if "cli" in report:
        cli = report["cli"]
        row(
            "one-shot CLI search (wall)",
            f"{cli['median']:.2f} s",
            f"<= {TARGET_CLI_SECONDS} s",
            _mark(report, "cli_s"),
        )

    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = (
        f"defsearch benchmark: {corpus['count']:,} articles (seed {corpus['seed']}, "
        f"{corpus['bytes'] / 2**20:.1f} MB, {corpus['queries']} queries), "
        f"{env['cpus']} CPUs, load {env['load_avg'][0]:.1f}, Python {env['python']}, "
        f"Whoosh {env['whoosh']}, git {env['git']}"
    )
    lines = [header, ""]
    if env.get("git_at_end") and env["git_at_end"] != env["git"]:
        lines += [f"WARNING: the code changed during the run (now {env['git_at_end']})", ""]
    lines += [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    for name, error in report.get("errors", {}).items():
        lines.append(f"ERROR in {name}: {error[:300]}")
    if not engine:
        return "\n".join(lines)
    lines += ["", "engine latency by query kind (ms):"]
    lines.append(
        f"  {'kind':<12} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7} {'hits':>7} {'none':>5}"
    )
    for kind, s in engine["by_kind"].items():
        lines.append(
            f"  {kind:<12} {s['n']:>4} {s['p50']:>7.1f} {s['p95']:>7.1f} {s['max']:>7.1f} "
            f"{s['mean_hits']:>7.0f} {s['no_hits']:>5}"
        )
    imports = report.get("cli", {}).get("imports")
    if imports:
        lines += ["", f"one-shot CLI imports ({imports['total_ms']:.0f} ms in all, -X importtime):"]
        lines.append(f"  {'top level, cumulative':<44} own time")
        pairs = zip(imports["top_level"], imports["by_self"], strict=False)
        for top, own in pairs:
            left = f"{top['cumulative_ms']:>7.1f} ms  {top['module']}"
            lines.append(f"  {left:<44} {own['self_ms']:>7.1f} ms  {own['module']}")
    for name, text in report.get("profiles", {}).items():
        lines += ["", f"profile: {name}", text]
    return "\n".join(lines)


BENCH_HOME = Path(__file__).resolve().parents[1]  # tests/: where the bench package lives


def _python_path() -> list[str]:
    return [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
