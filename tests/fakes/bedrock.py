"""A wire-accurate local fake of Bedrock Runtime's ConverseStream, for tests and manual runs.

`FakeBedrock` serves `POST /model/{modelId}/converse-stream` on 127.0.0.1 (HTTP or HTTPS with a
self-signed certificate) and answers with real AWS event-stream framing, so unmodified boto3 talks to
it through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`. Each request plays a `Script`: stream text in paced
chunks, fail before the stream with an HTTP error, raise an exception event mid-stream, or stall.
Every request is recorded (headers, JSON body, whether the client hung up) for assertions.

Run by hand: `python -m tests.fakes.bedrock --port 8765 --pace-chars 12 --pace-ms 20 [--tls]`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import heapq
import ipaddress
import itertools
import json
import os
import queue
import re
import select
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote

_PATH = re.compile(r"^/model/(?P<model_id>[^/]+)/converse-stream$")

#: HTTP status and `x-amzn-ErrorType` name Bedrock uses for each error raised before the stream.
HTTP_ERRORS: dict[int, str] = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}


@dataclass(frozen=True)
class Script:
    """How the fake answers one request.

    The text goes out as `contentBlockDelta` events of `chunk_chars` characters, `delay_s` apart.
    `fail_before` answers with that HTTP status instead of a stream (`error_type` overrides the
    `x-amzn-ErrorType` name picked from HTTP_ERRORS). `fail_after_chars` ends the
    stream with an `exception` event once that many characters went out (`exception=None`: just end
    the body there, without messageStop, like a cut-off stream). `stall_s` pauses once
    `stall_after_chars` characters went out (None: before the response headers are sent).
    """

    text: str = "<user_message>\nHello from the fake.\n</user_message>"
    chunk_chars: int = 12
    delay_s: float = 0.0
    stop_reason: str = "end_turn"
    fail_before: int | None = None
    error_type: str | None = None
    fail_after_chars: int | None = None
    exception: str | None = "throttlingException"
    stall_s: float | None = None
    stall_after_chars: int | None = 0
    usage: tuple[int, int] = (120, 80)
    latency_ms: int | None = None


@dataclass
class FakeRequest:
    """One request the fake received, with what happened to its connection."""

    path: str
    model_id: str
    headers: dict[str, str]
    body: dict[str, Any]
    disconnected: threading.Event = field(default_factory=threading.Event)
    completed: threading.Event = field(default_factory=threading.Event)

    @property
    def authorization(self) -> str:
        """The Authorization header as sent (empty when absent)."""
        return self.headers.get("authorization", "")

    def last_user_text(self) -> str:
        """The text of the last user message in the Converse body."""
        for message in reversed(self.body.get("messages", [])):
            if message.get("role") == "user":
                return "".join(block.get("text", "") for block in message.get("content", []))
        return ""


Responder = Callable[[FakeRequest], Script]


def encode_event(headers: dict[str, str], payload: bytes) -> bytes:
    """Frame one AWS event-stream message: prelude, CRCs, string headers (type 7) and payload."""
    header_bytes = b"".join(
        struct.pack(">B", len(name.encode())) + name.encode() + b"\x07"
        + struct.pack(">H", len(value.encode())) + value.encode()
        for name, value in headers.items()
    )
    total_length = 12 + len(header_bytes) + len(payload) + 4
    prelude = struct.pack(">II", total_length, len(header_bytes))
    prelude += struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + header_bytes + payload
    return message + struct.pack(">I", zlib.crc32(message) & 0xFFFFFFFF)


def _event(event_type: str, body: dict[str, Any]) -> bytes:
    """An `event` message; like real Bedrock, payloads carry a `p` padding field the SDK ignores."""
    payload = json.dumps({**body, "p": "abcdefghijklmnopqrstuvwxyzABCDEFGH"})
    return encode_event(
        {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"},
        payload.encode(),
    )


@functools.lru_cache(maxsize=4096)
def _delta(piece: str) -> bytes:
    """A `contentBlockDelta` event carrying `piece`; cached, since every benchmark reply is the same text."""
    return _event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}})


def _exception(exception_type: str, message: str) -> bytes:
    """An `exception` message, as Bedrock sends for errors after the stream started."""
    return encode_event(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": message}).encode(),
    )


def stream_events(script: Script) -> Iterator[bytes | float]:
    """The script's wire messages in order, with floats meaning "pause this many seconds"."""
    yield _event("messageStart", {"role": "assistant"})
    text, step, chars = script.text, max(1, script.chunk_chars), 0
    stall_pending = script.stall_s is not None and script.stall_after_chars is not None
    while True:
        if stall_pending and chars >= (script.stall_after_chars or 0):
            stall_pending = False
            yield float(script.stall_s or 0)
        if script.fail_after_chars is not None and chars >= script.fail_after_chars:
            if script.exception is not None:
                yield _exception(script.exception, f"Fake {script.exception} after {chars} characters.")
            return
        if chars >= len(text):
            break
        if chars and script.delay_s:
            yield float(script.delay_s)
        piece = text[chars : chars + step]
        yield _delta(piece)
        chars += len(piece)
    yield _event("contentBlockStop", {"contentBlockIndex": 0})
    yield _event("messageStop", {"stopReason": script.stop_reason})


