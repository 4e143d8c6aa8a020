"""The registry and every registered method."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
import torch
from skimage import data, restoration

import restore_core as rc
from restore_core.methods.deconvolution import (
    RL_FLOOR,
    RL_MIN_SUPPORT,
    richardson_lucy_deconvolution,
    tv_curvature,
    tv_deconvolution,
    unsupervised_wiener_deconvolution,
    wiener_deconvolution,
    wiener_noise_gain,
)
from restore_core.methods.denoising import bm3d_denoise
from restore_core.operators import Blur
from restore_core.registry import _REGISTRY, NON_FINITE_RESULT, Method

REQUIRED = (
    "identity wiener unsupervised_wiener richardson_lucy tv_deconv tv wavelet nlm bm3d "
    "nearest bilinear bicubic lanczos back_projection biharmonic"
).split()

OBSERVATION_ARGS = {
    "denoise": {"sigma": 25},
    "deblur": {"kernel": rc.gaussian_kernel(1.2), "sigma": 2.55},
    "sr": {"scale": 2},
    "jpeg": {"quality": 10},
    "inpaint": {"ratio": 0.5},
}
# Methods with a clear win over the degraded input on these small crops (measured, with margin).
BASELINE = {"denoise": "identity", "deblur": "identity", "sr": "nearest", "jpeg": "identity", "inpaint": "identity"}


def test_required_methods_are_registered():
    names = [method.name for method in rc.list_methods()]
    assert set(REQUIRED) <= set(names)
    assert len(names) == len(set(names))


def test_every_method_declares_its_contract():
    for method in rc.list_methods():
        assert method.family in rc.FAMILIES and method.tasks and method.display_name and method.description
        assert set(method.tasks) <= set(rc.TASKS)
        for param in method.params:
            assert param.kind in ("float", "int", "choice", "bool") and param.help


def test_list_methods_filters():
    deblur = rc.list_methods(task="deblur")
    assert {m.name for m in deblur} >= {"identity", "wiener", "richardson_lucy"}
    assert all("deblur" in m.tasks for m in deblur)
    assert all(m.family == "classical" for m in rc.list_methods(family="classical"))
    with pytest.raises(rc.RestoreError, match="unknown task"):
        rc.list_methods(task="colorize")


def _cases():
    for method in rc.list_methods():
        for task in method.tasks:
            for image in ("gray", "color"):
                yield pytest.param(method.name, task, image, id=f"{method.name}-{task}-{image}")


@pytest.mark.parametrize(("name", "task", "image"), list(_cases()))
def test_method_restores_and_beats_the_degraded_input(request, golden_psnr, name, task, image):
    """Every method on every task: a finite result that beats the baseline and keeps its golden PSNR."""
    clean = request.getfixturevalue(image)
    obs = rc.degrade(clean, task, seed=0, **OBSERVATION_ARGS[task])
    method = rc.get_method(name)
    # iterative solvers run a short schedule here, the BM3D prior (one BM3D per iteration) the shortest
    iterations = 3 if name == "pnp_bm3d" else 6
    short = {"iterations": iterations} if any(param.name == "iterations" for param in method.params) else {}
    out = rc.restore(obs, name, **short)
    assert out.shape == clean.shape and out.dtype == np.float32 and np.all(np.isfinite(out))
    score = rc.psnr(clean, out)
    if name not in ("identity", BASELINE[task]):
        assert score > rc.psnr(clean, rc.restore(obs, BASELINE[task])) + 0.3
    golden_psnr.check(f"{name}-{task}-{image}", score)


def test_the_only_sampling_method_is_seeded_by_the_observation(gray):
    """The unsupervised Wiener filter is a Gibbs sampler: the observation's seed makes it reproducible."""
    obs = rc.degrade(gray, "deblur", kernel=rc.motion_kernel(7, 30), sigma=2.55, seed=0)
    first = rc.restore(obs, "unsupervised_wiener")
    assert np.array_equal(first, rc.restore(obs, "unsupervised_wiener"))
    reseeded = dataclasses.replace(obs, seed=1)  # the same data, another chain
    assert np.abs(first - rc.restore(reseeded, "unsupervised_wiener")).max() > 1e-3


