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

The maths is torch: every operator acts on tensors shaped ``(..., H, W)`` (any leading batch and
channel axes), on the CPU or CUDA, in float32 or float64, differentiably (blurs are products of
real FFTs, so their cost does not grow with the kernel). ``forward``/``adjoint`` also take the
library's ``HxW``/``HxWxC`` NumPy images, as a thin layer: computed in float64 on the CPU and
returned as float64 arrays. Each operator also gives ``||A||²`` by power iteration
(:meth:`LinearOperator.compute_norm`), the least-squares pseudo-inverse ``A†`` by conjugate
gradients (:meth:`LinearOperator.pinv`) and its data step (:mod:`restore_core.datasteps`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import torch
import torch.nn.functional as F

from .convert import MAX_SIDE, on_planes
from .datasteps import (
    ConjugateGradientStep,
    DataStep,
    FourierBlurStep,
    FourierDecimateStep,
    PixelwiseStep,
    SeparableResizeStep,
    conjugate_gradient,
)
from .errors import RestoreError
from .fourier import circular_convolve, fast_grid, otf, zero_extend
from .kernels import validate_kernel

#: An image as the operators take it: an ``HxW``/``HxWxC`` array or an ``(..., H, W)`` tensor.
ImageLike = np.ndarray | torch.Tensor

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


def _pad_index(length: int, pad: tuple[int, int], device: torch.device) -> torch.Tensor:
    return torch.as_tensor(symmetric_pad_indices(length, *pad), device=device)


def _mirror(image: torch.Tensor, axis: int, pad: tuple[int, int]) -> torch.Tensor:
    """``image`` with its first ``pad[0]`` and last ``pad[1]`` samples along ``axis`` reflected outside."""
    before, after = pad
    start, end = image.narrow(axis, 0, before), image.narrow(axis, image.shape[axis] - after, after)
    return torch.cat([start.flip(axis), image, end.flip(axis)], dim=axis)


def pad_symmetric(image: torch.Tensor, pad_y: tuple[int, int], pad_x: tuple[int, int]) -> torch.Tensor:
    """Mirror-pad the last two axes of a tensor (works for pads larger than the image)."""
    if max(pad_y) <= image.shape[-2] and max(pad_x) <= image.shape[-1]:  # one reflection: copies, not gathers
        return _mirror(_mirror(image, -2, pad_y), -1, pad_x)
    rows = _pad_index(image.shape[-2], pad_y, image.device)
    cols = _pad_index(image.shape[-1], pad_x, image.device)
    return image.index_select(-2, rows).index_select(-1, cols)


def _fold(image: torch.Tensor, axis: int, pad: tuple[int, int]) -> torch.Tensor:
    """Adjoint of :func:`_mirror`: ``image`` without its reflected bands, each added back onto its source."""
    before, after = pad
    length = image.shape[axis] - before - after
    core = image.narrow(axis, before, length).clone()
    if before:
        core.narrow(axis, 0, before).add_(image.narrow(axis, 0, before).flip(axis))
    if after:
        core.narrow(axis, length - after, after).add_(image.narrow(axis, before + length, after).flip(axis))
    return core


def pad_symmetric_adjoint(
    padded: torch.Tensor, shape: tuple[int, int], pad_y: tuple[int, int], pad_x: tuple[int, int]
) -> torch.Tensor:
    """Adjoint of :func:`pad_symmetric`: fold the padded samples back onto their sources (``shape`` = H, W)."""
    if max(pad_y) <= shape[0] and max(pad_x) <= shape[1]:  # one reflection: slices, not scatters
        return _fold(_fold(padded, -2, pad_y), -1, pad_x)
    rows = _pad_index(shape[0], pad_y, padded.device)
    cols = _pad_index(shape[1], pad_x, padded.device)
    folded = padded.new_zeros((*padded.shape[:-2], shape[0], padded.shape[-1])).index_add(-2, rows, padded)
    return folded.new_zeros((*padded.shape[:-2], shape[0], shape[1])).index_add(-1, cols, folded)


class LinearOperator(ABC):
    """A linear map between image spaces with its adjoint (``<A x, y> = <x, A^T y>``).

    Subclasses implement :meth:`apply` and :meth:`apply_adjoint` on ``(..., H, W)`` tensors;
    :meth:`forward` and :meth:`adjoint` take tensors or ``HxW``/``HxWxC`` arrays.
    """

    @abstractmethod
    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """``A x`` for a ``(..., H, W)`` tensor."""

    @abstractmethod
    def apply_adjoint(self, y: torch.Tensor) -> torch.Tensor:
        """``A^T y`` for a ``(..., h, w)`` tensor."""

    @abstractmethod
    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of ``A x`` for an array ``x`` of ``input_shape`` (``HxW`` or ``HxWxC``)."""

    def normal(self, x: torch.Tensor) -> torch.Tensor:
        """``AᵀA x`` for a ``(..., H, W)`` tensor: the product conjugate gradients repeat.

        Operators that can form it in fewer passes than ``apply`` then ``apply_adjoint`` override it.
        """
        return self.apply_adjoint(self.apply(x))

    def forward(self, x: ImageLike) -> ImageLike:
        """Apply ``A`` to a tensor, or to an array (float64 result)."""
        return on_planes(self.apply, x)

    def adjoint(self, y: ImageLike) -> ImageLike:
        """Apply ``A^T`` to a tensor, or to an array (float64 result)."""
        return on_planes(self.apply_adjoint, y)

    def compute_norm(
        self,
        shape: tuple[int, int],
        iterations: int = 1000,
        tol: float = 1e-6,
        device: torch.device | str = "cpu",
        seed: int = 0,
    ) -> float:
        """``||A||²``: the largest eigenvalue of ``AᵀA`` on ``shape`` (H, W) images, by power iteration.

        Parameters
        ----------
        shape : tuple of int
            Input image size (H, W).
        iterations : int
            Most power iterations.
        tol : float
            The iteration stops once ``||AᵀA x - λ x|| <= tol λ`` for the unit iterate ``x`` and its
            Rayleigh quotient ``λ`` (whose error is then of the order of ``tol²``).
        device : torch.device or str
            Where the iteration runs (float64).
        seed : int
            Seed of the random start.

        Returns
        -------
        float
            The squared spectral norm (1 for a normalised circular blur, a mask or the identity).
        """
        generator = torch.Generator(device=device).manual_seed(seed)
        x = torch.randn(tuple(shape), generator=generator, dtype=torch.float64, device=device)
        x = x / torch.linalg.vector_norm(x)
        estimate = 0.0
        for _ in range(iterations):
            image = self.normal(x)
            estimate = float((x * image).sum())
            length = torch.linalg.vector_norm(image)
            if float(torch.linalg.vector_norm(image - estimate * x)) <= tol * estimate or float(length) == 0.0:
                break
            x = image / length
        return estimate

    def pinv(self, y: ImageLike, iterations: int = 200, tol: float = 1e-10) -> ImageLike:
        """Least-squares pseudo-inverse ``A† y``: the minimum-norm minimiser of ``||A x - y||²``.

        Conjugate gradients on ``AᵀA x = Aᵀy`` from zero (which keep the iterate in the range of
        ``Aᵀ``, hence the minimum norm), stopping at a relative residual of ``tol`` or after
        ``iterations``. Tensors or arrays, as :meth:`forward`.
        """

        def solve(observed: torch.Tensor) -> torch.Tensor:
            rhs = self.apply_adjoint(observed)
            return conjugate_gradient(self.normal, rhs, torch.zeros_like(rhs), iterations, tol)

        return on_planes(solve, y)

    def data_step(self, y: ImageLike) -> DataStep:
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

    Attributes
    ----------
    padding : tuple of (int, int)
        Pixels (before, after) the kernel reaches beyond an output pixel on each axis: what the
        'reflect' model mirrors in and what a 'valid' observation lacks of the clean image.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from restore_core.operators import Blur
    >>> blur = Blur(np.ones((3, 5)), "valid")
    >>> blur.forward(np.zeros((32, 40, 3))).shape  # an image array
    (30, 36, 3)
    >>> blur.forward(torch.zeros(8, 3, 32, 40, dtype=torch.float32)).shape  # a batch of tensors
    torch.Size([8, 3, 30, 36])
    """

    def __init__(self, kernel: np.ndarray, boundary: str = "circular") -> None:
        if boundary not in BOUNDARIES:
            raise RestoreError(f"unknown boundary {boundary!r}; choose one of {', '.join(BOUNDARIES)}.")
        self.kernel = validate_kernel(kernel)
        self.boundary = boundary
        self.padding = tuple((side - 1 - side // 2, side // 2) for side in self.kernel.shape)
        self._transfers: dict[tuple, torch.Tensor] = {}

    def transfer(
        self, shape: tuple[int, int], like: torch.Tensor, centred: bool = True, onesided: bool = True
    ) -> torch.Tensor:
        """The kernel's transfer function on a ``shape`` grid, on the device and precision of ``like``.

        See :func:`restore_core.fourier.otf`; cached per grid, device and dtype.
        """
        key = (tuple(shape), centred, onesided, like.device, like.dtype)
        if key not in self._transfers:
            if len(self._transfers) >= 8:
                self._transfers.clear()
            kernel = torch.as_tensor(self.kernel, dtype=like.dtype, device=like.device)
            self._transfers[key] = otf(kernel, key[0], centred, onesided)
        return self._transfers[key]

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if self.boundary != "valid":
            return tuple(input_shape)
        height, width = self.kernel.shape
        return (input_shape[0] - height + 1, input_shape[1] - width + 1) + tuple(input_shape[2:])

    def _valid(self, x: torch.Tensor) -> torch.Tensor:
        height, width = self.kernel.shape
        grid = fast_grid(x.shape[-2:])
        full = circular_convolve(zero_extend(x, grid), self.transfer(grid, x, centred=False))
        return full[..., height - 1 : x.shape[-2], width - 1 : x.shape[-1]]

    def _valid_adjoint(self, y: torch.Tensor) -> torch.Tensor:
        height, width = self.kernel.shape
        shape = (y.shape[-2] + height - 1, y.shape[-1] + width - 1)
        grid = fast_grid(shape)
        embedded = F.pad(y, (width - 1, grid[1] - shape[1], height - 1, grid[0] - shape[0]))
        full = circular_convolve(embedded, self.transfer(grid, y, centred=False), adjoint=True)
        return full[..., : shape[0], : shape[1]]

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        if self.boundary == "circular":
            return circular_convolve(x, self.transfer(x.shape[-2:], x))
        if self.boundary == "reflect":
            x = pad_symmetric(x, *self.padding)
        return self._valid(x)

    def apply_adjoint(self, y: torch.Tensor) -> torch.Tensor:
        if self.boundary == "circular":
            return circular_convolve(y, self.transfer(y.shape[-2:], y), adjoint=True)
        full = self._valid_adjoint(y)
        if self.boundary == "valid":
            return full
        return pad_symmetric_adjoint(full, y.shape[-2:], *self.padding)

    def normal(self, x: torch.Tensor) -> torch.Tensor:
        """``AᵀA x`` in two FFT convolutions on one grid.

        Circular: one, with ``|K|²``. Otherwise the full linear convolution of the (mirror-padded)
        input is zeroed outside its valid part in place and correlated back on the same grid,
        without the crop and re-embedding that :meth:`apply` then :meth:`apply_adjoint` make.
        """
        if self.boundary == "circular":
            return circular_convolve(x, self.transfer(x.shape[-2:], x).abs().square())
        padded = pad_symmetric(x, *self.padding) if self.boundary == "reflect" else x
        height, width = padded.shape[-2:]
        grid = fast_grid((height, width))
        transfer = self.transfer(grid, x, centred=False)
        full = circular_convolve(zero_extend(padded, grid), transfer)
        full[..., : self.kernel.shape[0] - 1, :] = 0  # rows and columns the valid convolution drops
        full[..., height:, :] = 0
        full[..., : self.kernel.shape[1] - 1] = 0
        full[..., width:] = 0
        back = circular_convolve(full, transfer, adjoint=True)[..., :height, :width]
        return back if self.boundary == "valid" else pad_symmetric_adjoint(back, x.shape[-2:], *self.padding)

    def data_step(self, y: ImageLike) -> DataStep:
        """FFT closed form for the circular model, conjugate gradients for the others.

        Conjugate gradients preconditioned by the circular solve (Reeves 2005) reach the exact
        minimiser in fewer products, but plug-and-play lost up to 4.6 dB with it on Set12 with the Levin
        kernels (reflect): 30 plain iterations from the denoised estimate also regularise the poorly
        observed border band, which the exact minimiser amplifies at the schedule's small ``rho``.
        """
        if self.boundary == "circular":
            return FourierBlurStep(self, y)
        return super().data_step(y)


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

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return self.blur.apply(x)[..., :: self.scale, :: self.scale]

    def apply_adjoint(self, y: torch.Tensor) -> torch.Tensor:
        height, width = self.blur.output_shape(self.input_shape)[:2]
        upsampled = y.new_zeros((*y.shape[:-2], height, width))
        upsampled[..., :: self.scale, :: self.scale] = y
        return self.blur.apply_adjoint(upsampled)

    def data_step(self, y: ImageLike) -> DataStep:
        """The closed form of Zhao et al. (2016) for a circular blur and sides divisible by the scale, else CG."""
        height, width = self.input_shape[:2]
        if self.blur.boundary == "circular" and height % self.scale == 0 and width % self.scale == 0:
            return FourierDecimateStep(self, y)
        return super().data_step(y)


class AxisResize:
    """One axis of a separable resize: output sample ``i`` is ``sum_t weight[i, t] * x[index[i, t]]``.

    The rows of a sparse resize matrix (:func:`restore_core.imresize.resize_matrix`) as a few taps
    each, applied by gathering (and, for the adjoint, scattering) along one axis of a tensor, so the
    memory stays proportional to the image rather than to the matrix.

    Parameters
    ----------
    matrix : scipy.sparse.csr_array
        ``(outputs, inputs)`` resize matrix.
    """

    def __init__(self, matrix) -> None:
        self.matrix = matrix
        counts = np.diff(matrix.indptr)
        self.inputs, outputs, taps = matrix.shape[1], matrix.shape[0], int(counts.max())
        self.index = np.zeros((outputs, taps), dtype=np.int64)
        self.weight = np.zeros((outputs, taps))
        for row, (start, end) in enumerate(zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True)):
            self.index[row, : end - start] = matrix.indices[start:end]
            self.weight[row, : end - start] = matrix.data[start:end]

    def _taps(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        index = torch.as_tensor(self.index.ravel(), device=like.device)
        return index, torch.as_tensor(self.weight, dtype=like.dtype, device=like.device)

    def gram(self) -> np.ndarray:
        """``R Rᵀ`` (outputs x outputs, float64), made only when a closed-form data step needs it."""
        return (self.matrix @ self.matrix.T).toarray()

    def apply(self, x: torch.Tensor, axis: int) -> torch.Tensor:
        """Resize axis ``axis`` (-2 or -1) of ``x``."""
        index, weight = self._taps(x)
        moved = x.movedim(axis, -1)
        gathered = moved.index_select(-1, index).unflatten(-1, weight.shape)
        return (gathered * weight).sum(dim=-1).movedim(-1, axis)

    def adjoint(self, y: torch.Tensor, axis: int) -> torch.Tensor:
        """The transposed resize of axis ``axis`` (-2 or -1) of ``y``."""
        index, weight = self._taps(y)
        moved = y.movedim(axis, -1)
        spread = (moved[..., None] * weight).flatten(-2)
        return moved.new_zeros((*moved.shape[:-1], self.inputs)).index_add(-1, index, spread).movedim(-1, axis)


class BicubicDownsample(LinearOperator):
    """MATLAB-compatible antialiased bicubic downscaling by ``1 / scale``, separable over the two axes.

    ``y = R x Cᵀ`` with ``R`` and ``C`` the resize matrices of :func:`restore_core.imresize.resize_matrix`,
    applied as a few taps per output sample (:class:`AxisResize`).

    Parameters
    ----------
    scale : int
        Downscaling factor.
    input_shape : tuple of int
        High-resolution shape (HxW or HxWx3).
    """

    def __init__(self, scale: int, input_shape: tuple[int, ...]) -> None:
        from .imresize import resize_matrix

        self.scale = int(scale)
        self.input_shape = tuple(input_shape)
        self._rows, self._cols = (AxisResize(resize_matrix(length, 1.0 / self.scale)) for length in input_shape[:2])

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (-(-input_shape[0] // self.scale), -(-input_shape[1] // self.scale)) + tuple(input_shape[2:])

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return self._cols.apply(self._rows.apply(x, -2), -1)

    def apply_adjoint(self, y: torch.Tensor) -> torch.Tensor:
        return self._rows.adjoint(self._cols.adjoint(y, -1), -2)

    def grams(self) -> tuple[np.ndarray, np.ndarray]:
        """``R Rᵀ`` and ``C Cᵀ``: ``A Aᵀ`` is their Kronecker product (float64)."""
        return self._rows.gram(), self._cols.gram()

    def data_step(self, y: ImageLike) -> DataStep:
        """Closed form by the Woodbury identity in the eigenbases of the two axes' Gram matrices."""
        return SeparableResizeStep(self, y)


class Mask(LinearOperator):
    """Pixel selection: ``y = m * x`` with ``m`` True where a pixel is observed (self-adjoint).

    Parameters
    ----------
    mask : ndarray
        HxW, True where a pixel is observed (shared by the channels).
    """

    def __init__(self, mask: np.ndarray) -> None:
        self.mask = mask.astype(bool)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(input_shape)

    def weight(self, like: torch.Tensor) -> torch.Tensor:
        """The mask as 0/1 values on the device and precision of ``like`` (HxW, broadcast over leading axes)."""
        return torch.as_tensor(self.mask, dtype=like.dtype, device=like.device)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight(x)

    def apply_adjoint(self, y: torch.Tensor) -> torch.Tensor:
        return self.apply(y)

    def data_step(self, y: ImageLike) -> DataStep:
        """Per pixel: the observed value blended with the estimate, the estimate where nothing is observed."""
        return PixelwiseStep(self, y)


class Identity(LinearOperator):
    """``y = x`` (denoising, JPEG)."""

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(input_shape)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def apply_adjoint(self, y: torch.Tensor) -> torch.Tensor:
        return y

    def data_step(self, y: ImageLike) -> DataStep:
        """Per pixel: ``(y + rho z) / (1 + rho)``."""
        return PixelwiseStep(self, y)
