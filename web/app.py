"""The web UI: a thin Flask layer that turns requests into searches and renders the results."""

from __future__ import annotations

import resource
import socket
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from search.config import default_index, idle_timeout
from search.engines import open_engine
from search.errors import (
    DefsearchError,
    DocumentNotFoundError,
    IndexUnusableError,
    ServerBusyError,
    UsageError,
)
from search.ingest.kinds import container_of, file_kind
from search.request import MAX_PAGE, MAX_QUERY_CHARS
from search.service import Engine
from search.text.safe import escape_controls
from search.timeline import histogram
from web.analyst import bp as analyst_bp
from web.params import SearchForm, page_numbers
from web.timeline import chart_width, timeline_bars

ENGINE_KEY = "defsearch_engine"  # where create_app keeps the app's one Engine
SLOTS_KEY = "defsearch_search_slots"
WAITRESS_THREADS = 8  # concurrent requests; each thread keeps its own index searcher
# Searches running at once: the other threads stay free for pages and /healthz, so a few
# expensive searches never hold up everyone else.
SEARCH_SLOTS = WAITRESS_THREADS - 2
SEARCH_SLOT_WAIT = 2.0  # seconds a search waits for a slot before "busy, try again" (503)
CONNECTION_LIMIT = 1000  # open connections (idle ones included) before new ones wait
LANG_NAMES = {"ru": "Russian", "en": "English"}  # the UI speaks English
# Pages are self-contained: no external assets, no inline script, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

bp = Blueprint("web", __name__)


def create_app(config: dict | None = None) -> Flask:
    """Create the app; config may set INDEX_DIR (a Path), ENGINE (search.engines.EngineChoice)
    and TESTING."""
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=default_index(), ENGINE=None)
    if config:
        app.config.from_mapping(config)
    # Same bytes as `defsearch search --json`: keys in the engine's order, Cyrillic as is.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions[ENGINE_KEY] = open_engine(Path(app.config["INDEX_DIR"]), app.config["ENGINE"])
    app.extensions[SLOTS_KEY] = threading.BoundedSemaphore(SEARCH_SLOTS)
    # Control and bidi-override characters in anything echoed (a query, a filter) are shown
    # as escapes, never passed to the page as they are.
    app.jinja_env.finalize = shown_escaped
    app.jinja_env.filters["web_link"] = web_link
    app.jinja_env.globals.update(
        lang_name=lambda code: LANG_NAMES.get(code, code),
        max_query_chars=MAX_QUERY_CHARS,
    )
    app.register_blueprint(bp)
    app.register_blueprint(analyst_bp)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(UsageError, _usage_error)
    app.register_error_handler(IndexUnusableError, _index_unusable)
    app.register_error_handler(ServerBusyError, _busy)
    app.register_error_handler(DocumentNotFoundError, _not_found)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


@contextmanager
def search_slot():
    """Hold one of the slots searches run in, or answer 503 when all stay busy."""
    slots = current_app.extensions[SLOTS_KEY]
    if not slots.acquire(timeout=SEARCH_SLOT_WAIT):
        raise ServerBusyError("the server is busy with other searches; try again in a moment")
    try:
        yield
    finally:
        slots.release()


def shown_escaped(value):
    """Jinja's finalize: plain text with control characters as visible escapes."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return escape_controls(value)
    return value


def web_link(url: str | None) -> str | None:
    """Return url if it is safe to link (http or https), else None: no javascript: links."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


def _wants_json() -> bool:
    """True for the API, feeds and files: their errors are JSON, not an HTML page."""
    path = request.path
    return path.startswith("/api/") or path == "/healthz" or path.endswith((".atom", ".csv"))


# -- pages -------------------------------------------------------------------------------


@bp.get("/")
def index():
    """Show the search form with the outlets known to the index."""
    stats = engine().stats()
    sources = [name for name in stats["sources"] if name != "(unknown)"]
    return render_template(
        "index.html", form=SearchForm.from_args(request.args), stats=stats, sources=sources
    )


