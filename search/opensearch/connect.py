"""Where the cluster is and how to log in: settings from the CLI and the environment.

Basic auth (``DEFSEARCH_OPENSEARCH_USER`` and ``DEFSEARCH_OPENSEARCH_PASSWORD``) or an API
key (``DEFSEARCH_OPENSEARCH_API_KEY``) come from the environment only, never from the
command line, where other users of the machine could read them. TLS certificates are
verified unless ``DEFSEARCH_OPENSEARCH_VERIFY=0``; ``DEFSEARCH_OPENSEARCH_CA`` names a CA file.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from opensearchpy import OpenSearch
from opensearchpy.exceptions import (
    AuthenticationException,
    AuthorizationException,
    ConnectionError,
    ConnectionTimeout,
    TransportError,
)

from search.errors import IndexUnusableError, UsageError

URL_ENV = "DEFSEARCH_OPENSEARCH_URL"
ALIAS_ENV = "DEFSEARCH_OPENSEARCH_INDEX"
DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_ALIAS = "defsearch"  # searches go through this alias; indexes are defsearch-<n>
TIMEOUT_SECONDS = 30  # one request; bulk requests are short (see indexing.BULK_DOCS)


@dataclass(frozen=True)
class Cluster:
    """Where the index lives: the cluster's URL(s) and the alias searches go through."""

    url: str
    alias: str = DEFAULT_ALIAS

    @classmethod
    def from_env(cls, url: str | None = None) -> Cluster:
        url = url or os.environ.get(URL_ENV) or DEFAULT_URL
        alias = os.environ.get(ALIAS_ENV) or DEFAULT_ALIAS
        for one in url.split(","):
            parts = urlsplit(one.strip())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise UsageError(f"--opensearch-url must be an http(s) URL, not {one!r}")
        if not alias.islower() or not alias.replace("-", "").replace("_", "").isalnum():
            raise UsageError(f"${ALIAS_ENV} must be lowercase letters, digits, - or _")
        return cls(url, alias)

    def where(self) -> str:
        return f"{self.url} (index {self.alias})"


def make_client(cluster: Cluster) -> OpenSearch:
    """Return a client of the cluster, logged in as the environment says."""
    options: dict = {"timeout": TIMEOUT_SECONDS, "max_retries": 2, "retry_on_timeout": True}
    user = os.environ.get("DEFSEARCH_OPENSEARCH_USER")
    api_key = os.environ.get("DEFSEARCH_OPENSEARCH_API_KEY")
    if api_key:
        options["headers"] = {"Authorization": f"ApiKey {api_key}"}
    elif user:
        options["http_auth"] = (user, os.environ.get("DEFSEARCH_OPENSEARCH_PASSWORD", ""))
    if os.environ.get("DEFSEARCH_OPENSEARCH_VERIFY", "1").strip().lower() in ("0", "false", "no"):
        options.update(verify_certs=False, ssl_show_warn=False)
    else:
        options["verify_certs"] = True
        if os.environ.get("DEFSEARCH_OPENSEARCH_CA"):
            options["ca_certs"] = os.environ["DEFSEARCH_OPENSEARCH_CA"]
    hosts = [one.strip() for one in cluster.url.split(",")]
    return OpenSearch(hosts, **options)


@contextmanager
def speaking(cluster: Cluster):
    """Turn the client's exceptions into one-line defsearch errors."""
    try:
        yield
    except (AuthenticationException, AuthorizationException) as exc:
        raise IndexUnusableError(
            f"OpenSearch at {cluster.url} refused the login ({exc.status_code}); "
            "set DEFSEARCH_OPENSEARCH_USER and _PASSWORD, or _API_KEY"
        ) from None
    except (ConnectionError, ConnectionTimeout) as exc:
        reason = str(getattr(exc, "info", "") or exc).splitlines()[0][:200]
        raise IndexUnusableError(f"cannot reach OpenSearch at {cluster.url}: {reason}") from None
    except TransportError as exc:
        reason = " ".join(str(exc.error).split())[:200]
        raise IndexUnusableError(
            f"OpenSearch at {cluster.url} answered {exc.status_code}: {reason}"
        ) from None
