"""How each task degrades a test image and how the restoration is measured.

The protocols follow the papers whose numbers the benchmark is compared with;
:data:`PROTOCOLS` states them in words for ``--help`` and the report header.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np

import restore_core as rc

from .datasets import LEVIN_KERNELS


@dataclass(frozen=True)
class TaskProtocol:
    """What varies in a task's benchmark and how its levels are named.

    Attributes
    ----------
    text : str
        The protocol in words.
    level_option : str
        Command-line option (argparse ``dest``) listing the levels, e.g. ``'sigmas'``.
    level_field : str
        :class:`Level` attribute those values set, e.g. ``'sigma'``.
    default_levels : tuple
        Levels run when the option is omitted.
    label : callable
        Readable name of a level value, e.g. ``25 -> 'σ=25'``.
    noise_default : tuple of float or None
        Default ``--noise-sigma`` values (0–255 scale); None when the task takes no extra noise.
    """

    text: str
    level_option: str
    level_field: str
    default_levels: tuple
    label: Callable[[Any], str]
    noise_default: tuple[float, ...] | None = None


TASK_PROTOCOLS: dict[str, TaskProtocol] = {
    "denoise": TaskProtocol(
        "additive white Gaussian noise of standard deviation σ (0–255 scale) on the [0, 1] image, not "
        "clipped unless --clip; PSNR/SSIM on all channels, no border crop.",
        "sigmas",
        "sigma",
        (15, 25, 50),
        lambda sigma: f"σ={sigma:g}",
    ),
    "deblur": TaskProtocol(
        "circular convolution with the kernel, then Gaussian noise σ (--noise-sigma, default 2.55 and 7.65 "
        "on the 0–255 scale), not clipped unless --clip; PSNR/SSIM on all channels, no border crop.",
        "kernels",
        "kernel",
        LEVIN_KERNELS,
        str,
        noise_default=(2.55, 7.65),
    ),
    "sr": TaskProtocol(
        "ground truth mod-cropped to a multiple of the scale; low-resolution input by MATLAB bicubic "
        "downscaling with antialiasing or, at levels naming a kernel (--kernels), by circular blur with the "
        "kernel then keeping every scale-th pixel (plus Gaussian noise if --noise-sigma); the output rounded "
        "to 8 bits; "
        "PSNR/SSIM on the Y channel of MATLAB rgb2ycbcr with `scale` border pixels cropped.",
        "scales",
        "scale",
        rc.SCALES,
        lambda scale: f"×{scale}",
        noise_default=(0.0,),
    ),
    "jpeg": TaskProtocol(
        "the Y channel of MATLAB rgb2ycbcr, rounded to 8 bits (gray images as they are), is JPEG-compressed "
        "by libjpeg at quality q, or the RGB image with --color (4:2:0); PSNR/SSIM against that gray "
        "(or RGB) image, no border crop.",
        "qualities",
        "quality",
        (10, 20, 30, 40),
        lambda quality: f"q={quality}",
    ),
    "inpaint": TaskProtocol(
        "random masks missing the given fraction of pixels, plus Gaussian noise if --noise-sigma; "
        "PSNR/SSIM on all channels (missing and observed pixels), no border crop.",
        "ratios",
        "ratio",
        (0.5, 0.8),
        lambda ratio: f"{100 * ratio:g}% missing",
        noise_default=(0.0,),
    ),
}

#: How the noise and masks are seeded (all tasks).
SEEDING = (
    "image i (0-based position in its dataset's sorted file list) is degraded with seed S + i "
    "(S = --seed), whatever the level or method, so the same command gives the same numbers."
)

#: The protocol of each task in words.
PROTOCOLS: dict[str, str] = {task: protocol.text for task, protocol in TASK_PROTOCOLS.items()}


@dataclass(frozen=True)
class Level:
    """One degradation level of a task: the parameters ``rc.degrade`` receives.

    Attributes
    ----------
    label : str
        Readable name, e.g. ``'σ=25'``, ``'k1 σ=2.55'``, ``'×4'``, ``'q=10'``.
    sigma : float or None
        Gaussian noise (0–255 scale); None for JPEG.
    kernel : str or None
        Kernel name (deblur; sr with blur-then-decimate).
    scale : int or None
        Super-resolution factor.
    quality : int or None
        JPEG quality.
    ratio : float or None
        Fraction of missing pixels (inpaint).
    kernel_array : ndarray or None
        The kernel itself (deblur; sr with blur-then-decimate).
    """

    label: str
    sigma: float | None = None
    kernel: str | None = None
    scale: int | None = None
    quality: int | None = None
    ratio: float | None = None
    kernel_array: np.ndarray | None = field(default=None, compare=False, repr=False)

    def columns(self) -> dict[str, Any]:
        """The degradation parameters as the result columns ``sigma kernel scale quality ratio``."""
        return {
            "sigma": self.sigma,
            "kernel": self.kernel,
            "scale": self.scale,
            "quality": self.quality,
            "ratio": self.ratio,
        }


def build_levels(
    task: str,
    values: Sequence[Any],
    *,
    noise_sigmas: Sequence[float] | None = None,
    kernels: Mapping[str, np.ndarray] | None = None,
    clip: bool = False,
    color: bool = False,
) -> list[Level]:
    """The levels of a benchmark run.

    Parameters
    ----------
    task : str
        One of :data:`TASK_PROTOCOLS`.
    values : sequence
        Level values: sigmas, kernel names, scales, qualities or ratios.
    noise_sigmas : sequence of float, optional
        Extra Gaussian noise levels of deblur, sr and inpaint; default the task's.
    kernels : mapping of str to ndarray, optional
        The kernels named in ``values``, required for deblur; for sr, blur with each of them
        before decimation (one level per scale and kernel) instead of bicubic downscaling.
    clip : bool
        Whether noisy observations are clipped to ``[0, 1]`` (named in the label).
    color : bool
        JPEG on RGB instead of Y (named in the label).

    Returns
    -------
    list of Level
        One per value and noise level, values varying slowest.
    """
    protocol = TASK_PROTOCOLS[task]
    noises = protocol.noise_default if noise_sigmas is None else tuple(map(float, noise_sigmas))
    sr_kernels = tuple(kernels or ()) if task == "sr" else ()
    levels = []
    for value, sr_kernel, noise in product(values, sr_kernels or (None,), noises or (None,)):
        extras = ([sr_kernel] if sr_kernel else []) + ([f"σ={noise:g}"] if noise else [])
        extras += (["clipped"] if clip else []) + (["RGB"] if color else [])
        fields: dict[str, Any] = {} if noise is None else {"sigma": noise}
        fields[protocol.level_field] = value
        if task == "deblur":
            fields["kernel_array"] = kernels[value]
        if sr_kernel:
            fields.update(kernel=sr_kernel, kernel_array=kernels[sr_kernel])
        levels.append(Level(" ".join([protocol.label(value), *extras]), **fields))
    return levels


def mod_crop(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom and right so that both sides are multiples of ``scale``."""
    height, width = image.shape[:2]
    return image[: height - height % scale, : width - width % scale]


