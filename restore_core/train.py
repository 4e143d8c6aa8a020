"""Train the shipped networks: ``python -m restore_core.train MODEL --data-root DIR``.

Patches are sampled reproducibly (step ``k`` draws from a generator seeded with
``(seed, k)``) from ``<data root>/train/<set>`` with random flips and rotations
and degraded on the fly by the same operators the benchmark uses (Gaussian
noise of :mod:`restore_core.noise`, MATLAB bicubic of :mod:`restore_core.imresize`).
The last :data:`HOLDOUT` images of the training folder are never trained on:
they give the validation PSNR; the test sets are never read.

Checkpoints (``runs/<model>/checkpoint.safetensors``: weights, optimizer state,
step and history; no pickle) are written every ``--checkpoint-every`` steps and
when the ``--minutes`` budget ends, so ``--resume`` continues a run cut off by
a session end. ``--export`` writes ``restore_core/weights/<model>.safetensors``
and its model card; the weights file carries the run state too, so on a fresh
checkout (no ``runs/`` folder) ``--resume`` continues from the exported weights
with a new optimizer state.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from tqdm import tqdm

from .convert import load_image, quantize, rgb_to_gray, rgb_to_y
from .dataroot import add_data_root_argument
from .device import DEVICE_CHOICES, describe_device, get_device
from .errors import RestoreError
from .imresize import imresize
from .jpeg import jpeg_compress
from .metrics import psnr
from .nets.specs import MODELS, WEIGHTS_DIR, ModelSpec, get_spec
from .nets.unet import pad_to_multiple
from .nets.weights import build_network, read_metadata, save_weights
from .noise import add_gaussian_noise

#: Training images kept out of training for validation (the last ones of the sorted folder).
HOLDOUT = 8
#: Largest noise level (0–255) the denoisers are trained for.
MAX_TRAIN_SIGMA = 50.0
#: Noise level of the denoisers' validation.
VALIDATION_SIGMA = 25.0
#: JPEG qualities the artifact-removal models are trained for (inclusive), and the validation quality.
JPEG_QUALITIES = (5, 95)
VALIDATION_QUALITY = 10
#: Validation images are centre-cropped to this side to keep validation quick.
VALIDATION_SIDE = 192
#: Steps of a run after which ``fit_schedule`` sets the schedule length, and the share of the
#: remaining budget it plans for (the rest covers validation, checkpoints and speed changes).
FIT_WARMUP, FIT_MARGIN = 300, 0.93
CHECKPOINT = "checkpoint.safetensors"
#: Metadata key of exported weights that holds the run state (JSON).
RUN_STATE = "run_state"


@dataclass(frozen=True)
class TrainConfig:
    """Settings of a training run (stored in its checkpoint and model card)."""

    model: str
    steps: int
    batch: int
    patch: int
    lr: float
    seed: int


Batch = tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]


def image_kind(spec: ModelSpec) -> str:
    """How a model sees training images: ``'gray'``, ``'rgb'`` or ``'y'`` (luma of MATLAB rgb2ycbcr)."""
    if spec.channels == 3:
        return "rgb"
    return "y" if spec.task in ("sr", "jpeg") else "gray"


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


def denoise_batch(
    clean: np.ndarray, rng: np.random.Generator, device: torch.device | None, sigma: float | None = None
) -> Batch:
    """Noisy inputs, noise-level conditions and clean targets; levels uniform in ``[0, 50]`` unless given."""
    sigmas = rng.uniform(0, MAX_TRAIN_SIGMA, len(clean)) if sigma is None else np.full(len(clean), sigma)
    noisy = np.stack([add_gaussian_noise(patch, level, rng) for patch, level in zip(clean, sigmas, strict=True)])
    condition = _nchw((sigmas / 255.0).astype(np.float32)[:, None], device)
    return _nchw(noisy, device), condition, _nchw(clean, device)


def sr_batch(clean: np.ndarray, scale: int, device: torch.device | None) -> Batch:
    """Low-resolution inputs by MATLAB bicubic downscaling (the benchmark's operator) and the clean targets."""
    low = np.stack([imresize(patch[..., 0], 1 / scale)[..., None] for patch in clean])
    return _nchw(low, device), None, _nchw(clean, device)


def jpeg_batch(
    clean: np.ndarray, rng: np.random.Generator, device: torch.device | None, quality: int | None = None
) -> Batch:
    """JPEG-compressed inputs (libjpeg, the benchmark's codec), quality conditions (q / 100) and clean targets.

    Qualities are uniform in :data:`JPEG_QUALITIES` unless given; each patch is compressed on its own,
    its 8x8 block grid starting at its corner.
    """
    if quality is None:
        qualities = rng.integers(JPEG_QUALITIES[0], JPEG_QUALITIES[1] + 1, len(clean))
    else:
        qualities = np.full(len(clean), quality)
    compressed = np.stack(
        [
            jpeg_compress(patch[..., 0] if patch.shape[-1] == 1 else patch, int(q)).reshape(patch.shape)
            for patch, q in zip(clean, qualities, strict=True)
        ]
    )
    condition = _nchw((qualities / 100.0).astype(np.float32)[:, None], device)
    return _nchw(compressed, device), condition, _nchw(clean, device)


def make_batch(
    spec: ModelSpec, clean: np.ndarray, rng: np.random.Generator, device: torch.device | None = None
) -> Batch:
    """The degraded inputs of a model's task for clean patches (on ``device``; None keeps them on the CPU)."""
    if spec.task == "sr":
        return sr_batch(clean, spec.config["scale"], device)
    if spec.task == "jpeg":
        return jpeg_batch(clean, rng, device)
    return denoise_batch(clean, rng, device)


class BatchStream(torch.utils.data.IterableDataset):
    """The training batches from step ``start`` on: ``(step, inputs, condition, target)`` on the CPU.

    Batch ``k`` depends only on ``(seed, k)``; with ``W`` loader workers, worker ``w``
    makes the steps ``start + w``, ``start + w + W``, … and the loader takes them in
    turn, so the stream is the same whatever the number of workers.
    """

    def __init__(self, spec: ModelSpec, images: Sequence[np.ndarray], config: TrainConfig, side: int,
                 start: int) -> None:  # fmt: skip
        super().__init__()
        self.spec, self.images, self.config, self.side, self.start = spec, images, config, side, start

    def __iter__(self):
        worker = torch.utils.data.get_worker_info()
        offset, stride = (0, 1) if worker is None else (worker.id, worker.num_workers)
        for step in itertools.count(self.start + offset, stride):
            rng = np.random.default_rng([self.config.seed, step])
            clean = sample_patches(self.images, self.config.batch, self.side, rng)
            yield (step, *make_batch(self.spec, clean, rng))


def batch_loader(stream: BatchStream, workers: int, device: torch.device) -> torch.utils.data.DataLoader:
    """A loader of ``stream`` made by ``workers`` processes (0: in this one), pinned for CUDA."""
    return torch.utils.data.DataLoader(
        stream, batch_size=None, num_workers=workers, pin_memory=device.type == "cuda",
        prefetch_factor=4 if workers else None,
    )  # fmt: skip


def predict(network: torch.nn.Module, inputs: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
    """Run a network on a batch (condition-map networks get their condition)."""
    return network(inputs) if condition is None else network(inputs, condition)


def validation_psnr(spec: ModelSpec, network: torch.nn.Module, images: Sequence[np.ndarray], seed: int,
                    device: torch.device) -> float:  # fmt: skip
    """Mean PSNR on the held-out training images (denoisers at sigma 25, JPEG at quality 10, SR on Y, scale cropped)."""
    scores = []
    network.eval()
    with torch.inference_mode():
        for index, image in enumerate(images):
            top, left = [max((size - VALIDATION_SIDE) // 2, 0) for size in image.shape[:2]]
            clean = image[top : top + VALIDATION_SIDE, left : left + VALIDATION_SIDE]
            rng = np.random.default_rng([seed, index])
            if spec.task == "sr":
                scale = spec.config["scale"]
                clean = clean[: clean.shape[0] // scale * scale, : clean.shape[1] // scale * scale]
                inputs, condition, _ = sr_batch(clean[None], scale, device)
                output = network(inputs)
            else:
                if spec.task == "jpeg":
                    inputs, condition, _ = jpeg_batch(clean[None], rng, device, quality=VALIDATION_QUALITY)
                else:
                    inputs, condition, _ = denoise_batch(clean[None], rng, device, sigma=VALIDATION_SIGMA)
                padded, (height, width) = pad_to_multiple(inputs, network.multiple)
                output = predict(network, padded, condition)[..., :height, :width]
            restored = np.moveaxis(output[0].float().cpu().numpy(), 0, -1)
            crop = spec.config["scale"] if spec.task == "sr" else 0
            scores.append(psnr(clean, np.clip(restored, 0, 1), crop=crop))
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
    side = config.patch * (spec.config["scale"] if spec.task == "sr" else 1)
    smallest = min(min(image.shape[:2]) for image in training)
    if side > smallest:
        raise RestoreError(f"patches of {side} pixels do not fit the smallest training image ({smallest} pixels).")
    torch_device = get_device(device)
    torch.manual_seed(config.seed)
    network = build_network(spec.architecture, spec.config).to(torch_device)
    layout = torch.channels_last if torch_device.type == "cuda" else torch.contiguous_format
    network = network.to(memory_format=layout)
    optimizer = torch.optim.Adam(network.parameters(), lr=config.lr)
    run_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = run_dir / CHECKPOINT
    state: dict[str, Any] = {"config": asdict(config), "step": 0, "seconds": 0.0, "history": [],
                             "device": describe_device(device), "data": f"train/{spec.train_set}",
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
    if (here := describe_device(device)) not in state["device"]:
        state["device"] += f", then {here}"
    if not state["history"]:
        state["history"].append([0, None, validation_psnr(spec, network, held_out, config.seed, torch_device)])
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=torch_device.type == "cuda")
    torch.backends.cudnn.benchmark = torch_device.type == "cuda"
    started = time.monotonic()
    deadline = None if minutes is None else started + 60 * minutes
    fit_at = state["step"] + FIT_WARMUP if fit_schedule and deadline is not None else None
    losses: list[float] = []
    bar = tqdm(total=config.steps, initial=state["step"], desc=config.model, disable=not progress, dynamic_ncols=True)
    network.train()
    stop = config.steps if until is None else min(until, config.steps)
    batches = iter(batch_loader(BatchStream(spec, training, config, side, state["step"]), workers, torch_device))
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
            loss = F.l1_loss(predict(network, inputs, condition).float(), target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
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
            bar.set_postfix(loss=f"{state['history'][-1][1]:.4f}", val_psnr=f"{value:.2f}")
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


def export(model: str, run_dir: Path, weights_dir: Path, command: str) -> Path:
    """Write the trained weights and the model card of a run; return the weights file."""
    spec = get_spec(model)
    network = build_network(spec.architecture, spec.config)
    optimizer = torch.optim.Adam(network.parameters())
    state = load_checkpoint(run_dir / CHECKPOINT, network, optimizer)
    path = weights_dir / f"{model}.safetensors"
    extra = {"model": model, "steps": str(state["step"]), "data": state["data"], RUN_STATE: json.dumps(state)}
    save_weights(network, spec.config, path, extra)
    card = weights_dir / f"{model}.md"
    card.write_text(model_card(spec, state, path, command, _measured_section(card)), encoding="utf-8")
    return path


_MEASURED = "## Measured test results"


def _measured_section(card: Path) -> str:
    """The measured-results section of an existing card (kept across re-exports), else its template."""
    if card.is_file() and _MEASURED in (text := card.read_text(encoding="utf-8")):
        return text[text.index(_MEASURED) :].rstrip() + "\n"
    return f"{_MEASURED}\n\nNot measured yet for these weights: run the benchmark command of the task.\n"


def model_card(spec: ModelSpec, state: dict[str, Any], path: Path, command: str, measured: str) -> str:
    """The Markdown model card of exported weights."""
    config = state["config"]
    history = "\n".join(
        f"| {step} | {'—' if loss is None else f'{loss:.4f}'} | {value:.2f} |" for step, loss, value in state["history"]
    )
    parameters = sum(int(np.prod(shape)) for shape in _shapes(spec))
    return f"""# {spec.name}

{spec.description[0].upper() + spec.description[1:]}.

| | |
|---|---|
| architecture | {spec.architecture} {json.dumps(spec.config)}, {parameters:,} parameters |
| weights | `{path.name}` ({path.stat().st_size / 1e6:.1f} MB, safetensors, float32) |
| training data | `<data root>/{state["data"]}`: {state["images"]} images (the last {HOLDOUT} held out for validation) |
| degradation | {_degradation_text(spec)} |
| steps | {state["step"]} of {config["steps"]} (batch {config["batch"]}, patch {config["patch"]}) |
| seed | {config["seed"]} |
| optimisation | Adam, L1 loss, cosine learning rate {config["lr"]:g} → {config["lr"] / 100:g}{_resumptions(state)} |
| wall time | {state["seconds"] / 3600:.2f} h on {state["device"]} |
| exported | {datetime.now(UTC):%Y-%m-%d %H:%M UTC}, Python {platform.python_version()}, torch {torch.__version__} |

Command (resumable; `--export` writes this card and the weights):

```
{command}
```

Validation PSNR (dB) on the held-out training images ({_validation_text(spec)}):

| step | mean training loss | validation PSNR |
|---:|---:|---:|
{history}

{measured}"""


def _resumptions(state: dict[str, Any]) -> str:
    """Card text for schedule length changes and for optimizer restarts made when the run was resumed."""
    notes = [
        f"from step {start}, cosine from {rate:.3g} to step {end} (schedule length changed on resume or fitted "
        "to the time budget)"
        for start, rate, end in state.get("schedule", [])[1:]
    ]
    if steps := state.get("optimizer_restarts", []):
        notes.append(f"optimizer state restarted at step {', '.join(map(str, steps))} (resumed from exported weights)")
    return "".join(f"; {note}" for note in notes)


def _shapes(spec: ModelSpec) -> list[tuple[int, ...]]:
    return [tuple(tensor.shape) for tensor in build_network(spec.architecture, spec.config).state_dict().values()]


def _degradation_text(spec: ModelSpec) -> str:
    if spec.task == "sr":
        return f"MATLAB bicubic downscaling by {spec.config['scale']} (Y channel)"
    if spec.task == "jpeg":
        low, high = JPEG_QUALITIES
        return f"libjpeg compression of each patch, quality uniform in [{low}, {high}], given as an input map (q/100)"
    return f"additive Gaussian noise, sigma uniform in [0, {MAX_TRAIN_SIGMA:g}] (0–255 scale), given as an input map"


def _validation_text(spec: ModelSpec) -> str:
    if spec.task == "sr":
        return f"x{spec.config['scale']}, Y channel, border {spec.config['scale']} cropped"
    if spec.task == "jpeg":
        return f"quality {VALIDATION_QUALITY}, centre {VALIDATION_SIDE}x{VALIDATION_SIDE} crops"
    return f"sigma {VALIDATION_SIGMA:g}, centre {VALIDATION_SIDE}x{VALIDATION_SIDE} crops"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="python -m restore_core.train",
        description="Train a shipped network on <data root>/train (resumable) and export its weights and model card.",
        epilog="example:\n  python -m restore_core.train unet_gray --data-root ../shared/data --minutes 60 --resume "
        "--export",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", choices=list(MODELS), help="model to train")
    add_data_root_argument(parser, "train/<set>")
    parser.add_argument(
        "--steps",
        type=_positive_int,
        default=100_000,
        help="length of the schedule in steps (default 100000); with --resume, a new length decays the "
        "learning rate from its current value to the new end",
    )
    parser.add_argument("--minutes", type=_positive_float, help="stop (with a checkpoint) after this many minutes")
    parser.add_argument("--until", type=_positive_int, metavar="STEP", help="stop (with a checkpoint) at this step")
    parser.add_argument("--batch", type=_positive_int, default=16, help="patches per step (default 16)")
    parser.add_argument(
        "--patch", type=_positive_int, default=64, help="patch side, low-resolution side for SR (default 64)"
    )
    parser.add_argument("--lr", type=_positive_float, default=2e-4, help="initial learning rate (default 2e-4)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights and the patch sampling")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument("--run-dir", type=Path, metavar="DIR", help="checkpoint folder (default runs/<model>)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the checkpoint in the run folder, else the run stored in the exported weights",
    )
    parser.add_argument(
        "--fit-schedule",
        action="store_true",
        help=f"with --minutes: after {FIT_WARMUP} steps, set the schedule length from the measured speed so the "
        "learning rate decays to its end within the budget",
    )
    parser.add_argument(
        "--restart-lr",
        type=_positive_float,
        metavar="RATE",
        help="with --resume and a longer --steps: restart the cosine decay from RATE (a warm restart) instead "
        "of the current rate",
    )
    parser.add_argument(
        "--workers", type=int, default=0, metavar="N", help="processes that make the batches (default 0: this one)"
    )
    parser.add_argument("--export", action="store_true", help="write the weights and model card when done")
    parser.add_argument("--weights-dir", type=Path, default=WEIGHTS_DIR, metavar="DIR", help="export folder")
    parser.add_argument(
        "--validate-every", type=_positive_int, default=500, metavar="N", help="steps between validations"
    )
    return parser


def main(argv: Sequence[str] | None = None, report: Callable[[str], None] = print) -> int:
    """Train (and export); return 0."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding train/).")
    if args.fit_schedule and args.minutes is None:
        parser.error("--fit-schedule needs --minutes (the budget the schedule is fitted to).")
    if args.workers < 0:
        parser.error("--workers must be 0 or more.")
    config = TrainConfig(args.model, args.steps, args.batch, args.patch, args.lr, args.seed)
    run_dir = args.run_dir or Path("runs") / args.model
    try:
        state = train(config, args.data_root, run_dir, device=args.device, minutes=args.minutes, until=args.until,
                      resume=args.resume, weights_dir=args.weights_dir,
                      validate_every=args.validate_every, checkpoint_every=args.validate_every,
                      workers=args.workers, fit_schedule=args.fit_schedule,
                      restart_lr=args.restart_lr)  # fmt: skip
        step, _, value = state["history"][-1]
        length = state["config"]["steps"]
        report(f"{args.model}: step {state['step']}/{length}, validation PSNR {value:.2f} dB at step {step}")
        if args.export:
            command = shlex.join(["python", "-m", "restore_core.train", *argv])
            report(f"exported {export(args.model, run_dir, args.weights_dir, command)}")
    except RestoreError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
