"""The degradation settings of the demo's controls, turned into an :class:`restore_core.Observation`.

In the ``simulate`` mode the settings degrade a clean image (:func:`restore_core.degrade`);
in the ``real`` mode the image is already degraded and the settings only describe how
(noise level or an estimate of it, kernel, scale, quality, drawn mask).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import restore_core as rc

from .inputs import MAX_UPLOAD_SIDE, drawn_mask, uploaded_kernel, uploaded_mask

#: Task radio choices as (label, value) pairs, from the task declarations.
TASK_CHOICES = tuple((rc.get_task(name).label, name) for name in rc.TASKS)
#: The forward-model parameters with controls of their own (one group each, shown for the tasks that need it).
CONTROL_GROUPS = ("kernel", "scale", "quality", "mask")
#: Mode radio choices as (label, value) pairs.
MODE_CHOICES = (("Simulate a degradation", "simulate"), ("Real degraded photo", "real"))
#: Blur kernel choices as (label, value) pairs.
KERNEL_CHOICES = (
    ("Gaussian", "gaussian"),
    ("Disk (defocus)", "disk"),
    ("Motion", "motion"),
    ("Camera shake", "shake"),
    ("Upload a kernel image", "upload"),
)
#: Mask choices as (label, value) pairs: the library's generated masks, a mask drawn on the image or uploaded.
MASK_CHOICES = (
    *((kind.capitalize(), kind) for kind in rc.MASK_TYPES),
    ("Draw on the image", "drawn"),
    ("Upload a mask image", "upload"),
)
#: Blind kernel estimators as (label, :data:`restore_core.KERNEL_ESTIMATORS` name) pairs.
BLIND_CHOICES = (
    ("Camera shake (MAP, L0 prior; seconds)", "l0"),
    ("Camera shake (MAP, learned denoiser)", "learned"),
    ("Sharpen: Gaussian, defocus or straight motion (fast)", "parametric"),
)
#: The mask choices that come from the user (the others are generated from a seed).
USER_MASKS = ("drawn", "upload")
#: The settings each kernel type uses (the others are hidden).
KERNEL_SETTINGS = {
    "gaussian": ("gaussian_sigma",),
    "disk": ("disk_radius",),
    "motion": ("motion_length", "motion_angle"),
    "shake": ("shake_seed",),
    "upload": ("kernel_upload",),
}
#: Every kernel setting, in the order of their visibility updates.
KERNEL_PARAMETERS = tuple(name for names in KERNEL_SETTINGS.values() for name in names)
#: Side of the camera-shake kernel support.
SHAKE_SIZE = 25
#: Largest seed a control accepts.
MAX_SEED = 2**32 - 1


def whole_number(value: Any, what: str, low: int, high: int) -> int:
    """Return ``value`` as an int, or raise :class:`RestoreError` unless it is a whole number in ``[low, high]``.

    Number fields may deliver integral floats (``20.0``) or None (a cleared field).
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not float(value).is_integer()
        or not low <= value <= high
    ):
        raise rc.RestoreError(f"{what} must be a whole number from {low} to {high}, got {value!r}.")
    return int(value)


