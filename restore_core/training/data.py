"""Training data: patches sampled reproducibly from ``<data root>/train/<set>``, degraded by the model's task.

Step ``k`` draws from a generator seeded with ``(seed, k)``: random crops with random flips and
rotations, degraded on the fly by the task's declaration (:meth:`restore_core.tasks.Task.training_inputs`:
the same noise, codec and MATLAB bicubic operators the benchmark uses). The last :data:`HOLDOUT`
images of the folder are never trained on: they give the validation PSNR.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..convert import load_image, quantize, rgb_to_gray, rgb_to_y
from ..errors import RestoreError
from ..nets.specs import ModelSpec
from ..tasks import get_task
from ..tasks.base import TrainingDeclaration
from .codec import CODEC_TRAINING

#: Training images kept out of training for validation (the last ones of the sorted folder).
HOLDOUT = 8

Batch = tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]


def training_task(spec: ModelSpec) -> TrainingDeclaration:
    """What degrades a model's training patches and scores it: its restoration task, or the codec objective."""
    return CODEC_TRAINING if spec.task == CODEC_TRAINING.name else get_task(spec.task)


def image_kind(spec: ModelSpec) -> str:
    """How a model sees training images: ``'gray'``, ``'rgb'`` or ``'y'`` (luma of MATLAB rgb2ycbcr)."""
    if spec.channels == 3:
        return "rgb"
    return "y" if training_task(spec).train_on_luma else "gray"


def load_training_images(folder: Path, kind: str) -> list[np.ndarray]:
    """Every image of a training folder (sorted by name), as float32 HxWxC in ``[0, 1]``."""
    files = sorted(path for path in folder.iterdir() if path.suffix.lower() in {".png", ".jpg", ".jpeg", ".bmp"})
    if len(files) <= HOLDOUT:
        raise RestoreError(f"{folder} holds {len(files)} images; training needs more than {HOLDOUT}.")
    images = []
    for path in files:
        image = load_image(path)
        if kind == "rgb":
            image = np.repeat(image[..., None], 3, axis=-1) if image.ndim == 2 else image
        elif image.ndim == 3:
            image = quantize(rgb_to_y(image)) if kind == "y" else rgb_to_gray(image)
        images.append(image[..., None] if image.ndim == 2 else image)
    return images


def sample_patches(images: Sequence[np.ndarray], count: int, side: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` random ``side`` x ``side`` crops, each randomly flipped and rotated: ``(count, side, side, C)``."""
    patches = []
    for _ in range(count):
        image = images[rng.integers(len(images))]
        top = rng.integers(image.shape[0] - side + 1)
        left = rng.integers(image.shape[1] - side + 1)
        patch = np.rot90(image[top : top + side, left : left + side], k=rng.integers(4))
        patches.append(patch[:, ::-1] if rng.integers(2) else patch)
    return np.ascontiguousarray(np.stack(patches), dtype=np.float32)


def _nchw(array: np.ndarray, device: torch.device | None) -> torch.Tensor:
    tensor = torch.from_numpy(np.ascontiguousarray(np.moveaxis(array, -1, 1)))
    return tensor if device is None else tensor.to(device)


def make_batch(
    spec: ModelSpec, clean: np.ndarray, rng: np.random.Generator, device: torch.device | None = None, level: Any = None
) -> Batch:
    """Inputs, condition (or None) and targets of clean ``(N, H, W, C)`` patches, degraded by the model's task.

    ``level`` fixes the degradation level (validation: the patches are not augmented); ``device`` None keeps
    the tensors on the CPU.
    """
    task = training_task(spec)
    if level is None:
        clean = task.augment_clean(clean, rng, spec.task_config)
    inputs, condition = task.training_inputs(clean, rng, spec.task_config, level)
    return _nchw(inputs, device), None if condition is None else _nchw(condition, device), _nchw(clean, device)


class BatchStream(torch.utils.data.IterableDataset):
    """The training batches from step ``start`` on: ``(step, inputs, condition, target)`` on the CPU.

    Batch ``k`` depends only on ``(seed, k)``; with ``W`` loader workers, worker ``w``
    makes the steps ``start + w``, ``start + w + W``, … and the loader takes them in
    turn, so the stream is the same whatever the number of workers.
    """

    def __init__(self, spec: ModelSpec, images: Sequence[np.ndarray], batch: int, seed: int, side: int,
                 start: int) -> None:  # fmt: skip
        super().__init__()
        self.spec, self.images, self.batch, self.seed, self.side, self.start = spec, images, batch, seed, side, start

    def __iter__(self):
        worker = torch.utils.data.get_worker_info()
        offset, stride = (0, 1) if worker is None else (worker.id, worker.num_workers)
        for step in itertools.count(self.start + offset, stride):
            rng = np.random.default_rng([self.seed, step])
            clean = sample_patches(self.images, self.batch, self.side, rng)
            yield (step, *make_batch(self.spec, clean, rng))


def batch_loader(stream: BatchStream, workers: int, device: torch.device) -> torch.utils.data.DataLoader:
    """A loader of ``stream`` made by ``workers`` processes (0: in this one), pinned for CUDA."""
    return torch.utils.data.DataLoader(
        stream, batch_size=None, num_workers=workers, pin_memory=device.type == "cuda",
        prefetch_factor=4 if workers else None,
    )  # fmt: skip
