"""The builder in Chromium against a real server: a reply streams in, the strategy renders, and the
conversation survives a server restart, a reload, and a reload in the middle of a reply."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PASSWORD, TRADER, Server

CONSERVATIVE = "I have $5000 and want a conservative strategy with 3% monthly returns"
# Asking for an explanation makes the chat part of the reply long enough to reload in the middle of it.
EXPLAINED = "I have $2500 and want a medium-risk DeFi strategy with 4% monthly returns — explain how it works and why"

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
BUILDER_URL = re.compile(r"/builder/([0-9a-f-]{36})/$")

# Records, from the first paint of every page load, each new text of each assistant reply with its
# status, so a test can tell that a reply grew chunk by chunk (and never repeated or lost a piece).
STREAM_RECORDER = """
(() => {
  window.__stream = [];
  window.__typingSeen = false;
  const last = new Map();
  const record = () => {
    if (document.querySelector('[data-testid=typing-indicator]')) window.__typingSeen = true;
    for (const li of document.querySelectorAll('[data-testid=chat-message][data-role=assistant]')) {
      const body = li.querySelector('.message__body:not(.muted)');
      const entry = { id: li.dataset.id, status: li.dataset.status, text: body ? body.textContent : '' };
      const key = entry.status + '\\u0000' + entry.text;
      if (last.get(entry.id) !== key) {
        last.set(entry.id, key);
        window.__stream.push(entry);
      }
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
})();
"""

TRANSCRIPT = """
() => [...document.querySelectorAll('[data-testid=chat-message]')].map((li) => ({
  role: li.dataset.role,
  status: li.dataset.status,
  text: (li.querySelector('.message__body:not(.muted)') || { textContent: '' }).textContent,
}))
"""


def wait_until(page: Any, condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll a Python-side condition (e.g. on recorded socket frames) while Playwright dispatches events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        page.wait_for_timeout(50)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def log_in(page: Any, server: Server) -> None:
    """Through the login form, as a trader would: /builder/ sends an anonymous visitor to it."""
    page.goto(f"{server.url}/builder/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/builder/$"))
    page.locator("#id_username").fill(TRADER)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.url}/builder/")


def status_of(page: Any) -> Any:
    return page.get_by_test_id("connection-status")


def transcript(page: Any) -> list[dict[str, str]]:
    return page.evaluate(TRANSCRIPT)


def expect_transcript(page: Any, expected: list[dict[str, str]], timeout: float = 15) -> None:
    try:
        page.wait_for_function(
            f"(expected) => JSON.stringify(({TRANSCRIPT})()) === JSON.stringify(expected)",
            arg=expected,
            timeout=timeout * 1000,
        )
    except Exception as error:
        raise AssertionError(f"transcript is {transcript(page)!r}, expected {expected!r}") from error


def conversation_id_of(page: Any) -> str:
    match = BUILDER_URL.search(page.url)
    assert match, f"the URL {page.url} does not name the conversation"
    return match.group(1)


def state_frames(page: Any, conversation_id: str) -> list[dict[str, Any]]:
    return [
        frame
        for url, frame in page.frame_log.frames
        if url.endswith(f"/ws/chat/{conversation_id}/") and frame.get("type") == "conversation_state"
    ]


def assert_streamed(records: list[dict[str, str]], message_id: str, final: str, *, min_steps: int) -> list[str]:
    """The reply's recorded texts grew step by step, each a prefix of the final text; returns them."""
    texts = [r["text"] for r in records if r["id"] == message_id and r["status"] == "streaming" and r["text"]]
    assert len(texts) >= min_steps, f"the reply did not visibly stream: {texts!r}"
    for before, after in zip(texts, texts[1:]):
        assert len(after) > len(before), f"the reply shrank or stalled: {before!r} -> {after!r}"
    for text in texts:
        assert final.startswith(text), f"a streamed text is not a prefix of the final reply:\n{text!r}\n{final!r}"
    return texts


def expect_conservative_strategy(page: Any) -> None:
    """The strategy the offline strategist builds for CONSERVATIVE, as the builder shows it."""
    nodes = page.locator("[data-testid=flowchart] .react-flow__node")
    expect(nodes.nth(4)).to_be_visible(timeout=15_000)  # at least 5 nodes
    stop_loss = page.locator("[data-testid=flowchart] .react-flow__node .flow-node--stop")
    expect(stop_loss).to_have_count(1)
    expect(stop_loss).to_contain_text("3%")
    expect(page.get_by_test_id("degen-class")).to_have_attribute("data-selected", "Low")
    expect(page.get_by_test_id("metric-capital")).to_have_text("$5,000")
    expect(page.get_by_test_id("metric-monthly-return")).to_have_text("3%")
    badge = page.get_by_test_id("provider-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("Offline")


def test_reply_streams_into_the_builder_and_survives_a_restart_and_a_reload(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server(chars_per_second=600)
    page.add_init_script(STREAM_RECORDER)
    log_in(page, server)
    status = status_of(page)
    expect(status).to_have_text("connected", timeout=15_000)

    # The trader asks; the reply streams into the chat.
    page.get_by_test_id("chat-input").fill(CONSERVATIVE)
    page.get_by_test_id("send-button").click()
    expect(page.get_by_test_id("typing-indicator")).to_be_visible(timeout=10_000)
    reply = page.locator("[data-testid=chat-message][data-role=assistant]").last
    expect(reply).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(page.get_by_test_id("typing-indicator")).to_have_count(0)
    expect(page).to_have_url(BUILDER_URL)
    conversation_id = conversation_id_of(page)

    messages = transcript(page)
    assert [(m["role"], m["status"]) for m in messages] == [("user", "complete"), ("assistant", "complete")]
    assert messages[0]["text"] == CONSERVATIVE
    final = messages[1]["text"]
    assert final.startswith("I've built a Low-risk") and "$5,000" in final, final
    assert "<" not in final and "{" not in final, f"a tag or the backend JSON leaked into the chat: {final!r}"
    assert page.evaluate("window.__typingSeen")
    assert_streamed(page.evaluate("window.__stream"), reply.get_attribute("data-id"), final, min_steps=3)
    complete = page.frame_log.of_type("message_complete")
    assert [frame["user_message"] for frame in complete] == [final]

    # The builder shows the strategy.
    expect_conservative_strategy(page)
    expect(page.get_by_test_id("strategy-version")).to_contain_text("1")

    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(ARTIFACTS / "builder-after-reply.png"))
    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("chat-input")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "builder-phone.png"))
    page.screenshot(path=str(ARTIFACTS / "builder-phone-full.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    # The server goes away (every socket closes from its side) and comes back on the same port.
    sockets_before = len(page.frame_log.sockets)
    server.stop()
    expect(status).to_have_text("reconnecting", timeout=10_000)
    page.wait_for_timeout(1_000)  # unavoidable: the server stays down a moment, as in a real restart
    server.start()
    expect(status).to_have_text("connected", timeout=20_000)
    assert len(page.frame_log.sockets) > sockets_before
    assert page.frame_log.sockets[-1].endswith(f"/ws/chat/{conversation_id}/")
    state = wait_until(
        page, lambda: state_frames(page, conversation_id), timeout=10, what="the conversation_state after reconnecting"
    )[-1]
    assert [(m["role"], m["content"], m["status"]) for m in state["messages"]] == [
        ("user", CONSERVATIVE, "complete"),
        ("assistant", final, "complete"),
    ]
    assert state["in_progress"] is None
    assert state["strategy_version"] == 1
    expect_transcript(page, messages)
    expect_conservative_strategy(page)
    expect(page.get_by_test_id("chat-input")).to_be_enabled()

    # A reload opens the same conversation from its URL.
    page.reload()
    expect(page).to_have_url(f"{server.url}/builder/{conversation_id}/")
    expect(status).to_have_text("connected", timeout=15_000)
    expect_transcript(page, messages)
    expect_conservative_strategy(page)
    # The sidebar lists it.
    expect(page.get_by_test_id("conversation-item")).to_have_count(1)

    uncaught = [error for error in page.console_errors if error.startswith("pageerror")]
    assert not uncaught, uncaught


def test_reload_in_the_middle_of_a_reply_resumes_it_without_repeating_a_word(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server(chars_per_second=200)
    page.add_init_script(STREAM_RECORDER)
    log_in(page, server)
    expect(status_of(page)).to_have_text("connected", timeout=15_000)

    page.get_by_test_id("chat-input").fill(EXPLAINED)
    page.get_by_test_id("send-button").click()
    reply = page.locator("[data-testid=chat-message][data-role=assistant]").last
    expect(reply).to_have_attribute("data-status", "streaming", timeout=10_000)
    # A few chunks in, well before the chat text is done: reload.
    page.wait_for_function(
        """() => {
          const body = [...document.querySelectorAll('[data-testid=chat-message][data-role=assistant] .message__body:not(.muted)')].pop();
          return body && body.textContent.length >= 24;
        }""",
        timeout=10_000,
    )
    message_id = reply.get_attribute("data-id")
    before_reload = reply.locator(".message__body").text_content()
    conversation_id = conversation_id_of(page)

    page.reload()
    expect(page).to_have_url(f"{server.url}/builder/{conversation_id}/")
    expect(status_of(page)).to_have_text("connected", timeout=15_000)
    state = wait_until(
        page, lambda: state_frames(page, conversation_id), timeout=10, what="the conversation_state after the reload"
    )[0]
    in_progress = state["in_progress"]
    assert in_progress is not None and in_progress["message_id"] == message_id, state
    assert in_progress["text"].startswith(before_reload)

    reply = page.locator(f"[data-testid=chat-message][data-id='{message_id}']")
    expect(reply).to_have_attribute("data-status", "complete", timeout=45_000)
    final = reply.locator(".message__body").text_content()

    # The page ends with exactly the stored reply, which is what message_complete said.
    complete = [f for f in page.frame_log.of_type("message_complete") if f["message_id"] == message_id]
    assert len(complete) == 1 and complete[0]["user_message"] == final
    stored = server.query(
        "SELECT content, status FROM chat_message WHERE id = ?", (uuid.UUID(message_id).hex,)
    )
    assert stored == [(final, "complete")]
    assert final.startswith("I've built a Medium-risk DeFi strategy") and final.count("I've built") == 1, final

    # After the reload the reply grew from the server's text chunk by chunk, never repeating a piece.
    texts = assert_streamed(page.evaluate("window.__stream"), message_id, final, min_steps=2)
    assert texts[0].startswith(in_progress["text"])
    assert len(in_progress["text"]) < len(final), (
        "the reload landed after the chat text was complete, so nothing was resumed mid-text; "
        f"in_progress text {len(in_progress['text'])} chars, final {len(final)}"
    )

    # A fresh load shows the very same transcript.
    shown = transcript(page)
    page.reload()
    expect(status_of(page)).to_have_text("connected", timeout=15_000)
    expect_transcript(page, shown)
    assert shown[-1] == {"role": "assistant", "status": "complete", "text": final}
    expect(page.get_by_test_id("degen-class")).to_have_attribute("data-selected", "Medium")
    expect(page.get_by_test_id("metric-capital")).to_have_text("$2,500")
