"""JPEG artifact removal: ``y = JPEG_q(x + n)``, libjpeg at quality ``q`` (the observation is clipped to 8 bits)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..convert import quantize, rgb_to_y
from ..jpeg import check_quality, jpeg_compress
from .base import Protocol, Task

#: JPEG qualities the artifact-removal networks are trained for (inclusive).
JPEG_QUALITIES = (5, 95)


class JpegArtifacts(Task):
    """Remove blocking and ringing of a known quality; networks are conditioned on it (a map of q/100)."""

    name = "jpeg"
    label = "JPEG artefacts"
    needs = ("quality",)
    clips = True
    preferred_methods = ("deconv_jpeg", "bm3d_deblock")
    protocol = Protocol(
        "the Y channel of MATLAB rgb2ycbcr, rounded to 8 bits (gray images as they are), is JPEG-compressed "
        "by libjpeg at quality q, or the RGB image with --color (4:2:0); PSNR/SSIM against that gray "
        "(or RGB) image, no border crop.",
        "qualities",
        "quality",
        (10, 20, 30, 40),
        lambda quality: f"q={quality}",
        rgb_option=True,
    )
    train_on_luma = True
    validation_level = 10

    def check_own(self, clean_shape: tuple[int, ...], quality: Any = None, **_: Any) -> dict[str, Any]:
        return {"quality": check_quality(quality)}

    def finish(self, observed: np.ndarray, model: Mapping[str, Any], clip: bool) -> np.ndarray:
        """Compressed last (after the noise), which clips to ``[0, 1]``."""
        return jpeg_compress(np.clip(observed, 0.0, 1.0), model["quality"])

    def ground_truth(self, image: np.ndarray, scale: int | None = None, color: bool = False) -> np.ndarray:
        """The 8-bit Y channel (MATLAB rgb2ycbcr), or the image itself with ``color``."""
        return image if color else quantize(rgb_to_y(image))

    def training_inputs(
        self, clean: np.ndarray, rng: np.random.Generator, config: Mapping[str, Any], level: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each patch compressed on its own (8x8 grid at its corner), qualities uniform in :data:`JPEG_QUALITIES`.

        The condition is q/100; ``level`` fixes the quality.
        """
        low, high = JPEG_QUALITIES
        qualities = rng.integers(low, high + 1, len(clean)) if level is None else np.full(len(clean), level)
        compressed = np.stack(
            [
                jpeg_compress(patch[..., 0] if patch.shape[-1] == 1 else patch, int(q)).reshape(patch.shape)
                for patch, q in zip(clean, qualities, strict=True)
            ]
        )
        return compressed, (qualities / 100.0).astype(np.float32)[:, None]

    def training_text(self, config: Mapping[str, Any]) -> str:
        low, high = JPEG_QUALITIES
        return f"libjpeg compression of each patch, quality uniform in [{low}, {high}], given as an input map (q/100)"

    def validation_text(self, config: Mapping[str, Any]) -> str:
        return f"quality {self.validation_level}"
