"""The builder in Chromium when the trader's session ends elsewhere: it goes to the login page, and back after."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, TRADER
from tests.browser.test_builder import log_in, status_of


def test_logging_out_in_another_tab_sends_the_builder_to_the_login_page_and_back_after(page: Any, start_server):
    server = start_server()
    log_in(page, server)
    expect(status_of(page)).to_have_text("connected")

    other_tab = page.context.new_page()
    other_tab.goto(f"{server.url}/builder/")
    other_tab.get_by_role("button", name="Log out").click()
    expect(other_tab).to_have_url(re.compile(r"/accounts/login/"))

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fbuilder%2F$"), timeout=10_000)
    page.locator("#id_username").fill(TRADER)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.url}/builder/")
    expect(status_of(page)).to_have_text("connected")
