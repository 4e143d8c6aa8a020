"""Kernel generators and kernel validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

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


def test_default_shake_kernels_are_strokes_across_their_support_not_dots():
    for seed in range(6):
        kernel = rc.shake_kernel(25, seed=seed)
        rows, cols = np.nonzero(kernel > 0.05 * kernel.max())
        assert max(np.ptp(rows), np.ptp(cols)) >= 8, seed  # the path spans a third of the support or more
        assert len(rows) >= 20, seed


def test_a_shake_at_varying_speed_has_bright_knots_and_faint_tails_on_the_same_path():
    for seed in range(4):
        even, varying = rc.shake_kernel(25, seed), rc.shake_kernel(25, seed, speed_variation=1.0)
        assert np.array_equal(even, rc.shake_kernel(25, seed, speed_variation=0.0)), "0 is the constant-speed stroke"
        assert varying.sum() == pytest.approx(1.0) and varying.min() >= 0
        path = even > 0.05 * even.max()

        def spread(kernel: np.ndarray) -> float:  # how uneven the brightness along the stroke is
            values = kernel[kernel > 0.05 * kernel.max()]
            return float(values.std() / values.mean())

        assert spread(varying) > 1.2 * spread(even), seed
        lit = varying > 0.05 * varying.max()
        near = ndimage.binary_dilation(path, iterations=2)
        on_path = max(  # the share of the bright pixels on the same stroke, at the best shift (centring moves it)
            (np.roll(lit, (dy, dx), axis=(0, 1)) & near).sum() for dy in range(-4, 5) for dx in range(-4, 5)
        )
        assert on_path >= 0.9 * lit.sum(), seed


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
        (np.array([["a", "b"]]), "real numbers"),
        (np.ones((3, 3), complex), "real numbers"),
        ([[1.0]], "NumPy array"),
        (np.ones((256, 1)), "sides above 255"),
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


def test_huge_weights_make_a_normalised_kernel():
    kernel = rc.validate_kernel(np.full((3, 3), 1e308))  # the sum overflows to inf
    assert np.allclose(kernel, 1 / 9) and kernel.sum() == pytest.approx(1.0)
    assert np.array_equal(rc.validate_kernel(np.ones((3, 3))), np.full((3, 3), 1 / 9))
    obs = rc.degrade(np.full((16, 16), 0.5, np.float32), "deblur", kernel=np.full((3, 3), 1e308))
    assert np.allclose(obs.image, 0.5)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: rc.shake_kernel(seed=-1), "seed must be a non-negative integer"),
        (lambda: rc.shake_kernel(seed="x"), "seed must be a non-negative integer"),
        (lambda: rc.shake_kernel(size="25"), "shake kernel size"),
        (lambda: rc.shake_kernel(size=7.5), "whole number"),
        (lambda: rc.shake_kernel(anxiety=float("nan")), "anxiety"),
        (lambda: rc.shake_kernel(anxiety=-1), "anxiety"),
        (lambda: rc.shake_kernel(speed_variation=4), "speed variation"),
        (lambda: rc.shake_kernel(speed_variation=float("nan")), "speed variation"),
        (lambda: rc.shake_kernel(11, length=0), "trajectory length"),
        (lambda: rc.gaussian_kernel("1.6"), "Gaussian sigma"),
        (lambda: rc.gaussian_kernel(1e-300), "Gaussian sigma"),
        (lambda: rc.gaussian_kernel(1.6, size=2.5), "whole number"),
        (lambda: rc.gaussian_kernel(1.6, size=0), "kernel size"),
        (lambda: rc.disk_kernel(None), "disk radius"),
        (lambda: rc.disk_kernel(1e-9), "disk radius"),
        (lambda: rc.motion_kernel(1e-9), "motion length"),
        (lambda: rc.motion_kernel(9, "30"), "motion angle"),
        (lambda: rc.motion_kernel(9, float("inf")), "motion angle"),
    ],
)
def test_bad_kernel_generator_arguments_raise(make, message):
    with pytest.raises(rc.RestoreError, match=message):
        make()


def test_smallest_accepted_kernels_are_not_empty():
    motion = [rc.motion_kernel(0.25, angle) for angle in range(0, 360, 5)]
    for kernel in (rc.gaussian_kernel(0.25), rc.disk_kernel(0.25), *motion):
        assert kernel.sum() == pytest.approx(1.0)
    assert rc.gaussian_kernel(50).shape == (255, 255)  # the default support, capped at the largest kernel


def test_small_kernel_pictures_are_kernels():
    picture = np.zeros((3, 5), np.uint8)
    picture[1, 1:4] = 255
    assert np.allclose(rc.kernel_from_image(picture)[1, 1:4], 1 / 3)
    with pytest.raises(rc.RestoreError, match="expected"):
        rc.kernel_from_image(np.full((3, 3), 7.0))


def test_bad_kernel_files_raise(tmp_path):
    with pytest.raises(rc.RestoreError, match=r"path of an \.npz file"):
        rc.load_kernels(None)
    np.save(tmp_path / "single.npy", np.ones((3, 3)))
    with pytest.raises(rc.RestoreError, match="single array"):
        rc.load_kernels(tmp_path / "single.npy")
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(rc.RestoreError, match="not a readable"):
        rc.load_kernels(tmp_path / "broken.npz")
    np.savez(tmp_path / "bad.npz", good=np.ones((3, 3)), blank=np.zeros((3, 3)))
    with pytest.raises(rc.RestoreError, match="kernel 'blank': the kernel is all zeros"):
        rc.load_kernels(tmp_path / "bad.npz")


def test_one_kernel_catalogue_for_demo_benchmark_and_command_line():
    assert np.array_equal(rc.make_kernel("gaussian", sigma=1.6, size=25), rc.gaussian_kernel(1.6, size=25))
    assert np.array_equal(rc.named_kernel("motion15"), rc.motion_kernel(15, 30))
    assert set(rc.KERNEL_KINDS) == {"gaussian", "disk", "motion", "shake"}
    for name in rc.NAMED_KERNELS:
        assert rc.named_kernel(name).sum() == pytest.approx(1.0)
    with pytest.raises(rc.RestoreError, match="a motion kernel takes length, angle, not sigma"):
        rc.make_kernel("motion", sigma=2)
    with pytest.raises(rc.RestoreError, match="unknown kernel kind 'airy'"):
        rc.make_kernel("airy", radius=2)
    with pytest.raises(rc.RestoreError, match=r"the named kernels are gauss1\.6, motion15, disk3"):
        rc.named_kernel("k9")