def _chunk(data: bytes) -> bytes:
    """One event as its own HTTP chunk, so the client sees it at once."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def _chunked_body(script: Script, started: float) -> Iterator[bytes | float]:
    """The script's response body as HTTP chunks (pauses kept as floats), metadata, then the last chunk."""
    for item in stream_events(script):
        yield item if isinstance(item, float) else _chunk(item)
    failed = script.fail_after_chars is not None and script.fail_after_chars <= len(script.text)
    if not failed:
        latency = script.latency_ms
        if latency is None:
            latency = int((time.monotonic() - started) * 1000)
        input_tokens, output_tokens = script.usage
        usage = {"inputTokens": input_tokens, "outputTokens": output_tokens,
                 "totalTokens": input_tokens + output_tokens}
        yield _chunk(_event("metadata", {"usage": usage, "metrics": {"latencyMs": latency}}))
    yield b"0\r\n\r\n"


def _burst(sock: socket.socket, items: Iterator[bytes | float]) -> float | None:
    """Send items up to the next non-zero pause and return it; None once the items ran out."""
    for item in items:
        if isinstance(item, float):
            if item:
                return item
        else:
            sock.sendall(item)
    return None


def _peer_closed(sock: socket.socket) -> bool:
    """Whether a readable connection is a closed one (EOF, reset or TLS close)."""
    if isinstance(sock, ssl.SSLSocket):
        return True
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


@dataclass(eq=False)
class _Stream:
    """A response in progress: what is left to send, when it is next due, and how it ended."""

    sock: socket.socket
    items: Iterator[bytes | float]
    due: float
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False


