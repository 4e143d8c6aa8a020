"""Full-reference quality metrics with the literature's protocols.

One implementation, shared by the UI and the benchmark:

* data range 1 (images in ``[0, 1]``);
* ``y_channel=True`` measures the luma of MATLAB's ``rgb2ycbcr`` applied to 8-bit
  images (BT.601, rounded to 8-bit levels as MATLAB returns it for ``uint8``),
  as super-resolution and JPEG papers do; gray images are used as they are;
* ``crop`` removes that many pixels at every border (``scale`` in SR papers);
* SSIM as Wang et al. (2004) and their MATLAB code: 11x11 Gaussian window of
  sigma 1.5, ``K1 = 0.01``, ``K2 = 0.03``, population (not sample) covariance,
  averaged over channels for colour images. The SSIM map is averaged away from
  the borders, where the window does not fit: 5 pixels in, or, on images with a
  side below 11 pixels, ``(w - 1) / 2`` pixels with ``w`` the largest odd number
  not above that side (the whole map for sides of 1 or 2 pixels).

Both take float images in ``[0, 1]`` or ``uint8`` images (divided by 255), HxW,
HxWx1 or HxWx3, with finite values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from skimage.metrics import structural_similarity

from .convert import quantize, rgb_to_y
from .errors import RestoreError
from .tasks import get_task

if TYPE_CHECKING:
    from .observation import Observation

#: Side of the SSIM window of Wang et al. (11 taps of a Gaussian of sigma 1.5, truncated at 3.5 sigma).
SSIM_WINDOW = 11


def _metric_image(image: np.ndarray, name: str) -> np.ndarray:
    """A compared image as a float array (``uint8`` divided by 255), or :class:`RestoreError`."""
    try:
        array = np.asarray(image) if isinstance(image, (np.ndarray, list, tuple)) else None
    except ValueError:  # ragged nested sequences
        array = None
    if array is None or array.dtype == object:
        raise RestoreError(f"{name} must be a NumPy array, got {type(image).__name__}.")
    if array.dtype == np.uint8:
        array = array / 255.0
    elif not np.issubdtype(array.dtype, np.floating):
        raise RestoreError(f"{name} has dtype {array.dtype}: compare float images in [0, 1] or uint8 images.")
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3)) or array.size == 0:
        raise RestoreError(f"{name} must be an HxW, HxWx1 or HxWx3 image, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise RestoreError(f"{name} contains NaN or infinite values.")
    if np.abs(array).max() > np.finfo(np.float32).max:
        raise RestoreError(f"{name} holds values beyond the float32 range: compare images in [0, 1].")
    return array


def _prepare(reference: np.ndarray, estimate: np.ndarray, y_channel: bool, crop: int) -> tuple[np.ndarray, np.ndarray]:
    reference = _metric_image(reference, "the reference image")
    estimate = _metric_image(estimate, "the estimate")
    if reference.shape != estimate.shape:
        raise RestoreError(f"cannot compare images of shapes {reference.shape} and {estimate.shape}.")
    if isinstance(crop, (bool, np.bool_)) or not isinstance(crop, (int, np.integer)) or crop < 0:
        raise RestoreError(f"the border crop must be a non-negative integer, got {crop!r}.")
    if 2 * crop >= min(reference.shape[:2]):
        raise RestoreError(
            f"a border crop of {crop} leaves nothing of a {reference.shape[0]}x{reference.shape[1]} image."
        )
    if y_channel and reference.shape[2:] == (3,):
        reference = quantize(rgb_to_y(reference))
        estimate = quantize(rgb_to_y(estimate))
    if crop:
        reference = reference[crop:-crop, crop:-crop]
        estimate = estimate[crop:-crop, crop:-crop]
    return reference.astype(np.float64), estimate.astype(np.float64)


def ssim_window(height: int, width: int) -> int:
    """The SSIM window side for an image: :data:`SSIM_WINDOW`, or the largest odd side that fits a smaller image."""
    side = min(SSIM_WINDOW, height, width)
    return side if side % 2 else side - 1


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

    Examples
    --------
    >>> import numpy as np
    >>> from restore_core import psnr
    >>> round(psnr(np.zeros((8, 8)), np.full((8, 8), 0.1)), 2)  # MSE 0.01
    20.0
    """
    reference, estimate = _prepare(reference, estimate, y_channel, crop)
    mse = float(np.mean((reference - estimate) ** 2))
    return float("inf") if mse == 0 else float(10.0 * np.log10(1.0 / mse))


