"""A local stand-in for Binance's public spot API, replaying recorded responses over real HTTP.

It serves `GET /api/v3/exchangeInfo` and `GET /api/v3/klines` from `tests/fixtures/binance/`, the klines
sliced by `startTime`, `endTime` and `limit` as Binance does, and records every request. Told to,
it answers the klines requests after the first few with Binance's HTTP 429 ("Too many requests").
ccxt is pointed at it through the public API URL (`fetch_prices --api-url`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "binance"
RATE_LIMITED = {
    "code": -1003,
    "msg": "Too many requests; current limit of IP(127.0.0.1) request weight is 6000 per MINUTE.",
}


@dataclass
class FakeBinance:
    """What the fake serves and what it was asked."""

    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    #: After this many klines answers, every further klines request gets HTTP 429 (None: never).
    klines_before_429: int | None = None

    def klines_requests(self) -> list[dict[str, str]]:
        """The query of every klines request, in order."""
        return [query for path, query in self.requests if path == "/api/v3/klines"]


def _handler(fake: FakeBinance) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one fake."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            """Answer one request from the fixtures."""
            parts = urlsplit(self.path)
            query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
            fake.requests.append((parts.path, query))
            if parts.path == "/api/v3/exchangeInfo":
                self._send(200, json.loads((FIXTURES / "exchangeInfo.json").read_text()))
            elif parts.path == "/api/v3/klines":
                served = len(fake.klines_requests()) - 1
                if fake.klines_before_429 is not None and served >= fake.klines_before_429:
                    self._send(429, RATE_LIMITED, {"Retry-After": "60"})
                else:
                    self._send(200, _klines(query))
            else:
                self._send(404, {"code": -1, "msg": f"No route {parts.path}"})

        def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
            """Write a JSON response."""
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            """Stay quiet: the test reads `fake.requests`."""

    return Handler


def _klines(query: dict[str, str]) -> list[list[object]]:
    """The recorded klines of the symbol and interval asked for, within startTime/endTime, at most `limit`."""
    path = FIXTURES / f"klines_{query['symbol']}_{query['interval']}.json"
    rows = json.loads(path.read_text()) if path.exists() else []
    start, end = int(query.get("startTime", 0)), int(query.get("endTime", 2**63))
    return [row for row in rows if start <= row[0] <= end][: int(query.get("limit", 500))]


@contextmanager
def fake_binance(*, klines_before_429: int | None = None) -> Iterator[FakeBinance]:
    """Serve a FakeBinance on a free loopback port for the duration of the block."""
    fake = FakeBinance(klines_before_429=klines_before_429)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/v3"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
