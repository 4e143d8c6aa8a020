"""Image conversions and validation: the one place where dtypes and colour spaces change.

Inside the library every image is a ``float32`` array with values in ``[0, 1]``,
shaped ``(H, W)`` (gray) or ``(H, W, 3)`` (RGB). Everything that enters from the
outside (files, uploads, integer arrays) goes through :func:`to_float` or
:func:`load_image`; everything that leaves as 8-bit goes through :func:`to_uint8`.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import RestoreError

#: Largest image side the library accepts (a guard against absurd inputs).
MAX_SIDE = 16384
#: Smallest image side the library accepts.
MIN_SIDE = 8

# ITU-R BT.601 as in MATLAB's rgb2ycbcr for inputs in [0, 1]; outputs in [0, 1].
_YCBCR_MATRIX = (
    np.array(
        [
            [65.481, 128.553, 24.966],
            [-37.797, -74.203, 112.0],
            [112.0, -93.786, -18.214],
        ]
    )
    / 255.0
)
_YCBCR_OFFSET = np.array([16.0, 128.0, 128.0]) / 255.0


def _describe(array: np.ndarray) -> str:
    return f"shape {array.shape}, dtype {array.dtype}"


def check_shape(image: np.ndarray, name: str = "image") -> None:
    """Raise :class:`RestoreError` unless ``image`` is shaped HxW or HxWx3.

    Parameters
    ----------
    image : ndarray
        Array to check.
    name : str, optional
        Name used in the error message.
    """
    if image.ndim == 3 and image.shape[2] == 4:
        raise RestoreError(
            f"{name} has 4 channels (RGBA?): remove the alpha channel first, "
            "e.g. with restore_core.to_float(image, drop_alpha=True)."
        )
    if image.ndim == 3 and image.shape[2] == 1:
        raise RestoreError(f"{name} has a single channel axis ({_describe(image)}): squeeze it to HxW.")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise RestoreError(f"{name} must be HxW (gray) or HxWx3 (RGB), got {_describe(image)}.")
    if image.size == 0:
        raise RestoreError(f"{name} is empty ({_describe(image)}).")
    height, width = image.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise RestoreError(f"{name} is {height}x{width}: both sides must be at least {MIN_SIDE} pixels.")
    if max(height, width) > MAX_SIDE:
        raise RestoreError(
            f"{name} is {height}x{width}: sides above {MAX_SIDE} pixels are not accepted; downscale or crop it."
        )


def check_finite(image: np.ndarray, name: str = "image") -> None:
    """Raise :class:`RestoreError` if ``image`` holds NaN or infinite values."""
    if not np.all(np.isfinite(image)):
        raise RestoreError(f"{name} contains NaN or infinite values.")


def validate_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Check that ``image`` follows the library's convention and return it as float32.

    Accepted are float arrays with values in ``[0, 1]`` and ``uint8`` arrays
    (divided by 255). Other integer types, RGBA, empty and non-finite arrays are
    refused with a message that says how to convert them.

    Parameters
    ----------
    image : ndarray
        Candidate image, HxW or HxWx3.
    name : str, optional
        Name used in error messages.

    Returns
    -------
    ndarray
        The image as a ``float32`` array in ``[0, 1]`` (a copy when converted).

    Raises
    ------
    RestoreError
        If the image is not usable as is.
    """
    if not isinstance(image, np.ndarray):
        raise RestoreError(f"{name} must be a NumPy array, got {type(image).__name__}.")
    check_shape(image, name)
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    if image.dtype == np.bool_ or np.issubdtype(image.dtype, np.integer):
        raise RestoreError(
            f"{name} has dtype {image.dtype}: pass float values in [0, 1] or uint8; for 16-bit images "
            "use restore_core.to_float(image), which divides by the dtype's maximum."
        )
    if not np.issubdtype(image.dtype, np.floating):
        raise RestoreError(f"{name} has unsupported dtype {image.dtype}.")
    check_finite(image, name)
    low, high = float(image.min()), float(image.max())
    if low < -1e-6 or high > 1 + 1e-6:
        raise RestoreError(
            f"{name} values span [{low:.4g}, {high:.4g}]: expected [0, 1]. "
            "Divide 8-bit data by 255 (or use restore_core.to_float)."
        )
    return np.clip(image, 0.0, 1.0).astype(np.float32, copy=False)


