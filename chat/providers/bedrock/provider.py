"""The AWS Bedrock provider: streams Claude replies through the Converse API without blocking the loop.

botocore signs, sends and retries each reply's request on a worker thread, while the bytes travel
on the event loop's own connections (`bridge` explains the hand-off); once the stream has started,
the loop reads and decodes it itself (`events`). At most `max_concurrency` replies stream at once;
the rest wait in order. Every failure becomes a `ProviderError` a trader can read (`errors`).
Django-free: the integrator passes settings to the constructor.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import threading
from collections.abc import AsyncIterator
from typing import Any

import boto3
import botocore.session
from botocore import exceptions as boto_errors
from botocore.config import Config
from botocore.httpsession import get_cert_path

from chat.providers.base import ProviderError, ReplyRequest, StreamOutcome
from chat.providers.bedrock.bridge import LoopState, ThreadBridge
from chat.providers.bedrock.errors import closed_error, incomplete_error, provider_error
from chat.providers.bedrock.events import EventParser, StreamDecoder
from chat.providers.bedrock.http_pool import LoopHTTP
from chat.providers.bedrock.redaction import log_safe_description
from chat.providers.prompt import converse_messages, system_prompt

logger = logging.getLogger(__name__)

class BedrockProvider:
    """Streams replies from a Claude model on AWS Bedrock via `converse_stream`."""

    name = "bedrock"

    def __init__(
        self,
        *,
        model_id: str,
        region: str | None = None,
        max_concurrency: int = 64,
        read_timeout: float = 60,
        connect_timeout: float = 10,
        max_tokens: int = 4096,
        temperature: float = 0.4,
        max_attempts: int = 3,
    ) -> None:
        self.model_id = model_id
        self.region = region
        self.max_concurrency = max_concurrency
        self.read_timeout = read_timeout
        self.connect_timeout = connect_timeout
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.max_attempts = max_attempts
        # Only the request phase (signing, sending, retries with back-off) holds a thread.
        self._bridge = ThreadBridge(max_workers=max_concurrency, wait_bound=connect_timeout + read_timeout + 10)
        self._lock = threading.Lock()
        # A separate lock for the slow client creation, so the event loop never waits on it.
        self._client_lock = threading.Lock()
        self._client: Any = None
        self._parse_event: EventParser | None = None
        self._tls: ssl.SSLContext | None = None
        # One state per event loop (each test runs its own); a closed loop's state is dropped.
        self._states: dict[asyncio.AbstractEventLoop, LoopState] = {}
        self._closed = False

    @property
    def active_streams(self) -> int:
        """How many replies hold a Bedrock exchange right now."""
        with self._lock:
            return sum(len(state.exchanges) for state in self._states.values())

    def _get_client(self) -> Any:
        """The shared bedrock-runtime client, created on first use (in a worker thread)."""
        with self._client_lock:
            if self._client is None:
                # boto3 reads AWS_DEFAULT_REGION but not AWS_REGION, the variable the seed documents.
                region = self.region or os.environ.get("AWS_REGION") or None
                # No timeouts here: botocore never opens a connection itself (http_pool does).
                config = Config(
                    # "standard" retries only before the stream starts (throttling, 5xx, connection
                    # errors); total_max_attempts counts the first try, unlike "max_attempts".
                    retries={"mode": "standard", "total_max_attempts": self.max_attempts},
                    user_agent_appid="vibewater",
                )
                core_session = botocore.session.get_session()
                client = boto3.session.Session(botocore_session=core_session, region_name=region).client(
                    "bedrock-runtime", config=config
                )
                # botocore signs and retries; the event loop carries the bytes (see bridge).
                client.meta.events.register(
                    "before-send.bedrock-runtime.ConverseStream", self._bridge.send_on_loop,
                    unique_id="vibewater-loop",
                )
                # AWS_CA_BUNDLE or the profile's ca_bundle, as botocore itself would verify with.
                ca_bundle = get_cert_path(core_session.get_config_variable("ca_bundle") or True)
                try:
                    self._tls = ssl.create_default_context(cafile=ca_bundle)
                except (OSError, ssl.SSLError) as exc:
                    logger.warning("Cannot load the CA bundle %s for Bedrock: %s", ca_bundle, exc)
                    raise boto_errors.InvalidConfigError(
                        error_msg=f"The CA bundle {ca_bundle} could not be loaded."
                    ) from exc
                self._parse_event = EventParser(client.meta.service_model)
                self._client = client
            return self._client

    def _state(self, loop: asyncio.AbstractEventLoop) -> LoopState:
        """This loop's state, created on its first reply; raises once the provider is closed."""
        with self._lock:
            if self._closed:
                raise closed_error()
            for closed_loop in [known for known in self._states if known.is_closed()]:
                del self._states[closed_loop]
            state = self._states.get(loop)
            if state is None:
                http = LoopHTTP(
                    loop, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                    max_idle=self.max_concurrency, tls_context=self._tls_context,
                )
                state = self._states[loop] = LoopState(loop, http, self.max_concurrency)
            return state

    def _tls_context(self) -> ssl.SSLContext:
        """The TLS settings the client was created with."""
        assert self._tls is not None, "the client (and its TLS settings) exist before any request"
        return self._tls

    async def stream(self, request: ReplyRequest, outcome: StreamOutcome) -> AsyncIterator[str]:
        """Yield the reply's text deltas as Bedrock produces them; fill `outcome`; raise ProviderError."""
        messages = converse_messages(request.turns)
        if not messages:
            raise ProviderError("There is no message to answer yet.", code="invalid_request")
        call = {
            "modelId": self.model_id,
            "system": [{"text": system_prompt(request.current_strategy)}],
            "messages": messages,
            "inferenceConfig": {"maxTokens": self.max_tokens, "temperature": self.temperature},
        }
        state = self._state(asyncio.get_running_loop())
        exchange = await state.begin()
        try:
            response = await self._bridge.call(state, exchange, lambda: self._get_client().converse_stream(**call))
            outcome.extra["request_id"] = response.get("ResponseMetadata", {}).get("RequestId")
            connection = exchange.connection
            assert connection is not None and self._parse_event is not None
            decoder = StreamDecoder(outcome, self._parse_event)
            while chunks := await connection.read():
                text, failure = decoder.decode(chunks)
                if text:
                    # Deltas that arrived together go out as one, so a busy loop does less work.
                    yield text
                if failure is not None:
                    raise failure
            if not decoder.stopped:
                raise incomplete_error()
        except ProviderError:
            raise
        except Exception as exc:
            if exchange.error is not None:
                raise exchange.error from None
            error = provider_error(exc)
            logger.warning("Bedrock stream failed (%s): %s", error.code, log_safe_description(exc))
            raise error from None
        finally:
            # Runs on normal end, on error, on aclose() and on task cancellation alike.
            state.end(exchange)

    def close(self) -> None:
        """End running and queued replies with an error, and drop the connections and threads."""
        closed = closed_error()
        with self._lock:
            self._closed = True
            states = list(self._states.values())
        for state in states:
            if state.loop.is_closed():
                continue
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is state.loop:
                state.shut_down(closed)
            else:
                state.loop.call_soon_threadsafe(state.shut_down, closed)
        self._bridge.close()
        with self._client_lock:
            client = self._client
        if client is not None:
            client.close()
