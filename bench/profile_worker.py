"""A worker (`vibewater.serve`) under yappi: per-thread CPU profiles of a burst, for `run_matrix --profile-threads`.

py-spy samples; yappi counts every Python call on every thread with the thread's CPU clock, so the
event loop and the pool threads (database, Bedrock requests) can be read apart. It inflates code made
of many small calls (the ORM, botocore's event parsing) several-fold: compare shares, not times.
Profiling starts at SIGUSR1 (the load generator sends it once the sockets are open), stops after
`YAPPI_SECONDS` if set (e.g. to see only a burst's first second), and is written at exit:
`<out>.pstat` (all threads) and `<out>.loop.pstat` (the event loop's thread), for `pstats`.

    YAPPI_OUT=/tmp/burst python -m bench.profile_worker -b 127.0.0.1 -p 8000 vibewater.asgi:application

yappi is not a project requirement: `pip install yappi`.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading

import yappi

from vibewater import serve


def _start(*_: object) -> None:
    yappi.start(builtins=False, profile_threads=True)
    if seconds := os.environ.get("YAPPI_SECONDS"):
        timer = threading.Timer(float(seconds), yappi.stop)
        timer.daemon = True  # a pending timer must not hold up the exit that writes the profiles
        timer.start()


def _write() -> None:
    """Save the recorded profiles (all threads, and the event loop's thread alone) at exit."""
    yappi.stop()
    if not yappi.get_thread_stats():
        return
    out = os.environ.get("YAPPI_OUT", "worker")
    yappi.get_func_stats().save(f"{out}.pstat", type="pstat")
    loop_thread = next(t for t in yappi.get_thread_stats() if t.name == "_MainThread")
    yappi.get_func_stats(filter={"ctx_id": loop_thread.id}).save(f"{out}.loop.pstat", type="pstat")


def main() -> None:
    """Serve like `vibewater.serve`, recording from SIGUSR1 for `YAPPI_SECONDS` (or until exit)."""
    yappi.set_clock_type("cpu")
    signal.signal(signal.SIGUSR1, _start)
    atexit.register(_write)  # daphne stops its reactor on SIGTERM and exits normally
    serve.main()


if __name__ == "__main__":
    main()
