"""The entity table stored beside the index is the table built afresh (search.entity_cache)."""

import json

from search import entity_cache
from search.store import current_generation
from search.sync import sync_index
from search.text import entities


def test_a_sync_stores_the_table_and_a_fresh_process_uses_it(tmp_path, monkeypatch):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Шойгу в Баку\n\nМинистр обороны России прибыл в Азербайджан.")
    sync_index(corpus, index)
    generation = current_generation(index)
    built = entities.entity_table()
    monkeypatch.setattr(entities, "_table", None)  # as in a new process
    assert entity_cache.load_cached_table(generation)
    assert entities.entity_table() == built
    assert entities.entity_table() is not built


def test_a_table_of_other_sources_is_not_used(tmp_path, monkeypatch):
    entities.entity_table()
    entity_cache.save_table(tmp_path)
    path = tmp_path / entity_cache.CACHE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["table"]["words"]["россия"] = "~poland"
    path.write_text(json.dumps({**data, "fingerprint": "another"}), encoding="utf-8")
    monkeypatch.setattr(entities, "_table", None)
    assert not entity_cache.load_cached_table(tmp_path)
    assert entities.entity_table().words.get("россия") != "~poland"


def test_a_damaged_table_is_not_used(tmp_path, monkeypatch):
    entities.entity_table()
    entity_cache.save_table(tmp_path)
    path = tmp_path / entity_cache.CACHE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["table"]["phrases"] = [[[], "~nothing"]]
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(entities, "_table", None)
    assert not entity_cache.load_cached_table(tmp_path)
    assert not entities.table_built()
