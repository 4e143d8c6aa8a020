"""Real camera noise, simulated: an sRGB image taken back to the sensor, made noisy there, and processed again.

Real photos do not carry white Gaussian noise: the sensor's noise is Poisson–Gaussian (its variance
grows with the signal), it is spatially correlated by demosaicking, and white balance, colour
correction and the tone curve reshape it per channel and per brightness. Following the
"unprocessing" pipeline of Brooks et al. (2019), also used to train CBDNet (Guo et al., 2019),
:func:`add_camera_noise` inverts a random camera's processing (tone curve, gamma, colour
correction, white balance), draws heteroscedastic noise ``N(0, shot * x + read)`` at each Bayer
(RGGB) site of the linear sensor values ``x``, interpolates that noise mosaic bilinearly as
demosaicking does, and processes the noisy linear image back to 8-bit sRGB (optionally a JPEG).

The signal itself is not mosaicked: without noise the pipeline returns the image (a camera's
reference photo, the mean of many exposures, is demosaicked from a clean mosaic), so the clean
image stays the ground truth of every task.

References
----------
.. [1] T. Brooks, B. Mildenhall, T. Xue, J. Chen, D. Sharlet and J. T. Barron, "Unprocessing
       images for learned raw denoising", CVPR 2019.
.. [2] S. Guo, Z. Yan, K. Zhang, W. Zuo and L. Zhang, "Toward convolutional blind denoising of
       real photographs", CVPR 2019.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .convert import quantize
from .errors import RestoreError
from .jpeg import check_quality, jpeg_compress

#: Named strengths: shot-noise factor of the linear sensor signal in [0, 1] (Brooks et al. sample
#: log-uniformly in [1e-4, 1.2e-2]; these are a bright scene, a dim room, and the high end).
CAMERA_LEVELS: dict[str, float] = {"low": 4e-4, "medium": 1.5e-3, "high": 5e-3}
#: Read noise from shot noise: ``log(read) = SLOPE * log(shot) + INTERCEPT + N(0, SPREAD)`` (Brooks et al.).
READ_SLOPE, READ_INTERCEPT, READ_SPREAD = 2.18, 1.20, 0.26
#: Gamma of the sRGB-like transfer curve.
GAMMA = 2.2
#: Kernels of bilinear demosaicking: red and blue sites (one in four), green sites (one in two).
_RED_BLUE = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 4.0
_GREEN = np.array([[0, 1, 0], [1, 4, 1], [0, 1, 0]], dtype=np.float64) / 4.0


@dataclass(frozen=True)
class Camera:
    """A camera's processing and noise: what :func:`add_camera_noise` inverts and applies.

    Attributes
    ----------
    rgb_to_camera : ndarray
        3x3 colour matrix from linear sRGB to the sensor's colour space (rows sum to 1).
    gains : ndarray
        White-balance gains of the red, green and blue sensor channels (the brightness gain folded in).
    shot, read : float
        Noise variance ``shot * x + read`` of a linear sensor value ``x`` in ``[0, 1]``.
    """

    rgb_to_camera: np.ndarray
    gains: np.ndarray
    shot: float
    read: float


def camera_level(level: str | float) -> float:
    """The shot-noise factor of a level: a name of :data:`CAMERA_LEVELS` or a factor in ``[0, 0.05]``.

    Raises
    ------
    RestoreError
        For an unknown name or a factor out of range.
    """
    if isinstance(level, str):
        if level not in CAMERA_LEVELS:
            raise RestoreError(f"unknown camera noise level {level!r}; choose one of {', '.join(CAMERA_LEVELS)}.")
        return CAMERA_LEVELS[level]
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, (int, float, np.integer, np.floating)):
        raise RestoreError(f"a camera noise level is a name ({', '.join(CAMERA_LEVELS)}) or a number, got {level!r}.")
    if not 0 <= float(level) <= 0.05:
        raise RestoreError(f"a camera shot-noise factor must be in [0, 0.05], got {level}.")
    return float(level)


def random_camera(level: str | float, rng: np.random.Generator) -> Camera:
    """A random camera at a noise level: colour matrix, white balance and read noise drawn as Brooks et al. do.

    The colour matrix mixes 10–35 % of the other channels into each (rows of random weights);
    the red and blue gains are uniform in [1.9, 2.4] and [1.5, 1.9], the brightness gain is
    ``1 / N(0.8, 0.1)``; the read noise follows the shot noise's log-linear relation.
    """
    shot = camera_level(level)
    mixing = rng.uniform(0.10, 0.35, size=(3, 1))
    weights = rng.dirichlet(np.ones(3), size=3)
    rgb_to_camera = (1.0 - mixing) * np.eye(3) + mixing * weights
    brightness = 1.0 / np.clip(rng.normal(0.8, 0.1), 0.5, 1.1)
    gains = np.array([rng.uniform(1.9, 2.4), 1.0, rng.uniform(1.5, 1.9)]) * brightness
    read = 0.0 if shot == 0 else float(np.exp(READ_SLOPE * np.log(shot) + READ_INTERCEPT + rng.normal(0, READ_SPREAD)))
    return Camera(rgb_to_camera, gains, shot, read)


def _tone(x: np.ndarray) -> np.ndarray:
    """The smoothstep tone curve ``3x² - 2x³``."""
    return 3.0 * x**2 - 2.0 * x**3


def _inverse_tone(y: np.ndarray) -> np.ndarray:
    return 0.5 - np.sin(np.arcsin(1.0 - 2.0 * np.clip(y, 0.0, 1.0)) / 3.0)


def unprocess(image: np.ndarray, camera: Camera) -> np.ndarray:
    """Linear sensor values (HxWx3, before demosaicking) of an sRGB image as ``camera`` would have recorded it."""
    linear = _inverse_tone(image) ** GAMMA
    return (linear @ camera.rgb_to_camera.T) / camera.gains


def process(sensor: np.ndarray, camera: Camera) -> np.ndarray:
    """The sRGB image (clipped to ``[0, 1]``) ``camera`` makes of linear sensor values; inverts :func:`unprocess`."""
    linear = (sensor * camera.gains) @ np.linalg.inv(camera.rgb_to_camera).T
    return _tone(np.clip(linear, 0.0, 1.0) ** (1.0 / GAMMA))


def bayer_sites(shape: tuple[int, int]) -> np.ndarray:
    """The RGGB colour filter array: a HxWx3 boolean array, True where each channel is sampled."""
    rows, cols = np.indices(shape)
    red = (rows % 2 == 0) & (cols % 2 == 0)
    blue = (rows % 2 == 1) & (cols % 2 == 1)
    return np.stack([red, ~(red | blue), blue], axis=-1)


def demosaic_bilinear(mosaic: np.ndarray) -> np.ndarray:
    """Bilinear demosaicking of an RGGB mosaic (HxW): each channel's missing sites averaged from its neighbours."""
    sites = bayer_sites(mosaic.shape)
    channels = [
        ndimage.convolve(mosaic * sites[..., c], _GREEN if c == 1 else _RED_BLUE, mode="mirror") for c in range(3)
    ]
    return np.stack(channels, axis=-1)


