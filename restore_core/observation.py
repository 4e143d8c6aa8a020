"""Observations: a degraded image together with the forward model that produced it.

:func:`degrade` simulates a degradation (seeded); :class:`Observation` can also be
built directly around a real degraded photo, with whatever is known about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .camera_noise import add_camera_noise, camera_level
from .convert import float_image, validate_image
from .errors import RestoreError
from .noise import (
    MAX_SIGMA,
    add_gaussian_noise,
    add_poisson_noise,
    check_peak,
    check_seed,
    check_sigma,
    estimate_noise_sigma,
)
from .operators import LinearOperator
from .tasks import check_task, get_task

#: Largest median of an observation on the [0, 1] scale. Gaussian noise leaves the median of a [0, 1] image in
#: [0, 1]; Poisson noise of the most adverse peak (about 0.3 photons) can lift it to about 3.2 on an 8x8 image
#: (simulated), beyond that only with a probability below 1e-9. Photos on the 0–255 scale lie far above.
MAX_OBSERVED_MEDIAN = 6.0
#: How far an observation may leave [0, 1] besides its Gaussian noise (MATLAB bicubic downscaling: up to 0.21).
_RANGE_SLACK = 0.5
#: Gaussian noise stays within this many standard deviations on every pixel of the largest image (P < 1e-6).
_NOISE_TAIL = 8.0


def _is_whole(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and bool(np.isfinite(value)) and value == int(value)


def check_clean_shape(shape: Any) -> tuple[int, ...]:
    """Return the shape of a clean image as ints, or raise unless it is ``(H, W)`` or ``(H, W, 3)``."""
    sides = tuple(shape) if isinstance(shape, (tuple, list)) else ()
    if (
        len(sides) not in (2, 3)
        or not all(_is_whole(side) for side in sides)
        or min(sides[:2]) < 1
        or sides[2:] not in ((), (3,))
    ):
        raise RestoreError(f"the clean shape must be (height, width) or (height, width, 3), got {shape!r}.")
    return tuple(int(side) for side in sides)


def check_observed_scale(image: np.ndarray, sigma: float | None, peak: float | None) -> None:
    """Refuse an observed image that is clearly not on the ``[0, 1]`` scale (e.g. 0–255 floats).

    An observation is a ``[0, 1]`` image passed through the forward model (which may overshoot
    by :data:`_RANGE_SLACK`), plus noise: its median is at most :data:`MAX_OBSERVED_MEDIAN`, and
    its values stay within ``_NOISE_TAIL`` Gaussian standard deviations of that range, the
    largest accepted one (255) when ``sigma`` is unknown; Poisson noise (``peak``) is non-negative
    but unbounded above.

    Raises
    ------
    RestoreError
        If the values cannot come from a ``[0, 1]`` image, saying to divide by 255.
    """
    spread = _RANGE_SLACK + _NOISE_TAIL * (MAX_SIGMA if sigma is None else sigma) / 255.0
    low, high, median = float(image.min()), float(image.max()), float(np.median(image))
    if median > MAX_OBSERVED_MEDIAN or low < -spread or (peak is None and high > 1 + spread):
        noise = "unknown noise" if sigma is None else f"noise of sigma {sigma:g}"
        raise RestoreError(
            f"the observed image values span [{low:.4g}, {high:.4g}] (median {median:.4g}): too far from [0, 1] "
            f"for an image with {noise}{'' if peak is None else ' and Poisson noise'}. Observations are on the "
            "[0, 1] scale: divide 8-bit data by 255 (or pass uint8, or use restore_core.to_float)."
        )


@dataclass(frozen=True, eq=False)
class Observation:
    """A degraded image and everything a solver needs to know about how it was made.

    Parameters
    ----------
    image : ndarray
        The degraded image: float on the ``[0, 1]`` scale (noise may take it outside, within what
        :func:`check_observed_scale` allows) or ``uint8`` (divided by 255); stored as float32.
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
    camera : str, float or None
        Level of simulated camera noise (:func:`restore_core.camera_noise.add_camera_noise`) when the
        noise is a camera's; ``sigma`` is then None: a camera's noise has no single level.
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
    camera: str | float | None = None
    _estimated_sigma: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        check_task(self.task)
        object.__setattr__(self, "image", float_image(self.image, "the observed image"))
        object.__setattr__(self, "clean_shape", check_clean_shape(self.clean_shape))
        if self.sigma is not None:
            object.__setattr__(self, "sigma", check_sigma(self.sigma))
        if self.peak is not None:
            object.__setattr__(self, "peak", check_peak(self.peak))
        if self.seed is not None:
            object.__setattr__(self, "seed", check_seed(self.seed))
        if self.camera is not None:
            camera_level(self.camera)
            if self.sigma is not None or self.peak is not None:
                raise RestoreError("camera noise is its own noise model: an observation with it has no sigma or peak.")
        if not isinstance(self.clipped, (bool, np.bool_)):
            raise RestoreError(f"clipped must be True or False, got {self.clipped!r}.")
        check_observed_scale(self.image, self.sigma, self.peak)
        checked = get_task(self.task).check(
            self.clean_shape, self.kernel, self.boundary, self.scale, self.quality, self.mask
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
        return get_task(self.task).operator(self.clean_shape, self.model())

    def model(self) -> dict[str, Any]:
        """The forward-model parameters: ``kernel``, ``boundary``, ``scale``, ``quality`` and ``mask``."""
        return {name: getattr(self, name) for name in ("kernel", "boundary", "scale", "quality", "mask")}

    def at_clean_size(self) -> np.ndarray:
        """The observed image stretched by pixel repetition to the clean image's size (to show it beside results).

        A low-resolution or 'valid' observation is enlarged; the others are returned as they are.
        """
        if self.image.shape[:2] == self.clean_shape[:2]:
            return self.image
        rows = np.arange(self.clean_shape[0]) * self.image.shape[0] // self.clean_shape[0]
        cols = np.arange(self.clean_shape[1]) * self.image.shape[1] // self.clean_shape[1]
        return self.image[rows][:, cols]

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
            "camera": self.camera,
        }


