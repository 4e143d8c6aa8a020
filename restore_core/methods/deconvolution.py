"""Classical non-blind deconvolution: Wiener, unsupervised Wiener, Richardson–Lucy and TV.

All methods run on the grid of :func:`restore_core.boundary.extend_for_fft`, so a
circular observation is solved exactly and a 'reflect' or 'valid' one without
ringing from the image borders. Colour images are processed channel by channel
(scikit-image's deconvolution functions are gray-only).

The automatic strengths (Wiener balance, Richardson–Lucy iterations, TV weight)
are power laws of the noise level fitted on training images by
``python -m tools.tune_classical`` (see its docstring); test sets are never used.
"""

from __future__ import annotations

import numpy as np
import torch
from skimage import restoration
from skimage.restoration import uft

from ..boundary import extend_for_fft
from ..device import get_device
from ..fourier import circular_convolve, otf
from ..observation import Observation
from ..operators import per_channel, psf2otf
from ..registry import DEVICE_PARAM, Param, register
from ..tuned import tuned_rule
from .denoising import noise_level


def auto_balance(sigma: float) -> float:
    """Wiener balance (Laplacian regulariser) for a noise level on the 0–255 scale (fitted: ``tuned.json``)."""
    return tuned_rule("auto_balance")(sigma)


def auto_rl_iterations(sigma: float) -> int:
    """Richardson–Lucy iteration count: fewer iterations (stronger regularisation) for more noise (fitted)."""
    return int(tuned_rule("auto_rl_iterations")(sigma))


def auto_tv_weight(sigma: float) -> float:
    """Weight of the TV term of :func:`tv_deconvolution` for a noise level on the 0–255 scale (fitted)."""
    return tuned_rule("auto_tv_weight")(sigma)


def wiener_noise_gain(kernel: np.ndarray, shape: tuple[int, int], balance: float) -> float:
    """Factor by which :func:`wiener` scales the level of white noise.

    The Wiener–Hunt filter ``W = conj(H) / (|H|² + balance |L|²)`` (``L`` the Laplacian)
    turns white noise of level σ into coloured noise of level ``σ sqrt(mean |W|²)``
    (Parseval), evaluated here on a ``shape`` frequency grid.
    """
    transfer = psf2otf(kernel, shape)
    regulariser, _ = uft.laplacian(2, shape, is_real=False)
    response = np.conj(transfer) / (np.abs(transfer) ** 2 + balance * np.abs(regulariser) ** 2)
    return float(np.sqrt(np.mean(np.abs(response) ** 2)))


def _deconvolve(observation: Observation, solve_plane) -> np.ndarray:
    """Run ``solve_plane(plane)`` on each channel of the FFT grid and crop back to the clean support."""
    image, crop = extend_for_fft(observation)
    return per_channel(solve_plane, image)[crop]


@register(
    "wiener",
    "Wiener",
    "classical",
    ["deblur"],
    [
        Param(
            "balance",
            None,
            low=1e-6,
            high=10.0,
            log=True,
            help="regularisation strength; automatic from the noise level",
        )
    ],
    description="Wiener–Hunt deconvolution with a Laplacian regulariser (scikit-image).",
)
def wiener(observation: Observation, balance: float | None = None) -> np.ndarray:
    """Wiener–Hunt deconvolution (:func:`skimage.restoration.wiener`), balance automatic from the noise level.

    References
    ----------
    .. [1] B. R. Hunt, "A matrix theory proof of the discrete convolution theorem", IEEE Transactions
           on Audio and Electroacoustics 19(4), 1971.
    .. [2] F. Orieux, J.-F. Giovannelli and T. Rodet, "Bayesian estimation of regularization and point
           spread function parameters for Wiener–Hunt deconvolution", JOSA A 27(7), 2010.

    Examples
    --------
    >>> import restore_core as rc
    >>> from skimage.data import camera
    >>> clean = rc.to_float(camera())[::2, ::2]
    >>> observation = rc.degrade(clean, "deblur", kernel=rc.motion_kernel(9, 30), sigma=2.55, seed=0)
    >>> gain = rc.psnr(clean, rc.restore(observation, "wiener")) - rc.psnr(clean, observation.image)
    >>> bool(gain > 3)
    True
    """
    balance = auto_balance(noise_level(observation)) if balance is None else balance
    return _deconvolve(observation, lambda plane: restoration.wiener(plane, observation.kernel, balance, clip=False))


