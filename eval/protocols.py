"""The benchmark's levels: how each task degrades a test image, from its declaration's protocol.

Each task declares its protocol (:class:`restore_core.tasks.Protocol`: level option and field,
defaults, labels, the ground truth and how the restoration is measured), following the papers
whose numbers the benchmark is compared with; :data:`PROTOCOLS` states them in words for
``--help`` and the report header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

import restore_core as rc

from .datasets import PairedFiles

#: How the noise and masks are seeded (all tasks).
SEEDING = (
    "image i (0-based position in its dataset's sorted file list) is degraded with seed S + i "
    "(S = --seed), whatever the level or method, so the same command gives the same numbers."
)

#: The protocol of each task in words.
PROTOCOLS: dict[str, str] = {name: rc.get_task(name).protocol.text for name in rc.TASKS}
#: The protocol of ``--camera-noise`` levels, in words (it replaces the denoising task's white-noise one).
CAMERA = (
    "real camera noise, simulated by restore_core.camera_noise (Brooks et al. 2019 unprocessing): a random camera "
    "per image (seeded), Poisson–Gaussian noise at the RGGB sites of its linear sensor values, demosaicked "
    "bilinearly, processed back to 8-bit sRGB; the methods are not told the level; PSNR/SSIM on all channels, no "
    "border crop."
)
#: How the photos of a paired dataset are restored, in words.
PAIRED = (
    "a folder of degraded/ and clean/ pairs is restored as it is, like the demo's real mode: the methods "
    "estimate the noise level, super-resolution's scale is the ratio of the sizes (the clean image "
    "mod-cropped to it), a JPEG file's quality is read from its tables (else estimated from the pixels), "
    "deblurring takes the kernel in kernels/ and inpainting the mask in masks/; the whole clean image is "
    "the ground truth, measured as the task's protocol says."
)


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
    boundary : str
        How the blur treats the image's borders (one of :data:`restore_core.BOUNDARIES`).
    camera : str or None
        Level of real camera noise (:data:`restore_core.CAMERA_LEVELS`) instead of Gaussian noise.
    """

    label: str
    sigma: float | None = None
    kernel: str | None = None
    scale: int | None = None
    quality: int | None = None
    ratio: float | None = None
    kernel_array: np.ndarray | None = field(default=None, compare=False, repr=False)
    boundary: str = "circular"
    camera: str | None = None

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
    boundary: str = "circular",
    cameras: Sequence[str] | None = None,
) -> list[Level]:
    """The levels of a benchmark run.

    Parameters
    ----------
    task : str
        One of :data:`restore_core.TASKS`.
    values : sequence
        Level values: sigmas, kernel names, scales, qualities or ratios.
    noise_sigmas : sequence of float, optional
        Extra Gaussian noise levels of deblur, sr and inpaint; default the task's.
    kernels : mapping of str to ndarray, optional
        The kernels named in ``values`` when the task's levels are kernels (deblur); for a task that
        optionally takes a kernel (sr), blur with each of them before its operator (decimation: one
        level per value and kernel) instead of its kernel-free one (bicubic downscaling).
    clip : bool
        Whether noisy observations are clipped to ``[0, 1]`` (named in the label).
    color : bool
        JPEG on RGB instead of Y (named in the label).
    boundary : str
        Boundary of the blur of the task whose levels are kernels (deblur; named in the label unless
        ``'circular'``, the literature's).
    cameras : sequence of str, optional
        Levels of real camera noise (:data:`restore_core.CAMERA_LEVELS`) replacing the noise levels
        of a task whose levels are noise levels (denoise): one level each, ``values`` unused.

    Returns
    -------
    list of Level
        One per value and noise level, values varying slowest.
    """
    declared = rc.get_task(task)
    protocol = declared.protocol
    if cameras:
        if protocol.field != "sigma":
            raise rc.RestoreError(f"camera noise levels replace noise levels; the {task} task's levels are not.")
        return [Level(f"camera {name}", camera=name) for name in cameras]
    noises = protocol.noise_default if noise_sigmas is None else tuple(map(float, noise_sigmas))
    extra_kernels = tuple(kernels or ()) if "kernel" in declared.optional else ()
    levels = []
    for value, extra_kernel, noise in product(values, extra_kernels or (None,), noises or (None,)):
        extras = ([extra_kernel] if extra_kernel else []) + ([f"σ={noise:g}"] if noise else [])
        extras += (["clipped"] if clip else []) + (["RGB"] if color else [])
        fields: dict[str, Any] = {} if noise is None else {"sigma": noise}
        fields[protocol.field] = value
        if protocol.field == "kernel":
            fields.update(kernel_array=kernels[value], boundary=boundary)
            extras += [] if boundary == "circular" else [boundary]
        if extra_kernel:
            fields.update(kernel=extra_kernel, kernel_array=kernels[extra_kernel])
        levels.append(Level(" ".join([protocol.label(value), *extras]), **fields))
    return levels