class _Pacer:
    """One thread that times every paced response of a server and watches their clients for hang-ups.

    A thread per connection sleeping between deltas costs a wake-up (and a GIL hand-over) per delta;
    hundreds of benchmark streams made that most of a core. The pacer sleeps until the earliest due
    stream, writes every stream due by then, and notices hang-ups with one poll over all the sockets.
    Its thread starts with the first paced stream and ends when none is left. Writes block, so a
    client that stops reading without hanging up would, once its socket buffers fill, hold up
    every stream; no test client does that.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._incoming: list[_Stream] = []
        self._wake: int | None = None  # write end of the running thread's wake-up pipe

    def play(self, sock: socket.socket, items: Iterator[bytes | float]) -> None:
        """Send items with their pauses (floats, in seconds); ConnectionAbortedError if the client left.

        Writes up to the first pause in the caller's thread, then the pacer takes over while the
        caller waits, so the socket is never written by two threads at once.
        """
        try:
            pause = _burst(sock, items)
        except OSError as error:
            raise ConnectionAbortedError("client hung up") from error
        if pause is None:
            return
        stream = _Stream(sock, items, time.monotonic() + pause)
        with self._lock:
            self._incoming.append(stream)
            if self._wake is None:
                read_end, self._wake = os.pipe()
                os.set_blocking(self._wake, False)  # never block while holding the lock
                threading.Thread(
                    target=self._run, args=(read_end, self._wake), name="fake-bedrock-pacer", daemon=True
                ).start()
            else:
                with contextlib.suppress(BlockingIOError):  # a full pipe: a wake-up is pending anyway
                    os.write(self._wake, b"\0")
        stream.done.wait()
        if not stream.ok:
            raise ConnectionAbortedError("client hung up")

    def _run(self, wake: int, wake_write: int) -> None:
        """The pacer thread: pace streams until none is left; if it fails, fail its streams, not hang them."""
        streams: dict[int, _Stream] = {}
        try:
            self._pace(wake, streams)
        except BaseException:
            with self._lock:
                leftover, self._incoming, self._wake = self._incoming, [], None
            for stream in [*streams.values(), *leftover]:
                stream.done.set()  # not ok: its handler drops the connection
            raise
        finally:
            os.close(wake)
            os.close(wake_write)

    def _pace(self, wake: int, streams: dict[int, _Stream]) -> None:
        """Write due streams, sleep until the next one is due or a client hangs up, until none is left."""
        # poll, not select: a busy fake holds more than select's 1,024 file descriptors.
        poller = select.poll()
        poller.register(wake, select.POLLIN)
        heap: list[tuple[float, int, _Stream]] = []
        order = itertools.count()

        def finish(fd: int, stream: _Stream, ok: bool) -> None:
            poller.unregister(fd)
            del streams[fd]
            stream.ok = ok
            stream.done.set()

        while True:
            with self._lock:
                incoming, self._incoming = self._incoming, []
                if not incoming and not streams:
                    self._wake = None  # the next paced stream starts a new thread
                    return
            for stream in incoming:
                streams[stream.sock.fileno()] = stream
                poller.register(stream.sock, select.POLLIN)
                heapq.heappush(heap, (stream.due, next(order), stream))
            # poll() counts whole milliseconds; the rest is slept, so each stream goes out when it is due
            # (independent model servers do not line their deltas up, and neither does this fake).
            timeout = int(max(0.0, heap[0][0] - time.monotonic()) * 1000) if heap else None
            ready = poller.poll(timeout)
            if heap and not ready and (early := heap[0][0] - time.monotonic()) > 0:
                time.sleep(early)
            for fd, events in ready:
                if fd == wake:
                    os.read(wake, 4096)
                    continue
                stream = streams[fd]
                # A client awaiting our response sends nothing, so readability means it closed.
                if events & ~select.POLLIN or _peer_closed(stream.sock):
                    finish(fd, stream, ok=False)
                else:
                    poller.modify(fd, 0)  # it sent something early: stop watching rather than spin
            now = time.monotonic()
            while heap and heap[0][0] <= now:
                _, _, stream = heapq.heappop(heap)
                if stream.done.is_set():
                    continue  # its client hung up while it waited
                fd = stream.sock.fileno()
                try:
                    pause = _burst(stream.sock, stream.items)
                except OSError:
                    finish(fd, stream, ok=False)
                    continue
                if pause is None:
                    finish(fd, stream, ok=True)
                else:
                    # Keep each stream on its own beat; a pacer late by a whole pause restarts it from now.
                    stream.due += pause
                    if stream.due <= now:
                        stream.due = now + pause
                    heapq.heappush(heap, (stream.due, next(order), stream))


class _Handler(BaseHTTPRequestHandler):
    """Serves one connection; HTTP/1.1 so boto3 keeps connections alive as it does with AWS."""

    protocol_version = "HTTP/1.1"
    # Each event is a small write; without TCP_NODELAY one can sit behind the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        """Finish the TLS handshake in this connection's thread, not the accept loop."""
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet; tests read `FakeBedrock.requests` instead."""

    def do_POST(self) -> None:
        """Answer a ConverseStream call according to the next script."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        match = _PATH.match(self.path)
        if match is None:
            self._send_error(404, "UnknownOperationException", f"No route for {self.path}")
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_error(400, "ValidationException", "Malformed JSON body.")
            return
        request = FakeRequest(
            path=self.path,
            model_id=unquote(match["model_id"]),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
        )
        fake = self.server.fake
        fake._record(request)
        script = fake._script_for(request)
        try:
            self._play(request, script)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            request.disconnected.set()
            self.close_connection = True

    def _play(self, request: FakeRequest, script: Script) -> None:
        """Send the error or the event stream the script describes; pauses are the pacer's job."""
        started = time.monotonic()
        pacer = self.server.pacer
        if script.stall_s is not None and script.stall_after_chars is None:
            pacer.play(self.connection, iter([float(script.stall_s)]))
        if script.fail_before is not None:
            error_type = script.error_type or HTTP_ERRORS.get(script.fail_before, "InternalServerException")
            self._send_error(script.fail_before, error_type, f"Fake {error_type}.")
            request.completed.set()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        pacer.play(self.connection, _chunked_body(script, started))
        request.completed.set()

    def _send_error(self, status: int, error_type: str, message: str) -> None:
        """Answer before any stream, the way Bedrock's rest-json errors look."""
        payload = json.dumps({"message": message}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header(
            "x-amzn-ErrorType", f"{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/"
        )
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    """A threaded server with a deep accept backlog, so 60+ clients can connect at once."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, fake: FakeBedrock, port: int, tls: ssl.SSLContext | None) -> None:
        self.fake = fake
        self.pacer = _Pacer()
        self._tls = tls
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up (tests do it on purpose); report anything else."""
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def get_request(self) -> tuple[socket.socket, Any]:
        """Wrap accepted sockets in TLS without handshaking in the accept loop."""
        sock, address = super().get_request()
        if self._tls is not None:
            sock = self._tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address


def _write_self_signed_cert(directory: str) -> tuple[str, str]:
    """Create a self-signed certificate for 127.0.0.1 and localhost; return (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        # A self-signed CA certificate can serve as its own trust anchor in AWS_CA_BUNDLE.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path = os.path.join(directory, "fake-bedrock-cert.pem")
    key_path = os.path.join(directory, "fake-bedrock-key.pem")
    with open(cert_path, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert_path, key_path


class FakeBedrock:
    """A scriptable Bedrock Runtime on 127.0.0.1; use as a context manager or start()/stop().

    Scripts come from `push()`ed queue entries first, then `responder` (a callable given the
    request), then `default_script`.
    """

    def __init__(
        self,
        *,
        tls: bool = False,
        port: int = 0,
        default_script: Script | None = None,
        responder: Responder | None = None,
    ) -> None:
        self.tls = tls
        self.port = port
        self.default_script = default_script or Script()
        self.responder = responder
        self.requests: list[FakeRequest] = []
        self.ca_bundle: str | None = None
        self._scripts: queue.SimpleQueue[Script] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        """The endpoint URL to put in AWS_ENDPOINT_URL_BEDROCK_RUNTIME."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{'localhost' if self.tls else '127.0.0.1'}:{self.port}"

    def start(self) -> FakeBedrock:
        """Bind a port (random unless given), create the certificate if TLS, and serve."""
        context: ssl.SSLContext | None = None
        if self.tls:
            self._tempdir = tempfile.TemporaryDirectory(prefix="fake-bedrock-")
            cert_path, key_path = _write_self_signed_cert(self._tempdir.name)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert_path, key_path)
            self.ca_bundle = cert_path
        self._server = _Server(self, self.port, context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="fake-bedrock", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and remove the certificate files."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None

    def __enter__(self) -> FakeBedrock:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def push(self, *scripts: Script) -> None:
        """Queue scripts for the next requests, in order."""
        for script in scripts:
            self._scripts.put(script)

    def _record(self, request: FakeRequest) -> None:
        """Keep a received request for the tests."""
        with self._lock:
            self.requests.append(request)

    def _script_for(self, request: FakeRequest) -> Script:
        """Pick the script for a request: queued, then responder, then the default."""
        try:
            return self._scripts.get_nowait()
        except queue.Empty:
            pass
        if self.responder is not None:
            return self.responder(request)
        return self.default_script


def strategy_reply(capital: int = 1000) -> str:
    """A valid two-part strategy reply in the seed's format, sized for `capital` dollars."""
    strategy = {
        "account": {"workspace": "Vibe Water Associates", "section": "My Strategies"},
        "assistant_panel": {
            "greeting": "Hello",
            "user_request": f"I have ${capital}, please choose a high-return strategy",
            "assistant_reply": "A high-risk DeFi dip-buying strategy with a 7% target and a 5% stop.",
        },
        "flowchart": {
            "nodes": [
                {"id": "start", "type": "start", "label": "Start Strategy"},
                {"id": "category", "type": "category", "label": "Crypto Category: ",
                 "meta": {"category": "DeFi"}},
                {"id": "entry", "type": "entry_condition", "label": "Set Entry Condition: ",
                 "meta": {"mode": "ai_optimized", "rules": ["Enter on a 5% price drop"]}},
                {"id": "profit_target", "type": "take_profit", "label": "Profit Target: ",
                 "meta": {"target_pct": 7.0}},
                {"id": "stop_loss", "type": "stop_loss", "label": "Stop Loss: ",
                 "meta": {"stop_pct": 5.0, "added": True}},
                {"id": "end", "type": "end", "label": "End Strategy"},
            ],
            "edges": [
                ["start", "category"], ["category", "entry"], ["entry", "profit_target"],
                ["profit_target", "stop_loss"], ["stop_loss", "end"],
            ],
        },
        "degen_class": {"options": ["High", "Medium", "Low"], "selected": "High"},
        "strategy_metrics": {
            "impact_monthly_return_delta_pct": 7.0,
            "estimated_capital_required_usd": capital,
        },
        "guardrails": {
            "enabled": [
                {"key": "no_short_selling", "label": "No short selling", "status": "ok"},
                {"key": "high_risk_class", "label": "High risk asset class selected",
                 "status": "warning"},
            ],
            "violations": [],
        },
        "actions": {
            "explain_button": {"label": "Explain", "enabled": True},
            "run_backtest_button": {"label": "Run Backtest", "enabled": True},
        },
    }
    return (
        "<user_message>\n"
        f"I've built a high-return DeFi strategy for your ${capital:,}: it buys 5% dips, takes "
        "profit at 7% and cuts losses at 5%. It is a high-risk strategy, so the stop loss stays on. "
        "Run a backtest to see how it would have behaved.\n"
        "</user_message>\n\n"
        f"<backend>\n{json.dumps(strategy, indent=2)}\n</backend>"
    )


def capital_from(text: str, default: int = 1000) -> int:
    """The first dollar amount in a trader's message, e.g. "$5,000" → 5000."""
    match = re.search(r"\$\s?([\d,]+)", text)
    if match is None or not match[1].replace(",", ""):
        return default
    return int(match[1].replace(",", ""))


def _main() -> None:
    """Serve strategy replies paced like a real model until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pace-chars", type=int, default=12, help="characters per delta")
    parser.add_argument("--pace-ms", type=float, default=20, help="milliseconds between deltas")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed cert")
    args = parser.parse_args()

    def respond(request: FakeRequest) -> Script:
        return Script(
            text=strategy_reply(capital_from(request.last_user_text())),
            chunk_chars=args.pace_chars,
            delay_s=args.pace_ms / 1000,
        )

    fake = FakeBedrock(tls=args.tls, port=args.port, responder=respond).start()
    print(f"Fake Bedrock listening on {fake.url}", flush=True)
    print(f"  export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={fake.url}")
    if fake.ca_bundle:
        print(f"  export AWS_CA_BUNDLE={fake.ca_bundle}  # then AWS_BEARER_TOKEN_BEDROCK=anything")
    else:
        print("  export AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake AWS_REGION=us-east-1")
    print("  (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    _main()
