"""The shape of the code: which modules may import what."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Return every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_only_the_engine_imports_whoosh():
    engine = ROOT / "search" / "engine"
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("search", "web")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if engine not in path.parents
        and any(name == "whoosh" or name.startswith("whoosh.") for name in imported_modules(path))
    ]
    assert offenders == []


def test_the_engine_does_import_whoosh():
    # The check above reads the imports it should: the engine's are found.
    assert "whoosh" in imported_modules(ROOT / "search" / "engine" / "index.py")


MAX_MODULE_LINES = 420  # "about 400": a module past this does more than one job


def test_no_module_is_over_about_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("search", "web")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_only_the_opensearch_engine_imports_opensearchpy():
    home = ROOT / "search" / "opensearch"
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("search", "web")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if home not in path.parents
        and any(
            n == "opensearchpy" or n.startswith("opensearchpy.") for n in imported_modules(path)
        )
    ]
    assert offenders == []
    assert "opensearchpy" in imported_modules(home / "connect.py")
