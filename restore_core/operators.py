"""Linear forward operators ``A`` of the degradation models, each with its adjoint ``A^T``.

Operators act on HxW or HxWx3 float arrays, channel by channel. The blur
convention is a true convolution with the kernel centred at ``(kh // 2, kw // 2)``:
``y[i, j] = sum_{p, q} k[p, q] x[i - p + kh // 2, j - q + kw // 2]``.

Boundary modes of the blur:

``'circular'``
    periodic image; exact for FFT solvers (the benchmark's synthetic protocol).
``'reflect'``
    the image is mirrored at its borders (symmetric padding) before a 'valid'
    convolution: same output size, realistic borders (the demo's default).
``'valid'``
    only the pixels whose kernel footprint lies inside the image are observed;
    the output is smaller by ``kernel.shape - 1``: the physically exact model of a crop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property

import numpy as np
from scipy.signal import fftconvolve

from .convert import MAX_SIDE
from .datasteps import (
    ConjugateGradientStep,
    DataStep,
    FourierBlurStep,
    FourierDecimateStep,
    PixelwiseStep,
    channels,
)
from .errors import RestoreError
from .kernels import validate_kernel

BOUNDARIES = ("circular", "reflect", "valid")


def per_channel(function, image: np.ndarray) -> np.ndarray:
    """Apply a function of a 2-D array to each channel of an HxWx3 image (or to a gray image)."""
    if image.ndim == 2:
        return function(image)
    return np.stack([function(image[..., channel]) for channel in range(image.shape[2])], axis=-1)


def psf2otf(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Optical transfer function: the 2-D FFT of the kernel zero-padded to ``shape`` and centred at the origin."""
    padded = np.zeros(shape[:2])
    padded[: kernel.shape[0], : kernel.shape[1]] = kernel
    padded = np.roll(padded, (-(kernel.shape[0] // 2), -(kernel.shape[1] // 2)), axis=(0, 1))
    return np.fft.fft2(padded)


def frequency_response(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Magnitude of a kernel's transfer function on a ``shape`` frequency grid, zero frequency at the centre.

    Parameters
    ----------
    kernel : ndarray
        A blur kernel (normalised here), no larger than ``shape``.
    shape : tuple of int
        Frequency grid (the size of the image the kernel blurs, or any display size).

    Returns
    -------
    ndarray
        ``|K(f)|`` in ``[0, 1]`` (1 at zero frequency), ``fftshift``-ed.

    Raises
    ------
    RestoreError
        For an unusable kernel, or a grid that is not two whole numbers from 1 to 16384 (its first two entries).
    """
    sides = tuple(shape[:2]) if isinstance(shape, (tuple, list)) else ()
    whole = all(isinstance(side, (int, np.integer)) and not isinstance(side, bool) for side in sides)
    if len(sides) != 2 or not whole or not all(1 <= side <= MAX_SIDE for side in sides):
        raise RestoreError(f"the frequency grid must be two whole numbers from 1 to {MAX_SIDE}, got {shape!r}.")
    return np.fft.fftshift(np.abs(psf2otf(validate_kernel(kernel, sides), sides)))


def symmetric_pad_indices(length: int, before: int, after: int) -> np.ndarray:
    """Source index of every sample of a symmetrically padded axis (NumPy's ``mode='symmetric'``)."""
    index = np.arange(-before, length + after)
    period = 2 * length
    index = np.mod(index, period)
    return np.where(index < length, index, period - 1 - index)


def pad_symmetric(image: np.ndarray, pad_y: tuple[int, int], pad_x: tuple[int, int]) -> np.ndarray:
    """Mirror-pad the two spatial axes (works for pads larger than the image)."""
    rows = symmetric_pad_indices(image.shape[0], *pad_y)
    cols = symmetric_pad_indices(image.shape[1], *pad_x)
    return image[rows][:, cols]


def pad_symmetric_adjoint(
    padded: np.ndarray, shape: tuple[int, int], pad_y: tuple[int, int], pad_x: tuple[int, int]
) -> np.ndarray:
    """Adjoint of :func:`pad_symmetric`: fold the padded samples back onto their sources."""
    rows = symmetric_pad_indices(shape[0], *pad_y)
    cols = symmetric_pad_indices(shape[1], *pad_x)
    folded_rows = np.zeros((shape[0],) + padded.shape[1:], dtype=padded.dtype)
    np.add.at(folded_rows, rows, padded)
    folded = np.zeros((shape[0], shape[1]) + padded.shape[2:], dtype=padded.dtype)
    np.add.at(folded, (slice(None), cols), folded_rows)
    return folded


class LinearOperator(ABC):
    """A linear map between image spaces with its adjoint (``<A x, y> = <x, A^T y>``)."""

    @abstractmethod
    def forward(self, x: np.ndarray) -> np.ndarray:
        """Apply ``A``."""

    @abstractmethod
    def adjoint(self, y: np.ndarray) -> np.ndarray:
        """Apply ``A^T``."""

    @abstractmethod
    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of ``A x`` for ``x`` of ``input_shape``."""

    def data_step(self, y: np.ndarray) -> DataStep:
        """The data step of this operator for the observation ``y``.

        Returns
        -------
        DataStep
            ``step(z, rho) = argmin_x ||y - A x||² + rho ||x - z||²``: conjugate gradients here;
            operators with a closed form override this (see :mod:`restore_core.datasteps`).
        """
        return ConjugateGradientStep(self, y)


class Blur(LinearOperator):
    """Convolution with a kernel under a boundary mode (see the module docstring).

    Parameters
    ----------
    kernel : ndarray
        2-D blur kernel (normalised here).
    boundary : {'circular', 'reflect', 'valid'}
        Boundary model.
    """

    def __init__(self, kernel: np.ndarray, boundary: str = "circular") -> None:
        if boundary not in BOUNDARIES:
            raise RestoreError(f"unknown boundary {boundary!r}; choose one of {', '.join(BOUNDARIES)}.")
        self.kernel = validate_kernel(kernel)
        self.boundary = boundary
        height, width = self.kernel.shape
        self._pad_y = (height - 1 - height // 2, height // 2)
        self._pad_x = (width - 1 - width // 2, width // 2)

    def otf(self, shape: tuple[int, ...]) -> np.ndarray:
        """Transfer function on a ``shape[:2]`` grid (circular model)."""
        return psf2otf(self.kernel, shape[:2])

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if self.boundary != "valid":
            return tuple(input_shape)
        height, width = self.kernel.shape
        return (input_shape[0] - height + 1, input_shape[1] - width + 1) + tuple(input_shape[2:])

    def _circular(self, image: np.ndarray, conjugate: bool) -> np.ndarray:
        otf = self.otf(image.shape)
        otf = np.conj(otf) if conjugate else otf
        return per_channel(lambda plane: np.real(np.fft.ifft2(np.fft.fft2(plane) * otf)), image)

    def _valid(self, image: np.ndarray) -> np.ndarray:
        return per_channel(lambda plane: fftconvolve(plane, self.kernel, mode="valid"), image)

    def _valid_adjoint(self, image: np.ndarray) -> np.ndarray:
        flipped = self.kernel[::-1, ::-1]
        return per_channel(lambda plane: fftconvolve(plane, flipped, mode="full"), image)

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.boundary == "circular":
            return self._circular(x, conjugate=False)
        if self.boundary == "reflect":
            x = pad_symmetric(x, self._pad_y, self._pad_x)
        return self._valid(x)

    def data_step(self, y: np.ndarray) -> DataStep:
        """FFT closed form for the circular model, conjugate gradients for the others."""
        if self.boundary == "circular":
            return FourierBlurStep(self.otf(y.shape), y)
        return super().data_step(y)

    def adjoint(self, y: np.ndarray) -> np.ndarray:
        if self.boundary == "circular":
            return self._circular(y, conjugate=True)
        full = self._valid_adjoint(y)
        if self.boundary == "valid":
            return full
        return pad_symmetric_adjoint(full, y.shape[:2], self._pad_y, self._pad_x)


class Decimate(LinearOperator):
    """Blur then keep every ``scale``-th pixel (starting at the first): ``y = (k * x)[::s, ::s]``.

    Parameters
    ----------
    scale : int
        Decimation factor.
    kernel : ndarray
        Anti-aliasing / optical blur applied before decimation.
    input_shape : tuple of int
        High-resolution shape (HxW or HxWx3), needed by the adjoint.
    boundary : {'circular', 'reflect', 'valid'}
        Boundary model of the blur.
    """

    def __init__(
        self, scale: int, kernel: np.ndarray, input_shape: tuple[int, ...], boundary: str = "circular"
    ) -> None:
        self.scale = int(scale)
        self.input_shape = tuple(input_shape)
        self.blur = Blur(kernel, boundary)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        blurred = self.blur.output_shape(input_shape)
        return (-(-blurred[0] // self.scale), -(-blurred[1] // self.scale)) + tuple(blurred[2:])

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.blur.forward(x)[:: self.scale, :: self.scale]

    def adjoint(self, y: np.ndarray) -> np.ndarray:
        upsampled = np.zeros(self.blur.output_shape(self.input_shape), dtype=np.float64)
        upsampled[:: self.scale, :: self.scale] = y
        return self.blur.adjoint(upsampled)

    def data_step(self, y: np.ndarray) -> DataStep:
        """The closed form of Zhao et al. (2016) for a circular blur and sides divisible by the scale, else CG."""
        height, width = self.input_shape[:2]
        if self.blur.boundary == "circular" and height % self.scale == 0 and width % self.scale == 0:
            return FourierDecimateStep(self.blur.otf(self.input_shape), self.scale, y, self.input_shape)
        return super().data_step(y)


class BicubicDownsample(LinearOperator):
    """MATLAB-compatible antialiased bicubic downscaling by ``1 / scale`` as a matrix on each axis.

    Parameters
    ----------
    scale : int
        Downscaling factor.
    input_shape : tuple of int
        High-resolution shape (HxW or HxWx3).
    """

    def __init__(self, scale: int, input_shape: tuple[int, ...]) -> None:
        self.scale = int(scale)
        self.input_shape = tuple(input_shape)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (-(-input_shape[0] // self.scale), -(-input_shape[1] // self.scale)) + tuple(input_shape[2:])

    @cached_property
    def _matrices(self) -> tuple:
        from .imresize import resize_matrix

        return tuple(resize_matrix(length, 1.0 / self.scale) for length in self.input_shape[:2])

    def forward(self, x: np.ndarray) -> np.ndarray:
        from .imresize import imresize

        return imresize(x, 1.0 / self.scale).astype(np.float64)

    def adjoint(self, y: np.ndarray) -> np.ndarray:
        rows, cols = self._matrices
        return per_channel(lambda plane: rows.T @ (cols.T @ plane.T).T, y)


class Mask(LinearOperator):
    """Pixel selection: ``y = m * x`` with ``m`` True where a pixel is observed (self-adjoint)."""

    def __init__(self, mask: np.ndarray) -> None:
        self.mask = mask.astype(bool)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(input_shape)

    def _apply(self, image: np.ndarray) -> np.ndarray:
        return image * channels(self.mask, image.ndim)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self._apply(x)

    def adjoint(self, y: np.ndarray) -> np.ndarray:
        return self._apply(y)

    def data_step(self, y: np.ndarray) -> DataStep:
        """Per pixel: the observed value blended with the estimate, the estimate where nothing is observed."""
        return PixelwiseStep(channels(self.mask.astype(np.float64), y.ndim), y)


class Identity(LinearOperator):
    """``y = x`` (denoising, JPEG)."""

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(input_shape)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def adjoint(self, y: np.ndarray) -> np.ndarray:
        return y

    def data_step(self, y: np.ndarray) -> DataStep:
        """Per pixel: ``(y + rho z) / (1 + rho)``."""
        return PixelwiseStep(1.0, y)
