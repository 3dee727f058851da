"""The HTTP API as a contract: schemathesis generates requests from /api/openapi.json and
runs them against the real server; no 5xx, and every response matches the description."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from processes import running_server

from search.watches import Watch, WatchList

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
EXAMPLES = 40  # per operation and phase: about 700 requests, some 15 s on an idle machine


@pytest.fixture(scope="module")
def server(news_index, tmp_path_factory):
    index = tmp_path_factory.mktemp("contract") / "index"
    shutil.copytree(news_index, index)
    WatchList(index).add(Watch("s400", "С-400 OR S-400"))  # the feed's documented example
    with running_server(index) as url:
        yield url


def test_the_description_lists_every_json_and_feed_endpoint(server):
    import urllib.request

    with urllib.request.urlopen(server + "/api/openapi.json") as response:
        spec = json.load(response)
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/search",
        "/api/doc/{doc_id}",
        "/healthz",
        "/search.atom",
        "/search.csv",
        "/watch/{name}.atom",
    }
    assert spec["servers"] == [{"url": server}]


def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(server, tmp_path):
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            server + "/api/openapi.json",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            "1",
            "--workers",
            "2",
            "--generation-database",
            "none",
            "--request-timeout",
            "20",
            "--no-color",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "6 selected" in result.stdout
