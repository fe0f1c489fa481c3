"""A conversation longer than one WebSocket frame may carry, against a real daphne server and in Chromium.

daphne refuses to send a message over 1 MiB and closes the socket with 1011: such a conversation opens
with its newest messages, and the older ones come a page at a time from the messages endpoint.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.browser.conftest import ARTIFACTS, PYTHON, ROOT, Server

MEBIBYTE = 1024 * 1024
CONSERVATIVE = "I have $5000 and want a conservative strategy with 3% monthly returns"


def seed(server: Server, *, trader: str, messages: int, repeat: int) -> dict[str, Any]:
    """Store a long conversation in the server's database with the ORM (tests/browser/long_conversation.py)."""
    result = subprocess.run(
        [str(PYTHON), "-m", "tests.browser.long_conversation", "--trader", trader, "--messages", str(messages),
         "--repeat", str(repeat)],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def get_json(url: str, cookie: str) -> tuple[int, dict[str, Any]]:
    """A GET with the trader's session: the body's size in bytes, and its JSON."""
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=30) as response:
        body = response.read()
    return len(body), json.loads(body)


def test_a_conversation_over_a_mebibyte_opens_and_pages_back_to_its_first_message(
    start_server: Callable[..., Server],
) -> None:
    server = start_server()
    seeded = seed(server, trader="long-history", messages=240, repeat=200)
    assert seeded["stored_bytes"] > MEBIBYTE
    conversation_id, stored_ids, cookie = seeded["conversation_id"], seeded["message_ids"], seeded["cookie"]
    url = f"ws://127.0.0.1:{server.port}/ws/chat/{conversation_id}/"

    # max_size=None: only the server may refuse a frame for its size.
    with connect(url, additional_headers={"Cookie": cookie, "Origin": server.url}, max_size=None) as socket:
        raw = socket.recv(timeout=30)
        assert len(raw.encode()) < MEBIBYTE
        state = json.loads(raw)
        assert state["type"] == "conversation_state"
        assert state["has_more"] is True and state["before"] == state["messages"][0]["id"]
        assert state["messages"][-1]["id"] == stored_ids[-1]
        assert state["messages"][-1]["content"].startswith(f"Message 240 of 240: 交易策略 🚀")

        pages = [state]
        while pages[-1]["has_more"]:
            before = pages[-1]["before"]
            size, page = get_json(f"{server.url}/api/conversations/{conversation_id}/messages/?before={before}", cookie)
            assert size < MEBIBYTE and page["messages"]
            pages.append(page)
        assert len(pages) >= 3
        assert [entry["id"] for page in reversed(pages) for entry in page["messages"]] == stored_ids
        assert pages[-1]["messages"][0]["content"].startswith("Message 1 of 240: ")

        # The socket that opened the conversation is still open: it carries a whole reply.
        socket.send(json.dumps({"type": "message", "content": CONSERVATIVE}))
        frames = [json.loads(socket.recv(timeout=30))]
        while frames[-1]["type"] != "message_complete":
            frames.append(json.loads(socket.recv(timeout=30)))
        assert frames[0]["type"] == "message_received" and frames[-1]["strategy_version"] == 1


def test_the_builder_loads_earlier_messages_of_a_long_conversation(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server()
    seeded = seed(server, trader="long-reader", messages=130, repeat=3)
    conversation_id, stored_ids = seeded["conversation_id"], seeded["message_ids"]
    name, value = seeded["cookie"].split("=", 1)
    page.context.add_cookies([{"name": name, "value": value, "url": server.url}])

    def message(message_id: str) -> Any:
        return page.locator(f"[data-testid=chat-message][data-id='{message_id}']")

    page.goto(f"{server.url}/builder/{conversation_id}/")
    expect(message(stored_ids[-1])).to_be_in_viewport(timeout=15_000)
    expect(message(stored_ids[-1])).to_contain_text("Message 130 of 130: 交易策略 🚀")
    expect(page.get_by_test_id("chat-message")).to_have_count(100)
    expect(message(stored_ids[0])).to_have_count(0)

    load_earlier = page.get_by_role("button", name="Load earlier messages")
    load_earlier.scroll_into_view_if_needed()
    oldest_shown = message(stored_ids[-100])
    expect(oldest_shown).to_be_in_viewport()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "builder-long-conversation.png"))
    load_earlier.click()

    expect(message(stored_ids[0])).to_contain_text("Message 1 of 130: ", timeout=15_000)
    expect(page.get_by_test_id("chat-message")).to_have_count(130)
    expect(load_earlier).to_have_count(0)  # nothing older is left
    expect(oldest_shown).to_be_in_viewport()  # the view stayed on what the trader was reading
    page.screenshot(path=str(ARTIFACTS / "builder-earlier-messages-loaded.png"))

    message(stored_ids[0]).scroll_into_view_if_needed()
    expect(message(stored_ids[0])).to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / "builder-first-message.png"))
    assert not [error for error in page.console_errors if error.startswith("pageerror")]
