"""Acceptance measurements of the foundation issue (slow ones need the dataset root)."""

from __future__ import annotations

import pandas as pd
import pytest
from skimage import data

import restore_core as rc
from eval import benchmark
from eval.results import RESULTS_FILE


def test_noise_free_circular_deblur_with_wiener_is_exact(data_root):
    clean = rc.to_float(data.camera())
    kernel = rc.levin_kernels(data_root)["k1"]
    obs = rc.degrade(clean, "deblur", kernel=kernel, sigma=0)
    assert rc.psnr(clean, rc.restore(obs, "wiener", balance=1e-6)) >= 40


def test_noise_free_circular_deblur_with_builtin_kernel_is_exact():
    clean = rc.to_float(data.camera())
    obs = rc.degrade(clean, "deblur", kernel=rc.motion_kernel(19, 30), sigma=0)
    assert rc.psnr(clean, rc.restore(obs, "wiener", balance=1e-6)) >= 40


def test_bm3d_set12_sigma25_matches_published(data_root, tmp_path):
    folder = data_root / "test" / "Set12"
    if not folder.is_dir():
        pytest.skip(f"Set12 not found under {data_root}/test")
    # image i gets seed i, as rc.degrade(clean, "denoise", sigma=25, seed=i); Ray runs the 12 images on every core
    arguments = ["--task", "denoise", "--datasets", "Set12", "--sigmas", "25", "--methods", "bm3d", "--data-root",
                 str(data_root), "--out", str(tmp_path), "--examples", "0", "--executor", "ray"]  # fmt: skip
    assert benchmark.main(arguments) == 0
    scores = pd.read_csv(tmp_path / RESULTS_FILE)["psnr"]
    assert len(scores) == 12
    assert 29.9 <= scores.mean() <= 30.1
