"""Classical non-blind deconvolution: Wiener, unsupervised Wiener, Richardson–Lucy and TV.

All of them compute in torch, every channel of a colour image at once (each deconvolved on its
own), on the CPU or on CUDA when present (``device``). Richardson–Lucy iterates on the
observation's exact blur operator (circular, reflect or valid: :mod:`restore_core.operators`);
the Fourier-domain methods (Wiener, unsupervised Wiener, TV) solve a circular observation exactly
and a 'reflect' or 'valid' one on the grid of :func:`restore_core.boundary.extend_for_fft`, without
ringing from the image borders.

The automatic strengths (Wiener balance, Richardson–Lucy iterations and RL-TV weight, TV weight)
are power laws of the noise level fitted on training images by
``python -m tools.tune_classical`` (see its docstring); test sets are never used.
"""

from __future__ import annotations

import numpy as np
import torch

from ..boundary import extend_for_fft
from ..convert import from_planes, to_planes
from ..device import get_device
from ..fourier import otf
from ..observation import Observation
from ..operators import Blur
from ..registry import DEVICE_PARAM, Param, register
from ..tuned import tuned_rule
from .denoising import noise_level


def auto_balance(sigma: float) -> float:
    """Wiener balance (Laplacian regulariser) for a noise level on the 0–255 scale (fitted: ``tuned.json``)."""
    return tuned_rule("auto_balance")(sigma)


def auto_rl_iterations(sigma: float) -> int:
    """Richardson–Lucy iteration count: fewer iterations (stronger regularisation) for more noise (fitted)."""
    return int(tuned_rule("auto_rl_iterations")(sigma))


def auto_rl_tv_weight(sigma: float) -> float:
    """Weight of the TV term of regularised Richardson–Lucy for a noise level on the 0–255 scale (fitted)."""
    return tuned_rule("auto_rl_tv_weight")(sigma)


def auto_tv_weight(sigma: float) -> float:
    """Weight of the TV term of :func:`tv_deconvolution` for a noise level on the 0–255 scale (fitted)."""
    return tuned_rule("auto_tv_weight")(sigma)


#: The Laplacian the Wiener–Hunt filter regularises with (as :func:`skimage.restoration.uft.laplacian`).
LAPLACIAN = ((0.0, -1.0, 0.0), (-1.0, 4.0, -1.0), (0.0, -1.0, 0.0))


