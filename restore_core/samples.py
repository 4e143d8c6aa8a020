"""Built-in test photos: scikit-image's sample images, resized and cropped the same way everywhere.

The demo and the benchmark's built-in set both use :func:`sample_image`, so a
sample means the same pixels in both.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import skimage.data

from .convert import MIN_SIDE, quantize, to_float
from .errors import RestoreError
from .imresize import imresize

#: scikit-image sample photos offered as built-in images, in this order.
SAMPLE_PHOTOS = ("camera", "moon", "astronaut", "coffee", "chelsea", "rocket")
#: Largest side of a sample (8 times the photos' own size; each cached sample is a full-size array).
MAX_SAMPLE_SIDE = 4096


@lru_cache(maxsize=32)
def _sample(name: str, side: int) -> np.ndarray:
    image = to_float(getattr(skimage.data, name)())
    height, width = image.shape[:2]
    scale = side / min(height, width)
    height, width = round(height * scale), round(width * scale)
    image = imresize(image, output_shape=(height, width))
    top, left = (height - side) // 2, (width - side) // 2
    crop = quantize(image[top : top + side, left : left + side])
    crop.flags.writeable = False
    return crop


def sample_image(name: str, side: int = 256) -> np.ndarray:
    """A scikit-image sample photo: short side resized to ``side`` (MATLAB bicubic), centre crop.

    Parameters
    ----------
    name : str
        One of :data:`SAMPLE_PHOTOS`.
    side : int, optional
        Side of the square result, in pixels.

    Returns
    -------
    ndarray
        Read-only ``float32`` square image in ``[0, 1]`` holding 8-bit levels (gray or RGB),
        the same array on every call with the same arguments.

    Raises
    ------
    RestoreError
        For an unknown name or a side below 8 or above 4096 pixels.
    """
    if not isinstance(name, str) or name not in SAMPLE_PHOTOS:
        raise RestoreError(f"unknown sample image {name!r}; choose one of {', '.join(SAMPLE_PHOTOS)}.")
    if isinstance(side, bool) or not isinstance(side, (int, np.integer)) or not MIN_SIDE <= side <= MAX_SAMPLE_SIDE:
        raise RestoreError(
            f"the sample side must be a whole number from {MIN_SIDE} to {MAX_SAMPLE_SIDE} pixels, got {side!r}."
        )
    return _sample(name, int(side))
