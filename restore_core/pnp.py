"""Plug-and-play restoration by half-quadratic splitting (HQS) with any denoiser as the prior.

HQS solves ``min_x ||y - A x||² / (2σ²) + λ Φ(x)`` by alternating

* a data step ``x = argmin ||y - A x||² + ρ_k ||x - z||²``, in closed form where the
  forward model allows it (circular blur: FFT; blur then decimation: the FFT
  formula of Zhao et al. 2016; masks: per pixel) and by conjugate gradients otherwise
  (reflect/valid boundaries, MATLAB bicubic downscaling);
* a prior step ``z = D(x, σ_k)``, a Gaussian denoiser at level ``σ_k``.

The denoiser levels ``σ_k`` decrease log-spaced from ``sigma_start`` (49) to the
observation's noise level and ``ρ_k = λ σ² / σ_k²``, as in DPIR (Zhang et al., 2021);
inpainting of (nearly) noise-free images stops at :data:`SIGMA_FLOOR` instead, where a
learned prior still removes the small artefacts it adds itself at the lowest levels, and
ends with a data step so the observed pixels keep their values.
The prior is any ``denoiser(image, sigma)``: the learned DeconvUNet or a classical
one (TV, BM3D), so the benchmark can compare priors with the solver held fixed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import ndimage

from .errors import RestoreError
from .imresize import imresize
from .observation import Observation
from .operators import Blur, Decimate, Mask, psf2otf

#: ``denoiser(image, sigma)``: sigma on the 0–255 scale.
Denoiser = Callable[[np.ndarray, float], np.ndarray]
#: ``progress(done, total)`` after each iteration.
Progress = Callable[[int, int], None]
#: Smallest noise level (0–255) the solver assumes, so noise-free problems stay well posed.
MIN_SIGMA = 0.5
#: Default iterations per task (DPIR's published settings).
DEFAULT_ITERATIONS = {"deblur": 8, "sr": 24, "inpaint": 40}
#: Lowest denoiser level of the default schedule per task (0–255 scale; ``python -m tools.tune_pnp``
#: measures it on training images).
SIGMA_FLOOR = {"deblur": MIN_SIGMA, "sr": MIN_SIGMA, "inpaint": 3.0}
_CG_ITERATIONS = 30


def noise_schedule(sigma_start: float, sigma_end: float, iterations: int) -> np.ndarray:
    """Denoiser levels decreasing log-spaced from ``sigma_start`` to ``sigma_end`` (0–255 scale)."""
    sigma_end = max(sigma_end, MIN_SIGMA)
    return np.logspace(np.log10(max(sigma_start, sigma_end)), np.log10(sigma_end), iterations)


class DataStep:
    """``solve(z, rho) = argmin_x ||y - A x||² + rho ||x - z||²`` for one observation."""

    def __init__(self, observation: Observation) -> None:
        self.observation = observation
        self.operator = observation.operator
        self.y = observation.image.astype(np.float64)
        self.shape = observation.clean_shape
        self._setup()

    def _setup(self) -> None:
        operator = self.operator
        self.kind = "cg"
        if isinstance(operator, Blur) and operator.boundary == "circular":
            self.kind = "blur"
            self.otf = _channels(psf2otf(operator.kernel, self.shape[:2]), self.shape)
            self.numerator = np.conj(self.otf) * np.fft.fft2(self.y, axes=(0, 1))
        elif isinstance(operator, Decimate) and operator.blur.boundary == "circular" and self._divisible(operator):
            self.kind = "decimate"
            self.otf = _channels(psf2otf(operator.blur.kernel, self.shape[:2]), self.shape)
            filled = np.zeros(self.shape)
            filled[:: operator.scale, :: operator.scale] = self.y
            self.numerator = np.conj(self.otf) * np.fft.fft2(filled, axes=(0, 1))
            self.power_mean = _block_mean(np.abs(self.otf) ** 2, operator.scale)
        elif isinstance(operator, Mask):
            self.kind = "mask"
            self.weight = _channels(operator.mask.astype(np.float64), self.shape)
        else:  # reflect/valid blurs, MATLAB bicubic downscaling, non-divisible decimation
            self.rhs = self.operator.adjoint(self.y)

    def _divisible(self, operator: Decimate) -> bool:
        return self.shape[0] % operator.scale == 0 and self.shape[1] % operator.scale == 0

    def solve(self, z: np.ndarray, rho: float) -> np.ndarray:
        """The data step from the prior estimate ``z`` with weight ``rho``."""
        if self.kind == "blur":
            spectrum = (self.numerator + rho * np.fft.fft2(z, axes=(0, 1))) / (np.abs(self.otf) ** 2 + rho)
            return np.real(np.fft.ifft2(spectrum, axes=(0, 1)))
        if self.kind == "decimate":
            return self._solve_decimate(z, rho)
        if self.kind == "mask":
            return (self.weight * self.y + rho * z) / (self.weight + rho)
        return self._solve_cg(z, rho)

    def _solve_decimate(self, z: np.ndarray, rho: float) -> np.ndarray:
        """Closed form for ``y = (k ⊛ x)↓s`` (Zhao et al., 2016), by the Woodbury identity in Fourier space."""
        scale = self.operator.scale
        total = self.numerator + rho * np.fft.fft2(z, axes=(0, 1))
        blocks = _block_mean(self.otf * total, scale) / (self.power_mean + rho)
        correction = np.conj(self.otf) * np.tile(blocks, (scale, scale) + (1,) * (z.ndim - 2))
        return np.real(np.fft.ifft2((total - correction) / rho, axes=(0, 1)))

    def _solve_cg(self, z: np.ndarray, rho: float) -> np.ndarray:
        """Conjugate gradients on ``(AᵀA + rho I) x = Aᵀy + rho z``, started from ``z``."""

        def normal(x: np.ndarray) -> np.ndarray:
            return self.operator.adjoint(self.operator.forward(x)) + rho * x

        x = z.copy()
        residual = self.rhs + rho * z - normal(x)
        direction = residual.copy()
        energy = float(np.vdot(residual, residual))
        target = 1e-12 * max(float(np.vdot(self.rhs, self.rhs)), 1e-30)
        for _ in range(_CG_ITERATIONS):
            if energy <= target:
                break
            image = normal(direction)
            step = energy / float(np.vdot(direction, image))
            x += step * direction
            residual -= step * image
            new_energy = float(np.vdot(residual, residual))
            direction = residual + (new_energy / energy) * direction
            energy = new_energy
        return x


def _channels(plane: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A per-pixel array broadcast against an image of ``shape`` (adds the channel axis of colour images)."""
    return plane[..., None] if len(shape) == 3 else plane


