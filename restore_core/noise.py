"""Noise models, their seeds and noise-level estimation. Gaussian sigmas are on the 0–255 scale everywhere."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .convert import float_image
from .errors import RestoreError

#: Largest Gaussian sigma (0–255 scale) accepted.
MAX_SIGMA = 255.0
#: Largest Poisson peak (photons of a white pixel) accepted; shot noise is far below 8-bit levels long before.
MAX_PEAK = 1e6


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_sigma(sigma: float, name: str = "sigma") -> float:
    """Return ``sigma`` as a float, or raise :class:`RestoreError` if it is negative, non-finite or above 255."""
    try:
        value = float(sigma)
    except (TypeError, ValueError, OverflowError) as error:
        raise RestoreError(f"{name} must be a number on the 0–255 scale, got {sigma!r}.") from error
    if not np.isfinite(value) or value < 0 or value > MAX_SIGMA:
        raise RestoreError(f"{name} must be in [0, {MAX_SIGMA:g}] (0–255 scale), got {sigma}.")
    return value


def check_peak(peak: float) -> float:
    """Return the Poisson peak as a float, or raise :class:`RestoreError` unless it is in ``(0, MAX_PEAK]``."""
    if not _is_number(peak) or not 0 < peak <= MAX_PEAK:
        raise RestoreError(
            f"the Poisson peak (photons of a white pixel) must be a number in (0, {MAX_PEAK:g}], got {peak!r}."
        )
    return float(peak)


def check_seed(seed: int, name: str = "the seed") -> int:
    """Return ``seed`` as an int, or raise :class:`RestoreError` unless it is a non-negative integer."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)) or seed < 0:
        raise RestoreError(f"{name} must be a non-negative integer, got {seed!r}.")
    return int(seed)


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
    peak = check_peak(peak)
    counts = rng.poisson(np.clip(image, 0, None).astype(np.float64) * peak)
    return (counts / peak).astype(np.float32)


def estimate_noise_sigma(image: np.ndarray) -> float:
    """Estimate the Gaussian noise level of an image (0–255 scale).

    Uses the wavelet-domain median estimator of Donoho and Johnstone
    (:func:`skimage.restoration.estimate_sigma`), averaged over channels. A channel
    without any detail coefficient (a constant one, such as a black image) counts as
    noise-free: scikit-image's estimate is NaN there.

    Parameters
    ----------
    image : ndarray
        Float image (HxW or HxWx3, at least 8 pixels a side) on the ``[0, 1]`` scale; noise may
        take it outside. ``uint8`` images are divided by 255.

    Raises
    ------
    RestoreError
        For an array that is not such an image.

    References
    ----------
    .. [1] D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet shrinkage",
           Biometrika 81(3), 1994.

    Examples
    --------
    >>> import restore_core as rc
    >>> from skimage.data import camera
    >>> observation = rc.degrade(rc.to_float(camera()), "denoise", sigma=25, seed=0)
    >>> round(rc.estimate_noise_sigma(observation.image))  # sigma 25, plus a little of the photo's own detail
    26
    """
    from skimage.restoration import estimate_sigma

    image = float_image(image, "the image whose noise is estimated").astype(np.float64)
    with warnings.catch_warnings():  # the mean of the empty set of detail coefficients of a constant channel
        warnings.simplefilter("ignore", RuntimeWarning)
        channels = estimate_sigma(image, channel_axis=-1) if image.ndim == 3 else [estimate_sigma(image)]
    return float(np.mean(np.nan_to_num(channels, nan=0.0))) * 255.0
