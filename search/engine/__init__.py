"""The search engine behind defsearch: the only package that imports Whoosh.

It reads Whoosh's codec-level files (posting blocks, columns, the table of contents) to
score over numpy arrays, so it is tied to one Whoosh version: another one is refused at
import with one line, instead of returning wrong results later.
"""

from importlib.metadata import PackageNotFoundError, version

WHOOSH_VERSION = "2.7.5"  # whoosh-reloaded is frozen; setup.cfg pins this version

try:
    _found = version("whoosh-reloaded")
except PackageNotFoundError:
    _found = None
if _found != WHOOSH_VERSION:
    raise ImportError(
        f"defsearch needs whoosh-reloaded {WHOOSH_VERSION}, not {_found or 'none'}; "
        "reinstall it with: pip install -e ."
    )
