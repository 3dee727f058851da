"""The reading commands of ``defsearch``: search, show, inspect, stories, stats.

Registered on the ``defsearch`` group by search.cli; heavy modules are imported inside the
commands, as there.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from search.cli_output import echo_json, terminal_snippet
from search.ingest.walk import document_id

if TYPE_CHECKING:
    from search.cli import Context


class _QueryCommand(click.Command):
    """A command whose query may start with "-" (``defsearch search '-Blair Iraq'``).

    An argument that starts with "-" but is none of the command's options is the query,
    not an unknown option: it is moved behind "--" before click parses the line.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        names = {name for param in self.get_params(ctx) for name in param.opts}
        names |= {name for param in self.get_params(ctx) for name in param.secondary_opts}
        for i, arg in enumerate(args):
            if arg == "--":
                break
            if arg.startswith("-") and arg != "-" and arg.split("=", 1)[0] not in names:
                args = [*args[:i], *args[i + 1 :], "--", arg]
                break
        return super().parse_args(ctx, args)


@click.command(cls=_QueryCommand)
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=int, help="Hits per page.")
@click.option("--page", default=1, show_default=True, type=int, help="Page number.")
@click.option("--lang", type=click.Choice(["ru", "en"]), help="Only articles in this language.")
@click.option("--source", help="Only articles from this outlet (case-insensitive).")
@click.option("--since", metavar="YYYY-MM-DD", help="Only articles dated on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", help="Only articles dated on or before this day.")
@click.option(
    "--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True
)
@click.option(
    "--exact", is_flag=True, help="Match words only as written: no other spellings of names."
)
@click.option(
    "--both-languages",
    is_flag=True,
    help="Also search the other language's terms for the query (from the glossary).",
)
@click.option(
    "--no-group",
    "no_group",
    is_flag=True,
    help="List every article; by default reports of one story are folded into one hit.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "jsonl"]),
    default="text",
    show_default=True,
    help="Output: text, JSON, or an export as CSV or JSON Lines (snippets as plain text).",
)
@click.option("--all", "every", is_flag=True, help="Export every hit, not one page (csv, jsonl).")
@click.pass_obj
def search(
    obj: Context, query: str, as_json: bool, no_group: bool, fmt: str, every: bool, **params
) -> None:
    """Search the index. Words are ANDed; "quoted phrases", OR, -word, title:/source:,
    prefix*, and =word (this exact form only) are understood. Names match in any common
    spelling and either script (Shoygu finds Шойгу) unless --exact.

    Example: defsearch search '"военно-техническое сотрудничество" -Армения' --lang ru

    Example: defsearch search 'С-400' --format csv --all > s400.csv
    """
    from search.request import make_request

    request = make_request(query, group=not no_group, **params)
    if fmt in ("csv", "jsonl"):
        from search.export import export_lines, iter_hits

        for line in export_lines(fmt, iter_hits(obj.engine(), request, every=every)):
            click.echo(line, nl=False)
        return
    if every:
        raise click.UsageError("--all exports every hit: use it with --format csv or jsonl")
    page = obj.engine().search(request)
    if as_json or fmt == "json":
        echo_json(page.to_dict())
        return
    colour = sys.stdout.isatty()
    if page.notice:
        click.echo(f"No results for {query!r}: {page.notice}.")
        return
    if page.suggestion:
        click.echo(f"Did you mean: {page.suggestion}\n")
    if not page.results:
        click.echo(f"No results for {query!r} ({page.total} in all).")
        return
    first = (page.page - 1) * page.limit + 1
    click.echo(
        f"{_counts(page)} for {query!r}, "
        f"showing {first}-{first + len(page.results) - 1} ({page.took_ms:.0f} ms)\n"
    )
    for number, hit in enumerate(page.results, start=first):
        partial = "partial match" if hit.partial else None  # all words but one
        meta = " · ".join(x for x in (hit.source, hit.date, hit.lang, partial) if x)
        click.echo(f"{number:>3}. {click.style(hit.title, bold=True) if colour else hit.title}")
        click.echo(f"     {meta}  [{hit.id}]")
        if hit.url:
            click.echo(f"     {hit.url}")
        click.echo(f"     {terminal_snippet(hit.snippet, colour)}")
        if hit.also:
            outlets = ", ".join(f"{a['source'] or a['id']} ({a['date']})" for a in hit.also)
            click.echo(f"     also in: {outlets}")
        click.echo("")


