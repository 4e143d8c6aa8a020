"""Classical JPEG artifact removal: BM3D deblocking with a strength set by the quantisation table."""

from __future__ import annotations

import numpy as np

from ..jpeg import quantization_noise_sigma
from ..observation import Observation
from ..registry import Param, register
from ..tuned import tuned_rule
from .denoising import bm3d_denoise

#: Ratio of the effective compression-noise level to the table's quantisation RMS (fitted on training images:
#: ``tuned.json``).
DEBLOCK_FACTOR = tuned_rule("DEBLOCK_FACTOR").a


@register(
    "bm3d_deblock",
    "BM3D deblocking",
    "classical",
    ["jpeg"],
    [Param("strength", 1.0, low=0.1, high=4.0, help="multiplies the noise level derived from the JPEG quality")],
    description="BM3D / CBM3D treating compression error as noise of a level derived from the quantisation "
    "table (after Foi et al., 2007).",
)
def bm3d_deblock(observation: Observation, strength: float = 1.0) -> np.ndarray:
    """Deblock with BM3D at ``strength * DEBLOCK_FACTOR * quantisation RMS`` of the observation's JPEG quality.

    References
    ----------
    .. [1] K. Dabov, A. Foi, V. Katkovnik and K. Egiazarian, "Image denoising by sparse 3-D
           transform-domain collaborative filtering", IEEE Transactions on Image Processing 16(8), 2007.
    """
    sigma = strength * DEBLOCK_FACTOR * quantization_noise_sigma(observation.quality)
    return bm3d_denoise(np.clip(observation.image, 0, 1), sigma)
