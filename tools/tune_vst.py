"""Choose ``vst_bm3d``'s two constants on training images with simulated camera noise: ``python -m tools.tune_vst``.

Protocol: a seeded random subset (``--images``, default 6) of ``<data root>/train/BSDS400``,
centre 192x192 crops, each made noisy at every camera level of
:data:`restore_core.CAMERA_LEVELS` (seed = the image's position). Each noisy crop is restored by
CBM3D at the white-noise level :func:`restore_core.estimate_noise_sigma` reads (``bm3d``) and
by the variance-stabilised path of ``vst_bm3d`` (``white_ratio=0``) at each ``--factors`` value;
the ratio of the estimated noise function's median level to the white-noise estimate is
recorded. The rule of ``vst_bm3d`` (CBM3D when the ratio is below ``white_ratio``, else the
stabilised path at ``sigma_factor``) is then scored for every ratio of ``--ratios`` and every
factor; the table gives the mean PSNR per level, and the best rule is printed last. No test
image is read.
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

DEFAULT_FACTORS = (1.0, 1.25, 1.6, 2.0)
DEFAULT_RATIOS = (0.0, 1.2, 1.5, 1.8, 2.1)
CROP = 192


def measure(files: Sequence, factors: Sequence[float]) -> pd.DataFrame:
    """One row per (image, level): the ratio, CBM3D's PSNR and the stabilised path's at each factor."""
    rows = []
    for index, level in tqdm([(i, level) for i in range(len(files)) for level in rc.CAMERA_LEVELS], desc="runs"):
        clean = centre_crop(rc.load_image(files[index]), CROP)
        observation = rc.degrade(clean, "denoise", camera=level, seed=index)
        function = rc.estimate_noise_function(observation.image)
        row = {
            "level": level,
            "ratio": float(np.median(function.levels)) / observation.noise_sigma(),
            "bm3d": rc.psnr(clean, rc.restore(observation, "bm3d")),
        }
        for factor in factors:
            restored = rc.restore(observation, "vst_bm3d", sigma_factor=factor, white_ratio=0.0)
            row[factor] = rc.psnr(clean, restored)
        rows.append(row)
    return pd.DataFrame(rows)


def score_rules(runs: pd.DataFrame, factors: Sequence[float], ratios: Sequence[float]) -> pd.DataFrame:
    """Mean PSNR per level of every (white ratio, factor) rule, and over the levels."""
    rules = []
    for ratio in ratios:
        for factor in factors:
            chosen = runs["bm3d"].where(runs["ratio"] < ratio, runs[factor])
            means = chosen.groupby(runs["level"]).mean()
            rules.append({"white_ratio": ratio, "sigma_factor": factor, **means[list(rc.CAMERA_LEVELS)].to_dict()})
    table = pd.DataFrame(rules)
    table["mean"] = table[list(rc.CAMERA_LEVELS)].mean(axis=1)
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.tune_vst", description=__doc__.splitlines()[0])
    add_data_root_argument(parser, "train/BSDS400")
    parser.add_argument("--images", type=int, default=6, help="number of training images (default 6)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image draw (default 0)")
    parser.add_argument("--factors", type=float, nargs="+", default=DEFAULT_FACTORS, help="factors to try")
    parser.add_argument("--ratios", type=float, nargs="+", default=DEFAULT_RATIOS, help="white ratios to try")
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("needs the data root (--data-root or DECONV_DATA) holding train/BSDS400")
    runs = measure(training_images(args.data_root, args.images, args.seed, folder="BSDS400"), args.factors)
    print("CBM3D at the white-noise estimate:", runs.groupby("level")["bm3d"].mean().round(2).to_dict())
    table = score_rules(runs, args.factors, args.ratios)
    print(table.round(2).to_string(index=False))
    best = table.loc[table["mean"].idxmax()]
    print(
        f"best: white_ratio {best['white_ratio']:g}, sigma_factor {best['sigma_factor']:g} "
        f"(mean PSNR {best['mean']:.2f} dB over {args.images} images x {len(rc.CAMERA_LEVELS)} levels)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
