"""Blur kernels (point-spread functions).

Every kernel is a 2-D ``float64`` array, non-negative, summing to one. Its centre
is the pixel ``(kh // 2, kw // 2)``; the blur operators and the deconvolution
methods all use that convention.
"""

from __future__ import annotations

import inspect
import math
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import ndimage

from .convert import rgb_to_gray, to_float
from .errors import RestoreError
from .noise import check_seed

#: Largest kernel side accepted from users.
MAX_KERNEL_SIDE = 255
_SUPERSAMPLE = 8
#: Smallest Gaussian sigma, disk radius and motion length (pixels): finer ones would rasterise to nothing.
_MIN_WIDTH = 0.25


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
    if kernel.dtype != np.bool_ and (not np.issubdtype(kernel.dtype, np.number) or np.iscomplexobj(kernel)):
        raise RestoreError(f"the kernel must hold real numbers, got dtype {kernel.dtype}.")
    values = kernel.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise RestoreError("the kernel contains NaN or infinite values.")
    if values.min() < 0:
        raise RestoreError(
            f"the kernel has negative weights (minimum {values.min():.3g}); a blur kernel is non-negative."
        )
    if values.max() == 0:
        raise RestoreError("the kernel is all zeros: it must have a positive sum.")
    if image_shape is not None and (kernel.shape[0] > image_shape[0] or kernel.shape[1] > image_shape[1]):
        raise RestoreError(
            f"the kernel ({kernel.shape[0]}x{kernel.shape[1]}) is larger than the image "
            f"({image_shape[0]}x{image_shape[1]})."
        )
    with np.errstate(over="ignore"):
        total = values.sum()
    if not np.isfinite(total):  # weights near the float64 maximum: scale them down first
        values /= values.max()
        total = values.sum()
    return values / total


def _odd(value: float) -> int:
    size = math.ceil(value)
    return size + 1 - size % 2


def _check_number(value: float, name: str, low: float, high: float) -> float:
    """``value`` as a float, or :class:`RestoreError` unless it is a number in ``[low, high]``."""
    number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not number or not low <= value <= high:
        raise RestoreError(f"{name} must be a number in [{low:g}, {high:g}], got {value!r}.")
    return float(value)


def _check_whole(value: int, name: str, low: int, high: int) -> int:
    """``value`` as an int, or :class:`RestoreError` unless it is a whole number in ``[low, high]``."""
    if _check_number(value, name, low, high) != int(value):
        raise RestoreError(f"{name} must be a whole number, got {value!r}.")
    return int(value)


def gaussian_kernel(sigma: float, size: int | None = None) -> np.ndarray:
    """Isotropic Gaussian kernel.

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels, in ``[0.25, 50]``.
    size : int, optional
        Side length, 1 to 255; default ``2 * ceil(3 * sigma) + 1`` (at most 255).
    """
    sigma = _check_number(sigma, "the Gaussian sigma", _MIN_WIDTH, 50.0)
    default = min(2 * math.ceil(3 * sigma) + 1, MAX_KERNEL_SIDE)
    size = default if size is None else _check_whole(size, "the kernel size", 1, MAX_KERNEL_SIDE)
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
    """Defocus (pillbox) kernel of the given radius in pixels (``[0.25, 100]``), antialiased at its rim."""
    radius = _check_number(radius, "the disk radius", _MIN_WIDTH, 100.0)
    size = _odd(2 * radius + 1)
    return validate_kernel(_supersampled(size, lambda y, x: x**2 + y**2 <= radius**2))


def motion_kernel(length: float, angle: float = 0.0) -> np.ndarray:
    """Linear motion blur: a segment of ``length`` pixels at ``angle`` degrees (counter-clockwise from +x).

    Parameters
    ----------
    length : float
        Segment length in pixels, in ``[0.25, 200]``.
    angle : float
        Direction in degrees, in ``[-360, 360]``.
    """
    length = _check_number(length, "the motion length", _MIN_WIDTH, 200.0)
    theta = math.radians(_check_number(angle, "the motion angle", -360.0, 360.0))
    size = _odd(length + 2)
    direction_x, direction_y = math.cos(theta), -math.sin(theta)
    half = length / 2.0

    def inside(y: np.ndarray, x: np.ndarray) -> np.ndarray:
        along = x * direction_x + y * direction_y
        across = -x * direction_y + y * direction_x
        return (np.abs(along) <= half) & (np.abs(across) <= 0.5)

    return validate_kernel(_supersampled(size, inside))


