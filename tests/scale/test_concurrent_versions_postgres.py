"""tests/chat/test_concurrent_versions.py again on a real PostgreSQL cluster, where concurrent writers truly
overlap (SQLite serialises every write transaction) and only the strategy's row lock keeps version
numbers unique."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.scale.conftest import ROOT


def test_concurrent_edits_and_replies_number_versions_uniquely_on_postgresql(postgres_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": postgres_url}
    env.pop("VIBEWATER_TEST_DB", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/chat/test_concurrent_versions.py", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )

    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout
