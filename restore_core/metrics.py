"""Full-reference quality metrics with the literature's protocols.

One implementation, shared by the UI and the benchmark:

* data range 1 (images in ``[0, 1]``);
* ``y_channel=True`` measures the luma of MATLAB's ``rgb2ycbcr`` applied to 8-bit
  images (BT.601, rounded to 8-bit levels as MATLAB returns it for ``uint8``),
  as super-resolution and JPEG papers do; gray images are used as they are;
* ``crop`` removes that many pixels at every border (``scale`` in SR papers);
* SSIM as Wang et al. (2004) and their MATLAB code: 11x11 Gaussian window of
  sigma 1.5, ``K1 = 0.01``, ``K2 = 0.03``, population (not sample) covariance,
  averaged over channels for colour images.
"""

from __future__ import annotations

import numpy as np
from skimage.metrics import structural_similarity

from .convert import quantize, rgb_to_y
from .errors import RestoreError


def _prepare(reference: np.ndarray, estimate: np.ndarray, y_channel: bool, crop: int) -> tuple[np.ndarray, np.ndarray]:
    reference = np.asarray(reference)
    estimate = np.asarray(estimate)
    if reference.shape != estimate.shape:
        raise RestoreError(f"cannot compare images of shapes {reference.shape} and {estimate.shape}.")
    if not isinstance(crop, (int, np.integer)) or crop < 0:
        raise RestoreError(f"the border crop must be a non-negative integer, got {crop!r}.")
    if 2 * crop >= min(reference.shape[:2]):
        raise RestoreError(
            f"a border crop of {crop} leaves nothing of a {reference.shape[0]}x{reference.shape[1]} image."
        )
    if y_channel:
        reference = quantize(rgb_to_y(reference)) if reference.ndim == 3 else reference
        estimate = quantize(rgb_to_y(estimate)) if estimate.ndim == 3 else estimate
    if crop:
        reference = reference[crop:-crop, crop:-crop]
        estimate = estimate[crop:-crop, crop:-crop]
    return reference.astype(np.float64), estimate.astype(np.float64)


def psnr(reference: np.ndarray, estimate: np.ndarray, *, y_channel: bool = False, crop: int = 0) -> float:
    """Peak signal-to-noise ratio in dB, data range 1.

    Parameters
    ----------
    reference, estimate : ndarray
        Images of the same shape, values in ``[0, 1]``.
    y_channel : bool, optional
        Compare the (8-bit rounded) MATLAB ``rgb2ycbcr`` luma of colour images.
    crop : int, optional
        Pixels removed at each border before comparing.

    Returns
    -------
    float
        PSNR in dB (``inf`` for identical images).
    """
    reference, estimate = _prepare(reference, estimate, y_channel, crop)
    mse = float(np.mean((reference - estimate) ** 2))
    return float("inf") if mse == 0 else float(10.0 * np.log10(1.0 / mse))


def ssim(reference: np.ndarray, estimate: np.ndarray, *, y_channel: bool = False, crop: int = 0) -> float:
    """Structural similarity as in Wang et al. (2004) (Gaussian window, sigma 1.5).

    Parameters are those of :func:`psnr`. Colour images (when ``y_channel`` is
    False) give the mean SSIM of the three channels.
    """
    reference, estimate = _prepare(reference, estimate, y_channel, crop)
    return float(
        structural_similarity(
            reference,
            estimate,
            data_range=1.0,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            channel_axis=-1 if reference.ndim == 3 else None,
        )
    )
