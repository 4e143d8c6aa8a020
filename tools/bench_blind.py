"""Tune and time blind kernel estimation: ``python -m tools.bench_blind --data-root DIR [--timing]``.

Without ``--timing``: the protocol of ``python -m eval.benchmark --task deblur --blind`` (reflect
boundary, σ 2.55, Wiener deconvolution with the estimated and the true kernel, scores without a 50-pixel
border at the best integer alignment) on **training** images only — every 37th ``train/BSDS400`` image
from the 8th, luminance — times seeded camera shakes of 13–27 pixels with trajectories of 1–2.5 times
their support, drawn at a varying speed (:func:`restore_core.shake_kernel`, ``speed_variation`` 1:
bright knots and faint tails like recorded shakes, as hard as the test kernels: the learned estimator
loses 1.75 dB to the true kernel here and 1.98 dB on Kodak24 × Levin; the constant-speed strokes used
before were easier). Never the Levin kernels of the test protocol. Prints per problem and on average the
kernel similarity, the error ratio and the PSNR with the estimated and the true kernel, and the success
rates at error ratio ≤ 2 and 3: the numbers the estimators' constants were chosen on.

``--timing``: seconds of one estimate of a 27x27 kernel from a 512x512 gray image (scikit-image's
camera blurred by a shake), on the CPU with the current torch threads and on CUDA when present.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from skimage.data import camera

import restore_core as rc
from eval.blind import aligned_scores, deconvolve
from restore_core.dataroot import add_data_root_argument

#: Noise of the observations (0–255), support bound, timing problem's kernel side.
SIGMA, SIZE, TIMING_SIDE = 2.55, 31, 27
#: Speed variation of the training shakes (:func:`restore_core.shake_kernel`): recorded shakes have bright
#: knots where the hand lingered and faint tails where it hurried, which constant-speed strokes lack.
SPEED_VARIATION = 1.0


def shakes(count: int, speed_variation: float = SPEED_VARIATION) -> list[tuple[str, np.ndarray]]:
    """``count`` seeded Levin-like camera shakes (name, kernel)."""
    rng = np.random.default_rng(1)
    kernels = []
    for index in range(count):
        size = int(rng.integers(6, 14)) * 2 + 1
        length, anxiety = float(rng.uniform(1.0, 2.5) * size), float(rng.uniform(0.002, 0.01))
        kernels.append(
            (
                f"shake{size}#{index}",
                rc.shake_kernel(size, 100 + index, length=length, anxiety=anxiety, speed_variation=speed_variation),
            )
        )
    return kernels


def problems(data_root: Path, images: int, kernels: int, speed_variation: float = SPEED_VARIATION
             ) -> list[tuple[str, np.ndarray, str, np.ndarray]]:  # fmt: skip
    """(image name, clean luma, kernel name, kernel) of the training problems."""
    files = sorted((data_root / "train" / "BSDS400").glob("*.jpg"))[7::37][:images]
    pictures = [(path.name, rc.rgb_to_y(rc.load_image(path))) for path in files]
    drawn = shakes(kernels, speed_variation)
    return [(name, image, kernel_name, kernel) for name, image in pictures for kernel_name, kernel in drawn]


def accuracy(data_root: Path, images: int, kernels: int, method: str, deconvolver: str) -> None:
    """Print the training problems' similarity, error ratio and PSNRs, then the means and success rates."""
    rows = []
    for index, (image_name, clean, kernel_name, truth) in enumerate(problems(data_root, images, kernels)):
        observed = rc.degrade(clean, "deblur", kernel=truth, boundary="reflect", sigma=SIGMA, seed=index).image
        start = time.perf_counter()
        estimate = rc.estimate_kernel(observed, size=SIZE, method=method)
        seconds = time.perf_counter() - start
        blind = aligned_scores(clean, deconvolve(observed, estimate, SIGMA, deconvolver), SIZE)
        known = aligned_scores(clean, deconvolve(observed, truth, SIGMA, deconvolver), max(truth.shape))
        rows.append((rc.kernel_similarity(estimate, truth), blind[0] / known[0], blind[1], known[1], seconds))
        print(f"{image_name:<12} {kernel_name:<12} similarity {rows[-1][0]:.3f}  error ratio {rows[-1][1]:6.2f}  "
              f"PSNR {blind[1]:.2f} / {known[1]:.2f} dB  {seconds:5.1f} s", flush=True)  # fmt: skip
    similarity, ratios, psnr, psnr_true, seconds = np.array(rows).T
    print(f"{method} ({deconvolver}), mean of {len(rows)}: similarity {similarity.mean():.3f}, median error ratio "
          f"{np.median(ratios):.2f}, success ≤2 {np.mean(ratios <= 2):.0%} ≤3 {np.mean(ratios <= 3):.0%}, PSNR "
          f"{psnr.mean():.2f} / {psnr_true.mean():.2f} dB (estimate / truth), {seconds.mean():.1f} s")  # fmt: skip


def timing(method: str) -> None:
    """Print the seconds of one 27x27 estimate from a 512x512 gray image on each device."""
    clean = rc.to_float(camera())
    truth = rc.shake_kernel(TIMING_SIDE, seed=3)
    observed = rc.degrade(clean, "deblur", kernel=truth, boundary="reflect", sigma=SIGMA, seed=0).image
    for device in ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",):
        rc.estimate_kernel(observed[:128, :128], size=9, method=method, device=device)  # warm-up
        start = time.perf_counter()
        estimate = rc.estimate_kernel(observed, size=TIMING_SIDE, method=method, device=device)
        seconds = time.perf_counter() - start
        threads = f"{torch.get_num_threads()} threads" if device == "cpu" else torch.cuda.get_device_name()
        print(f"{method} on {device} ({threads}): {seconds:.2f} s for 512x512, {TIMING_SIDE}x{TIMING_SIDE} "
              f"(similarity {rc.kernel_similarity(estimate, truth):.3f})")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Print the accuracy on training problems, or the timing; return 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench_blind", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, "train/BSDS400")
    parser.add_argument("--images", type=int, default=6, help="training images (default 6)")
    parser.add_argument("--kernels", type=int, default=6, help="shakes per image (default 6)")
    parser.add_argument("--method", choices=list(rc.KERNEL_ESTIMATORS), default="l0", help="estimator (default l0)")
    parser.add_argument("--deconvolver", default="wiener", help="non-blind method scored (default wiener)")
    parser.add_argument("--timing", action="store_true", help="time one 512x512 estimate instead (no data needed)")
    args = parser.parse_args(argv)
    if args.timing:
        timing(args.method)
        return 0
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA.")
    accuracy(args.data_root, args.images, args.kernels, args.method, args.deconvolver)
    return 0


if __name__ == "__main__":
    sys.exit(main())
