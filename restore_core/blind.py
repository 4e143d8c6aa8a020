"""Blind deblurring: estimate the blur kernel from the blurred image itself.

:func:`estimate_kernel` alternates, from a coarse to the full resolution, a sharp latent
image and the kernel (maximum a posteriori, in the family of Cho & Lee 2009, Xu & Jia 2010
and Pan et al. 2014):

* latent step: ``x = argmin ||k ⊛ x - y||² + λ ||∇x||₀`` by half-quadratic splitting (the
  L0 gradient prior keeps the strong edges the kernel is read from and flattens the rest);
* kernel step: ``k = argmin ||∇x ⊛ k - ∇y||² + γ ||k||²`` by conjugate gradients on the
  support, on gradients windowed towards the borders (photos are not periodic) and away from
  saturated pixels, then kept non-negative, small values and pieces disconnected from the main
  one removed, normalised to sum 1.

The estimators (:data:`KERNEL_ESTIMATORS`): ``l0`` runs this on the blurred image; ``learned``
on the blurred image first cleaned by the project's learned denoiser (its noise is what the
kernel step reads worst); ``parametric`` instead fits a Gaussian, disk or linear motion to the
power spectrum (:func:`restore_core.fit_blur`, a fraction of a second). The image is converted
to its luma; FFTs run in torch (CUDA when present).

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
from dataclasses import dataclass, replace

import numpy as np
import torch
from scipy import ndimage

from .blur_fit import fit_blur
from .convert import float_image, rgb_to_gray
from .device import get_device
from .errors import RestoreError
from .fourier import otf
from .imresize import imresize
from .kernels import center_kernel, validate_kernel
from .observation import Observation
from .tasks import get_task

#: ``progress(done, total)`` after each scale.
Progress = Callable[[int, int], None]
#: Kernel support chosen when ``size`` is None: this fraction of the shorter side, odd, within [9, 51].
AUTO_SIZE_FRACTION, AUTO_SIZE_RANGE = 0.08, (9, 51)
#: Standard deviation of the gradients (0–1 scale) below which an image is too flat to read a kernel from.
MIN_STRUCTURE = 2e-3
#: Weight of the L0 gradient prior at the first scale, its floor, and its decay per alternation (Pan et al.).
PRIOR_WEIGHT, PRIOR_FLOOR, PRIOR_DECAY = 4e-3, 1e-4, 1.1
#: Alternations of latent and kernel steps per scale.
ALTERNATIONS = 5
#: Kernel values below this fraction of the largest are removed.
KERNEL_THRESHOLD = 0.05
#: Tikhonov weight of the kernel step, relative to the mean gradient energy of the latent image.
KERNEL_REGULARISATION = 1e-2
#: Pixels at or above this value are taken as clipped by the sensor (see :func:`_unsaturated`).
SATURATION = 0.98
#: Conjugate-gradient iterations of the kernel step; largest support whose normal equations are applied by
#: direct convolution (larger ones by FFT, far faster for the 50–150 pixel blurs of real photos).
KERNEL_ITERATIONS, DIRECT_SIDE = 20, 31
#: Pieces of the kernel holding less than this share of its mass are removed.
PIECE_MASS = 0.1


@dataclass(frozen=True)
class KernelEstimator:
    """A blind kernel estimator: its name (``method`` of :func:`estimate_kernel`), family and what it does."""

    name: str
    family: str
    description: str


#: The kernel estimators, by name.
KERNEL_ESTIMATORS = {
    "l0": KernelEstimator("l0", "classical", "coarse-to-fine MAP with an L0 gradient prior (Pan et al. 2014)"),
    "learned": KernelEstimator(
        "learned", "learned", "the same scheme on the blurred image cleaned by the learned denoiser"
    ),
    "parametric": KernelEstimator(
        "parametric", "classical", "a Gaussian, defocus disk or linear motion fitted to the power spectrum (fast)"
    ),
}


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


def _gradients(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Circular forward differences (horizontal, vertical)."""
    return image - torch.roll(image, 1, dims=1), image - torch.roll(image, 1, dims=0)


def _divergence(horizontal: torch.Tensor, vertical: torch.Tensor) -> torch.Tensor:
    """The adjoint of :func:`_gradients` applied to a pair of fields."""
    return horizontal - torch.roll(horizontal, -1, dims=1) + vertical - torch.roll(vertical, -1, dims=0)


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


