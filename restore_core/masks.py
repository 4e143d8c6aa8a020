"""Inpainting masks. A mask is a boolean HxW array, True where the pixel is observed."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .convert import MAX_SIDE
from .errors import RestoreError
from .noise import check_seed

MASK_TYPES = ("random", "text", "strokes", "box")
_WORDS = ("deconv", "arena", "restore", "pixel", "noise", "kernel", "prior", "image", "learned", "classic")


def check_ratio(ratio: float) -> float:
    """Return the missing-pixel ratio as a float, or raise unless it lies in ``[0, 1)``."""
    try:
        value = float(ratio)
    except (TypeError, ValueError, OverflowError) as error:
        raise RestoreError(f"the mask ratio must be a number in [0, 1), got {ratio!r}.") from error
    if not 0 <= value < 1:
        raise RestoreError(f"the mask ratio (fraction of missing pixels) must be in [0, 1), got {ratio}.")
    return value


def _coverage(canvas: Image.Image) -> float:
    return float((np.asarray(canvas) > 0).mean())


def _draw_until(shape: tuple[int, int], ratio: float, draw_one) -> np.ndarray:
    canvas = Image.new("L", (shape[1], shape[0]), 0)
    pen = ImageDraw.Draw(canvas)
    for _ in range(10_000):
        if _coverage(canvas) >= ratio:
            break
        draw_one(pen)
    return np.asarray(canvas) == 0


def random_mask(shape: tuple[int, int], ratio: float, rng: np.random.Generator) -> np.ndarray:
    """Each pixel missing independently with probability ``ratio``."""
    return rng.random(shape[:2]) >= check_ratio(ratio)


def text_mask(shape: tuple[int, int], ratio: float, rng: np.random.Generator) -> np.ndarray:
    """Random words overlaid until about ``ratio`` of the pixels are covered."""
    height, width = shape[:2]
    font = ImageFont.load_default(size=max(10, min(height, width) // 12))

    def draw_one(pen: ImageDraw.ImageDraw) -> None:
        word = " ".join(rng.choice(_WORDS, size=int(rng.integers(1, 4))))
        pen.text((int(rng.integers(-width // 4, width)), int(rng.integers(-10, height))), word, fill=255, font=font)

    return _draw_until((height, width), check_ratio(ratio), draw_one)


def stroke_mask(shape: tuple[int, int], ratio: float, rng: np.random.Generator) -> np.ndarray:
    """Random free-form brush strokes (polylines of random width) until about ``ratio`` is covered."""
    height, width = shape[:2]
    side = min(height, width)

    def draw_one(pen: ImageDraw.ImageDraw) -> None:
        points = [(float(rng.uniform(0, width)), float(rng.uniform(0, height)))]
        for _ in range(int(rng.integers(3, 8))):
            angle = rng.uniform(0, 2 * np.pi)
            step = rng.uniform(0.05, 0.2) * side
            x, y = points[-1]
            points.append(
                (
                    float(np.clip(x + step * np.cos(angle), 0, width)),
                    float(np.clip(y + step * np.sin(angle), 0, height)),
                )
            )
        pen.line(points, fill=255, width=int(rng.integers(max(2, side // 60), max(3, side // 20))), joint="curve")

    return _draw_until((height, width), check_ratio(ratio), draw_one)


def box_mask(shape: tuple[int, int], ratio: float, rng: np.random.Generator) -> np.ndarray:
    """One rectangle covering ``ratio`` of the image, at a random position."""
    height, width = shape[:2]
    ratio = check_ratio(ratio)
    box_h = round(height * np.sqrt(ratio))
    box_w = round(width * np.sqrt(ratio))
    top = int(rng.integers(0, height - box_h + 1))
    left = int(rng.integers(0, width - box_w + 1))
    mask = np.ones((height, width), dtype=bool)
    mask[top : top + box_h, left : left + box_w] = False
    return mask


def make_mask(kind: str, shape: tuple[int, ...], ratio: float, seed: int = 0) -> np.ndarray:
    """Generate a mask of a given kind.

    Parameters
    ----------
    kind : {'random', 'text', 'strokes', 'box'}
        Mask family.
    shape : tuple of int
        Image shape (only the first two entries, each 1 to 16384, are used).
    ratio : float
        Target fraction of missing pixels, in ``[0, 1)``.
    seed : int
        Non-negative seed; the same seed gives the same mask.

    Returns
    -------
    ndarray of bool
        True where the pixel is observed.

    Raises
    ------
    RestoreError
        For an unknown kind, a bad shape, ratio or seed.
    """
    makers = {"random": random_mask, "text": text_mask, "strokes": stroke_mask, "box": box_mask}
    if not isinstance(kind, str) or kind not in makers:
        raise RestoreError(f"unknown mask type {kind!r}; choose one of {', '.join(MASK_TYPES)}.")
    return makers[kind](_mask_shape(shape), check_ratio(ratio), np.random.default_rng(check_seed(seed)))


def mask_from_image(picture: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The inpainting mask (True where observed) from a mask picture that is white (bright) where pixels are missing.

    A pixel is missing when its mean over the colour channels exceeds one half. A picture of
    another size with the image's aspect ratio (e.g. made for the photo before it was
    downscaled) is resized to it, nearest neighbour.

    Parameters
    ----------
    picture : ndarray
        The mask picture, HxW or HxWx3 in ``[0, 1]`` (as :func:`restore_core.load_image` reads it).
    shape : tuple of int
        Shape of the image the mask applies to.

    Returns
    -------
    ndarray of bool
        True where the pixel is observed.

    Raises
    ------
    RestoreError
        If the aspect ratios differ, or the picture marks no pixel or every pixel.

    Examples
    --------
    >>> picture = np.zeros((4, 6)); picture[1, 2] = 1.0
    >>> mask = mask_from_image(picture, (8, 12, 3))
    >>> mask.shape, int((~mask).sum())
    ((8, 12), 4)
    """
    missing = (picture.mean(axis=2) if picture.ndim == 3 else picture) > 0.5
    height, width = _mask_shape(shape)
    if missing.shape != (height, width):
        mask_height, mask_width = missing.shape
        if abs(mask_width / mask_height - width / height) > 0.02 * width / height:
            raise RestoreError(
                f"the mask image is {mask_width}×{mask_height} but the photo is {width}×{height}: "
                "use a mask of the photo's size (white where pixels are missing)."
            )
        missing = missing[np.arange(height) * mask_height // height][:, np.arange(width) * mask_width // width]
    if not missing.any():
        raise RestoreError("the mask image marks no pixel: paint the pixels to fill in white, the rest black.")
    if missing.all():
        raise RestoreError("the mask image covers the whole photo: leave some pixels to inpaint from.")
    return ~missing


def _mask_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """The (height, width) of an image shape, or :class:`RestoreError`."""
    sides = tuple(shape[:2]) if isinstance(shape, (tuple, list)) else ()
    whole = all(isinstance(side, (int, np.integer)) and not isinstance(side, bool) for side in sides)
    if len(sides) != 2 or not whole or not all(1 <= side <= MAX_SIDE for side in sides):
        raise RestoreError(f"the mask shape must start with two whole numbers from 1 to {MAX_SIDE}, got {shape!r}.")
    return int(sides[0]), int(sides[1])


def validate_mask(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Check a user mask (True/nonzero = observed) against an image shape and return it as bool.

    Raises
    ------
    RestoreError
        If the mask is not a 2-D array of finite numbers or booleans, does not match the image, or marks every pixel
        observed (nothing to inpaint) or every pixel missing (nothing to start from).
    """
    if not isinstance(mask, np.ndarray) or mask.ndim != 2:
        got = getattr(mask, "shape", type(mask).__name__)
        raise RestoreError(f"the mask must be a 2-D array (True where observed), got {got}.")
    if mask.dtype != np.bool_ and (not np.issubdtype(mask.dtype, np.number) or np.iscomplexobj(mask)):
        raise RestoreError(f"the mask must hold booleans or numbers (nonzero = observed), got dtype {mask.dtype}.")
    if not np.all(np.isfinite(mask)):
        raise RestoreError("the mask contains NaN or infinite values: use True/1 where observed, False/0 elsewhere.")
    if mask.shape != tuple(shape[:2]):
        raise RestoreError(f"the mask is {mask.shape[0]}x{mask.shape[1]} but the image is {shape[0]}x{shape[1]}.")
    observed = mask.astype(bool)
    if observed.all():
        raise RestoreError("the mask marks no pixel as missing: there is nothing to inpaint.")
    if not observed.any():
        raise RestoreError("the mask marks every pixel as missing: at least some pixels must be observed.")
    return observed
