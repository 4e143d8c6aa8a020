"""The JPEG quality of a real image: read from a file's quantisation tables, or estimated from its pixels.

A JPEG's quality is what the artifact-removal methods need (the networks are conditioned on it,
BM3D deblocking derives its strength from it), and a real JPEG does not state it. A file holds its
quantisation tables, which the IJG quality scaling maps back to a quality
(:func:`read_jpeg_quality`). An image already decoded (a PNG of a JPEG, a screenshot of one, a
crop) keeps the trace of the quantisation in its block DCT coefficients: on the right 8×8 grid,
each coefficient of the luminance lies near a multiple of its table step.
:func:`estimate_jpeg_quality` finds the grid and the IJG quality whose table explains the
coefficients best (a maximum-likelihood fit of the lattice, after Fan and de Queiroz, 2003).
:func:`with_estimated_quality` hands that estimate to every artifact-removal method.

References
----------
.. [1] Z. Fan and R. L. de Queiroz, "Identification of bitmap compression history: JPEG detection
       and quantizer estimation", IEEE Transactions on Image Processing 12(2), 2003.
"""

from __future__ import annotations

import io
from dataclasses import replace
from functools import lru_cache
from os import PathLike

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy import fft

from .convert import BT601_LUMA, validate_image
from .errors import RestoreError
from .jpeg import check_quality, quantization_tables
from .observation import Observation
from .tasks import get_task

#: Blocks of the image used for the estimate (drawn at random, seeded, when it has more).
MAX_BLOCKS = 2048
#: Smallest side (pixels) of an image whose quality can be estimated: 4 whole blocks on any grid.
MIN_SIDE = 40
#: Side of the central crop on which the 8x8 grid is located.
GRID_SEARCH_SIDE = 512
#: Standard deviation of a decoded coefficient around its multiple of the step (pixel rounding, 0–255 scale).
_SPREAD = 1.0
#: Share of coefficients allowed off the lattice (clipped pixels) and the range they spread over.
_OUTLIERS, _RANGE = 1e-3, 2048.0
#: Log-likelihood gain per coefficient, over the same fit on a grid shifted by half a block, below which
#: no JPEG quantisation is detected (measured: above 0.1 for LIVE1 at qualities 10–95, about 0 for PNGs).
DETECTION_GAIN = 0.02


@lru_cache(maxsize=1)
def _luma_tables() -> np.ndarray:
    """The IJG luminance tables of qualities 1–100, shape (100, 8, 8), read from real encodings."""
    return np.stack([quantization_tables(quality)[0] for quality in range(1, 101)])


def quality_from_tables(luma_table: np.ndarray) -> int:
    """The IJG quality whose luminance table is nearest to ``luma_table`` (in log steps).

    Parameters
    ----------
    luma_table : array_like
        The 64 luminance quantisation steps (natural order, 8x8 or flat).

    Returns
    -------
    int
        Quality 1–100; exact for tables made by libjpeg's quality scaling (most software),
        the nearest in the geometric mean of the step ratios for a camera's own tables.

    Raises
    ------
    RestoreError
        For a table that is not 64 positive steps.
    """
    steps = np.asarray(luma_table, dtype=np.float64)
    if steps.size != 64 or not np.all(np.isfinite(steps)) or np.any(steps < 1):
        raise RestoreError("a JPEG quantisation table holds 64 steps of at least 1.")
    distance = np.mean(np.log(_luma_tables().reshape(100, 64) / steps.reshape(1, 64)) ** 2, axis=1)
    return int(np.argmin(distance)) + 1


def read_jpeg_quality(source: str | PathLike[str] | bytes) -> int | None:
    """The IJG quality of a JPEG file, from its luminance quantisation table.

    Parameters
    ----------
    source : str, path or bytes
        The file, or its contents.

    Returns
    -------
    int or None
        Quality 1–100 (see :func:`quality_from_tables`); None when the file is not a JPEG
        (a PNG, say: estimate the quality from the pixels with :func:`estimate_jpeg_quality`).

    Raises
    ------
    RestoreError
        When the file cannot be read, or its quantisation tables are malformed.
    """
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            tables = getattr(image, "quantization", None) if image.format == "JPEG" else None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise RestoreError(f"the file could not be read as an image ({error}).") from error
    if not tables:
        return None
    return quality_from_tables(np.asarray(tables[min(tables)]))


def _luminance(image: np.ndarray) -> np.ndarray:
    """The JFIF luminance minus 128 (0–255 scale), as the encoder transforms it."""
    luma = image if image.ndim == 2 else image @ BT601_LUMA
    return 255.0 * luma.astype(np.float64) - 128.0


def _block_dct(luma: np.ndarray, offset: tuple[int, int]) -> np.ndarray:
    """Orthonormal DCT (JPEG's) of the whole 8x8 blocks of ``luma`` on the grid starting at ``offset``, (n, 8, 8)."""
    shifted = luma[offset[0] :, offset[1] :]
    rows, cols = shifted.shape[0] // 8, shifted.shape[1] // 8
    blocks = shifted[: rows * 8, : cols * 8].reshape(rows, 8, cols, 8).swapaxes(1, 2).reshape(-1, 8, 8)
    return fft.dctn(blocks, type=2, norm="ortho", axes=(1, 2))


