"""Data steps: ``argmin_x ||y - A x||² + ρ ||x - z||²`` for a forward operator ``A`` and an observation ``y``.

Every :class:`~restore_core.operators.LinearOperator` has one through its ``data_step``
method (the ``prox_l2`` of DeepInverse's ``LinearPhysics``): conjugate gradients on the
normal equations by default, closed forms where the operator allows them (circular blur:
FFT; blur then decimation: the FFT formula of Zhao et al. 2016; masks and the identity: per
pixel). Plug-and-play solvers and any other splitting scheme call them without knowing
which operator they invert. The steps compute in torch on the observation's device and precision;
an observation given as an ``HxW``/``HxWxC`` array is solved in float64 on the CPU and the step
then takes and returns arrays too.

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
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import torch

from .convert import on_planes, to_planes

if TYPE_CHECKING:
    from .operators import BicubicDownsample, Blur, Decimate, ImageLike, LinearOperator

#: Most conjugate-gradient iterations of one data step (it stops earlier at a relative residual of 1e-6).
CG_ITERATIONS = 30


def conjugate_gradient(
    normal: Callable[[torch.Tensor], torch.Tensor],
    rhs: torch.Tensor,
    start: torch.Tensor,
    iterations: int,
    tol: float,
) -> torch.Tensor:
    """Conjugate gradients [2]_ for ``normal(x) = rhs`` with ``normal`` symmetric positive (semi-)definite.

    Starts from ``start`` and stops after ``iterations`` or once the residual's norm is below
    ``tol`` times the norm of ``rhs``.
    """
    x = start.clone()
    residual = rhs - normal(x)
    direction = residual.clone()
    energy = float(torch.vdot(residual.flatten(), residual.flatten()))
    target = tol**2 * max(float(torch.vdot(rhs.flatten(), rhs.flatten())), 1e-30)
    for _ in range(iterations):
        if energy <= target:
            break
        image = normal(direction)
        curvature = float(torch.vdot(direction.flatten(), image.flatten()))
        if curvature <= 0.0:  # a direction in the null space: nothing left to reduce
            break
        step = energy / curvature
        x.add_(direction, alpha=step)
        residual.sub_(image, alpha=step)
        new_energy = float(torch.vdot(residual.flatten(), residual.flatten()))
        direction.mul_(new_energy / energy).add_(residual)
        energy = new_energy
    return x


class DataStep(ABC):
    """``step(z, rho) = argmin_x ||y - A x||² + rho ||x - z||²`` for one operator and observation.

    Parameters
    ----------
    operator : LinearOperator
        The forward model ``A``.
    y : ndarray or Tensor
        The observation: an ``HxW``/``HxWxC`` array (the step then works in float64 on the CPU and
        takes and returns arrays) or an ``(..., h, w)`` tensor (the step keeps its device and dtype).
    """

    def __init__(self, operator: LinearOperator, y: ImageLike) -> None:
        self.operator = operator
        self.y = y if isinstance(y, torch.Tensor) else to_planes(np.asarray(y, dtype=np.float64))

    def __call__(self, z: ImageLike, rho: float) -> ImageLike:
        """The minimiser from the estimate ``z`` (the clean image's shape) with weight ``rho > 0``."""
        return on_planes(lambda planes: self.solve(planes, rho), z, self.y.device, self.y.dtype)

    @abstractmethod
    def solve(self, z: torch.Tensor, rho: float) -> torch.Tensor:
        """:meth:`__call__` on tensors."""


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

    def __init__(self, operator: LinearOperator, y: ImageLike) -> None:
        super().__init__(operator, y)
        self.rhs = operator.apply_adjoint(self.y)

    def solve(self, z: torch.Tensor, rho: float) -> torch.Tensor:
        normal = self.operator.normal
        # torch.add, not an in-place add: an operator's normal product may return its input (the identity)
        return conjugate_gradient(lambda x: torch.add(normal(x), x, alpha=rho), self.rhs + rho * z, z, CG_ITERATIONS,
                                  1e-6)  # fmt: skip


class FourierBlurStep(DataStep):
    """Closed form for a circular blur: ``x = F⁻¹[(K̄ Y + rho Z) / (|K|² + rho)]``."""

    def __init__(self, operator: Blur, y: ImageLike) -> None:
        super().__init__(operator, y)
        self.transfer = operator.transfer(self.y.shape[-2:], self.y)
        self.numerator = self.transfer.conj() * torch.fft.rfft2(self.y)

    def solve(self, z: torch.Tensor, rho: float) -> torch.Tensor:
        spectrum = (self.numerator + rho * torch.fft.rfft2(z)) / (self.transfer.abs().square() + rho)
        return torch.fft.irfft2(spectrum, s=z.shape[-2:])


class SeparableResizeStep(DataStep):
    """Closed form for a separable resize ``y = R x Cᵀ`` (MATLAB bicubic downscaling).

    By the Woodbury identity, ``x = z + Aᵀ (A Aᵀ + rho)⁻¹ (y - A z)``, and ``A Aᵀ = R Rᵀ ⊗ C Cᵀ`` is
    inverted in the eigenbases ``P``, ``Q`` of the two small Gram matrices (eigenvalues ``a``, ``b``):
    ``(A Aᵀ + rho)⁻¹ r = P [(Pᵀ r Q) / (a bᵀ + rho)] Qᵀ``. Exact, and a few products of
    low-resolution-sized matrices instead of conjugate gradients.
    """

    def __init__(self, operator: BicubicDownsample, y: ImageLike) -> None:
        super().__init__(operator, y)
        place = {"dtype": self.y.dtype, "device": self.y.device}
        (rows, self.row_basis), (cols, self.col_basis) = (
            (torch.as_tensor(values, **place), torch.as_tensor(vectors, **place))
            for values, vectors in map(np.linalg.eigh, operator.grams())
        )
        self.spectrum = rows[:, None] * cols[None, :]

    def solve(self, z: torch.Tensor, rho: float) -> torch.Tensor:
        residual = self.y - self.operator.apply(z)
        coefficients = self.row_basis.T @ residual @ self.col_basis / (self.spectrum + rho)
        return z + self.operator.apply_adjoint(self.row_basis @ coefficients @ self.col_basis.T)


def block_mean(array: torch.Tensor, scale: int) -> torch.Tensor:
    """Mean of the ``scale`` x ``scale`` tiles the last two axes split into (each ``H/s`` x ``W/s``)."""
    height, width = array.shape[-2] // scale, array.shape[-1] // scale
    tiles = array.reshape(*array.shape[:-2], scale, height, scale, width)
    return tiles.mean(dim=(-4, -2))


class FourierDecimateStep(DataStep):
    """Closed form for ``y = (k ⊛ x)↓s`` with a circular blur and sides divisible by ``s`` (Zhao et al. [1]_).

    The Woodbury identity in Fourier space reduces the inverse to a per-frequency division on the
    ``s`` x ``s`` aliased copies of the spectrum.
    """

    def __init__(self, operator: Decimate, y: ImageLike) -> None:
        super().__init__(operator, y)
        self.scale = operator.scale
        shape = operator.input_shape[:2]
        self.transfer = operator.blur.transfer(shape, self.y, onesided=False)
        self.numerator = self.transfer.conj() * torch.fft.fft2(self._filled())
        self.power_mean = block_mean(self.transfer.abs().square(), self.scale)

    def _filled(self) -> torch.Tensor:
        height, width = self.operator.input_shape[:2]
        filled = self.y.new_zeros((*self.y.shape[:-2], height, width))
        filled[..., :: self.scale, :: self.scale] = self.y
        return filled

    def solve(self, z: torch.Tensor, rho: float) -> torch.Tensor:
        total = self.numerator + rho * torch.fft.fft2(z)
        blocks = block_mean(self.transfer * total, self.scale) / (self.power_mean + rho)
        correction = self.transfer.conj() * blocks.repeat(*(1,) * (blocks.ndim - 2), self.scale, self.scale)
        return torch.fft.ifft2((total - correction) / rho).real


class PixelwiseStep(DataStep):
    """Closed form for a diagonal operator ``A = diag(w)``, ``w`` in ``{0, 1}``: ``x = (w y + rho z) / (w + rho)``.

    ``w = A 1`` is read from the operator (a mask, or the identity).
    """

    def __init__(self, operator: LinearOperator, y: ImageLike) -> None:
        super().__init__(operator, y)
        self.weight = operator.apply(torch.ones_like(self.y))
        self.weighted = self.weight * self.y

    def solve(self, z: torch.Tensor, rho: float) -> torch.Tensor:
        return (self.weighted + rho * z) / (self.weight + rho)


__all__ = [
    "CG_ITERATIONS",
    "ConjugateGradientStep",
    "DataStep",
    "FourierBlurStep",
    "FourierDecimateStep",
    "PixelwiseStep",
    "SeparableResizeStep",
    "block_mean",
    "conjugate_gradient",
]
