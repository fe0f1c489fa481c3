"""Sockets on real daphne workers sharing PostgreSQL and Redis: a logout reaches every worker, the
per-trader socket cap counts every worker's sockets, and a client that stops reading is dropped (one
that reads is not, however large the frame it joins with).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import websockets

from tests.scale.conftest import (
    PASSWORD,
    ROOT,
    Client,
    Deployment,
    Worker,
    Workers,
    http_get,
    login,
    wait_for,
)

pytestmark = pytest.mark.asyncio

SESSION_ENDED_FRAME = {
    "type": "error",
    "code": "session_ended",
    "message": "You were signed out. Sign in again to continue.",
}
SOCKET_CAP = 3
SOCKET_LEASE_TTL = 6.0  # renewed every 2 s: a worker stalled up to ~4 s still counts its sockets
SEND_BUFFER_BYTES = 64 * 1024
# Far past what a stalled client can hold before it is dropped
# (~10 KiB in the kernel + 64 KiB + the budget + two frames).
NEVER_DROPPED_BYTES = 1024 * 1024


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Stop at a redirect, so the caller sees its status."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def logout(worker: Worker, cookie: str) -> int:
    """Log out through the logout view over HTTP like a browser; the response status."""
    csrf = dict(part.split("=", 1) for part in cookie.split("; "))["csrftoken"]
    request = urllib.request.Request(
        f"{worker.http}/accounts/logout/",
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode(),
        headers={"Cookie": cookie, "Referer": f"{worker.http}/builder/"},
    )
    try:
        with urllib.request.build_opener(NoRedirects).open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as answer:  # the redirect to the login page, among others
        return answer.code


async def closed_with(client: Client, timeout: float = 5) -> int:
    """The close code the server ends the socket with, reading past nothing else."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(client.socket.recv(), timeout)
    return closed.value.rcvd.code


async def test_logging_out_over_http_on_worker_a_closes_the_socket_open_on_worker_b(workers: Workers, cookie: str):
    leaving = login(workers.a)  # a session of its own: the suite's shared one stays signed in
    on_b = await Client.open(workers.b, leaving)
    staying_on_b = await Client.open(workers.b, cookie)

    assert await asyncio.to_thread(logout, workers.a, leaving) == 302

    assert await on_b.receive(timeout=5) == SESSION_ENDED_FRAME
    assert await closed_with(on_b) == 4401
    await staying_on_b.ask("I have $1000, please choose a high-return strategy")
    assert (await staying_on_b.receive_until("message_complete"))[-1]["status"] == "complete"
    await staying_on_b.close()


# --- workers with small limits, listening on a socket with a small send buffer ----------------------


@dataclass
class TightWorker(Worker):
    """A worker with a socket cap of 3, 2-second socket leases and a 64 KiB send budget.

    It listens on a socket made here with a 4 KiB kernel send buffer (daphne's `--fd`), which its
    connections inherit: a stalled client then fills daphne's own buffer within kilobytes, rather than
    the megabytes Linux gives a loopback connection.
    """

    extra_env: dict[str, str] = field(
        default_factory=lambda: {
            "CHAT_MAX_SOCKETS_PER_USER": str(SOCKET_CAP),
            "CHAT_SOCKET_LEASE_TTL": str(SOCKET_LEASE_TTL),
            "CHAT_SEND_BUFFER_BYTES": str(SEND_BUFFER_BYTES),
            "OFFLINE_TEXT_CHARS_PER_SECOND": "0",
            "OFFLINE_JSON_CHARS_PER_SECOND": "0",
        }
    )

    def start(self) -> None:
        with socket.socket() as listener, self.log.open("ab") as log:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            listener.bind(("127.0.0.1", 0))
            listener.listen(128)
            self.port = listener.getsockname()[1]
            self.process = subprocess.Popen(
                [sys.executable, "-m", "vibewater.serve", "--fd", str(listener.fileno()), "vibewater.asgi:application"],
                cwd=ROOT, env={**self.deployment.env(), **self.extra_env}, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
            )
        wait_for(lambda: self.process.poll() is not None or http_get(f"{self.http}/healthz")[0] == 200,
                 timeout=30, what=f"daphne {self.name} to answer /healthz")
        assert self.process.poll() is None, f"daphne {self.name} exited:\n{self.log.read_text()[-3000:]}"


