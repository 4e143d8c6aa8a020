"""The degradation settings of the demo's controls, turned into a :func:`restore_core.degrade` call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import restore_core as rc

#: Task radio choices as (label, value) pairs.
TASK_CHOICES = (
    ("Denoise", "denoise"),
    ("Deblur", "deblur"),
    ("Super-resolution", "sr"),
    ("JPEG artefacts", "jpeg"),
    ("Inpaint", "inpaint"),
)
#: Noise sigma (0–255 scale) the noise slider takes when a task is chosen.
DEFAULT_NOISE = {"denoise": 25.0, "deblur": 2.55, "sr": 0.0, "jpeg": 0.0, "inpaint": 0.0}
#: Blur kernel choices as (label, value) pairs.
KERNEL_CHOICES = (
    ("Gaussian", "gaussian"),
    ("Disk (defocus)", "disk"),
    ("Motion", "motion"),
    ("Camera shake", "shake"),
)
#: The settings each kernel type uses (the others are hidden).
KERNEL_SETTINGS = {
    "gaussian": ("gaussian_sigma",),
    "disk": ("disk_radius",),
    "motion": ("motion_length", "motion_angle"),
    "shake": ("shake_seed",),
}
#: Every kernel setting, in the order of their visibility updates.
KERNEL_PARAMETERS = tuple(name for names in KERNEL_SETTINGS.values() for name in names)
#: Side of the camera-shake kernel support.
SHAKE_SIZE = 25
_MAX_SEED = 2**32 - 1


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
    task : str
        One of :data:`restore_core.TASKS`.
    noise_sigma : float
        Gaussian noise level on the 0–255 scale (every task).
    kernel_type : str
        Blur kernel for ``deblur``: a value of :data:`KERNEL_CHOICES`.
    gaussian_sigma, disk_radius, motion_length, motion_angle : float
        Kernel shape (pixels; the angle in degrees).
    shake_seed : int
        Seed of the camera-shake trajectory.
    scale : int
        Super-resolution factor (``sr``).
    quality : int
        JPEG quality 1–100 (``jpeg``).
    mask_type : str
        One of :data:`restore_core.MASK_TYPES` (``inpaint``).
    mask_ratio : float
        Fraction of missing pixels (``inpaint``).
    seed : int
        Seed of the noise and of the mask.
    """

    task: str = "deblur"
    noise_sigma: float = DEFAULT_NOISE["deblur"]
    kernel_type: str = "gaussian"
    gaussian_sigma: float = 1.6
    disk_radius: float = 3.0
    motion_length: float = 15.0
    motion_angle: float = 30.0
    shake_seed: int = 0
    scale: int = 2
    quality: int = 20
    mask_type: str = "text"
    mask_ratio: float = 0.2
    seed: int = 0

    def kernel(self) -> np.ndarray:
        """The blur kernel the settings describe.

        Raises
        ------
        RestoreError
            For an unknown kernel type or out-of-range kernel settings.
        """
        builders = {
            "gaussian": lambda: rc.gaussian_kernel(self.gaussian_sigma),
            "disk": lambda: rc.disk_kernel(self.disk_radius),
            "motion": lambda: rc.motion_kernel(self.motion_length, self.motion_angle),
            "shake": lambda: rc.shake_kernel(
                SHAKE_SIZE, seed=whole_number(self.shake_seed, "the shake seed", 0, _MAX_SEED)
            ),
        }
        if self.kernel_type not in builders:
            raise rc.RestoreError(f"unknown kernel type {self.kernel_type!r}; choose one of {', '.join(builders)}.")
        return builders[self.kernel_type]()

    def task_options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`restore_core.degrade` specific to the task."""
        if self.task == "deblur":
            return {"kernel": self.kernel()}
        if self.task == "sr":
            return {"scale": self.scale}
        if self.task == "jpeg":
            return {"quality": whole_number(self.quality, "the JPEG quality", 1, 100)}
        if self.task == "inpaint":
            return {"mask_type": self.mask_type, "ratio": self.mask_ratio}
        return {}

    def observe(self, clean: np.ndarray) -> rc.Observation:
        """Degrade a clean image with these settings.

        Raises
        ------
        RestoreError
            For settings the library refuses (the message says which and why).
        """
        return rc.degrade(
            clean,
            self.task,
            sigma=self.noise_sigma,
            seed=whole_number(self.seed, "the seed", 0, _MAX_SEED),
            **self.task_options(),
        )


def metric_options(observation: rc.Observation) -> dict[str, Any]:
    """The literature's metric protocol: Y channel and a ``scale``-pixel border crop for sr, else all channels."""
    return {"y_channel": True, "crop": observation.scale} if observation.task == "sr" else {}
