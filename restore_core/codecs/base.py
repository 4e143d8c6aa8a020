"""The codec declaration and the one list of codecs (:func:`list_codecs`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import RestoreError

#: ``encode(image, quality) -> payload``: an 8-bit image (``uint8``, HxW or HxWx3) to the codec's own bytes.
Encoder = Callable[[np.ndarray, int], bytes]
#: ``decode(payload, shape, quality) -> image``: the payload back to a float32 image of ``shape`` in ``[0, 1]``.
Decoder = Callable[[bytes, tuple[int, ...], int], np.ndarray]


@dataclass(frozen=True)
class Codec:
    """An image codec.

    Attributes
    ----------
    name : str
        What :func:`restore_core.compress` takes as ``codec``.
    family : {'classical', 'learned'}
        Learned when a trained network encodes or decodes (a learned restoration after a classical
        decoder counts).
    qualities : tuple of int
        The valid ``quality`` values, from the lowest to the highest rate.
    default_quality : int
        The quality used when none is given.
    rate_points : tuple of int
        The qualities the benchmark draws its rate–distortion curve through.
    extension : str
        File extension of the codec's file (``jpg``, ``webp``, ``j2k``, ``dcar``).
    description : str
        One line for people.
    encode, decode : callable
        See :data:`Encoder` and :data:`Decoder`.
    standalone : bool
        Whether the payload is a file on its own that a viewer opens (a JPEG). If not (the learned
        codec, whose payload needs the image shape and quality of the header), the codec's file is
        the whole bitstream, and its bits per pixel count the header.
    """

    name: str
    family: str
    qualities: tuple[int, ...]
    default_quality: int
    rate_points: tuple[int, ...]
    extension: str
    description: str
    encode: Encoder = field(repr=False, compare=False)
    decode: Decoder = field(repr=False, compare=False)
    standalone: bool = True


#: The registered codecs, by name, in the order they are listed.
CODECS: dict[str, Codec] = {}


def register_codec(codec: Codec) -> Codec:
    """Add ``codec`` to :data:`CODECS` (its name must be new); return it."""
    if codec.name in CODECS:
        raise ValueError(f"codec {codec.name!r} is registered twice")
    if codec.default_quality not in codec.qualities or not set(codec.rate_points) <= set(codec.qualities):
        raise ValueError(f"codec {codec.name!r}: its default quality and rate points must be valid qualities")
    CODECS[codec.name] = codec
    return codec


def list_codecs(family: str | None = None) -> tuple[Codec, ...]:
    """The codecs (of one ``family``, 'classical' or 'learned', when given), classical first.

    Examples
    --------
    >>> import restore_core as rc
    >>> [codec.name for codec in rc.list_codecs("classical")][:2]
    ['jpeg', 'jpeg444']
    """
    order = ("classical", "learned")
    chosen = [codec for codec in CODECS.values() if family is None or codec.family == family]
    return tuple(sorted(chosen, key=lambda codec: order.index(codec.family)))


def get_codec(name: str) -> Codec:
    """The codec called ``name``.

    Raises
    ------
    RestoreError
        For an unknown name (the message lists the codecs).
    """
    if not isinstance(name, str) or name not in CODECS:
        raise RestoreError(f"unknown codec {name!r}; choose {', '.join(CODECS)}.")
    return CODECS[name]


def check_quality(codec: Codec, quality: object) -> int:
    """``quality`` as an int when it is one of ``codec``'s qualities, else a RestoreError saying which are."""
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) or int(quality) not in codec.qualities:
        low, high = codec.qualities[0], codec.qualities[-1]
        raise RestoreError(f"the {codec.name} quality must be a whole number from {low} to {high}, got {quality!r}.")
    return int(quality)
