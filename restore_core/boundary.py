"""Boundary handling for FFT-based deconvolution of non-periodic observations.

FFT solvers assume a circular blur. A ``'reflect'`` or ``'valid'`` observation is
not periodic: its opposite borders do not match, and an FFT deconvolution rings
from that seam across the whole image. The observation is therefore

1. extended by replicating its border pixels into a margin of twice the
   kernel size on every side (measured better than mirroring, whose flipped
   content contradicts an asymmetric kernel), and
2. edge-tapered there (as MATLAB's ``edgetaper``): towards the outer edge the
   padded image is blended into its own circular blur, which makes the
   periodic extension continuous and, in the margin, consistent with the
   circular model,

then deconvolved on that grid and cropped back to the clean image's support, so
what rings is the discarded margin.
"""

from __future__ import annotations

import numpy as np

from .observation import Observation
from .operators import Blur


def _taper_window(length: int, margin: int) -> np.ndarray:
    """1 inside, raised-cosine ramp down to 0 across the ``margin`` samples at both ends."""
    window = np.ones(length)
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(margin) + 0.5) / margin)
    window[:margin] = ramp
    window[length - margin :] = ramp[::-1]
    return window


def edge_taper(image: np.ndarray, kernel: np.ndarray, margin: int) -> np.ndarray:
    """Blend the ``margin`` outer pixels of ``image`` into its circular blur by ``kernel``.

    Parameters
    ----------
    image : ndarray
        HxW or HxWx3 image (typically already mirror-padded by ``margin``).
    kernel : ndarray
        The blur kernel of the observation.
    margin : int
        Width of the blending band.

    Returns
    -------
    ndarray
        An image whose periodic extension is smooth and circularly consistent at its edges.
    """
    blurred = Blur(kernel, "circular").forward(image)
    weight = np.outer(_taper_window(image.shape[0], margin), _taper_window(image.shape[1], margin))
    if image.ndim == 3:
        weight = weight[..., None]
    return weight * image + (1.0 - weight) * blurred


def extend_for_fft(observation: Observation, margin: int | None = None) -> tuple[np.ndarray, tuple[slice, slice]]:
    """Place a blurred observation on a grid where circular deconvolution applies.

    Parameters
    ----------
    observation : Observation
        A blurred observation (``deblur`` task).
    margin : int, optional
        Replicated, tapered margin added on every side; default twice the kernel's
        larger side. ``0`` only extends a 'valid' observation to the clean size.
        Circular observations are returned as they are.

    Returns
    -------
    image : ndarray
        The extended observation (float64).
    crop : tuple of slice
        Slices that cut the clean image's support out of a result on that grid.
    """
    height, width = observation.clean_shape[:2]
    image = observation.image.astype(np.float64)
    if observation.boundary == "circular":
        return image, (slice(0, height), slice(0, width))
    kernel = observation.kernel
    margin = 2 * max(kernel.shape) if margin is None else margin
    pad_y, pad_x = (margin, margin), (margin, margin)
    if observation.boundary == "valid":  # also the band of the clean image the observation lacks
        pad_y, pad_x = ((margin + before, margin + after) for before, after in Blur(kernel).padding)
    padded = np.pad(image, (pad_y, pad_x) + ((0, 0),) * (image.ndim - 2), mode="edge")
    if margin:
        padded = edge_taper(padded, kernel, margin)
    return padded, (slice(margin, margin + height), slice(margin, margin + width))
