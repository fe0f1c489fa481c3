"""Serve the project with daphne on uvloop: `python -m vibewater.serve` takes daphne's own arguments.

daphne builds its Twisted reactor on an asyncio loop created when its server module is imported, so
the loop policy has to be set before that import. uvloop's loop, written in C, cut the server's CPU
per streamed model delta by about a tenth (docs/benchmarks.md, round 6).
"""

from __future__ import annotations

import asyncio
import sys

import uvloop


def main(argv: list[str] | None = None) -> None:
    """Run daphne's command line with `argv` (default: this process's arguments) on uvloop."""
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    from daphne.cli import CommandLineInterface  # imports daphne.server, which creates the loop

    CommandLineInterface().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
