"""The bitstream of :func:`compress`: a small header, then the codec's payload.

Layout (big-endian), version 1:

====================  =======  =====================================================
field                 bytes    meaning
====================  =======  =====================================================
magic                 4        ``b"DCAR"``
version               1        1
name length *n*       1        length of the codec name
codec name            *n*      ASCII, e.g. ``jpeg`` (see :func:`restore_core.list_codecs`)
height, width         4 + 4    image size
channels              1        1 (gray) or 3 (RGB)
quality               2        the quality it was encoded at
payload length        4        bytes after the header
payload CRC-32        4        checksum of the payload (zlib)
payload               ...      the codec's own stream (a JPEG, WebP or JPEG 2000 file for the classical codecs)
====================  =======  =====================================================

A stream that is not this format, was cut short, has bytes beyond its end or whose payload fails
its checksum is refused with a :class:`~restore_core.RestoreError` before any decoder sees it.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

from ..convert import to_uint8, validate_image
from ..errors import RestoreError
from .base import check_quality, get_codec

#: First bytes of every bitstream, and the format version written.
MAGIC, VERSION = b"DCAR", 1
_FIXED = struct.Struct(">4sBB")
_SHAPE = struct.Struct(">IIBHII")
#: Largest image side the decoder accepts (a header claiming more is corrupt or hostile).
MAX_SIDE = 1 << 15


@dataclass(frozen=True)
class Header:
    """What a bitstream's header says: codec name, image shape, quality and payload size."""

    codec: str
    shape: tuple[int, ...]
    quality: int
    payload_bytes: int
    checksum: int


def compress(image: np.ndarray, codec: str = "jpeg", quality: int | None = None) -> bytes:
    """Compress an image into a bitstream.

    Parameters
    ----------
    image : ndarray
        HxW or HxWx3, float in ``[0, 1]`` or ``uint8``; it is rounded to 8 bits first, as any
        image file is.
    codec : str
        A codec name of :func:`restore_core.list_codecs`.
    quality : int, optional
        One of the codec's ``qualities`` (higher: more bits); None takes its ``default_quality``.

    Returns
    -------
    bytes
        Header and payload (see the module docstring); its length is the file size.

    Raises
    ------
    RestoreError
        For an invalid image, an unknown codec or a quality the codec does not take.
    """
    chosen = get_codec(codec)
    quality = chosen.default_quality if quality is None else check_quality(chosen, quality)
    pixels = to_uint8(validate_image(image, "the image to compress"))
    payload = chosen.encode(pixels, quality)
    name = chosen.name.encode("ascii")
    height, width = pixels.shape[:2]
    channels = 3 if pixels.ndim == 3 else 1
    return (
        _FIXED.pack(MAGIC, VERSION, len(name))
        + name
        + _SHAPE.pack(height, width, channels, quality, len(payload), zlib.crc32(payload))
        + payload
    )


def read_header(data: bytes) -> tuple[Header, bytes]:
    """The header of a bitstream and its payload, checked (length, checksum, codec, shape).

    Raises
    ------
    RestoreError
        For anything that is not a whole, intact bitstream of a known codec.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise RestoreError(f"a bitstream is bytes, got {type(data).__name__}.")
    data = bytes(data)
    if len(data) < _FIXED.size or data[:4] != MAGIC:
        raise RestoreError("this is not a Deconv Arena bitstream (it does not start with the DCAR magic bytes).")
    _, version, name_length = _FIXED.unpack_from(data)
    if version != VERSION:
        raise RestoreError(f"bitstream version {version} is not supported (this library reads version {VERSION}).")
    start = _FIXED.size + name_length + _SHAPE.size
    if len(data) < start:
        raise RestoreError("the bitstream is truncated: it ends inside its header.")
    try:
        name = data[_FIXED.size : _FIXED.size + name_length].decode("ascii")
    except UnicodeDecodeError:
        raise RestoreError("the bitstream is corrupted: its codec name is not ASCII.") from None
    codec = get_codec(name)
    height, width, channels, quality, length, checksum = _SHAPE.unpack_from(data, _FIXED.size + name_length)
    if not (0 < height <= MAX_SIDE and 0 < width <= MAX_SIDE) or channels not in (1, 3):
        raise RestoreError(f"the bitstream is corrupted: it claims a {width}x{height}x{channels} image.")
    check_quality(codec, quality)
    payload = data[start:]
    if len(payload) < length:
        raise RestoreError(f"the bitstream is truncated: {len(payload)} of its {length} payload bytes are there.")
    if len(payload) > length:
        raise RestoreError(f"the bitstream has {len(payload) - length} unexpected bytes after its end.")
    if zlib.crc32(payload) != checksum:
        raise RestoreError("the bitstream is corrupted: its payload does not match its checksum.")
    shape = (height, width, 3) if channels == 3 else (height, width)
    return Header(codec.name, shape, quality, length, checksum), payload


def decompress(data: bytes) -> np.ndarray:
    """Decode a bitstream of :func:`compress` back to an image.

    Parameters
    ----------
    data : bytes
        The whole bitstream.

    Returns
    -------
    ndarray
        float32 in ``[0, 1]``, the shape that was compressed.

    Raises
    ------
    RestoreError
        For a truncated, corrupted or foreign bitstream (see :func:`read_header`), or a payload its
        decoder cannot read.
    """
    header, payload = read_header(data)
    try:
        image = get_codec(header.codec).decode(payload, header.shape, header.quality)
    except RestoreError:
        raise
    except Exception as error:  # a decoder's own failure on a payload that passed the checksum
        raise RestoreError(f"the {header.codec} payload cannot be decoded: {error}") from None
    if image.shape != header.shape:
        raise RestoreError(
            f"the {header.codec} payload holds a {image.shape} image, not the {header.shape} of its header."
        )
    return image
