"""Run the standard benchmark matrix and print a table.

    .venv/bin/python -m bench.run_matrix                 # 1 worker, in-memory layer: 100 and 300 replies,
                                                         # 1,000 idle sockets, DB writes per reply
    .venv/bin/python -m bench.run_matrix --redis         # + 2 workers behind redis-server: 200 and 600 replies
    .venv/bin/python -m bench.run_matrix --redis --postgres   # the same matrix on PostgreSQL
    .venv/bin/python -m bench.run_matrix --smoke         # 5 replies at a fast pace (the smoke test)

Everything runs on this machine on free loopback ports in a temporary directory: the Bedrock fake
(`python -m tests.fakes.bedrock`, its own process, at `--pace-chars`/`--pace-ms`), a migrated SQLite
database (with `--postgres`, a throwaway PostgreSQL cluster, `tests.support.services.postgres_cluster`, and
", PostgreSQL" in the row labels), daphne worker(s) with production settings (`vibewater.settings`, DEBUG
off), redis-server for `--redis`, and the load generator (`bench.loadgen`) in this process. Each burst
gets freshly started workers, so the RSS before/after is that burst's. `--profile DIR` records each
burst's worker(s) with py-spy (must be installed: `pip install py-spy`; not a project requirement);
`--profile-threads DIR` runs them under yappi instead (`bench.profile_worker`: the event loop's thread
apart from the pool threads; `pip install yappi`).

One module, over 300 lines: it starts, measures and stops every process of a run, and those steps share
the run's ports, directories and environment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench import loadgen
from tests.support.services import free_port, postgres_bin, postgres_cluster

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def wait_port(port: int, *, timeout: float = 30, process: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port} after {timeout} s")


def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class Bench:
    """The processes of one matrix run, in one temporary directory."""

    def __init__(self, *, pace_chars: int, pace_ms: float, max_concurrency: int, log_dir: Path,
                 postgres: bool = False, uvloop: bool = True) -> None:
        self.pace_chars, self.pace_ms = pace_chars, pace_ms
        self.postgres = postgres
        self.uvloop = uvloop
        self.dir = Path(tempfile.mkdtemp(prefix="vibewater-bench-"))
        self.log_dir = log_dir
        self.fake_port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "vibewater.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-only-secret-key",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: cookies marked Secure would not come back to the HTTP login.
            "DJANGO_SESSION_COOKIE_SECURE": "false",
            "DJANGO_CSRF_COOKIE_SECURE": "false",
            "DATABASE_URL": f"sqlite:///{self.dir / 'bench.sqlite3'}",
            "LLM_PROVIDER": "bedrock",
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": f"http://127.0.0.1:{self.fake_port}",
            "AWS_ACCESS_KEY_ID": "fake",
            "AWS_SECRET_ACCESS_KEY": "fake",
            "AWS_REGION": "us-east-1",
            "CHAT_RATE_LIMIT_PER_MINUTE": "1000000",
            "BEDROCK_MAX_CONCURRENCY": str(max_concurrency),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("AWS_BEARER_TOKEN_BEDROCK", "AWS_PROFILE", "AWS_SESSION_TOKEN", "REDIS_URL"):
            self.env.pop(name, None)
        self.fake: subprocess.Popen[Any] | None = None
        self.redis: subprocess.Popen[Any] | None = None
        self.redis_url: str | None = None
        self.services = ExitStack()

    def _log(self, name: str) -> Any:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child

    def setup(self) -> None:
        if self.postgres:
            self.env["DATABASE_URL"] = self.start_postgres()
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=self.env,
                       check=True)
        self.fake = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.bedrock", "--port", str(self.fake_port),
             "--pace-chars", str(self.pace_chars), "--pace-ms", str(self.pace_ms)],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self._log("fake"), preexec_fn=_raise_nofile,
        )
        wait_port(self.fake_port, process=self.fake)

    def start_redis(self) -> str:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        port = free_port()
        self.redis = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL,
        )
        wait_port(port, process=self.redis)
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        return self.redis_url

    def start_postgres(self) -> str:
        """Start a PostgreSQL cluster in the temporary directory, stopped by teardown; its URL."""
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
        runuser = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: it runs as the postgres user
            runuser = shutil.which("runuser")
            if runuser is None:
                raise RuntimeError("runuser is not installed (Debian package util-linux)")
            self.dir.chmod(0o711)  # so that user reaches its directory inside this one
        return self.services.enter_context(postgres_cluster(bin_dir, self.dir / "postgres", runuser))

    @contextmanager
    def workers(
        self, count: int, *, redis: bool = False, label: str = "daphne", thread_profiles: Path | None = None,
        profile_seconds: float = 15,
    ) -> Iterator[list[tuple[str, int]]]:
        """Start `count` daphne workers (under bench.profile_worker with `thread_profiles`); yield (base URL, pid)."""
        env = dict(self.env)
        if redis:
            env["REDIS_URL"] = self.redis_url or self.start_redis()
        daphne = [sys.executable, "-m", "vibewater.serve"] if self.uvloop else [str(VENV_BIN / "daphne")]
        if thread_profiles is not None:
            thread_profiles.mkdir(parents=True, exist_ok=True)
            daphne = [sys.executable, "-m", "bench.profile_worker"]
        started: list[tuple[subprocess.Popen[Any], int]] = []
        try:
            for i in range(count):
                port = free_port()
                if thread_profiles is not None:
                    env["YAPPI_OUT"] = str(thread_profiles / f"{label}-{i}")
                    env["YAPPI_SECONDS"] = str(profile_seconds)
                process = subprocess.Popen(
                    [*daphne, "-b", "127.0.0.1", "-p", str(port), "vibewater.asgi:application"],
                    cwd=ROOT, env=dict(env), stdout=subprocess.DEVNULL, stderr=self._log(f"{label}-{i}"),
                    preexec_fn=_raise_nofile,
                )
                started.append((process, port))
            for process, port in started:
                wait_port(port, process=process)
            yield [(f"http://127.0.0.1:{port}", process.pid) for process, port in started]
        finally:
            for process, _ in started:
                stop(process)

    def teardown(self) -> None:
        for process in (self.fake, self.redis):
            if process is not None:
                stop(process)
        self.services.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def profiled(pids: list[int], out: Path | None, seconds: int, *, gil: bool = False) -> Iterator[None]:
    """py-spy record the given processes for the burst (if `out`); with `gil`, only the GIL holder."""
    recorders = []
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        py_spy = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
        for pid in pids:
            recorders.append(subprocess.Popen(
                [py_spy, "record", "--pid", str(pid), "--rate", "100", "--duration", str(seconds), "--format",
                 "raw", *(["--gil"] if gil else ["--nonblocking"]), "--output",
                 str(out.with_suffix(f".{pid}.txt"))],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
        time.sleep(1)
    try:
        yield
    finally:
        for recorder in recorders:
            try:
                recorder.wait(seconds + 30)
            except subprocess.TimeoutExpired:
                recorder.terminate()


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = [5] if args.smoke else args.sizes
    two_worker_sizes = [2 * n for n in sizes]
    biggest = max([*sizes, *(two_worker_sizes if args.redis else [])])
    bench = Bench(pace_chars=args.pace_chars, pace_ms=args.pace_ms, max_concurrency=max(128, biggest),
                  log_dir=Path(args.log_dir), postgres=args.postgres, uvloop=args.loop == "uvloop")
    database = ", PostgreSQL" if args.postgres else ""  # in the labels; SQLite, the default, goes unnamed
    results: dict[str, Any] = {"rows": [], "pace": [args.pace_chars, args.pace_ms],
                               "database": "PostgreSQL" if args.postgres else "SQLite", "loop": args.loop}
    lines = [loadgen.TABLE_HEADER]
    try:
        bench.setup()
        if args.smoke:  # the real login path, over HTTP
            names = loadgen.create_traders(biggest, password=loadgen.DEFAULT_PASSWORD, sessions=False,
                                           env=bench.env)["usernames"]
        else:
            keys = loadgen.create_traders(biggest, env=bench.env)["session_keys"]
            cookies_all = [f"sessionid={key}" for key in keys]

        def burst(label: str, n: int, workers: int, redis: bool) -> None:
            thread_profiles = Path(args.profile_threads) if args.profile_threads else None
            with bench.workers(workers, redis=redis, label=label.replace(" ", "_"),
                               thread_profiles=thread_profiles, profile_seconds=args.profile_seconds) as running:
                urls = [url for url, _ in running]
                pids = [pid for _, pid in running] + ([bench.redis.pid] if redis and bench.redis else [])
                cookies = (asyncio.run(loadgen.login_all(urls[0], names[:n], loadgen.DEFAULT_PASSWORD))
                           if args.smoke else cookies_all[:n])
                before = loadgen.db_counts(bench.env) if args.db_writes and n == sizes[0] and workers == 1 else None
                out = Path(args.profile) / label.replace(" ", "_") if args.profile else None
                with profiled([pid for _, pid in running], out, seconds=max(1, math.ceil(args.profile_seconds)),
                              gil=args.profile_gil):
                    summary = asyncio.run(loadgen.run_replies(
                        urls if len(urls) > 1 else urls[0], cookies, server_pids=pids,
                        pace_chars=args.pace_chars, pace_ms=args.pace_ms, timeout=args.timeout,
                        aside_pids=(bench.fake.pid,) if bench.fake else (),
                        worker_pids=[pid for _, pid in running], start_profiling=thread_profiles is not None,
                    ))
                if before is not None:
                    after = loadgen.db_counts(bench.env)
                    replies = n + workers  # the burst plus the warm-up reply on each worker
                    summary["db_rows_per_reply"] = {k: (after[k] - before[k]) / replies for k in after}
            summary["label"] = label
            results["rows"].append(summary)
            lines.append(loadgen.table_row(label, summary))
            print(lines[-1], flush=True)

        print(lines[0], flush=True)
        for n in sizes:
            burst(f"1 worker, in-memory{database}, {n}", n, 1, False)
        if args.redis:
            for n in two_worker_sizes:
                label = f"2 workers, Redis{database}, {n}"
                try:
                    burst(label, n, 2, True)
                except Exception as error:  # noqa: BLE001 - the row says why
                    line = f"| {label} | {n} | not run: {error} |"
                    results["rows"].append({"label": label, "not_run": str(error)})
                    lines.append(line)
                    print(line, flush=True)
        if args.idle:
            with bench.workers(1, label="idle") as running:
                idle_cookies = cookies_all[: min(100, len(cookies_all))] if not args.smoke else asyncio.run(
                    loadgen.login_all(running[0][0], names[:1], loadgen.DEFAULT_PASSWORD))
                idle = asyncio.run(loadgen.run_idle(running[0][0], idle_cookies, args.idle,
                                                    server_pids=[running[0][1]]))
            results["idle"] = idle
            lines.append(f"\nidle sockets: {idle['open']}/{idle['n']} open on 1 worker, RSS "
                         f"{idle['rss_before_kib'] / 1024:.0f} → {idle['rss_after_kib'] / 1024:.0f} MiB, "
                         f"{idle['kib_per_socket']:.1f} KiB per socket")
            print(lines[-1], flush=True)
        for row in results["rows"]:
            if "db_rows_per_reply" in row:
                lines.append("rows written per reply (new conversation): " + ", ".join(
                    f"{k} {v:g}" for k, v in row["db_rows_per_reply"].items()))
                print(lines[-1], flush=True)
    finally:
        bench.teardown()
    results["table"] = "\n".join(lines)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the standard benchmark matrix (see module docstring).")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300], help="concurrent replies, 1 worker")
    parser.add_argument("--redis", action="store_true", help="also 2 workers behind redis-server at 2× the sizes")
    parser.add_argument("--postgres", action="store_true",
                        help="the whole matrix on a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop",
                        help="the workers' event loop: uvloop (python -m vibewater.serve, as deployed) or plain daphne")
    parser.add_argument("--idle", type=int, default=1000, help="idle sockets to open (0: skip)")
    parser.add_argument("--no-db-writes", dest="db_writes", action="store_false")
    parser.add_argument("--smoke", action="store_true", help="5 replies at a fast pace, HTTP login, no idle run")
    parser.add_argument("--pace-chars", type=int, default=12)
    parser.add_argument("--pace-ms", type=float, default=20)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--profile", help="directory for py-spy raw profiles of each burst")
    parser.add_argument("--profile-seconds", type=float, default=15,
                        help="how long --profile-threads records from the burst's start (--profile: from before the "
                             "warm-up reply, in whole seconds)")
    parser.add_argument("--profile-gil", action="store_true",
                        help="profile only the thread holding the GIL (where the Python CPU goes)")
    parser.add_argument("--profile-threads", help="directory for yappi per-thread profiles of each burst "
                        "(bench.profile_worker; pip install yappi)")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--log-dir", default=str(Path(tempfile.gettempdir()) / "vibewater-bench-logs"))
    args = parser.parse_args(argv)
    if args.profile_threads and args.loop != "uvloop":
        parser.error("--profile-threads runs workers as deployed, on uvloop; it does not combine with --loop asyncio")
    if args.smoke:
        args.idle = min(args.idle, 0)
    loadgen.raise_fd_limit()
    results = run(args)
    print()
    print(results["table"])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    failed = sum(row.get("failed", 0) for row in results["rows"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
