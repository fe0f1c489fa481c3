"""The AWS Bedrock provider: streams Claude replies through the Converse API without blocking the loop.

boto3 is synchronous, so each reply's `converse_stream` call runs in a dedicated thread of this
provider's own executor (never asgiref's shared one): botocore resolves credentials, signs, sends and
retries there, up to the response headers. Its `before-send` hook carries the bytes over the event
loop's own connections (`bedrock_http`), and once the stream has started the loop reads the event
stream itself and decodes it with botocore's parser: no thread wakes up per event, which is what a
worker with hundreds of streaming replies is bound by (docs/benchmarks.md, round 5). At most
`max_concurrency` replies stream at once; the rest wait in order. Every failure becomes a
`ProviderError` a trader can read. Django-free: the integrator passes settings to the constructor.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import re
import ssl
import threading
from collections import deque
from collections.abc import AsyncIterator
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore import exceptions as boto_errors
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.eventstream import _PRELUDE_LENGTH, EventStreamBuffer, EventStreamHeaderParser
from botocore.httpsession import get_cert_path

from chat.providers import bedrock_http
from chat.providers.base import ProviderError, ReplyRequest, StreamOutcome
from chat.providers.prompt import converse_messages, system_prompt

logger = logging.getLogger(__name__)

DEFAULT_MODEL_ID = "us.anthropic.claude-haiku-4-5-20251001-v1:0"

_TRY_AGAIN = "Please try again in a moment."
_ADMIN = "An administrator needs to check the server's AWS settings."

#: Bedrock error codes, normalised (no "Exception" suffix, lower case), to (code, trader message).
#: Errors before the stream are "ThrottlingException"; the same errors mid-stream "throttlingException".
_AWS_ERRORS: dict[str, tuple[str, str]] = {
    "throttling": ("throttled", f"The model is busy right now (rate limited). {_TRY_AGAIN}"),
    "servicequotaexceeded": ("throttled", f"The model is busy right now (quota reached). {_TRY_AGAIN}"),
    "serviceunavailable": ("unavailable", f"The model service is temporarily unavailable. {_TRY_AGAIN}"),
    "internalserver": ("server_error", f"The model service had an internal error. {_TRY_AGAIN}"),
    "modelstreamerror": ("stream_error", f"The model's reply broke off with a streaming error. {_TRY_AGAIN}"),
    "modelerror": ("model_error", f"The model could not process this request. {_TRY_AGAIN}"),
    "modeltimeout": ("timeout", f"The model took too long to respond. {_TRY_AGAIN}"),
    "modelnotready": ("model_not_ready", "The model is still starting up. Please try again in a minute."),
    "validation": (
        "invalid_request",
        "The model service rejected the request. Try rephrasing, or start a new conversation.",
    ),
    "accessdenied": ("access_denied", f"This server is not allowed to use the AI model (access denied). {_ADMIN}"),
    "unrecognizedclient": ("auth_failed", f"The AI model rejected this server's credentials. {_ADMIN}"),
    "invalidsignature": ("auth_failed", f"The AI model rejected this server's credentials. {_ADMIN}"),
    "expiredtoken": ("auth_failed", f"This server's AWS credentials have expired. {_ADMIN}"),
    "resourcenotfound": (
        "model_not_found",
        f"The configured AI model is not available in this AWS region. {_ADMIN}",
    ),
}

_TIMEOUT = ("timeout", f"The model took too long to respond. {_TRY_AGAIN}")
_CONNECTION = ("connection", f"Could not reach the model service, or the connection dropped. {_TRY_AGAIN}")
_UNEXPECTED = ("provider_error", f"Something went wrong while talking to the model. {_TRY_AGAIN}")


def provider_error(exc: BaseException) -> ProviderError:
    """Translate a boto3/botocore/transport failure into a ProviderError a trader can read."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, boto_errors.ClientError):
        aws_code = str(exc.response.get("Error", {}).get("Code", ""))
        key = aws_code.removesuffix("Exception").lower()
        code, message = _AWS_ERRORS.get(key, _UNEXPECTED)
        if key not in _AWS_ERRORS:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            if status >= 500:
                code, message = _AWS_ERRORS["internalserver"]
        return ProviderError(message, code=code)
    # Read timeouts first: botocore's ReadTimeoutError is also an HTTP client error.
    if isinstance(exc, (boto_errors.ReadTimeoutError, TimeoutError)):
        return ProviderError(_TIMEOUT[1], code=_TIMEOUT[0])
    if isinstance(exc, (boto_errors.NoCredentialsError, boto_errors.PartialCredentialsError,
                        boto_errors.NoAuthTokenError, boto_errors.CredentialRetrievalError)):
        return ProviderError(
            "The AI model is not configured on this server: no AWS credentials were found. "
            "An administrator needs to set AWS_BEARER_TOKEN_BEDROCK or AWS access keys.",
            code="no_credentials",
        )
    if isinstance(exc, boto_errors.NoRegionError):
        return ProviderError(
            "The AI model is not configured on this server: no AWS region is set. "
            "An administrator needs to set AWS_REGION.",
            code="no_region",
        )
    if isinstance(exc, boto_errors.SSLError):
        return ProviderError(
            f"Could not establish a secure connection to the model service. {_ADMIN}", code="tls"
        )
    if isinstance(exc, (boto_errors.ConnectionError, boto_errors.HTTPClientError,
                        ConnectionError)):
        return ProviderError(_CONNECTION[1], code=_CONNECTION[0])
    if isinstance(exc, (boto_errors.InvalidEndpointConfigurationError, boto_errors.ProfileNotFound,
                        boto_errors.InvalidConfigError, boto_errors.ConfigParseError,
                        boto_errors.UnknownEndpointError, boto_errors.InvalidRegionError)):
        return ProviderError(
            f"The AI model is not configured correctly on this server. {_ADMIN}", code="misconfigured"
        )
    if isinstance(exc, boto_errors.ParamValidationError):
        return ProviderError(
            "The request to the model was invalid. Try rephrasing, or start a new conversation.",
            code="invalid_request",
        )
    return ProviderError(_UNEXPECTED[1], code=_UNEXPECTED[0])