def _block_mean(array: np.ndarray, scale: int) -> np.ndarray:
    """Mean of the ``scale`` x ``scale`` tiles an ``(H, W, ...)`` array splits into (each ``H/s`` x ``W/s``)."""
    height, width = array.shape[0] // scale, array.shape[1] // scale
    tiles = array.reshape(scale, height, scale, width, *array.shape[2:])
    return tiles.mean(axis=(0, 2))


def initial_estimate(observation: Observation) -> np.ndarray:
    """Where HQS starts: the observation (deblur), bicubic upscaling (SR), normalised convolution (inpaint)."""
    image = observation.image.astype(np.float64)
    if observation.task == "sr":
        return imresize(image, output_shape=observation.clean_shape[:2]).astype(np.float64)
    if observation.task == "inpaint":
        weight = _channels(observation.mask.astype(np.float64), image.shape)
        sigma = (2.0, 2.0, 0.0)[: image.ndim]
        filled = ndimage.gaussian_filter(image * weight, sigma) / np.maximum(
            ndimage.gaussian_filter(weight, sigma), 1e-6
        )
        return np.where(weight > 0, image, filled)
    if observation.boundary == "valid":
        from .boundary import extend_for_fft

        padded, _ = extend_for_fft(observation, margin=0)
        return padded.astype(np.float64)
    return image


