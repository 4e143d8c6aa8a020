"""Forward operators: adjoint identities and agreement with direct formulas."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import convolve

import restore_core as rc
from restore_core.operators import BicubicDownsample, Blur, Decimate, Mask, pad_symmetric, pad_symmetric_adjoint


def _inner(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sum(a.astype(np.float64) * b.astype(np.float64)))


def _check_adjoint(operator, shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    y = rng.standard_normal(operator.output_shape(shape))
    lhs, rhs = _inner(operator.forward(x), y), _inner(x, operator.adjoint(y))
    assert lhs == pytest.approx(rhs, rel=1e-5, abs=1e-5)


KERNELS = [rc.gaussian_kernel(1.2), rc.motion_kernel(6, 20), np.ones((4, 6))]


@pytest.mark.parametrize("boundary", rc.BOUNDARIES)
@pytest.mark.parametrize("kernel", KERNELS, ids=["gauss", "motion", "even"])
@pytest.mark.parametrize("shape", [(32, 40), (32, 40, 3)])
def test_blur_adjoint(boundary, kernel, shape):
    _check_adjoint(Blur(kernel, boundary), shape)


@pytest.mark.parametrize("scale", rc.SCALES)
@pytest.mark.parametrize("shape", [(36, 48), (37, 50, 3)])
def test_downsampling_adjoints(scale, shape):
    _check_adjoint(BicubicDownsample(scale, shape), shape)
    for boundary in rc.BOUNDARIES:
        _check_adjoint(Decimate(scale, rc.gaussian_kernel(1.0), shape, boundary), shape)


def test_mask_and_padding_adjoints():
    mask = np.random.default_rng(1).random((20, 24)) > 0.5
    _check_adjoint(Mask(mask), (20, 24, 3))
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((10, 12)), rng.standard_normal((10 + 30, 12 + 5))
    lhs = _inner(pad_symmetric(x, (20, 10), (2, 3)), y)
    rhs = _inner(x, pad_symmetric_adjoint(y, x.shape, (20, 10), (2, 3)))
    assert lhs == pytest.approx(rhs)


@pytest.mark.parametrize("kernel", KERNELS[:2], ids=["gauss", "motion"])
def test_blur_matches_direct_convolution(kernel):
    x = np.random.default_rng(3).random((30, 30))
    expected_wrap = convolve(x, kernel, mode="wrap")
    expected_reflect = convolve(x, kernel, mode="reflect")
    assert np.allclose(Blur(kernel, "circular").forward(x), expected_wrap)
    assert np.allclose(Blur(kernel, "reflect").forward(x), expected_reflect)
    half = kernel.shape[0] // 2, kernel.shape[1] // 2
    valid = Blur(kernel, "valid").forward(x)
    assert np.allclose(valid, expected_wrap[half[0] : half[0] + valid.shape[0], half[1] : half[1] + valid.shape[1]])


def test_bicubic_operator_matches_imresize():
    x = np.random.default_rng(4).random((24, 30, 3)).astype(np.float32)
    operator = BicubicDownsample(3, x.shape)
    rows, cols = operator._matrices
    via_matrices = np.stack([rows @ x[..., c] @ cols.T for c in range(3)], axis=-1)
    assert np.allclose(operator.forward(x), via_matrices, atol=1e-6)
