"""The training loop: Adam on an L1 loss with a cosine learning rate, resumable, validated on held-out images."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tqdm import tqdm

from ..device import describe_device, get_device
from ..errors import RestoreError
from ..metrics import psnr
from ..nets.specs import WEIGHTS_DIR, ModelSpec, get_spec
from ..nets.unet import pad_to_multiple
from ..nets.weights import build_network, read_metadata
from ..tasks.sr import mod_crop
from .checkpoints import CHECKPOINT, RUN_STATE, load_checkpoint, save_checkpoint
from .data import (
    HOLDOUT,
    BatchStream,
    batch_loader,
    image_kind,
    load_training_images,
    make_batch,
    training_task,
)

#: Validation images are centre-cropped to this side to keep validation quick.
VALIDATION_SIDE = 192
#: Steps of a run after which ``fit_schedule`` sets the schedule length, and the share of the
#: remaining budget it plans for (the rest covers validation, checkpoints and speed changes).
FIT_WARMUP, FIT_MARGIN = 300, 0.93


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a training run (stored in its checkpoint and model card)."""

    model: str
    steps: int
    batch: int
    patch: int
    lr: float
    seed: int


def predict(network: torch.nn.Module, inputs: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
    """Run a network on a batch (condition-map networks get their condition)."""
    return network(inputs) if condition is None else network(inputs, condition)


def batch_loss(network: torch.nn.Module, inputs: torch.Tensor, condition: torch.Tensor | None,
               target: torch.Tensor) -> torch.Tensor:  # fmt: skip
    """The training loss of a batch: the network's own ``loss`` when it has one, else the L1 error."""
    if hasattr(network, "loss"):
        return network.loss(inputs, condition, target)
    return F.l1_loss(predict(network, inputs, condition).float(), target)


def validation_psnr(spec: ModelSpec, network: torch.nn.Module, images: Sequence[np.ndarray], seed: int,
                    device: torch.device) -> float:  # fmt: skip
    """Mean PSNR on centre crops of the held-out training images at the task's validation level.

    A training declaration with its own ``validation_score`` (a codec's) is scored by it instead.

    Super-resolution crops the ground truth to a multiple of the scale and measures without a
    ``scale``-pixel border, as the benchmark does.
    """
    task = training_task(spec)
    if task.validation_score is not None:
        return task.validation_score(network, images, device)
    factor = task.output_factor(spec.config)
    scores = []
    network.eval()
    with torch.inference_mode():
        for index, image in enumerate(images):
            top, left = [max((size - VALIDATION_SIDE) // 2, 0) for size in image.shape[:2]]
            clean = image[top : top + VALIDATION_SIDE, left : left + VALIDATION_SIDE]
            clean = mod_crop(clean, factor)
            rng = np.random.default_rng([seed, index])
            inputs, condition, _ = make_batch(spec, clean[None], rng, device, level=task.validation_level)
            padded, (height, width) = pad_to_multiple(inputs, network.multiple)
            output = predict(network, padded, condition)[..., : height * factor, : width * factor]
            restored = np.moveaxis(output[0].float().cpu().numpy(), 0, -1)
            scores.append(psnr(clean, np.clip(restored, 0, 1), crop=factor if factor > 1 else 0))
    network.train()
    return float(np.mean(scores))


def learning_rate(config: TrainConfig, step: int, schedule: list[list[float]] | None = None) -> float:
    """Cosine decay from ``lr`` to ``lr / 100`` over ``steps``.

    ``schedule`` lists the segments ``[start step, start rate, end step]`` of a run whose
    length was changed on resume (see :func:`train`), the first one ``[0, lr, first length]``:
    from its start, each segment decays from its start rate to ``lr / 100`` at its end,
    so the rate never jumps.
    """
    start, start_rate, end = next(
        (segment for segment in reversed(schedule or []) if segment[0] <= step), (0, config.lr, config.steps)
    )
    floor = config.lr / 100
    progress = min((step - start) / max(end - start, 1), 1.0)
    return floor + (start_rate - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def train(
    config: TrainConfig,
    data_root: Path,
    run_dir: Path,
    *,
    device: str = "auto",
    minutes: float | None = None,
    until: int | None = None,
    resume: bool = False,
    weights_dir: Path = WEIGHTS_DIR,
    validate_every: int = 500,
    checkpoint_every: int = 500,
    progress: bool = True,
    workers: int = 0,
    fit_schedule: bool = False,
    restart_lr: float | None = None,
    bfloat16: bool | None = None,
) -> dict[str, Any]:
    """Train a model until ``config.steps``, step ``until`` or the ``minutes`` budget; return the run state.

    With ``resume``, the checkpoint in ``run_dir`` is continued; without one,
    the exported weights in ``weights_dir`` are, if their run state has the
    same configuration (the optimizer state then starts afresh). A resumed run may
    change ``config.steps``: the learning rate then decays by a cosine from its
    current value to ``lr / 100`` at the new length (a segment of ``state["schedule"]``).
    With ``fit_schedule`` and ``minutes``, the length is set alike after :data:`FIT_WARMUP`
    steps, from the speed of the last half of them, so the decay ends with the budget.
    ``restart_lr`` makes the new segment of a resumed, lengthened run start from that rate
    instead (a warm restart, for a run whose rate has already decayed).
    ``workers`` processes make the batches (0: this one); the batches do not depend on it.
    ``bfloat16`` runs the forward passes under bfloat16 autocast (None: on CUDA only; it is worth it
    on CPUs with AVX512-BF16 or AMX too).

    Raises
    ------
    RestoreError
        For a missing training folder, an existing checkpoint without ``resume``,
        or a checkpoint or exported run of another configuration.
    """
    spec = get_spec(config.model)
    folder = data_root / "train" / spec.train_set
    if not folder.is_dir():
        raise RestoreError(f"training folder {folder} not found (pass --data-root or set DECONV_DATA).")
    images = load_training_images(folder, image_kind(spec))
    training, held_out = images[:-HOLDOUT], images[-HOLDOUT:]
    side = training_task(spec).training_side(config.patch, spec.config)
    smallest = min(min(image.shape[:2]) for image in training)
    if side > smallest:
        raise RestoreError(f"patches of {side} pixels do not fit the smallest training image ({smallest} pixels).")
    torch_device = get_device(device)
    mixed = torch_device.type == "cuda" if bfloat16 is None else bfloat16
    here = describe_device(device) + (", bfloat16 autocast" if mixed and torch_device.type != "cuda" else "")
    torch.manual_seed(config.seed)
    network = build_network(spec.architecture, spec.config).to(torch_device)
    layout = torch.channels_last if torch_device.type == "cuda" else torch.contiguous_format
    network = network.to(memory_format=layout)
    optimizer = torch.optim.Adam(network.parameters(), lr=config.lr)
    run_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = run_dir / CHECKPOINT
    state: dict[str, Any] = {"config": asdict(config), "step": 0, "seconds": 0.0, "history": [],
                             "device": here, "data": f"train/{spec.train_set}",
                             "images": len(training)}  # fmt: skip
    if checkpoint.is_file():
        if not resume:
            raise RestoreError(f"{checkpoint} exists: pass --resume to continue it, or remove the folder.")
        state = _same_config(load_checkpoint(checkpoint, network, optimizer), config, checkpoint, restart_lr)
    elif resume and (exported := weights_dir / f"{config.model}.safetensors").is_file():
        metadata = read_metadata(exported)
        if RUN_STATE not in metadata:
            raise RestoreError(f"{exported} holds no run state to resume; train afresh without --resume.")
        state = _same_config(json.loads(metadata[RUN_STATE]), config, exported, restart_lr)
        network.load_state_dict(load_file(str(exported)))
        state.setdefault("optimizer_restarts", []).append(state["step"])
    elif restart_lr is not None:
        raise RestoreError("a warm restart (--restart-lr) continues a run: pass --resume with a checkpoint in the "
                           "run folder or exported weights.")  # fmt: skip
    elif spec.init is not None:
        start = get_spec(spec.init).path
        if not start.is_file():
            raise RestoreError(f"{config.model} starts from {spec.init}, whose weights {start} are missing.")
        network.denoiser.load_state_dict(load_file(str(start)))
        state["init"] = spec.init
    if here not in state["device"]:
        state["device"] += f", then {here}"
    if not state["history"]:
        state["history"].append([0, None, validation_psnr(spec, network, held_out, config.seed, torch_device)])
    digits = training_task(spec).score_names[2]
    autocast = torch.autocast(torch_device.type, dtype=torch.bfloat16, enabled=mixed)
    torch.backends.cudnn.benchmark = torch_device.type == "cuda"
    started = time.monotonic()
    deadline = None if minutes is None else started + 60 * minutes
    fit_at = state["step"] + FIT_WARMUP if fit_schedule and deadline is not None else None
    losses: list[float] = []
    bar = tqdm(total=config.steps, initial=state["step"], desc=config.model, disable=not progress, dynamic_ncols=True)
    network.train()
    stop = config.steps if until is None else min(until, config.steps)
    batches = iter(
        batch_loader(BatchStream(spec, training, config.batch, config.seed, side, state["step"]), workers, torch_device)
    )
    while state["step"] < stop and (deadline is None or time.monotonic() < deadline):
        step, *batch = next(batches)
        if step != state["step"]:
            raise RuntimeError(f"batch of step {step} came at step {state['step']}")
        inputs, condition, target = (None if part is None else part.to(torch_device, non_blocking=True)
                                     for part in batch)  # fmt: skip
        inputs = inputs.contiguous(memory_format=layout)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(config, step, state.get("schedule"))
        with autocast:
            loss = batch_loss(network, inputs, condition, target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if (limit := getattr(network, "max_grad_norm", None)) is not None:
            torch.nn.utils.clip_grad_norm_(network.parameters(), limit)
        optimizer.step()
        losses.append(loss.item())
        state["step"] = step + 1
        bar.update(1)
        if fit_at is not None and state["step"] == fit_at - FIT_WARMUP // 2:
            timer = time.monotonic()
        elif fit_at is not None and state["step"] == fit_at:
            rate = FIT_WARMUP / 2 / (time.monotonic() - timer)
            length = state["step"] + int(FIT_MARGIN * rate * (deadline - time.monotonic()))
            if length > state["step"] and length != config.steps:
                config = _lengthen(state, config, length)
                stop, bar.total = (length if until is None else min(until, length)), length
        last = state["step"] == stop
        if state["step"] % validate_every == 0 or last:
            value = validation_psnr(spec, network, held_out, config.seed, torch_device)
            state["history"].append([state["step"], float(np.mean(losses)), value])
            losses = []
            bar.set_postfix(loss=f"{state['history'][-1][1]:.4f}", validation=f"{value:.{digits}f}")
        if state["step"] % checkpoint_every == 0 and not last:
            _checkpoint(checkpoint, network, optimizer, state, started)
            started = time.monotonic()
    bar.close()
    _checkpoint(checkpoint, network, optimizer, state, started)
    return state


def _same_config(state: dict[str, Any], config: TrainConfig, source: Path,
                 restart_lr: float | None = None) -> dict[str, Any]:  # fmt: skip
    """The run state to continue; a new schedule length adds a segment to ``state["schedule"]``.

    The segment starts from the current rate, or from ``restart_lr`` (a warm restart).
    """
    previous = TrainConfig(**state["config"])
    if replace(previous, steps=config.steps) != config:
        raise RestoreError(f"{source} was trained with {state['config']}, not {asdict(config)}.")
    if config.steps != previous.steps:
        if config.steps <= state["step"]:
            raise RestoreError(f"{source} is at step {state['step']}: a new schedule must be longer (--steps).")
        _lengthen(state, previous, config.steps, restart_lr)
    elif restart_lr is not None:
        raise RestoreError("a warm restart (--restart-lr) needs a longer schedule (--steps).")
    return state


def _lengthen(state: dict[str, Any], config: TrainConfig, steps: int, rate: float | None = None) -> TrainConfig:
    """Change the schedule length of a run at its current step; return the new config.

    The new cosine segment starts from ``rate``, by default the current rate (no jump).
    """
    schedule = state.setdefault("schedule", [[0, config.lr, config.steps]])
    start = learning_rate(config, state["step"], schedule) if rate is None else rate
    schedule.append([state["step"], start, steps])
    new = replace(config, steps=steps)
    state["config"] = asdict(new)
    return new


def _checkpoint(path: Path, network: torch.nn.Module, optimizer: torch.optim.Optimizer, state: dict[str, Any],
                since: float) -> None:  # fmt: skip
    state["seconds"] += time.monotonic() - since
    save_checkpoint(path, network, optimizer, state)
