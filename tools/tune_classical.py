"""Fit the automatic-strength rules of the classical methods on training images.

Six rules of :mod:`restore_core` turn a noise level into a method strength when
the user leaves it automatic:

==========================  ============================  =======================================================
rule                        method (task)                 form
==========================  ============================  =======================================================
``auto_balance``            ``wiener`` (deblur)           ``a * (sigma / 2.55) ** b``
``auto_rl_iterations``      ``richardson_lucy`` (deblur)  ``round(a * (sigma / 2.55) ** b)``, clipped (data file)
``auto_rl_tv_weight``       ``richardson_lucy`` (deblur)  ``a * (sigma / 2.55) ** b``, clipped (data file)
``auto_tv_weight``          ``tv_deconv`` (deblur)        ``a * (sigma / 2.55) ** b``
``auto_tv_denoise_weight``  ``tv`` (denoise)              ``a * sigma ** b``
``DEBLOCK_FACTOR``         ``bm3d_deblock`` (jpeg)       BM3D sigma = ``factor * quantization_noise_sigma(q)``
==========================  ============================  =======================================================

This script measures, for every noise level (JPEG quality), the parameter that
maximises the mean PSNR, fits the rule to those optima and prints the constants;
``--write`` writes them into the data file the library reads
(``restore_core/tuned.json``, see :mod:`restore_core.tuned`). The library's clip
range of the Richardson–Lucy rule is read from that file too.

Protocol
--------
Images
    Training images only: a seeded random subset (``--seed``, default 0;
    ``--images``, default 12) of ``<data-root>/train/Train400`` (gray 180x180),
    read with :func:`restore_core.load_image`. No test set is ever read.
Kernels
    Synthetic only (the Levin kernels are the benchmark's and are never used):
    camera-shake kernels ``shake_kernel(size, seed)`` for (size, seed) in
    (13, 1), (17, 2), (21, 3), (27, 4), ``gaussian_kernel(1.6)`` and
    ``motion_kernel(15, 30)``.
Pairs (image, kernel)
    ``wiener`` (fast): every image with every kernel, whole 180x180 images.
    ``richardson_lucy`` and ``tv_deconv`` (slow): image ``i`` with kernel ``i mod 6``,
    centre 128x128 crop. ``tv`` denoising: every image, whole. ``bm3d_deblock``
    (slowest): the first ``--jpeg-images`` (default 6) images, centre 128x128 crop.
Degradations
    :func:`restore_core.degrade` with the circular boundary and no clipping; the
    noise of pair ``i`` is seeded with ``seed=i`` (so every level sees the same
    noise pattern, scaled). Deblur sigma in {0.5, 1, 2.55, 5, 7.65, 10, 15},
    denoise sigma in {5, 10, 15, 25, 35, 50} (0-255 scale), JPEG quality in
    {10, 20, 30, 40}.
Search
    For each level, the mean :func:`restore_core.psnr` (whole image) of
    :func:`restore_core.restore` over the pairs is maximised over the parameter on
    a log scale: a coarse grid of ratio 2 (7 points) centred on the library's
    current value, extended while the best point lies at an edge (within the
    method's allowed range), then bisection in log space (ratios 2**(1/2),
    2**(1/4)), then the vertex of a parabola through the best point and its two
    neighbours. Richardson–Lucy iterations are searched over the integers of the
    method's range [1, 1000]; the two Richardson–Lucy rules (iterations and RL-TV
    weight) are searched one at a time with the other at its current rule, so they
    are fitted by alternating ``--rules rl_tv --write`` and ``--rules rl --write``
    until neither moves.
Fit
    Least squares of ``log(best)`` against ``log(sigma / ref)`` (ref 2.55 for the
    deblurring rules, 1 for TV denoising). Levels whose optimum sits on a limit
    of the search, or outside the range the rule clips to (Richardson–Lucy: the
    ``clip`` of its entry in ``restore_core/tuned.json``), are left out of the fit. The
    deblocking factor is the geometric mean of the per-quality optimal factors
    (the same least squares with zero slope). ``a`` and the factor are rounded to
    two significant digits and ``b`` to two decimals; the tables report the PSNR
    of those rounded constants next to the PSNR of the library's current rule.

Everything is deterministic: same arguments, same tables, whatever the number of
worker processes.

Examples
--------
::

    python -m tools.tune_classical --data-root /work/shared/data
    python -m tools.tune_classical --data-root /work/shared/data --quick --rules wiener,tv
    python -m tools.tune_classical --data-root /work/shared/data --rules rl --write
    python -m tools.tune_classical --data-root /work/shared/data --rules rl_tv --write
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # one thread per worker process; parallelism comes from the pool

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

import restore_core as rc  # noqa: E402
from restore_core.jpeg import quantization_noise_sigma  # noqa: E402
from restore_core.methods import deblocking, deconvolution, denoising  # noqa: E402
from restore_core.tuned import TUNED_FILE, tuned_rule, write_rules  # noqa: E402
from restore_core.tuned import Rule as PowerLaw  # noqa: E402

from .tuning_data import centre_crop, synthetic_kernels, training_images  # noqa: E402
from .tuning_search import SearchResult, fit_power_law, log_search, round_significant  # noqa: E402

DEBLUR_SIGMAS = (0.5, 1.0, 2.55, 5.0, 7.65, 10.0, 15.0)
DENOISE_SIGMAS = (5.0, 10.0, 15.0, 25.0, 35.0, 50.0)
JPEG_QUALITIES = (10, 20, 30, 40)
CROP = 128
#: The range the library clips the Richardson–Lucy iteration count to (one source: the data file).
RL_CLIP = tuned_rule("auto_rl_iterations").clip
#: The range the library clips the RL-TV weight to.
RL_TV_CLIP = tuned_rule("auto_rl_tv_weight").clip

#: Task of each set of (image, kernel) pairs.
DATASET_TASKS = {"deblur_full": "deblur", "deblur_crop": "deblur", "denoise": "denoise", "jpeg": "jpeg"}

Pair = tuple[np.ndarray, "np.ndarray | None"]


@dataclass(frozen=True)
class Rule:
    """An automatic-strength rule of the library and how to search it.

    Attributes
    ----------
    key : str
        Short name used on the command line.
    label : str
        Name of the rule in the library.
    method : str
        Registered method it drives.
    param : str
        Keyword of :func:`restore_core.restore` set by the rule.
    dataset : str
        Which set of (image, kernel) pairs it is tuned on (see :data:`DATASET_TASKS`).
    levels : tuple of float
        Noise levels (JPEG qualities for deblocking).
    reference : float or None
        Noise-level normaliser of the power law; None for a constant factor.
    current : callable
        The library's current rule: level -> searched value.
    limits : tuple of float
        Hard limits of the searched value.
    integer : bool
        Whether the searched value is an integer.
    clip : tuple of float or None
        Range the library's rule clips its value to (Richardson–Lucy: :data:`RL_CLIP`);
        optima outside it are left out of the fit. None: no clipping.
    expensive : bool
        Whether one restoration takes long (jobs are then sent one at a time).
    """

    key: str
    label: str
    method: str
    param: str
    dataset: str
    levels: tuple[float, ...]
    reference: float | None
    current: Callable[[float], float] = field(repr=False)
    limits: tuple[float, float]
    integer: bool = False
    clip: tuple[float, float] | None = None
    expensive: bool = False

    def fittable(self, result: SearchResult) -> bool:
        """Whether an optimum enters the fit: not on a search limit and inside the rule's clip range."""
        inside = self.clip is None or self.clip[0] <= result.best <= self.clip[1]
        return inside and not result.at_limit

    @property
    def level_name(self) -> str:
        """Column title of the level: 'sigma' or 'quality'."""
        return "quality" if self.dataset == "jpeg" else "sigma"

    def restore_kwargs(self, value: float) -> dict[str, Any]:
        """Keyword arguments of :func:`restore_core.restore` for a searched value.

        The deblocking rule is searched as the factor itself; the method takes
        ``strength = factor / DEBLOCK_FACTOR``.
        """
        if self.dataset == "jpeg":
            return {self.param: round(value / deblocking.DEBLOCK_FACTOR, 12)}  # no 0.0999.. below the limit
        return {self.param: int(value) if self.integer else float(value)}