@register(
    "unsupervised_wiener",
    "Unsupervised Wiener",
    "classical",
    ["deblur"],
    [Param("max_num_iter", 200, kind="int", low=30, high=2000, help="maximum Gibbs-sampler iterations")],
    description="Wiener–Hunt deconvolution with the regularisation estimated by a Gibbs sampler (scikit-image).",
)
def unsupervised_wiener(observation: Observation, max_num_iter: int = 200) -> np.ndarray:
    """Self-tuned Wiener–Hunt deconvolution (:func:`skimage.restoration.unsupervised_wiener`), seeded.

    References
    ----------
    .. [1] F. Orieux, J.-F. Giovannelli and T. Rodet, "Bayesian estimation of regularization and point
           spread function parameters for Wiener–Hunt deconvolution", JOSA A 27(7), 2010.
    """
    seed = 0 if observation.seed is None else observation.seed
    params = {"max_num_iter": max_num_iter, "min_num_iter": min(30, max_num_iter)}

    def solve(plane: np.ndarray) -> np.ndarray:
        estimate, _ = restoration.unsupervised_wiener(
            plane, observation.kernel, user_params=params, clip=False, rng=np.random.default_rng(seed)
        )
        return estimate

    return _deconvolve(observation, solve)


#: Floor of the blurred estimate in the Richardson–Lucy ratio (a zero there would divide by zero).
RL_FLOOR = 1e-6


def richardson_lucy_periodic(
    blurred: np.ndarray, kernel: np.ndarray, num_iter: int, device: str = "auto"
) -> np.ndarray:
    """Richardson–Lucy iterations for a circular blur, all channels at once, in torch.

    ``x ← x · Kᵀ(y / Kx)`` from a flat image (so the first iterate is ``Kᵀy``), with ``K`` the
    circular convolution (products of real FFTs) and ``y`` clipped to be non-negative: the
    multiplicative update keeps the estimate non-negative and, for a kernel summing to 1, its total
    intensity.

    Parameters
    ----------
    blurred : ndarray
        The periodic observation ``y``, HxW or HxWxC.
    kernel : ndarray
        Blur kernel, centred at ``(kh // 2, kw // 2)``.
    num_iter : int
        Iterations (the regularisation: fewer for more noise).
    device : {'auto', 'cpu', 'cuda'}
        Where the FFTs run.

    Returns
    -------
    ndarray
        The deconvolved image, float32, shaped like ``blurred``.
    """
    torch_device = get_device(device)
    planes = np.moveaxis(np.atleast_3d(np.clip(blurred, 0.0, None)), -1, 0)
    observed = torch.as_tensor(np.ascontiguousarray(planes), dtype=torch.float32, device=torch_device)
    transfer = otf(torch.as_tensor(kernel, dtype=torch.float32, device=torch_device), tuple(observed.shape[-2:]))
    estimate = observed.mean(dim=(-2, -1), keepdim=True).clamp_min(RL_FLOOR).expand_as(observed)
    for _ in range(num_iter):
        ratio = observed / circular_convolve(estimate, transfer).clamp_min(RL_FLOOR)
        estimate = estimate * circular_convolve(ratio, transfer, adjoint=True).clamp_min(0.0)
    return np.moveaxis(estimate.cpu().numpy(), 0, -1).reshape(blurred.shape)


@register(
    "richardson_lucy",
    "Richardson–Lucy",
    "classical",
    ["deblur"],
    [
        Param(
            "num_iter",
            None,
            kind="int",
            low=1,
            high=1000,
            help="iterations (more = sharper and noisier); automatic from the noise level",
        ),
        DEVICE_PARAM,
    ],
    description="Richardson–Lucy maximum-likelihood deconvolution by FFT in torch (exact for a circular blur).",
)
def richardson_lucy(observation: Observation, num_iter: int | None = None, device: str = "auto") -> np.ndarray:
    """Richardson–Lucy deconvolution (:func:`richardson_lucy_periodic`).

    Exact for a circular blur; a 'reflect' or 'valid' observation is first extended by
    :func:`restore_core.boundary.extend_for_fft` (mirrored, tapered) and cropped afterwards.

    References
    ----------
    .. [1] W. H. Richardson, "Bayesian-based iterative method of image restoration", JOSA 62(1), 1972.
    .. [2] L. B. Lucy, "An iterative technique for the rectification of observed distributions",
           The Astronomical Journal 79(6), 1974.

    Examples
    --------
    >>> import restore_core as rc
    >>> from skimage.data import camera
    >>> clean = rc.to_float(camera())[::2, ::2]
    >>> observation = rc.degrade(clean, "deblur", kernel=rc.gaussian_kernel(1.6), sigma=1.0, seed=0)
    >>> bool(rc.psnr(clean, rc.restore(observation, "richardson_lucy")) > rc.psnr(clean, observation.image))
    True
    """
    num_iter = auto_rl_iterations(noise_level(observation)) if num_iter is None else num_iter
    image, crop = extend_for_fft(observation)
    return richardson_lucy_periodic(image, observation.kernel, num_iter, device)[crop]