def shake_kernel(
    size: int = 25, seed: int = 0, length: float | None = None, anxiety: float = 0.005, speed_variation: float = 0.0
) -> np.ndarray:
    """Random camera-shake kernel from a simulated hand trajectory.

    The trajectory is a random walk with inertia, a pull back to the start and
    occasional abrupt jerks (after Boracchi and Foi, "Modeling the performance of
    image restoration from motion blur", IEEE TIP 2012), rasterised with bilinear
    splatting and centred on its centre of mass.

    Parameters
    ----------
    size : int
        Side of the kernel support, 3 to 255 (an even size is rounded up to odd).
    seed : int
        Non-negative seed of the trajectory; the same seed gives the same kernel.
    length : float, optional
        Trajectory length in pixels, at most ``4 * size``; default ``2 * size`` (a curved stroke spanning
        about half to all of the support, as recorded shakes do).
    anxiety : float
        How much the direction wanders and jerks, in ``[0, 1]`` (0 gives straight trajectories);
        Boracchi and Foi's default 0.005 gives curved strokes like recorded shakes (Levin et al. 2009),
        values above about 0.02 curl the path onto itself into a blob.
    speed_variation : float
        Standard deviation, in ``[0, 3]``, of the log of the hand's speed along the trajectory (a smooth
        random profile): 0 moves at constant speed (a stroke of even brightness); about 1 lingers at some
        points and hurries through others, leaving the bright knots and faint tails of recorded shakes
        (Levin et al. 2009). The exposure is the time spent at each point.
    """
    size = _odd(_check_whole(size, "the shake kernel size", 3, MAX_KERNEL_SIDE))
    rng = np.random.default_rng(check_seed(seed, "the shake seed"))
    anxiety = _check_number(anxiety, "the shake anxiety", 0.0, 1.0)
    speed_variation = _check_number(speed_variation, "the shake speed variation", 0.0, 3.0)
    total = 2.0 * size if length is None else _check_number(length, "the trajectory length", _MIN_WIDTH, 4.0 * size)
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
    if speed_variation:
        points = _at_varying_speed(points, speed_variation, np.random.default_rng([seed, 1]))
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


def _at_varying_speed(points: np.ndarray, variation: float, rng: np.random.Generator) -> np.ndarray:
    """Positions at equal time steps along a path sampled at equal distances, for a random speed profile.

    The log-speed is white noise smoothed over a tenth of the path, scaled to standard deviation
    ``variation``; the time to cover each step is its length over the speed there.
    """
    smooth = ndimage.gaussian_filter1d(rng.standard_normal(len(points)), len(points) / 10, mode="reflect")
    speed = np.exp(variation * smooth / max(float(smooth.std()), 1e-12))
    time = np.concatenate([[0.0], np.cumsum(1.0 / speed[1:])])
    even = np.linspace(0.0, time[-1], len(points))
    return np.interp(even, time, points.real) + 1j * np.interp(even, time, points.imag)


#: The kernels generated from a few numbers, by kind; a kind's settings are its builder's keyword arguments.
KERNEL_KINDS: dict[str, Callable[..., np.ndarray]] = {
    "gaussian": gaussian_kernel,
    "disk": disk_kernel,
    "motion": motion_kernel,
    "shake": shake_kernel,
}
#: Named kernels that need no data (the benchmark's built-in ones), as their kind and settings.
NAMED_KERNELS: dict[str, tuple[str, dict[str, float]]] = {
    "gauss1.6": ("gaussian", {"sigma": 1.6, "size": 25}),
    "motion15": ("motion", {"length": 15, "angle": 30}),
    "disk3": ("disk", {"radius": 3}),
}


