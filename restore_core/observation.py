"""Observations: a degraded image together with the forward model that produced it.

:func:`degrade` simulates a degradation (seeded); :class:`Observation` can also be
built directly around a real degraded photo, with whatever is known about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .convert import check_finite, check_shape, validate_image
from .errors import RestoreError
from .jpeg import check_quality, jpeg_compress
from .kernels import validate_kernel
from .masks import check_ratio, make_mask, validate_mask
from .noise import add_gaussian_noise, add_poisson_noise, check_sigma, estimate_noise_sigma
from .operators import BOUNDARIES, BicubicDownsample, Blur, Decimate, Identity, LinearOperator, Mask

TASKS = ("denoise", "deblur", "sr", "jpeg", "inpaint")
SCALES = (2, 3, 4)


def check_task(task: str) -> str:
    """Return ``task`` or raise :class:`RestoreError` listing the known tasks."""
    if task not in TASKS:
        raise RestoreError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}.")
    return task


def check_scale(scale: Any) -> int:
    """Return the super-resolution factor, or raise unless it is 2, 3 or 4."""
    if isinstance(scale, bool) or scale not in SCALES:
        raise RestoreError(f"the super-resolution scale must be one of {SCALES}, got {scale!r}.")
    return int(scale)


def check_forward_model(
    task: str,
    clean_shape: tuple[int, ...],
    kernel: np.ndarray | None = None,
    boundary: str = "circular",
    scale: int | None = None,
    quality: int | None = None,
    mask: np.ndarray | None = None,
) -> dict[str, Any]:
    """Check the forward-model parameters of a task and return them normalised.

    Each task must get the parameters it needs (deblur: a kernel; sr: a scale;
    jpeg: a quality; inpaint: a mask) and no parameter it does not use.

    Returns
    -------
    dict
        ``kernel`` (normalised), ``boundary``, ``scale``, ``quality`` and ``mask`` (bool).

    Raises
    ------
    RestoreError
        For a missing, invalid or unused parameter.
    """
    if boundary not in BOUNDARIES:
        raise RestoreError(f"unknown boundary {boundary!r}; choose one of {', '.join(BOUNDARIES)}.")
    if kernel is not None and task not in ("deblur", "sr"):
        raise RestoreError(f"a blur kernel was given but the {task} task does not use one (only deblur and sr do).")
    if task == "deblur" and kernel is None:
        raise RestoreError("the deblur task needs the blur kernel (kernel=...).")
    if kernel is not None:
        kernel = validate_kernel(kernel, clean_shape)
    if task == "sr":
        scale = check_scale(scale)
    elif scale is not None:
        raise RestoreError(f"a scale was given but the {task} task does not use one (only sr does).")
    if task == "jpeg":
        quality = check_quality(quality)
    elif quality is not None:
        raise RestoreError(f"a JPEG quality was given but the {task} task does not use one.")
    if task == "inpaint":
        if mask is None:
            raise RestoreError("the inpaint task needs a mask (True where observed).")
        mask = validate_mask(mask, clean_shape)
    elif mask is not None:
        raise RestoreError(f"a mask was given but the {task} task does not use one (only inpaint does).")
    return {"kernel": kernel, "boundary": boundary, "scale": scale, "quality": quality, "mask": mask}


def build_operator(
    task: str,
    clean_shape: tuple[int, ...],
    kernel: np.ndarray | None = None,
    boundary: str = "circular",
    scale: int | None = None,
    mask: np.ndarray | None = None,
) -> LinearOperator:
    """The linear operator of a task's forward model (parameters are assumed checked)."""
    if task == "deblur":
        return Blur(kernel, boundary)
    if task == "sr" and kernel is not None:
        return Decimate(scale, kernel, clean_shape, boundary)
    if task == "sr":
        return BicubicDownsample(scale, clean_shape)
    if task == "inpaint":
        return Mask(mask)
    return Identity()


