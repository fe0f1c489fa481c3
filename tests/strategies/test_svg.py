"""strategies.svg: the flowchart preview the admin shows, drawn on the server, with every text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from strategies.svg import strategy_svg
from tests.strategies import node, seed_strategy

SVG = "{http://www.w3.org/2000/svg}"


def boxes(markup: str) -> dict[str, tuple[float, float]]:
    """Each box's title text and its top-left corner, from the parsed SVG."""
    found = {}
    for group in ET.fromstring(markup).iter(f"{SVG}g"):
        rect, title = group.find(f"{SVG}rect"), group.find(f"{SVG}text")
        found[title.text] = (float(rect.get("x")), float(rect.get("y")))
    return found


def test_every_step_is_a_box_from_top_to_bottom_in_flow_order() -> None:
    markup = strategy_svg(seed_strategy())

    titles = boxes(markup)
    assert list(titles) == [
        "Start Strategy",
        "Crypto Category: DeFi",
        "Set Entry Condition",
        "Profit Target: 7%",
        "Stop Loss: 5%",
        "End Strategy",
    ]
    tops = [y for _, y in titles.values()]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    assert "• Enter on a 5% price drop" in markup
    assert len(ET.fromstring(markup).findall(f"{SVG}path")) == 5  # one per edge


def test_branches_share_a_row_and_joins_go_below_both() -> None:
    data = seed_strategy()
    data["flowchart"]["nodes"].append({"id": "exit", "type": "exit_condition", "label": "Exit", "meta": {"rules": []}})
    data["flowchart"]["edges"] += [["entry", "exit"], ["exit", "stop_loss"]]

    titles = boxes(strategy_svg(data))

    assert titles["Profit Target: 7%"][1] == titles["Exit"][1]
    assert titles["Profit Target: 7%"][0] != titles["Exit"][0]
    assert titles["Stop Loss: 5%"][1] > titles["Exit"][1]


def test_hostile_text_is_escaped_not_markup() -> None:
    data = seed_strategy()
    node(data, "category")["label"] = '<script>alert("x")</script>'
    node(data, "entry")["meta"]["rules"] = ['"><img src=x onerror=alert(1)>']

    markup = strategy_svg(data, title='v1 "<b>"')

    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup
    root = ET.fromstring(markup)  # still well-formed: nothing broke out of its element or attribute
    assert root.get("aria-label") == 'v1 "<b>"'
    drawn = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert drawn <= {"svg", "title", "rect", "g", "text", "path", "polygon"}


def test_long_rules_wrap_and_are_cut_off_within_the_box() -> None:
    data = seed_strategy()
    node(data, "entry")["meta"]["rules"] = ["word " * 39 + "end"] * 20

    root = ET.fromstring(strategy_svg(data))

    entry = next(g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}text").text == "Set Entry Condition")
    lines = [text.text for text in entry.findall(f"{SVG}text")[1:]]
    assert len(lines) == 8 and lines[-1] == "…"
    assert all(len(line) <= 36 for line in lines)
