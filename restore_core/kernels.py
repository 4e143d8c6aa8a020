"""Blur kernels (point-spread functions).

Every kernel is a 2-D ``float64`` array, non-negative, summing to one. Its centre
is the pixel ``(kh // 2, kw // 2)``; the blur operators and the deconvolution
methods all use that convention.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from .convert import rgb_to_gray, to_float
from .errors import RestoreError

#: Largest kernel side accepted from users.
MAX_KERNEL_SIDE = 255
_SUPERSAMPLE = 8


def validate_kernel(kernel: np.ndarray, image_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Check a blur kernel and return it normalised to sum one.

    Parameters
    ----------
    kernel : ndarray
        2-D array of non-negative weights.
    image_shape : tuple of int, optional
        Shape of the image the kernel will blur; the kernel must not be larger.

    Returns
    -------
    ndarray
        ``float64`` copy of the kernel, summing to one.

    Raises
    ------
    RestoreError
        If the kernel is not 2-D, holds NaN/inf or negative values, sums to zero,
        or is larger than the image.
    """
    if not isinstance(kernel, np.ndarray):
        raise RestoreError(f"the kernel must be a NumPy array, got {type(kernel).__name__}.")
    if kernel.ndim != 2:
        raise RestoreError(f"the kernel must be a 2-D array, got shape {kernel.shape}.")
    if kernel.size == 0:
        raise RestoreError("the kernel is empty.")
    if max(kernel.shape) > MAX_KERNEL_SIDE:
        raise RestoreError(
            f"the kernel is {kernel.shape[0]}x{kernel.shape[1]}: sides above {MAX_KERNEL_SIDE} are refused."
        )
    values = kernel.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise RestoreError("the kernel contains NaN or infinite values.")
    if values.min() < 0:
        raise RestoreError(
            f"the kernel has negative weights (minimum {values.min():.3g}); a blur kernel is non-negative."
        )
    total = values.sum()
    if total <= 0:
        raise RestoreError("the kernel is all zeros: it must have a positive sum.")
    if image_shape is not None and (kernel.shape[0] > image_shape[0] or kernel.shape[1] > image_shape[1]):
        raise RestoreError(
            f"the kernel ({kernel.shape[0]}x{kernel.shape[1]}) is larger than the image "
            f"({image_shape[0]}x{image_shape[1]})."
        )
    return values / total


def _odd(value: float) -> int:
    size = math.ceil(value)
    return size + 1 - size % 2


def _check_positive(value: float, name: str, upper: float) -> float:
    if not np.isfinite(value) or value <= 0 or value > upper:
        raise RestoreError(f"{name} must be in (0, {upper}], got {value}.")
    return float(value)


def gaussian_kernel(sigma: float, size: int | None = None) -> np.ndarray:
    """Isotropic Gaussian kernel.

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels.
    size : int, optional
        Side length; default ``2 * ceil(3 * sigma) + 1``.
    """
    sigma = _check_positive(sigma, "the Gaussian sigma", 50.0)
    size = size if size is not None else 2 * math.ceil(3 * sigma) + 1
    if size < 1 or size > MAX_KERNEL_SIDE:
        raise RestoreError(f"the kernel size must be in [1, {MAX_KERNEL_SIDE}], got {size}.")
    axis = np.arange(size) - (size - 1) / 2.0
    profile = np.exp(-(axis**2) / (2 * sigma**2))
    return validate_kernel(np.outer(profile, profile))


def _supersampled(size: int, inside) -> np.ndarray:
    """Area-weighted rasterisation: fraction of each pixel where ``inside(y, x)`` holds."""
    fine = (np.arange(size * _SUPERSAMPLE) + 0.5) / _SUPERSAMPLE - size / 2.0
    grid_y, grid_x = np.meshgrid(fine, fine, indexing="ij")
    covered = inside(grid_y, grid_x).astype(np.float64)
    return covered.reshape(size, _SUPERSAMPLE, size, _SUPERSAMPLE).mean(axis=(1, 3))


def disk_kernel(radius: float) -> np.ndarray:
    """Defocus (pillbox) kernel of the given radius in pixels, antialiased at its rim."""
    radius = _check_positive(radius, "the disk radius", 100.0)
    size = _odd(2 * radius + 1)
    return validate_kernel(_supersampled(size, lambda y, x: x**2 + y**2 <= radius**2))


def motion_kernel(length: float, angle: float = 0.0) -> np.ndarray:
    """Linear motion blur: a segment of ``length`` pixels at ``angle`` degrees (counter-clockwise from +x)."""
    length = _check_positive(length, "the motion length", 200.0)
    if not np.isfinite(angle):
        raise RestoreError(f"the motion angle must be finite, got {angle}.")
    theta = math.radians(angle)
    size = _odd(length + 2)
    direction_x, direction_y = math.cos(theta), -math.sin(theta)
    half = length / 2.0

    def inside(y: np.ndarray, x: np.ndarray) -> np.ndarray:
        along = x * direction_x + y * direction_y
        across = -x * direction_y + y * direction_x
        return (np.abs(along) <= half) & (np.abs(across) <= 0.5)

    return validate_kernel(_supersampled(size, inside))