def test_cbm3d_is_bm3d_rgb_on_colour_images_and_handles_gray_ones_stored_as_rgb(gray, color):
    import bm3d

    noisy = rc.degrade(color[:32, :32], "denoise", sigma=25, seed=0).image
    profile = bm3d.BM3DProfile()
    profile.num_threads = 1
    assert np.array_equal(bm3d_denoise(noisy, 25), bm3d.bm3d_rgb(noisy.astype(np.float64), 25 / 255, profile=profile))
    noisy_gray = rc.degrade(gray[:32, :32], "denoise", sigma=25, seed=0).image
    as_rgb = np.repeat(noisy_gray[..., None], 3, axis=2)  # constant chroma: bm3d_rgb divided by zero (all NaN)
    restored = rc.restore(rc.Observation(as_rgb, "denoise", as_rgb.shape, sigma=25), "bm3d")
    # not as good as gray BM3D: the noise is the same in the three channels, not independent
    assert rc.psnr(gray[:32, :32], restored[..., 0]) > rc.psnr(gray[:32, :32], noisy_gray) + 2
    flat = rc.degrade(np.full((16, 16, 3), 0.5, np.float32), "jpeg", quality=50)
    assert np.allclose(rc.restore(flat, "bm3d_deblock"), flat.image, atol=1e-3)


