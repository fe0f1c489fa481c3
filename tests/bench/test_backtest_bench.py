"""Keeps the backtest benchmark working: a short series, one repeat, every plan's row printed."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_backtest_bench_prints_a_row_per_plan() -> None:
    result = subprocess.run([sys.executable, "-m", "bench.backtest", "--bars", "3000", "--repeats", "1"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and not line.startswith("| plan")]
    assert len(rows) == 6
    assert all(float(row.strip("|").split("|")[2]) < 5 for row in rows)