def _param_limits(method: str, name: str, scale: float = 1.0) -> tuple[float, float]:
    """Allowed range of a registered method parameter, times ``scale``."""
    param = next(p for p in rc.get_method(method).params if p.name == name)
    return float(param.low) * scale, float(param.high) * scale


RULES: dict[str, Rule] = {
    "wiener": Rule(
        key="wiener",
        label="auto_balance",
        method="wiener",
        param="balance",
        dataset="deblur_full",
        levels=DEBLUR_SIGMAS,
        reference=2.55,
        current=deconvolution.auto_balance,
        limits=_param_limits("wiener", "balance"),
    ),
    "rl": Rule(
        key="rl",
        label="auto_rl_iterations",
        method="richardson_lucy",
        param="num_iter",
        dataset="deblur_crop",
        levels=DEBLUR_SIGMAS,
        reference=2.55,
        current=deconvolution.auto_rl_iterations,
        limits=_param_limits("richardson_lucy", "num_iter"),
        integer=True,
        clip=RL_CLIP,
        expensive=True,
    ),
    "rl_tv": Rule(
        key="rl_tv",
        label="auto_rl_tv_weight",
        method="richardson_lucy",
        param="tv_weight",
        dataset="deblur_crop",
        levels=DEBLUR_SIGMAS,
        reference=2.55,
        current=deconvolution.auto_rl_tv_weight,
        limits=(1e-5, deconvolution.RL_TV_MAX_WEIGHT),
        clip=RL_TV_CLIP,
        expensive=True,
    ),
    "tv_deconv": Rule(
        key="tv_deconv",
        label="auto_tv_weight",
        method="tv_deconv",
        param="weight",
        dataset="deblur_crop",
        levels=DEBLUR_SIGMAS,
        reference=2.55,
        current=deconvolution.auto_tv_weight,
        limits=_param_limits("tv_deconv", "weight"),
        expensive=True,
    ),
    "tv": Rule(
        key="tv",
        label="auto_tv_denoise_weight",
        method="tv",
        param="weight",
        dataset="denoise",
        levels=DENOISE_SIGMAS,
        reference=1.0,
        current=denoising.auto_tv_denoise_weight,
        limits=_param_limits("tv", "weight"),
    ),
    "deblock": Rule(
        key="deblock",
        label="DEBLOCK_FACTOR",
        method="bm3d_deblock",
        param="strength",
        dataset="jpeg",
        levels=JPEG_QUALITIES,
        reference=None,
        current=lambda quality: deblocking.DEBLOCK_FACTOR,
        limits=_param_limits("bm3d_deblock", "strength", deblocking.DEBLOCK_FACTOR),
        expensive=True,
    ),
}


