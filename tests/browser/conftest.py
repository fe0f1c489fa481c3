"""Browser tests: a real server in a subprocess (Django's runserver from daphne), driven by Chromium.

The server runs the product's own settings (`vibewater.settings`, debug off) on a throwaway SQLite file,
the in-memory channel layer and the offline strategist, so these tests need no network and no AWS.
Static files (the built bundle in frontend/dist) are served by runserver's `--insecure` static handler.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
MANIFEST = ROOT / "frontend" / "dist" / ".vite" / "manifest.json"
PYTHON = Path(sys.executable)

TRADER = "alice"
PASSWORD = "browser-test-Pa55word"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests without Chromium, except in CI, where a missing browser is a failure."""
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium); CI is not set, so skipping")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: Not the default, so the page is seen to take the server's limit rather than one of its own.
MESSAGE_LIMIT = 3000


def server_env(database: Path, *, chars_per_second: float) -> dict[str, str]:
    """The product's settings, made hermetic: no .env value or CI variable can change these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="vibewater.settings",
        DJANGO_SECRET_KEY="browser-test-secret-key",
        DJANGO_DEBUG="0",
        DJANGO_VITE_DEV="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL="",  # empty, not unset: the in-memory layer even if .env names a Redis
        LLM_PROVIDER="offline",
        CHAT_MAX_MESSAGE_CHARS=str(MESSAGE_LIMIT),
        OFFLINE_TEXT_CHARS_PER_SECOND=str(chars_per_second),
        OFFLINE_JSON_CHARS_PER_SECOND=str(chars_per_second),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # Plain HTTP on loopback: cookies marked Secure would not come back to it (chat.client's login).
        DJANGO_SESSION_COOKIE_SECURE="false",
        DJANGO_CSRF_COOKIE_SECURE="false",
    )
    return env


class Server:
    """`manage.py runserver` (daphne's) on a fixed port; can be stopped and started again on it."""

    def __init__(self, database: Path, log_dir: Path, *, chars_per_second: float) -> None:
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = server_env(database, chars_per_second=chars_per_second)
        self.log_path = log_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> None:
        assert self.process is None, "already running"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(PYTHON), "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--insecure"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Terminate the process: every socket it holds closes from the server side."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no server log)"

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the server's database directly (what is stored, not what a page shows)."""
        with sqlite3.connect(self.database, timeout=20) as connection:
            return connection.execute(sql, params).fetchall()


def manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def server_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with one trader, shared by the browser tests' servers."""
    assert MANIFEST.exists(), f"{MANIFEST} is missing: build the frontend first (make frontend)"
    database = tmp_path_factory.mktemp("browser") / "db.sqlite3"
    env = server_env(database, chars_per_second=0)
    manage("migrate", "--no-input", env=env)
    manage("createtrader", TRADER, "--password-env", "BROWSER_TEST_PASSWORD", env={**env, "BROWSER_TEST_PASSWORD": PASSWORD})
    return database


@pytest.fixture
def start_server(
    server_database: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Server]]:
    """Start a server replying at `chars_per_second` (0: no delay); stopped after the test, its log shown on failure."""
    servers: list[Server] = []

    def _start(*, chars_per_second: float = 0) -> Server:
        server = Server(server_database, tmp_path, chars_per_second=chars_per_second)
        servers.append(server)
        server.start()
        return server

    yield _start
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for server in servers:
        server.stop()
        if failed:
            print(f"--- server log ({server.url}) ---\n{server.log_tail()}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one module: sync Playwright runs an event loop that must be gone before async tests run."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing and CI is set: install it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class FrameLog:
    """Every WebSocket frame the page receives, by socket URL, parsed."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, dict[str, Any]]] = []
        self.sockets: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws: Any) -> None:
        url = ws.url
        self.sockets.append(url)

        def received(payload: str | bytes) -> None:
            try:
                self.frames.append((url, json.loads(payload)))
            except (TypeError, ValueError):
                self.frames.append((url, {"type": "<not json>", "raw": str(payload)}))

        ws.on("framereceived", received)

    def of_type(self, frame_type: str) -> list[dict[str, Any]]:
        return [frame for _, frame in self.frames if frame.get("type") == frame_type]


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh desktop-sized page (own cookies) with a WebSocket frame log at `page.frame_log`."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.frame_log = FrameLog()
    page.frame_log.attach(page)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(f"pageerror: {error}"))
    yield page
    if getattr(request.node, "report_call", None) is not None and request.node.report_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failure.png"), full_page=True)
        except Exception as error:  # noqa: BLE001 - best effort only
            print(f"(no failure screenshot: {error})")
        print(f"--- console errors ---\n{page.console_errors}")
    context.close()
