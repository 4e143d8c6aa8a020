"""Training data of the tuning tools: seeded subsets of the training folders and synthetic kernels.

The tools tune on ``<data root>/train`` images only, with synthetic kernels (camera shakes, a Gaussian,
a linear motion), never with the Levin kernels or test sets of the benchmark.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import restore_core as rc

#: (size, seed) of the camera-shake kernels.
SHAKE_KERNELS = ((13, 1), (17, 2), (21, 3), (27, 4))


def training_images(data_root: Path, count: int, seed: int, folder: str = "Train400") -> list[Path]:
    """A seeded random subset of the images of a training folder, in file-name order.

    Parameters
    ----------
    data_root : Path
        Folder holding ``train/<folder>``.
    count : int
        Number of images.
    seed : int
        Seed of the draw.
    folder : str
        Training folder: ``Train400`` (gray PNGs) or ``BSDS400`` (colour JPEGs).

    Returns
    -------
    list of Path
        The chosen image files.
    """
    path = data_root / "train" / folder
    files = sorted(file for file in path.glob("*") if file.suffix.lower() in {".png", ".jpg", ".jpeg"})
    if len(files) < count:
        raise SystemExit(f"{path} holds {len(files)} images, fewer than the {count} requested.")
    chosen = np.random.default_rng(seed).choice(len(files), size=count, replace=False)
    return [files[i] for i in sorted(chosen)]


def synthetic_kernels() -> list[tuple[str, np.ndarray]]:
    """The synthetic blur kernels of the protocol, with a short description each."""
    kernels = [(f"shake(size={size}, seed={seed})", rc.shake_kernel(size, seed)) for size, seed in SHAKE_KERNELS]
    kernels.append(("gaussian(std=1.6)", rc.gaussian_kernel(1.6)))
    kernels.append(("motion(length=15, angle=30)", rc.motion_kernel(15, 30)))
    return kernels


def centre_crop(image: np.ndarray, side: int) -> np.ndarray:
    """The centred ``side`` x ``side`` crop of an image (gray or colour; all of it along a shorter side)."""
    top, left = [max((size - side) // 2, 0) for size in image.shape[:2]]
    return np.ascontiguousarray(image[top : top + side, left : left + side])
