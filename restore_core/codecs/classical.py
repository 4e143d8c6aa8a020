"""Classical codecs through Pillow: JPEG (libjpeg-turbo; 4:2:0 and 4:4:4 chroma), WebP (libwebp) and
JPEG 2000 (OpenJPEG, when the installed Pillow has it: :func:`PIL.features.check` ``'jpg_2000'``).

Each is run at its best setting for size, as a careful user would: JPEG with optimised Huffman
tables (the decoded pixels are those of the default tables), WebP at its slowest, best method (6),
JPEG 2000 with the irreversible 9/7 wavelet, one quality layer, as a raw codestream.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image, features

from .base import Codec, Encoder, register_codec

#: The JPEG qualities (IJG scale) and the benchmark's rate points of JPEG-based codecs.
JPEG_QUALITIES = tuple(range(1, 101))
JPEG_RATE_POINTS = (5, 10, 20, 30, 40, 50, 60, 70, 80, 90)
#: JPEG 2000 qualities: the PSNR (dB) OpenJPEG aims at for its one layer.
JPEG2000_QUALITIES = tuple(range(20, 61))


def pillow_encoder(image_format: str, options: Callable[[int], dict[str, Any]]) -> Encoder:
    """An encoder saving through Pillow in ``image_format`` with ``options(quality)``."""

    def encode(pixels: np.ndarray, quality: int) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format=image_format, **options(quality))
        return buffer.getvalue()

    return encode


def pillow_decode(payload: bytes, shape: tuple[int, ...], quality: int) -> np.ndarray:
    """Decode a payload Pillow reads, as gray or RGB after ``shape``, float32 in ``[0, 1]``."""
    with Image.open(io.BytesIO(payload)) as picture:
        picture.load()
        return np.asarray(picture.convert("RGB" if len(shape) == 3 else "L"), dtype=np.float32) / 255.0


def jpeg_options(subsampling: int) -> Callable[[int], dict[str, Any]]:
    """Pillow's JPEG options at a quality, with chroma ``subsampling`` (2: 4:2:0, 0: 4:4:4)."""
    return lambda quality: {"quality": quality, "subsampling": subsampling, "optimize": True}


for name, subsampling, chroma in (("jpeg", 2, "4:2:0 chroma"), ("jpeg444", 0, "4:4:4 chroma (no subsampling)")):
    register_codec(
        Codec(
            name, "classical", JPEG_QUALITIES, 75, JPEG_RATE_POINTS, "jpg",
            f"JPEG (libjpeg-turbo), {chroma}, optimised Huffman tables",
            pillow_encoder("JPEG", jpeg_options(subsampling)), pillow_decode,
        )
    )  # fmt: skip
if features.check("webp"):
    register_codec(
        Codec(
            "webp", "classical", tuple(range(0, 101)), 75, JPEG_RATE_POINTS, "webp",
            "WebP (libwebp), lossy, method 6",
            pillow_encoder("WEBP", lambda quality: {"quality": quality, "method": 6}), pillow_decode,
        )
    )  # fmt: skip
if features.check("jpg_2000"):
    register_codec(
        Codec(
            "jpeg2000", "classical", JPEG2000_QUALITIES, 36, tuple(range(24, 44, 2)), "j2k",
            "JPEG 2000 (OpenJPEG), 9/7 wavelet, one layer; quality = the PSNR (dB) it aims at",
            pillow_encoder(
                "JPEG2000",
                lambda quality: {"quality_mode": "dB", "quality_layers": [quality], "irreversible": True,
                                 "no_jp2": True, "mct": 1},
            ),
            pillow_decode,
        )
    )  # fmt: skip