def photo_observation(image: np.ndarray, task: str, sigma: float | None = None, **model: Any) -> Observation:
    """An already degraded photo as an observation (the demo's real mode, the CLI, paired benchmark data).

    The task says the boundary model of photos (deblurring: ``'reflect'``, photos are not
    periodic) and the restored size (super-resolution: ``scale`` times the photo's).

    Parameters
    ----------
    image : ndarray
        The photo, float on the ``[0, 1]`` scale or ``uint8``.
    task : str
        One of :data:`restore_core.TASKS`.
    sigma : float or None
        Its Gaussian noise level (0–255 scale); None (default) to estimate it.
    **model
        The forward-model parameters the task needs: ``kernel``, ``scale``, ``quality`` or ``mask``.

    Raises
    ------
    RestoreError
        For values the task refuses.

    Examples
    --------
    >>> import numpy as np
    >>> import restore_core as rc
    >>> rc.photo_observation(np.full((16, 24), 0.5), "sr", scale=2).clean_shape
    (32, 48)
    """
    declared = get_task(task)
    shape = declared.restored_shape(tuple(np.shape(image)), model)
    return Observation(image, declared.name, shape, sigma=sigma, boundary=declared.photo_boundary, **model)


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
    camera: str | float | None = None,
) -> Observation:
    """Simulate a degradation of a clean image.

    The linear part is applied first (blur, downsampling or masking), then noise
    (Poisson, then Gaussian, or a camera's), then optional clipping; JPEG compresses last.

    Parameters
    ----------
    clean : ndarray
        Float image in ``[0, 1]`` (or uint8), HxW or HxWx3.
    task : {'denoise', 'deblur', 'sr', 'jpeg', 'inpaint'}
        Which degradation.
    sigma : float
        Gaussian noise level on the 0–255 scale (any task).
    peak : float, optional
        Poisson noise with this peak photon count, in ``(0, 1e6]`` (any task).
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
        Non-negative seed for the noise and the generated mask: same seed, same observation.
    camera : str or float, optional
        Real camera noise instead of ``sigma``/``peak`` (colour images): a level of
        :data:`~restore_core.camera_noise.CAMERA_LEVELS` (``'low'``, ``'medium'``, ``'high'``) or a
        shot-noise factor; the image goes back to a random camera's sensor, gets its
        Poisson–Gaussian noise there, correlated by demosaicking, and is processed again to
        8 bits (:func:`~restore_core.camera_noise.add_camera_noise`). The observation's
        ``sigma`` is then None (unknown, estimated by the methods that need it).

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
    declared = get_task(task)
    image = validate_image(clean, "the clean image")
    rng = np.random.default_rng(check_seed(seed))
    peak = None if peak is None else check_peak(peak)
    check_sigma(sigma)
    if not isinstance(clip, (bool, np.bool_)):
        raise RestoreError(f"clip must be True or False, got {clip!r}.")
    given = {"kernel": kernel, "scale": scale, "quality": quality, "mask": mask}
    model = declared.check(
        image.shape, boundary=boundary, **declared.simulated(image.shape, given, mask_type, ratio, seed)
    )
    observed = declared.operator(image.shape, model).forward(image).astype(np.float32)
    if camera is not None:
        if peak is not None or sigma:
            raise RestoreError("camera noise is its own noise model: leave sigma and peak out.")
        observed = add_camera_noise(np.clip(observed, 0.0, 1.0), camera, rng)[0]
    if peak is not None:
        observed = add_poisson_noise(observed, peak, rng)
    observed = add_gaussian_noise(observed, sigma, rng) if check_sigma(sigma) > 0 else observed
    observed = declared.finish(observed, model, clip)
    return Observation(
        observed,
        task,
        image.shape,
        sigma=None if camera is not None else sigma,
        peak=peak,
        kernel=model["kernel"],
        boundary=boundary,
        scale=model["scale"],
        quality=model["quality"],
        mask=model["mask"],
        clipped=clip or declared.clips or camera is not None,
        seed=seed,
        camera=camera,
    )
