"""Fixtures that start real OpenSearch nodes on 127.0.0.1 (loaded by conftest.py).

The nodes are built and started by tests/opensearch-node/node.py from Maven artifacts. Tests
that use these fixtures are skipped, with the reason, only when Java or Maven is not on this
machine; a failing Maven build or a node that does not come up is an error.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

_LAUNCHER = Path(__file__).resolve().parent / "opensearch-node" / "node.py"
_spec = importlib.util.spec_from_file_location("opensearch_launcher", _LAUNCHER)
launcher = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = launcher
_spec.loader.exec_module(launcher)

_skipped: list[str] = []


def _classpath() -> str:
    reason = launcher.missing_tools()
    if reason:
        _skipped.append(reason)
        pytest.skip(f"OpenSearch tests skipped: {reason}")
    return launcher.build()


@pytest.fixture(scope="session")
def opensearch_url(tmp_path_factory) -> str:
    """The URL of one OpenSearch node (a single-node cluster), started once per session."""
    classpath = _classpath()
    home = tmp_path_factory.mktemp("opensearch")
    settings = launcher.node_settings(
        "test", home, launcher.free_port(), launcher.free_port(), cluster="defsearch-test"
    )
    node = launcher.Node(settings, heap="512m").start(classpath, die_with_parent=True)
    try:
        node.wait(timeout=180)
        yield node.url
    finally:
        node.stop()


class Cluster:
    """Three nodes on loopback ports that discover each other through their transport ports."""

    def __init__(self, root: Path, classpath: str, size: int = 3) -> None:
        names = [f"node-{i + 1}" for i in range(size)]
        transports = [launcher.free_port() for _ in names]
        self.nodes = [
            launcher.Node(
                launcher.node_settings(
                    name,
                    root / name,
                    launcher.free_port(),
                    port,
                    cluster="defsearch-cluster-test",
                    seeds=transports,
                    managers=names,
                ),
                heap="384m",
            )
            for name, port in zip(names, transports, strict=True)
        ]
        self.classpath = classpath

    def start(self, timeout: float = 240.0) -> Cluster:
        for node in self.nodes:
            node.start(self.classpath, die_with_parent=True)
        deadline = time.monotonic() + timeout
        health = None
        for node in self.nodes:
            node.wait(timeout=max(1.0, deadline - time.monotonic()))
        while time.monotonic() < deadline:
            health = launcher.get_json(self.nodes[0].url + "/_cluster/health")
            if health["number_of_nodes"] == len(self.nodes):
                return self
            time.sleep(0.5)
        raise launcher.NodeError(f"the cluster did not form: {health}")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


@pytest.fixture(scope="module")
def opensearch_cluster(tmp_path_factory) -> Cluster:
    """A three-node cluster, started for one test module; its nodes can be stopped by tests."""
    classpath = _classpath()
    cluster = Cluster(tmp_path_factory.mktemp("opensearch-cluster"), classpath)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """After the short summary: say plainly that the OpenSearch tests did not run, and why."""
    yield
    if _skipped:
        terminalreporter.write_sep(
            "=", f"OpenSearch tests were SKIPPED: {_skipped[0]}", yellow=True, bold=True
        )
