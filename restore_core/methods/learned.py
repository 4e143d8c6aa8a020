"""Learned methods: the shipped networks of :mod:`restore_core.nets` behind the registry.

A method is registered when at least one of its weights files ships with the
package; a missing file for one image kind (e.g. colour) is an error naming
the file and the command that trains it, never a fallback to untrained weights.
"""

from __future__ import annotations

import numpy as np

from ..convert import rgb_to_ycbcr, ycbcr_to_rgb
from ..device import PRECISIONS
from ..errors import RestoreError
from ..imresize import imresize
from ..nets.specs import MODELS
from ..observation import Observation
from ..pnp import dihedral
from ..registry import DEVICE_PARAM, Param, register

PRECISION_PARAM = Param(
    "precision",
    "float32",
    "choice",
    choices=PRECISIONS,
    help="network arithmetic: bfloat16 is about 2x faster on CPUs with AVX512-BF16/AMX and recent GPUs, "
    "a few thousandths of a dB lower",
)
#: Default tile side of tiled inference (input pixels).
TILE = 512
_TILE = Param("tile", TILE, "int", low=64, high=4096, help="tile side in pixels for large images (bounded memory)")


def shipped(*names: str) -> bool:
    """Whether any of the named models has its weights file in the package."""
    return any(MODELS[name].path.is_file() for name in names)


def denoiser_model(image: np.ndarray) -> str:
    """The DeconvUNet denoiser for an image's channel count."""
    return "unet_color" if image.ndim == 3 else "unet_gray"


#: Orthonormal opponent colour transform (rows: luminance, red–blue, green–magenta); white noise of
#: level sigma in RGB stays white with the same level in these channels.
OPPONENT = np.array([[1, 1, 1], [np.sqrt(1.5), 0, -np.sqrt(1.5)], [np.sqrt(0.5), -np.sqrt(2), np.sqrt(0.5)]]) / np.sqrt(
    3
)


#: How the learned prior denoises colour images: with the colour model, with the gray model on the
#: three opponent channels, or with it on the luminance and on the two chroma channels at half
#: resolution, half the passes (:func:`opponent_denoise`).
COLOUR_PRIORS = ("colour", "opponent", "opponent_half")
#: Chroma resolution of each colour prior that denoises opponent channels.
CHROMA_SCALES = {"opponent": 1.0, "opponent_half": 0.5}
#: Smallest side a chroma channel is shrunk from (below it the network sees too little context).
MIN_SHRINK_SIDE = 64
#: How ``deconv_unet`` denoises colour images: one of :data:`COLOUR_PRIORS`, or ``"auto"`` (the default,
#: :func:`denoise_colour_prior`): the gray model on the opponent channels for white Gaussian noise of a known
#: level, the colour model when the level is estimated. For white noise the opponent transform is exact
#: (each channel keeps white noise of the same level), and the opponent channels match the colour model on
#: natural photos and beat it where colours are vivid, whose chroma detail the colour model (trained on
#: BSDS400, even with its saturation augmentation) smooths away as if it were noise. Mean PSNR at sigma
#: 15 / 25 / 50, colour model against opponent channels (``python -m tools.colour_prior_probe``): the last
#: 8 BSDS400 images (held out of training, centre 192x192 crops) 32.57 / 29.89 / 26.68 against
#: 32.57 / 29.90 / 26.73, their chroma doubled 32.09 / 29.52 / 26.42 against 32.15 / 29.55 / 26.43, tripled
#: 31.55 / 29.14 / 26.19 against 31.79 / 29.26 / 26.21; McMaster, the issue's development proxy for
#: structured colour content, in ``python -m tools.pareto_denoisers`` (docs/results/pareto-colour-denoisers.md).
#: It costs three gray passes instead of one colour pass (about 3.3 times the time). Blind, on a photo's
#: real noise, one estimated level is not every opponent channel's (demosaicked camera noise is stronger in
#: chroma) and the colour model's stronger chroma smoothing wins: at the estimate on simulated camera noise (the
#: ``denoise-camera`` suite entry, the same weights), Kodak24 low / medium / high 35.77 / 29.33 / 23.43 dB
#: with the opponent channels against 37.03 / 31.31 / 25.77 with the colour model.
DENOISE_COLOUR_PRIOR = "auto"
#: The ``colour_prior`` choices of ``deconv_unet``.
DENOISE_COLOUR_PRIORS = ("auto", *COLOUR_PRIORS)


def colour_prior_param(default: str, choices: tuple[str, ...] = COLOUR_PRIORS) -> Param:
    """The ``colour_prior`` setting of a method whose learned prior denoises colour images (:data:`COLOUR_PRIORS`)."""
    automatic = "auto: the opponent channels for white noise of a known level, else the colour denoiser; "
    automatic = automatic if "auto" in choices else ""
    return Param(
        "colour_prior",
        default,
        "choice",
        choices=choices,
        help=f"colour images: {automatic}the colour denoiser, or the gray one on three opponent channels (chroma "
        "smoothed more), or on the luminance and on the chroma at half resolution (half the passes)",
    )