# ----------------------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------------------


def build_pairs(images: Sequence[np.ndarray], kernels: Sequence[np.ndarray], jpeg_images: int) -> dict[str, list[Pair]]:
    """The (clean image, kernel) pairs of every dataset of the protocol.

    Parameters
    ----------
    images : sequence of ndarray
        Clean training images.
    kernels : sequence of ndarray
        Blur kernels.
    jpeg_images : int
        How many of the images the deblocking rule uses.

    Returns
    -------
    dict
        Dataset name -> list of ``(clean, kernel or None)``.
    """
    crops = [centre_crop(image, CROP) for image in images]
    return {
        "deblur_full": [(image, kernel) for image in images for kernel in kernels],
        "deblur_crop": [(crop, kernels[i % len(kernels)]) for i, crop in enumerate(crops)],
        "denoise": [(image, None) for image in images],
        "jpeg": [(crop, None) for crop in crops[:jpeg_images]],
    }


def degrade_pair(pairs: dict[str, list[Pair]], dataset: str, level: float, index: int) -> rc.Observation:
    """The seeded observation of pair ``index`` of ``dataset`` at a noise level (JPEG quality)."""
    clean, kernel = pairs[dataset][index]
    level_option = {"quality": int(level)} if dataset == "jpeg" else {"sigma": level}
    return rc.degrade(clean, DATASET_TASKS[dataset], kernel=kernel, boundary="circular", seed=index, **level_option)


# ----------------------------------------------------------------------------------------------------------------------
# Worker processes
# ----------------------------------------------------------------------------------------------------------------------

_PAIRS: dict[str, list[Pair]] = {}

#: A job: (rule key, level, pair index, searched value or None for the library's current rule).
Job = tuple[str, float, int, "float | None"]


def _init_worker(pairs: dict[str, list[Pair]]) -> None:
    """Give a worker process the pairs (once) and empty its observation cache."""
    _PAIRS.clear()
    _PAIRS.update(pairs)
    _observation.cache_clear()


@lru_cache(maxsize=640)
def _observation(dataset: str, level: float, index: int) -> rc.Observation:
    return degrade_pair(_PAIRS, dataset, level, index)


