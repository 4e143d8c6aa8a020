"""Plug-and-play HQS methods: one solver (:mod:`restore_core.pnp`), classical or learned priors.

``pnp_tv`` and ``pnp_bm3d`` are the classical counterparts of ``pnp_unet``: the
same forward model, data step and noise schedule, only the denoiser differs, so
the benchmark isolates the value of the learned prior. ``wiener_unet`` is the
two-stage "deconvolve then denoise" baseline.
"""

from __future__ import annotations

import numpy as np

from ..observation import Observation
from ..pnp import DEFAULT_LAM, PNP_TASKS, Denoiser, Progress, hqs
from ..registry import DEVICE_PARAM, Param, register
from ..tasks import TASK_REGISTRY
from ..tuned import tuned_setting
from .deconvolution import auto_balance, wiener, wiener_noise_gain
from .denoising import bm3d_denoise, noise_level, tv_denoise
from .learned import PRECISION_PARAM, TILE, colour_prior_param, shipped, unet_denoise

TASKS = PNP_TASKS
_DEFAULTS = {TASK_REGISTRY[name].label.lower(): TASK_REGISTRY[name].pnp for name in TASKS}
SOLVER_PARAMS = (
    Param("iterations", None, "int", low=1, high=200,
          help="HQS iterations; automatic: "
          + ", ".join(f"{pnp.iterations} for {label}" for label, pnp in _DEFAULTS.items())),
    Param("lam", DEFAULT_LAM, low=0.01, high=10.0, log=True, help="prior weight λ (ρ_k = λ σ² / σ_k²)"),
    Param("sigma_start", 49.0, low=1.0, high=100.0, help="denoiser level of the first iteration (0–255)"),
    Param("sigma_end", None, low=0.1, high=100.0,
          help="denoiser level of the last iteration (0–255); automatic: the noise level, "
          + ", ".join(f"at least {pnp.sigma_floor:g} for {label}" for label, pnp in _DEFAULTS.items())),
)  # fmt: skip
_ENSEMBLE = Param("ensemble", True, "bool", help="denoise a different flip/rotation at each iteration")
#: Colour priors chosen on training images by ``python -m tools.tune_pnp --setting colour_prior --color --write``
#: (``restore_core/tuned.json``; 8 BSDS400 crops, deblurring with 6 synthetic kernels at sigma 2.55 and 7.65,
#: inpainting 50% and 80%: the gray model on opponent channels gave PnP 0.24 dB more in deblurring and 0.21 dB
#: more in inpainting; the colour model gave the Wiener two-stage method 0.11 dB more). Chroma at half
#: resolution (``"opponent_half"``) matched full-resolution chroma there (28.930 / 29.211 dB against 28.929 /
#: 29.228 mean deblurring / inpainting, 61% of the time, 2026-12-03), but lost 0.26 / 0.07 dB on CBSD68 with
#: the Levin kernels (the ``deblur-cbsd68-levin`` suite entry), so it is a choice, not the default.
PNP_COLOUR_PRIOR = tuned_setting("pnp_unet", "colour_prior")
#: Above this denoiser level (0–255) the opponent prior denoises chroma at half resolution: the early,
#: strong prior steps smooth fine chroma detail away anyway, and the late ones restore it at full
#: resolution. Chosen on whole training photos by ``python -m tools.tune_pnp --setting chroma_half_above
#: --color --side 0 --images 3 --within 0.02 --write`` (``restore_core/tuned.json``).
CHROMA_HALF_ABOVE = tuned_setting("pnp_unet", "chroma_half_above")
#: Tile side of the plug-and-play prior: a photo of up to 1024 pixels a side in one pass. On an 816x1224
#: photo 512-pixel tiles recompute 29% of the pixels in their overlaps; 1024 makes a gray pass 18% faster
#: (1.48 s against 1.81 s, 2 threads, same output to 3e-5) for 0.2 GiB more peak memory.
PRIOR_TILE = 1024
WIENER_COLOUR_PRIOR = tuned_setting("wiener_unet", "colour_prior")


_CHROMA_HALF = Param(
    "chroma_half_above",
    CHROMA_HALF_ABOVE,
    low=0.0,
    high=100.0,
    help="colour prior 'opponent': at denoiser levels above this (0–255) the chroma is denoised at half "
    "resolution (fewer passes; at or above sigma_start: never)",
)


def run_hqs(observation: Observation, denoiser: Denoiser, progress: Progress | None, **settings) -> np.ndarray:
    """HQS with the method's settings (shared by every plug-and-play method)."""
    return hqs(observation, denoiser, progress=progress, **settings)


