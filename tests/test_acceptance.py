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


#: BM3D's published PSNR (dB) on the seven 256x256 images of Set12 (01-07: Cameraman, House, Peppers, Starfish,
#: Monarch, Airplane, Parrot) at sigma 25: Zhang et al., "Beyond a Gaussian denoiser" (DnCNN), IEEE TIP 26(7),
#: 2017, Table III (the whole set's mean there is 29.97).
BM3D_SET12_SIGMA25 = (29.45, 32.85, 30.16, 28.56, 29.25, 28.42, 28.93)


def test_bm3d_set12_sigma25_matches_published(data_root, tmp_path):
    folder = data_root / "test" / "Set12"
    if not folder.is_dir():
        pytest.skip(f"Set12 not found under {data_root}/test")
    # image i gets seed i, as rc.degrade(clean, "denoise", sigma=25, seed=i). The seven 256x256 images, image by
    # image: a fifth of the time of all twelve, and a stricter check than their mean.
    count = len(BM3D_SET12_SIGMA25)
    arguments = ["--task", "denoise", "--datasets", "Set12", "--sigmas", "25", "--methods", "bm3d", "--limit",
                 str(count), "--data-root", str(data_root), "--out", str(tmp_path), "--examples", "0"]  # fmt: skip
    assert benchmark.main(arguments) == 0
    scores = pd.read_csv(tmp_path / RESULTS_FILE).sort_values("image")
    assert scores["image"].tolist() == [f"{index:02d}.png" for index in range(1, count + 1)]
    # the bm3d package measures a little above the paper (its authors say so; here +0.01 to +0.21 dB)
    excess = scores["psnr"].to_numpy() - BM3D_SET12_SIGMA25
    assert all(-0.15 <= value <= 0.3 for value in excess), excess
    assert -0.07 <= excess.mean() <= 0.13  # the band the twelve images' mean had (29.9 to 30.1 around 29.97)
