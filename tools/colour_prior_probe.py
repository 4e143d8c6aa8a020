"""Colour model against gray model on opponent channels, colours made vivid: ``python -m tools.colour_prior_probe``.

The evidence behind ``deconv_unet``'s default ``colour_prior`` (see
:data:`restore_core.methods.learned.DENOISE_COLOUR_PRIOR`), measured on training images only so
that the choice is not tuned on a test set: the last :data:`~restore_core.training.data.HOLDOUT`
images of ``train/BSDS400`` (held out of training), their centre crops, with the two chroma
channels of the opponent space multiplied by each ``--factors`` value (clipped to ``[0, 1]``).
White Gaussian noise of each level, seeded per image, is removed by ``unet_denoise`` with the
colour model and with the opponent prior; the table gives the mean PSNR of each.
"""

from __future__ import annotations

import argparse

import numpy as np
from tqdm import tqdm

import restore_core as rc
from restore_core.dataroot import add_data_root_argument
from restore_core.methods.learned import OPPONENT, unet_denoise
from restore_core.training.data import HOLDOUT, load_training_images
from restore_core.training.loop import VALIDATION_SIDE

from .tuning_data import centre_crop

#: The priors compared, in the table's order.
PRIORS = ("colour", "opponent")


def vivid(image: np.ndarray, factor: float) -> np.ndarray:
    """``image`` with its two opponent chroma channels multiplied by ``factor``, clipped to ``[0, 1]``."""
    opponent = image.astype(np.float64) @ OPPONENT.T
    opponent[..., 1:] *= factor
    return np.clip(opponent @ OPPONENT, 0, 1).astype(np.float32)


def probe(images: list[np.ndarray], factors: list[float], sigmas: list[float]) -> list[dict[str, float]]:
    """One row per chroma factor and noise level: the mean PSNR of each of :data:`PRIORS`."""
    rows = []
    for factor in factors:
        clean = [vivid(image, factor) for image in images]
        for sigma in tqdm(sigmas, desc=f"chroma x{factor:g}", leave=False):
            scores = {prior: [] for prior in PRIORS}
            for index, image in enumerate(clean):
                noisy = rc.degrade(image, "denoise", sigma=sigma, seed=index).image
                for prior in PRIORS:
                    restored = unet_denoise(noisy, sigma, colour_prior=prior)
                    scores[prior].append(rc.psnr(image, np.clip(restored, 0, 1)))
            means = {prior: float(np.mean(values)) for prior, values in scores.items()}
            rows.append({"factor": factor, "sigma": sigma, **means})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure and print the table; return 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.colour_prior_probe", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, "train/BSDS400")
    parser.add_argument("--factors", type=float, nargs="+", default=[1.0, 2.0, 3.0], help="chroma factors")
    parser.add_argument("--sigmas", type=float, nargs="+", default=[15.0, 25.0, 50.0], help="noise levels (0-255)")
    parser.add_argument("--side", type=int, default=VALIDATION_SIDE, help="centre crop side (default %(default)s)")
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding train/BSDS400).")
    folder = args.data_root / "train" / "BSDS400"
    if not folder.is_dir():
        parser.error(f"{folder} not found: --data-root must be the folder holding train/BSDS400.")
    if args.side < 16:
        parser.error(f"--side must be at least 16 pixels, got {args.side}.")
    images = [centre_crop(image, args.side) for image in load_training_images(folder, "rgb")[-HOLDOUT:]]
    print(f"held-out BSDS400 images: {len(images)}, centre {args.side}x{args.side} crops; mean PSNR (dB)\n")
    print("| chroma | sigma | " + " | ".join(PRIORS) + " |")
    print("|---:|---:|" + "---:|" * len(PRIORS))
    for row in probe(images, args.factors, args.sigmas):
        print(f"| x{row['factor']:g} | {row['sigma']:g} | " + " | ".join(f"{row[p]:.2f}" for p in PRIORS) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
