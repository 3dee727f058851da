"""Name the outlet of an article from its link or from the name it signs with.

The names come from search/data/outlets.tsv; a link to a site that is not listed gives its
registered domain (`news.example.co.uk` → `example.co.uk`), found with the public suffix
list that publicsuffixlist ships (no network).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from urllib.parse import urlsplit

_KEY_DROP_RE = re.compile(r"[\s«»\"“”„'’.\-]+")


class OutletTable:
    """The curated table: hosts to outlet names, and the names outlets sign with."""

    def __init__(self, text: str) -> None:
        self.by_domain: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise ValueError(f"outlets.tsv line {number}: expected DOMAIN<TAB>NAME")
            domain, name = parts[0].casefold(), parts[1].strip()
            self.by_domain[domain] = name
            aliases = parts[2].split(",") if len(parts) > 2 else []
            for alias in (name, *aliases):
                if alias.strip():
                    self.by_name.setdefault(name_key(alias), name)

    def for_host(self, host: str, path: str = "") -> str | None:
        """Return the outlet of the longest listed domain the host is or belongs to.

        A row may name a section of a site (`bbc.com/russian`): it wins over the site.
        """
        host = host.casefold().rstrip(".")
        section = path.strip("/").partition("/")[0].casefold()
        while host:
            if section and (name := self.by_domain.get(f"{host}/{section}")):
                return name
            if host in self.by_domain:
                return self.by_domain[host]
            host = host.partition(".")[2]
        return None


def name_key(name: str) -> str:
    """Fold an outlet name for lookups: case, quotes, dots, dashes and spaces ignored."""
    return _KEY_DROP_RE.sub("", name.casefold().replace("ё", "е"))


@lru_cache(maxsize=1)
def table() -> OutletTable:
    return OutletTable(files("search.data").joinpath("outlets.tsv").read_text("utf-8"))


def known_outlet(name: str) -> str | None:
    """Return the table's spelling of an outlet named in a credit ("Reuter" → "Reuters")."""
    return table().by_name.get(name_key(name)) if name else None


def distinctive_outlet(name: str) -> str | None:
    """A listed outlet whose name cannot be an ordinary Russian word standing alone.

    "ТАСС", "РИА Новости", "Газета.Ru" and Latin names are; "Власть", "Звезда", "Труд" (a
    rubric, or "Сегодня, 10 августа, …" opening a sentence) are listed outlets only inside
    slashes or brackets, in a credit, or in a link.
    """
    listed = known_outlet(name)
    if not listed:
        return None
    name = name.strip()
    if name.isupper() or " " in name or not name.isalpha() or name.isascii():
        return listed
    return None


def outlet_for_url(url: str | None) -> str | None:
    """Return the outlet of a link: the table's name, else the registered domain."""
    host = _host(url)
    if not host:
        return None
    listed = table().for_host(host, urlsplit(url).path)
    if listed:
        return listed
    return _public_suffix_list().privatesuffix(host) or None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or "." not in host or host.replace(".", "").isdigit():
        return None  # "localhost", an IP address: no outlet
    return host.removeprefix("www.")


@lru_cache(maxsize=1)
def _public_suffix_list():
    # Imported here: loading the list costs ~50 ms, which only reading articles needs.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()