def add_camera_noise(
    image: np.ndarray, level: str | float, rng: np.random.Generator, quality: int | None = None
) -> tuple[np.ndarray, Camera]:
    """Make an sRGB image noisy as a random camera at ``level`` would have (see the module's description).

    Parameters
    ----------
    image : ndarray
        Float colour image in ``[0, 1]``, HxWx3 (camera noise needs colour).
    level : str or float
        A name of :data:`CAMERA_LEVELS` or a shot-noise factor in ``[0, 0.05]``.
    rng : numpy.random.Generator
        Source of the camera and of the noise (seeded by the caller).
    quality : int, optional
        JPEG quality of the camera's file; None keeps the 8-bit image lossless.

    Returns
    -------
    noisy : ndarray
        The 8-bit sRGB result as ``float32`` in ``[0, 1]``.
    camera : Camera
        The camera drawn.

    Raises
    ------
    RestoreError
        For a gray image, an unknown level or a bad quality.
    """
    if image.ndim != 3 or image.shape[-1] != 3:
        raise RestoreError("camera noise needs a colour (HxWx3) image: a camera records three channels.")
    quality = None if quality is None else check_quality(quality)
    camera = random_camera(level, rng)
    sensor = unprocess(image.astype(np.float64), camera)
    sites = bayer_sites(image.shape[:2])
    recorded = np.sum(np.clip(sensor, 0.0, 1.0) * sites, axis=-1)  # each site's one channel
    noise = rng.normal(size=recorded.shape) * np.sqrt(camera.shot * recorded + camera.read)
    noisy = quantize(process(sensor + demosaic_bilinear(noise), camera)).astype(np.float32)
    return (noisy if quality is None else jpeg_compress(noisy, quality)), camera
