"""Fault injection through the real CLI: kills, concurrent runs, bad files, full disk."""

import json
import random
import resource
import signal
import subprocess
from pathlib import Path

import pytest
from processes import DEFSEARCH, clean_env, wait_for

from search.request import make_request
from search.service import Engine
from search.store import current_generation

RU = "поставки вооружения сотрудничество армия флот учения ракеты комплекс министр".split()
EN = "deliveries weapons cooperation army navy exercises missiles defense minister".split()


def write_articles(corpus: Path, start: int, count: int) -> None:
    """Write small deterministic bilingual articles; each has the word 'common'."""
    rng = random.Random(start)
    corpus.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        words = RU if i % 2 else EN
        body = " ".join(rng.choice(words) for _ in range(40))
        (corpus / f"art{i:05d}.txt").write_text(
            f"Headline {i} marker{i}\n\n{body} common\n", encoding="utf-8"
        )


def cli(corpus, index, *args, env=None, **kwargs):
    environ = clean_env(**(env or {}))
    command = [str(DEFSEARCH), "--corpus", str(corpus), "--index", str(index), *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ, **kwargs
    )


def run(corpus, index, *args, env=None, **kwargs):
    process = cli(corpus, index, *args, env=env, **kwargs)
    out, err = process.communicate(timeout=300)
    assert "Traceback" not in err, err
    return process.returncode, out, err


def total(index: Path, query: str = "common") -> int:
    engine = Engine(index)
    try:
        return engine.search(make_request(query)).total
    finally:
        engine.close()


def holds_lock(index: Path, process) -> bool:
    """Whether the process has taken the index's write lock (it writes its pid there)."""
    try:
        return json.loads((index / ".writelock").read_text())["pid"] == process.pid
    except (OSError, ValueError, KeyError):
        return False