def _counts(page) -> str:
    """Say how many results there are and, when stories fold articles, how many articles."""
    if page.stories is None or page.articles == page.total:
        return f"{page.total} result{'s' if page.total != 1 else ''}"
    stories = f"{page.stories} stor{'ies' if page.stories != 1 else 'y'}"
    return f"{stories} ({page.articles} articles)"


@click.command()
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.pass_obj
def show(obj: Context, doc_id: str, as_json: bool) -> None:
    """Show one article: its metadata and cleaned text.

    Example: defsearch show 004_9f58cf50519153e2
    """
    record = obj.engine().document(_normalize_id(doc_id, obj.corpus))
    if as_json:
        echo_json(record)
        return
    click.echo(click.style(record["title"], bold=True) if sys.stdout.isatty() else record["title"])
    where = record.get("provenance", {})
    for key in ("id", "source", "date", "lang", "url", "path"):
        if record.get(key):
            note = f"  ({where[key]})" if key in where else ""
            click.echo(f"{key + ':':8}{record[key]}{note}")
    click.echo("\n" + record["body"])
    if record.get("related"):
        click.echo("\nRelated:")
        for item in record["related"]:
            click.echo(f"  {item['id']}  {item['title']}  ({', '.join(item['why'])})")


def _normalize_id(doc_id: str, corpus: Path) -> str:
    """Accept an id, or the path of an article file in the corpus, and return the id.

    Only an existing file is read as a path: an id may hold dots of its own
    (`brexit_ru.txt_file_1012`, as crawlers name files) and is then kept whole.
    """
    path = Path(doc_id)
    if not path.is_file() or path.name.endswith(".meta.json"):
        return doc_id
    try:
        return document_id(path.resolve(), corpus.resolve())
    except ValueError:
        return doc_id


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def inspect(files: tuple[Path, ...], as_json: bool) -> None:
    """Show what article files would become, without indexing them.

    For each file: title, date, outlet, link and language, where each was found (header
    line, dateline, credit line, sign-off, url, sidecar, page metadata, subject ...), the
    lines dropped as page furniture, and the articles inside an e-mail or mbox. A file that
    cannot be read is reported and the others are still shown.

    Example: defsearch inspect ~/Downloads/tass-s400.txt --json
    """
    from search.ingest.read import inspect_file

    results = [inspect_file(path) for path in files]
    if as_json:
        echo_json(results)
    else:
        for result in results:
            _print_inspection(result)
    if any("error" in result for result in results):
        raise SystemExit(1)


def _print_inspection(result: dict) -> None:
    click.echo(result["path"])
    if "error" in result:
        click.echo(f"  error:   {result['error']}")
        return
    where = result["provenance"]
    for key in ("title", "date", "source", "url", "lang"):
        value = result[key] if result[key] is not None else "-"
        note = f"  ({where[key]})" if key in where else ""
        click.echo(f"  {key + ':':8} {value}{note}")
    if result.get("author"):
        click.echo(f"  author:  {result['author']}")
    for line in result["dropped"]:
        click.echo(f"  dropped: {line}")
    for member in result.get("members", []):
        click.echo(f"  article: {member['id']}  {member['title']}")
    for member in result.get("failed", []):
        click.echo(f"  failed:  {member['id']}: {member['error']}")
    click.echo("")


@click.command()
@click.option("--since", metavar="YYYY-MM-DD", help="Stories with an article on or after this day.")
@click.option(
    "--until", metavar="YYYY-MM-DD", help="Stories with an article on or before this day."
)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
@click.pass_obj
def stories(obj: Context, since: str | None, until: str | None, limit: int, as_json: bool) -> None:
    """List the largest stories of a period: one event reported by several outlets.

    Example: defsearch stories --since 2019-07-01
    """
    found = obj.engine().stories(since, until, limit)
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("No story was reported by more than one outlet in that period.")
    for story in found:
        days = (
            story["first"]
            if story["first"] == story["last"]
            else (f"{story['first']}..{story['last']}")
        )
        click.echo(f"{story['size']:>3} articles  {days}  {story['title']}")
        click.echo(f"     {', '.join(story['outlets'])}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Show documents per language and source, index size and last sync time.

    Example: defsearch stats
    """
    data = obj.engine().stats()
    if as_json:
        echo_json(data)
        return
    click.echo(f"documents:  {data['documents']}")
    click.echo(f"index:      {data['index_path']} ({data['index_bytes'] / 1024:.0f} KiB)")
    click.echo(f"last sync:  {data['last_sync'] or 'never'}")
    click.echo("languages:  " + ", ".join(f"{k} {v}" for k, v in data["languages"].items()))
    click.echo("sources:")
    for name, count in data["sources"].items():
        click.echo(f"  {count:>6}  {name}")
