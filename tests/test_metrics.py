"""PSNR/SSIM protocols."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio

import restore_core as rc


def test_psnr_matches_definition(color):
    noisy = np.clip(color + 0.05, 0, 1)
    assert rc.psnr(color, noisy) == pytest.approx(peak_signal_noise_ratio(color, noisy, data_range=1.0))
    assert rc.psnr(color, color) == float("inf")


def test_psnr_crop_and_y_channel(color):
    damaged = color.copy()
    damaged[:2] = 0
    assert rc.psnr(color, damaged, crop=2) == float("inf")
    shifted = np.clip(color + np.array([0.1, -0.05, 0.0], np.float32), 0, 1)
    y_only = rc.psnr(color, shifted, y_channel=True)
    assert y_only != pytest.approx(rc.psnr(color, shifted))


def test_ssim_is_one_for_identical_and_lower_for_noisy(gray, color):
    for image in (gray, color):
        assert rc.ssim(image, image) == pytest.approx(1.0)
        noisy = rc.degrade(image, "denoise", sigma=25).image
        assert rc.ssim(image, noisy) < 0.9


def test_ssim_uses_gaussian_window_not_scikit_default(gray):
    from skimage.metrics import structural_similarity

    noisy = rc.degrade(gray, "denoise", sigma=15).image
    default = structural_similarity(gray, noisy, data_range=1.0)
    assert rc.ssim(gray, noisy) != pytest.approx(default, abs=1e-4)


@pytest.mark.parametrize("crop", [-1, 40, 1.5])
def test_bad_protocol_options_raise(gray, crop):
    with pytest.raises(rc.RestoreError):
        rc.psnr(gray, gray, crop=crop)


def test_shape_mismatch_raises(gray, color):
    with pytest.raises(rc.RestoreError, match="shapes"):
        rc.psnr(gray, color)
