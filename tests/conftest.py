"""Shared fixtures: traders with sessions, socket clients speaking to the real ASGI application."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import uvloop
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.cache import cache
from django.contrib.auth import get_user_model
from django.test import Client

from chat import backtests, replies
from chat.providers import get_provider


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Callable[[], Any]]:
    """Async tests run on uvloop, the loop the served product runs on (`python -m vibewater.serve`)."""
    return {"uvloop": uvloop.new_event_loop}


@pytest.fixture(autouse=True)
def fresh_layer_provider_and_cache() -> None:
    """Each test gets its own channel layer (its queues bind to one event loop), a fresh provider and an
    empty cache (rate-limit counters are keyed by user id, and ids repeat across tests)."""
    channel_layers.backends.clear()
    get_provider.cache_clear()
    cache.clear()


def session_cookie_for(username: str) -> str:
    """Create a trader (if needed) and return a logged-in session id."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


PASSWORD = "c0rrect-Horse-battery"


@pytest.fixture
def alice(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="alice", password=PASSWORD)


@pytest.fixture
def bob(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="bob", password=PASSWORD)


@pytest.fixture
def alice_client(client: Client, alice: Any) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def alice_session(transactional_db: None) -> str:
    return session_cookie_for("alice")


@pytest.fixture
def bob_session(transactional_db: None) -> str:
    return session_cookie_for("bob")


def communicator(
    path: str = "/ws/chat/", *, session: str | None = None, origin: str = "http://localhost"
) -> WebsocketCommunicator:
    """A socket to the full ASGI stack (origin check, session auth, routing)."""
    from vibewater.asgi import application

    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if session:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


class Socket:
    """A connected test socket with helpers to read frames."""

    def __init__(self, comm: WebsocketCommunicator) -> None:
        self.comm = comm

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.comm.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def receive_until(self, frame_type: str, timeout: float = 10) -> list[dict[str, Any]]:
        """Frames up to and including the first of `frame_type`."""
        frames = []
        while True:
            frame = await self.receive(timeout)
            frames.append(frame)
            if frame["type"] == frame_type:
                return frames

    async def close(self) -> None:
        await self.comm.disconnect()


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Any]]:
    """Open sockets as a given session; all are closed and all replies drained after the test."""
    opened: list[Socket] = []

    async def _connect(path: str = "/ws/chat/", *, session: str) -> Socket:
        comm = communicator(path, session=session)
        connected, _ = await comm.connect()
        assert connected, f"handshake refused for {path}"
        socket = Socket(comm)
        opened.append(socket)
        return socket

    yield _connect
    await drain_replies()
    for socket in opened:
        await socket.close()


async def drain_replies(timeout: float = 10) -> None:
    """Wait for every reply and backtest task of this process to finish."""
    await replies.drain(timeout=timeout)
    await backtests.drain(timeout=timeout)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the run's SQLite -wal/-shm files: Django deletes the test database but not these."""
    name = os.environ.get("VIBEWATER_TEST_DB")
    for suffix in ("-wal", "-shm"):
        if name and os.path.exists(name + suffix) and not os.path.exists(name):
            os.remove(name + suffix)
