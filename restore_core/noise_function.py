"""Signal-dependent noise: its noise-level function, estimated from one image, a variance-stabilising transform,
and the learned real-noise model's per-pixel noise map.

A real photo's noise grows with the signal (shot noise) and is reshaped by the camera's tone
curve, so its standard deviation is a function of the intensity, one per channel: the
noise-level function (NLF). :func:`estimate_noise_function` measures it from the image alone,
and :meth:`NoiseFunction.stabilize` maps each channel through ``f(y) = ∫ dy / σ(y)``, after
which the noise has the same unit level everywhere and a white-noise denoiser (BM3D) applies;
:meth:`NoiseFunction.unstabilize` maps the denoised image back.

References
----------
.. [1] A. Foi, M. Trimeche, V. Katkovnik and K. Egiazarian, "Practical Poissonian-Gaussian noise
       modeling and fitting for single-image raw-data", IEEE Transactions on Image Processing 17(10), 2008.
.. [2] C. Liu, R. Szeliski, S. B. Kang, C. L. Zitnick and W. T. Freeman, "Automatic estimation and
       removal of noise from a single image", IEEE TPAMI 30(2), 2008.
.. [3] M. Mäkitalo and A. Foi, "Optimal inversion of the generalized Anscombe transformation for
       Poisson-Gaussian noise", IEEE Transactions on Image Processing 22(1), 2013.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy.ndimage import correlate

from .convert import float_image
from .errors import RestoreError
from .nets.specs import MODELS

#: Side and stride (pixels) of the blocks whose residual variance samples the noise.
BLOCK, STRIDE = 8, 2
#: Intensity bins of the function over ``[0, 1]``, and the fewest blocks a bin needs to be measured.
BINS, MIN_BLOCKS = 10, 40
#: Quantile of the blocks' residual variances that measures a bin's noise variance: texture only adds
#: variance, so the flattest blocks measure the noise. It is divided by the same quantile of white noise's
#: block variances (a chi-square law with ``BLOCK**2 - 3`` degrees of freedom), which makes it unbiased
#: for white noise.
QUANTILE = 0.01
_DEGREES = BLOCK * BLOCK - 3
#: The :data:`QUANTILE` quantile of white noise's block variances, relative to its variance.
_WHITE_QUANTILE = float(2.0 * special.gammaincinv(_DEGREES / 2, QUANTILE) / _DEGREES)  # chi2.ppf(q, k) / k
#: Smallest noise level of the function (0–255 scale): the transform divides by it.
MIN_LEVEL = 0.25
#: Where the transform is tabulated (noise takes values outside ``[0, 1]``), and how finely.
_GRID = np.linspace(-0.5, 1.5, 2001)


@dataclass(frozen=True)
class NoiseFunction:
    """The noise level of each channel as a function of the intensity.

    Attributes
    ----------
    intensities : ndarray
        Intensities (``[0, 1]`` scale) where the levels are given, increasing.
    levels : ndarray
        ``(channels, len(intensities))`` noise standard deviations on the 0–255 scale; between the
        intensities the level is interpolated linearly, beyond them it is the nearest one's.
    """

    intensities: np.ndarray
    levels: np.ndarray

    @classmethod
    def constant(cls, sigma: float, channels: int = 1) -> NoiseFunction:
        """White noise of level ``sigma`` (0–255 scale) in every channel."""
        return cls(np.array([0.5]), np.full((channels, 1), max(float(sigma), MIN_LEVEL)))

    def sigma(self, intensity: np.ndarray, channel: int = 0) -> np.ndarray:
        """The noise level (0–255 scale) of ``channel`` at ``intensity``."""
        return np.interp(intensity, self.intensities, self.levels[channel])

    def _transform(self, channel: int) -> np.ndarray:
        """``f(y) = ∫ 255 dy / σ(y)`` of a channel on :data:`_GRID` (trapezoids), 0 at the grid's start."""
        inverse = 255.0 / np.maximum(self.sigma(_GRID, channel), MIN_LEVEL)
        return np.concatenate([[0.0], np.cumsum((inverse[1:] + inverse[:-1]) / 2 * np.diff(_GRID))])

    def stabilize(self, image: np.ndarray) -> np.ndarray:
        """The image with unit noise standard deviation everywhere: each channel through its ``f``."""
        return self._apply(image, lambda values, table: np.interp(values, _GRID, table))

    def unstabilize(self, stabilized: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`stabilize` (``f`` increases, so each channel's inverse is a table look-up)."""
        return self._apply(stabilized, lambda values, table: np.interp(values, table, _GRID))

    def _apply(self, image: np.ndarray, mapping) -> np.ndarray:
        channels = 1 if image.ndim == 2 else image.shape[2]
        if channels != len(self.levels):
            raise RestoreError(f"the noise function has {len(self.levels)} channels, the image {channels}.")
        planes = image[..., None] if image.ndim == 2 else image
        out = np.stack([mapping(planes[..., c], self._transform(c)) for c in range(channels)], axis=-1)
        return out[..., 0] if image.ndim == 2 else out


def _block_statistics(plane: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and residual variance (after removing the best plane ``a + b x + c y``) of each block.

    The constant and the two centred ramps are orthogonal on a block, so the residual energy is the
    block's energy less its projections on them: block sums of the plane, of its square and of its
    products with the ramps (correlations over the valid positions), taken at every
    :data:`STRIDE`-th position; memory stays a few times the image's.
    """
    rows, cols = np.mgrid[:BLOCK, :BLOCK] - (BLOCK - 1) / 2

    valid = slice(BLOCK // 2, BLOCK // 2 - BLOCK + 1 or None, STRIDE)  # the blocks inside the plane, every STRIDE-th

    def sums(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return correlate(values, weights, mode="constant")[valid, valid]

    ones = np.ones((BLOCK, BLOCK))
    total, energy = sums(plane, ones), sums(plane**2, ones)
    along_x, along_y = sums(plane, cols), sums(plane, rows)
    residual = energy - total**2 / ones.sum() - along_x**2 / (cols**2).sum() - along_y**2 / (rows**2).sum()
    return (total / ones.sum()).ravel(), np.maximum(residual, 0.0).ravel() / _DEGREES


def estimate_noise_function(image: np.ndarray) -> NoiseFunction:
    """Estimate the noise-level function of each channel of a noisy image.

    The image is cut into overlapping 8x8 blocks; each block's variance around its best-fitting
    plane is noise plus whatever texture the plane misses. Blocks are grouped by their mean into
    :data:`BINS` intensity bins, and in each bin with at least :data:`MIN_BLOCKS` blocks the
    :data:`QUANTILE` quantile of the variances (the flattest blocks), divided by that quantile's
    ratio to the mean for white noise, is the noise variance there.
    Bins with too few blocks take their neighbours' levels; an image too small for any bin gets
    one level from all its blocks.

    Parameters
    ----------
    image : ndarray
        Noisy image, HxW or HxWx3 (at least 8 pixels a side), on the ``[0, 1]`` scale.

    Returns
    -------
    NoiseFunction
        One level curve per channel.

    Raises
    ------
    RestoreError
        For an array that is not such an image.

    Examples
    --------
    >>> import numpy as np
    >>> import restore_core as rc
    >>> rng = np.random.default_rng(0)
    >>> ramp = np.tile(np.linspace(0.1, 0.9, 256), (256, 1))
    >>> noisy = ramp + rng.normal(size=ramp.shape) * (2 + 20 * ramp) / 255  # σ 2 in the dark, 22 in the light
    >>> function = rc.estimate_noise_function(noisy)
    >>> [round(float(function.sigma(y))) for y in (0.15, 0.85)]
    [5, 19]
    """
    image = float_image(image, "the image whose noise is measured", min_side=BLOCK).astype(np.float64)
    planes = image[..., None] if image.ndim == 2 else image
    edges = np.linspace(0.0, 1.0, BINS + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    levels = []
    for channel in range(planes.shape[2]):
        means, variances = _block_statistics(planes[..., channel])
        which = np.clip(np.digitize(means, edges) - 1, 0, BINS - 1)
        measured = np.array(
            [
                np.quantile(variances[which == index], QUANTILE) if np.sum(which == index) >= MIN_BLOCKS else np.nan
                for index in range(BINS)
            ]
        )
        known = ~np.isnan(measured)
        curve = (
            np.interp(centres, centres[known], measured[known])
            if known.any()
            else np.full(BINS, np.quantile(variances, QUANTILE))
        )
        levels.append(np.maximum(np.sqrt(curve / _WHITE_QUANTILE) * 255.0, MIN_LEVEL))
    return NoiseFunction(centres, np.array(levels))


#: The learned real-noise model whose estimator gives :func:`estimate_noise_map`, and whether its weights ship.
NOISE_MAP_MODEL = "unet_camera"
NOISE_MAP_SHIPPED = MODELS[NOISE_MAP_MODEL].path.is_file()


def estimate_noise_map(image: np.ndarray, device: str = "auto", precision: str = "float32") -> np.ndarray:
    """The noise level at each pixel of a photo, as the learned real-noise denoiser (``camera_unet``) reads it.

    ``camera_unet`` is blind: a small network estimates this map from the image and the denoiser
    is conditioned on it. Showing it says where the model sees noise (shadows, flat sky, a
    camera's colour noise) and how strong.

    Parameters
    ----------
    image : ndarray
        Noisy photo, HxW or HxWx3 on the ``[0, 1]`` scale (a gray one goes through as three equal channels).
    device : {'auto', 'cpu', 'cuda'}
        Where the network runs.
    precision : {'float32', 'bfloat16'}
        Its arithmetic.

    Returns
    -------
    ndarray
        HxW float32 noise standard deviations on the 0–255 scale.

    Raises
    ------
    RestoreError
        For an array that is not an image, or when the model's weights are not installed.
    """
    from .nets.models import run_noise_map

    image = float_image(image, "the image whose noise is mapped")
    if not NOISE_MAP_SHIPPED:
        raise RestoreError(f"the noise map needs the {NOISE_MAP_MODEL} weights, which are not installed.")
    colour = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=-1)
    return run_noise_map(NOISE_MAP_MODEL, colour, device=device, precision=precision) * 255.0