def _score(job: Job) -> float:
    """PSNR of one restoration: the unit of work sent to the pool."""
    key, level, index, value = job
    rule = RULES[key]
    observation = _observation(rule.dataset, level, index)
    kwargs = {} if value is None else rule.restore_kwargs(value)
    return rc.psnr(_PAIRS[rule.dataset][index][0], rc.restore(observation, rule.method, **kwargs))


class Evaluator:
    """Mean PSNR over a dataset's pairs, computed in a process pool and memoised.

    Parameters
    ----------
    pool : multiprocessing.pool.Pool or None
        Worker pool; None runs in this process (the pairs must then be given to
        :func:`_init_worker` here).
    sizes : dict
        Dataset name -> number of pairs.
    workers : int
        Number of worker processes (sets the chunk size of cheap jobs).
    """

    def __init__(self, pool: Any, sizes: dict[str, int], workers: int) -> None:
        self.pool = pool
        self.sizes = sizes
        self.workers = max(1, workers)
        self.cache: dict[tuple[str, float, float | None], float] = {}
        self.restorations = 0

    def mean_psnr(self, rule: Rule, level: float, values: Sequence[float | None]) -> list[float]:
        """Mean PSNR of ``rule.method`` at each value (None: the library's current rule)."""
        todo = [v for v in dict.fromkeys(values) if (rule.key, level, v) not in self.cache]
        count = self.sizes[rule.dataset]
        jobs: list[Job] = [(rule.key, level, index, value) for value in todo for index in range(count)]
        if jobs:
            if self.pool is None:
                scores = [_score(job) for job in jobs]
            else:
                chunk = 1 if rule.expensive else max(1, len(jobs) // (4 * self.workers))
                scores = self.pool.map(_score, jobs, chunksize=chunk)
            self.restorations += len(jobs)
            for position, value in enumerate(todo):
                self.cache[(rule.key, level, value)] = float(np.mean(scores[position * count : (position + 1) * count]))
        return [self.cache[(rule.key, level, v)] for v in values]


# ----------------------------------------------------------------------------------------------------------------------
# Search and fit
# ----------------------------------------------------------------------------------------------------------------------


@dataclass
class RuleFit:
    """Search results and fitted constants of one rule (see :func:`tune_rule`)."""

    rule: Rule
    results: dict[float, SearchResult]
    a: float
    b: float
    fitted_psnr: dict[float, float]
    current_psnr: dict[float, float]
    input_psnr: dict[float, float]
    seconds: float

    def fitted(self, level: float) -> float:
        """The fitted (rounded) rule at a level."""
        return fitted_value(self.rule, self.a, self.b, level)


def fitted_value(rule: Rule, a: float, b: float, level: float) -> float:
    """Value of the rule ``a * (level / ref) ** b`` (a constant ``a`` for deblocking), clipped as the library does."""
    if rule.reference is None:
        return a
    return float(PowerLaw(a, b, rule.reference, rule.clip or rule.limits, rule.integer)(level))


def library_entry(fit: RuleFit, command: str) -> dict[str, Any]:
    """The data-file entry of a fitted rule (see :mod:`restore_core.tuned`)."""
    rule = fit.rule
    entry: dict[str, Any] = {"method": rule.method, "a": fit.a, "b": fit.b, "reference": rule.reference or 1.0}
    if rule.clip is not None:
        entry["clip"] = list(rule.clip)
    if rule.integer:
        entry["integer"] = True
    return {**entry, "fitted": f"{time.strftime('%Y-%m-%d')}: {command}"}


def input_psnr(pairs: dict[str, list[Pair]], dataset: str, level: float) -> float:
    """Mean PSNR of the degraded observations themselves (clipped to [0, 1])."""
    return float(
        np.mean(
            [
                rc.psnr(clean, np.clip(degrade_pair(pairs, dataset, level, i).image, 0.0, 1.0))
                for i, (clean, _) in enumerate(pairs[dataset])
            ]
        )
    )


def tune_rule(rule: Rule, evaluator: Evaluator, pairs: dict[str, list[Pair]], stages: int) -> RuleFit:
    """Search the best value at every level of a rule, fit the rule and score the fit.

    Parameters
    ----------
    rule : Rule
        The rule to fit.
    evaluator : Evaluator
        Computes mean PSNRs.
    pairs : dict
        The datasets (for the PSNR of the inputs).
    stages : int
        Bisection stages of :func:`log_search`.

    Returns
    -------
    RuleFit
        Optima, rounded constants and the PSNR of the fitted and current rules.
    """
    start = time.perf_counter()
    results: dict[float, SearchResult] = {}
    progress = tqdm(rule.levels, desc=f"{rule.label:<24}", unit="level", leave=True, dynamic_ncols=True)
    for level in progress:
        results[level] = log_search(
            lambda values, level=level: evaluator.mean_psnr(rule, level, values),
            float(rule.current(level)),
            rule.limits,
            integer=rule.integer,
            stages=stages,
        )
        progress.set_postfix_str(f"{rule.level_name} {level:g}: best {results[level].best:.4g}")
    kept = [level for level in rule.levels if rule.fittable(results[level])] or list(rule.levels)
    optima = [results[level].best for level in kept]
    if rule.reference is None:
        a, b = float(math.exp(np.mean(np.log(optima)))), 0.0
    else:
        a, b = fit_power_law(kept, optima, rule.reference)
    a, b = round_significant(a, 2), round(b, 2)
    fitted_psnr = {
        level: evaluator.mean_psnr(rule, level, [fitted_value(rule, a, b, level)])[0] for level in rule.levels
    }
    current_psnr = {level: evaluator.mean_psnr(rule, level, [None])[0] for level in rule.levels}
    inputs = {level: input_psnr(pairs, rule.dataset, level) for level in rule.levels}
    return RuleFit(rule, results, a, b, fitted_psnr, current_psnr, inputs, time.perf_counter() - start)


# ----------------------------------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------------------------------


def formula(fit: RuleFit) -> str:
    """The fitted rule as Python source."""
    rule = fit.rule
    if rule.reference is None:
        return f"DEBLOCK_FACTOR = {fit.a:g}"
    level = "sigma" if rule.reference == 1.0 else f"(sigma / {rule.reference:g})"
    body = f"{fit.a:g} * {level} ** {fit.b:g}"
    if rule.clip is not None:
        body = f"{body} clipped to [{rule.clip[0]:g}, {rule.clip[1]:g}]"
    return f"round({body})" if rule.integer else body


def table(fit: RuleFit, sizes: dict[str, int]) -> str:
    """A plain-text table of a rule's optima and of the PSNR of its fitted and current rules."""
    rule = fit.rule
    extra = rule.dataset == "jpeg"
    head = f"{rule.level_name:>8} " + ("  q-rms " if extra else "")
    head += f"{'best':>10} {'PSNR@best':>9} {'fitted':>10} {'PSNR fit':>9} {'current':>10} {'PSNR cur':>9} {'input':>7}"
    lines = [
        f"{rule.label} — {rule.method}, {rule.param}"
        + (" as factor = strength * DEBLOCK_FACTOR" if extra else "")
        + f", {sizes[rule.dataset]} pairs, {fit.seconds:.0f} s",
        head,
        "-" * len(head),
    ]
    for level in rule.levels:
        result = fit.results[level]
        row = f"{level:>8g} " + (f"{quantization_noise_sigma(int(level)):7.2f} " if extra else "")
        best = f"{result.best:.4g}" + ("" if rule.fittable(result) else "*")
        row += (
            f"{best:>10} {result.score:9.3f} {fit.fitted(level):>10.4g} {fit.fitted_psnr[level]:9.3f} "
            f"{rule.current(level):>10.4g} {fit.current_psnr[level]:9.3f} {fit.input_psnr[level]:7.2f}"
        )
        lines.append(row)
    mean = [float(np.mean([d[level] for level in rule.levels])) for d in (fit.fitted_psnr, fit.current_psnr)]
    best_mean = float(np.mean([fit.results[level].score for level in rule.levels]))
    pad = 8 + (8 if extra else 0)
    lines.append(f"{'mean':>{pad}} {'':>10} {best_mean:9.3f} {'':>10} {mean[0]:9.3f} {'':>10} {mean[1]:9.3f}")
    if not all(rule.fittable(fit.results[level]) for level in rule.levels):
        where = "" if rule.clip is None else f" or outside the rule's clip range [{rule.clip[0]:g}, {rule.clip[1]:g}]"
        lines.append(f"  * optimum on a limit of the search{where}: left out of the fit")
    lines.append(f"  fitted: a = {fit.a:g}, b = {fit.b:g}    ->  {formula(fit)}")
    return "\n".join(lines)


def report_json(
    fits: Sequence[RuleFit], args: argparse.Namespace, images: Sequence[Path], kernels: Sequence[str]
) -> dict[str, Any]:
    """Everything measured, as JSON-serialisable data."""
    return {
        "arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "images": [path.name for path in images],
        "kernels": list(kernels),
        "rules": {
            fit.rule.label: {
                "method": fit.rule.method,
                "a": fit.a,
                "b": fit.b,
                "formula": formula(fit),
                "levels": [
                    {
                        fit.rule.level_name: level,
                        "best": fit.results[level].best,
                        "best_at_limit": fit.results[level].at_limit,
                        "in_fit": fit.rule.fittable(fit.results[level]),
                        "psnr_best": fit.results[level].score,
                        "fitted": fit.fitted(level),
                        "psnr_fitted": fit.fitted_psnr[level],
                        "current": float(fit.rule.current(level)),
                        "psnr_current": fit.current_psnr[level],
                        "psnr_input": fit.input_psnr[level],
                        "evaluated": {f"{v:.6g}": s for v, s in sorted(fit.results[level].scores.items())},
                    }
                    for level in fit.rule.levels
                ],
            }
            for fit in fits
        },
    }


# ----------------------------------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.tune_classical",
        description="Fit the automatic-strength rules of the classical methods on Train400 training images.",
    )
    parser.add_argument("--data-root", type=Path, required=True, help="folder holding train/Train400")
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 4 images (2 for deblocking), one bisection stage"
    )
    parser.add_argument("--rules", default=",".join(RULES), help=f"comma-separated subset of {', '.join(RULES)}")
    parser.add_argument("--images", type=int, default=None, help="training images (default 12; 4 with --quick)")
    parser.add_argument("--jpeg-images", type=int, default=None, help="images for deblocking (6; 2 if --quick)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image subset (default 0)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2; 1 = no pool)")
    parser.add_argument("--output", type=Path, default=None, help="also write every measurement to this JSON file")
    parser.add_argument(
        "--write", action="store_true", help=f"write the fitted constants into the library's {TUNED_FILE.name}"
    )
    args = parser.parse_args(argv)
    args.images = args.images or (4 if args.quick else 12)
    args.jpeg_images = min(args.jpeg_images or (2 if args.quick else 6), args.images)
    unknown = sorted(set(args.rules.split(",")) - set(RULES))
    if unknown:
        parser.error(f"unknown rule(s) {', '.join(unknown)}; choose from {', '.join(RULES)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the protocol, print the tables and the fitted constants.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    args = parse_args(argv)
    rules = [RULES[key] for key in args.rules.split(",")]
    stages = 1 if args.quick else 2
    paths = training_images(args.data_root, args.images, args.seed)
    images = [rc.load_image(path) for path in paths]
    named_kernels = synthetic_kernels()
    pairs = build_pairs(images, [kernel for _, kernel in named_kernels], args.jpeg_images)
    sizes = {name: len(items) for name, items in pairs.items()}

    print(f"Training images ({len(paths)} of Train400, seed {args.seed}): {', '.join(p.name for p in paths)}")
    print(f"Kernels: {', '.join(name for name, _ in named_kernels)}")
    print(
        f"Pairs: {', '.join(f'{name} {size}' for name, size in sizes.items())}; noise seed = pair index; "
        f"{args.workers} worker(s), {stages} bisection stage(s)\n"
    )

    start = time.perf_counter()
    fits: list[RuleFit] = []
    if args.workers > 1:
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        pool = context.Pool(args.workers, initializer=_init_worker, initargs=(pairs,))
    else:
        _init_worker(pairs)
        pool = None
    try:
        evaluator = Evaluator(pool, sizes, args.workers)
        for rule in rules:
            fit = tune_rule(rule, evaluator, pairs, stages)
            fits.append(fit)
            tqdm.write("\n" + table(fit, sizes) + "\n")
    finally:
        if pool is not None:
            pool.close()
            pool.join()

    print(f"Fitted constants ({evaluator.restorations} restorations, {time.perf_counter() - start:.0f} s):")
    for fit in fits:
        print(f"  {fit.rule.label:<24} a = {fit.a:<8g} b = {fit.b:<6g} {formula(fit)}")
    if args.write:
        command = shlex.join(["python", "-m", "tools.tune_classical", *(sys.argv[1:] if argv is None else argv)])
        write_rules({fit.rule.label: library_entry(fit, command) for fit in fits})
        print(f"Wrote the fitted constants to {TUNED_FILE}")
    if args.output is not None:
        args.output.write_text(json.dumps(report_json(fits, args, paths, [n for n, _ in named_kernels]), indent=2))
        print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
