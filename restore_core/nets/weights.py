"""Network weights: ``safetensors`` files (never pickle) with the architecture in their metadata.

A weights file stores the state dict and, as metadata, the architecture name
and its constructor arguments (JSON), so a file rebuilds its own network and a
file that does not fit is refused with a message naming it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file
from torch import nn

from ..errors import RestoreError
from .blind import BlindDeconvUNet
from .codec import DeconvCodec
from .sr import DeconvSR
from .unet import DeconvUNet

#: Network classes by architecture name.
ARCHITECTURES: dict[str, type[nn.Module]] = {
    "DeconvUNet": DeconvUNet,
    "DeconvSR": DeconvSR,
    "BlindDeconvUNet": BlindDeconvUNet,
    "DeconvCodec": DeconvCodec,
}


def build_network(architecture: str, config: Mapping[str, Any]) -> nn.Module:
    """A network of a registered architecture with the given constructor arguments."""
    if architecture not in ARCHITECTURES:
        raise RestoreError(f"unknown architecture {architecture!r}; known: {', '.join(ARCHITECTURES)}.")
    return ARCHITECTURES[architecture](**config)


def save_weights(
    network: nn.Module, config: Mapping[str, Any], path: Path, extra: Mapping[str, str] | None = None
) -> None:
    """Write a network's weights (float32) with its architecture and ``extra`` metadata strings."""
    tensors = {name: tensor.detach().float().cpu().contiguous() for name, tensor in network.state_dict().items()}
    metadata = {"architecture": type(network).__name__, "config": json.dumps(dict(config)), **dict(extra or {})}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    save_file(tensors, str(temporary), metadata=metadata)
    temporary.replace(path)


def read_metadata(path: Path) -> dict[str, str]:
    """The metadata of a weights file."""
    try:
        with safe_open(str(path), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except (SafetensorError, OSError, ValueError) as error:
        raise RestoreError(f"weights file {path} is unreadable or corrupted ({error}).") from error


def load_network(path: Path, architecture: str | None = None) -> tuple[nn.Module, dict[str, str]]:
    """Rebuild the network stored in a weights file.

    Parameters
    ----------
    path : Path
        A ``.safetensors`` file written by :func:`save_weights`.
    architecture : str, optional
        The architecture the caller expects; another one is refused.

    Returns
    -------
    network : nn.Module
        In evaluation mode, on the CPU.
    metadata : dict
        The file's metadata.

    Raises
    ------
    RestoreError
        For a missing, corrupted or mismatched file (the message names it).
    """
    if not path.is_file():
        raise RestoreError(
            f"weights file {path} is missing; train it with `python -m restore_core.train {path.stem}` "
            "(the repository ships the trained files under restore_core/weights)."
        )
    metadata = read_metadata(path)
    found = metadata.get("architecture")
    if found not in ARCHITECTURES or (architecture is not None and found != architecture):
        raise RestoreError(
            f"weights file {path} holds architecture {found!r}, expected {architecture or 'a known one'}."
        )
    try:
        network = build_network(found, json.loads(metadata.get("config", "{}")))
        network.load_state_dict(load_file(str(path)), strict=True)
    except (RuntimeError, TypeError, ValueError, SafetensorError) as error:
        raise RestoreError(f"weights file {path} does not fit the {found} network ({error}).") from error
    if not all(torch.isfinite(tensor).all() for tensor in network.state_dict().values()):
        raise RestoreError(f"weights file {path} contains NaN or infinite values.")
    return network.eval(), metadata
