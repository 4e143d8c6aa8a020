"""Degradation models: seeding, shapes, composition and input checking."""

from __future__ import annotations

import numpy as np
import pytest

import restore_core as rc

CASES = {
    "denoise": {"sigma": 25},
    "deblur": {"kernel": rc.gaussian_kernel(1.6), "sigma": 2.55},
    "sr": {"scale": 4, "sigma": 1.0},
    "jpeg": {"quality": 20},
    "inpaint": {"ratio": 0.5, "sigma": 5},
}


@pytest.mark.parametrize("task", rc.TASKS)
def test_seeded_degradations_are_bit_identical(task, color):
    first = rc.degrade(color, task, seed=5, **CASES[task])
    second = rc.degrade(color, task, seed=5, **CASES[task])
    assert first.image.dtype == np.float32
    assert np.array_equal(first.image, second.image)
    other = rc.degrade(color, task, seed=6, **CASES[task])
    assert task == "jpeg" or not np.array_equal(first.image, other.image)  # the JPEG case has no noise


def test_observations_carry_their_parameters(gray):
    obs = rc.degrade(gray, "deblur", kernel=rc.motion_kernel(7, 45), sigma=7.65, seed=1, boundary="reflect")
    assert obs.sigma == 7.65 and obs.boundary == "reflect" and obs.kernel.sum() == pytest.approx(1)
    assert obs.clean_shape == gray.shape and obs.parameters()["kernel"] == "9x9"
    assert rc.degrade(gray, "sr", scale=3).image.shape == (22, 22)
    assert rc.degrade(gray, "sr", scale=2, kernel=rc.gaussian_kernel(1.0)).image.shape == (32, 32)
    assert rc.degrade(gray, "deblur", kernel=np.ones((5, 3)) / 15, boundary="valid").image.shape == (60, 62)


def test_gaussian_noise_level_and_no_clipping(gray):
    obs = rc.degrade(gray, "denoise", sigma=50, seed=0)
    residual = (obs.image - gray) * 255
    assert residual.std() == pytest.approx(50, rel=0.05)
    assert obs.image.min() < 0 and obs.image.max() > 1
    clipped = rc.degrade(gray, "denoise", sigma=50, seed=0, clip=True)
    assert clipped.image.min() >= 0 and clipped.image.max() <= 1 and clipped.clipped


def test_poisson_noise_scales_with_peak(gray):
    strong = rc.degrade(gray, "denoise", peak=10, seed=0).image - gray
    weak = rc.degrade(gray, "denoise", peak=1000, seed=0).image - gray
    assert strong.std() > 5 * weak.std()


def test_jpeg_uses_a_real_encoder(gray, color):
    for image in (gray, color):
        low = rc.degrade(image, "jpeg", quality=5).image
        high = rc.degrade(image, "jpeg", quality=95).image
        assert low.shape == image.shape
        assert rc.psnr(image, low) < rc.psnr(image, high) - 5
        assert np.array_equal(low, rc.quantize(low))


@pytest.mark.parametrize("kind", rc.MASK_TYPES)
def test_masks_hit_their_ratio(kind):
    mask = rc.make_mask(kind, (128, 128), 0.3, seed=2)
    assert mask.dtype == bool and mask.shape == (128, 128)
    assert 0.2 <= 1 - mask.mean() <= 0.45
    assert np.array_equal(mask, rc.make_mask(kind, (128, 128), 0.3, seed=2))


def test_inpaint_observation_zeroes_missing_pixels(color):
    obs = rc.degrade(color, "inpaint", ratio=0.8, seed=0)
    assert np.all(obs.image[~obs.mask] == 0)
    assert 1 - obs.mask.mean() == pytest.approx(0.8, abs=0.05)


