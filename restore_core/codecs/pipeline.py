"""JPEG followed by learned artifact removal: the JPEG bitstream, decoded and then restored by
``deconv_jpeg`` told the quality (the classical codec + learned restoration pipeline)."""

from __future__ import annotations

import numpy as np

from ..tasks.jpeg import JPEG_QUALITIES as RESTORED_QUALITIES
from .base import Codec, register_codec
from .classical import JPEG_RATE_POINTS, jpeg_options, pillow_decode, pillow_encoder

#: The restoration method run on the decoded JPEG.
RESTORER = "deconv_jpeg"


def restored_decode(payload: bytes, shape: tuple[int, ...], quality: int) -> np.ndarray:
    """Decode the JPEG payload, then remove its artifacts with :data:`RESTORER` at ``quality``."""
    from ..observation import Observation
    from ..registry import restore

    decoded = pillow_decode(payload, shape, quality)
    observation = Observation(decoded, "jpeg", decoded.shape, sigma=0.0, quality=quality, clipped=True)
    return np.clip(restore(observation, RESTORER), 0.0, 1.0).astype(np.float32)


register_codec(
    Codec(
        f"jpeg+{RESTORER}", "learned", tuple(range(RESTORED_QUALITIES[0], RESTORED_QUALITIES[1] + 1)), 30,
        JPEG_RATE_POINTS, "jpg",
        f"JPEG 4:2:0 as the jpeg codec writes it, decoded and restored by {RESTORER} (same bits as jpeg)",
        pillow_encoder("JPEG", jpeg_options(2)), restored_decode,
    )
)  # fmt: skip
