"""``defsearch watch`` and ``defsearch batch``: what an analyst does with a search after
running it. Thin shells over search.watches and search.batch."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from search.cli_output import echo_json
from search.errors import UsageError


@click.group()
def watch() -> None:
    """Saved searches: after every `index` and `add`, each is run against the new and
    changed articles and its matches are recorded.

    Example: defsearch watch add s400 'С-400 OR S-400'
    """


@watch.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--lang", type=click.Choice(["ru", "en"]), help="Only articles in this language.")
@click.option("--source", help="Only articles from this outlet (case-insensitive).")
@click.option("--exact", is_flag=True, help="Match words only as written.")
@click.option("--both-languages", is_flag=True, help="Also the other language's terms.")
@click.pass_obj
def watch_add(obj, name: str, query: str, **options) -> None:
    """Save a search under NAME; the query is checked now.

    Example: defsearch watch add kinzhal 'Кинжал OR Kinzhal' --both-languages
    """
    from search.watches import Watch, WatchList

    saved = WatchList(obj.index).add(Watch(name, query, **options))
    click.echo(f"saved search {saved.name!r}: {saved.query}")


@watch.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the saved searches as JSON.")
@click.pass_obj
def watch_list(obj, as_json: bool) -> None:
    """List the saved searches with their filters and unseen matches.

    Example: defsearch watch list --json
    """
    from search.watches import WatchList

    watches = WatchList(obj.index).list()
    if as_json:
        echo_json([w.to_dict() for w in watches])
        return
    if not watches:
        click.echo("No saved searches. Add one: defsearch watch add NAME QUERY")
    for w in watches:
        filters = " ".join(
            part
            for part in (
                f"--lang {w.lang}" if w.lang else "",
                f"--source {w.source!r}" if w.source else "",
                "--exact" if w.exact else "",
                "--both-languages" if w.both_languages else "",
            )
            if part
        )
        line = f"{w.name:<16} {w.unseen:>4} unseen / {w.matches:<4} {w.query}  {filters}"
        click.echo(line.rstrip())


@watch.command("show")
@click.argument("name")
@click.option("--all", "every", is_flag=True, help="Also the matches already seen.")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
@click.pass_obj
def watch_show(obj, name: str, every: bool, as_json: bool) -> None:
    """Show the articles a saved search matched since they were indexed (the unseen ones
    unless --all), newest first, one per story.

    Example: defsearch watch show s400 --all
    """
    from search.watches import WatchList

    entries = WatchList(obj.index).entries(name, every=every)
    if as_json:
        echo_json([e.to_dict() for e in entries])
        return
    if not entries:
        click.echo(f"No {'' if every else 'unseen '}matches for {name!r}.")
    for e in entries:
        mark = " " if e.seen else "*"
        meta = " · ".join(x for x in (e.source, e.date, e.lang) if x)
        click.echo(f"{mark} {e.title}\n    {meta}  [{e.id}]")
        if e.url:
            click.echo(f"    {e.url}")
        if e.also:
            click.echo(f"    also: {', '.join(e.also)}")


@watch.command("seen")
@click.argument("name")
@click.pass_obj
def watch_seen(obj, name: str) -> None:
    """Mark every match of a saved search as seen.

    Example: defsearch watch seen s400
    """
    from search.watches import WatchList

    count = WatchList(obj.index).mark_seen(name)
    click.echo(f"{count} match{'es' if count != 1 else ''} of {name!r} marked seen")


@watch.command("remove")
@click.argument("name")
@click.pass_obj
def watch_remove(obj, name: str) -> None:
    """Delete a saved search and its recorded matches.

    Example: defsearch watch remove s400
    """
    from search.watches import WatchList

    WatchList(obj.index).remove(name)
    click.echo(f"removed saved search {name!r}")


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option("--lang", type=click.Choice(["ru", "en"]), help="Only articles in this language.")
@click.option("--source", help="Only articles from this outlet (case-insensitive).")
@click.option("--since", metavar="YYYY-MM-DD", help="Only articles dated on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", help="Only articles dated on or before this day.")
@click.option("--exact", is_flag=True, help="Match words only as written.")
@click.option("--both-languages", is_flag=True, help="Also the other language's terms.")
@click.pass_obj
def batch(obj, file: Path, fmt: str, **filters) -> None:
    """Search each line of FILE (a list of names or queries; # starts a comment): articles
    and stories found, first and last date, the top 3 hits. A line that cannot be searched
    is reported and the rest still run; the exit code is then 1.

    Example: defsearch batch names.txt --lang ru --since 2019-01-01
    """
    from search.batch import batch_csv, run_batch
    from search.request import make_request

    # The filters are the same for every line: a bad one is one error, before any search.
    make_request("filters", since=filters["since"], until=filters["until"])
    try:
        if str(file) == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise UsageError(f"{file} is not UTF-8 text") from None
    results = list(run_batch(obj.engine(), lines, **filters))
    if fmt == "json":
        echo_json([r.to_dict() for r in results])
    else:
        for text in batch_csv(results):
            click.echo(text, nl=False)
    failed = [r for r in results if r.error]
    for r in failed:
        click.echo(f"defsearch: line {r.line}: {r.error}", err=True)
    if failed:
        raise SystemExit(1)
