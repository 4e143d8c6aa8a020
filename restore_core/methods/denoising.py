"""Classical denoisers: TV (Chambolle), wavelet shrinkage, non-local means and BM3D / CBM3D.

Every denoiser takes the noise level from the observation (0–255 scale) or, when
it is unknown (a real photo), estimates it with
:func:`restore_core.noise.estimate_noise_sigma`.
"""

from __future__ import annotations

import numpy as np
from skimage import restoration

from ..noise_function import NoiseFunction, estimate_noise_function
from ..observation import Observation
from ..registry import Param, register
from ..tuned import tuned_rule

#: Floor of the noise level (0–255 scale) given to denoisers: a zero level would divide by zero.
_MIN_SIGMA = 0.5


def noise_level(observation: Observation) -> float:
    """The observation's noise level (known or estimated), floored at 0.5 on the 0–255 scale."""
    return max(observation.noise_sigma(), _MIN_SIGMA)


def channel_axis(image: np.ndarray) -> int | None:
    """``-1`` for colour images, None for gray ones (scikit-image's convention)."""
    return -1 if image.ndim == 3 else None


def auto_tv_denoise_weight(sigma: float) -> float:
    """Chambolle TV weight for a noise level on the 0–255 scale (fitted on training images: ``tuned.json``)."""
    return tuned_rule("auto_tv_denoise_weight")(sigma)


#: Smallest side handed to the ``bm3d`` package: two of its 8-pixel blocks. bm3d 4.0.3 refuses images smaller
#: than a block and its native code crashes the process (segmentation fault) on an 8x8 image (measured on every
#: size from 1x1 to 20x64, gray and colour); smaller images are mirror-padded to this side and cropped back.
BM3D_MIN_SIDE = 16
#: The opponent colour transform of ``bm3d.bm3d_rgb`` (colour space ``'opp'``) and its inverse.
_OPPONENT = np.array([[1 / 3, 1 / 3, 1 / 3], [0.5, 0, -0.5], [0.25, -0.5, 0.25]])
_OPPONENT_INVERSE = np.array([[1, 1, 2 / 3], [1, 0, -4 / 3], [1, -1, 2 / 3]])


def bm3d_denoise(image: np.ndarray, sigma: float) -> np.ndarray:
    """BM3D (gray) or CBM3D (colour, opponent colour space) at noise level ``sigma`` (0–255 scale).

    The library runs on one thread: with more, its aggregation order varies and the output
    changes in the fifth decimal from run to run, and benchmark numbers must be reproducible.
    Images with a side below :data:`BM3D_MIN_SIDE` are mirror-padded first (the native code
    cannot take them) and the result is cropped back.

    References
    ----------
    .. [1] K. Dabov, A. Foi, V. Katkovnik and K. Egiazarian, "Image denoising by sparse 3-D
           transform-domain collaborative filtering", IEEE Transactions on Image Processing 16(8), 2007.
    .. [2] K. Dabov, A. Foi, V. Katkovnik and K. Egiazarian, "Color image denoising via sparse 3D
           collaborative filtering with grouping constraint in luminance-chrominance space", ICIP 2007.
    """
    import bm3d

    profile = bm3d.BM3DProfile()
    profile.num_threads = 1
    height, width = image.shape[:2]
    pad = ((0, max(0, BM3D_MIN_SIDE - height)), (0, max(0, BM3D_MIN_SIDE - width))) + ((0, 0),) * (image.ndim - 2)
    noisy = np.pad(image.astype(np.float64), pad, mode="symmetric")
    if image.ndim == 3:
        return _cbm3d(noisy, sigma / 255.0, profile)[:height, :width]
    return bm3d.bm3d(noisy, sigma / 255.0, profile=profile)[:height, :width]