def make_kernel(kind: str, **settings: float) -> np.ndarray:
    """A generated kernel of one of :data:`KERNEL_KINDS`, the one catalogue of the demo, the benchmark and the CLI.

    Parameters
    ----------
    kind : {'gaussian', 'disk', 'motion', 'shake'}
        The kernel's shape.
    **settings
        The builder's keyword arguments (e.g. ``sigma`` for ``'gaussian'``; ``length`` and
        ``angle`` for ``'motion'``).

    Raises
    ------
    RestoreError
        For an unknown kind, a setting the kind does not take, or an out-of-range value.

    Examples
    --------
    >>> make_kernel("motion", length=9, angle=0).shape
    (11, 11)
    >>> make_kernel("gaussian", width=2)
    Traceback (most recent call last):
    ...
    restore_core.errors.RestoreError: a gaussian kernel takes sigma, size, not width.
    """
    if kind not in KERNEL_KINDS:
        raise RestoreError(f"unknown kernel kind {kind!r}; choose one of {', '.join(KERNEL_KINDS)}.")
    builder = KERNEL_KINDS[kind]
    accepted = list(inspect.signature(builder).parameters)
    unknown = sorted(set(settings) - set(accepted))
    if unknown:
        raise RestoreError(f"a {kind} kernel takes {', '.join(accepted)}, not {', '.join(unknown)}.")
    return builder(**settings)


def named_kernel(name: str) -> np.ndarray:
    """One of the :data:`NAMED_KERNELS`, e.g. ``'gauss1.6'``.

    Raises
    ------
    RestoreError
        For an unknown name.
    """
    if name not in NAMED_KERNELS:
        raise RestoreError(f"unknown kernel {name!r}; the named kernels are {', '.join(NAMED_KERNELS)}.")
    kind, settings = NAMED_KERNELS[name]
    return make_kernel(kind, **settings)


def load_kernels(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Load named kernels from an ``.npz`` file (e.g. the 8 Levin et al. kernels ``k1``..``k8``).

    Returns
    -------
    dict of str to ndarray
        Each kernel validated and normalised, in the file's order.

    Raises
    ------
    RestoreError
        If the path is missing or not an ``.npz`` archive, or a kernel in it is unusable.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise RestoreError(f"load_kernels expects the path of an .npz file, got {type(path).__name__}.")
    path = Path(path)
    if not path.is_file():
        raise RestoreError(f"no kernel file at {path}.")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise RestoreError(f"{path} holds a single array, not an .npz archive of named kernels.")
        with archive:
            return {name: _named_kernel(archive[name], name) for name in archive.files}
    except RestoreError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise RestoreError(f"{path} is not a readable .npz kernel file ({error}).") from error


def _named_kernel(kernel: np.ndarray, name: str) -> np.ndarray:
    try:
        return validate_kernel(kernel)
    except RestoreError as error:
        raise RestoreError(f"kernel {name!r}: {error}") from error


#: Names of the 8 Levin et al. (2009) kernels in ``<data root>/kernels/levin8.npz`` (see :func:`levin_kernels`).
LEVIN_KERNELS = tuple(f"k{number}" for number in range(1, 9))


def levin_kernels(data_root: str | os.PathLike) -> dict[str, np.ndarray]:
    """The 8 Levin et al. (2009) motion-blur kernels from ``<data_root>/kernels/levin8.npz``."""
    return load_kernels(Path(data_root) / "kernels" / "levin8.npz")


def kernel_from_image(image: np.ndarray) -> np.ndarray:
    """Turn a picture of a kernel (gray or colour, any dtype :func:`to_float` accepts) into a kernel.

    Colour pictures are converted to luminance; the result is normalised to sum one. The picture
    may be as small as the kernel (1 pixel); it must not be larger than 255 pixels a side.
    """
    gray = rgb_to_gray(to_float(image, min_side=1))
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
