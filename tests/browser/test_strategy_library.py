"""The sidebar's strategy tools in Chromium against a real server: a new strategy is titled after itself,
renamed inline, exported, imported back (a broken file shows the server's problems), duplicated, archived
and shown again with "Show archived"."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PASSWORD, Server, manage
from tests.browser.test_builder import BUILDER_URL, CONSERVATIVE, conversation_id_of, status_of

TRADER = "porter"  # their own trader: other browser tests count alice's conversations


def log_in(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/builder/")
    page.locator("#id_username").fill(TRADER)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.url}/builder/")
    expect(status_of(page)).to_have_text("connected", timeout=15_000)


def items(page: Any) -> Any:
    return page.get_by_test_id("conversation-item")


def test_a_strategy_is_titled_renamed_exported_imported_duplicated_and_archived(
    page: Any, start_server: Callable[..., Server], tmp_path: Path
) -> None:
    server = start_server()
    password_env = {**server.env, "PORTER_PASSWORD": PASSWORD}
    manage("createtrader", TRADER, "--password-env", "PORTER_PASSWORD", env=password_env)
    log_in(page, server)

    # The first strategy names the conversation: a summary of it, not the message.
    page.get_by_test_id("chat-input").fill(CONSERVATIVE)
    page.get_by_test_id("send-button").click()
    reply = page.locator("[data-testid=chat-message][data-role=assistant]").last
    expect(reply).to_have_attribute("data-status", "complete", timeout=30_000)
    expect(page).to_have_url(BUILDER_URL)
    original = conversation_id_of(page)
    expect(items(page)).to_have_count(1)
    expect(items(page).first).to_contain_text(re.compile(r" · Low risk"), timeout=10_000)

    # Renamed inline.
    page.get_by_test_id("rename-button").click()
    page.get_by_test_id("rename-input").fill("  My   steady plan ")
    page.get_by_role("button", name="Save").click()
    expect(items(page).first).to_contain_text("My steady plan")
    assert server.query("select title from chat_conversation where id = ?", (original.replace("-", ""),)) == [
        ("My steady plan",)
    ]

    # Exported: a download named after the strategy, in the envelope.
    with page.expect_download() as download:
        page.get_by_test_id("export-link").first.click()
    assert download.value.suggested_filename == "my-steady-plan-v1.json"
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    document = json.loads(exported.read_text())
    envelope = (document["format"], document["format_version"], document["name"])
    assert envelope == ("vibewater.strategy", 1, "My steady plan")

    # A broken file is refused with the server's sentence and problems; nothing new appears.
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**document, "format_version": 7}))
    page.get_by_test_id("import-input").set_input_files(str(broken))
    expect(page.get_by_test_id("library-error")).to_contain_text("this server reads version 1")
    expect(page.get_by_test_id("library-error")).to_contain_text("format_version")
    expect(items(page)).to_have_count(1)

    # The export imports as a new conversation, which the builder opens.
    page.get_by_test_id("import-input").set_input_files(str(exported))
    expect(page).not_to_have_url(re.compile(original))
    expect(page).to_have_url(BUILDER_URL)
    expect(status_of(page)).to_have_text("connected", timeout=15_000)
    expect(items(page)).to_have_count(2)
    expect(page.get_by_test_id("version-item")).to_have_count(1)
    expect(page.get_by_test_id("chat-message")).to_contain_text("Imported “My steady plan” from a file")

    # Duplicated from its version 1: a third conversation opens.
    imported = conversation_id_of(page)
    page.get_by_test_id("duplicate-button").first.click()
    expect(page).not_to_have_url(re.compile(imported))
    expect(status_of(page)).to_have_text("connected", timeout=15_000)
    expect(items(page)).to_have_count(3)
    expect(page.get_by_test_id("chat-message")).to_contain_text("Duplicated from “My steady plan” v1.")

    # Archived: gone from the list, back (and marked) with "Show archived", and unarchived.
    page.get_by_role("button", name="Archive My steady plan (copy)").click()
    expect(items(page)).to_have_count(2)
    page.get_by_test_id("show-archived").check()
    expect(items(page)).to_have_count(3)
    expect(page.locator(".nav-row.is-archived")).to_contain_text("Archived")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sidebar-strategy-tools.png"))
    page.get_by_role("button", name="Unarchive My steady plan (copy)").click()
    page.get_by_test_id("show-archived").uncheck()
    expect(items(page)).to_have_count(3)

    uncaught = [error for error in page.console_errors if error.startswith("pageerror")]
    assert not uncaught, uncaught
