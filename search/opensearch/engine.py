"""The OpenSearch engine: the Whoosh engine's methods (search.service.Engine) over a cluster."""

from __future__ import annotations

from opensearchpy.exceptions import NotFoundError

from search.errors import DocumentNotFoundError, QueryError
from search.opensearch import discovery
from search.opensearch.connect import Cluster, speaking
from search.opensearch.searching import Searching
from search.pipeline import mark_record, record_of
from search.query.expansion import TEXT_FIELDS
from search.request import parse_day


class OpenSearchEngine(Searching):
    """Searches the index behind the cluster's alias; the same output as search.service."""

    def __init__(self, cluster: Cluster):
        super().__init__(cluster)
        self.index_dir = cluster.where()  # where the index is, for messages

    def check(self) -> int:
        """Return the document count (raises if the index is missing or of another version)."""
        with speaking(self.cluster):
            self._index(fresh=True)
            return self.client.count(index=self.cluster.alias)["count"]

    def _record(self, doc_id: str) -> dict:
        try:
            found = self.client.get(index=self.cluster.alias, id=doc_id, _source=["article"])
        except NotFoundError:
            raise DocumentNotFoundError(f"no document with id {doc_id!r} in the index") from None
        return found["_source"]["article"]

    def related(self, doc_id: str, limit: int = 5) -> list[dict]:
        """Return the articles most like one article, with the words they share."""
        with speaking(self.cluster):
            self._index()
            return discovery.related(self.client, self.cluster.alias, self._record(doc_id), limit)

    def stories(self, since: str | None = None, until: str | None = None, limit: int = 20):
        """Return the largest story groups of a period, with their outlets and dates."""
        since, until = parse_day(since, "since"), parse_day(until, "until")
        with speaking(self.cluster):
            self._index()
            return discovery.list_stories(self.client, self.cluster.alias, since, until, limit)

    def document(
        self, doc_id: str, highlight: str | None = None, with_related: bool = True
    ) -> dict:
        """Return a stored record with its related articles; with ``highlight``, also
        ``title_html``/``body_html`` with the query's words marked."""
        with speaking(self.cluster):
            self._index()
            stored = self._record(doc_id)
            record = record_of(stored)
            if with_related:
                record["related"] = discovery.related(self.client, self.cluster.alias, stored)
        if highlight:
            terms = {name: set() for name in TEXT_FIELDS}
            try:
                parsed = self.parse(highlight)
                terms = self._terms(parsed, [stored])
            except QueryError:
                pass
            mark_record(record, terms)
        return record

    def stats(self) -> dict:
        """Return document counts per language and source, index size and last sync time."""
        with speaking(self.cluster):
            name, meta = self._index(fresh=True)
            body = {
                "size": 0,
                "track_total_hits": True,
                "aggs": {
                    "lang": {"terms": {"field": "lang", "size": 10}},
                    "source": {"terms": {"field": "source_name", "size": 10000, "missing": ""}},
                },
            }
            found = self.client.search(index=self.cluster.alias, body=body)
            sizes = self.client.indices.stats(index=name, metric="store")
        aggs = found["aggregations"]
        langs = {b["key"]: b["doc_count"] for b in aggs["lang"]["buckets"]}
        sources = {b["key"] or "(unknown)": b["doc_count"] for b in aggs["source"]["buckets"]}
        return {
            "documents": found["hits"]["total"]["value"],
            "languages": dict(sorted(langs.items())),
            "sources": dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            "index_bytes": sizes["_all"]["primaries"]["store"]["size_in_bytes"],
            "index_path": self.cluster.where(),
            "last_sync": meta.get("last_sync"),
        }

    def last_sync(self) -> str | None:
        """Return when the index was last synced (ISO 8601, UTC)."""
        with speaking(self.cluster):
            return self._index(fresh=True)[1].get("last_sync")