@pytest.fixture
def small(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_articles(corpus, 0, 100)
    code, out, err = run(corpus, index, "index", "--json")
    assert code == 0 and json.loads(out)["added"] == 100
    return corpus, index


def test_kill_9_during_sync_keeps_index_and_rerun_finishes_exactly_once(small):
    corpus, index = small
    write_articles(corpus, 100, 2000)
    generation = current_generation(index)
    process = cli(corpus, index, "index", env={"DEFSEARCH_BATCH_SIZE": "200"})
    # Kill after at least one batch went live (a new generation), long before the end.
    assert wait_for(lambda: current_generation(index) != generation)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    searchable = total(index)
    assert 100 < searchable < 2100, "the kill should land mid-run"
    code, out, _ = run(corpus, index, "index", "--json")
    report = json.loads(out)
    assert code == 0 and not report["failed"]
    assert report["added"] + report["unchanged"] == 2100
    assert report["unchanged"] == searchable
    assert total(index) == 2100
    assert total(index, "marker1234") == 1  # no duplicates of a document


def test_kill_9_during_rebuild_keeps_the_old_index_whole(small):
    corpus, index = small
    write_articles(corpus, 100, 1500)
    live = current_generation(index)
    process = cli(corpus, index, "index", "--rebuild", env={"DEFSEARCH_BATCH_SIZE": "200"})
    assert wait_for(
        lambda: (
            len(list(index.glob("gen-*"))) == 2
            and any(p.glob("_MAIN_*.toc") for p in index.glob("gen-*") if p != live)
        )
    )
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert current_generation(index) == live
    assert total(index) == 100  # the old index answers in full
    code, out, _ = run(corpus, index, "index", "--json")
    assert code == 0 and json.loads(out)["added"] == 1500
    assert total(index) == 1600
    # The half-built one is gone, and so is the old one once nothing reads it.
    assert [p.name for p in index.glob("gen-*")] == [current_generation(index).name]


def test_searches_during_a_rebuild_always_get_full_results(small):
    corpus, index = small
    code, _, _ = run(corpus, index, "index")
    engine = Engine(index)
    process = cli(corpus, index, "index", "--rebuild")
    answers = []
    while process.poll() is None:
        answers.append(engine.search(make_request("common")).total)
    answers.append(engine.search(make_request("common")).total)
    engine.close()
    process.communicate()
    assert process.returncode == 0
    assert len(answers) > 5 and set(answers) == {100}


def test_a_second_sync_waits_for_the_first(small):
    corpus, index = small
    write_articles(corpus, 100, 1000)
    first = cli(corpus, index, "index", "--json")
    assert wait_for(lambda: holds_lock(index, first))
    code, out, err = run(corpus, index, "index", "--json")
    first_out, _ = first.communicate(timeout=300)
    assert first.returncode == 0 and code == 0
    reports = [json.loads(first_out), json.loads(out)]
    assert sum(r["added"] for r in reports) == 1000
    assert total(index) == 1100


def test_a_second_sync_gives_up_after_a_bounded_wait(small):
    corpus, index = small
    write_articles(corpus, 100, 1500)
    first = cli(corpus, index, "index")
    assert wait_for(lambda: holds_lock(index, first))
    code, _, err = run(corpus, index, "index", env={"DEFSEARCH_LOCK_WAIT": "0.3"})
    first.communicate(timeout=300)
    if first.returncode == 0 and code == 0:
        pytest.fail("the first run ended before the second tried: make the corpus larger")
    assert code == 1 and "another index run" in err and len(err.strip().splitlines()) <= 2


def test_a_lock_left_by_a_killed_run_does_not_block(small):
    corpus, index = small
    write_articles(corpus, 100, 1000)
    process = cli(corpus, index, "index")
    assert wait_for(lambda: holds_lock(index, process))
    process.send_signal(signal.SIGKILL)
    process.communicate()
    code, out, err = run(corpus, index, "index", "--json", env={"DEFSEARCH_LOCK_WAIT": "0.5"})
    assert code == 0 and total(index) == 1100


def _limit_file_size():
    # Writes past 64 KiB fail with EFBIG, as they would on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_full_disk_during_rebuild_keeps_the_old_index(small):
    corpus, index = small
    write_articles(corpus, 100, 1500)
    code, _, err = run(corpus, index, "index", "--rebuild", preexec_fn=_limit_file_size)
    assert code == 1 and "cannot write the index" in err
    assert len(err.strip().splitlines()) == 1
    assert total(index) == 100
    code, out, _ = run(corpus, index, "index", "--json")
    assert code == 0 and total(index) == 1600


def test_full_disk_during_sync_keeps_what_was_committed(small):
    corpus, index = small
    write_articles(corpus, 100, 1500)
    code, _, err = run(corpus, index, "index", preexec_fn=_limit_file_size)
    assert code == 1 and "cannot write the index" in err
    assert total(index) >= 100
    code, out, _ = run(corpus, index, "index", "--json")
    assert code == 0 and total(index) == 1600


def test_older_schema_is_detected(small):
    corpus, index = small
    meta = current_generation(index) / "defsearch.json"
    meta.write_text(json.dumps({"schema_version": 0}), encoding="utf-8")
    code, _, err = run(corpus, index, "search", "common")
    assert code == 1 and "defsearch index --rebuild" in err
    code, _, err = run(corpus, index, "index")
    assert code == 0 and "rebuilding" in err
    assert total(index) == 100


@pytest.mark.parametrize("damage", ["current", "toc", "generation"])
def test_damaged_index_says_how_to_repair(small, damage):
    corpus, index = small
    generation = current_generation(index)
    if damage == "current":
        (index / "CURRENT").write_text("../../etc\n")
    elif damage == "toc":
        for toc in generation.glob("_MAIN_*.toc"):
            toc.write_bytes(b"garbage")
    else:
        for path in generation.iterdir():
            if path.name != "defsearch.json":
                path.unlink()
    code, _, err = run(corpus, index, "search", "common")
    assert code == 1 and "defsearch index --rebuild" in err
    assert len(err.strip().splitlines()) == 1
    code, _, _ = run(corpus, index, "index", "--rebuild")
    assert code == 0 and total(index) == 100
