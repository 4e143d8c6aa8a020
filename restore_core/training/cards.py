"""Exported weights and their model cards (data, steps, command, validation history, measured results)."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..nets.specs import ModelSpec, get_spec
from ..nets.weights import ARCHITECTURES, build_network, save_weights
from .checkpoints import CHECKPOINT, RUN_STATE, load_checkpoint
from .data import HOLDOUT, training_task
from .loop import VALIDATION_SIDE


def export(model: str, run_dir: Path, weights_dir: Path, command: str) -> Path:
    """Write the trained weights and the model card of a run; return the weights file."""
    spec = get_spec(model)
    network = build_network(spec.architecture, spec.config)
    optimizer = torch.optim.Adam(network.parameters())
    state = load_checkpoint(run_dir / CHECKPOINT, network, optimizer)
    if hasattr(network, "update_tables"):  # a codec stores the coding tables of its trained probability models
        network.update_tables()
    path = weights_dir / f"{model}.safetensors"
    extra = {"model": model, "steps": str(state["step"]), "data": state["data"], RUN_STATE: json.dumps(state)}
    save_weights(network, spec.config, path, extra)
    card = weights_dir / f"{model}.md"
    card.write_text(model_card(spec, state, path, command, _measured_section(card)), encoding="utf-8")
    return path


#: Heading of a card's last section, the test results measured with its weights (kept across re-exports;
#: written by ``python -m eval.suite`` for the models a suite entry names and by ``python -m
#: tools.pareto_denoisers --readme`` for the colour models, see :func:`replace_measured`).
MEASURED_HEADING = "## Measured test results"


def _measured_section(card: Path) -> str:
    """The measured-results section of an existing card (kept across re-exports), else its template."""
    if card.is_file() and MEASURED_HEADING in (text := card.read_text(encoding="utf-8")):
        return text[text.index(MEASURED_HEADING) :].rstrip() + "\n"
    return f"{MEASURED_HEADING}\n\nNot measured yet for these weights: run the benchmark command of the task.\n"


def replace_measured(card: Path, section: str) -> None:
    """Make ``section`` (starting with :data:`MEASURED_HEADING`) the measured-results section of a model card."""
    text = card.read_text(encoding="utf-8")
    head = text[: text.index(MEASURED_HEADING)] if MEASURED_HEADING in text else text.rstrip() + "\n\n"
    card.write_text(head + section.rstrip() + "\n", encoding="utf-8")


def model_card(spec: ModelSpec, state: dict[str, Any], path: Path, command: str, measured: str) -> str:
    """The Markdown model card of exported weights."""
    config = state["config"]
    title, column, digits = training_task(spec).score_names
    history = "\n".join(
        f"| {step} | {'—' if loss is None else f'{loss:.4f}'} | {value:.{digits}f} |"
        for step, loss, value in state["history"]
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
| optimisation | Adam, {_objective(spec)}, cosine learning rate {_rates(config)}{_resumptions(state)} |
| wall time | {state["seconds"] / 3600:.2f} h on {state["device"]} |
| exported | {datetime.now(UTC):%Y-%m-%d %H:%M UTC}, Python {platform.python_version()}, torch {torch.__version__} |

Command (resumable; `--export` writes this card and the weights):

```
{command}
```

{title} on the held-out training images ({_validation_text(spec)}):

| step | mean training loss | {column} |
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


def _rates(config: dict[str, Any]) -> str:
    """``lr → lr/100``: the cosine schedule's ends."""
    return f"{config['lr']:g} → {config['lr'] / 100:g}"


def _objective(spec: ModelSpec) -> str:
    """The training loss in words: the architecture's own (``objective``), else the L1 loss."""
    return getattr(ARCHITECTURES[spec.architecture], "objective", "L1 loss")


def _shapes(spec: ModelSpec) -> list[tuple[int, ...]]:
    return [tuple(tensor.shape) for tensor in build_network(spec.architecture, spec.config).state_dict().values()]


def _degradation_text(spec: ModelSpec) -> str:
    return training_task(spec).training_text(spec.task_config)


def _validation_text(spec: ModelSpec) -> str:
    task = training_task(spec)
    text = task.validation_text(spec.task_config)
    return text if task.validation_score is not None else f"{text}, centre {VALIDATION_SIDE}x{VALIDATION_SIDE} crops"