@dataclass(frozen=True, eq=False)
class Observation:
    """A degraded image and everything a solver needs to know about how it was made.

    Parameters
    ----------
    image : ndarray
        The degraded image (float32; may leave ``[0, 1]`` slightly because of noise).
    task : {'denoise', 'deblur', 'sr', 'jpeg', 'inpaint'}
        Restoration task.
    clean_shape : tuple of int
        Shape of the image to recover (the restored image has this shape).
    sigma : float or None
        Gaussian noise level on the 0–255 scale; None when unknown (then estimated).
    peak : float or None
        Poisson peak (photons of a white pixel) when shot noise was added.
    kernel : ndarray or None
        Blur kernel (deblur; sr with blur-then-decimate). None for bicubic sr.
    boundary : {'circular', 'reflect', 'valid'}
        Boundary model of the blur.
    scale : int or None
        Super-resolution factor.
    quality : int or None
        JPEG quality.
    mask : ndarray of bool or None
        Inpainting mask, True where observed.
    clipped : bool
        Whether the observation was clipped to ``[0, 1]``.
    seed : int or None
        Seed of the simulated degradation (None for real photos).
    """

    image: np.ndarray
    task: str
    clean_shape: tuple[int, ...]
    sigma: float | None = 0.0
    peak: float | None = None
    kernel: np.ndarray | None = None
    boundary: str = "circular"
    scale: int | None = None
    quality: int | None = None
    mask: np.ndarray | None = None
    clipped: bool = False
    seed: int | None = None
    _estimated_sigma: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        check_task(self.task)
        if not isinstance(self.image, np.ndarray):
            raise RestoreError(f"the observed image must be a NumPy array, got {type(self.image).__name__}.")
        check_shape(self.image, "the observed image")
        check_finite(self.image, "the observed image")
        object.__setattr__(self, "image", self.image.astype(np.float32, copy=False))
        object.__setattr__(self, "clean_shape", tuple(int(n) for n in self.clean_shape))
        if self.sigma is not None:
            object.__setattr__(self, "sigma", check_sigma(self.sigma))
        checked = check_forward_model(
            self.task, self.clean_shape, self.kernel, self.boundary, self.scale, self.quality, self.mask
        )
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        expected = self.operator.output_shape(self.clean_shape)
        if self.image.shape != expected:
            raise RestoreError(
                f"the observed image is {self.image.shape} but a {self.task} observation of a "
                f"{self.clean_shape} image must be {expected}."
            )

    @property
    def operator(self) -> LinearOperator:
        """The linear part ``A`` of the forward model ``y = A x + noise`` (JPEG: identity)."""
        return build_operator(self.task, self.clean_shape, self.kernel, self.boundary, self.scale, self.mask)

    @property
    def is_color(self) -> bool:
        """True for an RGB observation."""
        return self.image.ndim == 3

    def noise_sigma(self) -> float:
        """The Gaussian noise level (0–255) if known, else an estimate from the image (cached).

        With Poisson noise (``peak`` set) the level is always estimated, as the
        signal-dependent noise has no single known sigma.
        """
        if self.sigma is not None and self.peak is None:
            return self.sigma
        if not self._estimated_sigma:
            self._estimated_sigma.append(estimate_noise_sigma(self.image))
        return self._estimated_sigma[0]

    def parameters(self) -> dict[str, Any]:
        """The degradation parameters as plain values (for reports); arrays are summarised."""
        return {
            "task": self.task,
            "sigma": self.sigma,
            "peak": self.peak,
            "kernel": None if self.kernel is None else f"{self.kernel.shape[0]}x{self.kernel.shape[1]}",
            "boundary": self.boundary if self.kernel is not None else None,
            "scale": self.scale,
            "quality": self.quality,
            "missing": None if self.mask is None else float(1 - self.mask.mean()),
            "clipped": self.clipped,
            "seed": self.seed,
        }


def degrade(
    clean: np.ndarray,
    task: str,
    *,
    sigma: float = 0.0,
    peak: float | None = None,
    kernel: np.ndarray | None = None,
    boundary: str = "circular",
    scale: int | None = None,
    quality: int | None = None,
    mask: np.ndarray | None = None,
    mask_type: str = "random",
    ratio: float | None = None,
    clip: bool = False,
    seed: int = 0,
) -> Observation:
    """Simulate a degradation of a clean image.

    The linear part is applied first (blur, downsampling or masking), then noise
    (Poisson, then Gaussian), then optional clipping; JPEG compresses last.

    Parameters
    ----------
    clean : ndarray
        Float image in ``[0, 1]`` (or uint8), HxW or HxWx3.
    task : {'denoise', 'deblur', 'sr', 'jpeg', 'inpaint'}
        Which degradation.
    sigma : float
        Gaussian noise level on the 0–255 scale (any task).
    peak : float, optional
        Poisson noise with this peak photon count (any task).
    kernel : ndarray, optional
        Blur kernel: required for ``deblur``; for ``sr`` selects blur-then-decimate
        instead of bicubic downscaling.
    boundary : {'circular', 'reflect', 'valid'}
        Boundary model of the blur (see :mod:`restore_core.operators`).
    scale : {2, 3, 4}, optional
        Super-resolution factor (``sr``).
    quality : int, optional
        JPEG quality 1–100 (``jpeg``).
    mask : ndarray of bool, optional
        Inpainting mask, True where observed (``inpaint``); generated if omitted.
    mask_type : {'random', 'text', 'strokes', 'box'}
        Kind of generated mask.
    ratio : float, optional
        Fraction of missing pixels of a generated mask, in ``[0, 1)`` (default 0.5).
    clip : bool
        Clip the noisy observation to ``[0, 1]``.
    seed : int
        Seed for the noise and the generated mask: same seed, same observation.

    Returns
    -------
    Observation
        The degraded image with every parameter of the forward model.

    Examples
    --------
    >>> import restore_core as rc
    >>> from skimage.data import camera
    >>> obs = rc.degrade(camera() / 255.0, "deblur", kernel=rc.gaussian_kernel(1.6), sigma=2.55)
    >>> obs.image.shape
    (512, 512)
    """
    check_task(task)
    image = validate_image(clean, "the clean image")
    rng = np.random.default_rng(seed)
    if task == "inpaint" and mask is None:
        mask = make_mask(mask_type, image.shape, 0.5 if ratio is None else ratio, seed=seed)
    elif ratio is not None:
        check_ratio(ratio)
        if task != "inpaint":
            raise RestoreError(f"a mask ratio was given but the {task} task does not use a mask.")
    model = check_forward_model(task, image.shape, kernel, boundary, scale, quality, mask)
    kernel, scale, quality, mask = model["kernel"], model["scale"], model["quality"], model["mask"]
    observed = build_operator(task, image.shape, kernel, boundary, scale, mask).forward(image).astype(np.float32)
    if peak is not None:
        observed = add_poisson_noise(observed, peak, rng)
    observed = add_gaussian_noise(observed, sigma, rng) if check_sigma(sigma) > 0 else observed
    if task == "inpaint":
        observed = Mask(mask).forward(observed)
    if clip:
        observed = np.clip(observed, 0.0, 1.0)
    if task == "jpeg":
        observed = jpeg_compress(np.clip(observed, 0.0, 1.0), quality)
    return Observation(
        observed,
        task,
        image.shape,
        sigma=sigma,
        peak=peak,
        kernel=kernel,
        boundary=boundary,
        scale=scale,
        quality=quality,
        mask=mask,
        clipped=clip or task == "jpeg",
        seed=seed,
    )