def shake_kernel(size: int = 25, seed: int = 0, length: float | None = None, anxiety: float = 0.05) -> np.ndarray:
    """Random camera-shake kernel from a simulated hand trajectory.

    The trajectory is a random walk with inertia, a pull back to the start and
    occasional abrupt jerks (after Boracchi and Foi, "Modeling the performance of
    image restoration from motion blur", IEEE TIP 2012), rasterised with bilinear
    splatting and centred on its centre of mass.

    Parameters
    ----------
    size : int
        Side of the (odd) kernel support.
    seed : int
        Seed of the trajectory; the same seed gives the same kernel.
    length : float, optional
        Trajectory length in pixels; default ``0.6 * size``.
    anxiety : float
        Probability-scale of abrupt shakes (0 gives smooth trajectories).
    """
    if not 3 <= size <= MAX_KERNEL_SIDE:
        raise RestoreError(f"the shake kernel size must be in [3, {MAX_KERNEL_SIDE}], got {size}.")
    size = _odd(size)
    rng = np.random.default_rng(seed)
    total = 0.6 * size if length is None else _check_positive(length, "the trajectory length", 4.0 * size)
    steps = 2000
    centripetal = 0.7 * rng.uniform()
    gaussian_term = 10.0 * rng.uniform()
    freq_big_shakes = 0.2 * rng.uniform()
    angle = 2 * math.pi * rng.uniform()
    velocity = complex(math.cos(angle), math.sin(angle)) * total / (steps - 1)
    points = np.zeros(steps, dtype=complex)
    for step in range(1, steps):
        jerk = 0j
        if rng.uniform() < freq_big_shakes * anxiety:
            jerk = 2 * velocity * np.exp(1j * (math.pi + (rng.uniform() - 0.5)))
        wander = gaussian_term * complex(rng.standard_normal(), rng.standard_normal())
        velocity += jerk + anxiety * (wander - centripetal * points[step - 1]) * total / (steps - 1)
        velocity = velocity / abs(velocity) * total / (steps - 1)
        points[step] = points[step - 1] + velocity
    points -= points.mean()
    span = max(np.ptp(points.real), np.ptp(points.imag))
    if span > size - 3:
        points *= (size - 3) / span
    kernel = np.zeros((size, size))
    xs = points.real + size // 2
    ys = points.imag + size // 2
    x0, y0 = np.floor(xs).astype(int), np.floor(ys).astype(int)
    fx, fy = xs - x0, ys - y0
    for dy, dx, weight in (
        (0, 0, (1 - fy) * (1 - fx)),
        (0, 1, (1 - fy) * fx),
        (1, 0, fy * (1 - fx)),
        (1, 1, fy * fx),
    ):
        np.add.at(kernel, (np.clip(y0 + dy, 0, size - 1), np.clip(x0 + dx, 0, size - 1)), weight)
    return validate_kernel(kernel)


def load_kernels(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Load named kernels from an ``.npz`` file (e.g. the 8 Levin et al. kernels ``k1``..``k8``).

    Returns
    -------
    dict of str to ndarray
        Each kernel validated and normalised, in the file's order.
    """
    path = Path(path)
    if not path.is_file():
        raise RestoreError(f"no kernel file at {path}.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: validate_kernel(archive[name]) for name in archive.files}
    except (OSError, ValueError) as error:
        raise RestoreError(f"{path} is not a readable .npz kernel file ({error}).") from error


def levin_kernels(data_root: str | os.PathLike) -> dict[str, np.ndarray]:
    """The 8 Levin et al. (2009) motion-blur kernels from ``<data_root>/kernels/levin8.npz``."""
    return load_kernels(Path(data_root) / "kernels" / "levin8.npz")


def kernel_from_image(image: np.ndarray) -> np.ndarray:
    """Turn a picture of a kernel (gray or colour, any dtype :func:`to_float` accepts) into a kernel.

    Colour pictures are converted to luminance; the result is normalised to sum one.
    """
    gray = rgb_to_gray(to_float(image))
    if gray.max() <= 0:
        raise RestoreError("the kernel image is blank (all black): draw the kernel in white on black.")
    return validate_kernel(gray)


def center_kernel(kernel: np.ndarray) -> np.ndarray:
    """Shift a kernel by whole pixels so that its centre of mass sits at its centre pixel.

    Estimated kernels (e.g. from blind deblurring) are often off-centre, which
    shifts the restored image; the support is enlarged as needed so nothing is cut.
    """
    kernel = validate_kernel(kernel)
    rows, cols = np.indices(kernel.shape)
    shift_y = round(float((rows * kernel).sum())) - kernel.shape[0] // 2
    shift_x = round(float((cols * kernel).sum())) - kernel.shape[1] // 2
    pad = ((max(0, -2 * shift_y), max(0, 2 * shift_y)), (max(0, -2 * shift_x), max(0, 2 * shift_x)))
    return validate_kernel(np.pad(kernel, pad))
