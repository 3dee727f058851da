"""Helpers for tests that run the real `defsearch` command in processes of its own."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

DEFSEARCH = Path(sys.executable).with_name("defsearch")


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