@register(
    "pnp_tv",
    "PnP-HQS, TV prior",
    "classical",
    TASKS,
    SOLVER_PARAMS,
    description="Half-quadratic splitting with Chambolle TV denoising as the prior step.",
)
def pnp_tv(observation: Observation, progress: Progress | None = None, **settings) -> np.ndarray:
    """Plug-and-play HQS with a TV denoiser."""
    return run_hqs(observation, tv_denoise, progress, **settings)


@register(
    "pnp_bm3d",
    "PnP-HQS, BM3D prior",
    "classical",
    TASKS,
    SOLVER_PARAMS,
    description="Half-quadratic splitting with BM3D / CBM3D as the prior step (slow: one BM3D per iteration).",
)
def pnp_bm3d(observation: Observation, progress: Progress | None = None, **settings) -> np.ndarray:
    """Plug-and-play HQS with a BM3D denoiser."""
    return run_hqs(observation, bm3d_denoise, progress, **settings)


def pnp_unet(
    observation: Observation,
    device: str = "auto",
    precision: str = "float32",
    colour_prior: str = PNP_COLOUR_PRIOR,
    chroma_half_above: float = CHROMA_HALF_ABOVE,
    progress: Progress | None = None,
    **settings,
) -> np.ndarray:
    """Plug-and-play HQS with the learned DeconvUNet denoiser.

    With ``colour_prior="opponent"``, the prior steps at levels above ``chroma_half_above`` run
    ``"opponent_half"`` (chroma at half resolution).
    """

    def prior(image: np.ndarray, sigma: float) -> np.ndarray:
        chosen = "opponent_half" if colour_prior == "opponent" and sigma > chroma_half_above else colour_prior
        return unet_denoise(image, sigma, device, PRIOR_TILE, precision, chosen)

    return run_hqs(
        observation,
        prior,
        progress,
        device=device,
        **settings,
    )


def wiener_unet(
    observation: Observation,
    balance_scale: float = tuned_setting("wiener_unet", "balance_scale"),
    noise_scale: float = tuned_setting("wiener_unet", "noise_scale"),
    device: str = "auto",
    precision: str = "float32",
    colour_prior: str = WIENER_COLOUR_PRIOR,
) -> np.ndarray:
    """Wiener deconvolution, then the learned denoiser at the noise level the filter leaves.

    The Wiener balance is ``balance_scale`` times the automatic one (the denoiser removes
    the noise a lighter regulariser lets through); the denoiser level is ``noise_scale``
    times the exact output level of white input noise (:func:`wiener_noise_gain`), the
    margin covering the filter's coloured noise and ringing. Both factors are measured
    on training images by ``python -m tools.tune_pnp --method wiener_unet``.
    """
    sigma = noise_level(observation)
    balance = balance_scale * auto_balance(sigma)
    deconvolved = wiener(observation, balance)
    level = noise_scale * sigma * wiener_noise_gain(observation.kernel, deconvolved.shape[:2], balance)
    return unet_denoise(deconvolved, level, device, TILE, precision, colour_prior)


if shipped("unet_gray", "unet_color"):
    register(
        "pnp_unet",
        "PnP-HQS, DeconvUNet prior (learned)",
        "learned",
        TASKS,
        (*SOLVER_PARAMS, _ENSEMBLE, colour_prior_param(PNP_COLOUR_PRIOR), _CHROMA_HALF, DEVICE_PARAM, PRECISION_PARAM),
        description="Half-quadratic splitting with the learned noise-conditioned DeconvUNet as the prior "
        "step (DPIR-style schedule).",
    )(pnp_unet)
    register(
        "wiener_unet",
        "Wiener + DeconvUNet (learned)",
        "learned",
        ["deblur"],
        [
            Param(
                "balance_scale",
                tuned_setting("wiener_unet", "balance_scale"),
                low=0.01,
                high=10.0,
                log=True,
                help="Wiener balance as a multiple of the automatic one",
            ),
            Param(
                "noise_scale",
                tuned_setting("wiener_unet", "noise_scale"),
                low=0.1,
                high=5.0,
                help="denoiser level as a multiple of the noise level the Wiener filter leaves",
            ),
            colour_prior_param(WIENER_COLOUR_PRIOR),
            DEVICE_PARAM,
            PRECISION_PARAM,
        ],
        description="Two stages: Wiener deconvolution, then the learned denoiser at the residual noise level "
        "of the Wiener filter.",
    )(wiener_unet)
