"""Noise models and noise-level estimation. Gaussian sigmas are on the 0–255 scale everywhere."""

from __future__ import annotations

import numpy as np

from .errors import RestoreError

#: Largest Gaussian sigma (0–255 scale) accepted.
MAX_SIGMA = 255.0


def check_sigma(sigma: float, name: str = "sigma") -> float:
    """Return ``sigma`` as a float, or raise :class:`RestoreError` if it is negative, non-finite or above 255."""
    try:
        value = float(sigma)
    except (TypeError, ValueError) as error:
        raise RestoreError(f"{name} must be a number on the 0–255 scale, got {sigma!r}.") from error
    if not np.isfinite(value) or value < 0 or value > MAX_SIGMA:
        raise RestoreError(f"{name} must be in [0, {MAX_SIGMA:g}] (0–255 scale), got {sigma}.")
    return value


def add_gaussian_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Add white Gaussian noise of standard deviation ``sigma / 255`` (no clipping).

    Parameters
    ----------
    image : ndarray
        Float image in ``[0, 1]``.
    sigma : float
        Standard deviation on the 0–255 scale.
    rng : numpy.random.Generator
        Source of the noise (seeded by the caller).
    """
    sigma = check_sigma(sigma)
    noise = rng.standard_normal(image.shape) * (sigma / 255.0)
    return (image.astype(np.float64) + noise).astype(np.float32)


def add_poisson_noise(image: np.ndarray, peak: float, rng: np.random.Generator) -> np.ndarray:
    """Poisson (shot) noise: photon counts with mean ``peak * image``, divided back by ``peak``.

    Parameters
    ----------
    image : ndarray
        Float image in ``[0, 1]``.
    peak : float
        Photon count of a white pixel; lower is noisier.
    rng : numpy.random.Generator
        Source of the noise.
    """
    if not np.isfinite(peak) or peak <= 0:
        raise RestoreError(f"the Poisson peak must be a positive number of photons, got {peak}.")
    counts = rng.poisson(np.clip(image, 0, None).astype(np.float64) * peak)
    return (counts / peak).astype(np.float32)


def estimate_noise_sigma(image: np.ndarray) -> float:
    """Estimate the Gaussian noise level of an image (0–255 scale).

    Uses the wavelet-domain median estimator of Donoho and Johnstone
    (:func:`skimage.restoration.estimate_sigma`), averaged over channels.
    """
    from skimage.restoration import estimate_sigma

    channel_axis = -1 if image.ndim == 3 else None
    return float(estimate_sigma(image.astype(np.float64), average_sigmas=True, channel_axis=channel_axis)) * 255.0