#: The level of a paired dataset's photos: degraded as they are, with no parameter of the benchmark's.
AS_DEGRADED = Level("as degraded")


def ground_truth(task: str, image: np.ndarray, level: Level, color: bool = False) -> np.ndarray:
    """The clean image a task restores and is measured against (see ``Task.ground_truth``).

    SR mod-crops to the scale; JPEG takes the 8-bit Y channel unless ``color``.
    """
    return rc.get_task(task).ground_truth(image, scale=level.scale, color=color)


def observe(task: str, clean: np.ndarray, level: Level, seed: int, clip: bool = False) -> rc.Observation:
    """Degrade the ground truth at ``level`` with ``seed`` (the level's blur boundary, random masks)."""
    return rc.degrade(
        clean,
        task,
        sigma=level.sigma or 0.0,
        kernel=level.kernel_array,
        boundary=level.boundary,
        scale=level.scale,
        quality=level.quality,
        ratio=level.ratio,
        mask_type="random",
        clip=clip,
        seed=seed,
        camera=level.camera,
    )


def paired_observation(task: str, clean: np.ndarray, pair: PairedFiles) -> tuple[np.ndarray, rc.Observation]:
    """The ground truth and observation of a paired dataset's image: its degraded photo as it is.

    What the files say of the degradation is used (see :data:`PAIRED`); the noise level is left to
    the methods to estimate.

    Raises
    ------
    RestoreError
        When the photo and its clean image do not fit the task (sizes, channels), deblurring lacks
        a kernel or inpainting a mask, or a JPEG's quality can be neither read nor estimated.
    """
    declared = rc.get_task(task)
    degraded = rc.load_image(pair.degraded)
    model: dict[str, Any] = {}
    if "scale" in declared.needs:
        model["scale"] = max(clean.shape[0] // degraded.shape[0], 1)
        clean = declared.ground_truth(clean, scale=model["scale"])
    if "kernel" in declared.needs:
        model["kernel"] = rc.center_kernel(
            rc.kernel_from_image(rc.load_image(_needed(pair.kernel, "kernels", pair), min_side=1))
        )
    if "mask" in declared.needs:
        model["mask"] = rc.mask_from_image(rc.load_image(_needed(pair.mask, "masks", pair), min_side=1), degraded.shape)
    if "quality" in declared.needs:
        model["quality"] = rc.read_jpeg_quality(pair.degraded) or rc.estimate_jpeg_quality(degraded)
        if model["quality"] is None:
            raise rc.RestoreError(
                f"{pair.degraded.name} shows no trace of JPEG compression and is not a JPEG file: its quality "
                "can be neither read nor estimated."
            )
    observation = rc.photo_observation(degraded, task, **model)
    if clean.shape != observation.clean_shape:
        raise rc.RestoreError(
            f"{pair.degraded.name} is {_size(degraded.shape)}: the {task} task restores it to "
            f"{_size(observation.clean_shape)}, but its clean image is {_size(clean.shape)}."
        )
    return clean, observation


def _needed(path: Path | None, folder: str, pair: PairedFiles) -> Path:
    """``path``, or a message that the pair's ``folder`` lacks the file the task needs."""
    if path is None:
        raise rc.RestoreError(f"{pair.degraded.name} has no file of the same name in {folder}/ beside degraded/.")
    return path


def _size(shape: tuple[int, ...]) -> str:
    """``'W×H colour'`` or ``'W×H gray'``."""
    return f"{shape[1]}×{shape[0]} {'colour' if len(shape) == 3 else 'gray'}"