def ssim(reference: np.ndarray, estimate: np.ndarray, *, y_channel: bool = False, crop: int = 0) -> float:
    """Structural similarity as in Wang et al. (2004) (Gaussian window, sigma 1.5).

    Parameters are those of :func:`psnr`. Colour images (when ``y_channel`` is
    False) give the mean SSIM of the three channels. On images with a side below
    11 pixels the map is averaged over a larger part of the image (see
    :func:`ssim_window`), so that small images can be scored too.

    References
    ----------
    .. [1] Z. Wang, A. C. Bovik, H. R. Sheikh and E. P. Simoncelli, "Image quality assessment: from
           error visibility to structural similarity", IEEE Transactions on Image Processing 13(4), 2004.

    Examples
    --------
    >>> import restore_core as rc
    >>> from skimage.data import camera
    >>> clean = rc.to_float(camera())[::4, ::4]
    >>> rc.ssim(clean, clean), round(rc.ssim(clean, 0.5 * clean), 3)
    (1.0, 0.708)
    """
    reference, estimate = _prepare(reference, estimate, y_channel, crop)
    return float(
        structural_similarity(
            reference,
            estimate,
            win_size=ssim_window(*reference.shape[:2]),
            data_range=1.0,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            channel_axis=-1 if reference.ndim == 3 else None,
        )
    )


#: Smallest side MS-SSIM is defined on: its five scales halve the image four times under an 11-pixel window.
MS_SSIM_MIN_SIDE = (SSIM_WINDOW - 1) * 2**4 + 1


def ms_ssim(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Multi-scale structural similarity (Wang, Simoncelli and Bovik 2003), the measure of learned-codec papers.

    Five scales with the weights of the paper, Gaussian window of sigma 1.5, data range 1, computed by
    ``pytorch_msssim`` on the RGB channels (or the gray image) as they are.

    Parameters
    ----------
    reference, estimate : ndarray
        Images of the same shape, float in ``[0, 1]`` or ``uint8``, HxW or HxWx3, with both sides at
        least :data:`MS_SSIM_MIN_SIDE` (161) pixels.

    Returns
    -------
    float
        MS-SSIM, 1 for equal images.

    Raises
    ------
    RestoreError
        For images that differ in shape, are not finite or are smaller than 161 pixels on a side.

    References
    ----------
    .. [1] Z. Wang, E. P. Simoncelli and A. C. Bovik, "Multiscale structural similarity for image quality
           assessment", Asilomar Conference on Signals, Systems and Computers, 2003.

    Examples
    --------
    >>> import restore_core as rc
    >>> from skimage.data import astronaut
    >>> clean = rc.to_float(astronaut())
    >>> rc.ms_ssim(clean, clean), round(rc.ms_ssim(clean, 0.9 * clean), 3)
    (1.0, 0.995)
    """
    import torch
    from pytorch_msssim import ms_ssim as torch_ms_ssim

    reference, estimate = _prepare(reference, estimate, False, 0)
    if min(reference.shape[:2]) < MS_SSIM_MIN_SIDE:
        raise RestoreError(f"MS-SSIM needs images of at least {MS_SSIM_MIN_SIDE} pixels on each side, "
                           f"got {reference.shape[1]}x{reference.shape[0]}.")  # fmt: skip

    def planes(image: np.ndarray) -> torch.Tensor:
        tensor = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float64))
        return (tensor.permute(2, 0, 1) if tensor.ndim == 3 else tensor[None])[None]

    return float(torch_ms_ssim(planes(reference), planes(estimate), data_range=1.0))


def score(observation: Observation, clean: np.ndarray, restored: np.ndarray) -> tuple[float, float]:
    """PSNR (dB) and SSIM of a restoration under its task's protocol (the benchmark's and the demo's).

    The task says how the output is measured (super-resolution: rounded to 8 bits, Y channel,
    ``scale`` border pixels cropped; the other tasks: all channels, no crop).

    Parameters
    ----------
    observation : Observation
        What was restored (its task and scale choose the protocol).
    clean : ndarray
        The ground truth, shaped like ``observation.clean_shape``.
    restored : ndarray
        The restoration.

    Returns
    -------
    tuple of float
        ``(psnr, ssim)``.

    Examples
    --------
    >>> import numpy as np
    >>> import restore_core as rc
    >>> clean = np.full((32, 32), 0.5)
    >>> observation = rc.degrade(clean, "sr", scale=2)
    >>> round(rc.score(observation, clean, clean + 0.01)[0], 2)  # 0.51 is rounded to 130/255: error 0.0098
    40.17
    """
    task = get_task(observation.task)
    options = task.metric_options(observation)
    measured = task.measured_output(restored)
    return psnr(clean, measured, **options), ssim(clean, measured, **options)
