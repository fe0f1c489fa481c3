"""Throwaway PostgreSQL clusters, for the multi-worker tests (tests/scale) and the benchmark runner (bench).

No pytest here: the callers decide what a missing install means (a skip in the tests, an error in the bench).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path | None:
    """The bin directory of the newest PostgreSQL (Debian's /usr/lib/postgresql/N/bin, else initdb on PATH)."""
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    initdb = str(installed[-1]) if installed else shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def postgres_cluster(bin_dir: Path, directory: Path, runuser: str | None) -> Iterator[str]:
    """A fresh cluster in `directory` (created if missing) on a free loopback port; yields its URL.

    PostgreSQL refuses to run as root: with `runuser` (its path), every command runs as the postgres user,
    who is given `directory` and must be able to reach it. Durability is off (the cluster lives for one
    run), and the cluster is stopped with `-m immediate` on exit; removing `directory` is the caller's.
    """
    as_owner = [runuser, "-u", "postgres", "--"] if runuser else []
    directory.mkdir(parents=True, exist_ok=True)
    if runuser:
        shutil.chown(directory, "postgres", "postgres")
    port = free_port()
    data, log = directory / "data", directory / "postgres.log"

    def run(program: str, *arguments: str) -> None:
        subprocess.run([*as_owner, str(bin_dir / program), *arguments], check=True, capture_output=True,
                       cwd=directory)

    run("initdb", "-D", str(data), "-U", "vibewater", "--auth=trust", "-E", "UTF8", "--no-sync")
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    run("pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
    try:
        run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "vibewater", "vibewater")
        yield f"postgres://vibewater@127.0.0.1:{port}/vibewater"
    finally:
        run("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