def dihedral(image: np.ndarray, index: int, inverse: bool = False) -> np.ndarray:
    """One of the 8 flips/rotations of an image (``inverse`` undoes it)."""
    flip, turns = divmod(index % 8, 4)
    if inverse:
        image = np.rot90(image, -turns)
        return image[:, ::-1] if flip else image
    image = image[:, ::-1] if flip else image
    return np.rot90(image, turns)


def hqs(
    observation: Observation,
    denoiser: Denoiser,
    iterations: int | None = None,
    sigma_start: float = 49.0,
    sigma_end: float | None = None,
    lam: float = 0.23,
    ensemble: bool = False,
    progress: Progress | None = None,
) -> np.ndarray:
    """Plug-and-play HQS for deblurring, super-resolution and inpainting.

    Parameters
    ----------
    observation : Observation
        A ``deblur``, ``sr`` or ``inpaint`` observation with its forward model.
    denoiser : callable
        ``denoiser(image, sigma)`` with sigma on the 0–255 scale: the prior step.
    iterations : int, optional
        Number of HQS iterations (default: 8 deblur, 24 SR, 40 inpaint).
    sigma_start : float
        Denoiser level of the first iteration (0–255 scale).
    sigma_end : float, optional
        Denoiser level of the last iteration (default: the observation's noise level,
        at least :data:`SIGMA_FLOOR` of the task).
    lam : float
        Prior weight λ: ``ρ_k = λ σ² / σ_k²``.
    ensemble : bool
        Apply the denoiser to a different flip/rotation of the estimate at each iteration
        (DPIR's cheap self-ensemble).
    progress : callable, optional
        ``progress(done, total)`` after each iteration.

    Returns
    -------
    ndarray
        The restored image, float32, shaped like the clean image: the last denoiser output,
        or, when the schedule ends above the observation's noise level (noise-free
        inpainting), the data step after it, so observed pixels keep their values.

    Raises
    ------
    RestoreError
        For a task without a forward model to invert, or bad settings.
    """
    if observation.task not in DEFAULT_ITERATIONS:
        raise RestoreError(
            f"plug-and-play HQS inverts a forward model: it does {', '.join(DEFAULT_ITERATIONS)}, "
            f"not {observation.task}."
        )
    iterations = DEFAULT_ITERATIONS[observation.task] if iterations is None else int(iterations)
    if iterations < 1 or lam <= 0 or sigma_start <= 0 or (sigma_end is not None and sigma_end <= 0):
        raise RestoreError("HQS needs at least one iteration, a positive lambda and positive sigmas.")
    sigma = max(observation.noise_sigma(), MIN_SIGMA)
    if sigma_end is None:
        sigma_end = max(sigma, SIGMA_FLOOR[observation.task])
    levels = noise_schedule(sigma_start, sigma_end, iterations)
    data = DataStep(observation)
    estimate = initial_estimate(observation)
    for index, level in enumerate(levels):
        estimate = data.solve(estimate, lam * (sigma / level) ** 2)
        turned = dihedral(estimate, index) if ensemble else estimate
        denoised = np.asarray(denoiser(np.ascontiguousarray(turned, dtype=np.float32), float(level)), np.float64)
        estimate = dihedral(denoised, index, inverse=True) if ensemble else denoised
        if progress is not None:
            progress(index + 1, iterations)
    if levels[-1] > sigma:  # the schedule stopped above the noise level: one more data step fits the data again
        estimate = data.solve(estimate, lam * (sigma / levels[-1]) ** 2)
    return np.ascontiguousarray(estimate, dtype=np.float32)


__all__ = ["SIGMA_FLOOR", "DataStep", "Denoiser", "dihedral", "hqs", "initial_estimate", "noise_schedule"]
