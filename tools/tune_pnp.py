"""Choose the settings of the learned deconvolution solvers on training images.

``python -m tools.tune_pnp --data-root DIR`` measures the mean PSNR of a learned
method (``--method``: ``pnp_unet``, default, or ``wiener_unet``) over a grid of one of
its settings, for each task it supports (deblurring, inpainting), and prints, per
task, the value with the best mean over the task's levels; the other settings keep
their defaults. Settings of ``pnp_unet``: ``lam`` (default), the prior weight λ (HQS
penalty ``ρ_k = λ σ² / σ_k²``; the default of ``hqs``), and ``sigma_end``, the
denoiser level of the last iteration (the per-task floor,
``Task.pnp.sigma_floor``), ``iterations`` and ``sigma_start``, the level of
the first iteration (at most 49: the denoiser is trained up to 50). Settings of
``wiener_unet``: ``balance_scale`` and ``noise_scale``. Both have ``colour_prior``
(the colour model, or the gray model on opponent channels, its chroma at full or half
resolution), tuned with ``--color``; ``pnp_unet`` also ``chroma_half_above``, the denoiser level
above which its opponent prior takes the chroma at half resolution. ``--write`` writes the best value into
``restore_core/tuned.json``, which the library reads (per task for ``sigma_end``, else the
value with the best mean over the tasks). Time counts with ``--within DB``: the value written is
then the fastest whose mean is at most DB below the best one's (seconds are printed per value).

Protocol (training data only, never a test set)
    Images: the seeded subset of ``train/Train400`` of :mod:`tools.tuning_data`
    (``--images``, default 8; ``--seed``, default 0), whole 180x180 gray images.
    Deblurring: every image with every synthetic kernel of that module (camera
    shakes, a Gaussian, a linear motion; never the Levin kernels of the benchmark),
    circular blur, Gaussian noise σ 2.55 and 7.65. Inpainting: random masks missing
    50% and 80% of the pixels. Image ``i`` is degraded with ``seed=i``.
    With ``--color``: the same draw from ``train/BSDS400``, centre 180x180 colour crops
    (``--side``; 0: the whole photos, where the cost of a colour prior shows at scale).

The deblurring targets of the issue are on Set12 with the Levin kernels; this tuning
never sees either.
"""

from __future__ import annotations

import argparse
import itertools
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

import restore_core as rc
from restore_core.dataroot import add_data_root_argument
from restore_core.methods.learned import COLOUR_PRIORS
from restore_core.tuned import TUNED_FILE, tuned_setting, write_settings

from .tuning_data import centre_crop, synthetic_kernels, training_images

#: Values tried per setting, and each task's levels (noise sigma for deblurring, missing fraction for inpainting).
GRIDS = {
    "lam": (0.1, 0.23, 0.35, 0.5, 0.7, 1.0, 2.0),
    "sigma_end": (0.5, 1.0, 2.0, 3.0, 5.0, 8.0),
    "balance_scale": (0.1, 0.2, 0.3, 0.5, 1.0),
    "noise_scale": (0.7, 1.0, 1.15, 1.3, 1.5, 1.7),
    "iterations": (8, 16, 24, 40, 60, 80),
    "sigma_start": (20.0, 30.0, 40.0, 49.0),
    "colour_prior": COLOUR_PRIORS,
    "chroma_half_above": (10.0, 20.0, 50.0),
}
#: Settings whose tuned value the library reads from ``tuned.json`` (``--write``); per task for those of PER_TASK.
WRITABLE = ("lam", "sigma_end", "balance_scale", "noise_scale", "colour_prior", "chroma_half_above")
PER_TASK = ("sigma_end",)
#: Side of the centre crops of the colour training images (``--side``; 0: whole images).
COLOUR_SIDE = 180
METHODS = ("pnp_unet", "wiener_unet")
LEVELS = {"deblur": (2.55, 7.65), "inpaint": (0.5, 0.8)}


def cases(task: str, images: Sequence[np.ndarray], level: float) -> list[tuple[np.ndarray, rc.Observation]]:
    """(clean, degraded) pairs of a task at one level."""
    if "kernel" in rc.get_task(task).needs:
        kernels = [kernel for _, kernel in synthetic_kernels()]
        return [(image, rc.degrade(image, task, kernel=kernel, sigma=level, seed=i))
                for (i, image), kernel in itertools.product(enumerate(images), kernels)]  # fmt: skip
    return [(image, rc.degrade(image, task, ratio=level, mask_type="random", seed=i))
            for i, image in enumerate(images)]  # fmt: skip


