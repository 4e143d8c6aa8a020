"""What a learned codec trains on: clean patches at random qualities, scored by its rate–distortion loss.

The codec counterpart of a restoration task (both are :class:`~restore_core.tasks.base.TrainingDeclaration`),
used by the training loop for models whose task is :data:`CODEC_TASK`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from ..tasks.base import TrainingDeclaration

#: The ``task`` of a codec's :class:`~restore_core.nets.specs.ModelSpec`.
CODEC_TASK = "compress"
#: Qualities of the validation score, and the side of its centre crops.
VALIDATION_QUALITIES, VALIDATION_SIDE = (1.0, 50.0, 100.0), 256


class CodecTraining(TrainingDeclaration):
    """The training declaration of a learned codec (see :mod:`restore_core.nets.codec`)."""

    name = CODEC_TASK
    score_names = ("Validation rate–distortion loss (lower is better)", "validation loss", 4)

    def training_inputs(
        self, clean: np.ndarray, rng: np.random.Generator, config: Mapping[str, Any], level: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The clean patches themselves, and a quality per patch, uniform in [1, 100] (``level`` fixes it)."""
        qualities = rng.uniform(1.0, 100.0, len(clean)) if level is None else np.full(len(clean), float(level))
        return clean, qualities.astype(np.float32)[:, None]

    def training_text(self, config: Mapping[str, Any]) -> str:
        return "none (the codec reconstructs the clean patch); quality uniform in [1, 100] per patch"

    def validation_text(self, config: Mapping[str, Any]) -> str:
        qualities = ", ".join(f"{quality:g}" for quality in VALIDATION_QUALITIES)
        return (f"bits per pixel + λ(q) · 255² · MSE with the latents rounded, mean over qualities {qualities}, "
                f"centre {VALIDATION_SIDE}x{VALIDATION_SIDE} crops")  # fmt: skip

    def validation_score(self, network: torch.nn.Module, images: Sequence[np.ndarray], device: torch.device) -> float:
        """The mean rate–distortion loss of the held-out images at :data:`VALIDATION_QUALITIES` (rounded latents)."""
        losses = []
        network.eval()
        with torch.inference_mode():
            for image in images:
                top, left = [(size - VALIDATION_SIDE) // 2 for size in image.shape[:2]]
                crop = image[max(top, 0) : top + VALIDATION_SIDE, max(left, 0) : left + VALIDATION_SIDE]
                crop = crop[: crop.shape[0] // network.multiple * network.multiple,
                            : crop.shape[1] // network.multiple * network.multiple]  # fmt: skip
                batch = torch.from_numpy(np.ascontiguousarray(np.moveaxis(crop, -1, 0)))[None].to(device)
                for quality in VALIDATION_QUALITIES:
                    losses.append(network.loss(batch, torch.tensor([[quality]], device=device), batch).item())
        network.train()
        return float(np.mean(losses))


CODEC_TRAINING = CodecTraining()
