"""One sync at a time on a cluster: a lease document in a small index of its own.

A sync creates the document ``<alias>-lock/_doc/sync`` (``op_type=create`` fails when it
exists) and renews it as it goes; another sync waits up to $DEFSEARCH_LOCK_WAIT seconds, as
for a Whoosh index, then stops with a one-line message naming the holder. A lease not
renewed for LEASE_SECONDS is a sync that died: it is taken over, and the compare-and-set of
OpenSearch (``if_seq_no``/``if_primary_term``) lets only one waiting sync take it.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConflictError, NotFoundError

from search.errors import IndexBusyError

LEASE_SECONDS = 300.0  # a sync renews its lease far more often (every bulk request)
RENEW_SECONDS = 10.0  # at most one renewal this often
_LOCK_ID = "sync"


class Lease:
    """The lease a sync holds; ``renew()`` is cheap to call often."""

    def __init__(self, client: OpenSearch, index: str):
        self.client, self.index = client, index
        self.owner = f"pid {os.getpid()} on {socket.gethostname()}"
        self._renewed = 0.0

    def _body(self) -> dict:
        return {"owner": self.owner, "renewed": time.time()}

    def take(self, seen: dict | None) -> bool:
        """Create the lease, or take over ``seen`` (a lease found stale); False if lost."""
        try:
            if seen is None:
                self.client.create(index=self.index, id=_LOCK_ID, body=self._body(), refresh=True)
            else:
                self.client.index(
                    index=self.index,
                    id=_LOCK_ID,
                    body=self._body(),
                    if_seq_no=seen["_seq_no"],
                    if_primary_term=seen["_primary_term"],
                    refresh=True,
                )
        except ConflictError:
            return False
        self._renewed = time.monotonic()
        return True

    def renew(self) -> None:
        if time.monotonic() - self._renewed >= RENEW_SECONDS:
            self.client.index(index=self.index, id=_LOCK_ID, body=self._body())
            self._renewed = time.monotonic()

    def release(self) -> None:
        try:
            self.client.delete(index=self.index, id=_LOCK_ID, refresh=True)
        except NotFoundError:
            pass


def _current(client: OpenSearch, index: str) -> dict | None:
    try:
        return client.get(index=index, id=_LOCK_ID)
    except NotFoundError:
        return None


@contextmanager
def sync_lease(client: OpenSearch, alias: str, wait: float, notify=None) -> Iterator[Lease]:
    """Hold the cluster's sync lease for ``alias``; wait up to ``wait`` seconds for it."""
    index = f"{alias}-lock"
    if not client.indices.exists(index=index):
        settings = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}
        client.indices.create(index=index, body={"settings": settings}, ignore=400)
    lease = Lease(client, index)
    deadline = time.monotonic() + wait
    told = False
    while True:
        seen = _current(client, index)
        stale = seen is not None and time.time() - seen["_source"]["renewed"] > LEASE_SECONDS
        if (seen is None or stale) and lease.take(seen if stale else None):
            break
        holder = (seen or {}).get("_source", {}).get("owner", "?")
        if time.monotonic() >= deadline:
            raise IndexBusyError(
                f"another index run ({holder}) is still writing {alias}; try again when it ends"
            )
        if notify and not told:
            notify(f"waiting for another index run ({holder}) to finish...")
            told = True
        time.sleep(0.2)
    try:
        yield lease
    finally:
        lease.release()
