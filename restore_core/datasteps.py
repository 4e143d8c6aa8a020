"""Data steps: ``argmin_x ||y - A x||² + ρ ||x - z||²`` for a forward operator ``A`` and an observation ``y``.

Every :class:`~restore_core.operators.LinearOperator` has one through its ``data_step``
method (the ``prox_l2`` of DeepInverse's ``LinearPhysics``): conjugate gradients on the
normal equations by default, closed forms where the operator allows them (circular blur:
FFT; blur then decimation: the FFT formula of Zhao et al. 2016; masks and the identity: per
pixel). Plug-and-play solvers and any other splitting scheme call them without knowing
which operator they invert.

References
----------
.. [1] N. Zhao, Q. Wei, A. Basarab, N. Dobigeon, D. Kouamé and J.-Y. Tourneret, "Fast single
       image super-resolution using a new analytical solution for l2–l2 problems", IEEE
       Transactions on Image Processing 25(8), 2016.
.. [2] M. R. Hestenes and E. Stiefel, "Methods of conjugate gradients for solving linear
       systems", Journal of Research of the National Bureau of Standards 49(6), 1952.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .operators import LinearOperator

#: Most conjugate-gradient iterations of one data step (it stops earlier at a relative residual of 1e-6).
CG_ITERATIONS = 30


class DataStep(ABC):
    """``step(z, rho) = argmin_x ||y - A x||² + rho ||x - z||²`` for one operator and observation."""

    @abstractmethod
    def __call__(self, z: np.ndarray, rho: float) -> np.ndarray:
        """The minimiser from the estimate ``z`` (the clean image's shape) with weight ``rho > 0``."""


def channels(plane: np.ndarray, ndim: int) -> np.ndarray:
    """A per-pixel HxW array broadcast against an image with ``ndim`` axes (adds the channel axis of colour)."""
    return plane[..., None] if ndim == 3 else plane


def block_mean(array: np.ndarray, scale: int) -> np.ndarray:
    """Mean of the ``scale`` x ``scale`` tiles an ``(H, W, ...)`` array splits into (each ``H/s`` x ``W/s``)."""
    height, width = array.shape[0] // scale, array.shape[1] // scale
    tiles = array.reshape(scale, height, scale, width, *array.shape[2:])
    return tiles.mean(axis=(0, 2))


class ConjugateGradientStep(DataStep):
    """Conjugate gradients on ``(AᵀA + rho I) x = Aᵀy + rho z``, started from ``z`` (any operator).

    Examples
    --------
    >>> import numpy as np
    >>> from restore_core.operators import Blur
    >>> from restore_core.datasteps import ConjugateGradientStep
    >>> blur = Blur(np.ones((3, 3)), "reflect")
    >>> x = np.random.default_rng(0).random((16, 16))
    >>> step = ConjugateGradientStep(blur, blur.forward(x))
    >>> bool(np.abs(step(x, 1.0) - x).max() < 1e-6)  # a noise-free observation: x itself is the minimiser
    True
    """

    def __init__(self, operator: LinearOperator, y: np.ndarray) -> None:
        self.operator = operator
        self.rhs = operator.adjoint(np.asarray(y, dtype=np.float64))

    def __call__(self, z: np.ndarray, rho: float) -> np.ndarray:
        def normal(x: np.ndarray) -> np.ndarray:
            return self.operator.adjoint(self.operator.forward(x)) + rho * x

        x = np.array(z, dtype=np.float64)
        residual = self.rhs + rho * x - normal(x)
        direction = residual.copy()
        energy = float(np.vdot(residual, residual))
        target = 1e-12 * max(float(np.vdot(self.rhs, self.rhs)), 1e-30)
        for _ in range(CG_ITERATIONS):
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


class FourierBlurStep(DataStep):
    """Closed form for a circular blur: ``x = F⁻¹[(K̄ Y + rho Z) / (|K|² + rho)]``."""

    def __init__(self, otf: np.ndarray, y: np.ndarray) -> None:
        self.otf = channels(otf, y.ndim)
        self.numerator = np.conj(self.otf) * np.fft.fft2(np.asarray(y, dtype=np.float64), axes=(0, 1))

    def __call__(self, z: np.ndarray, rho: float) -> np.ndarray:
        spectrum = (self.numerator + rho * np.fft.fft2(z, axes=(0, 1))) / (np.abs(self.otf) ** 2 + rho)
        return np.real(np.fft.ifft2(spectrum, axes=(0, 1)))


class FourierDecimateStep(DataStep):
    """Closed form for ``y = (k ⊛ x)↓s`` with a circular blur and sides divisible by ``s`` (Zhao et al. [1]_).

    The Woodbury identity in Fourier space reduces the inverse to a per-frequency division on the
    ``s`` x ``s`` aliased copies of the spectrum.
    """

    def __init__(self, otf: np.ndarray, scale: int, y: np.ndarray, shape: tuple[int, ...]) -> None:
        self.scale = scale
        self.otf = channels(otf, len(shape))
        filled = np.zeros(shape)
        filled[::scale, ::scale] = y
        self.numerator = np.conj(self.otf) * np.fft.fft2(filled, axes=(0, 1))
        self.power_mean = block_mean(np.abs(self.otf) ** 2, scale)

    def __call__(self, z: np.ndarray, rho: float) -> np.ndarray:
        scale = self.scale
        total = self.numerator + rho * np.fft.fft2(z, axes=(0, 1))
        blocks = block_mean(self.otf * total, scale) / (self.power_mean + rho)
        correction = np.conj(self.otf) * np.tile(blocks, (scale, scale) + (1,) * (z.ndim - 2))
        return np.real(np.fft.ifft2((total - correction) / rho, axes=(0, 1)))


class PixelwiseStep(DataStep):
    """Closed form for a diagonal operator ``A = diag(w)``, ``w`` in ``{0, 1}``: ``x = (w y + rho z) / (w + rho)``."""

    def __init__(self, weight: np.ndarray | float, y: np.ndarray) -> None:
        self.weight = weight
        self.weighted = weight * np.asarray(y, dtype=np.float64)

    def __call__(self, z: np.ndarray, rho: float) -> np.ndarray:
        return (self.weighted + rho * z) / (self.weight + rho)


__all__ = [
    "CG_ITERATIONS",
    "ConjugateGradientStep",
    "DataStep",
    "FourierBlurStep",
    "FourierDecimateStep",
    "PixelwiseStep",
    "block_mean",
    "channels",
]
