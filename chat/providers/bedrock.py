"""The AWS Bedrock provider: streams Claude replies through the Converse API without blocking the loop.

boto3 is synchronous, so each reply's `converse_stream` call and event iteration run in a dedicated
thread of this provider's own executor (never asgiref's shared one), sized together with botocore's
connection pool so `max_concurrency` replies stream side by side. Worker threads hand events to the
event loop through one `_Relay` per loop, which wakes it once per batch for all streams; the loop side
turns them into text deltas and fills the `StreamOutcome`. Every failure becomes a `ProviderError` a
trader can read. Django-free: the integrator passes settings to the constructor.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import urllib3.exceptions
from botocore import exceptions as boto_errors
from botocore.config import Config

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
    """Translate a boto3/botocore/urllib3 failure into a ProviderError a trader can read."""
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
    if isinstance(exc, (boto_errors.ReadTimeoutError, urllib3.exceptions.ReadTimeoutError, TimeoutError)):
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
                        urllib3.exceptions.HTTPError, ConnectionError)):
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


class _Relay:
    """Carries items from every worker thread to one event loop: one wake-up per batch, for all streams.

    With hundreds of replies streaming, a wake-up per stream per event (a syscall on the thread side,
    a selector round on the loop side) costs more than the event itself; under load the loop instead
    finds every stream's new events in one batch.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._items: list[tuple[_EventPipe, str, Any]] = []
        self._wake_scheduled = False

    def put(self, pipe: _EventPipe, kind: str, value: Any) -> None:
        """Queue an item for `pipe` (worker thread); wake the loop unless a wake-up is already on its way."""
        with self._lock:
            self._items.append((pipe, kind, value))
            if self._wake_scheduled:
                return
            self._wake_scheduled = True
        try:
            self._loop.call_soon_threadsafe(self._deliver)
        except RuntimeError:
            # The loop closed: nobody is listening any more.
            pass

    def _deliver(self) -> None:
        with self._lock:
            items, self._items = self._items, []
            self._wake_scheduled = False
        for pipe, kind, value in items:
            pipe.arrived(kind, value)


class _EventPipe:
    """One stream's items, put by its worker thread through the loop's `_Relay`, taken by the loop."""

    def __init__(self, relay: _Relay) -> None:
        self._relay = relay
        self._items: list[tuple[str, Any]] = []
        self._ready = asyncio.Event()

    def put(self, kind: str, value: Any = None) -> None:
        """Queue an item (worker thread)."""
        self._relay.put(self, kind, value)

    def arrived(self, kind: str, value: Any) -> None:
        """Take an item the relay delivers (event loop)."""
        self._items.append((kind, value))
        self._ready.set()

    async def get(self) -> list[tuple[str, Any]]:
        """Wait for items (event loop) and take all that have arrived."""
        await self._ready.wait()
        items, self._items = self._items, []
        self._ready.clear()
        return items


