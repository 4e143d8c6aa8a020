"""Compress to a target bitrate (bisection over a codec's qualities) and trace an image's rate–distortion curve."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..convert import quantize, validate_image
from ..errors import RestoreError
from ..metrics import psnr, ssim
from .base import get_codec
from .bitstream import compress, decompress, read_header

#: ``progress(done, total)`` after each encoding.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Encoding:
    """One encoding of an image: codec, quality, the bitstream, its file's bits per pixel, the decoded image and
    the seconds it took (every encoding of the search and the decoding)."""

    codec: str
    quality: int
    data: bytes
    bpp: float
    image: np.ndarray
    seconds: float

    @property
    def file(self) -> bytes:
        """The codec's file (see :func:`coded_file`)."""
        return coded_file(self.data)


def coded_file(data: bytes) -> bytes:
    """The codec's own file in a bitstream: the payload when it stands alone (the JPEG, WebP or JPEG 2000 file
    of a classical codec, which a viewer opens), else the whole bitstream (see :attr:`Codec.standalone`)."""
    header, payload = read_header(data)
    return payload if get_codec(header.codec).standalone else bytes(data)


def file_bpp(data: bytes, shape: tuple[int, ...]) -> float:
    """Bits per pixel of a bitstream's :func:`coded_file`."""
    return 8.0 * len(coded_file(data)) / (shape[0] * shape[1])


def compress_to_rate(image: np.ndarray, codec: str, bpp: float, progress: Progress | None = None) -> Encoding:
    """Compress an image at the quality whose file (:func:`coded_file`) is nearest ``bpp`` bits per pixel.

    Bisection over the codec's qualities (its rate grows with the quality), then the nearer of the
    two qualities around the target; about log2 of the number of qualities encodings, one decoding.

    Parameters
    ----------
    image : ndarray
        HxW or HxWx3, float in ``[0, 1]`` or ``uint8`` (rounded to 8 bits first).
    codec : str
        A codec of :func:`restore_core.list_codecs`.
    bpp : float
        Target bits per pixel, positive.
    progress : callable, optional
        ``progress(done, total)`` after each encoding (``total`` is an upper bound).

    Returns
    -------
    Encoding

    Raises
    ------
    RestoreError
        For an invalid image, codec or target.

    Examples
    --------
    >>> import restore_core as rc
    >>> from restore_core.codecs.rate import compress_to_rate
    >>> from skimage.data import astronaut
    >>> encoding = compress_to_rate(rc.to_float(astronaut()), "jpeg", 0.5)
    >>> 0.4 < encoding.bpp < 0.6
    True
    """
    if isinstance(bpp, bool) or not isinstance(bpp, (int, float, np.floating)) or not 0 < bpp < 64:
        raise RestoreError(
            f"the target bitrate must be a number of bits per pixel above 0 (and below 64), got {bpp!r}."
        )
    started = time.perf_counter()
    pixels = quantize(validate_image(image, "the image to compress"))
    qualities = get_codec(codec).qualities
    total = int(np.ceil(np.log2(len(qualities)))) + 2
    cache: dict[int, bytes] = {}

    def rate(index: int) -> float:
        if index not in cache:
            cache[index] = compress(pixels, codec, qualities[index])
            if progress is not None:
                progress(len(cache), total)
        return file_bpp(cache[index], pixels.shape)

    low, high = 0, len(qualities) - 1
    while low < high:  # the first quality at or above the target (or the highest)
        middle = (low + high) // 2
        if rate(middle) < bpp:
            low = middle + 1
        else:
            high = middle
    best = min({low, max(low - 1, 0)}, key=lambda index: abs(rate(index) - bpp))
    data = cache[best]
    decoded = decompress(data)
    return Encoding(codec, qualities[best], data, file_bpp(data, pixels.shape), decoded, time.perf_counter() - started)


def rate_curve(
    image: np.ndarray, codec: str, progress: Progress | None = None
) -> list[tuple[int, float, float, float]]:
    """``(quality, bpp, PSNR, SSIM)`` of an image at each of a codec's rate points (bpp of its file).

    Raises
    ------
    RestoreError
        For an invalid image or codec.
    """
    pixels = quantize(validate_image(image, "the image to compress"))
    points = []
    rate_points = get_codec(codec).rate_points
    for done, quality in enumerate(rate_points, 1):
        data = compress(pixels, codec, quality)
        decoded = decompress(data)
        points.append((quality, file_bpp(data, pixels.shape), psnr(pixels, decoded), ssim(pixels, decoded)))
        if progress is not None:
            progress(done, len(rate_points))
    return points