def denoise_colour_prior(observation: Observation, sigma: float | None, colour_prior: str) -> str:
    """The colour prior ``deconv_unet`` uses: ``colour_prior`` itself unless ``"auto"`` (:data:`DENOISE_COLOUR_PRIOR`).

    ``"auto"`` is ``"opponent"`` when the level of white Gaussian noise is given or known, ``"colour"`` when it
    is estimated (real or signal-dependent noise), or the other when only the other's model ships.
    """
    if colour_prior != "auto":
        return colour_prior
    known = sigma is not None or (observation.sigma is not None and observation.peak is None)
    gray_missing = not MODELS["unet_gray"].path.is_file() and MODELS["unet_color"].path.is_file()
    return "opponent" if known and not gray_missing else "colour"


def unet_denoise(
    image: np.ndarray,
    sigma: float,
    device: str = "auto",
    tile: int = TILE,
    precision: str = "float32",
    colour_prior: str = "colour",
) -> np.ndarray:
    """Denoise with the shipped DeconvUNet at noise level ``sigma`` (0–255 scale), gray or colour.

    Colour images use the colour model, or :func:`opponent_denoise` with the opponent priors
    (``"opponent"`` while only the gray model ships). This is also the prior step of the plug-and-play
    solvers.
    """
    from ..nets.models import run_unet

    if colour_prior not in COLOUR_PRIORS:
        raise RestoreError(f"colour_prior must be one of {', '.join(COLOUR_PRIORS)}, not {colour_prior!r}.")
    colour_missing = not MODELS["unet_color"].path.is_file() and MODELS["unet_gray"].path.is_file()
    if image.ndim == 3 and (colour_prior in CHROMA_SCALES or colour_missing):
        chroma_scale = CHROMA_SCALES.get(colour_prior, 1.0)
        return opponent_denoise(image, sigma, device, tile, precision, chroma_scale)
    return run_unet(denoiser_model(image), image, sigma / 255.0, device=device, tile=tile, precision=precision)


def opponent_denoise(
    image: np.ndarray,
    sigma: float,
    device: str = "auto",
    tile: int = TILE,
    precision: str = "float32",
    chroma_scale: float = 1.0,
) -> np.ndarray:
    """Denoise a colour image with the gray model, channel by channel in the opponent space.

    Each channel of the orthonormal opponent space :data:`OPPONENT` is mapped affinely onto
    ``[0, 1]`` and its noise level scaled alike. With ``chroma_scale < 1`` the two chroma channels
    are denoised shrunk by that factor (MATLAB bicubic, noise level times the factor, i.e. a block
    mean's; the antialiased bicubic leaves a little more, so chroma is smoothed a little more) and
    enlarged back: natural images carry little fine detail in chroma, and at 0.5 the prior costs
    half the passes. Channels with a side under :data:`MIN_SHRINK_SIDE` stay at full resolution.
    """
    from ..nets.models import run_unet

    opponent = image.astype(np.float64) @ OPPONENT.T
    low = np.minimum(OPPONENT, 0).sum(axis=1)  # channel ranges for RGB in [0, 1]
    span = np.maximum(OPPONENT, 0).sum(axis=1) - low
    channels = []
    for c in range(3):
        scale = chroma_scale if c and min(image.shape[:2]) * chroma_scale >= MIN_SHRINK_SIDE else 1.0
        channel = ((opponent[..., c] - low[c]) / span[c]).astype(np.float32)
        small = channel if scale == 1.0 else imresize(channel, scale)
        denoised = run_unet("unet_gray", small, sigma * scale / 255.0 / span[c], device=device, tile=tile,
                            precision=precision)  # fmt: skip
        denoised = denoised if scale == 1.0 else imresize(denoised, output_shape=channel.shape)
        channels.append(denoised * span[c] + low[c])
    return (np.stack(channels, axis=-1) @ OPPONENT).astype(np.float32)


def deconv_unet(
    observation: Observation,
    sigma: float | None,
    device: str,
    tile: int,
    precision: str = "float32",
    ensemble: bool = False,
    colour_prior: str = DENOISE_COLOUR_PRIOR,
) -> np.ndarray:
    """Denoise with the noise level known, given, or estimated from the image.

    Colour images go through :func:`unet_denoise` with the prior :func:`denoise_colour_prior` picks.
    With ``ensemble``, the mean of the denoised 8 flips/rotations (each turned back).
    """
    level = observation.noise_sigma() if sigma is None else sigma
    image = observation.image
    prior = denoise_colour_prior(observation, sigma, colour_prior)

    def denoise(picture: np.ndarray) -> np.ndarray:
        return unet_denoise(picture, level, device, tile, precision, prior)

    if not ensemble:
        return denoise(image)
    outputs = [
        dihedral(denoise(np.ascontiguousarray(dihedral(image, index))), index, inverse=True) for index in range(8)
    ]
    return np.mean(outputs, axis=0, dtype=np.float32)


