"""Choose ``vst_bm3d``'s factor on training images with simulated camera noise: ``python -m tools.tune_vst``.

Protocol: a seeded random subset (``--images``, default 6) of ``<data root>/train/BSDS400``,
centre 192x192 crops, each made noisy at every camera level of
:data:`restore_core.CAMERA_LEVELS` (seed = the image's position), restored by ``vst_bm3d`` at
each ``--factors`` value. The table gives the mean PSNR per level and factor, with CBM3D at the
white-noise level :func:`restore_core.estimate_noise_sigma` reads for comparison; the factor
with the best mean over the levels is printed last. No test image is read.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm import tqdm

import restore_core as rc
from restore_core.dataroot import add_data_root_argument

from .tuning_data import centre_crop, training_images

DEFAULT_FACTORS = (1.0, 1.15, 1.3, 1.5, 1.7)
CROP = 192


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.tune_vst", description=__doc__.splitlines()[0])
    add_data_root_argument(parser, "train/BSDS400")
    parser.add_argument("--images", type=int, default=6, help="number of training images (default 6)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image draw (default 0)")
    parser.add_argument("--factors", type=float, nargs="+", default=DEFAULT_FACTORS, help="factors to try")
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("needs the data root (--data-root or DECONV_DATA) holding train/BSDS400")
    files = training_images(args.data_root, args.images, args.seed, folder="BSDS400")
    runs = [(index, level) for index in range(len(files)) for level in rc.CAMERA_LEVELS]
    scores = []
    for index, level in tqdm(runs, desc="images x levels"):
        clean = centre_crop(rc.load_image(files[index]), CROP)
        observation = rc.degrade(clean, "denoise", camera=level, seed=index)
        scores.append((level, "bm3d at estimated σ", rc.psnr(clean, rc.restore(observation, "bm3d"))))
        for factor in args.factors:
            restored = rc.restore(observation, "vst_bm3d", sigma_factor=factor)
            scores.append((level, f"vst_bm3d ×{factor:g}", rc.psnr(clean, restored)))
    table = pd.DataFrame(scores, columns=["level", "method", "psnr"]).pivot_table(
        index="method", columns="level", values="psnr", sort=False
    )[list(rc.CAMERA_LEVELS)]
    table["mean"] = table.mean(axis=1)
    print(table.round(2).to_string())
    best = table.drop(index="bm3d at estimated σ")["mean"].idxmax()
    print(f"best: {best} (mean PSNR {table.loc[best, 'mean']:.2f} dB over {len(files)} images x {len(rc.CAMERA_LEVELS)} levels)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
