"""Versions in Chromium: what changed between two, comparing them, restoring one after a confirmation
(labelled "restored from vN"), and the operator's admin page of the same strategy (an SVG flowchart per
version, the diff), all without a Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PASSWORD, Server, manage
from tests.browser.test_content_security_policy import VIOLATION_RECORDER, violations
from tests.browser.test_builder import CONSERVATIVE, conversation_id_of, log_in

OPERATOR = "operator"


def send(page: Any, text: str, replies: int) -> None:
    """Send a message and wait for the reply numbered `replies` to complete."""
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("send-button").click()
    done = page.locator("[data-testid=chat-message][data-role=assistant][data-status=complete]")
    expect(done).to_have_count(replies, timeout=30_000)


def version(page: Any, number: int) -> Any:
    return page.locator(f"[data-testid=version-item][data-number='{number}']")


def test_compare_and_restore_versions_in_the_builder_then_browse_them_in_admin(
    page: Any, browser: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server()
    page.add_init_script(VIOLATION_RECORDER)
    log_in(page, server)
    expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=15_000)
    send(page, CONSERVATIVE, 1)
    send(page, "Make the stop loss 2%", 2)
    expect(version(page, 2)).to_have_attribute("data-current", "true", timeout=10_000)

    # What changed in v2, inline.
    version(page, 2).get_by_test_id("what-changed").click()
    expect(version(page, 2).get_by_test_id("version-changes")).to_contain_text("Stop loss 3% → 2%")

    # Compare v1 and v2 in a dialog.
    version(page, 1).get_by_test_id("compare-checkbox").check()
    version(page, 2).get_by_test_id("compare-checkbox").check()
    page.get_by_test_id("compare-button").click()
    compared = page.get_by_test_id("version-diff")
    expect(compared).to_be_visible()
    expect(compared).to_contain_text("Changes from v1 to v2")
    expect(compared.get_by_test_id("diff-lines")).to_contain_text("Stop loss 3% → 2%")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "versions-compare.png"))
    page.keyboard.press("Escape")
    expect(compared).to_have_count(0)

    # Restore asks first; cancelling changes nothing, confirming makes v3 "restored from v1".
    version(page, 1).get_by_test_id("restore-button").click()
    dialog = page.get_by_test_id("restore-dialog")
    expect(dialog).to_contain_text("Restore v1?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("version-item")).to_have_count(2)
    version(page, 1).get_by_test_id("restore-button").click()
    page.get_by_test_id("confirm-restore").click()
    expect(version(page, 3)).to_have_attribute("data-current", "true", timeout=10_000)
    expect(version(page, 3).get_by_test_id("version-origin")).to_have_text("restored from v1")
    expect(page.get_by_test_id("strategy-version")).to_contain_text("3")
    page.screenshot(path=str(ARTIFACTS / "versions-restored.png"))
    assert violations(page) == []

    # The operator's admin page of this strategy: an SVG flowchart per version, and the diffs.
    manage("createtrader", OPERATOR, "--superuser", "--password-env", "OPERATOR_PASSWORD",
           env={**server.env, "OPERATOR_PASSWORD": PASSWORD})
    # The session's database holds the other browser tests' strategies too: this conversation's one.
    conversation = conversation_id_of(page).replace("-", "")
    [(strategy_id,)] = server.query("SELECT id FROM strategies_strategy WHERE conversation_id = ?", (conversation,))
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    admin = context.new_page()
    admin.add_init_script(VIOLATION_RECORDER)
    errors: list[str] = []
    admin.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        admin.goto(f"{server.url}/admin/login/?next=/admin/strategies/strategy/{strategy_id}/change/")
        admin.locator("#id_username").fill(OPERATOR)
        admin.locator("#id_password").fill(PASSWORD)
        admin.get_by_role("button", name="Log in").click()
        previews = admin.locator("svg[aria-label^='Flowchart of v']")
        expect(previews).to_have_count(3)
        expect(previews.first).to_be_visible()
        assert previews.first.bounding_box()["height"] > 300
        expect(admin.locator("body")).to_contain_text("Stop loss 3% → 2%")
        expect(admin.locator("body")).to_contain_text("Stop loss 2% → 3%")
        admin.screenshot(path=str(ARTIFACTS / "admin-strategy.png"), full_page=True)
        assert violations(admin) == []
        assert not [error for error in errors if "Content Security Policy" in error]
    finally:
        context.close()
