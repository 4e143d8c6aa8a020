"""PSNR/SSIM protocols."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio

import restore_core as rc
from restore_core.metrics import ssim_window


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


@pytest.mark.parametrize("side", [8, 9, 10, 11])
@pytest.mark.parametrize("channels", [(), (3,)])
def test_small_images_are_scored(color, side, channels):
    clean = color[:side, :side] if channels else color[:side, :side, 0]
    noisy = np.clip(rc.degrade(clean, "denoise", sigma=25, seed=0).image, 0, 1)
    for options in ({}, {"y_channel": True}, {"crop": 2}, {"crop": 3}):
        assert rc.ssim(clean, clean, **options) == pytest.approx(1.0)
        assert 0 < rc.ssim(clean, noisy, **options) < 0.95
        assert 10 < rc.psnr(clean, noisy, **options) < 30


def test_ssim_window_is_the_largest_odd_one_that_fits():
    assert [ssim_window(side, 64) for side in (1, 2, 3, 8, 9, 10, 11, 64)] == [1, 1, 3, 7, 9, 9, 11, 11]


def test_metrics_read_uint8_as_8_bit_levels(color):
    noisy = rc.quantize(np.clip(color + 0.1, 0, 1))
    assert rc.psnr(rc.to_uint8(color), rc.to_uint8(noisy)) == pytest.approx(rc.psnr(rc.quantize(color), noisy))


@pytest.mark.parametrize(
    ("estimate", "message"),
    [
        (np.full((16, 16), np.nan), "NaN"),
        (np.full((16, 16), np.inf), "NaN or infinite"),
        (np.full((16, 16), 1e300), "float32 range"),
        (np.zeros((16, 16), np.int64), "dtype int64"),
        (np.array([["a"] * 16] * 16), "dtype <U1"),
        (np.zeros((16, 16, 4)), "HxW"),
        (np.float64(0.5), "NumPy array"),
        ("image", "NumPy array"),
    ],
)
def test_bad_images_are_refused(estimate, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.psnr(np.zeros(np.shape(estimate) or (16, 16)), estimate)
    with pytest.raises(rc.RestoreError, match=message):
        rc.ssim(np.zeros(np.shape(estimate) or (16, 16)), estimate)