def _grid_offset(luma: np.ndarray) -> tuple[int, int]:
    """The 8x8 grid offset on which most AC coefficients quantise to zero (a decoded JPEG's own grid)."""
    top = max(0, (luma.shape[0] - GRID_SEARCH_SIDE) // 2)
    left = max(0, (luma.shape[1] - GRID_SEARCH_SIDE) // 2)
    crop = luma[top : top + GRID_SEARCH_SIDE + 8, left : left + GRID_SEARCH_SIDE + 8]
    zeros = np.zeros((8, 8))
    for dy in range(8):
        for dx in range(8):
            coefficients = _block_dct(crop, (dy, dx))
            zeros[dy, dx] = np.mean(np.abs(coefficients.reshape(-1, 64)[:, 1:]) < 0.5) if len(coefficients) else 0
    best = np.unravel_index(np.argmax(zeros), zeros.shape)
    return (int(best[0]) + top) % 8, (int(best[1]) + left) % 8


def _laplace_cdf(x: np.ndarray, scale: float) -> np.ndarray:
    half = 0.5 * np.exp(-np.abs(x) / scale)
    return np.where(x < 0, half, 1.0 - half)


def _lattice_loglik(coefficients: np.ndarray, steps: np.ndarray, scale: float) -> np.ndarray:
    """Log-likelihood of the coefficients quantised with each of ``steps``, shape ``steps.shape``.

    The source is Laplacian of ``scale``; a decoded coefficient spreads around its multiple of the
    step by pixel rounding, and a small share lies anywhere (clipped pixels).
    """
    steps = steps[:, None]
    multiple = np.round(coefficients[None, :] / steps)
    residual = coefficients[None, :] - multiple * steps
    mass = _laplace_cdf((multiple + 0.5) * steps, scale) - _laplace_cdf((multiple - 0.5) * steps, scale)
    density = mass * np.exp(-0.5 * (residual / _SPREAD) ** 2) / (_SPREAD * np.sqrt(2 * np.pi))
    return np.sum(np.log((1 - _OUTLIERS) * density + _OUTLIERS / _RANGE), axis=1)


def _quality_scores(coefficients: np.ndarray) -> np.ndarray:
    """Log-likelihood of the AC coefficients under each quality's luminance table, shape (100,)."""
    tables = _luma_tables()
    scores = np.zeros(100)
    for u, v in np.ndindex(8, 8):
        if u == v == 0:  # the DC term is no Laplacian around zero: left out
            continue
        values = coefficients[:, u, v]
        steps, index = np.unique(tables[:, u, v], return_inverse=True)
        scores += _lattice_loglik(values, steps, float(np.mean(np.abs(values))) + 1e-3)[index]
    return scores


def estimate_jpeg_quality(image: np.ndarray, seed: int = 0) -> int | None:
    """Estimate the IJG quality a decoded JPEG was compressed at, from its pixels.

    The 8x8 grid is located first (any crop of the JPEG works), then each IJG quality's
    luminance table is scored by how well its steps explain the block DCT coefficients of
    the luminance; the likeliest wins if it beats the same fit on a grid shifted by half a
    block, where no quantisation is visible.

    Parameters
    ----------
    image : ndarray
        Float image in ``[0, 1]``, HxW or HxWx3, as decoded (no resizing, filtering or
        noise since: those erase the trace).
    seed : int
        Seed of the choice of blocks on images with more than :data:`MAX_BLOCKS`.

    Returns
    -------
    int or None
        Quality 1–100, or None when the image shows no JPEG quantisation (never compressed,
        compressed near quality 100, resized or processed after decoding, or flat).

    Raises
    ------
    RestoreError
        For an image that does not follow the library's convention or is smaller than
        :data:`MIN_SIDE` pixels a side.

    Examples
    --------
    >>> import restore_core as rc
    >>> from skimage.data import astronaut
    >>> rc.estimate_jpeg_quality(rc.jpeg_compress(rc.to_float(astronaut()), 30))
    30
    """
    luma = _luminance(validate_image(image, "the image"))
    if min(luma.shape) < MIN_SIDE:
        raise RestoreError(
            f"the image is too small to estimate its JPEG quality ({luma.shape[1]}x{luma.shape[0]} px; "
            f"at least {MIN_SIDE}x{MIN_SIDE} px)."
        )
    offset = _grid_offset(luma)
    rng = np.random.default_rng(seed)

    def scores(grid: tuple[int, int]) -> tuple[np.ndarray, int]:
        coefficients = _block_dct(luma, grid)
        if len(coefficients) > MAX_BLOCKS:
            coefficients = coefficients[rng.choice(len(coefficients), MAX_BLOCKS, replace=False)]
        return _quality_scores(coefficients), coefficients.size

    on_grid, count = scores(offset)
    off_grid, _ = scores(((offset[0] + 4) % 8, (offset[1] + 4) % 8))
    if (on_grid.max() - off_grid.max()) / count < DETECTION_GAIN:
        return None
    return check_quality(int(np.argmax(on_grid)) + 1)


def with_estimated_quality(observation: Observation, seed: int = 0) -> Observation:
    """The observation with the JPEG quality estimated from its own image: artifact removal runs blind.

    Parameters
    ----------
    observation : Observation
        A ``jpeg`` observation; whatever quality it holds is replaced (a real photo's may be a guess).
    seed : int
        As for :func:`estimate_jpeg_quality`.

    Returns
    -------
    Observation
        The same observation, its ``quality`` the estimate.

    Raises
    ------
    RestoreError
        For another task, what :func:`estimate_jpeg_quality` refuses, or an image without a
        trace of JPEG compression (the message says to give the quality instead).
    """
    if "quality" not in get_task(observation.task).needs:
        raise RestoreError(f"the {observation.task} task has no JPEG quality to estimate.")
    quality = estimate_jpeg_quality(observation.image, seed=seed)
    if quality is None:
        raise RestoreError(
            "no trace of JPEG compression was found in this image (never compressed, saved near quality 100, "
            "or resized or edited after decoding): give its JPEG quality instead of estimating it."
        )
    return replace(observation, quality=quality)
