"""Expected run times of the registered methods, measured on a reference machine.

``python -m tools.bench_costs`` times every method on every task it supports (default
parameters, the demo's default degradation of each task) for gray and colour images of 64,
128, 256, 512 and 1024 pixels a side, up to the first size estimated to take more than 12 s.
``restore_core/method_costs.json`` holds those times, a straight-line fit
``seconds = overhead_s + per_megapixel_s * megapixels`` of each curve, the machine that measured
them and the load average around the run. ``megapixels`` counts the pixels of the restored
(clean) image, so for super-resolution the size of the result, not of the low-resolution
observation.

:func:`expected_seconds` does not use the straight line beyond its overhead: the measured time
per pixel grows with the size (from 512 to 1024 pixels a side, 4 times the pixels, the networks
and the TV methods take 8 to 12 times longer on the reference machine), so the line, fitted at
the largest timed side ``L`` and ``L/4``, over-predicts between them and under-predicts beyond
``L`` (0.46 for ``pnp_unet`` deblurring a 1024x1024 colour image, timed up to 512). Instead,
with ``o`` the fitted overhead and ``t - o`` the per-pixel part of a time ``t``:

* within the timed sizes, the per-pixel part is interpolated between the two nearest measured
  sizes as a power of the megapixels (a straight line in log-log), so a measured size gets its
  measured time;
* below the smallest timed size it is proportional to the megapixels;
* beyond the largest timed size ``L`` it grows as ``(megapixels / megapixels_L) ** alpha``, with
  ``alpha`` the exponent between the two largest timed sizes, at least 1 (never slower than
  proportional growth): see :meth:`CostCurve.growth_exponent`. When the other image kind of the same method
  and task (gray for colour, or colour for gray) was timed at larger sizes, its growth from ``L``
  (at least proportional) is used instead: a colour ``pnp_unet`` deblurring, timed up to 512, grows
  from 512 to 1024 as the gray one does (8.7 times), not with the exponent its own 256 and 512 give
  (5.4 times). Predicting each kind's largest timed size from the smaller ones this way, the per-pixel
  part comes within 0.64 to 1.47 of the measurement (median 0.99), against 0.33 to 2.16 (median 0.77)
  with the kind's own exponent.
  The learned methods are the exception once timed on more than one tile: their networks run in
  overlapping tiles of :data:`~restore_core.methods.learned.TILE` (512) pixels a side, so the
  jump from 512 to 1024 pixels a side (1 tile to 9) is a step, not a trend, and beyond a largest
  timed size above the tile side their per-pixel part grows as the pixels (measured from 1024 to
  2048: 2.6 to 4 times, for 4 times the pixels).

The times are made non-decreasing in the size first (a larger image never costs less), and the
iteration count, when given, scales the per-pixel part.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import RestoreError
from .methods.learned import TILE
from .observation import check_clean_shape
from .registry import Method, Param, get_method
from .tasks import check_task

#: The measured cost models (written by ``python -m tools.bench_costs``).
COSTS_FILE = Path(__file__).with_name("method_costs.json")
#: The command that measures the costs again.
BENCH_COMMAND = "python -m tools.bench_costs"
#: Names of the integer parameters that count iterations: the per-pixel time grows linearly with them.
ITERATION_PARAMS = ("iterations", "num_iter", "max_num_iter")
#: The two image kinds, each the other's sibling.
IMAGE_KINDS = ("gray", "color")
#: The family whose methods run networks in tiles of :data:`~restore_core.methods.learned.TILE` pixels a side.
TILED_FAMILY = "learned"


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


@dataclass(frozen=True)
class CostCurve:
    """The measured seconds of one method, task and image kind against the megapixels of the result.

    Attributes
    ----------
    megapixels : tuple of float
        The timed sizes, increasing.
    seconds : tuple of float
        The time at each size, made non-decreasing (each is the largest measured at or below its size).
    overhead : float
        The size-independent part: the fitted ``overhead_s``, at most the smallest time.
    linear_beyond : bool
        Whether the per-pixel part grows as the pixels beyond the largest timed size, whatever the
        exponent between the two largest (a network timed on several tiles).
    """

    megapixels: tuple[float, ...]
    seconds: tuple[float, ...]
    overhead: float
    linear_beyond: bool = False

    @classmethod
    def from_model(cls, model: dict[str, Any], tiled: bool = False) -> CostCurve:
        """The curve of one image kind's entry in :data:`COSTS_FILE` (``measured_s`` by side, ``overhead_s``).

        Parameters
        ----------
        model : dict
            ``{"measured_s": {side: seconds, ...}, "overhead_s": seconds, ...}``, sides as strings.
        tiled : bool, optional
            Whether the method runs in tiles of :data:`~restore_core.methods.learned.TILE` pixels a side:
            then, timed above that side, it grows linearly beyond the timed sizes.

        Returns
        -------
        CostCurve
            Sorted by size.
        """
        measured = {int(side): float(seconds) for side, seconds in model["measured_s"].items()}
        sides = sorted(measured)
        seconds: list[float] = []
        for side in sides:
            seconds.append(max(measured[side], seconds[-1] if seconds else 0.0))
        overhead = min(max(float(model["overhead_s"]), 0.0), seconds[0])
        megapixels = tuple(side**2 / 1e6 for side in sides)
        return cls(megapixels, tuple(seconds), overhead, linear_beyond=tiled and sides[-1] > TILE)

    def per_pixel(self, index: int) -> float:
        """The per-pixel part (time less overhead) at the ``index``-th timed size."""
        return self.seconds[index] - self.overhead

    def growth_exponent(self) -> float:
        """Exponent of the per-pixel part's growth between the two largest timed sizes, at least 1.

        Returns
        -------
        float
            ``max(1, log(p_L / p_P) / log(megapixels_L / megapixels_P))`` with ``p`` the per-pixel
            parts at the largest timed size ``L`` and the one before ``P``; 1 with a single timed size,
            a per-pixel part that is not positive, or :attr:`linear_beyond`.
        """
        if self.linear_beyond or len(self.megapixels) < 2 or self.per_pixel(-2) <= 0 or self.per_pixel(-1) <= 0:
            return 1.0
        growth = math.log(self.per_pixel(-1) / self.per_pixel(-2)) / math.log(self.megapixels[-1] / self.megapixels[-2])
        return max(1.0, growth)

    def per_pixel_seconds(self, megapixels: float) -> float:
        """The per-pixel part of the time for a result of ``megapixels``, from this curve alone.

        Proportional to the megapixels below the smallest timed size, interpolated as a power of the
        megapixels between timed sizes, and growing as ``megapixels ** alpha`` beyond the largest
        (``alpha``: :meth:`growth_exponent`).
        """
        first, last = self.megapixels[0], self.megapixels[-1]
        if megapixels <= first:
            return self.per_pixel(0) * megapixels / first
        if megapixels >= last:
            return self.per_pixel(-1) * (megapixels / last) ** self.growth_exponent()
        upper = bisect_left(self.megapixels, megapixels)
        if self.megapixels[upper] == megapixels:
            return self.per_pixel(upper)
        low, high = self.per_pixel(upper - 1), self.per_pixel(upper)
        if low <= 0:  # no power through zero: linear in the megapixels
            fraction = (megapixels - self.megapixels[upper - 1]) / (self.megapixels[upper] - self.megapixels[upper - 1])
            return low + fraction * (high - low)
        exponent = math.log(high / low) / math.log(self.megapixels[upper] / self.megapixels[upper - 1])
        return low * (megapixels / self.megapixels[upper - 1]) ** exponent


def per_pixel_seconds(curve: CostCurve, megapixels: float, sibling: CostCurve | None = None) -> float:
    """The per-pixel part of the time for a result of ``megapixels``, growing as ``sibling`` beyond ``curve``.

    Parameters
    ----------
    curve : CostCurve
        The measured curve of the image kind asked about.
    megapixels : float
        Size of the result.
    sibling : CostCurve, optional
        The other image kind's curve (same method and task). When it was timed at larger sizes than
        ``curve``, the growth beyond ``curve``'s largest size is the sibling's growth from that size
        (the ratio of its per-pixel parts, measured or extrapolated), but at least proportional to
        the megapixels, instead of ``curve``'s own exponent.

    Returns
    -------
    float
        Seconds, not counting ``curve.overhead``.
    """
    largest = curve.megapixels[-1]
    if sibling is None or megapixels <= largest or sibling.megapixels[-1] <= largest:
        return curve.per_pixel_seconds(megapixels)
    reference = sibling.per_pixel_seconds(largest)
    if reference <= 0:
        return curve.per_pixel_seconds(megapixels)
    growth = max(megapixels / largest, sibling.per_pixel_seconds(megapixels) / reference)
    return curve.per_pixel(-1) * growth


def kind_curves(method: Method, measured: dict[str, Any], kind: str) -> tuple[CostCurve, CostCurve | None]:
    """The curves :func:`expected_seconds` predicts ``kind`` images from: the kind's own and its sibling's.

    Parameters
    ----------
    method : Method
        The measured method (its family tells whether it runs in tiles).
    measured : dict
        Its entry for one task in :data:`COSTS_FILE`: ``{"gray": model, "color": model, ...}``.
    kind : str
        ``'gray'`` or ``'color'``; ``measured`` must hold it.

    Returns
    -------
    tuple of CostCurve and CostCurve or None
        The curve of ``kind`` and that of the other image kind (None when ``measured`` lacks it).
    """
    tiled = method.family == TILED_FAMILY
    other = next(other for other in IMAGE_KINDS if other != kind)
    sibling = CostCurve.from_model(measured[other], tiled) if other in measured else None
    return CostCurve.from_model(measured[kind], tiled), sibling


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
        :data:`COSTS_FILE`: the measured time at a timed size, interpolated between timed sizes and
        extrapolated beyond them with at least the measured growth (see the module's description).
        An automatic iteration count (None) is the one the defaults gave on the benchmark's
        degradation (e.g. Richardson–Lucy at noise level 2.55); super-resolution was measured at scale 2.

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
    curve, sibling = kind_curves(entry, measured, kind)
    per_pixel = per_pixel_seconds(curve, shape[0] * shape[1] / 1e6, sibling)
    counter = iteration_param(entry)
    if counter is not None and values[counter.name] is not None and measured["iterations"]:
        per_pixel *= values[counter.name] / measured["iterations"]
    return curve.overhead + per_pixel


__all__ = [
    "BENCH_COMMAND",
    "COSTS_FILE",
    "ITERATION_PARAMS",
    "TILED_FAMILY",
    "CostCurve",
    "expected_seconds",
    "iteration_param",
    "kind_curves",
    "load_costs",
    "per_pixel_seconds",
]
