"""The chat socket: translates frames to reply-pipeline calls and group messages back to frames."""

from __future__ import annotations

import logging
from typing import Any

from channels.exceptions import DenyConnection
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from accounts.sessions import session_current_key, user_group_name
from chat import backtests, edits, replies
from chat.db import db_call
from chat.errors import ChatError
from chat.frames import (
    ActionFrame,
    CancelFrame,
    EditStrategyFrame,
    ErrorFrame,
    ServerFrame,
    group_name,
    parse_client_frame,
)
from chat.models import Conversation
from chat.presence import open_sockets
from chat.selectors import conversation_for_user
from chat.wire import encode_frame
from vibewater.compat import dispatch_without_closing_connections

logger = logging.getLogger(__name__)
SERVER_FAULT = "Something went wrong on our side with that request. Please try again."

# The close code of a socket whose session ended; the builder page then sends the trader to sign in.
SESSION_ENDED_CLOSE_CODE = 4401
SESSION_ENDED = "You were signed out. Sign in again to continue."


class ChatConsumer(AsyncWebsocketConsumer):
    """One trader's socket on one conversation (new until its first message, then fixed)."""

    conversation: Conversation | None = None

    async def connect(self) -> None:
        """Refuse anonymous users, conversations not theirs and sockets past the cap; else join and send the state."""
        self._skip_through: dict[str, int] = {}
        self._skip_progress_through: dict[str, int] = {}
        user = self.scope["user"]
        if not user.is_authenticated:
            raise DenyConnection
        conversation_id = self.scope["url_route"]["kwargs"].get("conversation_id")
        if conversation_id is not None:
            self.conversation = await db_call(conversation_for_user)(
                user=user, conversation_id=conversation_id
            )
            if self.conversation is None:
                raise DenyConnection
        if not await open_sockets.admit(
            user_id=str(user.pk), socket_id=self.channel_name, limit=settings.CHAT_MAX_SOCKETS_PER_USER
        ):
            raise DenyConnection
        self._session_key: str = self.scope["session"].session_key
        self._session_ended = False
        try:
            await self.channel_layer.group_add(user_group_name(user.pk), self.channel_name)
            await self.accept()
            if self.conversation is not None:
                await self._join(self.conversation)
                state = await replies.joining_state(self.conversation)
                if state.in_progress:
                    self._skip_through[state.in_progress.message_id] = state.in_progress.seq
                    self._skip_progress_through[state.in_progress.message_id] = state.in_progress.strategy.seq
                await self.send_frame(state)
        except BaseException:  # channels calls no disconnect for a consumer that failed to connect
            await self._leave()
            raise

    async def disconnect(self, code: int) -> None:
        """Leave the groups and give the socket's place back; a reply in progress carries on and is stored."""
        await self._leave()

    async def session_check(self, event: dict[str, Any]) -> None:
        """Close the socket with `session_ended` if its session no longer signs the trader in."""
        user = self.scope["user"]
        current_key = await db_call(session_current_key)(
            session_key=self._session_key, user_id=user.pk, ended=event["ended"]
        )
        if current_key is not None:
            self._session_key = current_key  # a password change re-signed this socket's session under a new key
            return
        self._session_ended = True  # frames that arrived during the check are not taken
        await self._leave()  # no more frames for a socket that is closing
        await self.send_frame(ErrorFrame(code="session_ended", message=SESSION_ENDED))
        await self.close(code=SESSION_ENDED_CLOSE_CODE)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Handle one client frame; anything it cannot take becomes an `error` frame and the socket stays open."""
        if self._session_ended:
            return
        try:
            frame = parse_client_frame(
                text_data,
                max_bytes=settings.CHAT_MAX_FRAME_BYTES,
                max_chars=settings.CHAT_MAX_MESSAGE_CHARS,
                max_history=settings.CHAT_MAX_HISTORY_TURNS,
            )
            user = self.scope["user"]
            if isinstance(frame, CancelFrame):
                await replies.handle_cancel(conversation=self.conversation)
            elif isinstance(frame, ActionFrame) and frame.action == "run_backtest":
                await backtests.handle_run_backtest(user=user, conversation=self.conversation, params=frame.params)
            elif isinstance(frame, ActionFrame):
                await replies.handle_explain(user=user, conversation=self.conversation, enter=self._enter)
            elif isinstance(frame, EditStrategyFrame):
                await edits.handle_edit(user=user, conversation=self.conversation, frame=frame)
            else:
                await replies.handle_message(user=user, conversation=self.conversation, frame=frame, enter=self._enter)
        except ChatError as error:
            await self.send_frame(ErrorFrame(code=error.code, message=error.message, problems=error.problems))
        except Exception:  # a bug must cost the trader one request, not the socket (daphne would close it, 1011)
            logger.exception("could not handle a frame on conversation %s", getattr(self.conversation, "id", None))
            await self.send_frame(ErrorFrame(code="server_error", message=SERVER_FAULT))

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Deliver a message to its handler, without channels' per-message database clean-up."""
        # channels' dispatch first runs close_old_connections on asgiref's shared sync thread: a thread
        # hop per message, queued behind other sync work. This consumer reaches the database only
        # through db_call, which closes stale connections on its own threads. Conversation frames, one per
        # delta, go straight to their handler.
        if message["type"] == "chat.frame":
            await self.chat_frame(message)
            return
        await dispatch_without_closing_connections(self, message)

    async def chat_frame(self, event: dict[str, Any]) -> None:
        """Forward a frame published to the conversation, dropping chunks and progress the joining state held."""
        seq = event.get("seq")
        if seq is not None and seq <= self._skip_through.get(event["message_id"], 0):
            return
        progress_seq = event.get("progress_seq")
        if progress_seq is not None and progress_seq <= self._skip_progress_through.get(event["message_id"], 0):
            return
        await self.send(text_data=event["text"])

    async def send_frame(self, frame: ServerFrame) -> None:
        """Send one server frame to this socket only."""
        await self.send(text_data=encode_frame(frame))

    async def _enter(self, conversation: Conversation) -> None:
        """Take the conversation this socket's first message created as its own, and join its group."""
        self.conversation = conversation
        await self._join(conversation)

    async def _join(self, conversation: Conversation) -> None:
        await self.channel_layer.group_add(group_name(conversation.id), self.channel_name)

    async def _leave(self) -> None:
        if self.conversation is not None:
            await self.channel_layer.group_discard(group_name(self.conversation.id), self.channel_name)
        user = self.scope["user"]
        if user.is_authenticated:
            await self.channel_layer.group_discard(user_group_name(user.pk), self.channel_name)
            await open_sockets.release(user_id=str(user.pk), socket_id=self.channel_name)
