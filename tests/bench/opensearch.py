"""The OpenSearch engine on the benchmark's corpus: build rate, latency through the HTTP API,
and how far its results agree with the Whoosh engine's on the benchmark's queries.

    PYTHONPATH=tests .venv/bin/python -m bench.opensearch --count 2000 --opensearch-url URL

or ``python -m bench --opensearch-url URL`` for the whole benchmark with this part added.
Agreement: for each query, the share of the Whoosh top 10 that OpenSearch's top 10 also
holds (both empty: full), and whether the first hit is the same (both empty: the same).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench import latency
from bench.queries import BenchQuery

TOP = 10
ALIAS = "defsearch-bench"


@contextmanager
def _environment(url: str):
    """Point child processes (the HTTP server) at the cluster."""
    saved = {k: os.environ.get(k) for k in ("DEFSEARCH_ENGINE", "DEFSEARCH_OPENSEARCH_URL",
                                             "DEFSEARCH_OPENSEARCH_INDEX")}  # fmt: skip
    os.environ.update(
        DEFSEARCH_ENGINE="opensearch",
        DEFSEARCH_OPENSEARCH_URL=url,
        DEFSEARCH_OPENSEARCH_INDEX=ALIAS,
    )
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def agreement(whoosh, other, queries: list[BenchQuery]) -> dict:
    """Return the top-10 overlap and top-hit agreement of two engines, overall and per kind."""
    from search.request import make_request

    rows = []
    for q in queries:
        request = make_request(q.q, limit=TOP, **latency._request_params(q))
        mine = [hit.id for hit in whoosh.search(request).results]
        theirs = [hit.id for hit in other.search(request).results]
        overlap = len(set(mine) & set(theirs)) / len(mine) if mine else float(not theirs)
        top = mine[:1] == theirs[:1]
        rows.append(
            {"q": q.q, "kind": q.kind, "overlap": overlap, "top": top, "whoosh": mine,
             "opensearch": theirs}
        )  # fmt: skip
    by_kind = {}
    for kind in dict.fromkeys(r["kind"] for r in rows):
        mine = [r for r in rows if r["kind"] == kind]
        by_kind[kind] = {
            "overlap": statistics.mean(r["overlap"] for r in mine),
            "top": statistics.mean(r["top"] for r in mine),
        }
    return {
        "overlap": statistics.mean(r["overlap"] for r in rows),
        "top": statistics.mean(r["top"] for r in rows),
        "by_kind": by_kind,
        "worst": sorted(rows, key=lambda r: (r["overlap"], r["top"]))[:10],
    }


def measure(corpus: Path, index_dir: Path, queries: list[BenchQuery], url: str, rounds: int,
            log=print) -> dict:  # fmt: skip
    """Build the corpus into OpenSearch, time searches over HTTP, compare with Whoosh."""
    from search.opensearch.connect import Cluster
    from search.opensearch.engine import OpenSearchEngine
    from search.opensearch.indexing import sync_opensearch
    from search.service import Engine

    cluster = Cluster(url, ALIAS)
    log("building the OpenSearch index ...")
    started = time.perf_counter()
    report = sync_opensearch(corpus, cluster, rebuild=True)
    seconds = time.perf_counter() - started
    docs = report.added + report.updated
    log(f"  OpenSearch build: {docs / seconds:.0f} docs/s")
    out: dict = {"build": {"docs": docs, "seconds": seconds, "docs_per_s": docs / seconds}}
    log("comparing with the Whoosh engine ...")
    whoosh, other = Engine(index_dir), OpenSearchEngine(cluster)
    try:
        out["agreement"] = agreement(whoosh, other, queries)
        out["index_bytes"] = other.stats()["index_bytes"]
    finally:
        whoosh.close()
        other.close()
    log(
        f"  top-10 overlap {out['agreement']['overlap']:.1%}, top hit {out['agreement']['top']:.1%}"
    )
    log("the same queries over HTTP on OpenSearch ...")
    with _environment(url):
        out["search_http"] = web = latency.http_latency(index_dir, queries, rounds)
    log(f"  HTTP on OpenSearch: p50 {web['p50']:.1f} ms, p95 {web['p95']:.1f} ms")
    return out


def report_lines(part: dict) -> list[str]:
    """Return the OpenSearch rows of the benchmark's table."""
    agree, web = part["agreement"], part.get("search_http", {})
    lines = [
        "OpenSearch engine",
        f"  build                 {part['build']['docs_per_s']:.0f} docs/s",
        f"  index size            {part['index_bytes'] / 2**20:.1f} MB",
        f"  search over HTTP      p50 {web.get('p50', 0):.1f} ms, p95 {web.get('p95', 0):.1f} ms",
        f"  top-10 overlap        {agree['overlap']:.1%}   (target >= 80%)",
        f"  same top hit          {agree['top']:.1%}   (target >= 90%)",
    ]
    for kind, numbers in agree["by_kind"].items():
        lines.append(f"    {kind:<18}  overlap {numbers['overlap']:.1%}, top {numbers['top']:.1%}")
    return lines


def main(argv: list[str] | None = None) -> int:
    from bench.generator import Samples
    from bench.queries import build_queries
    from bench.run import DEFAULT_WORKDIR, prepare_corpus, run_job

    parser = argparse.ArgumentParser(prog="python -m bench.opensearch", description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--opensearch-url", required=True)
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args(argv)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    manifest = prepare_corpus(args.workdir, args.count, args.seed, log)
    samples = Samples(**manifest["samples"])
    samples.forms = {lang: [tuple(p) for p in pairs] for lang, pairs in samples.forms.items()}
    queries = build_queries(samples, manifest["top_lemmas"], args.seed)
    index_dir = args.workdir / f"opensearch-n{args.count}-s{args.seed}" / "index"
    if not index_dir.exists():
        log("building the Whoosh index ...")
        run_job("build", corpus=manifest["corpus"], index=str(index_dir))
    part = measure(Path(manifest["corpus"]), index_dir, queries, args.opensearch_url,
                   args.repeat, log)  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(part, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n".join(report_lines(part)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
