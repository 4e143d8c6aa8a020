"""Time every method and store its measured costs: ``python -m tools.bench_costs``.

The file, restore_core/method_costs.json, holds for every method, task and image kind the
seconds measured at each timed side (measured_s) and a size-independent overhead (overhead_s).
restore_core.expected_seconds predicts from the measured times themselves: a timed size gets its
time, and the time less the overhead is interpolated as a power of the pixels between timed
sizes, grows beyond the largest with the measured growth (at least as fast as the pixels) and is
proportional to the pixels below the smallest. The docstring of restore_core/costs.py gives the
details (the other image kind's growth, networks run in tiles).

For every registered method, every task it does and both image kinds (gray: scikit-image
``camera``; colour: ``astronaut``, both by :func:`restore_core.sample_image`), one
:func:`restore_core.restore` call at default parameters is timed warm (after one run on a
32x32 image, which loads networks), ``megapixels`` counting the pixels of the restored image.
Each image kind's entry in ``restore_core/method_costs.json`` holds:

* ``measured_s``: the seconds by side;
* ``overhead_s`` and ``per_megapixel_s``: the least-squares line
  ``seconds = overhead + per_megapixel * megapixels`` (both clamped at zero) through the timed
  sides in ``fit_sides``: the largest timed side ``L`` and ``L/4``, or every timed side when
  ``L/4`` was not timed. :func:`restore_core.expected_seconds` uses only ``overhead_s``, as the
  part of each time that does not grow with the size; ``per_megapixel_s`` summarises the curve
  for a reader;
* ``quiet``: whether every size was timed on a quiet machine.

Each method and task also records ``iterations``, the iteration count its defaults ran (the
prediction scales with a different one), and the file records every run's command, machine and
load average.

Sizes. A method is timed at 64, 128, 256, 512 and 1024 pixels a side, in this order, up to the
first size whose time, estimated from the last two (at least 4 times the last), exceeds 12 s;
64 and 128 are always timed. The whole run takes about 15 minutes on the 2-core reference machine.

Timing. Each size's time is the median of quiet runs, repeated until 3 s have passed (at most
5). A run is quiet when other processes kept less than 0.2 cores busy meanwhile (``/proc/stat``
against this process's CPU time); without a quiet run, runs are retried for up to 10 s, then the
fastest is kept and the model is marked ``"quiet": false`` (``--resume`` measures it again).
The file also records the CPU, torch's thread count and the load average at the start and the end.

Observations are the demo's default degradation of each task (``demo/degradation.py``):
denoise at noise level 25, deblur with a Gaussian kernel of sigma 1.6 and noise 2.55 (circular
boundary), super-resolution x2 (the size is the result's), JPEG at quality 20, inpainting with
a text mask over 20% of the pixels.

Check. For every method, task and image kind timed at 3 sizes or more, each timed size above the
smallest is left out in turn and predicted from the others as if it had not been timed: the
overhead fitted again by the rule above, then the curves and extrapolation of
:func:`restore_core.expected_seconds` (:func:`restore_core.costs.kind_curves`,
:func:`restore_core.costs.per_pixel_seconds`; the other image kind keeps all its sizes). The
inner sizes check the interpolation, over twice the interval it spans in use (so the check
overstates its error), the largest the extrapolation by one size, as in use. The table prints
each prediction with its ratio to the measurement, then the median and range of the ratios;
``--check`` prints it from the existing file (``--methods``: for those methods) without timing
anything.

``--methods a,b`` measures only those methods and ``--resume`` only the method/task pairs the
file lacks or measured with contended runs; both merge into the existing file, which is
written after every method and task.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

import restore_core as rc
from restore_core.costs import COSTS_FILE, iteration_param, kind_curves, per_pixel_seconds
from restore_core.methods.deconvolution import auto_rl_iterations
from restore_core.methods.denoising import noise_level

#: Sides (pixels) timed in turn, while the next one's estimated time is at most :data:`MAX_RUN_S`.
SIDES = (64, 128, 256, 512, 1024)
MAX_RUN_S = 12.0
#: Side of the warm-up image.
WARMUP_SIDE = 32
#: Quiet runs are repeated until this many seconds have passed, at most :data:`MAX_RUNS` times.
REPEAT_S = 3.0
MAX_RUNS = 5
#: A run is quiet when other processes kept less than this many cores busy on average during it.
QUIET_CORES = 0.2
#: Without a quiet run, runs are retried (after :data:`RETRY_WAIT_S`) until this many seconds have passed.
RETRY_S = 10.0
RETRY_WAIT_S = 1.0
#: The sample photo measured for each image kind.
SAMPLES = {"gray": "camera", "color": "astronaut"}
#: The demo's default degradation of each task (``demo/degradation.py``), as :func:`restore_core.degrade` options.
DEGRADATIONS: dict[str, Callable[[tuple[int, ...]], dict[str, Any]]] = {
    "denoise": lambda shape: {"sigma": 25.0},
    "deblur": lambda shape: {"sigma": 2.55, "kernel": rc.gaussian_kernel(1.6)},
    "sr": lambda shape: {"scale": 2},
    "jpeg": lambda shape: {"quality": 20},
    "inpaint": lambda shape: {"mask": rc.make_mask("text", shape, 0.2, 0)},
}
#: Iteration counts of the methods whose iteration parameter defaults to "automatic".
AUTOMATIC_ITERATIONS: dict[str, Callable[[rc.Observation], int]] = {
    "richardson_lucy": lambda observation: auto_rl_iterations(noise_level(observation)),
    **dict.fromkeys(
        ("pnp_tv", "pnp_bm3d", "pnp_unet"), lambda observation: rc.get_task(observation.task).pnp.iterations
    ),
}


def observe(task: str, kind: str, side: int) -> rc.Observation:
    """The demo's default observation of the ``kind`` sample photo, ``side`` pixels a side, for ``task``."""
    clean = rc.sample_image(SAMPLES[kind], side)
    return rc.degrade(clean, task, seed=0, **DEGRADATIONS[task](clean.shape))


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds spent so far by the whole machine (all cores; 0 where ``/proc/stat`` is missing) and this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    own = usage.ru_utime + usage.ru_stime
    stat = Path("/proc/stat")
    if not stat.is_file():
        return own, own
    ticks = [int(field) for field in stat.read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(ticks[:3]) + sum(ticks[5:8])  # user, nice, system, irq, softirq, steal
    return busy / os.sysconf("SC_CLK_TCK"), own


def timed_run(observation: rc.Observation, method: str) -> tuple[float, float]:
    """Wall-clock seconds of one ``restore(observation, method)`` and the cores other processes kept busy meanwhile."""
    machine_start, own_start = cpu_seconds()
    start = time.perf_counter()
    rc.restore(observation, method)
    wall = time.perf_counter() - start
    machine_end, own_end = cpu_seconds()
    return wall, max(0.0, (machine_end - machine_start) - (own_end - own_start)) / wall


def run_seconds(observation: rc.Observation, method: str) -> tuple[float, bool]:
    """Seconds of ``restore(observation, method)``: the median of the quiet runs, and whether there was one.

    Runs are repeated for :data:`REPEAT_S` seconds (at most :data:`MAX_RUNS`); without a quiet run
    (:data:`QUIET_CORES`) they go on, after a pause, for up to :data:`RETRY_S` seconds, and the fastest
    contended run is returned.
    """
    runs: list[tuple[float, float]] = []
    started = time.perf_counter()
    while True:
        runs.append(timed_run(observation, method))
        quiet = [wall for wall, others in runs if others < QUIET_CORES]
        if quiet and (len(runs) >= MAX_RUNS or sum(wall for wall, _ in runs) >= REPEAT_S):
            return statistics.median(quiet), True
        if not quiet and time.perf_counter() - started >= RETRY_S:
            return min(wall for wall, _ in runs), False
        if not quiet:
            time.sleep(RETRY_WAIT_S)


def fit(sides: list[int], seconds: list[float]) -> tuple[float, float]:
    """Least-squares ``(overhead, per_megapixel)`` seconds of square images, both at least zero."""
    megapixels = np.asarray(sides, dtype=float) ** 2 / 1e6
    times = np.asarray(seconds, dtype=float)
    slope, intercept = np.polyfit(megapixels, times, 1)
    if intercept < 0:
        return 0.0, float(megapixels @ times / (megapixels @ megapixels))
    if slope < 0:
        return float(times.mean()), 0.0
    return float(intercept), float(slope)


def fit_measured(measured: dict[int, float]) -> tuple[list[int], float, float]:
    """The sides the line is fitted at (the largest ``L`` and ``L/4``, else all) and its rounded fit there.

    Parameters
    ----------
    measured : dict of int to float
        Seconds by timed side, at least one.

    Returns
    -------
    tuple of list of int, float and float
        ``(fit_sides, overhead, per_megapixel)``, the two seconds as :func:`fit` gives them,
        to 4 significant digits (:func:`rounded`).
    """
    largest = max(measured)
    fit_sides = [largest // 4, largest] if largest // 4 in measured else sorted(measured)
    overhead, per_megapixel = fit(fit_sides, [measured[side] for side in fit_sides])
    return fit_sides, rounded(overhead), rounded(per_megapixel)


def rounded(value: float) -> float:
    """``value`` to 4 significant digits (a stable file)."""
    return float(f"{value:.4g}")


def measure(method: rc.Method, task: str, kind: str) -> dict[str, Any]:
    """Time ``method`` on ``task`` for ``kind`` images at growing sizes; its entry in the costs file."""
    rc.restore(observe(task, kind, WARMUP_SIDE), method.name)
    measured: dict[int, float] = {}
    quiet = True
    for side in SIDES:
        if len(measured) >= 2:
            *_, previous, last = measured.values()
            if last * max(4.0, last / previous) > MAX_RUN_S:
                break
        measured[side], quiet_run = run_seconds(observe(task, kind, side), method.name)
        quiet = quiet and quiet_run
    fit_sides, overhead, per_megapixel = fit_measured(measured)
    return {
        "overhead_s": overhead,
        "per_megapixel_s": per_megapixel,
        "measured_s": {str(side): rounded(seconds) for side, seconds in measured.items()},
        "fit_sides": fit_sides,
        "quiet": quiet,
    }


def left_out_predictions(method: rc.Method, measured: dict[str, Any], kind: str) -> dict[int, float]:
    """Seconds predicted at each timed side above the smallest of ``kind`` images from the other sides.

    Parameters
    ----------
    method : Method
        The measured method.
    measured : dict
        Its entry for one task in the costs file (``{"gray": model, "color": model, ...}``).
    kind : str
        The image kind checked; the other kind's curve keeps all its sizes.

    Returns
    -------
    dict of int to float
        By left-out side, the :func:`restore_core.expected_seconds` prediction at default parameters
        from the remaining sides, their overhead fitted again (:func:`fit_measured`); empty with
        fewer than 3 timed sides.
    """
    seconds = {int(side): value for side, value in measured[kind]["measured_s"].items()}
    predictions: dict[int, float] = {}
    if len(seconds) < 3:
        return predictions
    for side in sorted(seconds)[1:]:
        others = {other: value for other, value in seconds.items() if other != side}
        _, overhead, _ = fit_measured(others)
        model = {"measured_s": {str(other): value for other, value in others.items()}, "overhead_s": overhead}
        curve, sibling = kind_curves(method, {**measured, kind: model}, kind)
        predictions[side] = curve.overhead + per_pixel_seconds(curve, side**2 / 1e6, sibling)
    return predictions


def measured_iterations(method: rc.Method, task: str) -> int | None:
    """The iteration count the default parameters run on the benchmark's observation (None: no such parameter)."""
    counter = iteration_param(method)
    if counter is None:
        return None
    if counter.default is not None:
        return counter.default
    if method.name in AUTOMATIC_ITERATIONS:
        return AUTOMATIC_ITERATIONS[method.name](observe(task, "gray", WARMUP_SIDE))
    print(
        f"warning: {method.name}'s {counter.name} is automatic and not in AUTOMATIC_ITERATIONS: "
        "its expected time will not follow the iteration count",
        file=sys.stderr,
    )
    return None


def machine() -> dict[str, Any]:
    """The CPU, its cores usable by this process, and torch's thread count and version."""
    import torch

    rc.get_device("cpu")  # sets torch's thread count as the methods do
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return {
        "cpu": models[0] if models else platform.processor(),
        "cpu_count": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def load_file(path: Path) -> dict[str, Any]:
    """The costs file at ``path``, or an empty one; without the straight line's checks that earlier runs stored."""
    if not path.is_file():
        return {"methods": {}, "runs": []}
    data = json.loads(path.read_text(encoding="utf-8"))
    for tasks in data["methods"].values():
        for measured in tasks.values():
            for kind in SAMPLES:
                measured.get(kind, {}).pop("check", None)
    return data


def save_file(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` with sorted keys and one-space indentation (stable diffs)."""
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def table(data: dict[str, Any], pairs: list[tuple[rc.Method, str]]) -> str:
    """Markdown table of the measured seconds and their left-out predictions, then the ratios' median and range.

    Parameters
    ----------
    data : dict
        The costs file's contents.
    pairs : list of tuple of Method and str
        The methods and tasks shown, each in ``data``.

    Returns
    -------
    str
        One row per method, task and image kind: the seconds by timed side (sides in ``fit_sides``
        starred) and each side's prediction from the others (:func:`left_out_predictions`) with
        its ratio to the measurement; then the median and range of the ratios at the inner sides,
        at the largest and at both.
    """
    lines = [
        "| method | task | image | measured s by side (* fitted) | predicted s without it (predicted/measured) "
        "| quiet |",
        "|---|---|---|---|---|---|",
    ]
    inner, largest = "inner sides (interpolated)", "largest side (extrapolated)"
    ratios: dict[str, list[float]] = {inner: [], largest: []}
    for method, task in pairs:
        measured = data["methods"][method.name][task]
        for kind in SAMPLES:
            model = measured[kind]
            seconds = {int(side): value for side, value in model["measured_s"].items()}
            timed = ", ".join(
                f"{side}{'*' if side in model['fit_sides'] else ''}: {seconds[side]:.3g}" for side in sorted(seconds)
            )
            predictions = left_out_predictions(method, measured, kind)
            for side, predicted in predictions.items():
                ratios[largest if side == max(seconds) else inner].append(predicted / seconds[side])
            checked = ", ".join(
                f"{side}: {predicted:.3g} ({predicted / seconds[side]:.2f})" for side, predicted in predictions.items()
            )
            quiet = "yes" if model["quiet"] else "no"
            lines.append(f"| {method.name} | {task} | {kind} | {timed} | {checked or '–'} | {quiet} |")
    lines.append("")
    ratios["all"] = [ratio for values in ratios.values() for ratio in values]
    for name, values in ratios.items():
        if values:
            lines.append(
                f"predicted/measured, {name}: median {statistics.median(values):.2f}, "
                f"range {min(values):.2f}–{max(values):.2f} ({len(values)} predictions)"
            )
    return "\n".join(lines)


def quietly_measured(data: dict[str, Any], method: str, task: str) -> bool:
    """Whether the costs ``data`` hold both image kinds of ``method`` on ``task``, timed on a quiet machine."""
    entry = data["methods"].get(method, {}).get(task, {})
    return all(kind in entry and entry[kind]["quiet"] for kind in SAMPLES)


def main(argv: list[str] | None = None) -> int:
    """Measure, write the costs file and print the table; with ``--check``, only print the file's table."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench_costs",
        description="\n\n".join(__doc__.split("\n\n")[:2]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--methods", help="comma-separated method names (default: every registered method)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--resume", action="store_true", help="only the method/task pairs missing or measured with contended runs"
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="time nothing: print the file's measured seconds and each timed side predicted from the others",
    )
    parser.add_argument("--output", type=Path, default=COSTS_FILE, help=f"costs file (default {COSTS_FILE})")
    args = parser.parse_args(argv)
    methods = [rc.get_method(name) for name in args.methods.split(",")] if args.methods else rc.list_methods()
    if args.check:
        data = load_file(args.output)
        stored = [
            (method, task)
            for method in methods
            for task in method.tasks
            if task in data["methods"].get(method.name, {})
        ]
        print(table(data, stored))
        return 0
    merge = bool(args.methods or args.resume)
    data = load_file(args.output) if merge else {"methods": {}, "runs": []}
    pairs = [
        (method, task)
        for method in methods
        for task in method.tasks
        if not (args.resume and quietly_measured(data, method.name, task))
    ]
    started = time.perf_counter()
    run: dict[str, Any] = {
        "command": " ".join(["python -m tools.bench_costs", *argv]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "loadavg_start": [round(load, 2) for load in os.getloadavg()],
        "machine": machine(),
        "measured": [],
    }
    measured_now = {f"{method.name}/{task}" for method, task in pairs}
    for earlier in data["runs"]:
        earlier["measured"] = [pair for pair in earlier["measured"] if pair not in measured_now]
    data["runs"] = [earlier for earlier in data["runs"] if earlier["measured"]] + [run]
    with tqdm(total=2 * len(pairs), unit="fit", file=sys.stderr) as progress:
        for method, task in pairs:
            entry: dict[str, Any] = {"iterations": measured_iterations(method, task)}
            for kind in SAMPLES:
                progress.set_description(f"{method.name} {task} {kind}")
                entry[kind] = measure(method, task, kind)
                progress.update()
            data["methods"].setdefault(method.name, {})[task] = entry
            run["measured"] = sorted([*run["measured"], f"{method.name}/{task}"])
            run["loadavg_end"] = [round(load, 2) for load in os.getloadavg()]
            run["wall_s"] = round(time.perf_counter() - started, 1)
            save_file(args.output, data)
    print(table(data, pairs))
    print(f"\n{args.output}: {len(pairs)} method/task pairs in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
