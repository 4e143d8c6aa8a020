"""Plug-and-play restoration by half-quadratic splitting (HQS) with any denoiser as the prior.

HQS solves ``min_x ||y - A x||² / (2σ²) + λ Φ(x)`` by alternating

* a data step ``x = argmin ||y - A x||² + ρ_k ||x - z||²``, the operator's own
  :meth:`~restore_core.operators.LinearOperator.data_step` (closed forms where the
  forward model allows them, conjugate gradients otherwise: :mod:`restore_core.datasteps`);
* a prior step ``z = D(x, σ_k)``, a Gaussian denoiser at level ``σ_k``.

The denoiser levels ``σ_k`` decrease log-spaced from ``sigma_start`` (49) to the
observation's noise level and ``ρ_k = λ σ² / σ_k²``, as in DPIR (Zhang et al., 2021);
the schedule stops no lower than the task's ``pnp.sigma_floor`` (inpainting: where a
learned prior still removes the small artefacts it adds itself at the lowest levels), and
then ends with a data step so the observed pixels keep their values. Each task declares
its iterations, floor and starting point (:mod:`restore_core.tasks`).
The prior is any ``denoiser(image, sigma)``: the learned DeconvUNet or a classical
one (TV, BM3D), so the benchmark can compare priors with the solver held fixed.

References
----------
.. [1] K. Zhang, Y. Li, W. Zuo, L. Zhang, L. Van Gool and R. Timofte, "Plug-and-play image
       restoration with deep denoiser prior", IEEE TPAMI 44(10), 2021 (DPIR).
.. [2] D. Geman and C. Yang, "Nonlinear image recovery with half-quadratic regularization",
       IEEE Transactions on Image Processing 4(7), 1995.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .convert import from_planes, to_planes
from .device import get_device
from .errors import RestoreError
from .observation import Observation
from .tasks import TASK_REGISTRY, get_task
from .tuned import tuned_setting

#: ``denoiser(image, sigma)``: sigma on the 0–255 scale.
Denoiser = Callable[[np.ndarray, float], np.ndarray]
#: ``progress(done, total)`` after each iteration.
Progress = Callable[[int, int], None]
#: Smallest noise level (0–255) the solver assumes, so noise-free problems stay well posed.
MIN_SIGMA = 0.5
#: Default prior weight λ, tuned for the learned prior by ``python -m tools.tune_pnp --write`` (``tuned.json``).
DEFAULT_LAM = tuned_setting("pnp_unet", "lam")
#: The tasks with a forward model to invert (those declaring plug-and-play defaults).
PNP_TASKS = tuple(name for name, task in TASK_REGISTRY.items() if task.pnp is not None)


def noise_schedule(sigma_start: float, sigma_end: float, iterations: int) -> np.ndarray:
    """Denoiser levels decreasing log-spaced from ``sigma_start`` to ``sigma_end`` (0–255 scale)."""
    sigma_end = max(sigma_end, MIN_SIGMA)
    return np.logspace(np.log10(max(sigma_start, sigma_end)), np.log10(sigma_end), iterations)


def dihedral(image: np.ndarray, index: int, inverse: bool = False) -> np.ndarray:
    """One of the 8 flips/rotations of an image (``inverse`` undoes it)."""
    flip, turns = divmod(index % 8, 4)
    if inverse:
        image = np.rot90(image, -turns)
        return image[:, ::-1] if flip else image
    image = image[:, ::-1] if flip else image
    return np.rot90(image, turns)


def hqs(
    observation: Observation,
    denoiser: Denoiser,
    iterations: int | None = None,
    sigma_start: float = 49.0,
    sigma_end: float | None = None,
    lam: float = DEFAULT_LAM,
    ensemble: bool = False,
    progress: Progress | None = None,
    device: str = "cpu",
) -> np.ndarray:
    """Plug-and-play HQS for deblurring, super-resolution and inpainting.

    Parameters
    ----------
    observation : Observation
        A ``deblur``, ``sr`` or ``inpaint`` observation with its forward model.
    denoiser : callable
        ``denoiser(image, sigma)`` with sigma on the 0–255 scale: the prior step.
    iterations : int, optional
        Number of HQS iterations (default: the task's, e.g. 8 deblur, 24 SR, 40 inpaint).
    sigma_start : float
        Denoiser level of the first iteration (0–255 scale).
    sigma_end : float, optional
        Denoiser level of the last iteration (default: the observation's noise level,
        at least the task's ``pnp.sigma_floor``).
    lam : float
        Prior weight λ: ``ρ_k = λ σ² / σ_k²``.
    ensemble : bool
        Apply the denoiser to a different flip/rotation of the estimate at each iteration
        (DPIR's cheap self-ensemble).
    progress : callable, optional
        ``progress(done, total)`` after each iteration.
    device : {'cpu', 'auto', 'cuda'}
        Where the data steps compute (in float32; the denoiser chooses its own device).

    Returns
    -------
    ndarray
        The restored image, float32, shaped like the clean image: the last denoiser output,
        or, when the schedule ends above the observation's noise level (noise-free
        inpainting), the data step after it, so observed pixels keep their values.

    Raises
    ------
    RestoreError
        For a task without a forward model to invert, or bad settings.
    """
    task = get_task(observation.task)
    if task.pnp is None:
        raise RestoreError(
            f"plug-and-play HQS inverts a forward model: it does {', '.join(PNP_TASKS)}, not {observation.task}."
        )
    iterations = task.pnp.iterations if iterations is None else int(iterations)
    if iterations < 1 or lam <= 0 or sigma_start <= 0 or (sigma_end is not None and sigma_end <= 0):
        raise RestoreError("HQS needs at least one iteration, a positive lambda and positive sigmas.")
    sigma = max(observation.noise_sigma(), MIN_SIGMA)
    if sigma_end is None:
        sigma_end = max(sigma, task.pnp.sigma_floor)
    levels = noise_schedule(sigma_start, sigma_end, iterations)
    place = {"device": get_device(device), "dtype": torch.float32}
    data = observation.operator.data_step(to_planes(observation.image, **place))
    estimate = to_planes(task.initial_estimate(observation), **place)
    for index, level in enumerate(levels):
        image = from_planes(data(estimate, lam * (sigma / level) ** 2), observation.image.ndim)
        turned = dihedral(image, index) if ensemble else image
        denoised = np.asarray(denoiser(np.ascontiguousarray(turned), float(level)), np.float32)
        estimate = to_planes(dihedral(denoised, index, inverse=True) if ensemble else denoised, **place)
        if progress is not None:
            progress(index + 1, iterations)
    if levels[-1] > sigma:  # the schedule stopped above the noise level: one more data step fits the data again
        estimate = data(estimate, lam * (sigma / levels[-1]) ** 2)
    return np.ascontiguousarray(from_planes(estimate, observation.image.ndim))


__all__ = ["DEFAULT_LAM", "MIN_SIGMA", "PNP_TASKS", "Denoiser", "Progress", "dihedral", "hqs", "noise_schedule"]
