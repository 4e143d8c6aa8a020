"""Classical inpainting: biharmonic (scikit-image) and the fast-marching / fluid methods of OpenCV."""

from __future__ import annotations

import numpy as np
from skimage import restoration

from ..observation import Observation
from ..operators import per_channel
from ..registry import Param, register
from .denoising import channel_axis


@register(
    "biharmonic",
    "Biharmonic",
    "classical",
    ["inpaint"],
    description="Smooth biharmonic interpolation of the missing pixels (scikit-image).",
)
def biharmonic(observation: Observation) -> np.ndarray:
    """Biharmonic inpainting (:func:`skimage.restoration.inpaint_biharmonic`).

    References
    ----------
    .. [1] S. B. Damelin and N. S. Hoang, "On surface completion and image inpainting by biharmonic
           functions: numerical aspects", International Journal of Mathematics and Mathematical
           Sciences, 2018.
    """
    image = observation.image.astype(np.float64)
    return restoration.inpaint_biharmonic(
        image, ~observation.mask, split_into_regions=True, channel_axis=channel_axis(image)
    )


def _opencv_inpaint(observation: Observation, radius: float, flag_name: str) -> np.ndarray:
    import cv2

    missing = (~observation.mask).astype(np.uint8)
    flag = getattr(cv2, flag_name)
    # OpenCV's float path assumes the 0-255 range of 8-bit images (Telea does nothing on [0, 1] data).
    return per_channel(
        lambda plane: cv2.inpaint((plane * 255.0).astype(np.float32), missing, radius, flag) / 255.0,
        observation.image,
    )


_RADIUS = Param("radius", 3.0, low=1.0, high=20.0, help="neighbourhood radius in pixels")


@register(
    "telea",
    "Telea (fast marching)",
    "classical",
    ["inpaint"],
    [_RADIUS],
    description="Telea's fast-marching inpainting (OpenCV).",
)
def telea(observation: Observation, radius: float = 3.0) -> np.ndarray:
    """Fast-marching inpainting (Telea, 2004), ``cv2.INPAINT_TELEA``, channel by channel in float.

    References
    ----------
    .. [1] A. Telea, "An image inpainting technique based on the fast marching method", Journal of
           Graphics Tools 9(1), 2004.
    """
    return _opencv_inpaint(observation, radius, "INPAINT_TELEA")


@register(
    "navier_stokes",
    "Navier–Stokes",
    "classical",
    ["inpaint"],
    [_RADIUS],
    description="Navier–Stokes fluid-dynamics inpainting (Bertalmio et al., 2001; OpenCV).",
)
def navier_stokes(observation: Observation, radius: float = 3.0) -> np.ndarray:
    """Fluid-dynamics inpainting, ``cv2.INPAINT_NS``, channel by channel in float.

    References
    ----------
    .. [1] M. Bertalmío, A. L. Bertozzi and G. Sapiro, "Navier–Stokes, fluid dynamics, and image and
           video inpainting", CVPR 2001.
    """
    return _opencv_inpaint(observation, radius, "INPAINT_NS")
