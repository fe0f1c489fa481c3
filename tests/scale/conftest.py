"""Real processes for the multi-worker tests: redis-server, a PostgreSQL cluster, daphne workers, nginx.

Everything binds to loopback on free ports and lives in a temporary directory. A missing binary skips
the tests with the package to install, except under CI (env `CI` set), where it fails them instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.support.services import free_port, postgres_bin as postgres_bin_dir, postgres_cluster

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password-1"
# Replies stream in ~3 s (offline strategist), slow enough to act mid-reply, fast enough for a quick suite.
CHARS_PER_SECOND = "600"
# Short, so a killed worker's replies end soon; long enough that a worker the busy machine stalls for
# up to ~4 s still renews its lease (every TTL / 3, 2 s) and is not taken for dead.
LIVE_REPLY_TTL = 6.0


def require(binary: str, package: str) -> str:
    """The binary's path; skip (fail under CI) with what to install when it is missing."""
    found = shutil.which(binary)
    if found:
        return found
    reason = f"{binary} is not installed (Debian package {package}); the multi-worker tests need it"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}. CI must install it.", pytrace=False)
    pytest.skip(reason)


def wait_for(condition: Any, *, timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll `condition()` until it is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def http_get(url: str, timeout: float = 5, *, cookie: str | None = None) -> tuple[int, bytes]:
    """Status and body of a GET (with a Cookie header when given), errors included."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


# --- redis-server ---------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A throwaway redis-server without persistence, so a restart loses everything like a crash would."""

    binary: str
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    binary = require("redis-server", "redis-server")
    with tempfile.TemporaryDirectory(prefix="vibewater-redis-") as directory:
        server = RedisServer(binary, Path(directory))
        server.start()
        yield server
        server.stop()


# --- PostgreSQL -------------------------------------------------------------------------------------


def postgres_bin() -> Path:
    """The newest PostgreSQL's bin directory; skip (fail under CI) when none is installed."""
    return postgres_bin_dir() or Path(require("initdb", "postgresql")).parent


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL cluster in a temporary directory; its URL for DATABASE_URL."""
    bin_dir = postgres_bin()
    runuser = require("runuser", "util-linux") if os.geteuid() == 0 else None
    with (
        tempfile.TemporaryDirectory(prefix="vibewater-pg-") as directory,
        postgres_cluster(bin_dir, Path(directory), runuser) as url,
    ):
        yield url


# --- the project's processes ---------------------------------------------------------------------


@dataclass
class Deployment:
    """The environment every project process of the test deployment runs with (no Redis without a URL)."""

    database_url: str
    redis_url: str | None
    log_dir: Path
    static_root: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(("DJANGO_", "AWS_")) and name != "REDIS_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="vibewater.settings",
            DJANGO_SECRET_KEY="scale-test-secret-key",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            DJANGO_STATIC_ROOT=str(self.static_root),
            LLM_PROVIDER="offline",
            OFFLINE_TEXT_CHARS_PER_SECOND=CHARS_PER_SECOND,
            OFFLINE_JSON_CHARS_PER_SECOND=CHARS_PER_SECOND,
            CHAT_LIVE_REPLY_TTL=str(LIVE_REPLY_TTL),
            CHAT_RATE_LIMIT_PER_MINUTE="1000",
            PYTHONUNBUFFERED="1",
            # Plain HTTP on loopback: cookies marked Secure would not come back to it over HTTP.
            DJANGO_SESSION_COOKIE_SECURE="false",
            DJANGO_CSRF_COOKIE_SECURE="false",
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env

    def manage(self, *arguments: str, **extra_env: str) -> str:
        """Run a management command as the compose services do; its output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT, env={**self.env(), **extra_env}, capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{result.stderr[-3000:]}"
        return result.stdout


@dataclass
class Worker:
    """One daphne process serving the project, as a compose web service runs it."""

    name: str
    deployment: Deployment
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.deployment.log_dir / f"{self.name}.log"

    def start(self, **extra_env: str) -> None:
        """Start daphne as the deployment configures it, with `extra_env` on top for this run only."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "vibewater.serve", "-b", "127.0.0.1", "-p", str(self.port),
                 "vibewater.asgi:application"],
                cwd=ROOT, env={**self.deployment.env(), **extra_env}, stdout=log, stderr=subprocess.STDOUT,
            )
        wait_for(lambda: self.process.poll() is not None or http_get(f"{self.http}/healthz")[0] == 200,
                 timeout=30, what=f"daphne {self.name} to answer /healthz")
        assert self.process.poll() is None, f"daphne {self.name} exited:\n{self.log.read_text()[-3000:]}"

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine or container dies."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Workers:
    """Worker A and worker B, sharing PostgreSQL and Redis."""

    a: Worker
    b: Worker


def migrated(deployment: Deployment) -> Deployment:
    """The deployment's database migrated, its static files collected (as the image build does) and a trader
    account in it; its log directory emptied."""
    shutil.rmtree(deployment.log_dir, ignore_errors=True)
    deployment.log_dir.mkdir(parents=True)
    deployment.manage("migrate", "--noinput")
    deployment.manage("collectstatic", "--noinput")
    deployment.manage("createtrader", "alice", "--password-env", "TRADER_PASSWORD", TRADER_PASSWORD=PASSWORD)
    return deployment


@pytest.fixture(scope="session")
def deployment(postgres_url: str, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """PostgreSQL and Redis shared by the workers; worker logs go to test-artifacts/scale/."""
    static_root = tmp_path_factory.mktemp("static")
    return migrated(Deployment(postgres_url, redis_server.url, ROOT / "test-artifacts" / "scale", static_root))


@pytest.fixture
def lone_deployment(tmp_path: Path) -> Deployment:
    """One worker on its own: SQLite and no Redis, the shape `make run` has; logs in test-artifacts/scale-lone/.

    Replies stream slowly (about 25 s) and are checkpointed every second, so a test can act mid-reply.
    """
    extra = {
        "OFFLINE_TEXT_CHARS_PER_SECOND": "60", "OFFLINE_JSON_CHARS_PER_SECOND": "60", "CHAT_CHECKPOINT_SECONDS": "1",
    }
    log_dir = ROOT / "test-artifacts" / "scale-lone"
    return migrated(Deployment(f"sqlite:///{tmp_path / 'db.sqlite3'}", None, log_dir, tmp_path / "static", extra))


@pytest.fixture
def lone_worker(lone_deployment: Deployment) -> Iterator[Worker]:
    worker = Worker("lone-worker", lone_deployment)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def session_workers(deployment: Deployment) -> Iterator[Workers]:
    workers = Workers(Worker("worker-a", deployment), Worker("worker-b", deployment))
    for worker in (workers.a, workers.b):
        worker.start()
    yield workers
    for worker in (workers.a, workers.b):
        worker.stop()


@pytest.fixture
def workers(session_workers: Workers, redis_server: RedisServer) -> Workers:
    """Both workers and Redis up (a test before may have killed one)."""
    if redis_server.process is None:
        redis_server.start()
    for worker in (session_workers.a, session_workers.b):
        if not worker.running:
            worker.start()
    return session_workers


# --- clients -------------------------------------------------------------------------------------------


def login(worker: Worker, username: str = "alice", password: str = PASSWORD) -> str:
    """Log in through the login page over HTTP like a browser; the Cookie header for sockets."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"{worker.http}/accounts/login/"
    opener.open(url, timeout=10)
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
    opener.open(urllib.request.Request(url, data=body.encode(), headers={"Referer": url}), timeout=10)
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "login over HTTP failed"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@pytest.fixture(scope="session")
def cookie(session_workers: Workers) -> str:
    """Alice's session, logged in on worker A; sessions live in PostgreSQL, so worker B honours it."""
    return login(session_workers.a)


class Client:
    """A trader's WebSocket on one worker."""

    def __init__(self, socket: websockets.ClientConnection) -> None:
        self.socket = socket

    @classmethod
    async def open(cls, worker: Worker, cookie: str, conversation_id: str | None = None) -> Client:
        path = f"/ws/chat/{conversation_id}/" if conversation_id else "/ws/chat/"
        headers = {"Cookie": cookie, "Origin": worker.http}
        return cls(await websockets.connect(worker.ws + path, additional_headers=headers, open_timeout=10))

    async def send(self, frame: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(frame))

    async def ask(self, content: str) -> None:
        await self.send({"type": "message", "content": content})

    async def receive(self, timeout: float = 15) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.socket.recv(), timeout))

    async def receive_until(self, frame_type: str, timeout: float = 15) -> list[dict[str, Any]]:
        """Frames up to and including the first of `frame_type`."""
        frames = []
        while not frames or frames[-1]["type"] != frame_type:
            frames.append(await self.receive(timeout))
        return frames

    async def close(self) -> None:
        await self.socket.close()
