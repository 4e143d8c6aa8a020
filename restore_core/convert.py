"""Image conversions and validation: the one place where dtypes and colour spaces change.

Inside the library every image is a ``float32`` array with values in ``[0, 1]``,
shaped ``(H, W)`` (gray) or ``(H, W, 3)`` (RGB). Everything that enters from the
outside (files, uploads, integer arrays) goes through :func:`to_float` or
:func:`load_image`; everything that leaves as 8-bit goes through :func:`to_uint8`.
"""

from __future__ import annotations

import io
import os
import re
import struct
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from .errors import FirstFrameWarning, RestoreError

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
#: What Pillow raises on corrupt or truncated files (its UnidentifiedImageError is an OSError; its TIFF
#: reader raises TypeError for missing dimensions).
_DECODING_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    EOFError,
    IndexError,
    struct.error,
    Image.DecompressionBombError,
)


def _describe(array: np.ndarray) -> str:
    return f"shape {array.shape}, dtype {array.dtype}"


def check_shape(image: np.ndarray, name: str = "image", min_side: int = MIN_SIDE) -> None:
    """Raise :class:`RestoreError` unless ``image`` is shaped HxW or HxWx3.

    Parameters
    ----------
    image : ndarray
        Array to check.
    name : str, optional
        Name used in the error message.
    min_side : int, optional
        Smallest side accepted (:data:`MIN_SIDE` for images; kernel pictures may be smaller).
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
    if min(height, width) < min_side:
        raise RestoreError(f"{name} is {width}×{height}: both sides must be at least {min_side} pixels.")
    if max(height, width) > MAX_SIDE:
        raise RestoreError(
            f"{name} is {width}×{height}: sides above {MAX_SIDE} pixels are not accepted; downscale or crop it."
        )


def check_finite(image: np.ndarray, name: str = "image") -> None:
    """Raise :class:`RestoreError` if ``image`` holds NaN or infinite values."""
    if not np.all(np.isfinite(image)):
        raise RestoreError(f"{name} contains NaN or infinite values.")


def float_image(image: np.ndarray, name: str = "image", min_side: int = MIN_SIDE) -> np.ndarray:
    """Check an image's type, shape, dtype and values and return it as float32, without a range check.

    ``uint8`` arrays are divided by 255; float arrays are kept on their scale (see
    :func:`validate_image` for the ``[0, 1]`` check). Other integer types, bool,
    complex and non-numeric arrays, RGBA, empty and non-finite arrays are refused.

    Parameters
    ----------
    image : ndarray
        Candidate image, HxW or HxWx3.
    name : str, optional
        Name used in error messages.
    min_side : int, optional
        Smallest side accepted.

    Returns
    -------
    ndarray
        The image as a ``float32`` array (a copy when converted).

    Raises
    ------
    RestoreError
        If the array is not an image the library can use.
    """
    if not isinstance(image, np.ndarray):
        raise RestoreError(f"{name} must be a NumPy array, got {type(image).__name__}.")
    check_shape(image, name, min_side)
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    if image.dtype == np.bool_ or np.issubdtype(image.dtype, np.integer):
        raise RestoreError(
            f"{name} has dtype {image.dtype}: pass float values in [0, 1] or uint8; for 16-bit images "
            "use restore_core.to_float(image), which divides by the dtype's maximum."
        )
    if not np.issubdtype(image.dtype, np.floating):
        raise RestoreError(f"{name} has unsupported dtype {image.dtype}: pass float values in [0, 1] or uint8.")
    check_finite(image, name)
    if image.dtype.itemsize > 4 and np.abs(image).max() > np.finfo(np.float32).max:
        raise RestoreError(f"{name} holds values beyond the float32 range: expected [0, 1].")
    return image.astype(np.float32, copy=False)


def validate_image(image: np.ndarray, name: str = "image", min_side: int = MIN_SIDE) -> np.ndarray:
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
    min_side : int, optional
        Smallest side accepted.

    Returns
    -------
    ndarray
        The image as a ``float32`` array in ``[0, 1]`` (a copy when converted).

    Raises
    ------
    RestoreError
        If the image is not usable as is.
    """
    converted = float_image(image, name, min_side)
    low, high = float(converted.min()), float(converted.max())
    if low < -1e-6 or high > 1 + 1e-6:
        raise RestoreError(
            f"{name} values span [{low:.4g}, {high:.4g}]: expected [0, 1]. "
            "Divide 8-bit data by 255 (or use restore_core.to_float)."
        )
    return np.clip(converted, 0.0, 1.0)


