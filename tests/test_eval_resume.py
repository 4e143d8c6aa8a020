"""Acceptance test of the benchmark's resumability: a run killed mid-way loses and duplicates nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import skimage.data

import restore_core as rc
from eval import benchmark
from eval.results import KEY, RESULTS_FILE

REPO = Path(__file__).resolve().parents[1]
METHODS = ("tv", "wavelet", "nlm", "deconv_unet")
SIGMAS = ("15", "25", "50")
IMAGES = 6


def six_images(folder: Path) -> Path:
    """Six 64x64 gray crops of scikit-image's camera, as a dataset folder."""
    folder.mkdir()
    camera = rc.to_float(skimage.data.camera())
    for index in range(IMAGES):
        top, left = 32 * (index // 4) + 100, 96 * (index % 4) + 40
        rc.save_image(camera[top : top + 64, left : left + 64], folder / f"crop{index:02d}.png")
    return folder


def arguments(dataset: Path, out: Path) -> list[str]:
    return ["--task", "denoise", "--datasets", str(dataset), "--sigmas", *SIGMAS, "--methods", *METHODS] + [
        "--out",
        str(out),
    ]


def count_rows(path: Path) -> int:
    """Complete data lines of a results file (0 when absent)."""
    if not path.is_file():
        return 0
    return max(path.read_bytes().count(b"\n") - 1, 0)


def test_killed_denoise_benchmark_resumes_without_lost_or_duplicated_rows(tmp_path):
    dataset = six_images(tmp_path / "six")
    out = tmp_path / "killed"
    total = IMAGES * len(SIGMAS) * len(METHODS)
    process = subprocess.Popen(
        [sys.executable, "-m", "eval.benchmark", *arguments(dataset, out)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    try:
        while count_rows(out / RESULTS_FILE) < 20 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        process.kill()  # SIGKILL: no chance to clean up, like a crash or a lost machine
        process.wait()
    done_before = count_rows(out / RESULTS_FILE)
    assert 20 <= done_before < total, "the run must be cut mid-way"

    assert benchmark.main(arguments(dataset, out)) == 0
    rows = pd.read_csv(out / RESULTS_FILE, keep_default_na=False)
    assert len(rows) == total
    assert not rows.duplicated(subset=list(KEY)).any()
    assert set(rows["error"]) == {""}
    assert set(rows["method"]) == set(METHODS) and rows["image"].nunique() == IMAGES

    reference = tmp_path / "uninterrupted"
    assert benchmark.main(arguments(dataset, reference)) == 0
    expected = pd.read_csv(reference / RESULTS_FILE, keep_default_na=False)
    columns = [*KEY, "psnr", "ssim"]
    pd.testing.assert_frame_equal(
        rows[columns].sort_values(list(KEY)).reset_index(drop=True),
        expected[columns].sort_values(list(KEY)).reset_index(drop=True),
    )