def _describe(exc: BaseException) -> str:
    """A log-safe description: the exception type and AWS error code, never request data."""
    if isinstance(exc, boto_errors.ClientError):
        error = exc.response.get("Error", {})
        request_id = exc.response.get("ResponseMetadata", {}).get("RequestId", "")
        return f"{type(exc).__name__} {error.get('Code', '')}: {error.get('Message', '')} {request_id}".strip()
    return type(exc).__name__


class _RedactSecrets(logging.Filter):
    """Masks credentials in botocore's DEBUG records, which print request headers verbatim."""

    _HEADER = re.compile(
        r"(?i)((?:authorization|x-amz-security-token)['\"]?\s*[:=]\s*b?['\"]?)[^'\"\n]+"
    )
    _ENV_SECRETS = ("AWS_BEARER_TOKEN_BEDROCK", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with secret values replaced by "<redacted>"."""
        message = self._HEADER.sub(r"\1<redacted>", record.getMessage())
        for name in self._ENV_SECRETS:
            secret = os.environ.get(name, "")
            if len(secret) >= 8:
                message = message.replace(secret, "<redacted>")
        record.msg, record.args = message, None
        return True


# botocore logs the signed request (Authorization, session token) at DEBUG; a DEBUG logging setup
# must not leak it. Filters on a logger only cost anything for records that are actually emitted.
for _name in ("botocore.endpoint", "botocore.auth", "botocore.httpsession"):
    logging.getLogger(_name).addFilter(_RedactSecrets())


class _Cancelled(Exception):
    """The reply was cancelled while botocore was still sending its request (never retried)."""


def _closed_error() -> ProviderError:
    return ProviderError(f"The model service is shutting down. {_TRY_AGAIN}", code="closed")


class _Exchange:
    """One reply's Bedrock exchange, shared by botocore's worker thread and the event loop."""

    def __init__(self) -> None:
        #: The request on its way (a task on the loop) until its response headers are in.
        self.sending: asyncio.Task[Any] | None = None
        #: The streaming response, once botocore has accepted it.
        self.connection: bedrock_http.Connection | None = None
        self.cancelled = False
        #: Set by close(): the error the reply ends with instead of whatever the hang-up causes.
        self.error: ProviderError | None = None

    def cancel(self, http: bedrock_http.LoopHTTP, error: ProviderError | None = None) -> None:
        """End the exchange (event loop): hang up on Bedrock at whatever stage it is."""
        self.cancelled = True
        self.error = self.error or error
        if self.sending is not None:
            self.sending.cancel()  # LoopHTTP drops the connection of a request it could not finish
        connection, self.connection = self.connection, None
        if connection is not None:
            if error is not None:
                connection.fail(error)
            http.release(connection)  # back to the pool if the body was read to the end, else hung up


class _Slots:
    """At most `size` replies streaming at once on a loop; the rest wait their turn, in order.

    A freed slot is handed straight to the next waiter, so a reply arriving meanwhile cannot jump the
    queue; a waiter cancelled after it was handed one passes it on.
    """

    def __init__(self, size: int) -> None:
        self.free = size
        self._waiters: deque[asyncio.Future[bool]] = deque()
        self._closed: ProviderError | None = None

    async def acquire(self) -> None:
        if self._closed is not None:
            raise self._closed
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            granted = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self.release()
            raise
        if not granted:
            assert self._closed is not None
            raise self._closed

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self.free += 1

    def close(self, error: ProviderError) -> None:
        self._closed = error
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(False)


class _LoopState:
    """What the provider keeps per event loop: its connections, its slots and its open exchanges."""

    def __init__(self, loop: asyncio.AbstractEventLoop, http: bedrock_http.LoopHTTP, slots: int) -> None:
        self.loop = loop
        self.http = http
        self.slots = _Slots(slots)
        self.exchanges: set[_Exchange] = set()

    async def open(self, request: Any, exchange: _Exchange) -> AWSResponse:
        """Send botocore's prepared request (event loop); failures become botocore's own exceptions."""
        if exchange.cancelled:
            raise _Cancelled()
        exchange.sending = asyncio.current_task()
        url = request.url
        try:
            connection = await self.http.request(request.method, url, request.headers, _body_bytes(request.body))
            status, headers = connection.status, connection.headers
            if status >= 300:
                # botocore parses the error document and decides whether to retry.
                try:
                    body = await connection.read_all(bedrock_http.MAX_ERROR_BODY)
                finally:
                    self.http.release(connection)
                return AWSResponse(url, status, headers, _Body(body))
        except bedrock_http.ConnectTimedOut as exc:
            raise boto_errors.ConnectTimeoutError(endpoint_url=url, error=exc) from exc
        except bedrock_http.ReadTimedOut as exc:
            raise boto_errors.ReadTimeoutError(endpoint_url=url, error=exc) from exc
        except bedrock_http.TLSFailed as exc:
            raise boto_errors.SSLError(endpoint_url=url, error=exc) from exc
        except bedrock_http.ConnectFailed as exc:
            raise boto_errors.EndpointConnectionError(endpoint_url=url, error=exc) from exc
        except bedrock_http.ConnectionBroken as exc:
            raise boto_errors.ConnectionClosedError(endpoint_url=url, error=exc) from exc
        finally:
            exchange.sending = None
        if exchange.cancelled:
            self.http.release(connection)
            raise _Cancelled()
        assert exchange.connection is None, "botocore accepts one response per call"
        exchange.connection = connection
        return AWSResponse(url, status, headers, _Body(b""))

    def shut_down(self, error: ProviderError) -> None:
        """End every reply on this loop with `error` and drop the connections (event loop)."""
        self.slots.close(error)
        for exchange in list(self.exchanges):
            exchange.cancel(self.http, error)
        self.http.close()


class _Body:
    """An already-read response body, in the shape botocore reads bodies from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data

    def close(self) -> None:
        pass


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Any) -> None:
    """Run `callback` on `loop` from any thread, unless the loop has closed."""
    try:
        loop.call_soon_threadsafe(callback)
    except RuntimeError:
        pass


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    return body.read()