@pytest.fixture(scope="module")
def tight_session_workers(deployment: Deployment) -> Iterator[Workers]:
    for name in ("carol", "dave", "erin", "frank"):
        deployment.manage("createtrader", name, "--password-env", "TRADER_PASSWORD", TRADER_PASSWORD=PASSWORD)
    workers = Workers(TightWorker("tight-a", deployment), TightWorker("tight-b", deployment))
    for worker in (workers.a, workers.b):
        worker.start()
    yield workers
    for worker in (workers.a, workers.b):
        worker.stop()


@pytest.fixture
def tight_workers(tight_session_workers: Workers) -> Workers:
    """Both tight workers up (a test before may have killed one)."""
    for worker in (tight_session_workers.a, tight_session_workers.b):
        if not worker.running:
            worker.start()
    return tight_session_workers


async def open_once_admitted(worker: Worker, cookie: str, *, timeout: float) -> Client:
    """A new socket, as soon as the worker stops refusing it; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await Client.open(worker, cookie)
        except websockets.InvalidStatus as refusal:
            assert refusal.response.status_code == 403
            assert time.monotonic() < deadline, f"still refused after {timeout} s"
            await asyncio.sleep(0.2)


async def refused(worker: Worker, cookie: str) -> bool:
    """Whether the worker refuses a new socket's handshake with HTTP 403."""
    try:
        client = await Client.open(worker, cookie)
    except websockets.InvalidStatus as refusal:
        assert refusal.response.status_code == 403
        return True
    await client.close()
    return False


async def test_the_socket_cap_counts_the_sockets_on_every_worker(tight_workers: Workers):
    cookie = login(tight_workers.a, "carol")
    on_a = [await Client.open(tight_workers.a, cookie) for _ in range(2)]
    on_b = await Client.open(tight_workers.b, cookie)

    assert await refused(tight_workers.a, cookie) and await refused(tight_workers.b, cookie)
    await on_b.close()
    again = await open_once_admitted(tight_workers.a, cookie, timeout=5)
    await again.ask("I have $1000, please choose a high-return strategy")
    assert (await again.receive_until("message_complete"))[-1]["status"] == "complete"
    for client in (*on_a, again):
        await client.close()


async def test_the_sockets_of_a_killed_worker_stop_counting_once_their_lease_runs_out(tight_workers: Workers):
    cookie = login(tight_workers.a, "erin")
    on_a = [await Client.open(tight_workers.a, cookie) for _ in range(SOCKET_CAP)]
    assert await refused(tight_workers.b, cookie)

    tight_workers.a.kill()

    on_b = await open_once_admitted(tight_workers.b, cookie, timeout=SOCKET_LEASE_TTL + 10)
    await on_b.close()
    for client in on_a:
        client.socket.transport.abort()


# --- a client that never reads --------------------------------------------------------------------


def stalled_client(worker: Worker, cookie: str, path: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads, with a 2 KiB receive buffer."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    client.connect(("127.0.0.1", worker.port))
    key = base64.b64encode(os.urandom(16)).decode()
    client.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{worker.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {worker.http}\r\nCookie: {cookie}\r\n\r\n"
        .encode()
    )
    response = b""
    while not response.endswith(b"\r\n\r\n"):
        response += client.recv(1)  # a byte at a time: nothing past the headers is read, ever
    assert response.startswith(b"HTTP/1.1 101"), response
    return client


def masked_text_frame(text: str) -> bytes:
    """One client text frame (clients must mask), payload under 64 KiB."""
    payload, mask = text.encode(), os.urandom(4)
    length = bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0xFE]) + struct.pack(">H", len(payload))
    return bytes([0x81]) + length + mask + bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def dropped(client: socket.socket) -> bool:
    """Whether the server has ended the connection, found without reading from it."""
    poller = select.poll()
    ended = select.POLLRDHUP | select.POLLHUP | select.POLLERR
    poller.register(client, ended)
    return any(events & ended for _, events in poller.poll(0))


