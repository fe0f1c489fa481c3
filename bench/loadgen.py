"""Load generator for the chat socket: N traders, N sockets, one message each at the same moment.

    python -m bench.loadgen --url http://127.0.0.1:8000 --replies 100 --server-pid 1234 \
        --pace-chars 12 --pace-ms 20 --sessions-from-db      # server's env (DATABASE_URL …) in this env

    python -m bench.loadgen --url http://127.0.0.1:8000 --idle 1000 --server-pid 1234 --sessions-from-db

It drives an already running server whose provider is the test suite's Bedrock fake (or the offline
strategist) at a fixed pace, so the model's own time per reply is known: the fake sends the reply
(`tests.fakes.bedrock.strategy_reply`) in deltas of `pace_chars` characters, `pace_ms` apart, so
model time = ceil(chars / pace_chars) × pace_ms and every latency is also given as a ratio to it.
It imports nothing of the project, only `websockets` (setting traders up runs `manage.py shell` as a
subprocess), so the client side of the benchmark stays in this one file, over 300 lines.

Per reply it records the time from the send to `message_start`, to the first `content_chunk` and to
`message_complete`, the largest gap between chunks, error frames and failures (no `message_complete`
within the timeout, a closed socket, a reply not `complete`, or no strategy). Around the burst it reads
the server processes' RSS (`/proc/<pid>/status` VmRSS) and CPU time (`/proc/<pid>/stat` utime+stime),
so server CPU per model delta = CPU used / (replies × deltas per reply).

Traders: `--sessions-from-db` creates N users and a logged-in session for each with one
`manage.py shell` call in this process's environment (which must name the server's DATABASE_URL); it
skips password hashing, which would otherwise dominate setup (Django's PBKDF2 costs ~0.3 s a login).
`--login` instead logs each trader in over HTTP like a browser (POST /accounts/login/ with the CSRF
token), with bounded concurrency; their accounts must exist with `--password-env`'s password
(`--create-users` creates them first through the same shell call).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MESSAGE = "I have $1000, please choose a high-return strategy"
DEFAULT_PASSWORD = "bench-password-not-secret-1"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# --- the server's database, through one `manage.py shell` call ------------------------------------

_SHELL_CODE = r"""
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
args = ARGS
User = get_user_model()
out = {}
if args["op"] == "counts":
    from django.apps import apps
    out = {label: apps.get_model(label).objects.count() for label in args["models"]}
else:
    names = [f"{args['prefix']}{i:05d}" for i in range(args["n"])]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    hashed = make_password(args["password"])
    with transaction.atomic():
        User.objects.bulk_create([User(username=name, password=hashed) for name in names if name not in existing])
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        keys = []
        if args["sessions"]:
            for name in names:
                user = users[name]
                store = SessionStore()
                store["_auth_user_id"] = str(user.pk)
                store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
                store["_auth_user_hash"] = user.get_session_auth_hash()
                store.create()
                keys.append(store.session_key)
    out = {"usernames": names, "session_keys": keys}
print("BENCH-JSON " + json.dumps(out))
"""


def manage_shell(args: dict[str, Any], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run the bench's helper code in `manage.py shell` (the server's settings and database)."""
    code = _SHELL_CODE.replace("ARGS", repr(json.dumps(args)).join(("json.loads(", ")")))
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT, env=env or os.environ.copy(), capture_output=True, text=True, check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON "):])
    raise RuntimeError(f"manage.py shell failed ({result.returncode}): {result.stderr[-2000:]}")