class BedrockProvider:
    """Streams replies from a Claude model on AWS Bedrock via `converse_stream`."""

    name = "bedrock"

    def __init__(
        self,
        *,
        model_id: str = DEFAULT_MODEL_ID,
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
        self._executor = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="bedrock-call")
        self._lock = threading.Lock()
        # A separate lock for the slow client creation, so the event loop never waits on it.
        self._client_lock = threading.Lock()
        self._client: Any = None
        self._tls: ssl.SSLContext | None = None
        self._calling = threading.local()
        # One state per event loop (each test runs its own); a closed loop's state is dropped.
        self._states: dict[asyncio.AbstractEventLoop, _LoopState] = {}
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
                # No timeouts here: botocore never opens a connection itself (bedrock_http does).
                config = Config(
                    # "standard" retries only before the stream starts (throttling, 5xx, connection
                    # errors); total_max_attempts counts the first try, unlike "max_attempts".
                    retries={"mode": "standard", "total_max_attempts": self.max_attempts},
                    user_agent_appid="vibewater",
                )
                session = boto3.session.Session(region_name=region)
                client = session.client("bedrock-runtime", config=config)
                # botocore signs and retries; the event loop carries the bytes (see _send_on_loop).
                client.meta.events.register(
                    "before-send.bedrock-runtime.ConverseStream", self._send_on_loop, unique_id="vibewater-loop"
                )
                # AWS_CA_BUNDLE or the profile's ca_bundle, as botocore itself would verify with.
                ca_bundle = get_cert_path(session._session.get_config_variable("ca_bundle") or True)
                try:
                    self._tls = ssl.create_default_context(cafile=ca_bundle)
                except (OSError, ssl.SSLError) as exc:
                    logger.warning("Cannot load the CA bundle %s for Bedrock: %s", ca_bundle, exc)
                    raise boto_errors.InvalidConfigError(
                        error_msg=f"The CA bundle {ca_bundle} could not be loaded."
                    ) from exc
                self._client = client
            return self._client

    def _state(self, loop: asyncio.AbstractEventLoop) -> _LoopState:
        with self._lock:
            if self._closed:
                raise _closed_error()
            for closed_loop in [known for known in self._states if known.is_closed()]:
                del self._states[closed_loop]
            state = self._states.get(loop)
            if state is None:
                http = bedrock_http.LoopHTTP(
                    loop, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                    max_idle=self.max_concurrency, tls_context=self._tls_context,
                )
                state = self._states[loop] = _LoopState(loop, http, self.max_concurrency)
            return state

    def _tls_context(self) -> ssl.SSLContext:
        assert self._tls is not None, "the client (and its TLS settings) exist before any request"
        return self._tls

    def _call(self, call: dict[str, Any], state: _LoopState, exchange: _Exchange) -> dict[str, Any]:
        """Run converse_stream up to the response headers (worker thread)."""
        if exchange.cancelled:
            raise _Cancelled()
        client = self._get_client()
        self._calling.target = (state, exchange)
        try:
            return client.converse_stream(**call)
        finally:
            self._calling.target = None

    def _send_on_loop(self, request: Any, **_: Any) -> AWSResponse:
        """botocore's before-send hook (worker thread): send the signed request on the event loop."""
        state, exchange = self._calling.target
        if exchange.cancelled:
            raise _Cancelled()
        try:
            sending = asyncio.run_coroutine_threadsafe(state.open(request, exchange), state.loop)
        except RuntimeError:
            raise _Cancelled() from None  # the loop has closed
        # The loop enforces the timeouts; this bound only frees the thread if the loop itself stops.
        futures.wait([sending], timeout=self.connect_timeout + self.read_timeout + 10)
        if not sending.done() or sending.cancelled():
            sending.cancel()
            raise _Cancelled()
        return sending.result()

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
        loop = asyncio.get_running_loop()
        state = self._state(loop)
        await state.slots.acquire()
        exchange = _Exchange()
        state.exchanges.add(exchange)
        job: futures.Future[dict[str, Any]] | None = None
        try:
            try:
                job = self._executor.submit(self._call, call, state, exchange)
            except RuntimeError:
                raise exchange.error or _closed_error() from None  # close() shut the executor down
            response = await asyncio.wrap_future(job)
            outcome.extra["request_id"] = response.get("ResponseMetadata", {}).get("RequestId")
            event_stream = response["stream"]
            connection = exchange.connection
            assert connection is not None
            buffer = _EventStreamBuffer()
            stopped = False
            while chunks := await connection.read():
                for chunk in chunks:
                    buffer.add_data(chunk)
                texts: list[str] = []
                failure: Exception | None = None
                try:
                    for message in buffer:
                        text = _delta_text(message)
                        if text is not None:
                            if text:
                                texts.append(text)
                            continue
                        # botocore's own parsing; an exception event raises EventStreamError.
                        event = event_stream._parse_event(message)
                        stopped = stopped or "messageStop" in event
                        _record(event, outcome)
                except Exception as exc:
                    failure = exc  # after the text that came before it
                if texts:
                    # Deltas that arrived together go out as one, so a busy loop does less work.
                    yield "".join(texts)
                if failure is not None:
                    raise failure
            if not stopped:
                # Bedrock always ends a complete reply with messageStop; without it the body was cut.
                raise ProviderError(f"The model's reply ended unexpectedly. {_TRY_AGAIN}", code="incomplete")
        except ProviderError:
            raise
        except Exception as exc:
            if exchange.error is not None:
                raise exchange.error from None
            error = provider_error(exc)
            logger.warning("Bedrock stream failed (%s): %s", error.code, _describe(exc))
            raise error from None
        finally:
            # Runs on normal end, on error, on aclose() and on task cancellation alike.
            exchange.cancel(state.http)
            state.exchanges.discard(exchange)
            if job is None or job.done():
                state.slots.release()
            else:
                # The worker is still inside botocore (a back-off, a request being dropped): the slot
                # stays taken until it returns, so no more than max_concurrency calls run at once.
                job.add_done_callback(lambda _: _call_soon(loop, state.slots.release))

    def close(self) -> None:
        """End running and queued replies with an error, and drop the connections and threads."""
        closed = _closed_error()
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
        self._executor.shutdown(wait=False)
        with self._client_lock:
            client = self._client
        if client is not None:
            client.close()


