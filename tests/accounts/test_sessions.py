"""Open sockets follow their sessions: logout, password change, deactivation and deletion close them.

Through the full ASGI stack, with sessions made and ended by Django's own views over the test client.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.test import Client

from chat.consumers import SESSION_ENDED_CLOSE_CODE
from chat.models import Message
from tests.conftest import communicator, drain_replies

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

PASSWORD = "an-old-long-password-7"
SEED_REQUEST = "I have $1000, please choose a high-return strategy"
SESSION_ENDED_FRAME = {
    "type": "error",
    "code": "session_ended",
    "message": "You were signed out. Sign in again to continue.",
}


@sync_to_async
def trader(username: str = "alice", **fields: object) -> object:
    user = get_user_model().objects.create(username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


@sync_to_async
def signed_in(user: object) -> Client:
    """A browser of its own (a fresh session) signed in as `user`."""
    browser = Client()
    browser.force_login(user)
    return browser


async def open_socket(browser: Client, path: str = "/ws/chat/") -> WebsocketCommunicator:
    comm = communicator(path, session=browser.cookies[settings.SESSION_COOKIE_NAME].value)
    connected, _ = await comm.connect()
    assert connected
    return comm


async def assert_session_ended(comm: WebsocketCommunicator) -> None:
    """The socket gets the `session_ended` error frame, then is closed with the session-ended code."""
    frame = json.loads((await comm.receive_output(timeout=5))["text"])
    while frame["type"] != "error":  # frames of a reply that was streaming may come first
        frame = json.loads((await comm.receive_output(timeout=5))["text"])
    assert frame == SESSION_ENDED_FRAME
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": SESSION_ENDED_CLOSE_CODE}


async def ask(comm: WebsocketCommunicator, content: str = SEED_REQUEST) -> dict:
    """Send a message and return the reply's `message_complete`."""
    await comm.send_to(text_data=json.dumps({"type": "message", "content": content}))
    while (frame := json.loads(await comm.receive_from(timeout=10)))["type"] != "message_complete":
        pass
    return frame


async def test_logging_out_closes_that_sessions_socket_and_the_streaming_reply_is_still_stored(settings):
    # A reply streams for about two seconds.
    settings.OFFLINE_TEXT_CHARS_PER_SECOND = settings.OFFLINE_JSON_CHARS_PER_SECOND = 1500
    browser = await signed_in(await trader())
    comm = await open_socket(browser)
    await comm.send_to(text_data=json.dumps({"type": "message", "content": SEED_REQUEST}))
    await comm.receive_from()  # message_received: the reply is under way

    await sync_to_async(browser.post)("/accounts/logout/")

    await assert_session_ended(comm)
    await drain_replies()
    reply = await sync_to_async(Message.objects.get)(role="assistant")
    assert reply.status == "complete" and reply.content


async def test_logging_out_one_browser_leaves_the_other_browsers_socket_open_and_replying():
    alice = await trader()
    leaving, staying = await signed_in(alice), await signed_in(alice)
    leaving_socket, staying_socket = await open_socket(leaving), await open_socket(staying)

    await sync_to_async(leaving.post)("/accounts/logout/")

    await assert_session_ended(leaving_socket)
    for content in (SEED_REQUEST, "Make it less risky"):  # the second turn comes after any check it had queued
        complete = await ask(staying_socket, content)
        assert complete["status"] == "complete" and complete["error"] is None
    assert await staying_socket.receive_nothing()
    await staying_socket.disconnect()


@contextmanager
def slow_after_user_saves() -> Iterator[None]:
    """Each user save takes a second more once written: a check sent at once would be read mid-request."""

    def pause(**kwargs: object) -> None:
        time.sleep(1)

    post_save.connect(pause, sender=get_user_model())
    try:
        yield
    finally:
        post_save.disconnect(pause, sender=get_user_model())


async def test_a_password_changed_in_the_admin_closes_the_other_sessions_sockets_and_keeps_the_changers():
    alice = await trader(is_staff=True, is_superuser=True)
    changer, other = await signed_in(alice), await signed_in(alice)
    changer_socket, other_socket = await open_socket(changer), await open_socket(other)

    new_password = "a-new-long-password-8"
    with slow_after_user_saves():
        response = await sync_to_async(changer.post)(
            "/admin/password_change/",
            {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
        )
    assert response.status_code == 302

    await assert_session_ended(other_socket)
    assert (await ask(changer_socket))["status"] == "complete"
    # The changer's session now lives under a new key; a later check follows it there too.
    await sync_to_async(other.post)("/accounts/logout/")
    assert (await ask(changer_socket, "Make it less risky"))["status"] == "complete"
    assert await changer_socket.receive_nothing()
    assert (await sync_to_async(changer.get)("/api/conversations/")).status_code == 200
    await changer_socket.disconnect()


async def test_deactivating_a_user_closes_every_socket_of_theirs_and_no_one_elses():
    alice, bob = await trader("alice"), await trader("bob")
    alice_sockets = [await open_socket(await signed_in(alice), path) for path in ("/ws/chat/", "/ws/chat/")]
    bob_socket = await open_socket(await signed_in(bob))

    alice.is_active = False
    await sync_to_async(alice.save)()

    for comm in alice_sockets:
        await assert_session_ended(comm)
    assert (await ask(bob_socket))["status"] == "complete"
    await bob_socket.disconnect()


async def test_deleting_a_user_closes_their_sockets():
    alice = await trader()
    comm = await open_socket(await signed_in(alice))

    await sync_to_async(alice.delete)()

    await assert_session_ended(comm)


async def test_a_password_set_outside_a_request_closes_every_socket_of_the_user():
    alice = await trader()
    comm = await open_socket(await signed_in(alice))

    alice.set_password("a-new-long-password-8")  # as manage.py changepassword does
    await sync_to_async(alice.save)()

    await assert_session_ended(comm)


async def test_saving_a_user_without_touching_password_or_activity_leaves_their_sockets_open():
    alice = await trader()
    comm = await open_socket(await signed_in(alice))

    alice.first_name = "Alice"
    await sync_to_async(alice.save)()
    await signed_in(alice)  # another login: saves last_login

    assert (await ask(comm))["status"] == "complete"
    assert await comm.receive_nothing()
    await comm.disconnect()