async def frames_of_turn(reader: Client, content: str) -> list[str]:
    """The raw frames of the turn that starts with the message `content`, skipping any before it."""
    frames: list[str] = []
    while True:
        raw = await asyncio.wait_for(reader.socket.recv(), 15)
        frame = json.loads(raw)
        if frames or (frame["type"] == "message_received" and frame["content"] == content):
            frames.append(raw)
        if frames and frame["type"] == "message_complete":
            return frames


async def test_a_client_that_stops_reading_is_dropped_and_the_replies_it_was_sent_are_stored(
    tight_workers: Workers,
):
    worker = tight_workers.a
    cookie = login(worker, "dave")
    reader = await Client.open(worker, cookie)  # gets every frame the stalled client is sent
    await reader.ask("I have $1000, please choose a high-return strategy")
    conversation_id = (await reader.receive_until("message_complete"))[0]["conversation_id"]
    stalled = await asyncio.to_thread(stalled_client, worker, cookie, f"/ws/chat/{conversation_id}/")
    asked = ["Make it less risky"]
    stalled.sendall(masked_text_frame(json.dumps({"type": "message", "content": asked[0]})))

    frames = await frames_of_turn(reader, asked[0])
    sent_to_stalled = sum(len(frame.encode()) for frame in frames)
    while not dropped(stalled):
        assert sent_to_stalled < NEVER_DROPPED_BYTES, f"still connected after {sent_to_stalled} bytes it never read"
        asked.append(f"Take {len(asked)}: keep the stop loss tight. " + "Small positions, please. " * 100)
        await reader.ask(asked[-1])
        frames = await frames_of_turn(reader, asked[-1])
        assert json.loads(frames[-1])["status"] == "complete"
        sent_to_stalled += sum(len(frame.encode()) for frame in frames)

    assert "dropped the WebSocket" in worker.log.read_text()
    last_reply = json.loads(frames[-1])
    fresh = await Client.open(worker, cookie, conversation_id)
    stored = (await fresh.receive())["messages"]
    assert [message["content"] for message in stored if message["role"] == "user"][1:] == asked
    assert all(message["status"] == "complete" for message in stored)
    assert (stored[-1]["id"], stored[-1]["content"]) == (last_reply["message_id"], last_reply["user_message"])
    stalled.close()
    for client in (reader, fresh):
        await client.close()


async def test_a_client_joining_with_a_conversation_state_larger_than_the_send_budget_receives_it_whole(
    tight_workers: Workers,
):
    worker = tight_workers.a
    cookie = login(worker, "frank")
    writer = await Client.open(worker, cookie)
    long_request = "Keep each position small and the stop loss tight. " * 76  # 3,876 characters
    asked = [f"Take {take}: {long_request}" for take in range(SEND_BUFFER_BYTES // len(long_request) + 1)]
    for content in asked:
        await writer.ask(content)
        conversation_id = (await writer.receive_until("message_complete"))[0]["conversation_id"]

    fresh = await Client.open(worker, cookie, conversation_id)
    joining = await asyncio.wait_for(fresh.socket.recv(), 15)
    state = json.loads(joining)
    assert len(joining.encode()) > SEND_BUFFER_BYTES  # one frame past the budget, sent into an empty buffer
    assert state["type"] == "conversation_state" and not state["has_more"]
    assert [message["content"] for message in state["messages"] if message["role"] == "user"] == asked
    for client in (writer, fresh):
        await client.close()