@bp.get("/search")
def search():
    """Show one page of ranked hits with facets that narrow the search."""
    form = SearchForm.from_args(request.args)
    if not form.q:
        return redirect(url_for("web.index", **form.args(q="")))
    with search_slot():
        page = engine().search(form.to_request())
    last = min(page.pages, MAX_PAGE)
    periods = histogram(page.matched.days) if page.matched is not None else []
    bars = timeline_bars(periods, form, lambda **args: url_for("web.search", **args))
    return render_template(
        "results.html",
        form=form,
        page=page,
        page_numbers=page_numbers(page.page, last) if page.total else [],
        last_page=last,
        bars=bars,
        chart_width=chart_width(bars),
    )


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str):
    """Show a whole article, with the query's words marked when reached from a search."""
    form = SearchForm.from_args(request.args)
    highlight = form.q if 0 < len(form.q) <= MAX_QUERY_CHARS else None
    doc = engine().document(doc_id, highlight=highlight)
    title = Markup(doc["title_html"]) if highlight else escape(doc["title"])
    body = Markup(doc["body_html"]) if highlight else escape(doc["body"])
    paragraphs = [part.strip() for part in body.split("\n\n") if part.strip()]
    # The stored file (a saved page, a PDF, a message) is never served: its HTML is
    # untrusted. The page shows the extracted text, the original link and, for an
    # attachment or a message of a mailbox, the file it came in.
    return render_template(
        "document.html",
        form=form,
        doc=doc,
        title_html=title,
        paragraphs=paragraphs,
        container=(container := container_of(doc["id"])),
        container_is_article=bool(container) and file_kind(container) == "eml",
    )


# -- JSON --------------------------------------------------------------------------------


@bp.get("/api/search")
def api_search():
    """Return the JSON of `defsearch search --json` for the same parameters."""
    with search_slot():
        page = engine().search(SearchForm.from_args(request.args).to_request())
    return jsonify(page.to_dict())


@bp.get("/api/doc/<path:doc_id>")
def api_document(doc_id: str):
    """Return the JSON of `defsearch show ID --json`."""
    return jsonify(engine().document(doc_id))


@bp.get("/healthz")
def healthz():
    """Answer 200 when the index can be opened, 503 with the reason otherwise."""
    return jsonify(status="ok", documents=engine().check())


# -- responses for every failure ----------------------------------------------------------


def _security_headers(response):
    location = response.headers.get("Location")
    if location:
        # Werkzeug builds some redirects (//a//b -> /a/b) from the Host header, which the
        # client chose: point them at the path alone, on this server.
        target = urlsplit(location)
        response.headers["Location"] = urlunsplit(("", "", target.path, target.query, ""))
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Links to original articles must not carry the analyst's query to other sites.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _error(status: int, title: str, message: str, hint: str = ""):
    if _wants_json():
        body = {"error": message}
        if status == 503 and request.path == "/healthz":
            body = {"status": "unavailable", "error": message}
        return jsonify(body), status
    form = SearchForm.from_args(request.args)
    return render_template(
        "error.html", status=status, title=title, message=message, hint=hint, form=form
    ), status


def _usage_error(exc: UsageError):
    return _error(400, "That search cannot be run", str(exc), hint="usage")


def _index_unusable(exc: IndexUnusableError):
    return _error(503, "The search index is not ready", str(exc), hint="index")


def _not_found(exc: DocumentNotFoundError):
    return _error(404, "No such article", str(exc), hint="missing")


def _http_error(exc: HTTPException):
    return _error(exc.code or 500, exc.name, exc.description or exc.name)


def _busy(exc: ServerBusyError):
    response = _error(503, "The server is busy", str(exc))
    response[0].headers["Retry-After"] = "2"
    return response


def _unexpected_error(exc: Exception):
    current_app.logger.exception("unexpected error on %s", request.path)
    return _error(500, "Something went wrong", "The server hit an unexpected error.")


# -- serving -----------------------------------------------------------------------------


def _probe_address(host: str, port: int) -> None:
    """Bind and release the address: waitress leaks its sockets when its own bind fails."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        probe.bind((host, port))


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 5000, choice=None) -> None:
    """Serve the UI with waitress until interrupted; port 0 picks a free port; ``choice``
    (search.engines.EngineChoice) picks the engine."""
    from waitress import create_server

    app = create_app({"INDEX_DIR": Path(index_dir), "ENGINE": choice})
    _raise_open_files_limit()
    idle = idle_timeout()
    try:
        _probe_address(host, port)
        server = create_server(
            app,
            host=host,
            port=port,
            threads=WAITRESS_THREADS,
            connection_limit=CONNECTION_LIMIT,
            # Idle connections are closed (search.config.idle_timeout): many idle clients
            # must not lock everyone else out.
            channel_timeout=idle,
            cleanup_interval=max(1, int(idle / 2)),
            asyncore_use_poll=True,  # select() fails past file descriptor 1024
        )
    except OSError as exc:
        raise DefsearchError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); try another --port"
        ) from None
    shown_host = f"[{host}]" if ":" in host else host
    print(f"defsearch: serving http://{shown_host}:{server.effective_port}/", flush=True)
    with app.app_context():
        try:
            engine().check()
        except IndexUnusableError as exc:
            print(f"defsearch: note: {exc}", file=sys.stderr, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _raise_open_files_limit() -> None:
    """Allow as many open files as the system lets us: each connection is one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            pass
