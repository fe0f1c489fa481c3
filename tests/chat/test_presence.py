"""chat.presence: each trader may hold only so many sockets open at once."""

from __future__ import annotations

import pytest

from tests.accounts.test_sessions import ask, open_socket, signed_in, trader
from tests.conftest import communicator

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_the_handshake_past_the_per_user_socket_cap_is_refused_and_closing_one_lets_a_new_one_in(settings):
    settings.CHAT_MAX_SOCKETS_PER_USER = 2
    alice, bob = await trader("alice"), await trader("bob")
    browser = await signed_in(alice)
    first, second = await open_socket(browser), await open_socket(browser)

    refused = communicator(session=browser.cookies[settings.SESSION_COOKIE_NAME].value)
    assert (await refused.connect())[0] is False
    bob_socket = await open_socket(await signed_in(bob))  # the cap is per trader
    await first.disconnect()
    third = await open_socket(browser)

    assert (await ask(third))["status"] == "complete"
    for comm in (second, third, bob_socket):
        await comm.disconnect()
