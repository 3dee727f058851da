"""``defsearch feeds``: follow news feeds; each new item's page goes into the corpus."""

from __future__ import annotations

import click

from search.cli_output import echo_json


@click.group()
def feeds() -> None:
    """Follow news feeds (RSS, Atom): each new item's page is added to the corpus.

    Example: defsearch feeds pull
    """


@feeds.command("add")
@click.argument("url")
@click.pass_obj
def feeds_add(obj, url: str) -> None:
    """Add a feed to the list (it is downloaded once to check that it is a feed).

    Example: defsearch feeds add https://tass.ru/rss/v2.xml
    """
    from search.ingest.feeds import add_feed

    entry = add_feed(obj.corpus, url)
    items = f"{entry['items']} item{'s' if entry['items'] != 1 else ''}"
    click.echo(f"added feed {entry['url']} ({entry['title'] or 'no title'}, {items})")


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_obj
def feeds_list(obj, as_json: bool) -> None:
    """List the feeds followed, with the time of their last pull.

    Example: defsearch feeds list
    """
    from search.ingest.feeds import load_feeds

    found = [
        {key: feed.get(key) for key in ("url", "title", "added", "pulled")}
        | {"items": len(feed.get("seen", []))}
        for feed in load_feeds(obj.corpus)
    ]
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("No feeds; add one with: defsearch feeds add URL")
    for feed in found:
        pulled = feed["pulled"] or "never pulled"
        click.echo(f"{feed['url']}  {feed['title'] or '-'}  ({feed['items']} items, {pulled})")


@feeds.command("pull")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def feeds_pull(obj, as_json: bool) -> None:
    """Download every feed, add its new items' pages, and sync the index.

    An item whose page cannot be downloaded is added from the feed's own text; a feed
    unchanged since the last pull (ETag, Last-Modified) downloads nothing.

    Example: defsearch feeds pull --json
    """
    from search.ingest.feeds import pull_feeds
    from search.sync import notify_stderr

    obj.claim()
    reports = pull_feeds(obj.corpus)
    report = obj.sync(notify=notify_stderr)
    for item in report.failed:
        click.echo(f"skipped {item['path']}: {item['error']}", err=True)
    if as_json:
        echo_json({"feeds": [r.to_dict() for r in reports], "index": report.to_dict()})
        return
    for feed in reports:
        name = f"{feed.url} ({feed.title})" if feed.title else feed.url
        if feed.status == "failed":
            click.echo(f"{name}: failed: {feed.error}")
            continue
        if feed.status == "unchanged":
            click.echo(f"{name}: unchanged, nothing downloaded")
            continue
        counts = f"{len(feed.added)} added, {feed.existing} already in the corpus"
        click.echo(f"{name}: {counts}, {len(feed.failed)} failed")
        for item in feed.added:
            source = " (from the feed's text)" if item["from"] == "feed" else ""
            click.echo(f"  + {item['id']}{source}")
        for item in feed.failed:
            click.echo(f"  ! {item['url']}: {item['error']}")
    click.echo(
        f"index: {report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged, {len(report.failed)} failed"
    )
