"""Serve the project with daphne on uvloop: `python -m vibewater.serve` takes daphne's own arguments.

daphne builds its Twisted reactor on an asyncio loop created when its server module is imported, so
the loop policy has to be set before that import. uvloop's loop, written in C, cut the server's CPU
per streamed model delta by about a tenth (docs/benchmarks.md, round 6). Once the application is
loaded, the garbage collector is tuned for a long-running worker (`tune_gc`, round 7), and the worker
starts sweeping the replies dead workers left streaming (`chat.recovery`). The server drops a WebSocket
client that stops reading (`vibewater.send_buffer`).
"""

from __future__ import annotations

import asyncio
import gc
import sys

import uvloop

#: CPython collects its youngest generation every 700 container allocations. A worker streaming
#: hundreds of replies allocates that many in well under a millisecond, and the collections of the
#: oldest generation walk every long-lived object: 50–90 ms each on the benchmark machine, ~10 % of a
#: busy worker's CPU. Reference counting frees almost everything long before 20,000 allocations.
GC_THRESHOLDS = (20_000, 10, 10)


def tune_gc() -> None:
    """Exempt everything loaded so far (Django, the app) from collection and collect less often.

    What loads on first use (botocore's client and service model, on the first reply) is not
    exempt; the higher threshold keeps the full collections that walk it rare.
    """
    gc.collect()  # start-up's own garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def start_recovery() -> None:
    """Store what dead workers left streaming as interrupted, now and (with Redis) while this worker runs."""
    from chat.recovery import start_recovery as start  # needs Django set up, as it is once daphne has the app

    start()


def main(argv: list[str] | None = None) -> None:
    """Run daphne's command line with `argv` (default: this process's arguments) on uvloop."""
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    from daphne.cli import CommandLineInterface  # imports daphne.server, which creates the loop
    from twisted.internet import reactor

    from vibewater.send_buffer import SendBufferServer

    reactor.callWhenRunning(tune_gc)  # after daphne has imported the application
    reactor.callWhenRunning(start_recovery)
    cli = CommandLineInterface()
    cli.server_class = SendBufferServer
    cli.run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
