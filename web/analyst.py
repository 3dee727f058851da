"""Pages and files for what analysts do with a search: saved searches (read-only), Atom
feeds, the CSV export and the API description. Thin: search.watches and search.export do
the work."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from importlib import resources
from itertools import chain

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from search.errors import DocumentNotFoundError
from search.export import export_lines, iter_hits, snippet_text
from search.watches import NAME_RE, WatchEntry, WatchList
from web.atom import ATOM_TYPE, FeedEntry, atom_feed
from web.params import SearchForm

FEED_ENTRIES = 50  # newest articles in a feed

bp = Blueprint("analyst", __name__)


def _engine():
    from web.app import engine

    return engine()


def _watches() -> WatchList:
    return WatchList(current_app.config["INDEX_DIR"], engine=_engine(), readonly=True)


def _updated() -> str:
    """The feed's time: the index's last sync (RFC 3339)."""
    stamp = _engine().last_sync() or "1970-01-01T00:00:00+00:00"
    return stamp.replace("+00:00", "Z")


def _atom(body: bytes) -> Response:
    return Response(body, content_type=ATOM_TYPE)


# -- a search as a feed and as a file ------------------------------------------------------


@bp.get("/search.atom")
def search_feed():
    """Return the newest articles matching a search as an Atom feed."""
    from web.app import search_slot

    form = SearchForm.from_args(request.args)
    wanted = replace(form, sort="date", page="", limit=str(FEED_ENTRIES))
    with search_slot():
        page = _engine().search(wanted.to_request())
    entries = [
        FeedEntry(
            id=url_for("web.document", doc_id=hit.id, _external=True),
            title=hit.title,
            outlet=hit.source,
            date=hit.date,
            page=url_for("web.document", doc_id=hit.id, q=form.q, _external=True),
            original=hit.url,
            summary=snippet_text(hit.snippet),
            lang=hit.lang,
        )
        for hit in page.results
    ]
    link = url_for("analyst.search_feed", **form.args(), _external=True)
    return _atom(
        atom_feed(
            link,
            f"defsearch: {form.q}",
            url_for("web.search", **form.args(), _external=True),
            _updated(),
            entries,
        )
    )


@bp.get("/search.csv")
def search_csv():
    """Stream every hit of a search as CSV (snippets as plain text)."""
    from web.app import search_slot

    search_request = SearchForm.from_args(request.args).to_request()
    with search_slot():  # the first page runs now: a query that cannot run is a 400
        lines = export_lines("csv", iter_hits(_engine(), search_request))
        first = next(lines)
    return Response(
        chain([first], lines),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="defsearch.csv"'},
    )


# -- saved searches ------------------------------------------------------------------------


def _watch_or_404(name: str):
    if not NAME_RE.fullmatch(name):
        abort(404, description=f"no saved search named {name!r}")
    try:
        return _watches().get(name)
    except DocumentNotFoundError as exc:
        abort(404, description=str(exc))


@bp.get("/watch")
def watch_list():
    """List the saved searches with their unseen matches."""
    return render_template("watches.html", form=SearchForm(), watches=_watches().list())


@bp.get("/watch/<name>")
def watch_page(name: str):
    """Show a saved search's matches, newest first, the unseen ones marked."""
    watch = _watch_or_404(name)
    entries = _watches().entries(name, every=True)
    return render_template("watch.html", form=SearchForm(), watch=watch, entries=entries)


@bp.get("/watch/<name>.atom")
def watch_feed(name: str):
    """Return a saved search's newest matches as an Atom feed."""
    watch = _watch_or_404(name)
    entries = [_feed_entry(e) for e in _watches().entries(name, every=True, limit=FEED_ENTRIES)]
    link = url_for("analyst.watch_feed", name=name, _external=True)
    return _atom(
        atom_feed(
            link,
            f"defsearch: {watch.name} ({watch.query})",
            url_for("analyst.watch_page", name=name, _external=True),
            _updated(),
            entries,
        )
    )


def _feed_entry(entry: WatchEntry) -> FeedEntry:
    return FeedEntry(
        id=url_for("web.document", doc_id=entry.id, _external=True),
        title=entry.title,
        outlet=entry.source,
        date=entry.date,
        page=url_for("web.document", doc_id=entry.id, _external=True),
        original=entry.url,
        summary=entry.snippet,
        lang=entry.lang,
    )


# -- the API's description -----------------------------------------------------------------


@cache
def _openapi_spec() -> dict:
    """The packaged OpenAPI description, read and parsed once."""
    return json.loads(resources.files("web").joinpath("openapi.json").read_text("utf-8"))


@bp.get("/api/openapi.json")
def openapi():
    """Return the OpenAPI 3 description of the JSON and feed endpoints."""
    return {**_openapi_spec(), "servers": [{"url": request.host_url.rstrip("/")}]}
