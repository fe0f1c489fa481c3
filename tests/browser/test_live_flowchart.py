"""The flowchart fills in while the strategist writes: in Chromium against a real server, the nodes of a
paced reply appear one by one without moving what is drawn, a socket joining mid-reply draws the nodes
so far, and the validated strategy then lays its exits out side by side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, Server
from tests.browser.test_builder import CONSERVATIVE, wait_until
from tests.browser.test_screens import log_in_as

# A trader of its own: the session's database is shared, and test_builder expects its trader's one conversation.
LIVE_TRADER = "liv"

NODES = "[data-testid=flowchart] .react-flow__node"
# Each drawn node's id and position in the flowchart's own coordinates (not the screen's, which the view
# changes as it follows the growing graph).
DRAWN = """
() => [...document.querySelectorAll('[data-testid=flowchart] .react-flow__node')].map((node) => {
  const [, x, y] = node.style.transform.match(/translate\\(([-\\d.]+)px, ?([-\\d.]+)px\\)/) || [];
  return { id: node.dataset.id, x: Number(x), y: Number(y) };
})
"""


def drawn(page: Any) -> dict[str, tuple[float, float]]:
    return {node["id"]: (node["x"], node["y"]) for node in page.evaluate(DRAWN)}


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(f"{NODES}:has({selector})")
    expect(found).to_have_count(1)
    return found.bounding_box()


def test_the_flowchart_is_drawn_node_by_node_while_the_reply_writes_it(
    page: Any, start_server: Callable[..., Server]
) -> None:
    # Slow enough that the strategy's JSON takes well over ten seconds to stream.
    server = start_server(chars_per_second=120)
    log_in_as(page, server, LIVE_TRADER)
    page.get_by_test_id("chat-input").fill(CONSERVATIVE)
    page.get_by_test_id("send-button").click()

    live = page.get_by_test_id("strategy-live")
    expect(live).to_be_visible(timeout=30_000)
    expect(live).to_have_text("Being written…")
    expect(page.get_by_test_id("flowchart")).to_have_attribute("data-live", "true")
    expect(page.locator(NODES).nth(1)).to_be_visible(timeout=30_000)
    early = drawn(page)

    # A second tab joins mid-reply: it draws the nodes so far from the conversation's state.
    joiner = page.context.new_page()
    joiner.goto(page.url)
    expect(joiner.get_by_test_id("strategy-live")).to_be_visible(timeout=15_000)
    expect(joiner.locator(NODES).nth(len(early) - 1)).to_be_visible(timeout=15_000)
    page.bring_to_front()  # a page in the background gets no animation frames

    wait_until(page, lambda: len(drawn(page)) > len(early), timeout=30, what="another node to arrive")
    page.wait_for_timeout(500)  # the new node's fade-in and the view following it
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-flowchart-mid-reply.png"), full_page=True)
    middle = drawn(page)
    assert live.is_visible(), "the reply finished before the capture: the mid-reply screenshot shows the end"
    # Nodes already drawn stay where they are while the next ones arrive.
    assert {node: middle[node] for node in early} == early
    expect(page.get_by_test_id("guardrails-pending")).to_be_visible()
    # The frame glows while the strategy is written, and stays still for a trader who asks for less motion.
    flowchart = page.get_by_test_id("flowchart")
    expect(flowchart).to_have_css("animation-name", "live-glow")
    page.emulate_media(reduced_motion="reduce")
    expect(flowchart).to_have_css("animation-name", "none")
    expect(page.locator(f"{NODES} > *").first).to_have_css("animation-name", "none")
    page.emulate_media(reduced_motion="no-preference")

    expect(page.get_by_test_id("strategy-version")).to_have_text("v1", timeout=60_000)
    expect(live).to_have_count(0)
    expect(page.get_by_test_id("flowchart")).to_have_attribute("data-live", "false")
    final = drawn(page)
    assert len(middle) < len(final), f"the mid-reply capture already had every node: {sorted(middle)}"
    assert set(middle) <= set(final)
    expect(joiner.locator(NODES)).to_have_count(len(final))
    expect(joiner.get_by_test_id("strategy-version")).to_have_text("v1")
    joiner.close()

    # The exits are alternatives: side by side under the entry, not chained one after the other.
    page.wait_for_timeout(600)  # the glide into the validated layout
    entry, target, stop = box(page, ".flow-node--entry"), box(page, ".flow-node--profit"), box(page, ".flow-node--stop")
    assert abs(target["y"] - stop["y"]) < 1, (target, stop)
    assert target["x"] + target["width"] <= stop["x"] or stop["x"] + stop["width"] <= target["x"], (target, stop)
    assert min(target["y"], stop["y"]) > entry["y"] + entry["height"]
    page.screenshot(path=str(ARTIFACTS / "live-flowchart-complete.png"), full_page=True)
    # The branches fit the flowchart on a tablet and a phone too.
    for name, size in (("tablet", {"width": 820, "height": 1180}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        if name == "phone":
            page.get_by_test_id("tab-builder").click()  # a phone shows one view at a time
        page.wait_for_timeout(300)  # the view refits to the resized canvas
        flowchart.scroll_into_view_if_needed()
        canvas = flowchart.bounding_box()
        for selector in (".flow-node--profit", ".flow-node--stop"):
            exit_box = box(page, selector)
            assert canvas["x"] <= exit_box["x"] and exit_box["x"] + exit_box["width"] <= canvas["x"] + canvas["width"]
        page.screenshot(path=str(ARTIFACTS / f"live-flowchart-complete-{name}.png"))
    assert page.console_errors == []