def tv_deconvolution(
    blurred: np.ndarray, kernel: np.ndarray, weight: float, num_iter: int = 100, device: str = "auto"
) -> np.ndarray:
    """Isotropic total-variation deconvolution of a periodic image by ADMM, all channels at once, in torch.

    Minimises ``0.5 * ||k * x - y||^2 + weight * sum |grad x|`` with the split
    ``z = grad x``; the x-step is solved exactly in the Fourier domain [2]_ and the
    z-step by isotropic shrinkage, as in the TV model of Rudin, Osher and Fatemi [1]_.
    Real FFTs in float64 (CUDA when present); a colour image's channels share the gradient magnitude
    of their own plane (channel by channel TV).

    References
    ----------
    .. [1] L. I. Rudin, S. Osher and E. Fatemi, "Nonlinear total variation based noise removal
           algorithms", Physica D 60, 1992.
    .. [2] S. Boyd, N. Parikh, E. Chu, B. Peleato and J. Eckstein, "Distributed optimization and
           statistical learning via the alternating direction method of multipliers", Foundations and
           Trends in Machine Learning 3(1), 2011.

    Parameters
    ----------
    blurred : ndarray
        The periodic observation ``y`` (circular blur), HxW or HxWxC.
    kernel : ndarray
        Blur kernel, centred at ``(kh // 2, kw // 2)``.
    weight : float
        TV weight (for images in ``[0, 1]``).
    num_iter : int
        ADMM iterations.
    device : {'auto', 'cpu', 'cuda'}
        Where the FFTs run.

    Returns
    -------
    ndarray
        The deconvolved image, shaped like ``blurred``.
    """
    torch_device = get_device(device)
    planes = np.moveaxis(np.atleast_3d(blurred), -1, 0)
    observed = torch.as_tensor(np.ascontiguousarray(planes), dtype=torch.float64, device=torch_device)
    shape = tuple(observed.shape[-2:])

    def transfer(array: list) -> torch.Tensor:
        return otf(torch.tensor(array, dtype=torch.float64, device=torch_device), shape)

    rho = 10.0 * weight
    blur, differences = transfer(kernel.tolist()), torch.stack([transfer([[0.0, -1.0, 1.0]]),
                                                                transfer([[0.0], [-1.0], [1.0]])])  # fmt: skip
    numerator = blur.conj() * torch.fft.rfft2(observed)
    denominator = blur.abs() ** 2 + rho * (differences.abs() ** 2).sum(dim=0)
    z = torch.zeros((2, *observed.shape), dtype=torch.float64, device=torch_device)
    dual = torch.zeros_like(z)
    spectrum = numerator
    for _ in range(num_iter):
        target = (differences.conj()[:, None] * torch.fft.rfft2(z - dual)).sum(dim=0)
        spectrum = (numerator + rho * target) / denominator
        shifted = torch.fft.irfft2(differences[:, None] * spectrum, s=shape) + dual
        magnitude = shifted.square().sum(dim=0, keepdim=True).sqrt()
        z = shifted * (1.0 - (weight / rho) / magnitude.clamp_min(1e-12)).clamp_min(0.0)
        dual = shifted - z
    estimate = torch.fft.irfft2(spectrum, s=shape)
    return np.moveaxis(estimate.cpu().numpy(), 0, -1).reshape(blurred.shape)


@register(
    "tv_deconv",
    "TV deconvolution",
    "classical",
    ["deblur"],
    [
        Param("weight", None, low=1e-6, high=1.0, log=True, help="TV weight; automatic from the noise level"),
        Param("num_iter", 100, kind="int", low=10, high=1000, help="ADMM iterations"),
        DEVICE_PARAM,
    ],
    description="Total-variation regularised deconvolution solved by ADMM with an exact FFT data step (torch).",
)
def tv_deconv(
    observation: Observation, weight: float | None = None, num_iter: int = 100, device: str = "auto"
) -> np.ndarray:
    """TV-regularised deconvolution (see :func:`tv_deconvolution`) on the grid of :func:`extend_for_fft`."""
    weight = auto_tv_weight(noise_level(observation)) if weight is None else weight
    image, crop = extend_for_fft(observation)
    return tv_deconvolution(image, observation.kernel, weight, num_iter, device)[crop]