def to_float(image: np.ndarray, drop_alpha: bool = True, *, min_side: int = MIN_SIDE) -> np.ndarray:
    """Convert any common image array to the library convention.

    Parameters
    ----------
    image : ndarray
        ``uint8``, ``uint16``, ``bool`` or float array, HxW, HxWx1, HxWx3 or HxWx4.
        Integers are divided by their dtype's maximum; floats must lie in ``[0, 1]``.
    drop_alpha : bool, optional
        If True, an alpha channel is dropped (the colour channels are kept as they are);
        if False, a 4-channel image is refused.
    min_side : int, optional
        Smallest side accepted (kernel pictures may be smaller than images).

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
    return validate_image(array, min_side=min_side)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Round a float image in ``[0, 1]`` to 8 bits (MATLAB ``im2uint8``): clip, scale, round.

    Raises
    ------
    RestoreError
        For a non-numeric array or NaN values (which have no 8-bit level).
    """
    array = _real_array(image, "the image to convert to 8 bits")
    if np.isnan(array).any():
        raise RestoreError("the image to convert to 8 bits contains NaN values.")
    return np.round(np.clip(array, 0.0, 1.0) * 255.0).astype(np.uint8)


def quantize(image: np.ndarray) -> np.ndarray:
    """Round a float image to the 256 levels of 8-bit storage, keeping float32 in ``[0, 1]``."""
    return to_uint8(image).astype(np.float32) / 255.0


def is_color(image: np.ndarray) -> bool:
    """Return True for an HxWx3 image."""
    return image.ndim == 3


def _real_array(image: np.ndarray, name: str) -> np.ndarray:
    """``image`` (an array or nested sequence) as an array of bool, integer or float values."""
    try:
        array = np.asarray(image) if isinstance(image, (np.ndarray, list, tuple)) else None
    except ValueError:  # ragged nested sequences
        array = None
    if array is None:
        raise RestoreError(f"{name} must be an array of real numbers, got {type(image).__name__}.")
    if not (array.dtype == np.bool_ or np.issubdtype(array.dtype, np.number)) or np.iscomplexobj(array):
        raise RestoreError(f"{name} must be an array of real numbers, got dtype {array.dtype}.")
    return array


def _rgb_array(image: np.ndarray, name: str) -> np.ndarray:
    array = _real_array(image, name)
    if array.ndim != 3 or array.shape[2] != 3:
        raise RestoreError(f"{name} must be an HxWx3 RGB array, got shape {array.shape}.")
    return array