def _cbm3d(noisy: np.ndarray, sigma: float, profile) -> np.ndarray:
    """CBM3D exactly as ``bm3d.bm3d_rgb``, except where that breaks down.

    ``bm3d_rgb`` scales each opponent channel to ``[0, 1]`` by its range and so divides by zero
    when a channel is constant, as both chroma channels of a gray picture stored as RGB are:
    every output pixel is NaN. A constant channel keeps its scale here. And when the first
    stage turns the luminance into a constant (a flat or tiny image), bm4d 4.2.5 returns no
    block matches for the chroma channels and fails to unpack them (ValueError); the three
    channels are then denoised each with its own block matching.
    """
    import bm3d

    opponent = noisy.reshape(-1, 3) @ _OPPONENT.T
    low = opponent.min(axis=0)
    span = opponent.max(axis=0) - low
    span = np.where(span > 0, span, 1.0)
    levels = sigma * np.sqrt(np.sum(_OPPONENT.T**2, axis=0) / span**2)
    normalised = ((opponent - low) / span).reshape(noisy.shape)
    try:
        estimate = bm3d.bm3d(normalised, levels.reshape(1, 1, 3), profile=profile)
    except ValueError:
        channels = [bm3d.bm3d(normalised[..., c], levels[c], profile=profile) for c in range(3)]
        estimate = np.stack(channels, axis=-1)
    return ((estimate.reshape(-1, 3) * span + low) @ _OPPONENT_INVERSE.T).reshape(noisy.shape)


@register(
    "tv",
    "TV (Chambolle)",
    "classical",
    ["denoise"],
    [Param("weight", None, low=1e-4, high=2.0, log=True, help="denoising weight; automatic from the noise level")],
    description="Total-variation denoising with Chambolle's projection algorithm (scikit-image).",
)
def tv(observation: Observation, weight: float | None = None) -> np.ndarray:
    """TV denoising (:func:`skimage.restoration.denoise_tv_chambolle`)."""
    return tv_denoise(observation.image, noise_level(observation), weight)


def tv_denoise(image: np.ndarray, sigma: float, weight: float | None = None) -> np.ndarray:
    """Chambolle TV denoising at noise level ``sigma`` (0–255), or with an explicit ``weight``.

    References
    ----------
    .. [1] A. Chambolle, "An algorithm for total variation minimization and applications", Journal of
           Mathematical Imaging and Vision 20, 2004.

    Examples
    --------
    >>> import restore_core as rc
    >>> from restore_core.methods.denoising import tv_denoise
    >>> from skimage.data import camera
    >>> clean = rc.to_float(camera())[::2, ::2]
    >>> noisy = rc.degrade(clean, "denoise", sigma=25, seed=0).image
    >>> bool(rc.psnr(clean, tv_denoise(noisy, 25)) > rc.psnr(clean, noisy) + 5)
    True
    """
    weight = auto_tv_denoise_weight(sigma) if weight is None else weight
    # A tighter stopping tolerance than scikit-image's 2e-4, which can stop early at high noise levels.
    return restoration.denoise_tv_chambolle(image, weight=weight, eps=1e-5, channel_axis=channel_axis(image))


@register(
    "wavelet",
    "Wavelet (BayesShrink)",
    "classical",
    ["denoise"],
    [
        Param("wavelet", "sym8", kind="choice", choices=("db1", "db2", "sym4", "sym8", "coif1"), help="wavelet family"),
        Param("method", "BayesShrink", kind="choice", choices=("BayesShrink", "VisuShrink"), help="threshold rule"),
        Param("levels", 4, kind="int", low=1, high=8, help="decomposition levels (capped by the image size)"),
    ],
    description="Wavelet-coefficient soft thresholding, colour in YCbCr (scikit-image).",
)
def wavelet(
    observation: Observation, wavelet: str = "sym8", method: str = "BayesShrink", levels: int = 4
) -> np.ndarray:
    """Wavelet denoising (:func:`skimage.restoration.denoise_wavelet`) with the known noise level.

    scikit-image's default depth (the maximum minus 3) leaves a single level for long
    filters on small images; a fixed depth, capped by what the image allows, is used instead.
    """
    import pywt

    image = observation.image
    levels = min(levels, max(1, pywt.dwt_max_level(min(image.shape[:2]), wavelet)))
    return restoration.denoise_wavelet(
        image,
        sigma=noise_level(observation) / 255.0,
        wavelet=wavelet,
        method=method,
        wavelet_levels=levels,
        mode="soft",
        rescale_sigma=True,
        convert2ycbcr=image.ndim == 3,
        channel_axis=channel_axis(image),
    )


