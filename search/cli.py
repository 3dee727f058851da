"""The ``defsearch`` command: parse arguments, call one function of the search API, print.

Heavy modules (Whoosh, pymorphy3, dateparser, Flask) are imported inside the commands
that need them, so that ``defsearch search`` starts quickly.
"""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import click

from search.cli_analyst import batch, watch
from search.cli_feeds import feeds
from search.cli_output import echo_json
from search.cli_search import inspect, search, show, stats, stories
from search.config import CORPUS_ENV, INDEX_ENV
from search.errors import DefsearchError, StopRequested


def _progress(total: int):
    """Return an advance(n) callable drawing a progress bar on a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="doc", file=sys.stderr, leave=False)
    return bar.update


class Context:
    def __init__(self, corpus: Path, index: Path, engine: str = "whoosh", url: str | None = None):
        from search.engines import EngineChoice

        self.corpus = corpus
        self.index = index
        self.choice = EngineChoice.of(engine, url)

    def engine(self):
        from search.engines import open_engine

        return open_engine(self.index, self.choice)

    def sync(self, **options):
        """Sync the chosen engine's index with the corpus (search.engines.sync)."""
        from search.engines import sync

        return sync(self.corpus, self.index, self.choice, **options)

    def claim(self) -> None:
        """Refuse an unusable index folder before changing the corpus (Whoosh only)."""
        if self.choice.name == "whoosh":
            from search.store import claim

            claim(self.index, self.corpus)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False),
    default="corpus",
    envvar=CORPUS_ENV,
    show_default=True,
    help=f"Folder of article files (or ${CORPUS_ENV}).",
)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="index",
    envvar=INDEX_ENV,
    show_default=True,
    help=f"Folder of the search index (or ${INDEX_ENV}).",
)
@click.option(
    "--engine",
    type=click.Choice(["whoosh", "opensearch"]),
    default="whoosh",
    envvar="DEFSEARCH_ENGINE",
    show_default=True,
    help="Search engine: the Whoosh index folder, or an OpenSearch cluster (or $DEFSEARCH_ENGINE).",
)
@click.option(
    "--opensearch-url",
    metavar="URL",
    envvar="DEFSEARCH_OPENSEARCH_URL",
    help="The OpenSearch cluster, e.g. https://search.example:9200 (or "
    "$DEFSEARCH_OPENSEARCH_URL; default http://127.0.0.1:9200). Log in with "
    "$DEFSEARCH_OPENSEARCH_USER and _PASSWORD, or _API_KEY.",
)
@click.version_option(package_name="defsearch")
@click.pass_context
def cli(
    ctx: click.Context, corpus: Path, index_dir: Path, engine: str, opensearch_url: str | None
) -> None:
    """Search Russian and English defense news.

    Example: defsearch search 'поставки С-400'
    """
    ctx.obj = Context(corpus, index_dir, engine, opensearch_url)


cli.add_command(feeds)


def _report_failures(failed: list[dict]) -> None:
    for item in failed:
        click.echo(f"skipped {item['path']}: {item['error']}", err=True)


@cli.command()
@click.option("--rebuild", is_flag=True, help="Build a new index from scratch, then swap it in.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def index(obj: Context, rebuild: bool, as_json: bool) -> None:
    """Sync the index with the corpus: add new, update changed, drop removed articles.

    Example: defsearch index --rebuild
    """
    from search.sync import notify_stderr

    report = obj.sync(
        rebuild=rebuild,
        progress=None if as_json else _progress,
        notify=notify_stderr,
    )
    _report_failures(report.failed)
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed"
        )
    _report_watches(report.watches, as_json)


def _report_watches(counts: dict[str, int], as_json: bool) -> None:
    if as_json:
        return
    for name, count in counts.items():
        if count:
            click.echo(f"saved search {name!r}: {count} new match{'es' if count != 1 else ''}")


