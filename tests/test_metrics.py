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


def test_psnr_crop(color):
    damaged = color.copy()
    damaged[:2] = 0
    assert rc.psnr(color, damaged, crop=2) == float("inf")
    assert rc.psnr(color, damaged, crop=1) < 30  # a damaged row is left


def test_psnr_on_the_y_channel_has_the_matlab_value():
    """Gray 128 against gray 138 on half the pixels, in RGB.

    MATLAB ``rgb2ycbcr`` on uint8 gives Y = 16 + 219 * v / 255, rounded: 126 and 135, 9 levels apart
    on half the pixels, so PSNR_Y = 10 log10(255² / (81 / 2)) = 32.0562 dB; in RGB every channel is
    10 levels apart on half the pixels: 10 log10(255² / (100 / 2)) = 31.1411 dB.
    """
    reference = np.full((8, 8, 3), 128 / 255, np.float32)
    estimate = reference.copy()
    estimate[:4] = 138 / 255
    assert rc.psnr(reference, estimate, y_channel=True) == pytest.approx(32.0562, abs=1e-4)
    assert rc.psnr(reference, estimate) == pytest.approx(31.1411, abs=1e-4)
    assert rc.to_uint8(rc.rgb_to_y(np.array([[[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]]))).tolist() == [[235, 81]]


def test_ssim_is_one_for_identical_and_lower_for_noisy(gray, color):
    for image in (gray, color):
        assert rc.ssim(image, image) == pytest.approx(1.0)
        noisy = rc.degrade(image, "denoise", sigma=25).image
        assert rc.ssim(image, noisy) < 0.9


def _wang_ssim(reference: np.ndarray, estimate: np.ndarray) -> float:
    """SSIM written out as Wang et al.'s ``ssim_index.m``: 11x11 Gaussian window (sigma 1.5, normalised),
    K = (0.01, 0.03), data range 1, statistics by ``filter2(..., 'valid')``, the mean of the map."""
    from scipy.signal import correlate2d

    ax = np.arange(11) - 5
    window = np.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2 * 1.5**2))
    window /= window.sum()

    def filtered(image: np.ndarray) -> np.ndarray:
        return correlate2d(image, window, mode="valid")

    x, y = reference.astype(np.float64), estimate.astype(np.float64)
    mu_x, mu_y = filtered(x), filtered(y)
    var_x, var_y = filtered(x * x) - mu_x**2, filtered(y * y) - mu_y**2
    cov = filtered(x * y) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return float(ssim_map.mean())


def test_ssim_is_wang_et_al_reference_implementation(gray, color):
    noisy = np.clip(rc.degrade(gray, "denoise", sigma=15, seed=0).image, 0, 1)
    assert rc.ssim(gray, noisy) == pytest.approx(_wang_ssim(gray, noisy), abs=1e-6)
    noisy = np.clip(rc.degrade(color, "denoise", sigma=15, seed=0).image, 0, 1)
    per_channel = np.mean([_wang_ssim(color[..., c], noisy[..., c]) for c in range(3)])
    assert rc.ssim(color, noisy) == pytest.approx(per_channel, abs=1e-6)


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