def to_planes(
    image: np.ndarray, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """An ``HxW`` or ``HxWxC`` array as the ``(H, W)`` or ``(C, H, W)`` tensor the torch operators act on."""
    planes = image if image.ndim == 2 else np.moveaxis(image, -1, 0)
    return torch.as_tensor(np.ascontiguousarray(planes), dtype=dtype, device=device)


def from_planes(planes: torch.Tensor, ndim: int) -> np.ndarray:
    """Inverse of :func:`to_planes`: an ``(H, W)`` (``ndim`` 2) or ``(C, H, W)`` tensor as an image array."""
    array = planes.detach().cpu().numpy()
    return array if ndim == 2 else np.moveaxis(array, 0, -1)


def on_planes(
    function: Callable[[torch.Tensor], torch.Tensor],
    image: np.ndarray | torch.Tensor,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float64,
) -> np.ndarray | torch.Tensor:
    """``function`` of a tensor applied to a tensor as it is, or to an image array through its planes.

    An ``HxW``/``HxWxC`` array goes through :func:`to_planes` (on ``device``, in ``dtype``) and the
    result comes back through :func:`from_planes` as an array.
    """
    if isinstance(image, torch.Tensor):
        return function(image)
    array = np.asarray(image)
    return from_planes(function(to_planes(array, device, dtype)), array.ndim)


def rgb_to_ycbcr(image: np.ndarray) -> np.ndarray:
    """Convert RGB in ``[0, 1]`` to YCbCr in ``[0, 1]`` as MATLAB's ``rgb2ycbcr`` (BT.601).

    Y spans ``[16/255, 235/255]`` for RGB in ``[0, 1]``.
    """
    rgb = _rgb_array(image, "the RGB image")
    return (rgb.astype(np.float64) @ _YCBCR_MATRIX.T + _YCBCR_OFFSET).astype(np.float32)


def ycbcr_to_rgb(image: np.ndarray) -> np.ndarray:
    """Invert :func:`rgb_to_ycbcr`."""
    ycbcr = _rgb_array(image, "the YCbCr image")
    rgb = (ycbcr.astype(np.float64) - _YCBCR_OFFSET) @ np.linalg.inv(_YCBCR_MATRIX).T
    return rgb.astype(np.float32)


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Luma channel of MATLAB ``rgb2ycbcr`` (values in ``[16/255, 235/255]``); gray images pass through."""
    if _real_array(image, "the image").ndim == 2:
        return np.asarray(image, dtype=np.float32)
    return rgb_to_ycbcr(image)[..., 0]


#: Luma weights of R, G and B (ITU-R BT.601, also JFIF's and MATLAB ``rgb2gray``'s).
BT601_LUMA = np.array([0.299, 0.587, 0.114])


def rgb_to_gray(image: np.ndarray) -> np.ndarray:
    """Luminance (BT.601 weights, as MATLAB ``rgb2gray``) of an RGB image; gray images pass through."""
    if _real_array(image, "the image").ndim == 2:
        return np.asarray(image, dtype=np.float32)
    rgb = _rgb_array(image, "the RGB image").astype(np.float64)
    return (rgb @ BT601_LUMA).astype(np.float32)


def _pil_to_array(picture: Image.Image, label: str, min_side: int = MIN_SIDE) -> np.ndarray:
    mode = picture.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(picture, dtype=np.float64)
        top = 65535.0 if array.max() > 255 or mode.startswith("I;16") else 255.0
        return validate_image((array / top).astype(np.float32), label, min_side)
    if mode == "F":
        return validate_image(np.asarray(picture, dtype=np.float32), label, min_side)
    if mode in ("1", "L", "LA", "La"):
        return validate_image(np.asarray(picture.convert("L"), dtype=np.uint8), label, min_side)
    return validate_image(np.asarray(picture.convert("RGB"), dtype=np.uint8), label, min_side)


def _reduce(picture: Image.Image, fit_side: int) -> Image.Image:
    """``picture`` box-reduced by the largest whole factor that keeps its longest side at least ``fit_side``."""
    factor = max(picture.size) // fit_side
    if factor < 2:
        return picture
    if picture.mode in ("1", "LA", "La"):
        picture = picture.convert("L")
    elif picture.mode.startswith("I;16"):
        picture = picture.convert("I")
    elif picture.mode not in ("L", "RGB", "I", "F"):
        picture = picture.convert("RGB")
    return picture.reduce(factor)


def _open_source(source: str | os.PathLike | bytes) -> tuple[io.IOBase, str]:
    """A binary stream on a file path or encoded bytes, and how to name it in messages."""
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(source), "the uploaded data"
    if not isinstance(source, (str, os.PathLike)):
        raise RestoreError(f"load_image expects a file path or the encoded bytes, got {type(source).__name__}.")
    path = Path(source)
    if not path.is_file():
        raise RestoreError(f"no image file at {path}.")
    return path.open("rb"), path.name


def _warn_extra_frames(picture: Image.Image, label: str) -> None:
    frames = getattr(picture, "n_frames", 1)
    if frames > 1:
        warnings.warn(
            FirstFrameWarning(f"{label} has {frames} frames (an animation or a multi-page file): the first is used."),
            stacklevel=3,
        )


def _open(stream: BinaryIO) -> Image.Image:
    """``Image.open`` (header only) without Pillow's bomb warning: the callers check sizes themselves."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(stream)


def _decoding_error(label: str, error: BaseException) -> RestoreError:
    """A message for a file Pillow cannot decode, in words for a person (Pillow's own name server paths and classes)."""
    if isinstance(error, Image.DecompressionBombError):
        declared = re.search(r"\((\d+) pixels\)", str(error))
        size = f"{int(declared.group(1)) / 1e6:.0f} megapixels" if declared else "far more pixels than accepted"
        return RestoreError(f"{label} is too large to open ({size}): downscale it first.")
    if isinstance(error, UnidentifiedImageError):
        reason = "not an image file (PNG, JPEG, WebP, TIFF, BMP, GIF, …), or empty"
    else:
        reason = "the file is damaged or truncated"
    return RestoreError(f"{label} is not a readable image: {reason}.")


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """``(height, width)`` of an image file as :func:`load_image` returns it (EXIF rotation applied).

    Reads the header only. Raises :class:`RestoreError` like :func:`load_image` for unreadable files.
    """
    stream, label = _open_source(path)
    try:
        with stream, _open(stream) as picture:
            width, height = picture.size
            rotated = picture.getexif().get(0x0112) in (5, 6, 7, 8)  # EXIF orientations that swap the sides
    except _DECODING_ERRORS as error:
        raise _decoding_error(label, error) from error
    return (width, height) if rotated else (height, width)


def load_image(
    source: str | os.PathLike | bytes,
    max_side: int = MAX_SIDE,
    max_pixels: int | None = None,
    fit_side: int | None = None,
    *,
    min_side: int = MIN_SIDE,
) -> np.ndarray:
    """Read an image file into the library convention.

    Palette, CMYK, RGBA (alpha dropped), 16-bit and float TIFF images are converted;
    EXIF orientation is applied. Of a file with several frames (animated GIF, WebP or
    PNG, multi-page TIFF) the first frame is read, with a :class:`FirstFrameWarning`.

    Parameters
    ----------
    source : str, PathLike or bytes
        File path or the encoded bytes.
    max_side : int, optional
        Largest side accepted; larger images raise (read the size before decoding).
    max_pixels : int, optional
        Most pixels decoded: larger images raise before decoding. With ``fit_side``, a JPEG
        counts at the reduced size it is decoded at.
    fit_side : int, optional
        Decode large images reduced, for a caller that will downscale them to this side anyway:
        JPEGs at a DCT scale (1/2, 1/4, 1/8) and other images box-reduced by a whole factor,
        keeping the longest side at least ``fit_side``. Memory then stays proportional to the
        reduced size, not to the file's pixel count.
    min_side : int, optional
        Smallest side accepted (:data:`MIN_SIDE` for images; a kernel picture may be 1 pixel,
        see :func:`restore_core.kernel_from_image`).

    Returns
    -------
    ndarray
        ``float32`` image in ``[0, 1]``.

    Raises
    ------
    RestoreError
        If the source is neither a path nor bytes, or the file is missing, not an image,
        corrupt or too large; the message names the file, never its folder.

    Warns
    -----
    FirstFrameWarning
        If the file holds more than one frame.
    """
    from PIL import ImageOps

    stream, label = _open_source(source)
    try:
        with _open(stream) as picture:
            width, height = picture.size
            if max(width, height) > max_side:
                raise RestoreError(f"{label} is {width}×{height}: sides above {max_side} pixels are not accepted.")
            if fit_side is not None and picture.format == "JPEG":
                picture.draft(picture.mode, (fit_side, fit_side))
            if max_pixels is not None and picture.size[0] * picture.size[1] > max_pixels:
                raise RestoreError(
                    f"{label} is {width}×{height} ({width * height / 1e6:.0f} megapixels): images above "
                    f"{max_pixels / 1e6:.0f} megapixels are not accepted; downscale it first."
                )
            _warn_extra_frames(picture, label)
            picture.load()
            picture = ImageOps.exif_transpose(picture)
            if fit_side is not None:
                picture = _reduce(picture, fit_side)
            return _pil_to_array(picture, label, min_side)
    except RestoreError:
        raise
    except _DECODING_ERRORS as error:
        raise _decoding_error(label, error) from error
    finally:
        stream.close()


def save_image(image: np.ndarray, path: str | os.PathLike) -> None:
    """Write an image losslessly as 8-bit PNG (the format is taken from the suffix; PNG is advised).

    Raises
    ------
    RestoreError
        For an unusable image, or a path that cannot be written in a format Pillow knows.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise RestoreError(f"save_image expects a file path, got {type(path).__name__}.")
    array = to_uint8(validate_image(np.clip(_real_array(image, "the image to save"), 0, 1), "the image to save"))
    try:
        Image.fromarray(array).save(path)
    except (OSError, ValueError, KeyError) as error:
        raise RestoreError(f"cannot write the image to {path} ({error}).") from error
