"""How the ``defsearch`` commands print: JSON as the API gives it, snippets as terminal text."""

from __future__ import annotations

import json
import re

import click

_MARK_RE = re.compile(r"<mark>(.*?)</mark>", re.S)


def echo_json(data) -> None:
    """Print JSON with Cyrillic as is, indented for reading."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def terminal_snippet(snippet_html: str, colour: bool) -> str:
    """Turn a snippet's HTML into terminal text, matches in bold yellow on a terminal."""
    if colour:
        snippet_html = _MARK_RE.sub(
            lambda m: click.style(m.group(1), fg="yellow", bold=True), snippet_html
        )
    from search.snippets import snippet_text  # the search that made it loaded it already

    return snippet_text(snippet_html)
