"""Bad files in the corpus and on `defsearch add`, through the real CLI (issue 19).

Each bad file must become one entry of the sync's `failed` list with a one-line reason while
the rest of the corpus is indexed, and never reach the index in a form that breaks searches.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from search.errors import DocumentError
from search.ingest.read import read_document
from search.ingest.walk import SkippedPath, iter_article_files

DEFSEARCH = Path(sys.executable).with_name("defsearch")
SETPRIV = shutil.which("setpriv")
GOOD = {
    "ru_deal": "Россия поставит Азербайджану зенитные комплексы\n\n"
    "Военно-техническое сотрудничество двух стран развивается, сообщил министр.\n",
    "en_deal": "Baku signs an arms supply deal\n\n"
    "The deliveries of air defense systems will start next year, the minister said.\n",
}
ARTICLE = "Zebra crossing exercises held near Baku\n\nThe navy held zebra exercises in spring.\n"


def run(corpus: Path, index: Path, *args, prefix=(), cwd=None, **kwargs):
    """Run the defsearch command; return (exit code, stdout, stderr) with no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFSEARCH_")}
    command = [*prefix, str(DEFSEARCH), "--corpus", str(corpus), "--index", str(index), *args]
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=300, **kwargs
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "unexpected error" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def sync(corpus: Path, index: Path, **kwargs) -> dict:
    code, out, err = run(corpus, index, "index", "--json", **kwargs)
    assert code == 0, err
    report = json.loads(out)
    assert len(err.strip().splitlines()) == len(report["failed"]), err  # one line per file
    return report


def hits(corpus: Path, index: Path, query: str) -> list[str]:
    code, out, err = run(corpus, index, "search", query, "--json", "--no-group")
    assert code == 0, err
    return [hit["id"] for hit in json.loads(out)["results"]]


def failures(report: dict, corpus: Path) -> dict[str, str]:
    return {os.path.relpath(item["path"], corpus): item["error"] for item in report["failed"]}


