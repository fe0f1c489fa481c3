"""Run Backtest in Chromium against a real server: the offline strategist's strategy is backtested on the
bundled demo set, and the results panel draws the equity chart, the metrics and the trades, each figure
saying where it came from — under the page's Content-Security-Policy, and again after a reload.

Needs issue 15's server side: run_backtest on the socket, an offline strategy it can execute, the run
listing per version, and the latest run in `conversation_state`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PASSWORD, Server, manage
from tests.browser.test_builder import CONSERVATIVE, wait_until
from tests.browser.test_content_security_policy import VIOLATION_RECORDER, violations

SYNTHETIC = "Synthetic demo data — not market history"
# A trader of its own: the database is shared, and other tests count the first trader's conversations.
BACKTESTER = "bea"


def signed_pct(value: float) -> str:
    """The panel's format of a signed percentage (backtest/metrics.ts formatSignedPct)."""
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{abs(value):,.2f}%"


def drawn_canvases(page: Any, test_id: str) -> int:
    """How many of a chart's canvases have something painted on them (not one transparent pixel only)."""
    return page.evaluate(
        """(testId) => [...document.querySelectorAll(`[data-testid=${testId}] canvas`)].filter((canvas) => {
             if (canvas.width < 50 || canvas.height < 50) return false;
             const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
             for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
             return false;
           }).length""",
        test_id,
    )


def test_a_backtest_runs_from_the_builder_and_its_results_say_where_they_came_from(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server()
    manage("load_demo_prices", env=server.env)  # as `make run` does; changes nothing when it is in place
    password_env = {**server.env, "BACKTESTER_PASSWORD": PASSWORD}
    manage("createtrader", BACKTESTER, "--password-env", "BACKTESTER_PASSWORD", env=password_env)
    page.add_init_script(VIOLATION_RECORDER)
    page.goto(f"{server.url}/accounts/login/")
    page.locator("#id_username").fill(BACKTESTER)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=15_000)
    page.get_by_test_id("chat-input").fill(CONSERVATIVE)
    page.get_by_test_id("send-button").click()
    reply = page.locator("[data-testid=chat-message][data-role=assistant]").last
    expect(reply).to_have_attribute("data-status", "complete", timeout=30_000)

    # The strategist's numbers are proposals: labelled so, and not drawn in the result green.
    target = page.get_by_test_id("metric-monthly-return")
    expect(target).to_have_text("3%")
    assert target.evaluate("(dd) => getComputedStyle(dd).color") != "rgb(34, 197, 94)"
    expect(page.locator(".metrics [data-testid=provenance][data-kind=proposed]")).to_have_count(2)
    expect(page.locator(".guardrails [data-testid=provenance][data-kind=checked]")).to_have_count(1)

    page.get_by_test_id("backtest-button").click()
    expect(page.get_by_test_id("backtest-fee")).to_have_value("0.1")
    page.get_by_test_id("backtest-run").click()
    answer = page.locator("[data-testid=backtest-report], [data-testid=backtest-error]").first
    expect(answer).to_be_visible(timeout=60_000)
    refusal = page.get_by_test_id("backtest-error")
    assert refusal.count() == 0, f"the backtest was refused: {refusal.inner_text()}"

    log = page.frame_log
    started = wait_until(page, lambda: log.of_type("backtest_started"), timeout=5, what="backtest_started")[0]
    result = wait_until(page, lambda: log.of_type("backtest_result"), timeout=5, what="backtest_result")[0]
    assert result["backtest_id"] == started["backtest_id"]
    data, metrics = result["data"], result["metrics"]

    expect(page.get_by_test_id("backtest-source")).to_contain_text(
        f"Measured by backtest #{result['number']} on {data['symbol']} {data['timeframe']}"
    )
    if data["synthetic"]:
        expect(page.get_by_test_id("backtest-synthetic")).to_contain_text(SYNTHETIC)
    metric = page.get_by_test_id("backtest-metrics")
    expect(metric.locator("[data-key=total_return_pct] dd")).to_have_text(signed_pct(metrics["total_return_pct"]))
    expect(metric.locator("[data-key=buy_and_hold_return_pct] dd")).to_have_text(
        signed_pct(metrics["buy_and_hold_return_pct"])
    )
    expect(metric.locator("[data-key=trades] dd")).to_have_text(str(metrics["trades"]))
    expect(page.get_by_test_id("trade-row")).to_have_count(len(result["trades"]))

    expect(page.locator("[data-testid=equity-chart] canvas").first).to_be_visible(timeout=15_000)
    wait_until(page, lambda: drawn_canvases(page, "equity-chart") > 0, timeout=15, what="the equity chart drawn")
    wait_until(page, lambda: drawn_canvases(page, "price-chart") > 0, timeout=15, what="the price chart drawn")
    expect(page.get_by_test_id("run-history-item")).not_to_have_count(0, timeout=15_000)

    # The monthly target is now held to what the run measured, and says so; the server's chat note about
    # the run does not make the header claim a model answered.
    target_row = page.locator(".guardrails [data-key=monthly_target]")
    expect(target_row).to_contain_text(result["target_check"]["label"])
    expect(target_row.locator("[data-testid=provenance][data-kind=measured]")).to_have_count(1)
    expect(page.get_by_test_id("provider-badge")).to_have_text("Offline strategist")

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 1500})  # the strategy panel scrolls: show the whole result
    page.get_by_test_id("backtest-source").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "backtest-results.png"))
    page.get_by_test_id("trade-list").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "backtest-trades.png"))
    assert violations(page) == []
    assert not [error for error in page.console_errors if "Content Security Policy" in error]

    # The run is stored: a reload shows it again from the conversation's state.
    page.reload()
    shown = page.get_by_test_id("backtest-report")
    expect(shown).to_have_attribute("data-number", str(result["number"]), timeout=15_000)
    assert violations(page) == []