def _text(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:g}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the PSNR table and the best value per task; return 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.tune_pnp", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, "train/Train400")
    parser.add_argument("--images", type=int, default=8, help="training images (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image subset (default 0)")
    parser.add_argument("--tasks", nargs="+", choices=list(LEVELS), default=list(LEVELS))
    parser.add_argument("--method", choices=METHODS, default="pnp_unet", help="method to tune (default pnp_unet)")
    parser.add_argument("--setting", choices=list(GRIDS), default="lam", help="what to tune (default lam)")
    parser.add_argument("--color", action="store_true", help="colour crops of BSDS400 instead of Train400")
    parser.add_argument("--side", type=int, default=COLOUR_SIDE, metavar="N",
                        help=f"side of the colour crops (default {COLOUR_SIDE}; 0: whole 481x321 images)")  # fmt: skip
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"write the best value into the library's {TUNED_FILE.name} ({', '.join(WRITABLE)}; per task for "
        f"{', '.join(PER_TASK)}, else the best mean over the tasks)",
    )
    parser.add_argument(
        "--within",
        type=float,
        default=0.0,
        metavar="DB",
        help="write the fastest value whose mean PSNR over the tasks is at most DB below the best (default 0)",
    )
    args = parser.parse_args(argv)
    if args.side < 0:
        parser.error(f"--side must be 0 (whole images) or a positive crop side, not {args.side}")
    if not args.within >= 0:
        parser.error(f"--within must be a non-negative number of dB, not {args.within:g}")
    if args.write and args.setting not in WRITABLE:
        parser.error(f"--write takes {', '.join(WRITABLE)}; {args.setting} keeps DPIR's published value.")
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding train/Train400).")
    try:
        method = rc.get_method(args.method)
    except rc.RestoreError as error:
        parser.error(f"{error} (learned methods register when their weights ship)")
    if args.setting not in {param.name for param in method.params}:
        parser.error(f"{args.method} has no setting {args.setting}.")
    tasks = [task for task in args.tasks if task in method.tasks]
    if not tasks:
        parser.error(f"{args.method} does none of the tasks {', '.join(args.tasks)}.")
    folder = "BSDS400" if args.color else "Train400"
    images = [rc.load_image(path) for path in training_images(Path(args.data_root), args.images, args.seed, folder)]
    if args.color and args.side:
        smallest = min(min(image.shape[:2]) for image in images)
        if args.side > smallest:
            parser.error(f"--side {args.side} exceeds the smallest image side ({smallest}); 0 takes whole images")
        images = [centre_crop(image, args.side) for image in images]
    grid = GRIDS[args.setting]
    best: dict[str, float | str] = {}
    overall: dict[float | str, list[float]] = {}
    seconds: dict[float | str, float] = dict.fromkeys(grid, 0.0)
    for task in tasks:
        table = {}
        for level in LEVELS[task]:
            pairs = cases(task, images, level)
            for value in tqdm(grid, desc=f"{task} {level:g}", leave=False):
                start = time.perf_counter()
                scores = [rc.psnr(clean, rc.restore(observation, args.method, **{args.setting: value}))
                          for clean, observation in pairs]  # fmt: skip
                seconds[value] += time.perf_counter() - start
                table[level, value] = float(np.mean(scores))
        print(f"\n{task}: mean PSNR (dB) of {args.method}, {len(images)} {folder} images\n")
        print(f"| {args.setting} | " + " | ".join(f"{level:g}" for level in LEVELS[task]) + " | mean |")
        print("|---:|" + "---:|" * (len(LEVELS[task]) + 1))
        means = {}
        for value in grid:
            row = [table[level, value] for level in LEVELS[task]]
            means[value] = float(np.mean(row))
            print(f"| {_text(value)} | " + " | ".join(f"{psnr:.3f}" for psnr in row) + f" | {means[value]:.3f} |")
        best[task] = max(means, key=means.get)
        for value, mean in means.items():
            overall.setdefault(value, []).append(mean)
        print(f"\nbest {args.setting} for {task}: {_text(best[task])}")
    print("\nseconds over all runs: " + ", ".join(f"{_text(value)} {seconds[value]:.1f}" for value in grid))
    if args.write:
        if args.setting in PER_TASK:  # the tasks not tuned here keep their values
            value: object = {**tuned_setting(args.method, args.setting), **best}
        else:
            totals = {value: float(np.mean(scores)) for value, scores in overall.items()}
            close = [value for value in grid if totals[value] >= max(totals.values()) - args.within]
            value = min(close, key=seconds.get)
        command = shlex.join(["python", "-m", "tools.tune_pnp", *(sys.argv[1:] if argv is None else argv)])
        write_settings(
            args.method, {args.setting: {"value": value, "fitted": f"{time.strftime('%Y-%m-%d')}: {command}"}}
        )
        print(f"wrote {args.method} {args.setting} = {value} to {TUNED_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