@pytest.fixture
def dirs(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for name, text in GOOD.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    return corpus, index


def write_with_sidecar(corpus: Path, name: str, sidecar: bytes) -> None:
    (corpus / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / f"{name}.meta.json").write_bytes(sidecar)


# Names and links ---------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_indexed(dirs):
    corpus, index = dirs
    (corpus / os.fsdecode(b"\xff.txt")).write_text(ARTICLE, encoding="utf-8")
    report = sync(corpus, index)
    assert report["added"] == 2
    assert failures(report, corpus) == {"\\xff.txt": "file name is not valid UTF-8; rename it"}
    assert hits(corpus, index, "zebra") == []


def test_add_goes_on_while_the_corpus_holds_a_bad_file(dirs, tmp_path):
    corpus, index = dirs
    (corpus / os.fsdecode(b"\xff.txt")).write_text(ARTICLE, encoding="utf-8")
    new = tmp_path / "zebra.txt"
    new.write_text(ARTICLE, encoding="utf-8")
    code, out, err = run(corpus, index, "add", str(new), "--json")
    assert code == 0, err
    assert json.loads(out)["index"]["added"] == 3
    assert err.strip() == f"skipped {corpus}/\\xff.txt: file name is not valid UTF-8; rename it"
    assert hits(corpus, index, "zebra") == ["zebra"]


def test_a_link_loop_is_reported_not_taken_for_a_broken_index(dirs):
    corpus, index = dirs
    (corpus / "loop.txt").symlink_to("loop.txt")
    (corpus / "gone.txt").symlink_to("nowhere.txt")
    report = sync(corpus, index)
    assert report["added"] == 2
    assert failures(report, corpus) == {
        "gone.txt": "broken link: its target does not exist",
        "loop.txt": "link loop: the link leads back to itself",
    }


def test_a_link_out_of_the_corpus_is_not_indexed(dirs, tmp_path):
    corpus, index = dirs
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("Zebra accounts\n\nroot zebra daemon operator accounts list\n")
    (corpus / "passwd.txt").symlink_to(secret)
    (corpus / "alias.txt").symlink_to(corpus / "en_deal.txt")  # inside: followed
    (corpus / "up").symlink_to(tmp_path / "outside", target_is_directory=True)
    report = sync(corpus, index)
    assert failures(report, corpus) == {
        "passwd.txt": "link to outside the corpus, not followed",
        "up": "link to outside the corpus, not followed",
    }
    assert report["added"] == 3
    assert hits(corpus, index, "zebra") == []
    assert sorted(hits(corpus, index, "deliveries")) == ["alias", "en_deal"]


def test_the_walk_reports_what_it_passes_over_and_what_stays_indexed(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.txt").write_text("text")
    (tmp_path / "secret.json").write_text('{"title": "secret"}')
    (corpus / "sub" / "a.meta.json").symlink_to(tmp_path / "secret.json")
    (corpus / "folder").symlink_to(corpus / "sub", target_is_directory=True)
    (corpus / os.fsdecode(b"bad\xc3(")).mkdir()
    (corpus / "new\nline.txt").symlink_to("missing")
    skipped: list[SkippedPath] = []
    assert list(iter_article_files(corpus, skipped.append)) == []
    assert [(os.path.relpath(s.path, corpus), s.error, s.keep) for s in skipped] == [
        ("bad\\xc3(", "file name is not valid UTF-8; rename it", None),
        ("folder", "link to a folder, not followed (links are followed only to files)", None),
        ("new\\nline.txt", "broken link: its target does not exist", None),
        ("sub/a.txt", "bad sidecar: link to outside the corpus, not followed", "sub/a"),
    ]


def test_text_that_is_not_valid_unicode_never_reaches_a_record(tmp_path):
    path = tmp_path / os.fsdecode(b"\xff.txt")  # as os.scandir names it: "\udcff.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(DocumentError, match="^file name is not valid UTF-8; rename it$"):
        read_document(path, tmp_path)


# Unreadable folders ------------------------------------------------------------------------


def without_permission_override() -> list[str]:
    """Return a command prefix under which file modes are enforced, as for a normal user.

    Root reads any folder whatever its mode; setpriv drops the two capabilities that let it
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) for the one command.
    """
    if os.geteuid() != 0:
        return []
    if SETPRIV is None:
        pytest.skip("runs as root and setpriv (util-linux) is missing: modes are not enforced")
    caps = "-dac_override,-dac_read_search"
    return [SETPRIV, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_an_unreadable_folder_keeps_its_articles_and_is_reported(dirs):
    corpus, index = dirs
    prefix = without_permission_override()
    sub = corpus / "regional"
    sub.mkdir()
    for i in range(3):
        (sub / f"z{i}.txt").write_text(ARTICLE.replace("spring", f"spring {i}"), "utf-8")
    assert sync(corpus, index)["added"] == 5
    sub.chmod(0)
    try:
        report = sync(corpus, index, prefix=prefix)
        assert (report["removed"], report["unchanged"]) == (0, 2)
        assert failures(report, corpus) == {"regional": "cannot read folder: permission denied"}
        assert sorted(hits(corpus, index, "zebra")) == ["regional/z0", "regional/z1", "regional/z2"]
    finally:
        sub.chmod(0o755)
    report = sync(corpus, index, prefix=prefix)
    assert (report["unchanged"], report["failed"]) == (5, [])


# Sidecars ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sidecar", "reason"),
    [
        (b"[" * 5000, "bad sidecar: nested deeper than 8 levels"),
        (b'{"title": ' + b"9" * 5000 + b"}", "bad sidecar: a number of 5000 characters (limit 40)"),
        (
            b'{"title": 1.' + b"5" * 5000 + b"}",
            "bad sidecar: a number of 5002 characters (limit 40)",
        ),
        (b'{"title": "Zebra\\ud800 crossing"}', "bad sidecar: title is not valid Unicode"),
        (b'{"titl\\udfff": "Zebra"}', "bad sidecar: unknown field 'titl\\udfff'"),
    ],
)
def test_a_bad_sidecar_fails_its_article_only(dirs, sidecar, reason):
    corpus, index = dirs
    write_with_sidecar(corpus, "zebra", sidecar)
    report = sync(corpus, index)
    assert report["added"] == 2
    assert failures(report, corpus)["zebra.txt"].startswith(reason)


def test_a_sidecar_title_with_a_lone_surrogate_never_breaks_a_search(dirs):
    corpus, index = dirs
    write_with_sidecar(corpus, "zebra", b'{"title": "Zebra\\ud800 crossing"}')
    assert "zebra.txt" in failures(sync(corpus, index), corpus)
    assert hits(corpus, index, "zebra") == []  # was: "unexpected error" (the web page: 500)
    (corpus / "zebra.meta.json").write_text('{"title": "Zebra crossing"}', encoding="utf-8")
    assert sync(corpus, index)["added"] == 1
    code, out, err = run(corpus, index, "search", "zebra")
    assert code == 0 and "Zebra crossing" in out


def test_brackets_inside_sidecar_strings_do_not_count_as_nesting(dirs):
    corpus, index = dirs
    write_with_sidecar(corpus, "zebra", json.dumps({"title": 'Zebra [[[[{{{{"[[[[[[[['}).encode())
    report = sync(corpus, index)
    assert (report["added"], report["failed"]) == (3, [])


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024**2, 1536 * 1024**2))


def test_a_huge_sidecar_is_refused_before_it_is_read(dirs):
    corpus, index = dirs
    write_with_sidecar(corpus, "zebra", b"")
    with (corpus / "zebra.meta.json").open("wb") as file:
        file.truncate(3 * 1024**3)  # sparse: 3 GiB that cost no disk
    # Reading it whole would need 3 GiB of memory: under this limit it fails the sync.
    report = sync(corpus, index, preexec_fn=_limit_memory)
    assert report["added"] == 2
    assert failures(report, corpus) == {
        "zebra.txt": "bad sidecar: too large (3221225472 bytes, limit 65536)"
    }


# defsearch add -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown", "reason"),
    [
        (".hidden.txt", ".hidden.txt", "a hidden name (starting with '.') is never indexed"),
        ("x.meta.json", "x.meta.json", "a .meta.json file is the sidecar of an article"),
        (os.fsdecode(b"\xfe.txt"), "\\xfe.txt", "the file name is not valid UTF-8"),
    ],
    ids=["hidden", "sidecar", "not-utf8"],
)
def test_add_refuses_a_name_that_would_never_be_indexed(dirs, tmp_path, name, shown, reason):
    corpus, index = dirs
    (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    code, out, err = run(corpus, index, "add", name, cwd=tmp_path)
    assert code == 1 and out == ""
    assert err.startswith(f"defsearch: error: cannot add {shown}: {reason}")
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in corpus.iterdir()) == ["en_deal.txt", "ru_deal.txt"]


def test_add_refuses_an_article_whose_sidecar_nests_too_deep(dirs, tmp_path):
    corpus, index = dirs
    write_with_sidecar(tmp_path, "zebra", b"[" * 5000)
    code, _, err = run(corpus, index, "add", str(tmp_path / "zebra.txt"))
    assert code == 1
    assert err.strip().endswith("zebra.txt: bad sidecar: nested deeper than 8 levels")
