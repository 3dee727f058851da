"""The benchmark: a deterministic generator and a smoke run of the whole measurement."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from bench.__main__ import main as bench_main
from bench.generator import generate_corpus
from bench.latency_only import main as latency_only_main

from search.ingest.read import read_document
from search.ingest.walk import iter_article_paths


def corpus_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def corpus50(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "corpus"
    generate_corpus(root, 50, seed=3)
    return root


def test_same_seed_same_bytes(corpus50, tmp_path):
    generate_corpus(tmp_path / "again", 50, seed=3)
    assert corpus_digest(tmp_path / "again") == corpus_digest(corpus50)


def test_other_seed_other_bytes(corpus50, tmp_path):
    generate_corpus(tmp_path / "other", 50, seed=4)
    assert corpus_digest(tmp_path / "other") != corpus_digest(corpus50)


def test_fifty_articles_half_russian_half_english(corpus50):
    docs = [read_document(path, corpus50) for path in iter_article_paths(corpus50)]
    assert len(docs) == 50
    assert sorted(doc.lang for doc in docs).count("ru") == 25
    assert all(doc.title and doc.date and doc.source for doc in docs)
    assert all(300 <= len(doc.body.split()) <= 650 for doc in docs)


def test_russian_words_are_inflected(corpus50):
    words = " ".join(p.read_text("utf-8") for p in corpus50.rglob("ru-*.txt")).lower().split()
    assert any(w.startswith("поставк") and w != "поставка" for w in words)


def test_smoke_run(tmp_path, capsys):
    report_path = tmp_path / "report.json"
    args = ["--count", "40", "--repeat", "1", "--cli-runs", "1", "--workdir", str(tmp_path)]
    assert bench_main(args + ["--json", str(report_path)]) == 0
    out = capsys.readouterr().out
    assert "analysis floor" in out and "p50/p95/p99" in out
    report = json.loads(report_path.read_text("utf-8"))
    assert report["build"]["docs"] == 40 and report["build"]["failed"] == 0
    assert report["search_engine"]["p95"] > 0 and report["search_http"]["errors"] == 0
    assert set(report["targets"]) >= {"build_ratio", "peak_mb", "search_p95_ms", "sync_s", "cli_s"}
    assert report["floor"]["docs_per_s"] > 0 and report["analysis"]["docs_per_s"] > 0
    # The query path alone, again, on the index the run left behind.
    again = ["--count", "40", "--workdir", str(tmp_path), "--runs", "2", "--rounds", "1"]
    assert latency_only_main(again) == 0
    out = capsys.readouterr().out
    assert "warm p50/p95/p99" in out and "first pass" in out and "phrase" in out


def test_latency_alone_needs_a_bench_run_first(tmp_path, capsys):
    assert latency_only_main(["--count", "40", "--workdir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no bench corpus") and len(err.strip().splitlines()) == 1


def test_issue_floor_reads_every_article_of_the_nested_corpus(corpus50, tmp_path):
    from bench.floors import issue_floor

    result = issue_floor(str(corpus50), str(tmp_path / "flat"), script=None)
    assert result["docs"] == 50 and len(list((tmp_path / "flat").glob("*.txt"))) == 50
    assert result["docs_per_s"] > 0 and "reference_floor" in result["how"]


def test_issue_floor_runs_the_script_when_there(corpus50, tmp_path):
    from bench.floors import issue_floor

    script = tmp_path / "floor.py"
    script.write_text(
        "import sys, pathlib\nn = len(list(pathlib.Path(sys.argv[1]).glob('*.txt')))\n"
        "print(f'{n}.0 docs/s 7 tokens/s')\n"
    )
    result = issue_floor(str(corpus50), str(tmp_path / "flat"), script=str(script))
    assert result["docs_per_s"] == 50.0 and result["how"] == str(script)
