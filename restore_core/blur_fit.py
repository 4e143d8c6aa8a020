"""Fast parametric blur estimation: a Gaussian, defocus disk or linear motion fitted to a photo's spectrum.

A blurred photo's power spectrum is, on average, that of a natural image (a power law
``A |ω|^-α``) times the kernel's ``|K(ω)|²``, plus the noise's flat floor ``σ²``. :func:`fit_blur`
measures the spectrum (Welch's method: Hann-windowed patches, so the photo's borders do not
matter), estimates ``σ`` from the image (:func:`restore_core.estimate_noise_sigma`) and, for every
candidate kernel of the three families and for no blur at all, fits ``A`` and ``α`` and scores the
model's log-spectrum against the measured one. The best candidate wins. It takes a fraction of a
second: the path for slightly soft photos (the demo's "sharpen"), where the MAP estimator of
:func:`restore_core.estimate_kernel` would be slow and needlessly general.

References
----------
.. [1] D. J. Field, "Relations between the statistics of natural images and the response properties of
       cortical cells", JOSA A 4(12), 1987 (natural images' power-law spectra).
.. [2] M. Cannon, "Blind deconvolution of spatially invariant image blurs with phase", IEEE TASSP 24(1),
       1976 (blur identified from the zeros of the spectrum).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .convert import float_image, rgb_to_gray
from .kernels import disk_kernel, gaussian_kernel, motion_kernel, validate_kernel
from .noise import estimate_noise_sigma

#: Side of the spectrum's patches (at most; smaller images use the largest power of two that fits twice).
PATCH = 128
#: Most patches averaged (the stride grows on large photos).
MOST_PATCHES = 256
#: Frequencies scored: from this many spectrum bins above DC to the Nyquist radius.
LOWEST_BIN = 2
#: Angles (degrees) of the linear-motion candidates.
MOTION_ANGLE_STEP = 7.5
#: Score penalty per fitted kernel parameter, relative (a blur must explain the spectrum this much
#: better than no blur, a motion this much better than a one-parameter blur).
PARAMETER_PENALTY = 0.03


@dataclass(frozen=True)
class BlurFit:
    """A fitted parametric blur: its family (``none``, ``gaussian``, ``disk``, ``motion``), parameters and kernel."""

    kind: str
    parameters: dict[str, float] = field(default_factory=dict)
    kernel: np.ndarray = field(default_factory=lambda: np.ones((1, 1)), repr=False, compare=False)

    def describe(self) -> str:
        """The fit in words, e.g. ``'linear motion, length 12 px at 30°'``."""
        if self.kind == "gaussian":
            return f"Gaussian blur, sigma {self.parameters['sigma']:.2f} px"
        if self.kind == "disk":
            return f"defocus disk, radius {self.parameters['radius']:.1f} px"
        if self.kind == "motion":
            return f"linear motion, length {self.parameters['length']:g} px at {self.parameters['angle']:g}°"
        return "no blur"


def _candidates(size: int) -> list[BlurFit]:
    """No blur and the Gaussian, disk and motion kernels that fit in a ``size`` x ``size`` support."""
    fits = [BlurFit("none")]
    for sigma in np.geomspace(0.4, max(0.5, size / 6), 24):
        fits.append(BlurFit("gaussian", {"sigma": round(float(sigma), 3)}, gaussian_kernel(float(sigma))))
    for radius in np.arange(1.0, size / 2, 0.5):
        fits.append(BlurFit("disk", {"radius": float(radius)}, disk_kernel(float(radius))))
    for length in range(3, size - 1):
        for angle in np.arange(0.0, 180.0, MOTION_ANGLE_STEP):
            kernel = motion_kernel(float(length), float(angle))
            fits.append(BlurFit("motion", {"length": float(length), "angle": float(angle)}, kernel))
    return [fit for fit in fits if max(fit.kernel.shape) <= size]


def power_spectrum(gray: np.ndarray) -> np.ndarray:
    """Welch estimate of a gray image's power spectrum (real-FFT half plane), white noise σ giving ``σ²``."""
    side = min(PATCH, 2 ** int(math.log2(min(gray.shape) // 2)))
    step = side // 2
    while ((gray.shape[0] - side) // step + 1) * ((gray.shape[1] - side) // step + 1) > MOST_PATCHES:
        step += side // 4
    patches = sliding_window_view(gray, (side, side))[::step, ::step].reshape(-1, side, side)
    window = np.outer(np.hanning(side), np.hanning(side))
    patches = (patches - patches.mean(axis=(1, 2), keepdims=True)) * window
    return np.mean(np.abs(np.fft.rfft2(patches)) ** 2, axis=0) / np.sum(window**2)


def fit_blur(image: np.ndarray, size: int | None = None, progress: Callable[[int, int], None] | None = None) -> BlurFit:
    """Fit a Gaussian, disk or linear-motion blur (or none) to a gray image's power spectrum.

    Parameters
    ----------
    image : ndarray
        Gray or colour float image in ``[0, 1]`` (colour is read through its luma).
    size : int, optional
        Largest kernel support considered, checked as by :func:`restore_core.estimate_kernel` (None:
        chosen from the image size); at most half the spectrum's patch side plus one (65 pixels) is used.
    progress : callable, optional
        ``progress(done, total)`` after each family.

    Returns
    -------
    BlurFit
        The best-scoring candidate (``kind == 'none'`` with a 1x1 kernel when no blur explains the
        spectrum better than none).

    Raises
    ------
    RestoreError
        For an invalid image or size.
    """
    picture = float_image(image, "the blurred image").astype(np.float64)
    image = rgb_to_gray(picture) if picture.ndim == 3 else picture
    from .blind import check_size  # blind builds on this module

    size = check_size(size, image.shape)
    spectrum = power_spectrum(image)
    side = spectrum.shape[0]
    noise = (estimate_noise_sigma(image) / 255.0) ** 2
    rows, cols = np.fft.fftfreq(side)[:, None], np.fft.rfftfreq(side)[None, :]
    radius = np.hypot(rows, cols)
    band = (radius >= LOWEST_BIN / side) & (radius <= 0.5)
    measured, log_radius = np.log(spectrum[band] + 1e-12), np.log(radius[band])
    design = np.stack([np.ones_like(log_radius), -log_radius], axis=1)
    signal = spectrum[band] > 2 * noise
    best, best_score = BlurFit("none"), math.inf
    candidates, responses = _bank(min(size, side // 2 | 1), side)  # longer blurs are not resolved by a patch
    families = list(dict.fromkeys(fit.kind for fit in candidates))
    for done, family in enumerate(families, 1):
        for fit, response in zip(candidates, responses, strict=True):
            if fit.kind != family:
                continue
            score = _score(measured, np.log(np.maximum(response[band], 1e-8)), design, signal, noise)
            score *= 1 + PARAMETER_PENALTY * len(fit.parameters)
            if score < best_score:
                best, best_score = fit, score
        if progress is not None:
            progress(done, len(families))
    return BlurFit(best.kind, best.parameters, validate_kernel(best.kernel))


@lru_cache(maxsize=4)
def _bank(size: int, side: int) -> tuple[list[BlurFit], np.ndarray]:
    """The candidates of :func:`_candidates` and their ``|K|²`` on the real-FFT grid of a ``side`` x ``side`` patch."""
    candidates = _candidates(size)
    padded = np.zeros((len(candidates), side, side))
    for index, fit in enumerate(candidates):
        padded[index, : fit.kernel.shape[0], : fit.kernel.shape[1]] = fit.kernel
    return candidates, np.abs(np.fft.rfft2(padded)) ** 2


def _score(measured: np.ndarray, log_response: np.ndarray, design: np.ndarray, signal: np.ndarray,
           noise: float) -> float:  # fmt: skip
    """Mean squared log-spectrum misfit of ``A |ω|^-α |K|² + noise``, ``A`` and ``α`` fitted where signal shows.

    ``signal`` marks the bins at least twice the noise floor.
    """
    fitted = signal & (log_response > math.log(1e-3))  # near the kernel's zeros the power law says nothing
    if fitted.sum() < 3:
        return math.inf
    target = np.log(np.exp(measured[fitted]) - noise) - log_response[fitted]
    (log_scale, slope), *_ = np.linalg.lstsq(design[fitted], target, rcond=None)
    model = np.exp(log_scale + slope * design[:, 1] + log_response) + noise
    return float(np.mean((measured - np.log(model)) ** 2))
