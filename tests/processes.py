"""Helpers for tests that run the real `defsearch` command in processes of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

DEFSEARCH = Path(sys.executable).with_name("defsearch")
REPO = Path(__file__).resolve().parents[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without DEFSEARCH_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFSEARCH_")}
    env.update(extra)
    return env


def wait_for(condition, timeout: float = 60.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@contextmanager
def running_server(index: Path):
    """Run the real server (`serve()`, waitress) on a free port in a subprocess; yield its
    base URL, and stop it on the way out."""
    code = "import sys; from pathlib import Path; from web.app import serve; "
    code += "serve(Path(sys.argv[1]), port=0)"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        line = proc.stdout.readline()  # serve() prints the URL once it listens
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not match:
            proc.kill()
            pytest.fail(f"server did not start: {line!r} {proc.stderr.read()}")
        yield match.group(0).rstrip("/")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
