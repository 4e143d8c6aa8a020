"""Measure blind kernel estimation: ``python -m tools.bench_blind --data-root DIR [--set train|kodak]``.

Each clean image (luma) is blurred by each kernel with the ``reflect`` boundary and Gaussian noise
of sigma 2.55 (seeded by the image's position), :func:`restore_core.estimate_kernel` reads the kernel
off it, and Wiener deconvolution runs with the estimate and with the true kernel. Printed per problem
and on average: kernel similarity (:func:`restore_core.kernel_similarity`), PSNR of both restorations
on the image without a 50-pixel border, and the estimation's seconds.

Sets: ``train`` (default; for tuning): the first of every 50 ``train/BSDS400`` images, ``--images``
of them, with synthetic camera shakes of 17–27 pixels; ``kodak``: ``test/Kodak24`` with the 8 Levin
kernels, for reporting only (never tune on it). The benchmark protocol of the blind-deblurring
literature (error ratio, success rates) is to come with ``eval.benchmark --blind``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import restore_core as rc
from restore_core.dataroot import add_data_root_argument

#: Noise of the observations (0–255), border left out of the PSNR (pixels), kernel support searched.
SIGMA, BORDER, SIZE = 2.55, 50, 31
#: (size, seed) of the synthetic camera shakes of the training set.
SHAKES = ((23, 5), (27, 6), (17, 7))


def problems(data_root: Path, which: str, count: int) -> list[tuple[str, np.ndarray, str, np.ndarray]]:
    """(image name, clean luma, kernel name, kernel) of a set."""
    if which == "kodak":
        files = sorted((data_root / "test" / "Kodak24").glob("*.png"))[:count]
        kernels = list(rc.levin_kernels(data_root).items())
    else:
        files = sorted((data_root / "train" / "BSDS400").glob("*.jpg"))[::50][:count]
        kernels = [(f"shake({size}, {seed})", rc.shake_kernel(size, seed)) for size, seed in SHAKES]
    images = [(path.name, rc.rgb_to_y(rc.load_image(path))) for path in files]
    return [(name, image, kernel_name, kernel) for name, image in images for kernel_name, kernel in kernels]


def wiener_psnr(clean: np.ndarray, observed: np.ndarray, kernel: np.ndarray) -> float:
    """PSNR without the border of the Wiener restoration of ``observed`` with ``kernel``."""
    observation = rc.Observation(observed, "deblur", clean.shape, sigma=SIGMA, kernel=kernel, boundary="reflect")
    inner = (slice(BORDER, -BORDER), slice(BORDER, -BORDER))
    return rc.psnr(clean[inner], rc.restore(observation, "wiener")[inner])


def main(argv: Sequence[str] | None = None) -> int:
    """Print one line per problem and the means; return 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench_blind", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, "train/BSDS400 or test/Kodak24 and kernels/levin8.npz")
    parser.add_argument("--set", choices=("train", "kodak"), default="train", dest="which")
    parser.add_argument("--images", type=int, default=4, help="how many images (default 4)")
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA.")
    rows = []
    for index, (image_name, clean, kernel_name, truth) in enumerate(problems(args.data_root, args.which, args.images)):
        observed = rc.degrade(clean, "deblur", kernel=truth, boundary="reflect", sigma=SIGMA, seed=index).image
        start = time.perf_counter()
        estimate = rc.estimate_kernel(observed, size=SIZE)
        seconds = time.perf_counter() - start
        row = (rc.kernel_similarity(estimate, truth), wiener_psnr(clean, observed, estimate),
               wiener_psnr(clean, observed, truth), seconds)  # fmt: skip
        rows.append(row)
        print(f"{image_name:<14} {kernel_name:<16} similarity {row[0]:.3f}  PSNR estimate {row[1]:6.2f} "
              f"true {row[2]:6.2f} dB  {row[3]:5.1f} s", flush=True)  # fmt: skip
    similarity, estimated, true, seconds = np.mean(rows, axis=0)
    share = np.mean([row[0] > 0.7 for row in rows])
    print(f"mean of {len(rows)}: similarity {similarity:.3f} ({share:.0%} above 0.7), PSNR estimate {estimated:.2f} "
          f"true {true:.2f} dB, {seconds:.1f} s per estimate")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