_LINK_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@cli.command()
@click.argument("items", nargs=-1, required=True, metavar="FILE|URL...")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def add(obj: Context, items: tuple[str, ...], as_json: bool) -> None:
    """Copy article files into the corpus, or download web pages into it, and index them.

    Files: text, HTML, PDF, .eml and .mbox. Every file is checked first (exists, readable,
    has article text); if one is bad, nothing is copied. Links (http, https) are downloaded
    one by one into corpus/web/SITE/; one that cannot be had is reported and the others
    go on; a page the corpus already holds (same final link or same text) is not added
    twice.

    Example: defsearch add ~/Downloads/tass-s400.html https://tass.ru/armiya-i-opk/6890123
    """
    from search.errors import DocumentError
    from search.ingest.add import add_articles
    from search.ingest.links import Register, add_link
    from search.sync import notify_stderr

    links = [item for item in items if _LINK_RE.match(item)]
    files = [Path(item) for item in items if not _LINK_RE.match(item)]
    obj.claim()  # refuse an unusable index before copying anything
    added = add_articles(files, obj.corpus) if files else []
    pages, failed = [], []
    register = Register(obj.corpus) if links else None
    for link in links:
        try:
            pages.append(add_link(link, obj.corpus, register).to_dict())
        except DocumentError as exc:
            failed.append({"url": link, "error": str(exc)})
            click.echo(f"skipped {link}: {exc}", err=True)
    report = obj.sync(notify=notify_stderr)
    _report_failures(report.failed)
    if as_json:
        echo_json(
            {
                "added": added,
                "pages": pages,
                "failed": failed,
                "index": report.to_dict(),
                "watches": report.watches,
            }
        )
    else:
        for item in added:
            note = " (already in the corpus)" if item["existing"] else ""
            click.echo(f"{item['source']} -> {item['path']} [id {item['id']}]{note}")
        for page in pages:
            note = " (already in the corpus)" if page["existing"] else ""
            hops = "".join(f" -> {url}" for url in page["redirects"][1:] + [page["final_url"]])
            hops = hops if page["redirects"] else ""
            click.echo(f"{page['url']}{hops} -> {page['path']} [id {page['id']}]{note}")
    _report_watches(report.watches, as_json)
    if failed:
        raise SystemExit(1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.pass_obj
def serve(obj: Context, host: str, port: int) -> None:
    """Serve the web search page.

    Example: defsearch serve --port 8080
    """
    from web.app import serve as serve_app

    serve_app(obj.index, host=host, port=port, choice=obj.choice)


cli.add_command(watch)
cli.add_command(batch)
for _command in (search, show, inspect, stories, stats):
    cli.add_command(_command)


class Terminated(SystemExit):
    """SIGTERM: unwind like Ctrl-C, so that a run cleans up after itself (a SystemExit, which
    waitress's event loop lets through where it logs and swallows other exceptions)."""


_received: list[int] = []  # the stop signal this process got


def _terminate(signum, frame) -> None:
    _stop_syncs(signum)
    raise Terminated()


def _interrupt(signum, frame) -> None:
    _stop_syncs(signum)
    raise KeyboardInterrupt()


def _stop_syncs(signum: int) -> None:
    """Tell a running sync to stop too: the exception may land where Python swallows it."""
    _received[:] = [signum]
    sync = sys.modules.get("search.sync")
    if sync is not None:
        sync.request_stop()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn every error into one line on stderr and an exit code."""
    if sys.stdout is None:
        print("defsearch: error: standard output is closed", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)  # not where Ctrl-C is ignored
    try:
        code = cli.main(args=argv, prog_name="defsearch", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("defsearch: interrupted", err=True)
        return 130
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "defsearch"
        click.echo(f"defsearch: error: {exc.format_message()} (see '{command} --help')", err=True)
        return exc.exit_code
    except click.ClickException as exc:
        click.echo(f"defsearch: error: {exc.format_message()}", err=True)
        return exc.exit_code
    except DefsearchError as exc:
        click.echo(f"defsearch: error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("defsearch: interrupted", err=True)
        return 130
    except Terminated:
        click.echo("defsearch: terminated", err=True)
        return 143
    except StopRequested:  # the signal's own exception was swallowed on the way
        terminated = _received == [signal.SIGTERM]
        click.echo(f"defsearch: {'terminated' if terminated else 'interrupted'}", err=True)
        return 143 if terminated else 130
    except BrokenPipeError:
        return 0
    except ImportError as exc:  # a broken or mismatched install
        click.echo(f"defsearch: error: {exc}", err=True)
        return 1
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"defsearch: error: {exc.strerror or exc}{where}", err=True)
        return 1
    except Exception as exc:  # last resort: never a traceback
        click.echo(f"defsearch: unexpected error: {exc.__class__.__name__}: {exc}", err=True)
        return 1
    return code if isinstance(code, int) else 0