class _StreamHandle:
    """One reply's cancellation flag and, while it streams, the HTTP response the loop may cut."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._raw: Any = None

    def attach(self, event_stream: Any) -> bool:
        """Remember the stream's HTTP response; False if the reply was already cancelled."""
        with self._lock:
            # EventStream keeps its urllib3 response privately; without it cancel() still works
            # through `stop`, just only between events.
            self._raw = getattr(event_stream, "_raw_stream", None)
            return not self.stop.is_set()

    def detach(self) -> None:
        """Forget the HTTP response before it can go back to the connection pool."""
        with self._lock:
            self._raw = None

    def cancel(self) -> None:
        """Ask the worker to stop, and wake it if it is blocked reading a silent stream."""
        self.stop.set()
        with self._lock:
            raw, self._raw = self._raw, None
            if raw is None:
                return
            try:
                # urllib3's shutdown() (SHUT_RD) makes a blocked read return at once; it refuses a
                # connection already released to the pool, so it can't touch another reply's socket.
                raw.shutdown()
            except (AttributeError, ValueError, RuntimeError, OSError):
                pass


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
        self._executor = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="bedrock-stream")
        self._lock = threading.Lock()
        # A separate lock for the slow client creation, so the event loop never waits on it.
        self._client_lock = threading.Lock()
        self._client: Any = None
        self._streams: dict[_StreamHandle, _EventPipe] = {}
        # One relay per event loop (each test runs its own); a closed loop's relay goes with it.
        self._relays: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Relay] = weakref.WeakKeyDictionary()
        self._active = 0
        self._closed = False

    @property
    def active_streams(self) -> int:
        """How many worker threads are busy with a Bedrock call right now."""
        with self._lock:
            return self._active

    def _get_client(self) -> Any:
        """The shared bedrock-runtime client, created on first use (in a worker thread)."""
        with self._client_lock:
            if self._client is None:
                # boto3 reads AWS_DEFAULT_REGION but not AWS_REGION, the variable the seed documents.
                region = self.region or os.environ.get("AWS_REGION") or None
                config = Config(
                    max_pool_connections=self.max_concurrency,
                    read_timeout=self.read_timeout,
                    connect_timeout=self.connect_timeout,
                    # "standard" retries only before the stream starts (throttling, 5xx, connection
                    # errors); total_max_attempts counts the first try, unlike "max_attempts".
                    retries={"mode": "standard", "total_max_attempts": self.max_attempts},
                    user_agent_appid="vibewater",
                )
                session = boto3.session.Session(region_name=region)
                self._client = session.client("bedrock-runtime", config=config)
            return self._client

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
        handle = _StreamHandle()
        with self._lock:
            if self._closed:
                raise ProviderError(f"The model service is shutting down. {_TRY_AGAIN}", code="closed")
            relay = self._relays.get(loop)
            if relay is None:
                relay = self._relays[loop] = _Relay(loop)
            pipe = _EventPipe(relay)
            self._streams[handle] = pipe
        try:
            try:
                self._executor.submit(self._pump, call, pipe, handle)
            except RuntimeError:
                # close() shut the executor down between the check above and this call.
                raise ProviderError(f"The model service is shutting down. {_TRY_AGAIN}", code="closed")
            while True:
                texts: list[str] = []
                error: ProviderError | None = None
                done = False
                for kind, value in await pipe.get():
                    if kind == "text":
                        texts.append(value)
                    elif kind == "event":
                        _record(value, outcome)
                    elif kind == "error":
                        error = value
                    elif kind == "done":
                        done = True
                if texts:
                    # Deltas that arrived together go out as one, so a busy loop does less work.
                    yield "".join(texts)
                if error is not None:
                    raise error
                if done:
                    return
        finally:
            # Runs on normal end, on error, on aclose() and on task cancellation alike.
            handle.cancel()
            with self._lock:
                self._streams.pop(handle, None)

    def _pump(self, call: dict[str, Any], pipe: _EventPipe, handle: _StreamHandle) -> None:
        """Run one converse_stream call and forward its events (worker thread)."""
        with self._lock:
            self._active += 1
        event_stream: Any = None
        try:
            if handle.stop.is_set():
                return
            response = self._get_client().converse_stream(**call)
            event_stream = response["stream"]
            pipe.put("event", {"requestId": response.get("ResponseMetadata", {}).get("RequestId")})
            if not handle.attach(event_stream):
                return
            stopped = False
            for event in event_stream:
                if handle.stop.is_set():
                    return
                delta = event.get("contentBlockDelta")
                if delta is not None:
                    text = delta.get("delta", {}).get("text")
                    if text:
                        pipe.put("text", text)
                    continue
                if "messageStop" in event:
                    # Only metadata follows; stop offering the socket to cancel() before urllib3
                    # returns the connection to the pool.
                    handle.detach()
                    stopped = True
                pipe.put("event", event)
            if not stopped:
                # Bedrock always ends a complete reply with messageStop; without it the body was cut.
                raise ProviderError(f"The model's reply ended unexpectedly. {_TRY_AGAIN}", code="incomplete")
            pipe.put("done")
        except Exception as exc:
            if handle.stop.is_set():
                # The consumer is gone; errors from the interrupted read are expected.
                return
            error = provider_error(exc)
            logger.warning("Bedrock stream failed (%s): %s", error.code, _describe(exc))
            pipe.put("error", error)
        finally:
            handle.detach()
            if event_stream is not None:
                # Closes the HTTP connection when the body was not read to the end.
                event_stream.close()
            with self._lock:
                self._active -= 1

    def close(self) -> None:
        """Cancel running streams, stop the worker threads and close the HTTP connections."""
        with self._lock:
            self._closed = True
            streams = list(self._streams.items())
        closed = ProviderError(f"The model service is shutting down. {_TRY_AGAIN}", code="closed")
        for handle, pipe in streams:
            handle.cancel()
            # A reply whose job never started would otherwise wait for its worker forever.
            pipe.put("error", closed)
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._client_lock:
            client = self._client
        if client is not None:
            client.close()


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
