"""Keeps the benchmark working: the matrix runner end to end with 5 sockets at a fast pace.

Real processes (the Bedrock fake, a migrated SQLite database, one daphne worker) and the real HTTP login;
the figures are not asserted, only that every reply completed and the table has its rows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