def _latent(blurred: torch.Tensor, spectrum: torch.Tensor, transfer: torch.Tensor, weight: float) -> torch.Tensor:
    """``argmin ||k ⊛ x - y||² + weight ||∇x||₀`` by half-quadratic splitting (Xu et al. 2011's L0 smoothing).

    ``spectrum`` is the real FFT of ``blurred`` (computed once per scale).
    """
    shape = tuple(blurred.shape)
    numerator = torch.conj(transfer) * spectrum
    power = transfer.abs() ** 2
    gradient_power = torch.fft.rfft2(_divergence(*_gradients(_delta(shape, blurred.device)))).real
    latent = blurred
    beta = 2 * weight
    while beta < 1e5:
        horizontal, vertical = _gradients(latent)
        keep = horizontal**2 + vertical**2 >= weight / beta
        prior = torch.fft.rfft2(_divergence(horizontal * keep, vertical * keep))
        latent = torch.fft.irfft2((numerator + beta * prior) / (power + beta * gradient_power), s=shape)
        beta *= 2
    return latent


def _denoised(gray: np.ndarray, device: str) -> np.ndarray:
    """The blurred image cleaned by the project's learned gray denoiser at its estimated noise level.

    The kernel step reads the blurred image's gradients, where the noise is strongest; a denoiser
    trained on sharp images removes it while keeping the blurred edges the kernel is read from.
    """
    from .nets.models import run_unet
    from .noise import estimate_noise_sigma

    sigma = estimate_noise_sigma(gray)
    return run_unet("unet_gray", gray.astype(np.float32), sigma / 255.0, device=device).astype(np.float64)


def _unsaturated(image: np.ndarray, side: int, device: torch.device) -> torch.Tensor:
    """0 within a kernel's reach of clipped (near-white) pixels, 1 elsewhere.

    A saturated light is not the kernel times the scene (its true brightness was clipped), so the
    kernel step must not read it (Cho et al. 2011 weight such pixels out). When that would leave
    less than a quarter of the image, nothing is masked.
    """
    clipped = ndimage.binary_dilation(image >= SATURATION, structure=np.ones((side, side), bool))
    if clipped.mean() > 0.75:
        clipped[:] = False
    return torch.as_tensor(~clipped, dtype=torch.float64, device=device)


def _delta(shape: tuple[int, int], device: torch.device) -> torch.Tensor:
    image = torch.zeros(shape, dtype=torch.float64, device=device)
    image[0, 0] = 1.0
    return image


def _windowed_gradients(image: torch.Tensor, window: torch.Tensor) -> list[torch.Tensor]:
    """Real FFTs of the image's gradients multiplied by ``window``."""
    return [torch.fft.rfft2(window * gradient) for gradient in _gradients(image)]


def _lags(spectrum: torch.Tensor, shape: tuple[int, int], reach: int) -> torch.Tensor:
    """The circular correlation whose real FFT is ``spectrum``, at the lags ``-reach..reach`` on both axes."""
    full = torch.fft.irfft2(spectrum, s=shape)
    return torch.roll(full, (reach, reach), dims=(0, 1))[: 2 * reach + 1, : 2 * reach + 1]


