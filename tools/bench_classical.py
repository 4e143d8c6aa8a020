"""Time the classical deconvolution against scikit-image: ``python -m tools.bench_classical [--data-root DIR]``.

Richardson–Lucy, 30 iterations, on a 512x512 gray image blurred circularly by Levin's kernel k4
(scikit-image's ``camera`` with a shake of the same size when no data root is given) with noise
σ 2.55, seed 0: seconds (best of 5 warm runs, the current torch threads) and PSNR of
``rc.restore(..., "richardson_lucy", num_iter=30)`` (accelerated, with its automatic RL-TV weight) on
the CPU (and on CUDA when present, also at 2048x2048) next to
:func:`skimage.restoration.richardson_lucy` (plain) on the same observation.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch
from skimage import restoration
from skimage.data import camera

import restore_core as rc
from restore_core.dataroot import add_data_root_argument

ITERATIONS, SIGMA, REPEATS = 30, 2.55, 5


def best_seconds(run: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    """Best of :data:`REPEATS` warm runs, and the output."""
    output = run()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        output = run()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return min(times), output


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_classical", description=__doc__.split("\n\n")[0])
    add_data_root_argument(parser, "test/Set12/08.png and kernels/levin8.npz")
    args = parser.parse_args()
    if args.data_root is not None:
        clean, kernel, name = (rc.load_image(args.data_root / "test" / "Set12" / "08.png"),
                               rc.levin_kernels(args.data_root)["k4"], "Set12/08 × k4")  # fmt: skip
    else:
        clean, kernel, name = rc.to_float(camera()), rc.shake_kernel(27, seed=4), "camera × shake(27, 4)"
    observation = rc.degrade(clean, "deblur", kernel=kernel, sigma=SIGMA, seed=0)
    print(f"Richardson–Lucy, {ITERATIONS} iterations, {name}, σ {SIGMA}, {torch.get_num_threads()} CPU threads")
    runs = {
        "restore_core (cpu)": lambda: rc.restore(observation, "richardson_lucy", num_iter=ITERATIONS, device="cpu"),
        "scikit-image": lambda: restoration.richardson_lucy(observation.image, kernel, num_iter=ITERATIONS),
    }
    if torch.cuda.is_available():
        runs["restore_core (cuda)"] = lambda: rc.restore(observation, "richardson_lucy", num_iter=ITERATIONS,
                                                          device="cuda")  # fmt: skip
    seconds = {}
    for label, run in runs.items():
        seconds[label], output = best_seconds(run)
        print(f"  {label:<22} {seconds[label]:7.3f} s  {rc.psnr(clean, output):6.2f} dB")
    print(f"  speed-up over scikit-image: {seconds['scikit-image'] / seconds['restore_core (cpu)']:.1f}x")
    if torch.cuda.is_available():
        large = rc.degrade(np.tile(clean, (4, 4)), "deblur", kernel=kernel, sigma=SIGMA, seed=0)
        spent, _ = best_seconds(lambda: rc.restore(large, "richardson_lucy", num_iter=ITERATIONS, device="cuda"))
        print(f"  2048x2048 on cuda: {spent:.3f} s")


if __name__ == "__main__":
    main()