def deconv_jpeg(
    observation: Observation, quality: int | None, device: str, tile: int, precision: str = "float32"
) -> np.ndarray:
    """Remove JPEG artifacts at the observation's quality (or the one given).

    Colour images use the colour model; while only the gray model ships, it restores each
    channel of the YCbCr image (the JPEG colour space) as a gray image.
    """
    from ..nets.models import run_unet

    condition = (observation.quality if quality is None else quality) / 100.0
    image = np.clip(observation.image, 0, 1)
    if image.ndim == 2 or MODELS["jpeg_color"].path.is_file() or not MODELS["jpeg_gray"].path.is_file():
        model = "jpeg_gray" if image.ndim == 2 else "jpeg_color"
        return np.clip(run_unet(model, image, condition, device=device, tile=tile, precision=precision), 0, 1)
    ycbcr = rgb_to_ycbcr(image)
    channels = [
        run_unet("jpeg_gray", ycbcr[..., c], condition, device=device, tile=tile, precision=precision) for c in range(3)
    ]
    return np.clip(ycbcr_to_rgb(np.stack(channels, axis=-1)), 0, 1)


def deconv_sr(observation: Observation, device: str, precision: str = "float32") -> np.ndarray:
    """Super-resolve the Y channel with the network; Cb and Cr with MATLAB bicubic."""
    from ..nets.models import run_sr

    name = f"sr_x{observation.scale}"
    if name not in MODELS:
        raise RestoreError(f"deconv_sr has models for x2, x3 and x4, not x{observation.scale}.")
    height, width = observation.clean_shape[:2]
    low = np.clip(observation.image, 0, 1)
    if low.ndim == 2:
        return run_sr(name, low, device, precision=precision)[:height, :width]
    ycbcr = rgb_to_ycbcr(low)
    upscaled = imresize(ycbcr, output_shape=(height, width))
    upscaled[..., 0] = run_sr(name, ycbcr[..., 0], device, precision=precision)[:height, :width]
    return ycbcr_to_rgb(upscaled)


if shipped("unet_gray", "unet_color"):
    register(
        "deconv_unet",
        "DeconvUNet (learned)",
        "learned",
        ["denoise"],
        [
            Param(
                "sigma",
                None,
                low=0.0,
                high=100.0,
                help="noise level (0–255) given to the network; automatic: the observation's, else an estimate (blind)",
            ),
            DEVICE_PARAM,
            _TILE,
            PRECISION_PARAM,
            Param(
                "ensemble",
                False,
                "bool",
                help="average the outputs for the 8 flips/rotations of the image (8x slower, slightly better)",
            ),
            colour_prior_param(DENOISE_COLOUR_PRIOR, DENOISE_COLOUR_PRIORS),
        ],
        description="U-Net with transposed-convolution decoder and a noise-level map input, trained on "
        "Train400 (gray) / BSDS400 (colour); colour images with white noise of a known level through the gray "
        "model on opponent channels; blind with an estimated noise level.",
    )(deconv_unet)


def camera_unet(observation: Observation, device: str, tile: int, precision: str = "float32") -> np.ndarray:
    """Denoise a photo's real (camera) noise blind: the network reads the noise level map off the image.

    A gray image goes through the colour network as three equal channels, and comes back as their mean.
    """
    from ..nets.models import run_blind_unet

    image = observation.image
    colour = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=-1)
    restored = run_blind_unet("unet_camera", colour, device=device, tile=tile, precision=precision)[0]
    return restored if image.ndim == 3 else restored.mean(axis=-1)


if shipped("unet_camera"):
    register(
        "camera_unet",
        "DeconvUNet real noise (learned)",
        "learned",
        ["denoise"],
        [DEVICE_PARAM, _TILE, PRECISION_PARAM],
        description="Blind colour denoiser of real photos: a noise-level-map estimator feeding a DeconvUNet, "
        "trained on BSDS400 with simulated camera noise (sensor Poisson-Gaussian noise, demosaicking, camera "
        "processing, JPEG); gray images as three equal channels.",
    )(camera_unet)


if shipped("jpeg_gray", "jpeg_color"):
    register(
        "deconv_jpeg",
        "DeconvUNet JPEG (learned)",
        "learned",
        ["jpeg"],
        [
            Param(
                "quality",
                None,
                "int",
                low=1,
                high=100,
                help="JPEG quality given to the network; automatic: the observation's",
            ),
            DEVICE_PARAM,
            _TILE,
            PRECISION_PARAM,
        ],
        description="U-Net with transposed-convolution decoder and a quality map input, trained on "
        "BSDS400 patches compressed by libjpeg at qualities 5-95.",
    )(deconv_jpeg)


if shipped("sr_x2", "sr_x3", "sr_x4"):
    register(
        "deconv_sr",
        "DeconvSR (learned)",
        "learned",
        ["sr"],
        [DEVICE_PARAM, PRECISION_PARAM],
        description="Residual CNN on the low-resolution Y channel with a learned transposed-convolution "
        "upsampler (FSRCNN-style), trained on BSDS400; chroma by bicubic interpolation.",
    )(deconv_sr)
