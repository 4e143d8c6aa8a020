"""The demo's inputs as library arrays: built-in samples, uploaded photos and kernels, drawn masks."""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

import restore_core as rc

#: Value of the source selector that means "use the uploaded image".
UPLOAD = "upload"
#: Side of the built-in samples (scikit-image photos, resized and cropped by the library).
SAMPLE_SIDE = 256
#: Uploads larger than this on a side are downscaled (with a notice) to keep runs responsive.
MAX_UPLOAD_SIDE = 1024
#: Uploads larger than this on a side are refused before decoding.
MAX_DECODE_SIDE = 12_000
#: Uploads with more pixels than this (after a JPEG's reduced decoding) are refused before decoding.
MAX_DECODE_PIXELS = 50_000_000
#: Decoded uploads kept for the next preview or run of the same file (each at most MAX_UPLOAD_SIDE² RGB floats).
UPLOADS_CACHED = 4


def source_choices() -> list[tuple[str, str]]:
    """Choices of the image selector: the samples, then the upload option, as (label, value) pairs."""
    return [(name, name) for name in rc.SAMPLE_PHOTOS] + [("Upload your own…", UPLOAD)]


def read_upload(
    path: str | None, what: str = "image", fit_side: int | None = None, min_side: int = rc.convert.MIN_SIDE
) -> np.ndarray:
    """Decode an uploaded file (PNG, JPEG, WebP, TIFF, …) losslessly into a float image.

    Parameters
    ----------
    path : str or None
        The file Gradio stored the upload in; None when nothing was uploaded.
    what : str
        What the upload is, for messages ("image", "kernel image").
    fit_side : int, optional
        Decode a large image reduced (see :func:`restore_core.load_image`), for a caller that
        downscales it to this side anyway.
    min_side : int, optional
        Smallest side accepted (kernel pictures may be a few pixels).

    Raises
    ------
    RestoreError
        When nothing was uploaded or the file is not a usable image; the message names
        the uploaded file only, never a server path.
    """
    if not path:
        raise rc.RestoreError(f"no {what} uploaded: upload one{', or pick a built-in sample' * (what == 'image')}.")
    if not Path(path).is_file():  # said without the server path
        raise rc.RestoreError(f"the uploaded {what} is no longer on the server: upload it again.")
    return rc.load_image(
        path, max_side=MAX_DECODE_SIDE, max_pixels=MAX_DECODE_PIXELS, fit_side=fit_side, min_side=min_side
    )


def fit_size(image: np.ndarray, original: tuple[int, int] | None = None) -> tuple[np.ndarray, str]:
    """Downscale an image to at most :data:`MAX_UPLOAD_SIDE` pixels a side.

    Parameters
    ----------
    image : ndarray
        The image (possibly decoded reduced already).
    original : tuple of int, optional
        ``(height, width)`` of the file, which decides the notice; default: the image's own.

    Returns
    -------
    image : ndarray
        The image, downscaled (MATLAB bicubic) if it was larger.
    notice : str
        What was done, or an empty string.
    """
    height, width = image.shape[:2]
    if max(height, width) > MAX_UPLOAD_SIDE:
        factor = MAX_UPLOAD_SIDE / max(height, width)
        shape = (max(1, round(height * factor)), max(1, round(width * factor)))
        image = rc.quantize(np.clip(rc.imresize(image, output_shape=shape), 0.0, 1.0))
    height, width = original or (height, width)
    if max(height, width) <= MAX_UPLOAD_SIDE:
        return image, ""
    notice = (
        f"The image is {width}×{height}: it was downscaled to {image.shape[1]}×{image.shape[0]} "
        f"(at most {MAX_UPLOAD_SIDE} px a side) to keep the arena responsive."
    )
    return image, notice


def input_image(source: str, upload: str | None) -> tuple[np.ndarray, str]:
    """The image to work on and a notice (non-empty when an upload was downscaled).

    Raises
    ------
    RestoreError
        For an unknown sample, a missing or unusable upload.
    """
    if source == UPLOAD:
        if not upload or not Path(upload).is_file():
            read_upload(upload)  # raises the message for a missing upload
        stat = Path(upload).stat()
        return _decoded_upload(upload, stat.st_mtime_ns, stat.st_size)
    return rc.sample_image(source, SAMPLE_SIDE), ""


@lru_cache(maxsize=UPLOADS_CACHED)
def _decoded_upload(path: str, modified: int, size: int) -> tuple[np.ndarray, str]:
    """An upload decoded and fitted once for every preview and run of it (keyed by its path, time and size).

    The notice says when it was downscaled, and when only the first frame of an animation was used.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", rc.FirstFrameWarning)
        image = read_upload(path, fit_side=MAX_UPLOAD_SIDE)
    image, notice = fit_size(image, rc.convert.image_size(path))  # the notice names the file's own size
    frames = [str(warning.message) for warning in caught if issubclass(warning.category, rc.FirstFrameWarning)]
    image.setflags(write=False)  # shared between calls: nobody may change it in place
    return image, " ".join(part for part in (*frames, notice) if part)


def uploaded_kernel(path: str | None) -> np.ndarray:
    """A blur kernel from an uploaded picture (white kernel on black, any size up to 127 px).

    Raises
    ------
    RestoreError
        When nothing was uploaded, the file is not an image, or the kernel is blank or too large.
    """
    return rc.kernel_from_image(read_upload(path, "kernel image", min_side=1))  # a kernel may be a few pixels


def drawn_mask(drawing: dict[str, Any] | None, shape: tuple[int, ...]) -> np.ndarray:
    """The inpainting mask (True where observed) from a ``gr.ImageEditor`` value: painted pixels are missing.

    Parameters
    ----------
    drawing : dict or None
        ``{"background", "layers", "composite"}`` as the editor delivers it (arrays or None).
    shape : tuple of int
        Shape of the image the mask applies to.

    Raises
    ------
    RestoreError
        When nothing or everything is painted, or the drawing does not match the image size.
    """
    layers = [np.asarray(layer) for layer in (drawing or {}).get("layers") or () if layer is not None]
    painted = np.zeros(shape[:2], dtype=bool)
    for layer in layers:
        if layer.shape[:2] != shape[:2]:
            raise rc.RestoreError(
                f"the drawn mask is {layer.shape[1]}×{layer.shape[0]} but the image is {shape[1]}×{shape[0]}: "
                "draw on the current image (pick it again to reset the drawing)."
            )
        painted |= (layer[..., 3] > 0) if layer.ndim == 3 and layer.shape[2] == 4 else (layer.reshape(shape[:2]) > 0)
    if not painted.any():
        raise rc.RestoreError("no mask drawn: paint over the pixels to fill in, or choose a generated mask.")
    if painted.all():
        raise rc.RestoreError("the drawn mask covers the whole image: leave some pixels to inpaint from.")
    return ~painted


def uploaded_mask(path: str | None, shape: tuple[int, ...]) -> np.ndarray:
    """The inpainting mask (True where observed) from an uploaded picture, white where pixels are missing.

    See :func:`restore_core.mask_from_image` (a picture of the photo's aspect ratio is resized to it).

    Raises
    ------
    RestoreError
        When nothing was uploaded, the file is not an image, its aspect ratio differs from the
        image's, or it marks no pixel or every pixel.
    """
    return rc.mask_from_image(read_upload(path, "mask image", min_side=1), shape)


def editor_background(image: np.ndarray) -> dict[str, Any]:
    """An ``gr.ImageEditor`` value showing ``image`` with no strokes (to draw a mask on)."""
    picture = rc.to_uint8(image)
    return {"background": picture, "layers": [], "composite": picture}