def wiener_transfers(
    kernel: np.ndarray, shape: tuple[int, int], device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """The real-FFT transfer functions ``H`` of the kernel and ``L`` of the Laplacian on a ``shape`` grid (float64).

    Both are centred as :func:`restore_core.fourier.otf` does (and scikit-image's ``uft.ir2tf``).
    """
    transfer = otf(torch.as_tensor(kernel, dtype=torch.float64, device=device), shape)
    return transfer, otf(torch.tensor(LAPLACIAN, dtype=torch.float64, device=device), shape)


def wiener_filter(kernel: np.ndarray, shape: tuple[int, int], balance: float, device: torch.device) -> torch.Tensor:
    """The Wiener–Hunt filter ``W = conj(H) / (|H|² + balance |L|²)`` on a ``shape`` real-FFT grid, in float64."""
    transfer, regulariser = wiener_transfers(kernel, shape, device)
    return transfer.conj() / (transfer.abs().square() + balance * regulariser.abs().square())


def half_spectrum_sum(power: torch.Tensor, width: int) -> torch.Tensor:
    """Sum of a real image's power spectrum over the full grid, from its real-FFT half (last two axes).

    The half grid of ``rfft2`` stands for its mirrored columns too (all but the first and, for an even
    ``width``, the last), so those count twice (Parseval).
    """
    mirrored = power[..., 1 : (width + 1) // 2]
    return power.sum(dim=(-2, -1)) + mirrored.sum(dim=(-2, -1))


def wiener_noise_gain(kernel: np.ndarray, shape: tuple[int, int], balance: float) -> float:
    """Factor by which :func:`wiener` scales the level of white noise.

    The Wiener–Hunt filter :func:`wiener_filter` turns white noise of level σ into coloured noise of
    level ``σ sqrt(mean |W|²)`` (Parseval over the full spectrum), evaluated here on a ``shape``
    frequency grid.
    """
    power = wiener_filter(kernel, tuple(shape), balance, torch.device("cpu")).abs().square()
    return float(torch.sqrt(half_spectrum_sum(power, shape[1]) / (shape[0] * shape[1])))


def wiener_deconvolution(blurred: np.ndarray, kernel: np.ndarray, balance: float, device: str = "auto") -> np.ndarray:
    """Wiener–Hunt deconvolution of a periodic image, all channels at once, in torch (float64).

    The same filter as :func:`skimage.restoration.wiener` (which it equals to rounding), applied
    as a product of real FFTs on the CPU or CUDA.

    Parameters
    ----------
    blurred : ndarray
        The periodic observation, HxW or HxWxC.
    kernel : ndarray
        Blur kernel, centred at ``(kh // 2, kw // 2)``.
    balance : float
        Weight of the Laplacian regulariser.
    device : {'auto', 'cpu', 'cuda'}
        Where the FFTs run.

    Returns
    -------
    ndarray
        The deconvolved image, float64, shaped like ``blurred``.
    """
    torch_device = get_device(device)
    observed = to_planes(blurred, torch_device, torch.float64)
    shape = tuple(observed.shape[-2:])
    spectrum = wiener_filter(kernel, shape, balance, torch_device) * torch.fft.rfft2(observed)
    return from_planes(torch.fft.irfft2(spectrum, s=shape), blurred.ndim)


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
        ),
        DEVICE_PARAM,
    ],
    description="Wiener–Hunt deconvolution with a Laplacian regulariser (scikit-image's filter, in torch).",
)
def wiener(observation: Observation, balance: float | None = None, device: str = "auto") -> np.ndarray:
    """Wiener–Hunt deconvolution (:func:`wiener_deconvolution`), balance automatic from the noise level.

    Runs on the grid of :func:`restore_core.boundary.extend_for_fft` and is cropped back to the clean support.

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
    image, crop = extend_for_fft(observation)
    return wiener_deconvolution(image, observation.kernel, balance, device)[crop]


def _quadratic_norm(spectrum: torch.Tensor, width: int) -> np.ndarray:
    """``||x||²`` per leading index of images given by their unitary real FFT."""
    return half_spectrum_sum(torch.view_as_real(spectrum).square().sum(dim=-1), width).cpu().numpy()


def unsupervised_wiener_deconvolution(
    blurred: np.ndarray,
    kernel: np.ndarray,
    max_num_iter: int = 200,
    min_num_iter: int = 30,
    seed: int = 0,
    device: str = "auto",
    threshold: float = 1e-4,
    burnin: int = 15,
) -> np.ndarray:
    """Wiener–Hunt deconvolution with its regularisation sampled by Gibbs sampling, in torch (float64).

    The sampler of Orieux et al. [1]_ as :func:`skimage.restoration.unsupervised_wiener` runs it,
    every channel an independent chain, all at once on the CPU or CUDA: the image is drawn from its
    Gaussian posterior in Fourier space, then the noise and prior precisions from their Gamma
    posteriors; the estimate is the mean of the image draws after ``burnin``, stopped once every
    channel's mean moves by less than ``threshold`` (after ``min_num_iter``) or at ``max_num_iter``.
    The Gaussian draws come from a torch generator on the device (in float32, several times faster
    than float64 on the CPU) and the Gamma draws from a NumPy one, both seeded by ``seed``.

    Parameters
    ----------
    blurred : ndarray
        The periodic observation, HxW or HxWxC.
    kernel : ndarray
        Blur kernel, centred at ``(kh // 2, kw // 2)``.
    max_num_iter, min_num_iter : int
        Most and fewest Gibbs iterations.
    seed : int
        Seed of the draws.
    device : {'auto', 'cpu', 'cuda'}
        Where the FFTs and draws run.
    threshold : float
        Relative change of the posterior mean that stops the sampler.
    burnin : int
        Iterations left out of the mean.

    Returns
    -------
    ndarray
        The posterior-mean image, float64, shaped like ``blurred``.
    """
    torch_device = get_device(device)
    observed = to_planes(np.atleast_3d(blurred), torch_device, torch.float64)
    shape, size = tuple(observed.shape[-2:]), observed.shape[-2] * observed.shape[-1]
    transfer, regulariser = wiener_transfers(kernel, shape, torch_device)
    transfer_power, regulariser_power = transfer.abs().square(), regulariser.abs().square()
    data = torch.fft.rfft2(observed, norm="ortho")
    filtered_data = transfer.conj() * data
    rng, generator = np.random.default_rng(seed), torch.Generator(device=torch_device).manual_seed(seed)
    channels = observed.shape[0]
    noise_precision, prior_precision = np.ones(channels), np.ones(channels)
    total = torch.zeros_like(data)
    delta = np.full(channels, np.inf)
    for iteration in range(max_num_iter):
        gn = torch.as_tensor(noise_precision, device=torch_device)[:, None, None]
        gx = torch.as_tensor(prior_precision, device=torch_device)[:, None, None]
        variance = (gn * transfer_power).add_(gx * regulariser_power).reciprocal_()
        # real and imaginary parts of variance 1/(2 precision); float32 draws are several times faster on the CPU
        draws = torch.randn((*data.shape, 2), generator=generator, dtype=torch.float32, device=torch_device)
        sample = torch.view_as_complex(draws) * variance.mul(0.5).sqrt_()
        sample.add_(filtered_data * (gn * variance))
        noise_precision = rng.gamma(size / 2, 2 / _quadratic_norm(data - sample * transfer, shape[1]))
        prior_precision = rng.gamma((size - 1) / 2, 2 / _quadratic_norm(sample * regulariser, shape[1]))
        if iteration > burnin:
            count = iteration - burnin
            if count > 1:  # the mean moves by (sample - previous mean) / count
                change = (sample - total / (count - 1)).abs().sum(dim=(-2, -1)) / count
                total.add_(sample)
                delta = (change / total.abs().sum(dim=(-2, -1)) / count).cpu().numpy()
            else:
                total.add_(sample)
        if iteration > min_num_iter and (delta < threshold).all():
            break
    mean = torch.fft.irfft2(total / (iteration - burnin), s=shape, norm="ortho")
    return from_planes(mean, 3).reshape(blurred.shape)


@register(
    "unsupervised_wiener",
    "Unsupervised Wiener",
    "classical",
    ["deblur"],
    [
        Param("max_num_iter", 200, kind="int", low=30, high=2000, help="maximum Gibbs-sampler iterations"),
        DEVICE_PARAM,
    ],
    description="Wiener–Hunt deconvolution with the regularisation estimated by a Gibbs sampler "
    "(scikit-image's sampler, in torch).",
)
def unsupervised_wiener(observation: Observation, max_num_iter: int = 200, device: str = "auto") -> np.ndarray:
    """Self-tuned Wiener–Hunt deconvolution (:func:`unsupervised_wiener_deconvolution`), seeded by the observation.

    Runs on the grid of :func:`restore_core.boundary.extend_for_fft` and is cropped back to the clean support.

    References
    ----------
    .. [1] F. Orieux, J.-F. Giovannelli and T. Rodet, "Bayesian estimation of regularization and point
           spread function parameters for Wiener–Hunt deconvolution", JOSA A 27(7), 2010.
    """
    seed = 0 if observation.seed is None else observation.seed
    image, crop = extend_for_fft(observation)
    estimate = unsupervised_wiener_deconvolution(
        image, observation.kernel, max_num_iter, min(30, max_num_iter), seed=seed, device=device
    )
    return estimate[crop]


#: Floor of the blurred estimate in the Richardson–Lucy ratio (a zero there would divide by zero).
RL_FLOOR = 1e-6
#: Least share of a pixel's blur that must land in a 'valid' observation for Richardson–Lucy to update it.
#: Pixels seen less (the outer band of a 'valid' crop) keep the nearest observed value: updating them
#: diverges, as their little weight in ``A x`` lets them grow without bound. Chosen with
#: ``python -m tools.tune_rl_support --data-root DIR`` on training images, with the automatic iterations and
#: RL-TV weight (optima 0.1–0.2 at σ 2.55, 0.3 at σ 7.65; 0.2 and 0.3 are within 0.03 dB of the best at both).
RL_MIN_SUPPORT = 0.25
#: Smoothing of the gradient magnitude in the curvature of RL-TV (for images in ``[0, 1]``).
RL_TV_EPSILON = 1e-3
#: Largest RL-TV weight: with ``|div(∇x / |∇x|)| <= 4`` the update's denominator stays at least 0.6.
RL_TV_MAX_WEIGHT = 0.1


def tv_curvature(image: torch.Tensor, epsilon: float = RL_TV_EPSILON) -> torch.Tensor:
    """``div(∇x / |∇x|_ε)`` of a ``(..., H, W)`` tensor, with Neumann (replicated-border) differences.

    The derivative of the isotropic total variation ``sum |∇x|_ε`` is minus this curvature.
    """
    dx, dy = torch.zeros_like(image), torch.zeros_like(image)
    torch.sub(image[..., :, 1:], image[..., :, :-1], out=dx[..., :, :-1])
    torch.sub(image[..., 1:, :], image[..., :-1, :], out=dy[..., :-1, :])
    magnitude = (dx.square() + dy.square()).add_(epsilon**2).sqrt_()
    dx.div_(magnitude)
    dy.div_(magnitude)
    curvature = dx + dy
    curvature[..., :, 1:] -= dx[..., :, :-1]
    curvature[..., 1:, :] -= dy[..., :-1, :]
    return curvature


def richardson_lucy_deconvolution(
    blurred: np.ndarray,
    kernel: np.ndarray,
    num_iter: int,
    boundary: str = "circular",
    device: str = "auto",
    min_support: float = RL_MIN_SUPPORT,
    tv_weight: float = 0.0,
    accelerate: bool = True,
) -> np.ndarray:
    """Richardson–Lucy iterations on the exact blur model, all channels at once, in torch.

    ``x ← x · Aᵀ(y / A x) / Aᵀ1`` from a flat image, with ``A`` the blur under its boundary model
    (:class:`restore_core.operators.Blur`: FFTs for the circular model; mirror padding and its
    folding adjoint for 'reflect'; the cropped convolution and its zero-filling adjoint for 'valid')
    and ``y`` clipped to be non-negative. ``Aᵀ1`` is 1 for a circular blur; at the borders of the other
    models it normalises each update into a weighted mean of ratios (Bertero and Boccacci [3]_).
    Pixels with ``Aᵀ1 <= min_support`` (only at the border of a 'valid' observation) are not updated
    and keep the nearest observed value. The multiplicative update keeps the estimate non-negative
    and, without regularisation, each iteration increases the Poisson likelihood of ``y``.

    With ``tv_weight`` λ > 0 the update is divided by ``1 - λ div(∇x / |∇x|)`` (RL-TV, Dey et al.
    [4]_): the multiplicative step of the likelihood penalised by λ times the total variation, which
    lets the iterations run longer before noise takes over.

    ``accelerate`` applies each update at the point extrapolated along the last step by the
    vector extrapolation of Biggs and Andrews [5]_ (as MATLAB's ``deconvlucy``): the factor is the
    correlation of the last two steps, clipped to [0, 1], per channel; it reaches a given
    likelihood in about half the iterations.

    Parameters
    ----------
    blurred : ndarray
        The observation ``y``, HxW or HxWxC.
    kernel : ndarray
        Blur kernel, centred at ``(kh // 2, kw // 2)``.
    num_iter : int
        Iterations (the regularisation: fewer for more noise).
    boundary : {'circular', 'reflect', 'valid'}
        The blur's boundary model.
    device : {'auto', 'cpu', 'cuda'}
        Where the FFTs run.
    min_support : float
        Least ``Aᵀ1`` of an updated pixel (see :data:`RL_MIN_SUPPORT`).
    tv_weight : float
        RL-TV weight λ, from 0 (plain Richardson–Lucy) to :data:`RL_TV_MAX_WEIGHT`.
    accelerate : bool
        Biggs–Andrews acceleration (False: the textbook iteration).

    Returns
    -------
    ndarray
        The deconvolved image, float32: shaped like ``blurred``, larger by ``kernel.shape - 1`` for 'valid'.

    References
    ----------
    .. [3] M. Bertero and P. Boccacci, "A simple method for the reduction of boundary effects in the
           Richardson-Lucy approach to image deconvolution", Astronomy & Astrophysics 437, 2005.
    .. [4] N. Dey, L. Blanc-Féraud, C. Zimmer, P. Roux, Z. Kam, J.-C. Olivo-Marin and J. Zerubia,
           "Richardson–Lucy algorithm with total variation regularization for 3D confocal microscope
           deconvolution", Microscopy Research and Technique 69(4), 2006.
    .. [5] D. S. C. Biggs and M. Andrews, "Acceleration of iterative image restoration algorithms",
           Applied Optics 36(8), 1997.
    """
    operator = Blur(kernel, boundary)
    clipped = np.clip(blurred, 0.0, None)
    observed = to_planes(clipped, get_device(device), torch.float32)
    level = observed.mean(dim=(-2, -1), keepdim=True).clamp_min(RL_FLOOR)
    normaliser, updated = None, None
    estimate = level.expand_as(observed)
    if boundary != "circular":  # a circular blur's Aᵀ1 is 1 everywhere
        normaliser = operator.apply_adjoint(torch.ones_like(observed))
        updated = normaliser > min_support
        normaliser = torch.where(updated, normaliser, 1.0)
        if boundary == "valid":  # the nearest observed value where nothing is updated
            clipped = np.pad(clipped, [*operator.padding, *[(0, 0)] * (clipped.ndim - 2)], mode="edge")
        fixed = to_planes(clipped, observed.device, torch.float32).clamp_min(RL_FLOOR)
        estimate = torch.where(updated, level, fixed)
    estimate = estimate.contiguous()
    previous, change, previous_change = estimate, None, None
    for _ in range(num_iter):  # in place where it saves a pass over the image
        point = estimate
        if previous_change is not None:  # Biggs–Andrews: extrapolate along the last step
            overlap = (change * previous_change).sum(dim=(-2, -1), keepdim=True)
            step = (overlap / previous_change.square().sum(dim=(-2, -1), keepdim=True).clamp_min(1e-30)).clamp(0, 1)
            point = (estimate - previous).mul_(step).add_(estimate).clamp_min_(0.0)
        blurred_estimate = operator.apply(point).clamp_min_(RL_FLOOR)
        update = operator.apply_adjoint(torch.div(observed, blurred_estimate, out=blurred_estimate))
        if normaliser is not None:
            update.div_(normaliser)
        update.clamp_min_(0.0)
        if tv_weight > 0:
            update.div_(tv_curvature(point).mul_(-tv_weight).add_(1.0))
        if updated is not None:
            update = torch.where(updated, update, 1.0)
        new_estimate = update.mul_(point)
        if accelerate:
            previous_change, change, previous = change, new_estimate - point, estimate
        estimate = new_estimate
    return from_planes(estimate, blurred.ndim)


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
        Param(
            "tv_weight",
            None,
            low=0.0,
            high=RL_TV_MAX_WEIGHT,
            help="total-variation regularisation (RL-TV); 0 = plain Richardson–Lucy; automatic from the noise level",
        ),
        DEVICE_PARAM,
    ],
    description="Richardson–Lucy maximum-likelihood deconvolution with TV regularisation (RL-TV) on the exact "
    "blur model of each boundary, in torch.",
)
def richardson_lucy(
    observation: Observation, num_iter: int | None = None, tv_weight: float | None = None, device: str = "auto"
) -> np.ndarray:
    """Richardson–Lucy deconvolution (:func:`richardson_lucy_deconvolution`) on the observation's own blur model.

    The iteration count and the RL-TV weight are automatic from the noise level (rules fitted on
    training images by ``python -m tools.tune_classical --rules rl_tv,rl``) unless given.

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
    sigma = noise_level(observation)
    num_iter = auto_rl_iterations(sigma) if num_iter is None else num_iter
    tv_weight = auto_rl_tv_weight(sigma) if tv_weight is None else tv_weight
    return richardson_lucy_deconvolution(
        observation.image, observation.kernel, num_iter, observation.boundary, device, tv_weight=tv_weight
    )


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
    observed = to_planes(np.atleast_3d(blurred), torch_device, torch.float64)
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
    return from_planes(estimate, 3).reshape(blurred.shape)


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
