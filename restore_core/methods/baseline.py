"""The ``identity`` baseline: the degraded input itself, the "no restoration" row of every table."""

from __future__ import annotations

import numpy as np

from ..boundary import extend_for_fft
from ..observation import Observation
from ..registry import register


@register(
    "identity",
    "Degraded input",
    "classical",
    ["denoise", "deblur", "jpeg", "inpaint"],
    description="No restoration: the observation as it is (a 'valid' blur is edge-padded to the full size).",
    baseline=True,
)
def identity(observation: Observation) -> np.ndarray:
    """Return the observed image (edge-padded to the clean size for a 'valid' blur)."""
    if observation.image.shape[:2] != observation.clean_shape[:2]:  # of these tasks, only a 'valid' blur shrinks
        padded, _ = extend_for_fft(observation, margin=0)
        return padded
    return observation.image
