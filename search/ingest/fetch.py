"""Download one web page or feed with httpx: http and https only, a timeout, a size cap,
redirects followed and recorded, conditional requests for feeds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from search.errors import DocumentError

TIMEOUT_SECONDS = 20.0  # to connect, and between two reads of the response
MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024  # a page or a feed larger than this is refused
MAX_REDIRECTS = 5
USER_AGENT = "defsearch/0.1 (article archive of an analyst)"
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(DocumentError):
    """A link that cannot be downloaded; the message is the one-line reason."""


@dataclass(frozen=True)
class Download:
    requested: str  # the link as given
    url: str  # where the last redirect led
    redirects: list[str] = field(default_factory=list)  # each link that redirected, in order
    content_type: str = ""  # "text/html", without parameters
    body: bytes = b""
    fetched: str = ""  # UTC time, YYYY-MM-DDTHH:MM:SSZ
    not_modified: bool = False  # 304: the feed is as it was at the last pull
    etag: str | None = None
    last_modified: str | None = None


def utc_stamp() -> str:
    """Return the time now in UTC as YYYY-MM-DDTHH:MM:SSZ."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_link(url: str) -> str:
    """Return a web link stripped, or raise FetchError for anything but http and https."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FetchError("not a valid link") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError("only http:// and https:// links can be fetched")
    return url


def download(
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    limit: int = MAX_DOWNLOAD_BYTES,
) -> Download:
    """Download a link; raise FetchError with a one-line reason when it cannot be had."""
    import httpx

    url = check_link(url)
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    fetched = utc_stamp()
    try:
        with httpx.Client(
            follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=TIMEOUT_SECONDS
        ) as client:
            with client.stream("GET", url, headers=headers) as response:
                redirects = [str(r.url) for r in response.history]
                final = str(response.url)
                if response.status_code == 304:
                    return Download(url, final, redirects, fetched=fetched, not_modified=True)
                if response.status_code >= 400:
                    phrase = response.reason_phrase or "error"
                    raise FetchError(f"HTTP {response.status_code} {phrase}")
                size = response.headers.get("content-length", "")
                if size.isdigit() and int(size) > limit:
                    raise FetchError(f"too large ({size} bytes, limit {limit})")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise FetchError(f"too large (over {limit} bytes)")
                content_type = response.headers.get("content-type", "").split(";")[0]
                return Download(
                    url,
                    final,
                    redirects,
                    content_type.strip().lower(),
                    bytes(body),
                    fetched,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
    except httpx.UnsupportedProtocol:
        raise FetchError("redirected to a link that is not http:// or https://") from None
    except httpx.TimeoutException:
        raise FetchError(f"no answer within {TIMEOUT_SECONDS:g} seconds") from None
    except httpx.ConnectError as exc:
        raise FetchError(f"cannot connect: {_reason(exc)}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"download failed: {exc.__class__.__name__}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or exc.__class__.__name__
