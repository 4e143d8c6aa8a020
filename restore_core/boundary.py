"""Boundary handling for FFT-based deconvolution of non-periodic observations.

FFT solvers assume a circular blur. For a ``'reflect'`` or ``'valid'``
observation the image is first mirrored into a margin (so the periodic
extension has no jump at the image borders and the ringing that remains lives in
the margin), deconvolved on that grid, then cropped back to the clean image's
support.
"""

from __future__ import annotations

import numpy as np

from .observation import Observation
from .operators import pad_symmetric


def extend_for_fft(observation: Observation, margin: int | None = None) -> tuple[np.ndarray, tuple[slice, slice]]:
    """Place a blurred observation on a grid where circular deconvolution applies.

    Parameters
    ----------
    observation : Observation
        A blurred observation (``deblur`` task).
    margin : int, optional
        Mirrored margin added on every side; default the kernel's larger side.
        Ignored for circular observations.

    Returns
    -------
    image : ndarray
        The (padded) observation.
    crop : tuple of slice
        Slices that cut the clean image's support out of a result on that grid.
    """
    height, width = observation.clean_shape[:2]
    if observation.boundary == "circular":
        return observation.image, (slice(0, height), slice(0, width))
    kernel_h, kernel_w = observation.kernel.shape
    margin = max(kernel_h, kernel_w) if margin is None else margin
    pad_y = [margin, margin]
    pad_x = [margin, margin]
    if observation.boundary == "valid":
        pad_y = [margin + kernel_h - 1 - kernel_h // 2, margin + kernel_h // 2]
        pad_x = [margin + kernel_w - 1 - kernel_w // 2, margin + kernel_w // 2]
    padded = pad_symmetric(observation.image, tuple(pad_y), tuple(pad_x))
    return padded, (slice(margin, margin + height), slice(margin, margin + width))
