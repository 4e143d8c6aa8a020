"""Pictures the demo shows beside the restorations: kernel and its frequency response, error maps, zoom crops.

These only turn arrays into 8-bit pictures for display; every restoration and
metric is computed by :mod:`restore_core`.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps

import restore_core as rc

#: Side of the kernel and spectrum pictures.
PICTURE_SIDE = 160
#: Side the zoom crops are enlarged to.
ZOOM_SIDE = 192
#: Absolute error shown as full brightness in the error maps.
ERROR_RANGE = 0.2


def _colour(values: np.ndarray, name: str) -> np.ndarray:
    """Map values in [0, 1] through a matplotlib colormap to 8-bit RGB."""
    return (colormaps[name](np.clip(values, 0.0, 1.0))[..., :3] * 255 + 0.5).astype(np.uint8)


def _enlarge(image: np.ndarray, side: int) -> np.ndarray:
    """Nearest-neighbour enlargement by a whole factor so the larger side is about ``side`` (pixels stay square)."""
    factor = max(1, side // max(image.shape[:2]))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def kernel_picture(kernel: np.ndarray) -> np.ndarray:
    """The kernel as an 8-bit picture, brightest weight white, enlarged with visible pixels."""
    return _enlarge(rc.to_uint8(kernel / kernel.max()), PICTURE_SIDE)


def spectrum_picture(kernel: np.ndarray) -> tuple[np.ndarray, str]:
    """The kernel's frequency response magnitude (log scale, zero frequency at the centre) and a caption.

    Returns
    -------
    picture : ndarray
        8-bit RGB, :data:`PICTURE_SIDE` square; the colour runs from 1e-3 (dark) to 1 (bright).
    caption : str
        The smallest gain, i.e. how much the blur loses at its worst frequency.
    """
    response = rc.frequency_response(kernel, (PICTURE_SIDE, PICTURE_SIDE))
    decibels = 20 * np.log10(np.maximum(response, 1e-12))
    caption = f"|K(f)|, log scale 1e-3 … 1; weakest frequency {decibels.min():.0f} dB"
    return _colour(1 + np.log10(np.maximum(response, 1e-3)) / 3, "viridis"), caption


def noise_map_picture(level: np.ndarray) -> tuple[np.ndarray, str]:
    """A noise level map (0–255 scale) as a colour picture, and a caption with its scale.

    Returns
    -------
    picture : ndarray
        8-bit RGB at the map's size; the colour runs from 0 (dark) to the map's top level, rounded up.
    caption : str
        The scale and the mean level.
    """
    top = max(float(np.ceil(np.percentile(level, 99.5))), 1.0)
    caption = f"Noise σ the learned model reads: 0 (dark) … {top:g} (bright), mean {float(level.mean()):.1f}"
    return _colour(level / top, "viridis"), caption


def error_map(result: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Absolute error (mean over channels) as an 8-bit picture: black is exact, bright is :data:`ERROR_RANGE`."""
    error = np.abs(result.astype(np.float32) - clean)
    if error.ndim == 3:
        error = error.mean(axis=2)
    return _colour(error / ERROR_RANGE, "inferno")


def zoom_crop(image: np.ndarray, centre_x: float, centre_y: float, fraction: float) -> np.ndarray:
    """The same square window of any image, enlarged with visible pixels.

    Parameters
    ----------
    image : ndarray
        Image to crop.
    centre_x, centre_y : float
        Window centre as fractions of the width and height, in ``[0, 1]``.
    fraction : float
        Window side as a fraction of the shorter image side, in ``(0, 1]``.
    """
    height, width = image.shape[:2]
    side = max(4, min(height, width, round(fraction * min(height, width))))
    top = int(np.clip(round(centre_y * height - side / 2), 0, height - side))
    left = int(np.clip(round(centre_x * width - side / 2), 0, width - side))
    return _enlarge(image[top : top + side, left : left + side], ZOOM_SIDE)