@register(
    "nlm",
    "Non-local means",
    "classical",
    ["denoise"],
    [
        Param("h_factor", 0.8, low=0.1, high=3.0, help="filter strength h as a multiple of sigma"),
        Param("patch_size", 5, kind="int", low=3, high=11, help="patch side"),
        Param("patch_distance", 6, kind="int", low=2, high=21, help="search radius"),
    ],
    description="Non-local means (fast mode) with noise-aware distances, h = 0.8 sigma (scikit-image).",
)
def nlm(observation: Observation, h_factor: float = 0.8, patch_size: int = 5, patch_distance: int = 6) -> np.ndarray:
    """Non-local means (:func:`skimage.restoration.denoise_nl_means`), as scikit-image advises for fast mode.

    References
    ----------
    .. [1] A. Buades, B. Coll and J.-M. Morel, "A non-local algorithm for image denoising", CVPR 2005.
    """
    image = observation.image
    sigma = noise_level(observation) / 255.0
    return restoration.denoise_nl_means(
        image,
        h=h_factor * sigma,
        sigma=sigma,
        fast_mode=True,
        patch_size=patch_size,
        patch_distance=patch_distance,
        channel_axis=channel_axis(image),
    )


@register(
    "bm3d",
    "BM3D / CBM3D",
    "classical",
    ["denoise"],
    [Param("sigma_factor", 1.0, low=0.25, high=4.0, help="multiplies the noise level given to BM3D")],
    description="Block-matching and 3-D filtering (the `bm3d` package); CBM3D for colour images.",
)
def bm3d_method(observation: Observation, sigma_factor: float = 1.0) -> np.ndarray:
    """BM3D / CBM3D denoising at the observation's noise level."""
    return bm3d_denoise(observation.image, sigma_factor * noise_level(observation))


#: Multiplier of the estimated noise function given to BM3D: demosaicked noise is spatially correlated, so a
#: white-noise BM3D needs more than its measured level. And the ratio of the function's median level to the
#: white-noise (wavelet) estimate below which the noise is taken for white: the wavelet estimator sees only the
#: finest scale, so it reads about the same as the function for white noise and 2-2.5 times less for a camera's
#: correlated noise; texture, which inflates the function, also keeps the ratio low. Both chosen on camera-noise
#: simulations of training images: ``python -m tools.tune_vst --data-root ../shared/data`` (mean PSNR 31.45 dB over
#: the three levels, against 29.66 for CBM3D at the white estimate; every ratio from 1.2 to 1.8 is within 0.02 dB
#: of the best, and the middle of that plateau is kept).
VST_FACTOR, WHITE_RATIO = 1.6, 1.5


@register(
    "vst_bm3d",
    "NLF + VST + CBM3D",
    "classical",
    ["denoise"],
    [
        Param(
            "sigma_factor",
            VST_FACTOR,
            low=0.25,
            high=4.0,
            help="multiplies the estimated noise level function (unknown noise only)",
        ),
        Param(
            "white_ratio",
            WHITE_RATIO,
            low=0.0,
            high=10.0,
            help="below this ratio of the noise function to the white-noise estimate, plain CBM3D (0: never)",
        ),
    ],
    description="For real photos' signal-dependent noise: the noise level of each channel as a function of the "
    "intensity is estimated from the image, a variance-stabilising transform makes it uniform, then BM3D/CBM3D. "
    "Noise that looks white, and a known white-noise σ, go to BM3D at that level.",
)
def vst_bm3d(
    observation: Observation, sigma_factor: float = VST_FACTOR, white_ratio: float = WHITE_RATIO
) -> np.ndarray:
    """BM3D / CBM3D in the variance-stabilised domain of the observation's estimated noise-level function.

    References
    ----------
    .. [1] M. Mäkitalo and A. Foi, "Optimal inversion of the generalized Anscombe transformation for
           Poisson-Gaussian noise", IEEE Transactions on Image Processing 22(1), 2013.
    """
    image = observation.image.astype(np.float64)
    if observation.sigma is not None and observation.peak is None:
        return bm3d_denoise(image, noise_level(observation))
    estimated = estimate_noise_function(image)
    if np.median(estimated.levels) < white_ratio * noise_level(observation):
        return bm3d_denoise(image, noise_level(observation))
    function = NoiseFunction(estimated.intensities, estimated.levels * sigma_factor)
    stabilized = function.stabilize(image) / 255.0  # unit noise on the 0–255 scale
    return function.unstabilize(bm3d_denoise(stabilized, 1.0) * 255.0).astype(np.float32)
