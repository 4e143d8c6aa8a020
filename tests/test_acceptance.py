"""Acceptance measurements of the foundation issue (slow ones need the dataset root)."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

import restore_core as rc


def test_noise_free_circular_deblur_with_wiener_is_exact(data_root):
    clean = rc.to_float(data.camera())
    kernel = rc.levin_kernels(data_root)["k1"]
    obs = rc.degrade(clean, "deblur", kernel=kernel, sigma=0)
    assert rc.psnr(clean, rc.restore(obs, "wiener", balance=1e-6)) >= 40


def test_noise_free_circular_deblur_with_builtin_kernel_is_exact():
    clean = rc.to_float(data.camera())
    obs = rc.degrade(clean, "deblur", kernel=rc.motion_kernel(19, 30), sigma=0)
    assert rc.psnr(clean, rc.restore(obs, "wiener", balance=1e-6)) >= 40


def test_bm3d_set12_sigma25_matches_published(data_root):
    folder = data_root / "test" / "Set12"
    if not folder.is_dir():
        pytest.skip(f"Set12 not found under {data_root}/test")
    scores = []
    for index, path in enumerate(sorted(folder.glob("*.png"))):
        clean = rc.load_image(path)
        obs = rc.degrade(clean, "denoise", sigma=25, seed=index)
        scores.append(rc.psnr(clean, rc.restore(obs, "bm3d")))
    assert len(scores) == 12
    assert 29.9 <= np.mean(scores) <= 30.1
