"""Denoising: ``y = x + n`` with white Gaussian noise ``n`` of standard deviation σ (0–255 scale)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import ndimage

from ..camera_noise import CAMERA_LEVELS, add_camera_noise
from ..convert import BT601_LUMA
from ..noise import add_gaussian_noise
from .base import Protocol, Task

#: Largest noise level (0–255) the denoisers are trained for.
MAX_TRAIN_SIGMA = 50.0
#: Camera noise of training (``config["noise"] == "camera"``): shot-noise factors log-uniform in this range
#: (Brooks et al.'s), a JPEG of quality uniform in ``TRAIN_CAMERA_QUALITIES`` for this share of the patches.
TRAIN_SHOT_RANGE, TRAIN_CAMERA_JPEG, TRAIN_CAMERA_QUALITIES = (1e-4, 1.2e-2), 0.3, (70, 95)
#: Saturation augmentation of training (``config["saturation"] = (share, largest factor)``): that share of
#: the clean patches has its chroma (the difference to the luma) scaled by a factor uniform in
#: ``[1, largest]`` before the noise is added, so the vivid colours of product and graphics photos, rare in
#: BSDS400, are seen in training: without it the colour model leans on the channels' correlation and loses
#: to denoising them apart on saturated images (and, with camera noise, a camera's colour matrix and tone
#: curve amplify the noise of the weak channels there).
SATURATION_CONFIG = "saturation"
#: Window (Gaussian sigma, pixels) of the local noise level a camera-noise model learns to estimate.
LEVEL_WINDOW = 2.0


def local_noise_level(noisy: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """The local RMS of ``noisy - clean`` over the channels and a Gaussian window, HxWx1 (``[0, 1]`` scale)."""
    power = np.mean((noisy - clean) ** 2, axis=-1)
    return np.sqrt(ndimage.gaussian_filter(power, LEVEL_WINDOW, mode="reflect"))[..., None].astype(np.float32)


class Denoise(Task):
    """Remove additive white Gaussian noise; networks are conditioned on the noise level (a map of σ/255)."""

    name = "denoise"
    label = "Denoise"
    needs_noise_level = True
    typical_sigma = 25.0
    preferred_methods = ("deconv_unet", "bm3d")
    noise_map = True
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
        """Noisy patches, levels uniform in ``[0, MAX_TRAIN_SIGMA]`` unless ``level`` is given; condition σ/255.

        A model with ``config["noise"] == "camera"`` gets camera noise instead (:meth:`camera_inputs`).
        """
        if config.get("noise") == "camera":
            return self.camera_inputs(clean, rng, level)
        sigmas = rng.uniform(0, MAX_TRAIN_SIGMA, len(clean)) if level is None else np.full(len(clean), level)
        noisy = np.stack([add_gaussian_noise(patch, sigma, rng) for patch, sigma in zip(clean, sigmas, strict=True)])
        return noisy, (sigmas / 255.0).astype(np.float32)[:, None]

    def augment_clean(self, clean: np.ndarray, rng: np.random.Generator, config: Mapping[str, Any]) -> np.ndarray:
        """Colour patches more saturated at random when ``config["saturation"]`` asks (:data:`SATURATION_CONFIG`)."""
        if SATURATION_CONFIG not in config or clean.shape[-1] != 3:
            return clean
        share, largest = config[SATURATION_CONFIG]
        chosen = rng.random(len(clean)) < share
        factors = rng.uniform(1.0, largest, len(clean))[chosen, None, None, None]
        augmented, picked = clean.copy(), clean[chosen]
        luma = (picked @ BT601_LUMA.astype(clean.dtype))[..., None]
        augmented[chosen] = np.clip(luma + factors * (picked - luma), 0.0, 1.0)
        return augmented

    def camera_inputs(
        self, clean: np.ndarray, rng: np.random.Generator, level: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Colour patches with a random camera's noise (:func:`~restore_core.camera_noise.add_camera_noise`).

        Shot-noise factors are log-uniform in :data:`TRAIN_SHOT_RANGE` (``level`` given: the
        ``medium`` level, no JPEG); :data:`TRAIN_CAMERA_JPEG` of them are then JPEG-compressed.
        The condition is the true local noise level (:func:`local_noise_level`), HxWx1 per patch.
        """
        noisy, levels = [], []
        for patch in clean:
            shot = CAMERA_LEVELS["medium"] if level is not None else np.exp(rng.uniform(*np.log(TRAIN_SHOT_RANGE)))
            quality = None
            if level is None and rng.random() < TRAIN_CAMERA_JPEG:
                quality = int(rng.integers(TRAIN_CAMERA_QUALITIES[0], TRAIN_CAMERA_QUALITIES[1] + 1))
            image = add_camera_noise(patch, float(shot), rng, quality)[0]
            noisy.append(image)
            levels.append(local_noise_level(image, patch))
        return np.stack(noisy), np.stack(levels)

    def training_text(self, config: Mapping[str, Any]) -> str:
        if config.get("noise") == "camera":
            low, high = TRAIN_SHOT_RANGE
            return (
                f"simulated camera noise (restore_core.camera_noise: Poisson-Gaussian at a random camera's sensor, "
                f"shot-noise factor log-uniform in [{low:g}, {high:g}], demosaicked, processed to 8-bit sRGB; "
                f"{TRAIN_CAMERA_JPEG:.0%} then JPEG at qualities {TRAIN_CAMERA_QUALITIES[0]}-"
                f"{TRAIN_CAMERA_QUALITIES[1]}); the estimator learns the local noise level (RMS over a Gaussian "
                f"window of sigma {LEVEL_WINDOW:g} px)" + self._saturation_text(config)
            )
        return (
            f"additive Gaussian noise, sigma uniform in [0, {MAX_TRAIN_SIGMA:g}] (0–255 scale), given as an input map"
            + self._saturation_text(config)
        )

    @staticmethod
    def _saturation_text(config: Mapping[str, Any]) -> str:
        if SATURATION_CONFIG not in config:
            return ""
        share, largest = config[SATURATION_CONFIG]
        return f"; {share:.0%} of the clean patches first saturated by a factor uniform in [1, {largest:g}]"

    def validation_text(self, config: Mapping[str, Any]) -> str:
        if config.get("noise") == "camera":
            return "camera noise, medium level"
        return f"sigma {self.validation_level:g}"
