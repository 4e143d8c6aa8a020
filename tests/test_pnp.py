"""Tests of the plug-and-play HQS solver and its registered methods."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
import torch

import restore_core as rc
from restore_core.datasteps import ConjugateGradientStep, SeparableResizeStep
from restore_core.pnp import dihedral, hqs, noise_schedule


@pytest.fixture(scope="module")
def clean() -> np.ndarray:
    """A detailed 96x96 colour crop."""
    return rc.to_float(skimage.data.astronaut())[100:196, 100:196]


def noise_free_observations(clean: np.ndarray) -> dict[str, rc.Observation]:
    gray, kernel = clean[..., 1], rc.gaussian_kernel(1.6, size=25)
    return {
        "circular blur": rc.degrade(gray, "deblur", kernel=kernel, sigma=0),
        "circular blur, colour": rc.degrade(clean, "deblur", kernel=kernel, sigma=0),
        "blur + decimation": rc.degrade(gray, "sr", scale=4, kernel=kernel, sigma=0),
        "blur + decimation, colour": rc.degrade(clean, "sr", scale=3, kernel=kernel, sigma=0),
        "mask": rc.degrade(clean, "inpaint", ratio=0.5, sigma=0, seed=0),
        "reflect blur (CG)": rc.degrade(gray, "deblur", kernel=kernel, sigma=0, boundary="reflect"),
        "bicubic": rc.degrade(gray, "sr", scale=2, sigma=0),
    }


def test_data_step_alone_solves_noise_free_problems_exactly(clean):
    for name, observation in noise_free_observations(clean).items():
        truth = clean if len(observation.clean_shape) == 3 else clean[..., 1]
        step = observation.operator.data_step(observation.image)
        assert rc.psnr(truth, np.clip(step(truth, 1e-3), 0, 1)) >= 40, name
        if not isinstance(step, ConjugateGradientStep):  # closed forms fit the data exactly from any start
            start = np.full(observation.clean_shape, 0.5)
            assert np.abs(observation.operator.forward(step(start, 1e-8)) - observation.image).max() < 1e-4, name


@pytest.mark.parametrize(("scale", "shape"), [(2, (30, 27)), (3, (27, 30, 3))])
def test_bicubic_step_is_the_exact_minimiser(scale, shape):
    rng = np.random.default_rng(4)
    clean, start = rng.random(shape), rng.random(shape)
    observation = rc.degrade(clean, "sr", scale=scale, sigma=2.55, seed=0)
    step = observation.operator.data_step(observation.image)
    assert isinstance(step, SeparableResizeStep)
    size = shape[0] * shape[1]
    basis = torch.eye(size, dtype=torch.float64).reshape(size, *shape[:2])
    dense = observation.operator.apply(basis).reshape(size, -1).T.numpy()
    observed, begin = np.atleast_3d(observation.image), np.atleast_3d(start)
    for rho in (1e-4, 1e-2, 1.0):
        solved = np.atleast_3d(step(start, rho))
        for c in range(observed.shape[-1]):
            rhs = dense.T @ observed[..., c].ravel() + rho * begin[..., c].ravel()
            exact = np.linalg.solve(dense.T @ dense + rho * np.eye(size), rhs)
            np.testing.assert_allclose(solved[..., c].ravel(), exact, atol=1e-8, err_msg=f"rho {rho}")


@pytest.mark.parametrize(
    ("task", "options"),
    [
        ("deblur", {"kernel": rc.motion_kernel(9, 30), "sigma": 2.55}),
        ("sr", {"kernel": rc.gaussian_kernel(1.6, size=25), "scale": 4, "sigma": 0}),
        ("sr", {"scale": 2, "sigma": 0}),
        ("inpaint", {"ratio": 0.8, "sigma": 0}),
    ],
)
def test_pnp_improves_over_its_initialisation_and_is_deterministic(clean, task, options):
    gray = clean[..., 1]
    observation = rc.degrade(gray, task, seed=3, **options)
    calls = []
    restored = rc.restore(observation, "pnp_tv", progress=lambda done, total: calls.append((done, total)))
    start = np.clip(rc.get_task(observation.task).initial_estimate(observation), 0, 1)
    assert rc.psnr(gray, restored) > rc.psnr(gray, start) + 0.5
    np.testing.assert_array_equal(restored, rc.restore(observation, "pnp_tv"))
    iterations = {"deblur": 8, "sr": 24, "inpaint": 40}[task]
    assert calls == [(done, iterations) for done in range(1, iterations + 1)]


def test_schedule_and_ensemble_transforms():
    levels = noise_schedule(49, 2.55, 8)
    assert levels[0] == pytest.approx(49) and levels[-1] == pytest.approx(2.55) and np.all(np.diff(levels) < 0)
    assert noise_schedule(49, 0, 3)[-1] == pytest.approx(0.5)  # noise-free problems stay well posed
    image = np.arange(12.0).reshape(3, 4)
    for index in range(8):
        np.testing.assert_array_equal(dihedral(dihedral(image, index), index, inverse=True), image)
    assert len({dihedral(image, index).tobytes() for index in range(8)}) == 8


@pytest.mark.parametrize(
    ("task", "options", "last"),
    [
        ("deblur", {"kernel": rc.gaussian_kernel(1.0), "sigma": 7.65}, 7.65),
        ("inpaint", {"ratio": 0.5, "sigma": 0}, rc.get_task("inpaint").pnp.sigma_floor),
        ("inpaint", {"ratio": 0.5, "sigma": 10}, 10),
    ],
)
def test_schedule_ends_at_the_noise_level_or_the_task_floor(clean, task, options, last):
    observation = rc.degrade(clean[..., 1], task, seed=0, **options)
    levels = []
    hqs(observation, lambda image, sigma: levels.append(sigma) or image, iterations=5)
    assert levels[0] == pytest.approx(49) and levels[-1] == pytest.approx(last)
    levels.clear()
    hqs(observation, lambda image, sigma: levels.append(sigma) or image, iterations=5, sigma_end=3.0)
    assert levels[-1] == pytest.approx(3.0)


def test_noise_free_inpainting_keeps_the_observed_pixels(clean):
    observation = rc.degrade(clean, "inpaint", ratio=0.5, sigma=0, seed=0)
    restored = hqs(observation, lambda image, sigma: np.clip(image + 0.05, 0, 1), iterations=3)
    observed = observation.mask
    np.testing.assert_allclose(restored[observed], observation.image[observed], atol=1e-3)


def test_solver_rejects_tasks_and_settings_it_cannot_use(clean):
    denoise = rc.degrade(clean, "denoise", sigma=10, seed=0)
    with pytest.raises(rc.RestoreError, match="does not support the denoise task"):
        rc.restore(denoise, "pnp_tv")
    with pytest.raises(rc.RestoreError, match="HQS inverts a forward model"):
        hqs(denoise, lambda image, sigma: image)
    blurred = rc.degrade(clean, "deblur", kernel=rc.gaussian_kernel(1.0), sigma=1, seed=0)
    with pytest.raises(rc.RestoreError, match="iterations"):
        rc.restore(blurred, "pnp_tv", iterations=0)
    with pytest.raises(rc.RestoreError, match="positive sigmas"):
        hqs(blurred, lambda image, sigma: image, sigma_end=0)


@pytest.mark.parametrize(
    ("task", "missing", "message"),
    [("deblur", {}, "kernel"), ("sr", {"kernel": rc.gaussian_kernel(1.0)}, "scale"), ("inpaint", {}, "mask")],
)
def test_inconsistent_observations_are_refused_before_any_solver_runs(clean, task, missing, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.Observation(clean[..., 1], task, clean.shape[:2], **missing)


def test_mis_shaped_mask_and_kernel_are_refused(clean):
    gray = clean[..., 1]
    with pytest.raises(rc.RestoreError, match="mask"):
        rc.Observation(gray, "inpaint", gray.shape, mask=np.ones((10, 10), bool))
    with pytest.raises(rc.RestoreError, match="kernel"):
        rc.Observation(gray, "deblur", gray.shape, kernel=np.ones((200, 200)))


def test_opponent_prior_takes_chroma_at_half_resolution_above_the_threshold(clean, monkeypatch):
    from restore_core.methods import plugandplay

    calls = []

    def recorder(image, sigma, device, tile, precision, colour_prior):
        calls.append((sigma, colour_prior))
        return image

    monkeypatch.setattr(plugandplay, "unet_denoise", recorder)
    observation = rc.degrade(clean, "deblur", kernel=rc.gaussian_kernel(1.6, size=9), sigma=2.55, seed=0)
    rc.restore(observation, "pnp_unet", colour_prior="opponent", chroma_half_above=10.0, ensemble=False)
    assert [prior for _, prior in calls] == ["opponent_half" if sigma > 10 else "opponent" for sigma, _ in calls]
    assert {"opponent", "opponent_half"} <= {prior for _, prior in calls}
    calls.clear()
    rc.restore(observation, "pnp_unet", colour_prior="colour", chroma_half_above=10.0, ensemble=False)
    assert {prior for _, prior in calls} == {"colour"}
