"""The builder on every screen in Chromium: nothing clipped from a phone to a wide desktop (with a strategy,
its versions and a backtest on the page), the current version in view, the phone's views one tap apart,
the message counter, and the page for a conversation that is not the trader's."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, MESSAGE_LIMIT, PASSWORD, Server, manage
from tests.browser.test_builder import CONSERVATIVE

# Traders of these tests' own: the database is shared, and other tests count the first trader's conversations.
LAYOUT_TRADER, PHONE_TRADER, LINK_TRADER, COUNTER_TRADER = "sam", "pia", "lin", "cy"
#: Width × height of the screens checked, the issue's four and a wide desktop.
SCREENS = {
    "desktop": (1366, 768),
    "wide": (1920, 1080),
    "tablet": (820, 1180),
    "phone": (390, 844),
    "small-phone": (360, 740),
}
#: Widths between those, where the layout changes (the phone's tabs end at 760, the three columns start at 1101).
WIDTHS_BETWEEN = (600, 761, 1024, 1101, 1280)
#: The screens whose layout is kept as a screenshot.
SHOWN = ("desktop", "tablet", "phone")
PHONE_WIDTH = 760
VIEWS = ("strategies", "chat", "builder")
#: Follow-ups that each change the strategy, so each makes a version.
FOLLOW_UPS = ["Make the stop loss 2%", "Make the take profit 9%", "Make the stop loss 2.5%", "Make the take profit 8%",
              "Make the stop loss 1.5%"]

# Each element drawn past the left or right edge of the box that clips it (the nearest ancestor whose overflow
# is not visible, else the viewport), and so cut off or behind a sideways scroll. The trade table's box is
# made to scroll sideways, and the flowchart's canvas pans, so what is in them is left out.
CLIPPED = """
() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.dataset.testid ? `[${el.dataset.testid}]` : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.react-flow__renderer, .react-flow__panel, .visually-hidden, .trade-list > *')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    let clip = null;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { clip = up; break; }
    }
    const edge = clip ? clip.getBoundingClientRect() : { left: 0, right: width };
    if (box.right > edge.right + 1 || box.left < edge.left - 1) {
      found.push(`${name(el)} spans ${Math.round(box.left)}–${Math.round(box.right)} of ${clip ? name(clip) : 'the viewport'} (${Math.round(edge.left)}–${Math.round(edge.right)})`);
    }
  }
  return found;
}
"""


def log_in_as(page: Any, server: Server, username: str) -> None:
    """Make the trader (the session's database is shared, so only once) and sign in through the form."""
    if not server.query("SELECT 1 FROM auth_user WHERE username = ?", (username,)):
        manage("createtrader", username, "--password-env", "TRADER_PASSWORD", env={**server.env, "TRADER_PASSWORD": PASSWORD})
    page.goto(f"{server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.url}/builder/")
    expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=15_000)


def send(page: Any, text: str, replies: int) -> None:
    """Send a message and wait for the reply numbered `replies` to complete."""
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("send-button").click()
    done = page.locator("[data-testid=chat-message][data-role=assistant][data-status=complete]")
    expect(done).to_have_count(replies, timeout=30_000)


def clipped(page: Any) -> list[str]:
    return page.evaluate(CLIPPED)


def clipped_once_settled(page: Any, *, within_seconds: float = 10) -> list[str]:
    """What is still clipped once the layout has settled: the charts resize a frame or more after the page
    does (ResizeObserver), so a first look can catch their tables a pixel or two past their box."""
    deadline = time.monotonic() + within_seconds
    while (found := clipped(page)) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    return found


def box_of(page: Any, selector: str) -> dict[str, float]:
    return page.locator(selector).first.evaluate(
        "(el) => { const b = el.getBoundingClientRect(); return { top: b.top, bottom: b.bottom, height: b.height }; }"
    )


def page_height(page: Any) -> float:
    return page.evaluate("document.scrollingElement.scrollHeight")


def show_view(page: Any, view: str) -> None:
    page.get_by_test_id(f"tab-{view}").click()
    expect(page.get_by_test_id(f"tab-{view}")).to_have_attribute("aria-current", "page")


def test_nothing_is_clipped_on_any_screen_and_the_current_version_stays_in_the_sidebars_view(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server()
    manage("load_demo_prices", env=server.env)
    log_in_as(page, server, LAYOUT_TRADER)
    send(page, CONSERVATIVE, 1)
    for number, text in enumerate(FOLLOW_UPS, start=2):
        send(page, text, number)
    current = page.locator("[data-testid=version-item][data-current=true]")
    expect(current).to_have_attribute("data-number", str(len(FOLLOW_UPS) + 1), timeout=10_000)
    page.get_by_test_id("backtest-button").click()
    page.get_by_test_id("backtest-run").click()
    expect(page.get_by_test_id("backtest-report")).to_be_visible(timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)

    screens = {**SCREENS, **{f"{width} px": (width, 900) for width in WIDTHS_BETWEEN}}
    for screen, (width, height) in screens.items():
        # Opened on this screen, as a trader would: the layout and the sidebar's scroll are this screen's own.
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=15_000)
        expect(page.get_by_test_id("backtest-report")).to_be_attached(timeout=15_000)
        expect(current).to_be_attached()
        views = VIEWS if width <= PHONE_WIDTH else ("all",)
        for view in views:
            if view != "all":
                show_view(page, view)
            found = clipped_once_settled(page)
            assert found == [], f"clipped at {width} × {height} ({view}): {found}"
            # A phone's strategies view opens at its top ("+ New strategy", the list), the versions below it.
            if view == "all":
                sidebar, item = box_of(page, ".sidebar"), box_of(page, "[data-testid=version-item][data-current=true]")
                assert sidebar["top"] <= item["top"] and item["bottom"] <= sidebar["bottom"] + 1, (
                    f"the current version ({item}) is out of the sidebar's view ({sidebar}) at {width} × {height}"
                )
            if screen in SHOWN:
                suffix = "" if view == "all" else f"-{view}"
                page.screenshot(path=str(ARTIFACTS / f"screens-{width}x{height}{suffix}.png"))