def _kernel_step(latent: torch.Tensor, soft: list[torch.Tensor], window: torch.Tensor,
                 kernel: np.ndarray) -> np.ndarray:  # fmt: skip
    """``argmin ||∇x ⊛ k - ∇y||² + γ ||k||²`` over kernels on ``kernel``'s support, by conjugate gradients.

    ``soft`` holds the blurred image's windowed gradients (:func:`_windowed_gradients`, once per scale).
    The normal equations only need the latent gradients' autocorrelation at lags within the support
    (Levin et al. 2011), so each iteration is a small convolution; it starts from the current
    ``kernel`` and its result is cleaned by :func:`clean_kernel`.
    """
    side, shape = kernel.shape[0], tuple(latent.shape)
    numerator = torch.zeros(soft[0].shape, dtype=torch.complex128, device=latent.device)
    power = torch.zeros(soft[0].shape, dtype=latent.dtype, device=latent.device)
    for sharp, blurred in zip(_windowed_gradients(latent, window), soft, strict=True):
        numerator += torch.conj(sharp) * blurred
        power += sharp.abs() ** 2
    correlation = _lags(power, shape, side - 1)[None, None]
    weight = KERNEL_REGULARISATION * float(correlation[0, 0, side - 1, side - 1])

    if side <= DIRECT_SIDE:

        def normal(values: torch.Tensor) -> torch.Tensor:
            padded = torch.nn.functional.pad(values[None, None], (side - 1,) * 4)
            return torch.nn.functional.conv2d(padded, correlation)[0, 0] + weight * values

    else:  # the same cross-correlation by FFT (no wrap-around on a 3·side-2 grid)
        grid = (3 * side - 2,) * 2
        response = torch.conj(torch.fft.rfft2(correlation[0, 0], s=grid))

        def normal(values: torch.Tensor) -> torch.Tensor:
            padded = torch.nn.functional.pad(values, (side - 1,) * 4)
            product = torch.fft.irfft2(torch.fft.rfft2(padded) * response, s=grid)
            return product[:side, :side] + weight * values

    estimate = torch.as_tensor(kernel, dtype=latent.dtype, device=latent.device)
    residual = _lags(numerator, shape, side // 2) - normal(estimate)
    direction, energy = residual.clone(), (residual**2).sum()
    for _ in range(KERNEL_ITERATIONS):
        if energy <= 0:
            break
        product = normal(direction)
        step = energy / (direction * product).sum()
        estimate = estimate + step * direction
        residual = residual - step * product
        previous, energy = energy, (residual**2).sum()
        direction = residual + energy / previous * direction
    return clean_kernel(estimate.cpu().numpy())


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
        mass = ndimage.sum(kernel, labels, index=np.arange(1, count + 1)) / kernel.sum()
        keep = np.flatnonzero(mass >= min(PIECE_MASS, mass.max())) + 1
        kernel[~np.isin(labels, keep)] = 0.0
    return kernel / kernel.sum()


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
    method : {'l0', 'learned', 'parametric'}
        The estimator (:data:`KERNEL_ESTIMATORS`, see the module docstring).
    progress : callable, optional
        ``progress(done, total)`` after each scale (each family for ``parametric``).
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
    if method not in KERNEL_ESTIMATORS:
        raise RestoreError(f"unknown kernel estimator {method!r}; choose {', '.join(KERNEL_ESTIMATORS)}.")
    picture = float_image(image, "the blurred image").astype(np.float64)
    gray = rgb_to_gray(picture) if picture.ndim == 3 else picture
    size = check_size(size, gray.shape)
    if float(np.std(np.diff(gray, axis=1))) < MIN_STRUCTURE:
        warnings.warn("the image is too flat to estimate a blur kernel from: no blur assumed.", stacklevel=2)
        return validate_kernel(np.ones((1, 1)))
    if method == "parametric":
        return fit_blur(gray, size, progress).kernel
    torch_device = get_device(device)
    if method == "learned":
        gray = _denoised(gray, device)
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
        window = _window(shape, 2 * margin, torch_device) * _unsaturated(padded, side, torch_device)
        spectrum = torch.fft.rfft2(blurred)
        soft = _windowed_gradients(blurred, window)
        for _ in range(ALTERNATIONS):
            transfer = otf(torch.as_tensor(kernel, dtype=torch.float64, device=torch_device), shape)
            latent = _latent(blurred, spectrum, transfer, weight)
            kernel = _kernel_step(latent, soft, window, kernel)
            weight = max(weight / PRIOR_DECAY, PRIOR_FLOOR)
        if progress is not None:
            progress(done, len(scales))
    return _crop_support(center_kernel(kernel))


def with_estimated_kernel(
    observation: Observation, size: int | None = None, method: str = "l0", progress: Progress | None = None,
    device: str = "auto",
) -> Observation:  # fmt: skip
    """The observation with the kernel read off its own image: every deblurring method then runs blind.

    Parameters
    ----------
    observation : Observation
        A blurred observation (a task that needs a kernel) with the ``circular`` or ``reflect``
        boundary; whatever kernel it holds is replaced (a real photo's may be a placeholder).
    size, method, progress, device
        As for :func:`estimate_kernel`.

    Returns
    -------
    Observation
        The same observation, its ``kernel`` the estimate.

    Raises
    ------
    RestoreError
        For a task without a kernel, a ``valid`` observation (its clean size depends on the
        kernel) or what :func:`estimate_kernel` refuses.
    """
    if "kernel" not in get_task(observation.task).needs:
        raise RestoreError(f"the {observation.task} task has no blur kernel to estimate.")
    if observation.boundary == "valid":
        raise RestoreError("a kernel cannot be estimated for a 'valid' observation: use the reflect boundary.")
    kernel = estimate_kernel(observation.image, size=size, method=method, progress=progress, device=device)
    return replace(observation, kernel=kernel)


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