def create_traders(
    n: int, *, prefix: str = "bench", password: str = DEFAULT_PASSWORD, sessions: bool = True,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Create N traders (existing ones are kept) and, with `sessions`, one logged-in session each."""
    return manage_shell({"op": "traders", "n": n, "prefix": prefix, "password": password, "sessions": sessions}, env=env)


DB_MODELS = ["chat.Conversation", "chat.Message", "strategies.Strategy", "strategies.StrategyVersion"]


def db_counts(env: dict[str, str] | None = None) -> dict[str, int]:
    """Row counts of the tables a reply writes."""
    return manage_shell({"op": "counts", "models": DB_MODELS}, env=env)


async def login_all(base_url: str, usernames: list[str], password: str, *, concurrency: int = 4) -> list[str]:
    """Log every trader in over HTTP, `concurrency` at a time; their Cookie headers."""
    from chat.client import login

    gate = asyncio.Semaphore(concurrency)

    async def one(name: str) -> str:
        async with gate:
            return await asyncio.to_thread(login, base_url, name, password)

    return list(await asyncio.gather(*(one(name) for name in usernames)))


# --- the server processes --------------------------------------------------------------------------


def proc_rss_kib(pid: int) -> int:
    """Resident set size of a process, KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def proc_cpu_s(pid: int, *, main_thread_only: bool = False, system_only: bool = False) -> float:
    """CPU seconds a process has used (all its threads, or only its main thread; user + system, or system)."""
    stat = Path(f"/proc/{pid}/task/{pid}/stat" if main_thread_only else f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    user, system = int(fields[11]), int(fields[12])
    return (system if system_only else user + system) / CLK_TCK


def sample(pids: list[int], loop_pids: list[int] | None = None) -> dict[str, float]:
    """RSS and CPU of the processes; `loop_cpu_s` is the main threads' of `loop_pids` (default: all),
    which for daphne workers is the event loop."""
    return {
        "rss_kib": sum(proc_rss_kib(p) for p in pids),
        "cpu_s": sum(proc_cpu_s(p) for p in pids),
        "loop_cpu_s": sum(
            proc_cpu_s(p, main_thread_only=True) for p in (pids if loop_pids is None else loop_pids)
        ),
        "system_cpu_s": sum(proc_cpu_s(p, system_only=True) for p in pids),
    }


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- the model's own time ----------------------------------------------------------------------


def model_reply(message: str) -> str:
    """The text the Bedrock fake's CLI answers `message` with."""
    from tests.fakes.bedrock import capital_from, strategy_reply

    return strategy_reply(capital_from(message))


def model_deltas(message: str, pace_chars: int) -> int:
    return math.ceil(len(model_reply(message)) / pace_chars)


def model_time_s(message: str, pace_chars: int, pace_ms: float) -> float:
    """The model's own time per reply: deltas × pace (the fake's first delta is immediate, so this is
    one pace longer than the fake's pure streaming time, ~0.5 % at the standard pace)."""
    return model_deltas(message, pace_chars) * pace_ms / 1000


# --- one reply per socket ----------------------------------------------------------------------


@dataclass
class Reply:
    index: int
    sent: float = 0.0
    received: float | None = None
    start: float | None = None
    first_chunk: float | None = None
    complete: float | None = None
    chunks: int = 0
    progress: int = 0  # strategy_progress frames
    max_gap: float = 0.0
    status: str | None = None
    errors: list[str] = field(default_factory=list)
    failure: str | None = None

    def rel(self, t: float | None) -> float | None:
        return None if t is None else t - self.sent


def ws_url(base_url: str, path: str = "/ws/chat/") -> str:
    return base_url.replace("http", "ws", 1).rstrip("/") + path


async def open_socket(base_url: str, cookie: str, *, attempts: int = 5) -> Any:
    """A connected socket (compression off, the server's own origin), retrying refused connects."""
    headers = {"Cookie": cookie, "Origin": base_url}
    for attempt in range(attempts):
        try:
            return await websockets.connect(
                ws_url(base_url), additional_headers=headers, compression=None,
                open_timeout=30, ping_interval=None, close_timeout=2, max_queue=None,
            )
        except (OSError, asyncio.TimeoutError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


async def open_sockets(base_url: str | list[str], cookies: list[str], *, concurrency: int = 32) -> list[Any]:
    """Open one socket per cookie, `concurrency` handshakes at a time (daphne's listen backlog is 50).

    Several base URLs (one per worker) take the sockets round-robin, like a balancer would."""
    urls = [base_url] if isinstance(base_url, str) else base_url
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int, cookie: str) -> Any:
        async with gate:
            return await open_socket(urls[i % len(urls)], cookie)

    return list(await asyncio.gather(*(one(i, c) for i, c in enumerate(cookies))))


async def read_reply(socket: Any, reply: Reply, deadline: float) -> None:
    """Read frames until `message_complete` (or failure), recording times."""
    last_chunk: float | None = None
    try:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                reply.failure = "timeout"
                return
            raw = await asyncio.wait_for(socket.recv(), remaining)
            now = time.perf_counter()
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "content_chunk":
                if reply.first_chunk is None:
                    reply.first_chunk = now
                elif last_chunk is not None:
                    reply.max_gap = max(reply.max_gap, now - last_chunk)
                last_chunk = now
                reply.chunks += 1
            elif kind == "strategy_progress":
                reply.progress += 1
            elif kind == "message_start":
                reply.start = now
            elif kind == "message_received":
                reply.received = now
            elif kind == "error":
                reply.errors.append(frame.get("code", "?"))
                reply.failure = f"error frame {frame.get('code')}"
                return
            elif kind == "message_complete":
                reply.complete = now
                reply.status = frame.get("status")
                if reply.status != "complete" or not frame.get("strategy_json"):
                    reply.failure = f"reply {reply.status}: {frame.get('error')}"
                return
    except asyncio.TimeoutError:
        reply.failure = "timeout"
    except websockets.ConnectionClosed as closed:
        reply.failure = f"socket closed ({closed.rcvd.code if closed.rcvd else 'no close frame'})"


def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) of values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


async def run_replies(
    base_url: str | list[str],
    cookies: list[str],
    *,
    server_pids: list[int],
    pace_chars: int,
    pace_ms: float,
    aside_pids: tuple[int, ...] = (),
    message: str = DEFAULT_MESSAGE,
    timeout: float = 120.0,
    warmup: bool = True,
    worker_pids: list[int] | None = None,
    start_profiling: bool = False,
) -> dict[str, Any]:
    """Open one socket per cookie, send one message on each at the same moment, and summarise.

    `aside_pids` (the model fake) share the machine: their CPU is reported, not counted as the server's.
    `worker_pids`: the daphne workers among `server_pids` (default: all of them), whose main threads are
    the event loops; with `start_profiling` (workers run by bench.profile_worker) they are told to start
    recording once the sockets are open.
    """
    raise_fd_limit()
    payload = json.dumps({"type": "message", "content": message})
    # The first reply on a worker imports modules, builds the boto3 client, etc.: not what a burst measures.
    for url in ([base_url] if isinstance(base_url, str) else base_url) if warmup else []:
        socket = await open_socket(url, cookies[0])
        await socket.send(payload)
        warm = Reply(-1, sent=time.perf_counter())
        await read_reply(socket, warm, time.perf_counter() + timeout)
        await socket.close()
        if warm.failure:
            raise RuntimeError(f"warm-up reply on {url} failed: {warm.failure}")
    t_open = time.perf_counter()
    sockets = await open_sockets(base_url, cookies)
    open_s = time.perf_counter() - t_open
    await asyncio.sleep(0.5)
    workers = server_pids if worker_pids is None else worker_pids
    for pid in workers if start_profiling else []:  # bench.profile_worker starts recording on SIGUSR1
        os.kill(pid, signal.SIGUSR1)
    before = sample(server_pids, workers)
    aside_before = sample(list(aside_pids))
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    replies = [Reply(i) for i in range(len(sockets))]
    deadline = time.perf_counter() + timeout
    readers = [asyncio.create_task(read_reply(s, r, deadline)) for s, r in zip(sockets, replies)]

    async def send(socket: Any, reply: Reply) -> None:
        reply.sent = time.perf_counter()
        try:
            await socket.send(payload)
        except websockets.ConnectionClosed:
            reply.failure = "socket closed before send"

    t0 = time.perf_counter()
    await asyncio.gather(*(send(s, r) for s, r in zip(sockets, replies)))
    await asyncio.gather(*readers)
    wall = time.perf_counter() - t0
    after = sample(server_pids, workers)
    aside_after = sample(list(aside_pids))
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)

    deltas = model_deltas(message, pace_chars)
    model_s = model_time_s(message, pace_chars, pace_ms)
    ok = [r for r in replies if r.failure is None]
    complete = [r.complete - r.sent for r in ok if r.complete is not None]
    first = [r.first_chunk - r.sent for r in replies if r.first_chunk is not None]
    received = [r.received - r.sent for r in replies if r.received is not None]
    start = [r.start - r.sent for r in replies if r.start is not None]
    gaps = [r.max_gap for r in ok]
    cpu = after["cpu_s"] - before["cpu_s"]
    failures: dict[str, int] = {}
    for r in replies:
        if r.failure:
            failures[r.failure] = failures.get(r.failure, 0) + 1
    summary = {
        "mode": "replies",
        "n": len(replies),
        "completed": len(ok),
        "failed": len(replies) - len(ok),
        "failures": failures,
        "error_frames": sum(len(r.errors) for r in replies),
        "model_s": model_s,
        "deltas_per_reply": deltas,
        "open_s": open_s,
        "wall_s": wall,
        "received_p50": pct(received, 50), "received_p99": pct(received, 99),
        "start_p50": pct(start, 50), "start_p99": pct(start, 99),
        "first_p50": pct(first, 50), "first_p99": pct(first, 99),
        "complete_p50": pct(complete, 50), "complete_p99": pct(complete, 99), "complete_max": pct(complete, 100),
        "ratio_p50": (pct(complete, 50) or 0) / model_s, "ratio_p99": (pct(complete, 99) or 0) / model_s,
        "gap_p99": pct(gaps, 99), "gap_max": pct(gaps, 100),
        "chunks_mean": statistics.mean(r.chunks for r in ok) if ok else 0,
        "progress_mean": statistics.mean(r.progress for r in ok) if ok else 0,
        "server_cpu_s": cpu,
        "server_loop_cpu_s": after["loop_cpu_s"] - before["loop_cpu_s"],
        "server_system_cpu_s": after["system_cpu_s"] - before["system_cpu_s"],
        "server_cpu_us_per_delta": cpu / (len(replies) * deltas) * 1e6,
        "server_loop_cpu_share": (after["loop_cpu_s"] - before["loop_cpu_s"]) / cpu if cpu else 0,
        "server_cpu_util": cpu / wall,
        "client_cpu_s": (client_after.ru_utime + client_after.ru_stime)
        - (client_before.ru_utime + client_before.ru_stime),
        "aside_cpu_s": aside_after["cpu_s"] - aside_before["cpu_s"],
        "rss_before_kib": before["rss_kib"],
        "rss_after_kib": after["rss_kib"],
    }
    return summary