@pytest.mark.parametrize(
    ("task", "kwargs", "message"),
    [
        ("denoise", {"sigma": -1}, "sigma"),
        ("denoise", {"sigma": float("nan")}, "sigma"),
        ("sr", {"scale": 5}, "scale"),
        ("sr", {}, "scale"),
        ("jpeg", {"quality": 0}, "quality"),
        ("jpeg", {"quality": 101}, "quality"),
        ("jpeg", {"quality": 50.5}, "quality"),
        ("inpaint", {"ratio": 1.0}, "ratio"),
        ("inpaint", {"ratio": -0.1}, "ratio"),
        ("inpaint", {"mask_type": "blob"}, "mask type"),
        ("deblur", {}, "kernel"),
        ("deblur", {"kernel": np.ones((3, 3)), "boundary": "zero"}, "boundary"),
        ("denoise", {"kernel": np.ones((3, 3))}, "does not use"),
        ("restore", {}, "unknown task"),
        ("denoise", {"seed": -1}, "seed must be a non-negative integer"),
        ("denoise", {"seed": "x"}, "seed must be a non-negative integer"),
        ("denoise", {"seed": 1.5}, "seed must be a non-negative integer"),
        ("denoise", {"peak": 1e30}, "Poisson peak"),
        ("denoise", {"peak": 0}, "Poisson peak"),
        ("denoise", {"peak": -3}, "Poisson peak"),
        ("denoise", {"peak": float("nan")}, "Poisson peak"),
        ("denoise", {"peak": "30"}, "Poisson peak"),
        ("denoise", {"clip": "no"}, "clip must be True or False"),
        ("sr", {"scale": np.array([2, 2])}, "scale"),
        ("inpaint", {"mask_type": ["random"]}, "mask type"),
    ],
)
def test_bad_degradation_parameters_raise(gray, task, kwargs, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.degrade(gray, task, **kwargs)


def test_observation_consistency_is_checked(gray):
    with pytest.raises(rc.RestoreError, match="must be"):
        rc.Observation(gray[:32], "denoise", gray.shape)
    with pytest.raises(rc.RestoreError, match="mask"):
        rc.Observation(gray, "inpaint", gray.shape, mask=np.ones((10, 10), bool))
    with pytest.raises(rc.RestoreError, match="nothing to inpaint"):
        rc.Observation(gray, "inpaint", gray.shape, mask=np.ones(gray.shape, bool))
    with pytest.raises(rc.RestoreError, match="every pixel"):
        rc.Observation(gray, "inpaint", gray.shape, mask=np.zeros(gray.shape, bool))
    with pytest.raises(rc.RestoreError, match="kernel"):
        rc.Observation(gray, "deblur", gray.shape)
    with pytest.raises(rc.RestoreError, match=r"colour|must be"):
        rc.Observation(gray, "denoise", gray.shape + (3,))


def test_real_photo_observation_estimates_sigma(gray):
    noisy = rc.degrade(gray, "denoise", sigma=20, seed=0).image
    obs = rc.Observation(noisy, "denoise", noisy.shape, sigma=None)
    assert obs.noise_sigma() == pytest.approx(20, rel=0.25)


def test_poisson_observation_estimates_its_noise_level(gray):
    obs = rc.degrade(gray, "denoise", peak=30, seed=0)
    true_level = float(np.std(obs.image - gray)) * 255
    # Signal-dependent noise: the median-based estimate sits below the RMS level, but far from 0.
    assert 0.4 * true_level < obs.noise_sigma() < 1.2 * true_level


def test_observations_of_uint8_photos_are_converted(gray):
    photo = rc.to_uint8(rc.degrade(gray, "denoise", sigma=15, seed=0, clip=True).image)
    as_bytes = rc.Observation(photo, "denoise", photo.shape, sigma=None)
    as_floats = rc.Observation(photo / 255.0, "denoise", photo.shape, sigma=None)
    assert np.array_equal(as_bytes.image, as_floats.image.astype(np.float32))
    for method in ("wavelet", "deconv_unet"):
        if method in {m.name for m in rc.list_methods()}:
            restored = rc.restore(as_bytes, method)
            assert restored.max() < 1 and rc.psnr(gray, restored) > rc.psnr(gray, as_bytes.image)


@pytest.mark.parametrize("dark", [False, True])
def test_observations_on_the_0_255_scale_are_refused(gray, dark):
    photo = rc.to_uint8(gray).astype(np.float32)
    if dark:  # median below 6 on the 0-255 scale, but bright highlights
        photo = np.where(photo > 200, photo, photo / 60)
    for sigma in (None, 25):
        with pytest.raises(rc.RestoreError, match="divide 8-bit data by 255"):
            rc.Observation(photo, "denoise", photo.shape, sigma=sigma)
    with pytest.raises(rc.RestoreError, match="Divide 8-bit data by 255"):
        rc.degrade(photo, "denoise", sigma=5)


@pytest.mark.parametrize(
    ("task", "kwargs"),
    [
        ("denoise", {"sigma": 255}),
        ("denoise", {"peak": 0.05}),
        ("denoise", {"peak": 0.3, "sigma": 255}),
        ("sr", {"scale": 4, "sigma": 50}),
        ("deblur", {"kernel": np.ones((5, 5)), "sigma": 100, "boundary": "valid"}),
    ],
)
def test_noisy_observations_leaving_the_unit_range_are_accepted_as_real_photos(task, kwargs):
    checker = ((np.indices((96, 96)) // 6).sum(axis=0) % 2).astype(np.float32)  # bicubic downscaling overshoots by 0.09
    for clean in (checker, np.ones((16 * kwargs.get("scale", 1),) * 2, np.float32)):
        for seed in range(20):
            obs = rc.degrade(clean, task, seed=seed, **kwargs)
            known = {"kernel": obs.kernel, "boundary": obs.boundary, "scale": obs.scale}
            real = rc.Observation(obs.image, task, obs.clean_shape, sigma=None, peak=obs.peak, **known)
            assert np.array_equal(real.image, obs.image)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image": np.zeros((64, 64), np.int64)}, "dtype int64"),
        ({"image": np.zeros((64, 64), complex)}, "dtype complex128"),
        ({"image": np.full((64, 64), 1e300)}, "float32 range"),
        ({"clean_shape": "64x64"}, "clean shape"),
        ({"clean_shape": None}, "clean shape"),
        ({"clean_shape": (64.5, 64)}, "clean shape"),
        ({"peak": -1}, "Poisson peak"),
        ({"seed": "x"}, "seed"),
        ({"clipped": "yes"}, "clipped"),
    ],
)
def test_bad_observation_fields_raise(gray, kwargs, message):
    fields = {"image": gray, "task": "denoise", "clean_shape": gray.shape} | kwargs
    with pytest.raises(rc.RestoreError, match=message):
        rc.Observation(**fields)


def test_flat_images_have_a_zero_noise_estimate_and_can_be_restored():
    black = np.zeros((16, 16), np.float32)
    assert rc.estimate_noise_sigma(black) == 0
    obs = rc.Observation(black, "denoise", black.shape, sigma=None)
    assert obs.noise_sigma() == 0
    for method in rc.list_methods(task="denoise"):
        assert np.all(np.isfinite(rc.restore(obs, method.name))), method.name


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rc.make_mask("random", (0, 0), 0.5), "mask shape"),
        (lambda: rc.make_mask("random", "ab", 0.5), "mask shape"),
        (lambda: rc.make_mask("random", (16, 16), 0.5, seed=-1), "seed"),
        (lambda: rc.make_mask(["random"], (16, 16), 0.5), "mask type"),
        (lambda: rc.make_mask("box", (16, 16), 10**400), "ratio"),
        (lambda: rc.estimate_noise_sigma([[0.5]]), "NumPy array"),
        (lambda: rc.estimate_noise_sigma(np.zeros((2, 2))), "at least 8"),
        (lambda: rc.jpeg_compress(np.full((16, 16), 100.0), 50), "Divide 8-bit data by 255"),
        (lambda: rc.jpeg_compress(np.zeros((16, 16, 4)), 50), "RGBA"),
    ],
)
def test_bad_mask_noise_and_jpeg_requests_raise(call, message):
    with pytest.raises(rc.RestoreError, match=message):
        call()
