"""Choose Richardson–Lucy's least support on training images: ``python -m tools.tune_rl_support --data-root DIR``.

:data:`restore_core.methods.deconvolution.RL_MIN_SUPPORT` decides which pixels of a 'valid'
observation Richardson–Lucy updates (those whose blur lands at least that much inside the
observation); the others keep the nearest observed value. This prints the mean PSNR (whole clean
image) for each candidate threshold on training images only: a seeded subset (``--images``, default
12; ``--seed``, default 0) of ``train/Train400``, image ``i`` blurred by synthetic kernel ``i mod 6``
(:func:`tools.tuning_data.synthetic_kernels`) with the 'valid' boundary and noise σ 2.55 and 7.65
seeded ``i``, restored at the automatic iteration count and RL-TV weight (as ``rc.restore`` would).
The library's value is chosen from it.
"""

from __future__ import annotations

import argparse

import numpy as np

import restore_core as rc
from restore_core.dataroot import add_data_root_argument
from restore_core.methods.deconvolution import (
    RL_MIN_SUPPORT,
    auto_rl_iterations,
    auto_rl_tv_weight,
    richardson_lucy_deconvolution,
)

from .tuning_data import synthetic_kernels, training_images

CANDIDATES = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7)
SIGMAS = (2.55, 7.65)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.tune_rl_support", description=__doc__.split("\n\n")[0])
    add_data_root_argument(parser, "train/Train400")
    parser.add_argument("--images", type=int, default=12, help="training images (default 12)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the image draw (default 0)")
    args = parser.parse_args()
    if args.data_root is None:
        parser.error("--data-root (or $DECONV_DATA) is required: the thresholds are compared on training images")
    images = [rc.load_image(path) for path in training_images(args.data_root, args.images, args.seed)]
    kernels = [kernel for _, kernel in synthetic_kernels()]
    print(f"Richardson–Lucy on 'valid' observations, {len(images)} Train400 images; library value {RL_MIN_SUPPORT}")
    print("sigma  " + "  ".join(f"{candidate:>6}" for candidate in CANDIDATES))
    for sigma in SIGMAS:
        scores = {candidate: [] for candidate in CANDIDATES}
        for index, image in enumerate(images):
            kernel = kernels[index % len(kernels)]
            observation = rc.degrade(image, "deblur", kernel=kernel, sigma=sigma, boundary="valid", seed=index)
            for candidate in CANDIDATES:
                restored = richardson_lucy_deconvolution(
                    observation.image, kernel, auto_rl_iterations(sigma), "valid", "cpu",
                    min_support=candidate, tv_weight=auto_rl_tv_weight(sigma),
                )  # fmt: skip
                scores[candidate].append(rc.psnr(image, np.clip(restored, 0.0, 1.0)))
        print(f"{sigma:<6} " + "  ".join(f"{np.mean(values):6.2f}" for values in scores.values()), flush=True)


if __name__ == "__main__":
    main()
