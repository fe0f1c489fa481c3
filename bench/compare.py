"""Compare this checkout with an earlier commit on the same machine, in interleaved matrix runs.

On a shared or virtual machine the same code's figures move by 10–30 % between runs made minutes
apart (docs/benchmarks.md), so a release is measured against its predecessor by alternating their
runs: baseline, this checkout, baseline, this checkout, … each a fresh `bench.run_matrix` (its own
fake, database and workers). The baseline is checked out into a temporary git worktree and run with
this checkout's virtualenv.

    .venv/bin/python -m bench.compare v1.4 --pairs 3 -- --sizes 100 300
    .venv/bin/python -m bench.compare HEAD~1 --pairs 3 -- --sizes 100 300 --postgres

Arguments after `--` go to both sides' `bench.run_matrix` (`--idle 0 --no-db-writes` are added: this
compares bursts). Prints, per row of the matrix, each pair's p99 ÷ model, CPU per delta and largest
chunk gap, and the median change.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: (label, row key, scale, format) of what each pair reports.
METRICS = (
    ("p99 ÷ model", "ratio_p99", 1, "{:.3f}"),
    ("CPU µs/delta", "server_cpu_us_per_delta", 1, "{:.0f}"),
    ("chunk gap p99 ms", "gap_p99", 1000, "{:.0f}"),
)


@contextmanager
def worktree(ref: str) -> Iterator[Path]:
    """`ref` checked out (detached) in a temporary git worktree, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="vibewater-baseline-") as parent:
        path = Path(parent) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(path), ref], cwd=ROOT, check=True)
        try:
            yield path
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)


def is_commit(ref: str) -> bool:
    """Whether `ref` names a commit of this repository."""
    verify = ["git", "rev-parse", "--quiet", "--verify", f"{ref}^{{commit}}"]
    return subprocess.run(verify, cwd=ROOT, capture_output=True).returncode == 0


def run_side(tree: Path, matrix_args: list[str], out: Path) -> list[dict[str, Any]]:
    """One `bench.run_matrix` run in `tree`; its rows (raises with the run's output if it failed)."""
    command = [sys.executable, "-m", "bench.run_matrix", "--idle", "0", "--no-db-writes", *matrix_args,
               "--json", str(out)]
    result = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"bench.run_matrix failed in {tree}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return [row for row in json.loads(out.read_text())["rows"] if "not_run" not in row]


def comparison_table(runs: dict[str, list[list[dict[str, Any]]]]) -> str:
    """A markdown table: per matrix row and metric, each pair's baseline and current values, and the median change."""
    lines = ["| run | metric | baseline | this checkout | median change |", "|---|---|---|---|---|"]
    labels = [row["label"] for row in runs["current"][0]]
    for label in labels:
        for name, key, scale, fmt in METRICS:
            sides = {
                side: [row[key] * scale for rows in pairs for row in rows
                       if row["label"] == label and row.get(key) is not None]
                for side, pairs in runs.items()
            }
            if not sides["baseline"] or not sides["current"]:
                continue
            before, after = statistics.median(sides["baseline"]), statistics.median(sides["current"])
            change = f"{(after - before) / before:+.1%}" if before else "—"
            lines.append(
                f"| {label} | {name} | {', '.join(fmt.format(v) for v in sides['baseline'])} "
                f"| {', '.join(fmt.format(v) for v in sides['current'])} | {change} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     epilog="Arguments after -- go to bench.run_matrix on both sides.")
    parser.add_argument("baseline", help="the git ref to compare against (a tag, a commit, HEAD~1)")
    parser.add_argument("--pairs", type=int, default=3, help="baseline/current pairs of runs")
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    args, matrix_args = parser.parse_args(argv[:split]), argv[split + 1 :]
    if not is_commit(args.baseline):
        parser.error(f"{args.baseline!r} is not a commit of this repository (a tag, a commit, HEAD~1)")
    runs: dict[str, list[list[dict[str, Any]]]] = {"baseline": [], "current": []}
    with worktree(args.baseline) as baseline, tempfile.TemporaryDirectory() as results:
        for pair in range(args.pairs):
            for side, tree in (("baseline", baseline), ("current", ROOT)):
                rows = run_side(tree, matrix_args, Path(results) / f"{side}-{pair}.json")
                runs[side].append(rows)
                print(f"pair {pair + 1}, {side}: " + "; ".join(
                    f"{row['label']}: {row['ratio_p99']:.3f} ×, {row['server_cpu_us_per_delta']:.0f} µs/delta"
                    for row in rows), flush=True)
    print()
    print(comparison_table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
