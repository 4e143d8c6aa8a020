"""The noise-level function of signal-dependent noise, its variance-stabilising transform, and ``vst_bm3d``."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.data import astronaut

import restore_core as rc

RAMP = np.tile(np.linspace(0.05, 0.95, 256), (192, 1))


def heteroscedastic(levels_at: tuple[float, float], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The ramp and its noisy version, noise σ (0–255) growing linearly from ``levels_at[0]`` to ``levels_at[1]``."""
    low, high = levels_at
    sigma = low + (high - low) * RAMP
    return RAMP, RAMP + np.random.default_rng(seed).normal(size=RAMP.shape) * sigma / 255


@pytest.mark.parametrize(("low", "high"), [(2.0, 20.0), (12.0, 4.0), (8.0, 8.0)])
def test_the_estimated_function_follows_the_noise_level_across_intensities(low: float, high: float):
    _, noisy = heteroscedastic((low, high))
    function = rc.estimate_noise_function(noisy)
    for intensity in (0.15, 0.5, 0.85):
        truth = low + (high - low) * intensity
        assert function.sigma(intensity) == pytest.approx(truth, rel=0.15), intensity


def test_each_channel_gets_its_own_function_and_texture_is_not_taken_for_noise():
    photo = rc.to_float(astronaut())[:256, :256].astype(np.float64)
    noisy = photo + np.random.default_rng(1).normal(size=photo.shape) * np.array([3.0, 6.0, 12.0]) / 255
    function = rc.estimate_noise_function(noisy)
    assert function.levels.shape == (3, len(function.intensities))
    medians = np.median(function.levels, axis=1)
    assert medians == pytest.approx([3.0, 6.0, 12.0], rel=0.3)
    own = rc.estimate_noise_function(photo)  # the photo's own grain: the wavelet estimator reads 2.1 on it
    assert np.median(own.levels) < 3.0


def test_stabilising_makes_the_noise_unit_everywhere_and_inverts():
    clean, noisy = heteroscedastic((2.0, 20.0), seed=2)
    function = rc.estimate_noise_function(noisy)
    residual = function.stabilize(noisy) - function.stabilize(clean)
    dark, light = residual[:, :64], residual[:, -64:]
    assert np.std(dark) == pytest.approx(1.0, rel=0.2) and np.std(light) == pytest.approx(1.0, rel=0.2)
    np.testing.assert_allclose(function.unstabilize(function.stabilize(noisy)), noisy, atol=1e-6)
    constant = rc.NoiseFunction.constant(5.0)
    step = constant.stabilize(np.array([[0.2, 0.4]]))
    assert step[0, 1] - step[0, 0] == pytest.approx(0.2 * 255 / 5.0)


def test_small_images_and_channel_mismatch():
    tiny = np.random.default_rng(0).random((8, 8))
    assert np.isfinite(rc.estimate_noise_function(tiny).levels).all()
    with pytest.raises(rc.RestoreError, match="the noise function has 1 channels, the image 3"):
        rc.NoiseFunction.constant(5.0).stabilize(np.zeros((8, 8, 3)))
    with pytest.raises(rc.RestoreError, match="at least 8 pixels"):
        rc.estimate_noise_function(np.zeros((4, 4)))


def test_vst_bm3d_beats_cbm3d_at_the_white_noise_estimate_on_camera_noise():
    clean = rc.to_float(astronaut())[:96, 200:296]
    observation = rc.degrade(clean, "denoise", camera="high", seed=3)
    stabilized = rc.psnr(clean, rc.restore(observation, "vst_bm3d"))
    assert stabilized > rc.psnr(clean, rc.restore(observation, "bm3d")) + 1.0
    assert stabilized > rc.psnr(clean, observation.image) + 3.0


def test_vst_bm3d_with_white_noise_known_or_not_is_bm3d():
    clean = rc.to_float(astronaut())[:64, 200:264]
    observation = rc.degrade(clean, "denoise", sigma=15, seed=0)
    np.testing.assert_allclose(rc.restore(observation, "vst_bm3d"), rc.restore(observation, "bm3d"), atol=1e-6)
    unknown = rc.photo_observation(observation.image, "denoise")  # the noise function reads about the white estimate
    np.testing.assert_allclose(rc.restore(unknown, "vst_bm3d"), rc.restore(unknown, "bm3d"), atol=1e-6)
    always = rc.restore(unknown, "vst_bm3d", white_ratio=0.0)  # the stabilised path, forced
    assert not np.allclose(always, rc.restore(unknown, "bm3d"), atol=1e-3)


def test_the_learned_noise_map_is_high_where_the_noise_is():
    rng = np.random.default_rng(4)
    photo = np.tile(np.linspace(0.2, 0.8, 96), (64, 1))[..., None].repeat(3, axis=-1)
    photo[:, 48:] += rng.normal(size=(64, 48, 3)) * 15 / 255
    level = rc.estimate_noise_map(photo)
    assert level.shape == (64, 96) and level.dtype == np.float32
    assert np.median(level[:, 64:]) == pytest.approx(15, rel=0.5) and np.median(level[:, :32]) < 6
    np.testing.assert_allclose(rc.estimate_noise_map(photo[..., 0]), rc.estimate_noise_map(photo[..., [0, 0, 0]]))
