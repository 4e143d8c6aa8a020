"""Blind deblurring: estimate the blur kernel from the blurred image itself.

:func:`estimate_kernel` alternates, from a coarse to the full resolution, a sharp latent
image and the kernel (maximum a posteriori, in the family of Cho & Lee 2009, Xu & Jia 2010
and Pan et al. 2014):

* latent step: ``x = argmin ||k ⊛ x - y||² + λ ||∇x||₀`` by half-quadratic splitting (the
  L0 gradient prior keeps the strong edges the kernel is read from and flattens the rest);
* kernel step: ``k = argmin ||∇x ⊛ k - ∇y||² + γ ||k||²`` in closed form by FFT, on
  gradients windowed towards the borders (photos are not periodic), then kept non-negative,
  small values and pieces disconnected from the main one removed, normalised to sum 1.

The image is converted to its luma; FFTs run in torch (CUDA when present).

References
----------
.. [1] S. Cho and S. Lee, "Fast motion deblurring", ACM Transactions on Graphics 28(5), 2009.
.. [2] L. Xu and J. Jia, "Two-phase kernel estimation for robust motion deblurring", ECCV 2010.
.. [3] J. Pan, Z. Hu, Z. Su and M.-H. Yang, "Deblurring text images via L0-regularized intensity and
       gradient prior", CVPR 2014.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import torch
from scipy import ndimage

from .convert import float_image, rgb_to_gray
from .device import get_device
from .errors import RestoreError
from .imresize import imresize
from .kernels import center_kernel, validate_kernel

#: ``progress(done, total)`` after each scale.
Progress = Callable[[int, int], None]
#: Kernel support chosen when ``size`` is None: this fraction of the shorter side, odd, within [9, 51].
AUTO_SIZE_FRACTION, AUTO_SIZE_RANGE = 0.08, (9, 51)
#: Standard deviation of the gradients (0–1 scale) below which an image is too flat to read a kernel from.
MIN_STRUCTURE = 2e-3
#: Weight of the L0 gradient prior at the first scale, its floor, and its decay per scale (Pan et al.).
PRIOR_WEIGHT, PRIOR_FLOOR, PRIOR_DECAY = 4e-3, 1e-4, 1.1
#: Alternations of latent and kernel steps per scale.
ALTERNATIONS = 5
#: Kernel values below this fraction of the largest are removed.
KERNEL_THRESHOLD = 0.1
#: Tikhonov weight of the kernel step, relative to the mean gradient energy of the latent image.
KERNEL_REGULARISATION = 1e-3


def check_size(size: int | None, shape: tuple[int, ...]) -> int:
    """The kernel support to estimate: ``size`` checked, or chosen from the image size when None.

    Raises
    ------
    RestoreError
        For a size that is not an odd whole number of at least 3, or larger than a third of the image.
    """
    shorter = min(shape[:2])
    if size is None:
        low, high = AUTO_SIZE_RANGE
        return int(min(max(2 * round(AUTO_SIZE_FRACTION * shorter / 2) + 1, low), high, shorter // 3 // 2 * 2 + 1))
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 3:
        raise RestoreError(f"the kernel size must be a whole number of at least 3, got {size!r}.")
    if size > shorter / 3:
        raise RestoreError(
            f"a {size}-pixel kernel cannot be estimated from a {shape[1]}×{shape[0]} image: the support must be at "
            f"most a third of the shorter side ({shorter // 3} pixels). Choose a smaller size or a larger image."
        )
    return int(size) | 1


def _otf(kernel: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """FFT of a kernel zero-padded to ``shape``, centred at the origin (:func:`restore_core.operators.psf2otf`)."""
    padded = torch.zeros(shape, dtype=kernel.dtype, device=kernel.device)
    padded[: kernel.shape[0], : kernel.shape[1]] = kernel
    padded = torch.roll(padded, (-(kernel.shape[0] // 2), -(kernel.shape[1] // 2)), dims=(0, 1))
    return torch.fft.fft2(padded)


def _window(shape: tuple[int, int], margin: int, device: torch.device) -> torch.Tensor:
    """1 inside, raised-cosine ramps to 0 across ``margin`` pixels at every border."""

    def ramp(length: int) -> torch.Tensor:
        values = torch.ones(length, dtype=torch.float64, device=device)
        steps = min(margin, length // 2)
        if steps:
            edge = 0.5 - 0.5 * torch.cos(math.pi * (torch.arange(steps, device=device) + 0.5) / steps)
            values[:steps], values[length - steps :] = edge, edge.flip(0)
        return values

    return ramp(shape[0])[:, None] * ramp(shape[1])[None, :]


def _latent(blurred: torch.Tensor, spectrum: torch.Tensor, otf: torch.Tensor,
            gradients: tuple[torch.Tensor, torch.Tensor], weight: float) -> torch.Tensor:  # fmt: skip
    """``argmin ||k ⊛ x - y||² + weight ||∇x||₀`` by half-quadratic splitting (Xu et al. 2011's L0 smoothing).

    ``spectrum`` is the FFT of ``blurred`` (computed once per scale).
    """
    dx, dy = gradients
    numerator = torch.conj(otf) * spectrum
    power = otf.abs() ** 2
    gradient_power = dx.abs() ** 2 + dy.abs() ** 2
    latent = blurred
    beta = 2 * weight
    while beta < 1e5:
        spectrum = torch.fft.fft2(latent)
        horizontal, vertical = torch.fft.ifft2(dx * spectrum).real, torch.fft.ifft2(dy * spectrum).real
        keep = horizontal**2 + vertical**2 >= weight / beta
        horizontal, vertical = horizontal * keep, vertical * keep
        prior = torch.conj(dx) * torch.fft.fft2(horizontal) + torch.conj(dy) * torch.fft.fft2(vertical)
        latent = torch.fft.ifft2((numerator + beta * prior) / (power + beta * gradient_power)).real
        beta *= 2
    return latent


def _windowed_gradients(spectrum: torch.Tensor, gradients: tuple[torch.Tensor, torch.Tensor],
                        window: torch.Tensor) -> list[torch.Tensor]:  # fmt: skip
    """FFTs of the image's gradients (from its ``spectrum``) multiplied by ``window``."""
    return [torch.fft.fft2(window * torch.fft.ifft2(gradient * spectrum).real) for gradient in gradients]


def _kernel_step(latent: torch.Tensor, soft: list[torch.Tensor], gradients: tuple[torch.Tensor, torch.Tensor],
                 window: torch.Tensor, size: int) -> np.ndarray:  # fmt: skip
    """``argmin ||∇x ⊛ k - ∇y||² + γ ||k||²`` by FFT on windowed gradients, cut to ``size`` and cleaned.

    ``soft`` holds the blurred image's windowed gradients (:func:`_windowed_gradients`, once per scale).
    """
    numerator = torch.zeros(latent.shape, dtype=torch.complex128, device=latent.device)
    denominator = torch.zeros(latent.shape, dtype=latent.dtype, device=latent.device)
    for sharp, blurred in zip(_windowed_gradients(torch.fft.fft2(latent), gradients, window), soft, strict=True):
        numerator += torch.conj(sharp) * blurred
        denominator += sharp.abs() ** 2
    full = torch.fft.ifft2(numerator / (denominator + KERNEL_REGULARISATION * denominator.mean())).real
    full = torch.roll(full, (size // 2, size // 2), dims=(0, 1))[:size, :size]
    return clean_kernel(full.cpu().numpy())


def clean_kernel(kernel: np.ndarray) -> np.ndarray:
    """Non-negative, values under :data:`KERNEL_THRESHOLD` of the peak and pieces apart from the main one removed,
    normalised to sum 1 (a delta when nothing is left)."""
    kernel = np.clip(kernel, 0.0, None)
    if kernel.max() <= 0:
        delta = np.zeros_like(kernel)
        delta[kernel.shape[0] // 2, kernel.shape[1] // 2] = 1.0
        return delta
    kernel[kernel < KERNEL_THRESHOLD * kernel.max()] = 0.0
    labels, count = ndimage.label(kernel > 0, structure=np.ones((3, 3)))
    if count > 1:
        mass = ndimage.sum(kernel, labels, index=np.arange(1, count + 1))
        kernel[labels != 1 + int(np.argmax(mass))] = 0.0
    return kernel / kernel.sum()


def _gradient_otfs(shape: tuple[int, int], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    horizontal = torch.tensor([[0.0, -1.0, 1.0]], dtype=torch.float64, device=device)
    return _otf(horizontal, shape), _otf(horizontal.T.contiguous(), shape)


def _scales(size: int) -> list[float]:
    """Image scale factors from coarse (kernel about 5 pixels) to 1, by steps of √2."""
    count = max(1, math.floor(math.log(size / 5.0) / math.log(math.sqrt(2))) + 1)
    return [math.sqrt(0.5) ** step for step in range(count - 1, -1, -1)]


def estimate_kernel(
    image: np.ndarray, size: int | None = None, method: str = "l0", progress: Progress | None = None,
    device: str = "auto",
) -> np.ndarray:  # fmt: skip
    """Estimate the blur kernel of a blurred photo (blind deblurring).

    Parameters
    ----------
    image : ndarray
        The blurred image, gray or colour, float in ``[0, 1]`` (or ``uint8``); colour is read through its luma.
    size : int, optional
        Upper bound of the kernel's support (odd; at most a third of the shorter side); None chooses
        it from the image size.
    method : {'l0'}
        The estimator: coarse-to-fine MAP with an L0 gradient prior (see the module docstring).
    progress : callable, optional
        ``progress(done, total)`` after each scale.
    device : {'auto', 'cpu', 'cuda'}
        Where the FFTs run.

    Returns
    -------
    ndarray
        The kernel, ``size`` x ``size`` at most (cropped to its support), non-negative, summing to 1,
        centred by its centre of mass. An image too flat to read a kernel from gives a delta (no
        blur) with a warning.

    Raises
    ------
    RestoreError
        For an invalid image, size or method.

    Examples
    --------
    >>> import restore_core as rc
    >>> from skimage.data import camera
    >>> truth = rc.motion_kernel(11, 30)
    >>> observation = rc.degrade(rc.to_float(camera())[::2, ::2], "deblur", kernel=truth, boundary="reflect",
    ...                          sigma=1.0, seed=0)
    >>> estimate = rc.estimate_kernel(observation.image, size=21)
    >>> bool(rc.kernel_similarity(estimate, truth) > 0.8)
    True
    """
    if method != "l0":
        raise RestoreError(f"unknown kernel estimator {method!r}; choose l0.")
    picture = float_image(image, "the blurred image").astype(np.float64)
    gray = rgb_to_gray(picture) if picture.ndim == 3 else picture
    size = check_size(size, gray.shape)
    if float(np.std(np.diff(gray, axis=1))) < MIN_STRUCTURE:
        warnings.warn("the image is too flat to estimate a blur kernel from: no blur assumed.", stacklevel=2)
        return validate_kernel(np.ones((1, 1)))
    torch_device = get_device(device)
    scales = _scales(size)
    kernel = np.zeros((3, 3))
    kernel[1, 1] = 1.0
    weight = PRIOR_WEIGHT
    for done, factor in enumerate(scales, 1):
        side = max(3, round(size * factor) | 1)
        kernel = _resize_kernel(kernel, side)
        blurred_np = gray if factor == 1 else imresize(gray, factor)
        margin = side
        padded = np.pad(blurred_np, margin, mode="edge")  # the kernel step's window hides the padded border
        blurred = torch.as_tensor(padded, dtype=torch.float64, device=torch_device)
        shape = tuple(blurred.shape)
        gradients = _gradient_otfs(shape, torch_device)
        window = _window(shape, 2 * margin, torch_device)
        spectrum = torch.fft.fft2(blurred)
        soft = _windowed_gradients(spectrum, gradients, window)
        for _ in range(ALTERNATIONS):
            otf = _otf(torch.as_tensor(kernel, dtype=torch.float64, device=torch_device), shape)
            latent = _latent(blurred, spectrum, otf, gradients, weight)
            kernel = _kernel_step(latent, soft, gradients, window, side)
        weight = max(weight / PRIOR_DECAY, PRIOR_FLOOR)
        if progress is not None:
            progress(done, len(scales))
    return _crop_support(center_kernel(kernel))


def _resize_kernel(kernel: np.ndarray, side: int) -> np.ndarray:
    """A kernel resampled to ``side`` x ``side`` (bilinear), non-negative, normalised."""
    if kernel.shape == (side, side):
        return kernel
    resized = ndimage.zoom(kernel, side / kernel.shape[0], order=1)[:side, :side]
    resized = np.pad(resized, ((0, side - resized.shape[0]), (0, side - resized.shape[1])))
    resized = np.clip(resized, 0, None)
    return resized / resized.sum() if resized.sum() > 0 else _resize_kernel(np.ones((1, 1)), side)


def _crop_support(kernel: np.ndarray) -> np.ndarray:
    """The kernel on the smallest odd square centred on its centre pixel that holds all its weight."""
    rows, cols = np.nonzero(kernel)
    centre_y, centre_x = kernel.shape[0] // 2, kernel.shape[1] // 2
    half = int(max(abs(rows - centre_y).max(), abs(cols - centre_x).max()))
    square = np.zeros((2 * half + 1, 2 * half + 1))
    square[rows - centre_y + half, cols - centre_x + half] = kernel[rows, cols]
    return validate_kernel(square)


def kernel_similarity(estimate: np.ndarray, truth: np.ndarray) -> float:
    """Largest normalised cross-correlation of two kernels over all shifts (1: equal up to a shift).

    The measure of Hu and Yang (2012), used by blind-deblurring benchmarks: an estimate is defined
    up to a translation, which it forgives.

    References
    ----------
    .. [1] Z. Hu and M.-H. Yang, "Good regions to deblur", ECCV 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from restore_core.blind import kernel_similarity
    >>> k = np.zeros((5, 5)); k[2, 1:4] = 1
    >>> round(kernel_similarity(k, np.roll(k, 1, axis=0)), 6)
    1.0
    """
    from scipy.signal import correlate

    first, second = validate_kernel(estimate), validate_kernel(truth)
    correlation = correlate(first, second, mode="full")
    return float(correlation.max() / (np.linalg.norm(first) * np.linalg.norm(second)))
