"""The hand-off between the event loop and botocore's worker threads, and who owns what across it.

boto3 is synchronous: each reply's `converse_stream` call runs on a thread of the provider's own
`ThreadBridge` executor (never asgiref's shared one), where botocore resolves credentials, signs,
sends and retries. The bytes travel on the loop's own connections instead (`http_pool`). One call
crosses four times:

1. loop → thread: `ThreadBridge.call` submits the call and the loop awaits it.
2. thread → loop: botocore's before-send hook (`ThreadBridge.send_on_loop`) runs `LoopState.open` on
   the loop and blocks until the response headers are in (or the loop gives up on the request).
3. loop → thread: `open` hands botocore an `AWSResponse`: an error document botocore parses and may
   retry (back to 2), or the streaming headers with an empty body.
4. thread → loop: the call returns its parsed response, and the loop reads the event stream from
   `Exchange.connection` itself: no thread wakes up per event.

Who owns what: the loop owns `LoopState` (its connections, slots and open exchanges) and is the only
writer of an `Exchange`; a worker thread only reads `Exchange.cancelled`, to give up early (a stale
read costs one request that `open` then drops). A reply's slot is held until both sides are done: if
the reply ends while its thread is still inside botocore (a back-off, a request being dropped), the
thread's completion frees the slot on the loop, so no more than `max_concurrency` calls ever run.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore import exceptions as boto_errors
from botocore.awsrequest import AWSResponse

from chat.providers.base import ProviderError
from chat.providers.bedrock import http_connection
from chat.providers.bedrock.errors import closed_error
from chat.providers.bedrock.http_connection import Connection
from chat.providers.bedrock.http_pool import LoopHTTP
from chat.providers.bedrock.slots import Slots


class Cancelled(Exception):
    """The reply was cancelled while botocore was still sending its request (never retried)."""


class Exchange:
    """One reply's Bedrock exchange: written by the event loop, `cancelled` read by its worker thread."""

    def __init__(self) -> None:
        #: The request on its way (a task on the loop) until its response headers are in.
        self.sending: asyncio.Task[Any] | None = None
        #: The streaming response, once botocore has accepted it.
        self.connection: Connection | None = None
        #: The worker thread's call, once submitted.
        self.job: futures.Future[dict[str, Any]] | None = None
        self.cancelled = False
        #: Set by close(): the error the reply ends with instead of whatever the hang-up causes.
        self.error: ProviderError | None = None

    def cancel(self, http: LoopHTTP, error: ProviderError | None = None) -> None:
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


class LoopState:
    """What the provider keeps per event loop: its connections, its slots and its open exchanges."""

    def __init__(self, loop: asyncio.AbstractEventLoop, http: LoopHTTP, slots: int) -> None:
        self.loop = loop
        self.http = http
        self.slots = Slots(slots)
        self.exchanges: set[Exchange] = set()

    async def begin(self) -> Exchange:
        """A new exchange holding one of this loop's slots, once one is free (event loop)."""
        await self.slots.acquire()
        exchange = Exchange()
        self.exchanges.add(exchange)
        return exchange

    def end(self, exchange: Exchange) -> None:
        """Hang up the exchange; free its slot now, or once its worker thread is out of botocore (event loop)."""
        exchange.cancel(self.http)
        self.exchanges.discard(exchange)
        job = exchange.job
        if job is None or job.done():
            self.slots.release()
        else:
            job.add_done_callback(lambda _: _call_soon(self.loop, self.slots.release))

    async def open(self, request: Any, exchange: Exchange) -> AWSResponse:
        """Send botocore's prepared request (event loop); failures become botocore's own exceptions."""
        if exchange.cancelled:
            raise Cancelled()
        exchange.sending = asyncio.current_task()
        url = request.url
        try:
            connection = await self.http.request(request.method, url, request.headers, _body_bytes(request.body))
            status, headers = connection.status, connection.headers
            if status >= 300:
                # botocore parses the error document and decides whether to retry.
                try:
                    body = await connection.read_all(http_connection.MAX_ERROR_BODY)
                finally:
                    self.http.release(connection)
                return AWSResponse(url, status, headers, _Body(body))
        except http_connection.ConnectTimedOut as exc:
            raise boto_errors.ConnectTimeoutError(endpoint_url=url, error=exc) from exc
        except http_connection.ReadTimedOut as exc:
            raise boto_errors.ReadTimeoutError(endpoint_url=url, error=exc) from exc
        except http_connection.TLSFailed as exc:
            raise boto_errors.SSLError(endpoint_url=url, error=exc) from exc
        except http_connection.ConnectFailed as exc:
            raise boto_errors.EndpointConnectionError(endpoint_url=url, error=exc) from exc
        except http_connection.ConnectionBroken as exc:
            raise boto_errors.ConnectionClosedError(endpoint_url=url, error=exc) from exc
        finally:
            exchange.sending = None
        if exchange.cancelled:
            self.http.release(connection)
            raise Cancelled()
        assert exchange.connection is None, "botocore accepts one response per call"
        exchange.connection = connection
        return AWSResponse(url, status, headers, _Body(b""))

    def shut_down(self, error: ProviderError) -> None:
        """End every reply on this loop with `error` and drop the connections (event loop)."""
        self.slots.close(error)
        for exchange in list(self.exchanges):
            exchange.cancel(self.http, error)
        self.http.close()


class ThreadBridge:
    """The worker threads botocore's calls run on, and the before-send hook that sends their requests on the loop."""

    def __init__(self, *, max_workers: int, wait_bound: float) -> None:
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="bedrock-call")
        #: The loop enforces the timeouts; this bound only frees a thread if the loop itself stops.
        self._wait_bound = wait_bound
        self._calling = threading.local()

    async def call(self, state: LoopState, exchange: Exchange, function: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run `function` (a botocore call) on a worker thread, its requests sent on `state`'s loop (event loop)."""
        try:
            exchange.job = self._executor.submit(self._run, state, exchange, function)
        except RuntimeError:
            raise exchange.error or closed_error() from None  # close() shut the executor down
        return await asyncio.wrap_future(exchange.job)

    def send_on_loop(self, request: Any, **_: Any) -> AWSResponse:
        """botocore's before-send hook (worker thread): send the signed request on the event loop."""
        state, exchange = self._calling.target
        if exchange.cancelled:
            raise Cancelled()
        try:
            sending = asyncio.run_coroutine_threadsafe(state.open(request, exchange), state.loop)
        except RuntimeError:
            raise Cancelled() from None  # the loop has closed
        futures.wait([sending], timeout=self._wait_bound)
        if not sending.done() or sending.cancelled():
            sending.cancel()
            raise Cancelled()
        return sending.result()

    def close(self) -> None:
        """Refuse new calls; threads inside botocore finish on their own."""
        self._executor.shutdown(wait=False)

    def _run(self, state: LoopState, exchange: Exchange, function: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run the call with this thread's hook target set (worker thread)."""
        if exchange.cancelled:
            raise Cancelled()
        self._calling.target = (state, exchange)
        try:
            return function()
        finally:
            self._calling.target = None


class _Body:
    """An already-read response body, in the shape botocore reads bodies from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        """Yield the whole body at once."""
        yield self._data

    def close(self) -> None:
        """Nothing to release: the connection went back to the pool already."""


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], Any]) -> None:
    """Run `callback` on `loop` from any thread, unless the loop has closed."""
    try:
        loop.call_soon_threadsafe(callback)
    except RuntimeError:
        pass


def _body_bytes(body: Any) -> bytes:
    """botocore's prepared body (None, bytes, str or a file-like object) as bytes."""
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    return body.read()