def test_a_phone_shows_strategies_chat_and_builder_one_tap_apart(page: Any, start_server: Callable[..., Server]) -> None:
    server = start_server()
    width, height = SCREENS["phone"]
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(page, server, PHONE_TRADER)

    # The chat is the first view; it fills the screen with the composer in reach, and the copy fits a phone.
    chat = page.get_by_label("Chat with the strategist")
    expect(chat).to_be_in_viewport()
    expect(page.get_by_test_id("chat-input")).to_be_in_viewport()
    empty = page.locator(".chat__empty").inner_text()
    assert "in the Builder tab" in empty and "on the right" not in empty, empty
    assert page_height(page) <= height + 1, "the page scrolls instead of showing one view"

    # A reply builds a strategy: the builder tab says so until it is opened.
    send(page, CONSERVATIVE, 1)
    builder_tab = page.get_by_test_id("tab-builder")
    expect(builder_tab).to_have_attribute("data-news", "true")
    expect(builder_tab).to_contain_text("strategy updated")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screens-phone-chat.png"))

    show_view(page, "builder")
    expect(builder_tab).not_to_have_attribute("data-news", "true")
    expect(page.get_by_test_id("flowchart")).to_be_in_viewport()
    expect(page.get_by_test_id("degen-class")).to_be_in_viewport()
    expect(chat).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "screens-phone-builder.png"))

    show_view(page, "strategies")
    expect(page.get_by_test_id("new-strategy")).to_be_in_viewport()
    expect(page.locator(".nav-list .nav-item.is-active")).to_be_in_viewport()
    expect(page.get_by_label("Strategy", exact=True)).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "screens-phone-strategies.png"))

    show_view(page, "chat")
    expect(page.get_by_test_id("chat-input")).to_be_in_viewport()
    for view in VIEWS:
        show_view(page, view)
        panel = box_of(page, {"strategies": ".sidebar", "chat": ".chat", "builder": ".strategy"}[view])
        assert panel["height"] >= height * 0.7, f"the {view} view does not fill the screen: {panel}"
        assert page_height(page) <= height + 1, f"the page scrolls in the {view} view"

    # A follow-up seen from the builder itself is no news.
    show_view(page, "builder")
    show_view(page, "chat")
    send(page, "Make the stop loss 2%", 2)
    expect(builder_tab).to_have_attribute("data-news", "true")


def test_a_link_to_a_conversation_that_is_not_yours_says_so_and_offers_your_strategies(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server()
    log_in_as(page, server, LINK_TRADER)
    send(page, CONSERVATIVE, 1)
    expect(page).to_have_url(re.compile(r"/builder/[0-9a-f-]{36}/$"))
    own = page.url
    sockets = len(page.frame_log.sockets)

    response = page.goto(f"{server.url}/builder/{uuid.uuid4()}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="This strategy is not available")).to_be_visible()
    expect(page.get_by_test_id("connection-status")).to_have_count(0)  # no builder waiting to reconnect
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screens-not-available.png"))
    assert len(page.frame_log.sockets) == sockets
    expect(page.get_by_test_id("new-strategy")).to_have_attribute("href", "/builder/")

    page.get_by_test_id("strategy-links").get_by_role("link").first.click()
    expect(page).to_have_url(own)
    expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=15_000)
    expect(page.get_by_test_id("strategy-version")).to_contain_text("1")


def test_the_composer_counts_near_the_limit_and_says_when_a_message_is_over(
    page: Any, start_server: Callable[..., Server]
) -> None:
    server = start_server()
    log_in_as(page, server, COUNTER_TRADER)
    box, counter, send_button = page.get_by_test_id("chat-input"), page.get_by_test_id("message-length"), page.get_by_test_id("send-button")

    box.fill("a" * (MESSAGE_LIMIT * 9 // 10 - 1))
    expect(counter).to_have_count(0)
    box.press("a")
    expect(counter).to_have_text(f"{MESSAGE_LIMIT * 9 // 10:,} / {MESSAGE_LIMIT:,}")
    expect(send_button).to_be_enabled()

    # A paste past the limit is kept whole, said to be over, and cannot be sent until it is cut.
    box.fill("a" * (MESSAGE_LIMIT + 250))
    assert len(box.input_value()) == MESSAGE_LIMIT + 250
    expect(counter).to_have_text(f"250 characters over the {MESSAGE_LIMIT:,} limit")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(send_button).to_be_disabled()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screens-message-over.png"))

    box.fill("a" * MESSAGE_LIMIT)
    expect(counter).to_have_text(f"{MESSAGE_LIMIT:,} / {MESSAGE_LIMIT:,}")
    expect(send_button).to_be_enabled()
