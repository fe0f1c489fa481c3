"""The served worker (`python -m vibewater.serve`, no proxy in front): its garbage-collector tuning, the
builder's static files it serves itself, and its answer to a socket no route serves."""

from __future__ import annotations

import gc
import gzip
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest
import websockets

from tests.support.services import free_port
from vibewater.serve import GC_THRESHOLDS, tune_gc

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "frontend" / "dist" / ".vite" / "manifest.json"
A_YEAR = 365 * 24 * 3600


def test_tune_gc_exempts_what_is_loaded_and_collects_less_often() -> None:
    thresholds = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_freeze_count() > 10_000  # Django and the app, loaded by the test run
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@dataclass
class ServedWorker:
    """A worker process on a loopback port, and the file its output goes to."""

    url: str
    log: Path


def worker_env(tmp_path: Path) -> dict[str, str]:
    """The product's settings with debug off, as deployed: static files collected into `tmp_path`/static."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "AWS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="vibewater.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="serve-test-secret-key",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
        LLM_PROVIDER="offline",
        PYTHONUNBUFFERED="1",
    )
    return env


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedWorker]:
    """collectstatic (as the image build does) and migrate (as compose does), then one worker serving on its own."""
    assert MANIFEST.exists(), f"{MANIFEST} is missing: build the frontend first (make frontend)"
    tmp_path = tmp_path_factory.mktemp("served")
    env = worker_env(tmp_path)
    for command in ("collectstatic", "migrate"):
        done = subprocess.run(
            [sys.executable, "manage.py", command, "--noinput"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
    port = free_port()
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "vibewater.serve", "-b", "127.0.0.1", "-p", str(port), "vibewater.asgi:application"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not listening(port):
            assert process.poll() is None, f"the worker exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the worker did not listen within 60 s:\n{log.read_text()}"
            time.sleep(0.1)
        yield ServedWorker(f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        process.wait(10)


def get(url: str, *, encoding: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and raw body of a GET, asking for `encoding` if given."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def builder_assets() -> list[str]:
    """The bundle files the builder page loads (its script and stylesheets), from Vite's manifest."""
    entry = json.loads(MANIFEST.read_text())["src/main.tsx"]
    return [entry["file"], *entry.get("css", [])]


def max_age(headers: dict[str, str]) -> int:
    directives = dict(part.strip().partition("=")[::2] for part in headers.get("cache-control", "").split(","))
    return int(directives.get("max-age") or 0)


def test_the_worker_serves_the_builder_bundle_compressed_and_cached_for_good(worker: ServedWorker):
    for name in builder_assets():
        original = (ROOT / "frontend" / "dist" / name).read_bytes()

        status, headers, body = get(f"{worker.url}/static/{name}")
        assert (status, body) == (200, original), name
        assert max_age(headers) >= A_YEAR and "immutable" in headers["cache-control"], headers
        status, headers, body = get(f"{worker.url}/static/{name}", encoding="gzip")
        assert (status, headers.get("content-encoding"), gzip.decompress(body)) == (200, "gzip", original)
        status, headers, body = get(f"{worker.url}/static/{name}", encoding="br, gzip")
        assert (status, headers.get("content-encoding"), brotli.decompress(body)) == (200, "br", original)


def test_files_without_a_content_hash_in_their_name_are_cached_briefly(worker: ServedWorker):
    status, headers, body = get(f"{worker.url}/static/favicon.svg")

    assert (status, body) == (200, (ROOT / "vibewater" / "static" / "favicon.svg").read_bytes())
    assert 0 < max_age(headers) <= 3600 and "immutable" not in headers["cache-control"]


async def test_a_socket_to_an_unrouted_path_is_refused_with_403_and_no_traceback(worker: ServedWorker):
    for path in ("/ws/nothing/", "/ws/chat/not-a-uuid/"):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(
                worker.url.replace("http", "ws", 1) + path, additional_headers={"Origin": worker.url}, open_timeout=10
            )
        assert refused.value.response.status_code == 403
    log = worker.log.read_text()
    assert "Traceback" not in log and "unrouted path '/ws/chat/not-a-uuid/'" in log, log
