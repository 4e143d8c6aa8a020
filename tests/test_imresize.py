"""Tests for the MATLAB-compatible ``imresize``."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from restore_core.errors import RestoreError
from restore_core.imresize import imresize

KERNELS = ["cubic", "linear", "box", "lanczos2", "lanczos3"]


def _rng_image(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(shape).astype(np.float32)


# --------------------------------------------------------------------------
# Shapes and dtype
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "scale"),
    [((10, 15), 0.5), ((10, 15, 3), 1 / 3), ((7, 9), 2.5), ((33, 20, 3), 0.3)],
)
def test_output_shape_is_ceil_of_scaled_size(shape, scale):
    out = imresize(_rng_image(shape), scale)
    expected = (math.ceil(scale * shape[0]), math.ceil(scale * shape[1]))
    assert out.shape[:2] == expected
    assert out.ndim == len(shape)
    assert out.shape[2:] == shape[2:]


def test_explicit_output_shape():
    out = imresize(_rng_image((20, 30, 3)), output_shape=(7, 41))
    assert out.shape == (7, 41, 3)


@pytest.mark.parametrize("scale", [0.25, 1 / 3, 0.5, 2, 3, 4])
def test_integer_modcropped_sizes_divide_exactly(scale):
    # Sizes that are multiples of the factor must not be rounded up by 1.
    factor = round(1 / scale) if scale < 1 else 1
    img = _rng_image((12 * factor, 24 * factor))
    out = imresize(img, scale)
    assert out.shape == (round(img.shape[0] * scale), round(img.shape[1] * scale))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_output_is_float32(dtype):
    out = imresize(np.zeros((8, 8, 3), dtype=dtype), 0.5)
    assert out.dtype == np.float32


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", KERNELS)
def test_scale_one_is_identity(kernel):
    img = _rng_image((11, 13, 3))
    np.testing.assert_array_equal(imresize(img, 1.0, kernel=kernel), img)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("scale", [0.1, 0.3, 1 / 3, 0.5, 0.77, 1.3, 2, 4, 7.5])
def test_constant_image_stays_constant(kernel, scale):
    # Weights sum to one everywhere, including the mirrored borders.
    img = np.full((13, 9, 3), 0.37, dtype=np.float32)
    out = imresize(img, scale, kernel=kernel)
    np.testing.assert_allclose(out, 0.37, atol=1e-6)


def test_no_clipping():
    # Bicubic overshoots at a step edge; the result must not be clipped.
    step = np.zeros((4, 8), dtype=np.float32)
    step[:, 4:] = 1.0
    out = imresize(step, 3)
    assert out.min() < 0.0
    assert out.max() > 1.0


def test_matches_matlab_documented_outputs():
    # MATLAB: imresize([0 0 1 1 0], [1 10]) and the 'bilinear' variant.
    row = np.array([[0, 0, 1, 1, 0]], dtype=np.float32)
    cubic = imresize(row, output_shape=(1, 10))
    np.testing.assert_allclose(
        cubic[0],
        [0, -0.0234, -0.0703, 0.2031, 0.7969, 1.0938, 1.0938, 0.7969, 0.2031, -0.0938],
        atol=1e-4,
    )
    linear = imresize(row, output_shape=(1, 10), kernel="linear")
    np.testing.assert_allclose(linear[0], [0, 0, 0, 0.25, 0.75, 1, 1, 0.75, 0.25, 0], atol=1e-6)
    # MATLAB: imresize([100 50 0], [1 5], 'bilinear') -> [100 80 50 20 0].
    three = np.array([[100, 50, 0]], dtype=np.float32)
    np.testing.assert_allclose(
        imresize(three, output_shape=(1, 5), kernel="linear")[0],
        [100, 80, 50, 20, 0],
        atol=1e-4,
    )


@pytest.mark.parametrize("scale", [0.5, 0.25, 2, 3])
def test_ramp_is_reproduced_away_from_borders(scale):
    # Cubic and linear kernels are exact on linear data; output pixel x
    # (1-based) samples the input at u = x / s + (1 - 1 / s) / 2.
    n = 96
    ramp = np.tile(np.arange(1, n + 1, dtype=np.float32), (3, 1))
    for kernel in ("cubic", "linear"):
        out = imresize(ramp, output_shape=(3, math.ceil(n * scale)), kernel=kernel)[0]
        x = np.arange(1, out.size + 1)
        u = x / scale + 0.5 * (1 - 1 / scale)
        margin = (u > 4 / min(scale, 1)) & (u < n + 1 - 4 / min(scale, 1))
        np.testing.assert_allclose(out[margin], u[margin], atol=1e-4)


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_upscale_then_downscale_is_near_identity(factor):
    y, x = np.mgrid[0:48, 0:48] / 48.0
    img = (0.5 + 0.25 * np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y)).astype(np.float32)
    back = imresize(imresize(img, factor), 1 / factor)
    assert back.shape == img.shape
    assert np.abs(back - img).max() < 5e-3


def test_smaller_scale_axis_first_gives_same_shape_both_ways():
    img = _rng_image((20, 30, 3))
    assert imresize(img, output_shape=(40, 10)).shape == (40, 10, 3)
    assert imresize(img, output_shape=(5, 60)).shape == (5, 60, 3)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5), (0, 4), ()])
def test_bad_image_shape_raises(shape):
    with pytest.raises(RestoreError):
        imresize(np.zeros(shape, dtype=np.float32), 0.5)


@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf"), "x", True])
def test_bad_scale_raises(scale):
    with pytest.raises(RestoreError, match="scale"):
        imresize(np.zeros((4, 4), dtype=np.float32), scale)


@pytest.mark.parametrize("shape", [(0, 4), (4,), (4, 2.5), (-1, 3), "ab"])
def test_bad_output_shape_raises(shape):
    with pytest.raises(RestoreError, match="output_shape"):
        imresize(np.zeros((4, 4), dtype=np.float32), output_shape=shape)


@pytest.mark.parametrize(
    ("image", "scale", "message"),
    [
        (np.zeros((8, 8)), 5000, "sides above 16384"),
        (np.zeros((8, 8)), 2.2e307, "scale"),
        (np.zeros((8, 8)), 1e-300, "scale"),
        (np.full((8, 8), np.nan), 0.5, "NaN"),
        (np.full((8, 8), 1e300), 0.5, "float32 range"),
        (np.zeros((8, 8), complex), 0.5, "real numbers"),
    ],
)
def test_unrepresentable_resizes_raise(image, scale, message):
    with pytest.raises(RestoreError, match=message):
        imresize(image, scale)


def test_scale_and_output_shape_are_exclusive():
    img = np.zeros((4, 4), dtype=np.float32)
    with pytest.raises(RestoreError, match="exactly one"):
        imresize(img)
    with pytest.raises(RestoreError, match="exactly one"):
        imresize(img, 0.5, output_shape=(2, 2))


def test_unknown_kernel_raises():
    with pytest.raises(RestoreError, match="kernel"):
        imresize(np.zeros((4, 4), dtype=np.float32), 0.5, kernel="bicubic")


# --------------------------------------------------------------------------
# Published bicubic baseline on Set5
# --------------------------------------------------------------------------

# Bicubic x2/x3/x4 PSNR (dB, Y channel) reported in the SR literature.
SET5_BICUBIC = {2: 33.66, 3: 30.39, 4: 28.42}


def _set5_dir() -> Path:
    root = os.environ.get("DECONV_DATA")
    folder = Path(root) / "test" / "Set5" if root else None
    if folder is None or not sorted(folder.glob("*.png")):
        pytest.skip("Set5 not found: set DECONV_DATA to the dataset root (the folder holding test/Set5/*.png)")
    return folder


def _matlab_y(image_u8: np.ndarray) -> np.ndarray:
    """Y of MATLAB ``rgb2ycbcr`` on a uint8 RGB image (rounded, 0-255)."""
    rgb = image_u8.astype(np.float64) / 255.0
    y = 16.0 + rgb @ np.array([65.481, 128.553, 24.966])
    return np.round(y)


def _psnr_255(a: np.ndarray, b: np.ndarray) -> float:
    return float(10.0 * np.log10(255.0**2 / np.mean((a - b) ** 2)))


def test_set5_bicubic_psnr_matches_literature():
    from PIL import Image

    files = sorted(_set5_dir().glob("*.png"))
    for scale, expected in SET5_BICUBIC.items():
        scores = []
        for path in files:
            gt = np.asarray(Image.open(path).convert("RGB"))
            h, w = gt.shape[:2]
            gt = gt[: h - h % scale, : w - w % scale]
            lr = imresize(gt.astype(np.float32) / 255.0, 1 / scale)
            sr = imresize(lr, scale)
            sr_u8 = np.round(np.clip(sr, 0.0, 1.0) * 255.0).astype(np.uint8)
            crop = (slice(scale, -scale), slice(scale, -scale))
            scores.append(_psnr_255(_matlab_y(gt)[crop], _matlab_y(sr_u8)[crop]))
        assert np.mean(scores) == pytest.approx(expected, abs=0.03), scale
