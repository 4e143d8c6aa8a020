"""Wall time of one benchmark grid, serial vs Ray: ``python -m tools.bench_ray --data-root DIR``.

Runs the same grid — by default Set12, σ 15/25/50, ``bm3d nlm tv`` (108 runs) — with
``--executor serial`` and ``--executor ray`` (a local Ray instance, one worker per core) into fresh
folders, checks that both give the same rows (keys, PSNR and SSIM equal), and prints both wall
times and the speed-up. Then it projects the full reference suite (:mod:`eval.suite`) onto a
cluster: the suite's per-run seconds stored in ``docs/results`` (serial, this machine) summed, and
divided by the cores of ``--nodes`` × ``--cores`` times the per-core efficiency this measurement
gives (speed-up / cores here); the slowest single run is the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from eval import benchmark
from eval.results import KEY, RESULTS_FILE
from restore_core.dataroot import add_data_root_argument

#: The measured grid.
GRID = ("--task", "denoise", "--datasets", "Set12", "--sigmas", "15", "25", "50", "--methods", "bm3d", "nlm", "tv")
#: Where the suite stores its records.
STORED = Path(__file__).resolve().parents[1] / "docs" / "results"


def timed_run(arguments: list[str], out: Path) -> float:
    """Seconds of one benchmark command into a fresh ``out``."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    if benchmark.main([*arguments, "--out", str(out), "--examples", "0"]) != 0:
        raise SystemExit(f"the benchmark into {out} failed")
    return time.perf_counter() - start


def same_rows(first: Path, second: Path) -> bool:
    """Whether two runs hold the same keys with equal PSNR and SSIM."""
    columns = [*KEY, "psnr", "ssim"]
    frames = [
        pd.read_csv(folder / RESULTS_FILE, keep_default_na=False)[columns].sort_values(list(KEY)).reset_index(drop=True)
        for folder in (first, second)
    ]
    return frames[0].equals(frames[1])


def suite_seconds() -> tuple[float, float, int]:
    """Total seconds of the stored suite runs, the slowest mean per-run seconds, and the number of runs."""
    total, slowest, runs = 0.0, 0.0, 0
    for path in sorted(STORED.glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8"))["summary"]:
            total += record["seconds"] * record["n"]
            slowest = max(slowest, record["seconds"])
            runs += record["n"]
    return total, slowest, runs


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_ray", description=__doc__.split("\n\n")[0])
    add_data_root_argument(parser, "test/Set12")
    parser.add_argument("--nodes", type=int, default=8, help="machines of the projected cluster (default 8)")
    parser.add_argument("--cores", type=int, default=16, help="cores per machine (default 16)")
    args = parser.parse_args()
    if args.data_root is None:
        parser.error("pass --data-root (or set DECONV_DATA): the grid runs on Set12")
    arguments = [*GRID, "--data-root", str(args.data_root)]
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        serial = timed_run(arguments, Path(folder) / "serial")
        distributed = timed_run([*arguments, "--executor", "ray"], Path(folder) / "ray")
        identical = same_rows(Path(folder) / "serial", Path(folder) / "ray")
    speedup = serial / distributed
    print(f"\n{' '.join(GRID)} on {cores} cores")
    print(f"serial {serial:.1f} s, ray {distributed:.1f} s (Ray start-up included): speed-up {speedup:.2f}x; "
          f"rows identical: {identical}")  # fmt: skip
    total, slowest, runs = suite_seconds()
    efficiency = speedup / cores
    cluster = args.nodes * args.cores
    projected = max(total / (cluster * efficiency), slowest)
    print(f"suite stored in {STORED}: {runs} runs, {total / 3600:.1f} h serial here; on {args.nodes} nodes x "
          f"{args.cores} cores at {efficiency:.2f} of a serial core each: about {projected / 60:.0f} min "
          f"(slowest run {slowest:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
