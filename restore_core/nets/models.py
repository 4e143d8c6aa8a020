"""Inference with the shipped models (see :mod:`restore_core.nets.specs`): tiled, on CUDA when present."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..device import PRECISIONS, get_device
from ..errors import RestoreError
from .specs import get_spec
from .tiling import tiled_apply
from .unet import pad_to_multiple
from .weights import load_network

#: Default tile side (input pixels) and context overlap of tiled inference.
TILE, OVERLAP = 512, 48


@contextmanager
def inference(device: torch.device, precision: str = "float32") -> Iterator[None]:
    """Gradient-free inference on ``device``, under bfloat16 autocast when ``precision`` asks for it.

    Raises
    ------
    RestoreError
        For a precision not in :data:`PRECISIONS`.
    """
    if precision not in PRECISIONS:
        raise RestoreError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}.")
    with torch.inference_mode(), torch.autocast(device.type, torch.bfloat16, enabled=precision == "bfloat16"):
        yield


@lru_cache(maxsize=8)
def _cached_network(path: str, architecture: str, device: str, stamp: float) -> nn.Module:
    network, _ = load_network(Path(path), architecture)
    return network.to(device=device, memory_format=torch.channels_last)


def network_for(name: str, device: torch.device) -> nn.Module:
    """The model's network on ``device`` (loaded once; reloaded when its file changes)."""
    spec = get_spec(name)
    stamp = spec.path.stat().st_mtime_ns if spec.path.is_file() else 0
    return _cached_network(str(spec.path), spec.architecture, str(device), stamp)


def to_tensor(image: np.ndarray, device: torch.device) -> torch.Tensor:
    """``HxW`` or ``HxWxC`` float array -> ``(1, C, H, W)`` channels-last tensor."""
    array = image[None, None] if image.ndim == 2 else np.moveaxis(image, -1, 0)[None]
    return (
        torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
        .to(device)
        .contiguous(memory_format=torch.channels_last)
    )


def to_array(tensor: torch.Tensor, gray: bool) -> np.ndarray:
    """``(1, C, H, W)`` tensor -> ``HxW`` (gray) or ``HxWxC`` float32 array; NaN output raises."""
    array = tensor[0].float().cpu().numpy()
    if not np.isfinite(array).all():
        raise RestoreError("the network produced NaN or infinite values (corrupted weights or extreme input).")
    return array[0] if gray else np.moveaxis(array, 0, -1)


def run_unet(
    name: str,
    image: np.ndarray,
    condition: float,
    device: str = "auto",
    tile: int = TILE,
    overlap: int = OVERLAP,
    precision: str = "float32",
) -> np.ndarray:
    """Apply a DeconvUNet model to an image with a constant condition value.

    Parameters
    ----------
    name : str
        Model name in :data:`MODELS`.
    image : ndarray
        HxW or HxWx3 float image with the model's channel count.
    condition : float
        Condition value (the noise level divided by 255 for the denoisers).
    device : {'auto', 'cpu', 'cuda'}
        Where to compute.
    tile, overlap : int
        Tiled inference beyond ``tile`` pixels per side, with ``overlap`` pixels of context.
    precision : {'float32', 'bfloat16'}
        Arithmetic of the network (see :data:`PRECISIONS`).

    Returns
    -------
    ndarray
        The network output, float32, shaped like ``image``.
    """
    spec = get_spec(name)
    channels = 1 if image.ndim == 2 else image.shape[-1]
    if channels != spec.channels:
        raise RestoreError(f"model {name} takes {spec.channels}-channel images, got {channels} channels.")
    torch_device = get_device(device)
    network = network_for(name, torch_device)
    level = torch.tensor([[condition]], dtype=torch.float32, device=torch_device)

    def run(part: torch.Tensor) -> torch.Tensor:
        return network(part, level).float()

    return _tiled_unet(network, run, image, torch_device, tile, overlap, precision)


def _tiled_unet(network: nn.Module, run: Callable[[torch.Tensor], torch.Tensor], image: np.ndarray,
                device: torch.device, tile: int, overlap: int, precision: str) -> np.ndarray:  # fmt: skip
    """``run`` over ``image`` padded to the U-Net's grid, in tiles aligned to it, cropped back (an HxW(xC) array)."""
    padded, (height, width) = pad_to_multiple(to_tensor(image, device), network.multiple)
    tile = max(tile // network.multiple * network.multiple, 2 * overlap + network.multiple)
    with inference(device, precision):
        output = tiled_apply(run, padded, tile, overlap, align=network.multiple)
    return to_array(output[..., :height, :width], image.ndim == 2)


def run_sr(
    name: str,
    low: np.ndarray,
    device: str = "auto",
    tile: int = TILE // 2,
    overlap: int = 24,
    precision: str = "float32",
) -> np.ndarray:
    """Apply a DeconvSR model to a low-resolution HxW (Y channel) image (``precision`` as in :func:`run_unet`).

    Returns
    -------
    ndarray
        float32, ``scale`` times larger on each side.
    """
    spec = get_spec(name)
    torch_device = get_device(device)
    network = network_for(name, torch_device)
    with inference(torch_device, precision):
        output = tiled_apply(
            lambda part: network(part).float(), to_tensor(low, torch_device), tile, overlap, scale=spec.config["scale"]
        )
    return to_array(output, gray=True)


def run_blind_unet(
    name: str,
    image: np.ndarray,
    device: str = "auto",
    tile: int = TILE,
    overlap: int = OVERLAP,
    precision: str = "float32",
) -> tuple[np.ndarray, np.ndarray]:
    """Apply a BlindDeconvUNet model to an HxWx3 image; ``device``, ``tile``, ``overlap`` and ``precision`` as in
    :func:`run_unet`.

    Returns
    -------
    restored : ndarray
        float32, shaped like ``image``.
    level : ndarray
        HxW float32: the noise standard deviation the network estimated at each pixel (``[0, 1]`` scale).
    """
    spec = get_spec(name)
    if image.ndim != 3 or image.shape[-1] != spec.channels:
        raise RestoreError(f"model {name} takes {spec.channels}-channel images, got an image of shape {image.shape}.")
    torch_device = get_device(device)
    network = network_for(name, torch_device)

    def both(part: torch.Tensor) -> torch.Tensor:
        level = network.noise_map(part)
        return torch.cat([network.denoiser(part, level), level], dim=1).float()

    output = _tiled_unet(network, both, image, torch_device, tile, overlap, precision)
    return output[..., :-1], output[..., -1]


def run_noise_map(
    name: str, image: np.ndarray, device: str = "auto", tile: int = TILE, precision: str = "float32"
) -> np.ndarray:
    """The noise level map a BlindDeconvUNet model's estimator reads off an HxWx3 image (its denoiser is not run).

    Returns
    -------
    ndarray
        HxW float32: the noise standard deviation at each pixel (``[0, 1]`` scale).
    """
    spec = get_spec(name)
    if image.ndim != 3 or image.shape[-1] != spec.channels:
        raise RestoreError(f"model {name} takes {spec.channels}-channel images, got an image of shape {image.shape}.")
    torch_device = get_device(device)
    network = network_for(name, torch_device)
    return _tiled_unet(network, lambda part: network.noise_map(part).float(), image, torch_device, tile, OVERLAP,
                       precision)[..., 0]  # fmt: skip