def ground_truth(task: str, image: np.ndarray, level: Level, color: bool = False) -> np.ndarray:
    """The clean image a task restores and is measured against.

    SR mod-crops to the scale; JPEG takes the 8-bit Y channel unless ``color``.
    """
    if task == "sr":
        return mod_crop(image, level.scale)
    if task == "jpeg" and not color:
        return rc.quantize(rc.rgb_to_y(image))
    return image


def observe(task: str, clean: np.ndarray, level: Level, seed: int, clip: bool = False) -> rc.Observation:
    """Degrade the ground truth at ``level`` with ``seed`` (circular blur, random masks)."""
    return rc.degrade(
        clean,
        task,
        sigma=level.sigma or 0.0,
        kernel=level.kernel_array,
        boundary="circular",
        scale=level.scale,
        quality=level.quality,
        ratio=level.ratio,
        mask_type="random",
        clip=clip,
        seed=seed,
    )


def score(task: str, clean: np.ndarray, restored: np.ndarray, level: Level) -> tuple[float, float]:
    """PSNR (dB) and SSIM of a restoration; SR output is rounded to 8 bits and measured on cropped Y."""
    if task == "sr":
        restored = rc.quantize(restored)
    options = {"y_channel": True, "crop": level.scale} if task == "sr" else {}
    return rc.psnr(clean, restored, **options), rc.ssim(clean, restored, **options)
