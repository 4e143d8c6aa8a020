"""Denoising: ``y = x + n`` with white Gaussian noise ``n`` of standard deviation σ (0–255 scale)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..noise import add_gaussian_noise
from .base import Protocol, Task

#: Largest noise level (0–255) the denoisers are trained for.
MAX_TRAIN_SIGMA = 50.0


class Denoise(Task):
    """Remove additive white Gaussian noise; networks are conditioned on the noise level (a map of σ/255)."""

    name = "denoise"
    label = "Denoise"
    needs_noise_level = True
    typical_sigma = 25.0
    preferred_methods = ("deconv_unet", "bm3d")
    protocol = Protocol(
        "additive white Gaussian noise of standard deviation σ (0–255 scale) on the [0, 1] image, not "
        "clipped unless --clip; PSNR/SSIM on all channels, no border crop.",
        "sigmas",
        "sigma",
        (15, 25, 50),
        lambda sigma: f"σ={sigma:g}",
    )
    validation_level = 25.0

    def training_inputs(
        self, clean: np.ndarray, rng: np.random.Generator, config: Mapping[str, Any], level: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Noisy patches, levels uniform in ``[0, MAX_TRAIN_SIGMA]`` unless ``level`` is given; condition σ/255."""
        sigmas = rng.uniform(0, MAX_TRAIN_SIGMA, len(clean)) if level is None else np.full(len(clean), level)
        noisy = np.stack([add_gaussian_noise(patch, sigma, rng) for patch, sigma in zip(clean, sigmas, strict=True)])
        return noisy, (sigmas / 255.0).astype(np.float32)[:, None]

    def training_text(self, config: Mapping[str, Any]) -> str:
        return (
            f"additive Gaussian noise, sigma uniform in [0, {MAX_TRAIN_SIGMA:g}] (0–255 scale), given as an input map"
        )

    def validation_text(self, config: Mapping[str, Any]) -> str:
        return f"sigma {self.validation_level:g}"
