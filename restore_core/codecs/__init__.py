"""Image codecs: classical (JPEG, WebP, JPEG 2000 through Pillow) and learned, behind one list.

:func:`compress` turns an image into a self-describing bitstream (:mod:`.bitstream`: magic, version,
codec, shape, quality, payload length and checksum) and :func:`decompress` turns it back;
:func:`list_codecs` lists what the demo and the benchmark offer: the classical codecs, JPEG followed
by learned artifact removal (:mod:`.pipeline`) and the learned transform codec (:mod:`.learned`).

Examples
--------
>>> import restore_core as rc
>>> from skimage.data import astronaut
>>> image = rc.to_float(astronaut())
>>> data = rc.compress(image, codec="jpeg", quality=50)
>>> restored = rc.decompress(data)
>>> restored.shape == image.shape and len(data) < image.size
True
"""

from . import classical as _classical  # noqa: F401  (registers the Pillow codecs)
from . import learned as _learned  # noqa: F401  (registers the learned codec)
from . import pipeline as _pipeline  # noqa: F401  (registers JPEG + learned restoration)
from .base import CODECS, Codec, get_codec, list_codecs
from .bitstream import MAGIC, compress, decompress, read_header
from .rate import Encoding, coded_file, compress_to_rate, file_bpp, rate_curve

__all__ = [
    "CODECS", "MAGIC", "Codec", "Encoding", "coded_file", "compress", "compress_to_rate", "decompress", "file_bpp",
    "get_codec", "list_codecs", "rate_curve", "read_header",
]  # fmt: skip
