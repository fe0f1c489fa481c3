"""The builder's editor in Chromium against a real server: a trader changes a stop loss and the degen
class, saves, and sees the new version in the sidebar and in a second tab, whose own overtaken edit the
server refuses before it may be saved over; a value out of bounds is caught beside its field before
anything is sent; Explain and Run Backtest wait while an edit is open; Delete removes a step and Discard
brings it back.

The save goes through the server's `edit_strategy` (chat/edits.py), as any trader's does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, FrameLog, Server
from tests.browser.test_builder import CONSERVATIVE, conversation_id_of, log_in

NODE = "[data-testid=flowchart] .react-flow__node"


def sent_frames(page: Any) -> list[dict[str, Any]]:
    """Record every frame the page sends on its sockets (attach before the page opens one)."""
    sent: list[dict[str, Any]] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(json.loads(payload))))
    return sent


def ask_for_a_strategy(page: Any) -> None:
    page.get_by_test_id("chat-input").fill(CONSERVATIVE)
    page.get_by_test_id("send-button").click()
    reply = page.locator("[data-testid=chat-message][data-role=assistant]").last
    expect(reply).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(page.get_by_test_id("strategy-version")).to_have_text("v1")


def current_version_item(page: Any) -> Any:
    return page.locator("[data-testid=version-item][data-current=true]")


def test_an_edit_in_the_builder_becomes_the_next_version_in_every_tab(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server()
    sent = sent_frames(page)
    log_in(page, server)
    ask_for_a_strategy(page)
    conversation_id = conversation_id_of(page)

    other = page.context.new_page()
    other_sent = sent_frames(other)
    other_log = FrameLog()
    other_log.attach(other)
    other.goto(page.url)
    expect(other.get_by_test_id("strategy-version")).to_have_text("v1", timeout=15_000)

    # Select the stop loss (a click) and change it; choose another degen class.
    page.locator(f"{NODE} .flow-node--stop").click()
    step = page.get_by_test_id("node-editor-step")
    expect(step).to_have_attribute("data-node-type", "stop_loss")
    page.get_by_test_id("stop-pct").fill("150")
    expect(step.get_by_test_id("field-problem")).to_have_text("Must be more than 0 and less than 100.")
    expect(page.get_by_test_id("save-edit")).to_be_disabled()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor-out-of-bounds.png"))

    page.get_by_test_id("stop-pct").fill("4.5")
    expect(step.get_by_test_id("field-problem")).to_have_count(0)
    page.locator("[data-testid=degen-option][data-value=Medium]").click()
    expect(page.get_by_test_id("degen-class")).to_have_attribute("data-selected", "Medium")
    expect(page.locator(f"{NODE} .flow-node--stop")).to_contain_text("4.5%")  # the draft is drawn at once
    expect(page.get_by_test_id("edit-bar")).to_contain_text("Unsaved edit of v1")
    assert not [frame for frame in sent if frame["type"] == "edit_strategy"], "an edit went out before Save"
    # The server would explain or backtest the saved v1, not the draft drawn: both wait, saying why.
    expect(page.get_by_test_id("backtest-button")).to_be_disabled()
    expect(page.get_by_test_id("explain-button")).to_be_disabled()
    expect(page.get_by_test_id("actions-reason")).to_have_text("Save or discard your edit first.")
    expect(page.get_by_test_id("guardrails-caption")).to_have_text("Checks of v1 — saved edits are checked again")
    page.screenshot(path=str(ARTIFACTS / "editor-draft.png"))

    # Meanwhile, the second tab starts an edit of its own from v1.
    other.locator(f"{NODE} .flow-node--profit").click()
    other.get_by_test_id("target-pct").fill("6")
    expect(other.get_by_test_id("edit-bar")).to_contain_text("Unsaved edit of v1")

    page.get_by_test_id("save-edit").click()

    # The new version, in the panel and the sidebar.
    expect(page.get_by_test_id("strategy-version")).to_have_text("v2", timeout=15_000)
    expect(page.get_by_test_id("strategy-version-origin")).to_have_text("edited")
    expect(page.get_by_test_id("edit-notice")).to_have_text("Saved as v2.")
    expect(page.locator(f"{NODE} .flow-node--stop")).to_contain_text("4.5%")
    expect(current_version_item(page)).to_have_attribute("data-number", "2", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "editor-saved.png"))

    # The second tab sees v2 arrive and keeps its own edit, saying it was overtaken.
    expect(other.get_by_test_id("strategy-version")).to_have_text("v2", timeout=15_000)
    expect(current_version_item(other)).to_have_attribute("data-number", "2", timeout=15_000)
    expect(other.get_by_test_id("edit-notice")).to_have_text(
        "Someone (another tab or the strategist) changed the strategy — your edit was not saved; review v2."
    )
    expect(other.locator(f"{NODE} .flow-node--profit")).to_contain_text("6%")
    # Saved as the edit of v1 it is, the server refuses it; only then may the trader save over v2.
    expect(other.get_by_test_id("save-edit")).to_have_text("Save my edit of v1")
    other.get_by_test_id("save-edit").click()
    expect(other.get_by_test_id("save-edit")).to_have_text("Save over v2 as v3", timeout=15_000)
    assert [frame["base_version"] for frame in other_sent if frame["type"] == "edit_strategy"] == [1]
    assert [frame["code"] for frame in other_log.of_type("error")] == ["version_conflict"]
    expect(other.get_by_test_id("strategy-version")).to_have_text("v2")
    other.screenshot(path=str(ARTIFACTS / "editor-second-tab-overtaken.png"))
    other.get_by_test_id("review-current").click()
    expect(other.locator(f"{NODE} .flow-node--stop")).to_contain_text("4.5%")
    other.get_by_test_id("discard-edit").click()
    expect(other.get_by_test_id("edit-bar")).to_have_count(0)
    expect(other.locator(f"{NODE} .flow-node--stop")).to_contain_text("4.5%")
    expect(other.get_by_test_id("degen-class")).to_have_attribute("data-selected", "Medium")
    expect(other.get_by_test_id("strategy-version-origin")).to_have_text("edited")
    other.screenshot(path=str(ARTIFACTS / "editor-second-tab.png"))

    edits = [frame for frame in sent if frame["type"] == "edit_strategy"]
    assert len(edits) == 1 and edits[0]["base_version"] == 1
    stop = next(node for node in edits[0]["strategy_json"]["flowchart"]["nodes"] if node["type"] == "stop_loss")
    assert stop["meta"]["stop_pct"] == 4.5
    assert [frame["source"] for frame in other_log.of_type("strategy_updated")] == ["edit"]
    stored = server.query(
        "SELECT v.number, v.source FROM strategies_strategyversion v JOIN strategies_strategy s ON v.strategy_id = s.id"
        " WHERE s.conversation_id = ? ORDER BY v.number",
        (conversation_id.replace("-", ""),),
    )
    assert stored == [(1, "reply"), (2, "edit")], stored


def test_delete_removes_a_step_from_the_draft_and_discard_brings_it_back(
    page: Any, start_server: Callable[..., Server]
) -> None:
    # Paced so a reply streams for seconds (its ~2,900 characters at 300 a second).
    server = start_server(chars_per_second=300)
    log_in(page, server)
    ask_for_a_strategy(page)
    nodes = page.locator(NODE)
    count = nodes.count()

    # By keyboard: Tab to the take-profit step, Enter selects it, Delete removes it.
    profit = page.locator(f"{NODE}:has(.flow-node--profit)")
    profit.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("node-editor-step")).to_have_attribute("data-node-type", "take_profit")
    page.keyboard.press("Delete")
    expect(nodes).to_have_count(count - 1)
    expect(page.locator(f"{NODE} .flow-node--profit")).to_have_count(0)
    expect(page.get_by_test_id("edit-bar")).to_contain_text("Unsaved edit of v1")
    page.screenshot(path=str(ARTIFACTS / "editor-step-removed.png"))

    # Backspace in a field edits the field, not the flowchart.
    page.locator(f"{NODE}:has(.flow-node--stop)").click()
    stop = page.get_by_test_id("stop-pct")
    stop.press("End")
    stop.press("Backspace")
    expect(stop).to_have_value("")
    expect(nodes).to_have_count(count - 1)
    stop.fill("3")

    # The flowchart's screen-reader text says what the keys do, and nothing it does not do.
    description = page.locator("[id^=react-flow__node-desc]")
    expect(description).to_contain_text("Press delete to remove a take profit, stop loss, position size or exit step.")
    expect(description).not_to_contain_text("escape")

    # The start, category, entry and end steps cannot be removed.
    page.locator(f"{NODE}:has(.flow-node--entry)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("remove-step")).to_have_count(0)
    page.keyboard.press("Delete")
    expect(nodes).to_have_count(count - 1)

    page.get_by_test_id("discard-edit").click()
    expect(nodes).to_have_count(count)
    expect(page.get_by_test_id("edit-bar")).to_have_count(0)
    expect(page.get_by_test_id("strategy-version")).to_have_text("v1")

    # Changed and changed back is nothing to save.
    page.locator(f"{NODE}:has(.flow-node--stop)").click()
    page.get_by_test_id("stop-pct").fill("4")
    page.get_by_test_id("stop-pct").fill("3")
    expect(page.get_by_test_id("edit-bar")).to_contain_text("No change from v1")
    expect(page.get_by_test_id("save-edit")).to_be_disabled()
    page.get_by_test_id("discard-edit").click()

    # While a reply streams, nothing can be edited.
    page.get_by_test_id("chat-input").fill("Make it a medium-risk strategy")
    page.get_by_test_id("send-button").click()
    streaming = page.locator("[data-testid=chat-message][data-role=assistant][data-status=streaming]")
    expect(streaming).to_have_count(1, timeout=10_000)
    expect(page.get_by_test_id("degen-class")).to_have_attribute("aria-disabled", "true")
    expect(page.get_by_test_id("stop-pct")).to_be_disabled()
    expect(page.get_by_test_id("node-editor")).to_contain_text("The strategist is replying")
    page.screenshot(path=str(ARTIFACTS / "editor-locked-while-replying.png"))
    expect(streaming).to_have_count(0, timeout=60_000)
    expect(page.get_by_test_id("degen-class")).to_have_attribute("aria-disabled", "false")
    expect(page.get_by_test_id("stop-pct")).to_be_enabled()