class _EventStreamBuffer(EventStreamBuffer):
    """botocore's event-stream framing and CRC checks, with each distinct header block parsed once.

    A stream repeats a handful of header blocks (event type, content type, message type), and parsing
    them field by field was half of botocore's decoding cost per event. botocore reads the block only
    after checking the whole message's CRC, and its parse is a pure function of the bytes, so the memo
    returns what parsing would; a block that fails to parse is not memoised and fails every time.
    """

    def _parse_headers(self) -> dict[str, Any]:
        return dict(_parse_header_block(self._data[_PRELUDE_LENGTH : self._prelude.headers_end]))


@functools.lru_cache(maxsize=256)
def _parse_header_block(block: bytes) -> dict[str, Any]:
    return EventStreamHeaderParser().parse(block)


def _delta_text(message: Any) -> str | None:
    """A `contentBlockDelta` event's text read straight from its JSON payload; None for other messages.

    botocore has already checked the message's framing and CRCs; its shape-driven payload parsing
    would cost more than the rest of the delta's path to yield the same string. Every other message,
    exceptions included, goes through botocore's parser.
    """
    headers = message.headers
    if headers.get(":message-type") != "event" or headers.get(":event-type") != "contentBlockDelta":
        return None
    delta = json.loads(message.payload).get("delta")
    return delta.get("text", "") if isinstance(delta, dict) else ""


def _record(event: dict[str, Any], outcome: StreamOutcome) -> None:
    """Copy what a non-text stream event says about the reply into `outcome`."""
    if "requestId" in event:
        outcome.extra["request_id"] = event["requestId"]
    if "messageStop" in event:
        # "max_tokens" here means the reply was cut off; the pipeline reports the truncation.
        outcome.stop_reason = event["messageStop"].get("stopReason")
    if "metadata" in event:
        usage = event["metadata"].get("usage", {})
        metrics = event["metadata"].get("metrics", {})
        outcome.input_tokens = usage.get("inputTokens")
        outcome.output_tokens = usage.get("outputTokens")
        outcome.latency_ms = metrics.get("latencyMs")
