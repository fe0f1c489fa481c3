"""Keeps the benchmark working: the matrix runner end to end with 5 sockets at a fast pace.

Real processes (the Bedrock fake, a migrated SQLite database, one daphne worker) and the real HTTP login;
the figures are not asserted, only that every reply completed and the table has its rows. The same for
`bench.compare` against this checkout's own HEAD.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_bench_matrix_smoke(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.run_matrix", "--smoke", "--pace-ms", "2", "--log-dir", str(tmp_path),
         "--json", str(tmp_path / "results.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = result.stdout
    assert "| run | replies | completed | failed |" in table
    row = next(line for line in table.splitlines() if line.startswith("| 1 worker, in-memory, 5 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1:4] == ["5", "5", "0"], row
    assert "rows written per reply" in table


def _in_git_checkout() -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "HEAD"], cwd=ROOT, capture_output=True).returncode == 0


@pytest.mark.skipif(not _in_git_checkout(), reason="bench.compare checks a commit out: needs a git checkout")
def test_bench_compare_runs_a_baseline_commit_and_this_checkout_in_turn(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.compare", "HEAD", "--pairs", "1", "--",
         "--sizes", "3", "--pace-ms", "2", "--log-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith("pair ")] == ["pair 1, baseline", "pair 1, current"]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines if line.startswith("| 1 worker")]
    assert [row[1] for row in rows] == ["p99 ÷ model", "CPU µs/delta", "chunk gap p99 ms"]
    assert all(row[0] == "1 worker, in-memory, 3" and row[2] and row[3] for row in rows)
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "vibewater-baseline-" not in worktrees  # removed afterwards


@pytest.mark.skipif(not _in_git_checkout(), reason="bench.compare checks a commit out: needs a git checkout")
def test_bench_compare_refuses_a_baseline_that_is_not_a_commit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.compare", "no-such-release", "--", "--sizes", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 2
    assert "'no-such-release' is not a commit of this repository" in result.stderr
    assert "Traceback" not in result.stderr and "pair 1" not in result.stdout