@dataclass(frozen=True)
class Degradation:
    """The values of the degradation controls; the defaults are those the UI starts with.

    The field order is the order of the controls in the ``restore`` API endpoint.

    Attributes
    ----------
    mode : {'simulate', 'real'}
        Degrade a clean image, or restore an image that is already degraded.
    task : str
        One of :data:`restore_core.TASKS`.
    noise_sigma : float
        Gaussian noise level on the 0–255 scale: added (simulate) or present (real).
    estimate_sigma : bool
        In the real mode, estimate the noise level from the image instead of ``noise_sigma``.
    kernel_type : str
        Blur kernel for ``deblur``: a value of :data:`KERNEL_CHOICES`.
    gaussian_sigma, disk_radius, motion_length, motion_angle : float
        Kernel shape (pixels; the angle in degrees).
    shake_seed : int
        Seed of the camera-shake trajectory.
    kernel_upload : str or None
        Uploaded kernel picture (``kernel_type='upload'``).
    scale : int
        Super-resolution factor (``sr``).
    quality : int
        JPEG quality 1–100 (``jpeg``).
    mask_type : str
        A value of :data:`MASK_CHOICES` (``inpaint``).
    mask_ratio : float
        Fraction of missing pixels of a generated mask.
    mask_drawing : dict or None
        The ``gr.ImageEditor`` value holding a drawn mask (``mask_type='drawn'``).
    mask_upload : str or None
        Uploaded mask picture, white where pixels are missing (``mask_type='upload'``).
    seed : int
        Seed of the noise and of the generated mask.
    blind_kernel : bool
        Deblurring with the kernel estimated from the degraded image (:func:`restore_core.with_estimated_kernel`):
        a real photo's kernel choice is then ignored; a simulation still blurs with the chosen kernel, so
        the estimate can be compared with it.
    blind_method : str
        The kernel estimator of blind deblurring, a value of :data:`BLIND_CHOICES`.
    estimate_quality : bool
        JPEG artifact removal with the quality estimated from the degraded image
        (:func:`restore_core.with_estimated_quality`): a real photo's ``quality`` is then ignored; a
        simulation still compresses at ``quality``, so the estimate can be compared with it.
    """

    mode: str = "simulate"
    task: str = "deblur"
    noise_sigma: float = rc.get_task("deblur").typical_sigma
    estimate_sigma: bool = False
    kernel_type: str = "gaussian"
    gaussian_sigma: float = 1.6
    disk_radius: float = 3.0
    motion_length: float = 15.0
    motion_angle: float = 30.0
    shake_seed: int = 0
    kernel_upload: str | None = None
    scale: int = 2
    quality: int = 20
    mask_type: str = "text"
    mask_ratio: float = 0.2
    mask_drawing: dict[str, Any] | None = field(default=None, compare=False)
    mask_upload: str | None = None
    seed: int = 0
    blind_kernel: bool = False
    blind_method: str = "l0"
    estimate_quality: bool = False

    @property
    def estimates_kernel(self) -> bool:
        """Whether the methods get a kernel estimated from the image (blind deblurring)."""
        if not isinstance(self.blind_kernel, (bool, np.bool_)):
            raise rc.RestoreError(f"blind_kernel must be true or false, got {self.blind_kernel!r}.")
        if self.blind_method not in dict(BLIND_CHOICES).values():
            raise rc.RestoreError(f"unknown kernel estimator {self.blind_method!r}.")
        return bool(self.blind_kernel) and "kernel" in rc.get_task(self.task).needs

    @property
    def estimates_quality(self) -> bool:
        """Whether the methods get a JPEG quality estimated from the image."""
        if not isinstance(self.estimate_quality, (bool, np.bool_)):
            raise rc.RestoreError(f"estimate_quality must be true or false, got {self.estimate_quality!r}.")
        return bool(self.estimate_quality) and "quality" in rc.get_task(self.task).needs

    def kernel(self) -> np.ndarray:
        """The blur kernel the settings describe (normalised).

        Raises
        ------
        RestoreError
            For an unknown kernel type, out-of-range kernel settings or an unusable kernel image.
        """
        if self.kernel_type == "upload":
            return uploaded_kernel(self.kernel_upload)
        settings = {  # the library's kernel kinds, with the settings of their controls
            "gaussian": lambda: {"sigma": self.gaussian_sigma},
            "disk": lambda: {"radius": self.disk_radius},
            "motion": lambda: {"length": self.motion_length, "angle": self.motion_angle},
            "shake": lambda: {"size": SHAKE_SIZE, "seed": whole_number(self.shake_seed, "the shake seed", 0, MAX_SEED)},
        }
        if self.kernel_type not in settings:
            choices = ", ".join((*settings, "upload"))
            raise rc.RestoreError(f"unknown kernel type {self.kernel_type!r}; choose one of {choices}.")
        return rc.make_kernel(self.kernel_type, **settings[self.kernel_type]())

    def mask(self, shape: tuple[int, ...]) -> np.ndarray:
        """The inpainting mask (True where observed) for an image of ``shape``."""
        if self.mask_type == "drawn":
            return drawn_mask(self.mask_drawing, shape)
        if self.mask_type == "upload":
            return uploaded_mask(self.mask_upload, shape)
        if self.mode == "real":
            raise rc.RestoreError(
                "for a real photo, draw the pixels to fill in (mask: Draw on the image) or upload a mask image."
            )
        return rc.make_mask(self.mask_type, shape, self.mask_ratio, whole_number(self.seed, "the seed", 0, MAX_SEED))

    def task_options(self, shape: tuple[int, ...]) -> dict[str, Any]:
        """The forward-model parameters the task needs (its controls' values), for a clean image of ``shape``."""
        unknown = self.mode == "real" and self.estimates_kernel  # a placeholder until it is estimated
        readers = {
            "kernel": (lambda: np.ones((1, 1))) if unknown else self.kernel,
            "scale": lambda: self.scale,
            "quality": lambda: whole_number(self.quality, "the JPEG quality", 1, 100),
            "mask": lambda: self.mask(shape),
        }
        return {name: readers[name]() for name in rc.get_task(self.task).needs}

    def result_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of the restorations of an image of ``shape``.

        That is the image's own shape, or for a real photo the task's restored shape (enlarged by
        the scale for super-resolution; a simulation degrades the image first, so its results come
        back to its size).

        Raises
        ------
        RestoreError
            For an unknown task or an unsupported scale.
        """
        if self.mode == "real":
            return rc.get_task(self.task).restored_shape(tuple(shape), {"scale": self.scale})
        return tuple(shape)

    def observe(self, image: np.ndarray) -> rc.Observation:
        """The observation to restore: ``image`` degraded by these settings, or taken as it is (real mode).

        Raises
        ------
        RestoreError
            For settings the library refuses (the message says which and why).
        """
        rc.get_task(self.task)
        if self.mode == "real":
            return self._real(image)
        if self.mode != "simulate":
            raise rc.RestoreError(f"unknown mode {self.mode!r}; choose simulate or real.")
        seed = whole_number(self.seed, "the seed", 0, MAX_SEED)
        return rc.degrade(image, self.task, sigma=self.noise_sigma, seed=seed, **self.task_options(image.shape))

    def _real(self, image: np.ndarray) -> rc.Observation:
        """An already degraded photo with what the settings say about its degradation."""
        task = rc.get_task(self.task)
        shape = self.result_shape(image.shape)
        if max(shape[:2]) > MAX_UPLOAD_SIDE:  # the arena's working size bounds results too (time, memory)
            factor = shape[0] / image.shape[0]
            raise rc.RestoreError(
                f"{task.label} (x{factor:g}) of this {image.shape[1]}×{image.shape[0]} photo would make a "
                f"{shape[1]}×{shape[0]} result; results are at most {MAX_UPLOAD_SIDE} px a side: crop the photo "
                f"to at most {int(MAX_UPLOAD_SIDE // factor)} px a side, or choose a smaller scale."
            )
        sigma = None if self.estimate_sigma else self.noise_sigma
        options = self.task_options(shape)
        return rc.photo_observation(image, task.name, sigma=sigma, **options)
