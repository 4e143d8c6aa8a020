"""Blind kernel estimation (``rc.estimate_kernel``): it reads a kernel off a blurred image, refuses what it cannot."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

import restore_core as rc
from restore_core import blind


@pytest.fixture(scope="module")
def blurred_camera():
    """A 256x256 camera crop blurred by a linear motion with the reflect boundary, sigma 1, and its kernel."""
    clean = rc.to_float(data.camera())[::2, ::2]
    truth = rc.motion_kernel(11, 30)
    return clean, truth, rc.degrade(clean, "deblur", kernel=truth, boundary="reflect", sigma=1.0, seed=0)


@pytest.mark.parametrize("method", ["l0", "learned"])
def test_the_estimate_matches_the_true_kernel_and_deblurs_nearly_as_well(blurred_camera, method):
    clean, truth, observation = blurred_camera
    calls = []
    estimate = rc.estimate_kernel(observation.image, size=21, method=method,
                                  progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    assert estimate.ndim == 2 and estimate.shape[0] % 2 == 1 and estimate.shape[0] <= 21
    assert estimate.min() >= 0 and estimate.sum() == pytest.approx(1.0)
    assert rc.kernel_similarity(estimate, truth) > 0.8
    assert calls and calls[-1][0] == calls[-1][1]

    def restored(kernel):
        described = rc.Observation(observation.image, "deblur", clean.shape, sigma=1.0, kernel=kernel,
                                   boundary="reflect")  # fmt: skip
        return rc.psnr(clean, rc.restore(described, "wiener"))

    assert restored(estimate) > rc.psnr(clean, observation.image) + 1.5
    assert restored(estimate) > restored(truth) - 2.0


def test_colour_photos_are_read_through_their_luma():
    clean = rc.to_float(data.astronaut())[::2, ::2]
    truth = rc.motion_kernel(9, 0)
    observation = rc.degrade(clean, "deblur", kernel=truth, boundary="reflect", sigma=1.0, seed=1)
    assert rc.kernel_similarity(rc.estimate_kernel(observation.image, size=15), truth) > 0.7


def test_a_flat_image_gives_no_blur_with_a_warning():
    with pytest.warns(UserWarning, match="too flat"):
        kernel = rc.estimate_kernel(np.full((96, 96), 0.4))
    assert kernel.shape == (1, 1) and kernel[0, 0] == 1.0


@pytest.mark.parametrize(
    ("size", "message"), [(40, "at most a third"), (2, "at least 3"), (7.5, "whole number"), (True, "whole number")]
)
def test_bad_sizes_are_refused(size, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.estimate_kernel(np.random.default_rng(0).random((96, 96)), size=size)


def test_bad_images_and_estimators_are_refused():
    image = np.random.default_rng(0).random((96, 96))
    with pytest.raises(rc.RestoreError, match="unknown kernel estimator"):
        rc.estimate_kernel(image, method="magic")
    image[3, 3] = np.nan
    with pytest.raises(rc.RestoreError):
        rc.estimate_kernel(image)


def test_kernel_similarity_forgives_shifts_only():
    line = np.zeros((7, 7))
    line[3, 1:6] = 1
    assert rc.kernel_similarity(line, np.roll(line, 1, axis=1)) == pytest.approx(1.0)
    assert rc.kernel_similarity(line, line.T) < 0.5


def test_large_supports_solve_the_same_kernel_step_by_fft(blurred_camera, monkeypatch):
    _, truth, observation = blurred_camera
    direct = rc.estimate_kernel(observation.image, size=21)
    monkeypatch.setattr(blind, "DIRECT_SIDE", 1)  # every scale's kernel step by FFT
    by_fft = rc.estimate_kernel(observation.image, size=21)
    assert rc.kernel_similarity(by_fft, direct) > 0.99 and rc.kernel_similarity(by_fft, truth) > 0.8