def to_float(image: np.ndarray, drop_alpha: bool = True) -> np.ndarray:
    """Convert any common image array to the library convention.

    Parameters
    ----------
    image : ndarray
        ``uint8``, ``uint16``, ``bool`` or float array, HxW, HxWx1, HxWx3 or HxWx4.
        Integers are divided by their dtype's maximum; floats must lie in ``[0, 1]``.
    drop_alpha : bool, optional
        If True, an alpha channel is dropped (the colour channels are kept as they are);
        if False, a 4-channel image is refused.

    Returns
    -------
    ndarray
        ``float32`` image in ``[0, 1]``, HxW or HxWx3.
    """
    if not isinstance(image, np.ndarray):
        raise RestoreError(f"image must be a NumPy array, got {type(image).__name__}.")
    array = image
    if array.ndim == 3 and array.shape[2] in (2, 4) and drop_alpha:
        array = array[..., :-1]
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.dtype == np.bool_:
        array = array.astype(np.float32)
    elif np.issubdtype(array.dtype, np.unsignedinteger):
        array = array.astype(np.float32) / float(np.iinfo(array.dtype).max)
    elif np.issubdtype(array.dtype, np.signedinteger):
        raise RestoreError(f"signed integer images ({array.dtype}) are ambiguous: convert to float in [0, 1].")
    return validate_image(array)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Round a float image in ``[0, 1]`` to 8 bits (MATLAB ``im2uint8``): clip, scale, round."""
    return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


def quantize(image: np.ndarray) -> np.ndarray:
    """Round a float image to the 256 levels of 8-bit storage, keeping float32 in ``[0, 1]``."""
    return to_uint8(image).astype(np.float32) / 255.0


def is_color(image: np.ndarray) -> bool:
    """Return True for an HxWx3 image."""
    return image.ndim == 3


def rgb_to_ycbcr(image: np.ndarray) -> np.ndarray:
    """Convert RGB in ``[0, 1]`` to YCbCr in ``[0, 1]`` as MATLAB's ``rgb2ycbcr`` (BT.601).

    Y spans ``[16/255, 235/255]`` for RGB in ``[0, 1]``.
    """
    return (image.astype(np.float64) @ _YCBCR_MATRIX.T + _YCBCR_OFFSET).astype(np.float32)


def ycbcr_to_rgb(image: np.ndarray) -> np.ndarray:
    """Invert :func:`rgb_to_ycbcr`."""
    rgb = (image.astype(np.float64) - _YCBCR_OFFSET) @ np.linalg.inv(_YCBCR_MATRIX).T
    return rgb.astype(np.float32)


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Luma channel of MATLAB ``rgb2ycbcr`` (values in ``[16/255, 235/255]``); gray images pass through."""
    if image.ndim == 2:
        return image.astype(np.float32, copy=False)
    return rgb_to_ycbcr(image)[..., 0]


def rgb_to_gray(image: np.ndarray) -> np.ndarray:
    """Luminance (BT.601 weights, as MATLAB ``rgb2gray``) of an RGB image; gray images pass through."""
    if image.ndim == 2:
        return image.astype(np.float32, copy=False)
    return (image.astype(np.float64) @ np.array([0.299, 0.587, 0.114])).astype(np.float32)


def _pil_to_array(picture: Image.Image) -> np.ndarray:
    mode = picture.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(picture, dtype=np.float64)
        top = 65535.0 if array.max() > 255 or mode.startswith("I;16") else 255.0
        return validate_image((array / top).astype(np.float32))
    if mode == "F":
        return validate_image(np.asarray(picture, dtype=np.float32))
    if mode in ("1", "L"):
        return validate_image(np.asarray(picture.convert("L"), dtype=np.uint8))
    if mode in ("LA", "La"):
        return validate_image(np.asarray(picture.convert("L"), dtype=np.uint8))
    return validate_image(np.asarray(picture.convert("RGB"), dtype=np.uint8))


def load_image(source: str | os.PathLike | bytes, max_side: int = MAX_SIDE) -> np.ndarray:
    """Read an image file into the library convention.

    Palette, CMYK, RGBA (alpha dropped), 16-bit and float TIFF images are converted;
    EXIF orientation is applied.

    Parameters
    ----------
    source : str, PathLike or bytes
        File path or the encoded bytes.
    max_side : int, optional
        Largest side accepted; larger images raise (read the size before decoding).

    Returns
    -------
    ndarray
        ``float32`` image in ``[0, 1]``.

    Raises
    ------
    RestoreError
        If the file is missing, not an image, corrupt or too large.
    """
    from PIL import ImageOps

    if isinstance(source, (bytes, bytearray)):
        stream, label = io.BytesIO(source), "the uploaded data"
    else:
        path = Path(source)
        if not path.is_file():
            raise RestoreError(f"no image file at {path}.")
        stream, label = path.open("rb"), path.name
    try:
        with Image.open(stream) as picture:
            width, height = picture.size
            if max(width, height) > max_side:
                raise RestoreError(f"{label} is {height}x{width}: sides above {max_side} pixels are not accepted.")
            picture.load()
            picture = ImageOps.exif_transpose(picture)
            return _pil_to_array(picture)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise RestoreError(f"{label} is not a readable image ({error}).") from error
    finally:
        stream.close()


def save_image(image: np.ndarray, path: str | os.PathLike) -> None:
    """Write an image losslessly as 8-bit PNG (the format is taken from the suffix; PNG is advised)."""
    array = to_uint8(validate_image(np.clip(image, 0, 1), "image to save"))
    Image.fromarray(array).save(path)
