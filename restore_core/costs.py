"""Expected run times of the registered methods, measured on a reference machine.

``python -m tools.bench_costs`` times every method on every task it supports (default
parameters, the demo's default degradation of each task) and fits, per method, task and
image kind (gray or colour), the model::

    seconds = overhead_s + per_megapixel_s * megapixels

where ``megapixels`` counts the pixels of the restored (clean) image, so for super-resolution
the size of the result, not of the low-resolution observation. The fitted numbers live in
``restore_core/method_costs.json`` together with the times measured at each size, the machine
that measured them and the load average around the run. The line is fitted at the largest size
a method could be timed at (1024 pixels a side for the fast methods, less for the slow ones) and
a quarter of it: between the two it over-predicts costs that grow faster than the pixel count,
beyond the largest it may under-predict (see ``tools/bench_costs.py``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import RestoreError
from .observation import check_clean_shape, check_task
from .registry import Method, Param, get_method

#: The measured cost models (written by ``python -m tools.bench_costs``).
COSTS_FILE = Path(__file__).with_name("method_costs.json")
#: The command that measures the costs again.
BENCH_COMMAND = "python -m tools.bench_costs"
#: Names of the integer parameters that count iterations: the per-pixel time grows linearly with them.
ITERATION_PARAMS = ("iterations", "num_iter", "max_num_iter")


def image_kind(shape: tuple[int, ...]) -> str:
    """``'color'`` for an HxWx3 shape, ``'gray'`` for HxW."""
    return "color" if len(shape) == 3 else "gray"


def iteration_param(method: Method) -> Param | None:
    """The parameter of ``method`` that counts its iterations (see :data:`ITERATION_PARAMS`), if it has one."""
    return next((param for param in method.params if param.name in ITERATION_PARAMS and param.kind == "int"), None)


@lru_cache(maxsize=1)
def load_costs() -> dict[str, Any]:
    """The contents of :data:`COSTS_FILE` (read once).

    Raises
    ------
    RestoreError
        When the file is missing, naming the command that writes it.
    """
    if not COSTS_FILE.is_file():
        raise RestoreError(f"the method costs file {COSTS_FILE} is missing; measure the costs with `{BENCH_COMMAND}`.")
    return json.loads(COSTS_FILE.read_text(encoding="utf-8"))


def expected_seconds(method: str, task: str, shape: tuple[int, ...], params: dict[str, Any] | None = None) -> float:
    """Predicted seconds of one :func:`restore_core.restore` call on the reference machine.

    Parameters
    ----------
    method : str
        Registered method name.
    task : str
        One of the method's tasks.
    shape : tuple of int
        Shape of the restored image, ``(H, W)`` or ``(H, W, 3)`` (for ``sr``: the high-resolution result).
    params : dict, optional
        Parameter overrides as :func:`restore_core.restore` takes them. Only the iteration count
        (a parameter named as in :data:`ITERATION_PARAMS`) changes the prediction: the per-pixel part
        scales by the ratio of the given count to the measured one. Other parameters are validated
        and otherwise assumed at their measured defaults.

    Returns
    -------
    float
        Expected wall-clock seconds, warm (networks loaded), on the machine described in
        :data:`COSTS_FILE`. An automatic iteration count (None) is the one the defaults gave on the
        benchmark's degradation (e.g. Richardson–Lucy at noise level 2.55); super-resolution was
        measured at scale 2.

    Raises
    ------
    RestoreError
        For an unknown method or task, a task the method does not do, a bad shape or parameter,
        or a method and task without a measured cost (the message names the command to measure it).

    Examples
    --------
    >>> import restore_core as rc
    >>> rc.expected_seconds("bm3d", "denoise", (256, 256)) > rc.expected_seconds("bm3d", "denoise", (64, 64))
    True
    """
    entry = get_method(method)
    check_task(task)
    if task not in entry.tasks:
        raise RestoreError(f"{entry.name} does not support the {task} task (it does {', '.join(entry.tasks)}).")
    shape = check_clean_shape(shape)
    values = entry.resolve(params or {})
    measured = load_costs()["methods"].get(entry.name, {}).get(task)
    kind = image_kind(shape)
    if measured is None or kind not in measured:
        raise RestoreError(
            f"no measured cost for {entry.name} on {task} ({kind} images) in {COSTS_FILE.name}; "
            f"measure it with `{BENCH_COMMAND} --methods {entry.name}`."
        )
    model = measured[kind]
    per_pixel = model["per_megapixel_s"] * shape[0] * shape[1] / 1e6
    counter = iteration_param(entry)
    if counter is not None and values[counter.name] is not None and measured["iterations"]:
        per_pixel *= values[counter.name] / measured["iterations"]
    return model["overhead_s"] + per_pixel


__all__ = ["BENCH_COMMAND", "COSTS_FILE", "ITERATION_PARAMS", "expected_seconds", "iteration_param", "load_costs"]
