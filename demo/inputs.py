"""The input image of the demo: built-in scikit-image samples and uploads."""

from __future__ import annotations

from functools import lru_cache

import gradio as gr
import numpy as np
from skimage import data

import restore_core as rc

#: Built-in samples, by the name of their scikit-image loader.
SAMPLES = ("camera", "astronaut", "coffee", "chelsea", "moon")
#: Value of the source selector that means "use the uploaded image".
UPLOAD = "upload"
#: Samples are centre-cropped to at most this side, to keep runs fast.
SAMPLE_SIDE = 256
#: Uploads larger than this on a side are downscaled (with a warning).
MAX_UPLOAD_SIDE = 1024


def source_choices() -> list[tuple[str, str]]:
    """Choices of the image selector: the samples, then the upload option, as (label, value) pairs."""
    return [(name, name) for name in SAMPLES] + [("Upload your own…", UPLOAD)]


@lru_cache(maxsize=len(SAMPLES))
def load_sample(name: str) -> np.ndarray:
    """A built-in sample as a read-only float image, centre-cropped to at most ``SAMPLE_SIDE`` square.

    Parameters
    ----------
    name : str
        One of :data:`SAMPLES`.

    Returns
    -------
    ndarray
        ``float32`` image in ``[0, 1]`` (gray or RGB); the same array on every call.

    Raises
    ------
    RestoreError
        For an unknown sample name.
    """
    if name not in SAMPLES:
        raise rc.RestoreError(f"unknown sample image {name!r}; choose one of {', '.join(SAMPLES)} or upload one.")
    image = rc.to_float(getattr(data, name)())
    height, width = image.shape[:2]
    top, left = (height - min(height, SAMPLE_SIDE)) // 2, (width - min(width, SAMPLE_SIDE)) // 2
    crop = image[top : top + SAMPLE_SIDE, left : left + SAMPLE_SIDE].copy()
    crop.flags.writeable = False
    return crop


def prepare_upload(upload: np.ndarray | None) -> np.ndarray:
    """Convert an uploaded image to the library convention, downscaling it if it is too large.

    Parameters
    ----------
    upload : ndarray or None
        What ``gr.Image(type="numpy", image_mode=None)`` delivers (any dtype and channel
        count :func:`restore_core.to_float` accepts), or None when nothing was uploaded.

    Returns
    -------
    ndarray
        ``float32`` image in ``[0, 1]`` with sides of at most ``MAX_UPLOAD_SIDE`` pixels.

    Raises
    ------
    RestoreError
        When nothing was uploaded or the upload is not a usable image.
    """
    if upload is None:
        raise rc.RestoreError("no image uploaded: upload one, or pick a built-in sample.")
    image = rc.to_float(upload)
    height, width = image.shape[:2]
    if max(height, width) <= MAX_UPLOAD_SIDE:
        return image
    factor = MAX_UPLOAD_SIDE / max(height, width)
    shape = (max(1, round(height * factor)), max(1, round(width * factor)))
    gr.Warning(
        f"The image is {height}x{width}: it was downscaled to {shape[0]}x{shape[1]} "
        f"(at most {MAX_UPLOAD_SIDE} px on a side) to keep the arena responsive."
    )
    return np.clip(rc.imresize(image, output_shape=shape), 0.0, 1.0)


def input_image(source: str, upload: np.ndarray | None) -> np.ndarray:
    """The clean image to degrade: the chosen sample, or the upload when ``source`` is :data:`UPLOAD`."""
    return prepare_upload(upload) if source == UPLOAD else load_sample(source)