async def run_idle(
    base_url: str | list[str], cookies: list[str], n: int, *, server_pids: list[int], settle: float = 2.0
) -> dict[str, Any]:
    """Open N idle sockets (cookies reused round-robin) and measure the server's RSS per socket."""
    raise_fd_limit()
    warm = await open_sockets(base_url, [cookies[i % len(cookies)] for i in range(10)])
    await asyncio.sleep(settle)
    before = sample(server_pids)
    t0 = time.perf_counter()
    sockets = await open_sockets(base_url, [cookies[i % len(cookies)] for i in range(n)])
    open_s = time.perf_counter() - t0
    await asyncio.sleep(settle)
    after = sample(server_pids)
    alive = sum(1 for s in sockets if s.state == websockets.protocol.State.OPEN)
    await asyncio.gather(*(s.close() for s in [*sockets, *warm]), return_exceptions=True)
    return {
        "mode": "idle",
        "n": n,
        "open": alive,
        "open_s": open_s,
        "rss_before_kib": before["rss_kib"],
        "rss_after_kib": after["rss_kib"],
        "kib_per_socket": (after["rss_kib"] - before["rss_kib"]) / n,
        "cpu_s_to_open": after["cpu_s"] - before["cpu_s"],
    }


def _fmt(value: Any, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def table_row(label: str, s: dict[str, Any]) -> str:
    """One Markdown table row of a replies summary (see TABLE_HEADER)."""
    return (
        f"| {label} | {s['n']} | {s['completed']} | {s['failed']} | {_fmt(s['model_s'])} | "
        f"{_fmt(s['start_p99'])} | {_fmt(s['first_p99'])} | {_fmt(s['complete_p50'])} | {_fmt(s['complete_p99'])} | "
        f"{_fmt(s['ratio_p50'], '.3f')} | {_fmt(s['ratio_p99'], '.3f')} | {_fmt((s['gap_p99'] or 0) * 1000, '.0f')} | "
        f"{_fmt(s['server_cpu_us_per_delta'], '.0f')} | {_fmt(s['server_cpu_util'] * 100, '.0f')} % | "
        f"{_fmt(s['server_loop_cpu_share'] * 100, '.0f')} % | "
        f"{s['rss_before_kib'] / 1024:.0f} → {s['rss_after_kib'] / 1024:.0f} |"
    )


TABLE_HEADER = (
    "| run | replies | completed | failed | model s | start p99 s | first chunk p99 s | complete p50 s | "
    "complete p99 s | p50 ÷ model | p99 ÷ model | chunk gap p99 ms | server CPU µs/delta | server CPU | "
    "of it event loop | server RSS MiB |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat socket load generator (see module docstring).")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--replies", type=int, help="N traders each send one message at the same moment")
    mode.add_argument("--idle", type=int, help="open N idle sockets and measure RSS per socket")
    parser.add_argument("--server-pid", type=int, action="append", default=[], help="server process (repeatable)")
    parser.add_argument("--pace-chars", type=int, default=12)
    parser.add_argument("--pace-ms", type=float, default=20)
    parser.add_argument("--message", default=DEFAULT_MESSAGE)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--prefix", default="bench")
    auth = parser.add_mutually_exclusive_group(required=True)
    auth.add_argument("--sessions-from-db", action="store_true", help="mint sessions with manage.py shell")
    auth.add_argument("--login", action="store_true", help="log in over HTTP (accounts must exist)")
    parser.add_argument("--create-users", action="store_true", help="with --login: create the accounts first")
    parser.add_argument("--password-env", help="with --login: variable holding the traders' password")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON too")
    args = parser.parse_args(argv)
    base_url = args.url.rstrip("/")
    n = args.replies or min(args.idle, 100)
    password = os.environ.get(args.password_env, "") if args.password_env else DEFAULT_PASSWORD
    if args.sessions_from_db:
        cookies = [f"sessionid={key}" for key in create_traders(n, prefix=args.prefix)["session_keys"]]
    else:
        names = [f"{args.prefix}{i:05d}" for i in range(n)]
        if args.create_users:
            create_traders(n, prefix=args.prefix, password=password, sessions=False)
        cookies = asyncio.run(login_all(base_url, names, password))
    if args.replies:
        summary = asyncio.run(run_replies(
            base_url, cookies, server_pids=args.server_pid, pace_chars=args.pace_chars, pace_ms=args.pace_ms,
            message=args.message, timeout=args.timeout,
        ))
        print(TABLE_HEADER)
        print(table_row(f"{args.replies} replies", summary))
    else:
        summary = asyncio.run(run_idle(base_url, cookies, args.idle, server_pids=args.server_pid))
        print(f"idle sockets: {summary['open']}/{summary['n']} open, "
              f"{summary['kib_per_socket']:.1f} KiB RSS per socket")
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0 if summary.get("failed", 0) == 0 and summary.get("open", summary["n"]) == summary["n"] else 1


if __name__ == "__main__":
    sys.exit(main())
