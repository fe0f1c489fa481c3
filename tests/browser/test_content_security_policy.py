"""The pages work in Chromium under their Content-Security-Policy: nothing is blocked from the login form
through a streamed reply to the rendered flowchart (the chat's socket included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, TRADER, Server

# Every violation the page reports, from the first paint of every page load.
VIOLATION_RECORDER = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'}`);
});
"""


def violations(page: Any) -> list[str]:
    return page.evaluate("window.__violations")


def test_the_login_page_and_the_builder_run_a_reply_without_a_policy_violation(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server()
    page.add_init_script(VIOLATION_RECORDER)

    response = page.goto(f"{server.url}/accounts/login/")
    assert "content-security-policy" in response.headers
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 18, 32)", "the login page's stylesheet did not apply"
    assert violations(page) == []

    page.locator("#id_username").fill(TRADER)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.url}/builder/")
    expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=15_000)
    page.get_by_test_id("chat-input").fill("I have $5000 and want a conservative strategy with 3% monthly returns")
    page.get_by_test_id("send-button").click()
    reply = page.locator("[data-testid=chat-message][data-role=assistant]").last
    expect(reply).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(page.locator("[data-testid=flowchart] .react-flow__node").nth(4)).to_be_visible(timeout=15_000)

    assert violations(page) == []
    assert not [error for error in page.console_errors if "Content Security Policy" in error]
