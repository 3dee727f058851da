"""Query latency as users meet it: the engine in-process, the HTTP API, a one-shot CLI.

Every measurement runs the whole query set once to warm up, then ``rounds`` more times;
a query's latency is the median of its rounds, and the percentiles are taken over queries.
The engine's warm-up pass is reported too: it runs before the searcher has cached any
postings.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.queries import BenchQuery

SERVER_START_SECONDS = 30.0  # how long the HTTP server may take to answer /healthz
IMPORTTIME_TOP = 12  # modules shown from `python -X importtime`
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_SERVING_RE = re.compile(r"serving http://[^:/]+:(\d+)/")


def percentiles(values_ms: list[float]) -> dict[str, float]:
    """Return p50/p95/p99, mean and max of latencies in milliseconds."""
    if not values_ms:
        return {}
    ordered = sorted(values_ms)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "p50": pick(50),
        "p95": pick(95),
        "p99": pick(99),
        "mean": statistics.fmean(ordered),
        "max": ordered[-1],
    }


def _medians(times: list[list[float]]) -> list[float]:
    return [statistics.median(per_query) * 1000 for per_query in times]


def engine_latency(index_dir: Path, queries: list[BenchQuery], rounds: int) -> dict:
    """Time Engine.search (ten hits with snippets, and facets) for each query."""
    from search.request import make_request
    from search.service import Engine

    engine = Engine(index_dir)
    requests = [make_request(q.q, limit=10, **_request_params(q)) for q in queries]
    engine.check()  # open the index: not part of any one query
    # The first pass is timed on its own: the searcher's postings cache is still empty, so
    # it is what a query with words nobody asked for since the last sync costs.
    first, totals = [], []
    for request in requests:
        started = time.perf_counter()
        totals.append(engine.search(request).total)  # a refused query raises
        first.append((time.perf_counter() - started) * 1000)
    times: list[list[float]] = [[] for _ in requests]
    for _ in range(rounds):
        for i, request in enumerate(requests):
            started = time.perf_counter()
            engine.search(request)
            times[i].append(time.perf_counter() - started)
    engine.close()
    per_query = _medians(times)
    return {
        "per_query_ms": per_query,
        "totals": totals,
        "first_pass": percentiles(first),
        **percentiles(per_query),
        "by_kind": _by_kind(queries, per_query, totals),
    }


def profile_queries(index_dir: Path, queries: list[BenchQuery]) -> str:
    """Return the profile of one warm pass over the query set."""
    from bench.profiling import profile_call
    from search.request import make_request
    from search.service import Engine

    engine = Engine(index_dir)
    requests = [make_request(q.q, limit=10, **_request_params(q)) for q in queries]
    for request in requests:
        engine.search(request)

    def run_all():
        for request in requests:
            engine.search(request)

    _, text = profile_call(run_all)
    engine.close()
    return text


def _request_params(q: BenchQuery) -> dict:
    params = q.params()
    params.pop("q")
    return params


def _by_kind(queries: list[BenchQuery], per_query: list[float], totals: list[int]) -> dict:
    out = {}
    for kind in dict.fromkeys(q.kind for q in queries):
        idx = [i for i, q in enumerate(queries) if q.kind == kind]
        stats = percentiles([per_query[i] for i in idx])
        out[kind] = {
            "n": len(idx),
            "p50": stats["p50"],
            "p95": stats["p95"],
            "max": stats["max"],
            "mean_hits": statistics.fmean(totals[i] for i in idx),
            "no_hits": sum(1 for i in idx if totals[i] == 0),
        }
    return out


# -- HTTP --------------------------------------------------------------------------------


def defsearch_command() -> list[str]:
    """Return the command that runs the defsearch CLI from this environment."""
    script = Path(sys.executable).with_name("defsearch")
    if script.exists():
        return [str(script)]
    found = shutil.which("defsearch")
    return [found] if found else [sys.executable, "-m", "search"]


def http_latency(index_dir: Path, queries: list[BenchQuery], rounds: int) -> dict:
    """Serve the index with `defsearch serve` and time GET /api/search for each query."""
    # Run the CLI from the project folder: an editable install made before web/ existed
    # does not map the `web` package, and the server must not depend on that.
    code = "import sys; from search.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", code, "--index", str(index_dir.resolve())]
    log_path = index_dir.parent / "server.log"  # a pipe left unread could stall the server
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(
            command + ["serve", "--port", "0"],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            bufsize=1,
        )
    try:
        port = _wait_for_server(server, log_path)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        paths = [
            "/api/search?" + urlencode({**q.params(), "limit": "10"}, encoding="utf-8")
            for q in queries
        ]
        errors = 0
        for path in paths:  # warm-up
            errors += _get(conn, path)[0] != 200
        times: list[list[float]] = [[] for _ in paths]
        for _ in range(rounds):
            for i, path in enumerate(paths):
                started = time.perf_counter()
                status, _ = _get(conn, path)
                times[i].append(time.perf_counter() - started)
                errors += status != 200
        conn.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
    per_query = _medians(times)
    return {"per_query_ms": per_query, "errors": errors, **percentiles(per_query)}


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def _wait_for_server(server: subprocess.Popen, log_path: Path) -> int:
    """Read the port from the server's first line, then wait for /healthz to answer 200."""
    line = server.stdout.readline()
    match = _SERVING_RE.search(line)
    if not match:
        server.kill()
        server.wait()
        server.stdout.close()
        error = log_path.read_text(encoding="utf-8").strip() or line.strip()
        raise RuntimeError(f"defsearch serve did not start: {error[-500:]}")
    port = int(match.group(1))
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, _ = _get(conn, "/healthz")
            conn.close()
            if status == 200:
                return port
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("defsearch serve did not answer /healthz in time")


# -- one-shot CLI ------------------------------------------------------------------------


def cli_latency(index_dir: Path, queries: list[BenchQuery], runs: int) -> dict:
    """Time `defsearch --index DIR search QUERY --json` in new processes."""
    command = defsearch_command() + ["--index", str(index_dir), "search"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    times = []
    for i in range(runs):
        q = queries[i % len(queries)]
        started = time.perf_counter()
        done = subprocess.run(
            command + [q.q, "--json"], capture_output=True, env=env, check=False, timeout=120
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"defsearch search failed: {done.stderr.decode()[-300:]}")
        json.loads(done.stdout)
    return {"seconds": times, "median": statistics.median(times)}


def import_times(index_dir: Path, query: str) -> dict[str, list[dict]]:
    """Return the slowest imports of a one-shot search (`-X importtime`): top-level modules
    by cumulative time, and any modules by their own time."""
    code = "import sys; from search.cli import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code]
        + ["--index", str(index_dir), "search", query, "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|", 2)
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append(
            {
                "module": name.strip(),
                "depth": depth,
                "self_ms": int(own) / 1000,
                "cumulative_ms": int(cumulative) / 1000,
            }
        )
    top_level = [row for row in rows if row["depth"] == 0]
    return {
        "top_level": sorted(top_level, key=lambda r: -r["cumulative_ms"])[:IMPORTTIME_TOP],
        "by_self": sorted(rows, key=lambda r: -r["self_ms"])[:IMPORTTIME_TOP],
        "total_ms": sum(row["cumulative_ms"] for row in top_level),
    }
