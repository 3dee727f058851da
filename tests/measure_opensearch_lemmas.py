"""Measure what the OpenSearch engine's handling of unlikely lemmas changes (README, "How our
analysis goes in"): the benchmark's corpus built three ways into OpenSearch, each compared
with the Whoosh engine on the benchmark's 270 queries (top-10 overlap, same top hit).

* ``apart``: what defsearch does: lemmas below ALT_BELOW in their own field, weighted
  ALT_WEIGHT, a place holder keeping the stacked field's length;
* ``no-holder``: the same without the place holder;
* ``stacked``: every lemma stacked at its word's position, counted as a full occurrence.

Run, with a node up (make opensearch-up):
    PYTHONPATH=tests .venv/bin/python tests/measure_opensearch_lemmas.py URL [--count 2000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.generator import Samples
from bench.opensearch import agreement
from bench.queries import build_queries
from bench.run import DEFAULT_WORKDIR, prepare_corpus, run_job

import search.opensearch.fields as fields
from search.opensearch.connect import Cluster
from search.opensearch.engine import OpenSearchEngine
from search.opensearch.indexing import sync_opensearch
from search.service import Engine
from search.text.analysis import iter_terms


def _without_place_holder(text: str) -> tuple[str, str]:
    positions: list[list[str]] = []
    unlikely: list[str] = []
    last = -1
    for term, weight, pos, _, _, _ in iter_terms(text):
        if pos != last:
            positions.append([term])
            last = pos
        elif weight < fields.ALT_BELOW:
            unlikely.append(term)
        else:
            positions[-1].append(term)
    return " ".join("|".join(terms) for terms in positions), " ".join(unlikely)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    manifest = prepare_corpus(DEFAULT_WORKDIR, args.count, 1)
    samples = Samples(**manifest["samples"])
    samples.forms = {lang: [tuple(p) for p in pairs] for lang, pairs in samples.forms.items()}
    queries = build_queries(samples, manifest["top_lemmas"], 1)
    index_dir = DEFAULT_WORKDIR / f"opensearch-n{args.count}-s1" / "index"
    if not index_dir.exists():
        run_job("build", corpus=manifest["corpus"], index=str(index_dir))
    whoosh = Engine(index_dir)
    streams, below = fields.term_streams, fields.ALT_BELOW
    for variant in ("apart", "no-holder", "stacked"):
        fields.term_streams = _without_place_holder if variant == "no-holder" else streams
        fields.ALT_BELOW = 0.0 if variant == "stacked" else below
        cluster = Cluster(args.url, f"defsearch-lemmas-{variant}")
        sync_opensearch(Path(manifest["corpus"]), cluster, rebuild=True)
        engine = OpenSearchEngine(cluster)
        found = agreement(whoosh, engine, queries)
        engine.close()
        print(f"{variant:<10} overlap {found['overlap']:.1%}  top hit {found['top']:.1%}")
    whoosh.close()


if __name__ == "__main__":
    main()
