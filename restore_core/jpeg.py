"""JPEG compression through a real encoder (libjpeg via Pillow), gray or colour."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image

from .convert import to_uint8, validate_image
from .errors import RestoreError


def check_quality(quality: int) -> int:
    """Return the JPEG quality as an int, or raise unless it is an integer in 1–100."""
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) or not 1 <= quality <= 100:
        raise RestoreError(f"the JPEG quality must be an integer from 1 to 100, got {quality!r}.")
    return int(quality)


def _encode(image: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def jpeg_compress(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode an image as baseline JPEG (4:2:0 chroma subsampling for colour).

    The image is first rounded to 8 bits, as any JPEG file is.

    Parameters
    ----------
    image : ndarray
        Float image in ``[0, 1]`` or ``uint8`` image, HxW or HxWx3.
    quality : int
        IJG quality factor, 1 (worst) to 100.

    Returns
    -------
    ndarray
        The decoded image, ``float32`` in ``[0, 1]``.

    Raises
    ------
    RestoreError
        For an image that does not follow the library's convention or a bad quality.
    """
    data = _encode(validate_image(image, "the image to compress"), check_quality(quality))
    with Image.open(io.BytesIO(data)) as decoded:
        return np.asarray(decoded, dtype=np.float32) / 255.0


@lru_cache(maxsize=128)
def quantization_tables(quality: int) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 luminance and chrominance quantisation tables of the encoder at ``quality``.

    Read from a real encoding (libjpeg's scaling of the tables of the JPEG standard's Annex K),
    in natural (row-major) order; read-only arrays.
    """
    data = _encode(np.zeros((8, 8, 3), dtype=np.float32), check_quality(quality))
    with Image.open(io.BytesIO(data)) as decoded:
        tables = tuple(np.asarray(decoded.quantization[index], dtype=np.float64).reshape(8, 8) for index in (0, 1))
    for table in tables:
        table.flags.writeable = False
    return tables


def quantization_noise_sigma(quality: int) -> float:
    """Root-mean-square uniform-quantisation error of the luminance DCT coefficients (0–255 scale).

    ``sqrt(mean(step**2 / 12))`` over the 64 coefficients: an upper bound of the
    compression error that deblocking methods scale to set their strength.
    """
    steps = quantization_tables(quality)[0]
    return float(np.sqrt(np.mean(steps**2 / 12.0)))
