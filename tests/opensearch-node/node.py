"""Build and run a local OpenSearch node from Maven artifacts (standard library only).

    python3 tests/opensearch-node/node.py build   # resolve the artifacts, compile LocalNode
    python3 tests/opensearch-node/node.py run     # one node in the foreground
    python3 tests/opensearch-node/node.py up      # one node in the background; prints its URL
    python3 tests/opensearch-node/node.py down    # stops the node that `up` started

The node is OpenSearch's own server jar with modules (Netty4 transport/HTTP, common analysis,
painless, ...) loaded as classpath plugins (see LocalNode.java), on 127.0.0.1 only, plain HTTP
(OpenSearch core has no security plugin). Maven keeps the artifacts in ~/.m2; everything else
(compiled class, classpath, the node's data and log) goes under build/opensearch/.

The test fixtures (tests/opensearch_node.py) use the same functions to start nodes and clusters.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]  # the project: tests/opensearch-node/ -> ./
BUILD = ROOT / "build" / "opensearch"
CLASSPATH_FILE = BUILD / "classpath.txt"
CLASSES = BUILD / "maven" / "classes"
MAIN_CLASS = "defsearch.opensearch.LocalNode"
LOCAL_HOME = BUILD / "node"  # `up`: data, log and pid file of the background node
DEFAULT_PORT = 9200


class NodeError(RuntimeError):
    """The node could not be built or did not come up."""


def missing_tools() -> str | None:
    """Say what is missing to build and run a node (Java 17+, Maven), or None."""
    java = shutil.which("java")
    if not java:
        return "no `java` on PATH (OpenSearch 2.19 needs Java 17+)"
    if not shutil.which("mvn"):
        return "no `mvn` (Maven) on PATH: it fetches the OpenSearch artifacts"
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    version = out.split('"')[1] if '"' in out else ""
    major = version.split(".")[0]
    if major.isdigit() and int(major) < 17:
        return f"java {version} is too old: OpenSearch 2.19 needs Java 17+"
    return None


def _sources() -> list[Path]:
    return [HERE / "pom.xml", *sorted((HERE / "src").rglob("*.*"))]


def build(announce: bool = False) -> str:
    """Resolve the artifacts and compile LocalNode if the pom or sources changed; return the
    classpath. The first run downloads about 75 MB into ~/.m2."""
    stamp = CLASSPATH_FILE
    if not stamp.exists() or any(p.stat().st_mtime > stamp.stat().st_mtime for p in _sources()):
        reason = missing_tools()
        if reason:
            raise NodeError(reason)
        BUILD.mkdir(parents=True, exist_ok=True)
        if announce:
            print("building the local node with Maven (artifacts missing from ~/.m2 are fetched)")
        cmd = [
            "mvn",
            "-B",
            "-q",
            "-f",
            str(HERE / "pom.xml"),
            "compile",
            "dependency:build-classpath",
            f"-Dmdep.outputFile={CLASSPATH_FILE}",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            CLASSPATH_FILE.unlink(missing_ok=True)
            raise NodeError("Maven build failed:\n" + (done.stdout + done.stderr)[-4000:])
    return f"{CLASSES}{os.pathsep}{CLASSPATH_FILE.read_text().strip()}"


def port_in_use(port: int) -> bool:
    """A listener holds the port (connections of a stopped node in TIME_WAIT do not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_settings(
    name: str,
    home: Path,
    http_port: int,
    transport_port: int,
    cluster: str = "defsearch-local",
    seeds: Sequence[int] = (),
    managers: Sequence[str] = (),
) -> dict[str, str]:
    """Settings of one node on 127.0.0.1. Without seeds it is a single-node cluster; with
    seeds (transport ports of every node) and managers (their names) it forms a cluster."""
    settings = {
        "cluster.name": cluster,
        "node.name": name,
        "path.home": str(home),
        "path.data": str(home / "data"),
        "path.logs": str(home / "logs"),
        "network.host": "127.0.0.1",
        "http.port": str(http_port),
        "transport.port": str(transport_port),
        # A development node: no disk watermarks blocking writes on a nearly full disk.
        "cluster.routing.allocation.disk.threshold_enabled": "false",
    }
    if seeds:
        settings["discovery.seed_hosts"] = ",".join(f"127.0.0.1:{p}" for p in seeds)
        settings["cluster.initial_cluster_manager_nodes"] = ",".join(managers)
    else:
        settings["discovery.type"] = "single-node"
    return settings


def java_command(classpath: str, settings: dict[str, str], heap: str = "512m") -> list[str]:
    log_level = os.environ.get("OPENSEARCH_LOG_LEVEL", "info")
    return [
        "java",
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        "-Dio.netty.noUnsafe=true",
        "-Dio.netty.noKeySetOptimization=true",
        "-Dlog4j2.disable.jmx=true",
        "-Dlog4j.shutdownHookEnabled=false",
        f"-Dopensearch.node.log.level={log_level}",
        "-cp",
        classpath,
        MAIN_CLASS,
        *(f"{k}={v}" for k, v in settings.items()),
    ]


def get_json(url: str, timeout: float = 2.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def wait_until_up(url: str, process: subprocess.Popen | None, timeout: float, log: Path) -> None:
    """Wait until GET / answers; fail early if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise NodeError(f"the node exited with {process.returncode}; log:\n{tail(log)}")
        try:
            get_json(url + "/")
            return
        except (OSError, ValueError):
            time.sleep(0.25)
    raise NodeError(f"the node did not answer at {url} within {timeout:.0f} s; log:\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _die_with_parent() -> None:
    """In the child before exec: ask Linux for SIGKILL when the parent exits."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the fixtures' teardown still stops the node


class Node:
    """One node process. start() returns at once; wait() until it answers HTTP."""

    def __init__(self, settings: dict[str, str], heap: str = "512m") -> None:
        self.settings = settings
        self.heap = heap
        self.home = Path(settings["path.home"])
        self.log = self.home / "node.log"
        self.url = f"http://127.0.0.1:{settings['http.port']}"
        self.process: subprocess.Popen | None = None

    def start(self, classpath: str, die_with_parent: bool = False) -> Node:
        """Start the JVM. die_with_parent (tests): the kernel kills the node when the process
        that started it ends, even by SIGKILL, so an interrupted test run leaves no node."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                java_command(classpath, self.settings, self.heap),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent if die_with_parent else None,
            )
        return self

    def wait(self, timeout: float = 120.0) -> Node:
        wait_until_up(self.url, self.process, timeout, self.log)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (the node closes cleanly), SIGKILL if it takes longer than timeout."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: the node vanishes as a failed machine would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# The background node of `up` / `down`.


def _pid_file() -> Path:
    return LOCAL_HOME / "node.pid"


def _running_pid() -> int | None:
    try:
        pid = int(_pid_file().read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if MAIN_CLASS.encode() in cmdline else None


def up() -> int:
    port = int(os.environ.get("OPENSEARCH_PORT", DEFAULT_PORT))
    transport = int(os.environ.get("OPENSEARCH_TRANSPORT_PORT", port + 100))
    url = f"http://127.0.0.1:{port}"
    if _running_pid():
        where = (LOCAL_HOME / "node.url").read_text().strip()
        print(f"OpenSearch is already running at {where} (pid {_running_pid()})")
        return 0
    busy = [p for p in (port, transport) if port_in_use(p)]
    if busy:
        print(
            f"port {busy[0]} on 127.0.0.1 is taken by another program; choose others with "
            "OPENSEARCH_PORT (HTTP) and OPENSEARCH_TRANSPORT_PORT (default: HTTP port + 100)",
            file=sys.stderr,
        )
        return 1
    started = time.monotonic()
    classpath = build(announce=True)
    node = Node(node_settings("local", LOCAL_HOME, port, transport), heap="1g")
    node.start(classpath)
    _pid_file().write_text(f"{node.process.pid}\n")
    (LOCAL_HOME / "node.url").write_text(url + "\n")
    try:
        node.wait(timeout=180)
    except NodeError as e:
        node.stop()
        _pid_file().unlink(missing_ok=True)
        print(e, file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    print(f"OpenSearch {get_json(url + '/')['version']['number']} is up at {url} ({elapsed:.0f} s)")
    print(f"data: {LOCAL_HOME / 'data'}, log: {node.log}; `make opensearch-down` stops it")
    return 0


def down() -> int:
    pid = _running_pid()
    if pid is None:
        print("no local OpenSearch node is running")
        _pid_file().unlink(missing_ok=True)
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)
    _pid_file().unlink(missing_ok=True)
    print(f"stopped the local OpenSearch node (pid {pid}); its data stays in {LOCAL_HOME}")
    return 0


def run() -> int:
    port = int(os.environ.get("OPENSEARCH_PORT", DEFAULT_PORT))
    transport = int(os.environ.get("OPENSEARCH_TRANSPORT_PORT", port + 100))
    settings = node_settings("local", LOCAL_HOME, port, transport)
    LOCAL_HOME.mkdir(parents=True, exist_ok=True)
    os.execvp("java", java_command(build(announce=True), settings, heap="1g"))


def _build() -> int:
    started = time.monotonic()
    build(announce=True)
    print(f"local OpenSearch node ready to start ({time.monotonic() - started:.0f} s)")
    return 0


def _build() -> int:
    started = time.monotonic()
    build(announce=True)
    print(f"local OpenSearch node ready to start ({time.monotonic() - started:.0f} s)")
    return 0


def main(argv: list[str]) -> int:
    commands = {"build": _build, "up": up, "down": down, "run": run}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return commands[argv[0]]()
    except NodeError as e:
        print(e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
