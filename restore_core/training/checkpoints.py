"""Training checkpoints: weights, optimizer state and the run state in one safetensors file (no pickle)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from ..nets.weights import read_metadata

#: File name of a run's checkpoint in its run folder.
CHECKPOINT = "checkpoint.safetensors"
#: Metadata key of exported weights that holds the run state (JSON).
RUN_STATE = "run_state"


def save_checkpoint(
    path: Path, network: torch.nn.Module, optimizer: torch.optim.Optimizer, state: dict[str, Any]
) -> None:
    """Weights, optimizer tensors and the run state (JSON metadata) in one safetensors file, written atomically."""
    tensors = {f"model.{name}": tensor.detach().cpu().contiguous() for name, tensor in network.state_dict().items()}
    optimizer_state = optimizer.state_dict()
    for index, values in optimizer_state["state"].items():
        for key, value in values.items():
            tensors[f"optimizer.{index}.{key}"] = torch.as_tensor(value).detach().cpu().contiguous()
    metadata = {"state": json.dumps(state), "param_groups": json.dumps(optimizer_state["param_groups"])}
    temporary = path.with_name(f".{path.name}.tmp")
    save_file(tensors, str(temporary), metadata=metadata)
    temporary.replace(path)


def load_checkpoint(path: Path, network: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """Restore what :func:`save_checkpoint` wrote; return the run state."""
    metadata = read_metadata(path)
    tensors = load_file(str(path))
    network.load_state_dict({name[6:]: value for name, value in tensors.items() if name.startswith("model.")})
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, value in tensors.items():
        if name.startswith("optimizer."):
            _, index, key = name.split(".", 2)
            state.setdefault(int(index), {})[key] = value
    optimizer.load_state_dict({"state": state, "param_groups": json.loads(metadata["param_groups"])})
    return json.loads(metadata["state"])
