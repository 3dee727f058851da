"""A sync passes over folders whose stamp is as before, and still finds every change
(search.ingest.stamps, search.changes)."""

import os
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from search.ingest.stamps import STAMPS_FILE, WalkStamps, load_stamps
from search.ingest.walk import iter_article_files
from search.model import SyncReport
from search.store import current_generation
from search.sync import sync_index

TEXTS = {
    "ru": "Рособоронэкспорт подписал контракт на поставку вертолётов Ми-35М",
    "en": "Azerbaijan signs an S-400 air defense deal with Rosoboronexport",
}
FOLDERS = ("2019", "2020", "2020/march")


def write(path: Path, marker: str, lang: str = "en") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Headline {marker}\n\n{TEXTS[lang]}, {marker}.\n", encoding="utf-8")


def titles(index: Path) -> dict[str, str]:
    ix = whoosh_index.open_dir(str(current_generation(index)))
    try:
        with ix.searcher() as searcher:
            return {f["id"]: f["title"] for f in searcher.all_stored_fields()}
    finally:
        ix.close()


@pytest.fixture
def synced(tmp_path):
    """Three folders of three articles, synced twice: every folder has its stamp."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for folder in FOLDERS:
        for i, lang in enumerate(("ru", "en", "en")):
            write(corpus / folder / f"art{i}.txt", f"{folder}-{i}", lang)
    sync_index(corpus, index)
    report = sync_index(corpus, index)
    assert report.unchanged == 9
    assert set(load_stamps(current_generation(index))) == {"2019/", "2020/", "2020/march/", ""}
    return corpus, index


def counts(report: SyncReport) -> tuple[int, int, int, int]:
    return report.added, report.updated, report.removed, report.unchanged


def test_unchanged_folders_are_passed_over_file_by_file(synced):
    corpus, index = synced
    stamps = WalkStamps(load_stamps(current_generation(index)))
    assert list(iter_article_files(corpus, stamps=stamps)) == []
    assert sorted(stamps.unchanged) == ["", "2019/", "2020/", "2020/march/"]


def test_a_file_rewritten_in_place_with_its_size_in_the_same_second_is_found(synced):
    corpus, index = synced
    path = corpus / "2020" / "art1.txt"
    before = path.stat()
    assert before.st_mtime_ns % 1_000_000_000 < 999_999_000  # room left in its second
    with open(path, "r+b") as f:  # the same inode, the same size
        f.write(b"Changed!")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1))
    assert (path.stat().st_size, path.stat().st_ino) == (before.st_size, before.st_ino)
    report = sync_index(corpus, index)
    assert counts(report) == (0, 1, 0, 8)
    assert titles(index)["2020/art1"].startswith("Changed!")


def test_a_changed_sidecar_alone_is_found(synced):
    corpus, index = synced
    (corpus / "2019" / "art2.meta.json").write_text('{"title": "New title"}', encoding="utf-8")
    report = sync_index(corpus, index)
    assert counts(report) == (0, 1, 0, 8)
    assert titles(index)["2019/art2"] == "New title"


def test_a_new_file_in_an_old_folder_is_added(synced):
    corpus, index = synced
    write(corpus / "2020" / "march" / "art9.txt", "late")
    report = sync_index(corpus, index)
    assert counts(report) == (1, 0, 0, 9)
    assert titles(index)["2020/march/art9"] == "Headline late"


def test_a_removed_folder_removes_its_articles_and_its_subfolders(synced):
    corpus, index = synced
    shutil.rmtree(corpus / "2020")
    report = sync_index(corpus, index)
    assert counts(report) == (0, 0, 6, 3)
    assert sorted(titles(index)) == ["2019/art0", "2019/art1", "2019/art2"]
    assert set(load_stamps(current_generation(index))) == {"2019/", ""}


def test_a_renamed_file_and_a_renamed_folder_are_found(synced):
    corpus, index = synced
    (corpus / "2019" / "art0.txt").rename(corpus / "2019" / "art7.txt")
    (corpus / "2020" / "march").rename(corpus / "2020" / "april")
    report = sync_index(corpus, index)
    assert counts(report) == (4, 0, 4, 5)
    found = {doc_id for doc_id in titles(index) if "art0" in doc_id}
    assert found == {"2020/art0", "2020/april/art0"}


def test_a_folder_with_a_bad_file_is_walked_and_reported_at_every_sync(synced):
    corpus, index = synced
    write(corpus / "2019" / "zebra.txt", "zebra")
    (corpus / "2019" / "zebra.meta.json").write_bytes(b"[" * 5000)
    for _ in range(2):
        report = sync_index(corpus, index)
        assert [item["path"].rpartition("/")[2] for item in report.failed] == ["zebra.txt"]
        assert "2019/" not in load_stamps(current_generation(index))


def test_a_link_is_followed_at_every_sync(synced):
    corpus, index = synced
    (corpus / "2019" / "linked.txt").symlink_to(corpus / "2020" / "art2.txt")
    sync_index(corpus, index)
    assert "2019/" not in load_stamps(current_generation(index))
    write(corpus / "2020" / "art2.txt", "relinked")
    report = sync_index(corpus, index)
    assert counts(report) == (0, 2, 0, 8)
    assert titles(index)["2019/linked"] == "Headline relinked"


def test_damaged_stamps_mean_a_full_walk(synced):
    corpus, index = synced
    generation = current_generation(index)
    (generation / STAMPS_FILE).write_bytes(b"{not json")
    assert load_stamps(generation) == {}
    write(corpus / "2019" / "art1.txt", "changed")
    report = sync_index(corpus, index)
    assert counts(report) == (0, 1, 0, 8)
    assert set(load_stamps(current_generation(index))) == {"2019/", "2020/", "2020/march/", ""}
