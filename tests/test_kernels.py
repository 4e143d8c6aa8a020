"""Kernel generators and kernel validation."""

from __future__ import annotations

import numpy as np
import pytest

import restore_core as rc


@pytest.mark.parametrize(
    "kernel",
    [
        rc.gaussian_kernel(1.6),
        rc.disk_kernel(3.5),
        rc.motion_kernel(15, 30),
        rc.shake_kernel(21, seed=3),
    ],
)
def test_generated_kernels_are_normalised_nonnegative_and_odd(kernel):
    assert kernel.ndim == 2 and kernel.shape[0] % 2 == 1 and kernel.shape[1] % 2 == 1
    assert kernel.min() >= 0
    assert kernel.sum() == pytest.approx(1.0)


def test_kernel_centres_of_mass_are_central():
    for kernel in (rc.gaussian_kernel(2.0), rc.disk_kernel(4), rc.motion_kernel(11, 0), rc.motion_kernel(9, 90)):
        rows, cols = np.indices(kernel.shape)
        assert (rows * kernel).sum() == pytest.approx(kernel.shape[0] // 2, abs=1e-6)
        assert (cols * kernel).sum() == pytest.approx(kernel.shape[1] // 2, abs=1e-6)


def test_motion_kernel_orientation():
    horizontal = rc.motion_kernel(9, 0)
    assert horizontal[horizontal.shape[0] // 2].sum() > 0.99


def test_shake_kernel_is_seeded():
    assert np.array_equal(rc.shake_kernel(25, seed=7), rc.shake_kernel(25, seed=7))
    assert not np.array_equal(rc.shake_kernel(25, seed=7), rc.shake_kernel(25, seed=8))


def test_kernel_from_image_and_centering():
    picture = np.zeros((15, 15, 3), np.uint8)
    picture[2, 3:6] = 255
    kernel = rc.kernel_from_image(picture)
    assert kernel.sum() == pytest.approx(1.0)
    centred = rc.center_kernel(kernel)
    rows, cols = np.indices(centred.shape)
    assert abs((rows * centred).sum() - centred.shape[0] // 2) < 0.5
    assert abs((cols * centred).sum() - centred.shape[1] // 2) < 0.5


@pytest.mark.parametrize(
    ("kernel", "message"),
    [
        (np.ones(5), "2-D"),
        (-np.ones((3, 3)), "negative"),
        (np.zeros((3, 3)), "all zeros"),
        (np.full((3, 3), np.inf), "NaN or infinite"),
    ],
)
def test_bad_kernels_raise(kernel, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.validate_kernel(kernel)


def test_kernel_larger_than_image_raises(gray):
    with pytest.raises(rc.RestoreError, match="larger than the image"):
        rc.degrade(gray, "deblur", kernel=np.ones((65, 3)))


def test_blank_kernel_image_raises():
    with pytest.raises(rc.RestoreError, match="blank"):
        rc.kernel_from_image(np.zeros((9, 9), np.uint8))


def test_levin_kernels_load(data_root):
    kernels = rc.levin_kernels(data_root)
    assert list(kernels) == [f"k{i}" for i in range(1, 9)]
    assert all(k.sum() == pytest.approx(1.0) for k in kernels.values())