def test_a_method_returning_nan_fails_with_a_restore_error(monkeypatch, gray):
    def broken(observation):
        return np.full(observation.clean_shape, np.nan)

    method = Method("broken", "Broken", "classical", ("denoise",), (), broken, "Returns NaN.")
    monkeypatch.setitem(_REGISTRY, "broken", method)
    with pytest.raises(rc.RestoreError, match=NON_FINITE_RESULT):
        rc.restore(rc.degrade(gray, "denoise", sigma=5), "broken")


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("nlm", {"patch_size": 10**400}, "must be in"),
        ("nlm", {"patch_size": float("inf")}, "must be in"),
        ("nlm", {"patch_size": float("nan")}, "must be in"),
        ("nlm", {"patch_size": 5.5}, "must be an integer"),
        ("nlm", {"h_factor": np.float32(np.nan)}, "must be in"),
        ("wavelet", {"wavelet": np.array(["sym8"])}, "must be one of"),
        ([], {}, "unknown method"),
        (None, {}, "unknown method"),
    ],
)
def test_bad_parameter_values_raise(gray, name, params, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.restore(rc.degrade(gray, "denoise", sigma=5), name, **params)


def test_bad_method_requests_raise(gray):
    obs = rc.degrade(gray, "denoise", sigma=10)
    with pytest.raises(rc.RestoreError, match="does not support the denoise task"):
        rc.restore(obs, "wiener")
    with pytest.raises(rc.RestoreError, match="unknown method"):
        rc.restore(obs, "magic")
    with pytest.raises(rc.RestoreError, match="no parameter"):
        rc.restore(obs, "tv", strength=3)
    with pytest.raises(rc.RestoreError, match="must be in"):
        rc.restore(obs, "tv", weight=-1.0)
    with pytest.raises(rc.RestoreError, match="must be one of"):
        rc.restore(obs, "wavelet", wavelet="haar9")
    with pytest.raises(rc.RestoreError, match="Observation"):
        rc.restore(gray, "tv")


@pytest.mark.parametrize("boundary", ["reflect", "valid"])
def test_deconvolution_of_realistic_boundaries_does_not_ring(boundary):
    clean = rc.to_float(data.camera())[100:228, 150:278]
    obs = rc.degrade(clean, "deblur", kernel=rc.motion_kernel(9, 30), sigma=1.0, boundary=boundary)
    identity = rc.restore(obs, "identity")
    inner, border = np.s_[10:-10, 10:-10], np.s_[:6]
    for name in ("wiener", "richardson_lucy", "tv_deconv"):
        out = rc.restore(obs, name)
        assert rc.psnr(clean[inner], out[inner]) > rc.psnr(clean[inner], identity[inner]) + 2.5, name
        if boundary == "reflect":  # a 'valid' observation holds no information on the outer rows
            assert rc.psnr(clean[border], out[border]) > rc.psnr(clean[border], identity[border]) + 1.5, name


def _richardson_lucy_reference(blurred: np.ndarray, kernel: np.ndarray, num_iter: int) -> np.ndarray:
    """Textbook Richardson–Lucy with circular convolution in the image domain (SciPy), float64."""
    from scipy.ndimage import convolve, correlate

    observed = np.clip(blurred, 0, None).astype(np.float64)
    estimate = np.full_like(observed, observed.mean())
    for _ in range(num_iter):
        ratio = observed / np.maximum(convolve(estimate, kernel, mode="wrap"), RL_FLOOR)
        estimate = estimate * correlate(ratio, kernel, mode="wrap")
    return estimate


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device"))])  # fmt: skip
def test_richardson_lucy_is_the_exact_iteration_on_every_channel_and_device(device):
    clean = rc.to_float(data.astronaut())[100:164, 180:260]
    kernel = rc.shake_kernel(9, seed=2)  # asymmetric: a flipped kernel would not pass
    observed = rc.degrade(clean, "deblur", kernel=kernel, sigma=2.0, seed=0).image
    restored = richardson_lucy_deconvolution(observed, kernel, 12, device=device, accelerate=False)
    expected = np.stack([_richardson_lucy_reference(observed[..., c], kernel, 12) for c in range(3)], axis=-1)
    assert restored.shape == observed.shape and restored.dtype == np.float32
    assert np.abs(restored - expected).max() < 2e-4
    assert restored.min() >= 0  # the multiplicative update stays non-negative
    np.testing.assert_allclose(restored.sum(axis=(0, 1)), np.clip(observed, 0, None).sum(axis=(0, 1)), rtol=1e-4)


def _blur_matrix(kernel: np.ndarray, shape: tuple[int, int], boundary: str) -> np.ndarray:
    """The blur as a dense matrix built with SciPy (independently of ``restore_core.operators``)."""
    from scipy.ndimage import convolve
    from scipy.signal import convolve2d

    columns = []
    for index in range(shape[0] * shape[1]):
        basis = np.zeros(shape)
        basis.flat[index] = 1.0
        if boundary == "valid":
            blurred = convolve2d(basis, kernel, mode="valid")
        else:
            blurred = convolve(basis, kernel, mode="reflect")
        columns.append(blurred.ravel())
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("boundary", ["reflect", "valid"])
def test_richardson_lucy_is_exact_at_the_borders_of_reflect_and_valid_blurs(boundary):
    """``x ← x · Aᵀ(y / Ax) / Aᵀ1`` with ``A`` the boundary's true blur matrix, and a likelihood that never drops."""
    kernel = rc.shake_kernel(5, seed=3)
    clean = rc.to_float(data.camera())[200:222, 220:239].astype(np.float64)
    matrix = _blur_matrix(kernel, clean.shape, boundary)
    observed = np.clip(matrix @ clean.ravel() + np.random.default_rng(0).normal(0, 0.01, matrix.shape[0]), 0, None)
    observed_image = observed.reshape(Blur(kernel, boundary).output_shape(clean.shape))
    normaliser = matrix.T @ np.ones_like(observed)
    updated = normaliser > RL_MIN_SUPPORT  # the outer band of a 'valid' crop keeps the nearest observed value
    assert updated.all() == (boundary == "reflect")
    nearest = np.pad(observed_image, 2, mode="edge") if boundary == "valid" else observed_image
    estimate = np.where(updated, observed.mean(), nearest.ravel())
    divergences = []
    for num_iter in range(1, 16):
        ratio = matrix.T @ (observed / np.maximum(matrix @ estimate, RL_FLOOR))
        estimate = estimate * np.where(updated, ratio / np.where(updated, normaliser, 1.0), 1.0)
        restored = richardson_lucy_deconvolution(observed_image, kernel, num_iter, boundary, "cpu", accelerate=False)
        assert restored.shape == clean.shape
        assert np.abs(restored.ravel() - estimate).max() < 3e-4 * estimate.max()  # float32 against float64
        blurred = matrix @ restored.ravel().astype(np.float64)
        divergences.append(np.sum(blurred - observed * np.log(np.maximum(blurred, 1e-12))))
    assert all(later <= earlier + 1e-6 for earlier, later in itertools.pairwise(divergences))


def test_tv_curvature_is_minus_the_gradient_of_the_smoothed_total_variation():
    image = torch.rand(2, 17, 23, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    image.requires_grad_(True)
    dx = torch.diff(image, dim=-1, append=image[..., -1:])
    dy = torch.diff(image, dim=-2, append=image[..., -1:, :])
    torch.sqrt(dx.square() + dy.square() + 0.05**2).sum().backward()
    assert torch.allclose(tv_curvature(image.detach(), 0.05), -image.grad, atol=1e-12)


def test_accelerated_richardson_lucy_reaches_the_likelihood_of_three_times_the_iterations(gray):
    kernel = rc.motion_kernel(9, 30)
    observed = np.clip(rc.degrade(gray, "deblur", kernel=kernel, sigma=1.0, seed=0).image, 0, None)
    blur = Blur(kernel)

    def divergence(estimate: np.ndarray) -> float:  # Poisson negative log-likelihood, up to a constant
        blurred = np.maximum(blur.forward(estimate.astype(np.float64)), 1e-12)
        return float(np.sum(blurred - observed * np.log(blurred)))

    accelerated = richardson_lucy_deconvolution(observed, kernel, 20, device="cpu")
    plain = richardson_lucy_deconvolution(observed, kernel, 60, device="cpu", accelerate=False)
    assert divergence(accelerated) <= divergence(plain)
    assert accelerated.min() >= 0


def test_rl_tv_regularises_richardson_lucy(gray):
    """At the same iteration count, the TV term gives a result with less total variation and closer to the truth."""
    kernel = rc.motion_kernel(9, 30)
    observed = rc.degrade(gray, "deblur", kernel=kernel, sigma=7.65, seed=0).image
    plain = richardson_lucy_deconvolution(observed, kernel, 40, device="cpu")
    regularised = richardson_lucy_deconvolution(observed, kernel, 40, device="cpu", tv_weight=0.01)

    def total_variation(image: np.ndarray) -> float:
        return float(np.abs(np.diff(image, axis=0)).sum() + np.abs(np.diff(image, axis=1)).sum())

    assert total_variation(regularised) < 0.8 * total_variation(plain)
    assert rc.psnr(gray, np.clip(regularised, 0, 1)) > rc.psnr(gray, np.clip(plain, 0, 1)) + 1.0
    assert regularised.min() >= 0


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device"))])  # fmt: skip
def test_tv_deconvolution_of_a_colour_image_is_that_of_each_channel(device):
    clean = rc.to_float(data.astronaut())[100:164, 180:260]
    kernel = rc.shake_kernel(9, seed=2)
    observed = rc.degrade(clean, "deblur", kernel=kernel, sigma=5.0, seed=0).image
    batched = tv_deconvolution(observed, kernel, 3e-3, 60, device=device)
    planes = np.stack([tv_deconvolution(observed[..., c], kernel, 3e-3, 60, device="cpu") for c in range(3)], -1)
    assert batched.shape == observed.shape
    np.testing.assert_allclose(batched, planes, atol=1e-9)
    assert rc.psnr(clean, batched) > rc.psnr(clean, observed) + 2


def test_unknown_noise_level_is_estimated(gray):
    noisy = rc.degrade(gray, "denoise", sigma=25, seed=0).image
    blind = rc.Observation(noisy, "denoise", noisy.shape, sigma=None)
    assert rc.psnr(gray, rc.restore(blind, "bm3d")) > rc.psnr(gray, noisy) + 4


@pytest.mark.parametrize("name", [m.name for m in rc.list_methods(task="denoise")])
def test_denoisers_accept_a_noise_free_observation(gray, name):
    obs = rc.degrade(gray, "denoise", sigma=0)
    assert rc.psnr(gray, rc.restore(obs, name)) > 30


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device"))])  # fmt: skip
@pytest.mark.parametrize("shape", [(40, 50, 3), (41, 37)])
def test_wiener_equals_scikit_image_on_every_channel(device, shape):
    kernel = rc.shake_kernel(9, seed=2)
    observed = np.random.default_rng(6).random(shape)
    restored = wiener_deconvolution(observed, kernel, 0.01, device=device)
    planes = np.atleast_3d(observed)
    expected = np.stack([restoration.wiener(planes[..., c], kernel, 0.01, clip=False) for c in range(planes.shape[2])],
                        axis=-1).reshape(shape)  # fmt: skip
    assert restored.shape == shape
    np.testing.assert_allclose(restored, expected, atol=1e-9)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device"))])  # fmt: skip
def test_unsupervised_wiener_samples_as_scikit_image_does(device):
    """The same Gibbs sampler with other random draws: the same quality, reproducible for a seed."""
    clean = rc.to_float(data.camera())[100:196, 150:246]
    kernel = rc.motion_kernel(9, 30)
    observed = rc.degrade(clean, "deblur", kernel=kernel, sigma=2.55, seed=0).image
    ours = unsupervised_wiener_deconvolution(observed, kernel, seed=0, device=device)
    theirs, _ = restoration.unsupervised_wiener(observed, kernel, clip=False, rng=np.random.default_rng(0))
    assert rc.psnr(clean, np.clip(ours, 0, 1)) == pytest.approx(rc.psnr(clean, np.clip(theirs, 0, 1)), abs=0.15)
    assert rc.psnr(clean, np.clip(ours, 0, 1)) > rc.psnr(clean, observed) + 3
    np.testing.assert_array_equal(ours, unsupervised_wiener_deconvolution(observed, kernel, seed=0, device=device))
    assert not np.array_equal(ours, unsupervised_wiener_deconvolution(observed, kernel, seed=1, device=device))


def test_wiener_noise_gain_predicts_the_noise_the_filter_leaves():
    noise = np.random.default_rng(0).normal(0.0, 0.05, (256, 256))
    kernel = rc.motion_kernel(15, 30)
    for balance in (1e-3, 1e-2, 1e-1):
        measured = restoration.wiener(noise, kernel, balance, clip=False).std()
        assert measured == pytest.approx(0.05 * wiener_noise_gain(kernel, noise.shape, balance), rel=0.05)


def test_every_learned_method_runs_in_bfloat16_at_nearly_the_float32_quality(gray):
    learned = rc.list_methods(family="learned")
    if not learned:
        pytest.skip("no learned weights ship")
    for method in learned:
        assert {param.name: param.choices for param in method.params}["precision"] == ("float32", "bfloat16")
    for task, name, params in (("denoise", "deconv_unet", {}), ("deblur", "pnp_unet", {"iterations": 3})):
        if name not in {method.name for method in learned}:
            continue
        obs = rc.degrade(gray, task, **OBSERVATION_ARGS[task], seed=0)
        exact = rc.psnr(gray, rc.restore(obs, name, **params))
        fast = rc.psnr(gray, rc.restore(obs, name, precision="bfloat16", **params))
        assert abs(fast - exact) < 0.1, (name, exact, fast)
        with pytest.raises(rc.RestoreError, match="must be one of float32, bfloat16"):
            rc.restore(obs, name, precision="float16", **params)


def test_the_baseline_is_flagged_and_returns_the_observation_unclipped() -> None:
    assert [method.name for method in rc.list_methods() if method.baseline] == ["identity"]
    noisy = rc.degrade(rc.sample_image("camera", 32), "denoise", sigma=50.0, seed=0)
    assert noisy.image.min() < 0 and np.array_equal(rc.restore(noisy, "identity"), noisy.image)
    assert rc.restore(noisy, "tv").min() >= 0  # a restoration is clipped to [0, 1]


def test_a_gray_only_method_says_so_for_a_colour_image(monkeypatch):
    from restore_core import registry

    method = registry.Method("gray_median", "Median (gray)", "classical", ("denoise",), (),
                             lambda observation: observation.image, images="gray")  # fmt: skip
    monkeypatch.setitem(registry._REGISTRY, method.name, method)
    colour = rc.degrade(data.astronaut()[:32, :32] / 255.0, "denoise", sigma=5)
    gray = rc.degrade(data.camera()[:32, :32] / 255.0, "denoise", sigma=5)
    assert method.restores(gray) and not method.restores(colour)
    assert rc.restore(gray, "gray_median").shape == (32, 32)
    with pytest.raises(rc.RestoreError, match="gray_median restores gray images only; this one is colour"):
        rc.restore(colour, "gray_median")
    with pytest.raises(ValueError, match="images must be one of"):
        rc.register("x", "X", "classical", ["denoise"], images="rgb")
