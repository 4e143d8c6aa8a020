"""Quality–speed Pareto front of the colour denoisers: ``python -m tools.pareto_denoisers --data-root DIR``.

Every model size tried for colour denoising is measured the same way: the DeconvUNet colour
models ``unet_color_xs``, ``unet_color_s`` and ``unet_color`` (the shipped default), and the
gray model ``unet_gray`` run on the three opponent channels. Quality is the mean PSNR on
CBSD68 at noise sigma 15, 25 and 50 with the benchmark's seeded noise (image ``i`` gets seed
``i``, as ``python -m eval.benchmark --task denoise`` does); speed is the best of ``--repeats``
runs on a 512x512 colour image (scikit-image's ``astronaut``, sigma 25) on this machine, in
float32 and, where the hardware computes it natively, bfloat16. A model is on the Pareto
front when no other is both faster (float32) and better at sigma 25. The table is printed
and written with a plot to ``--out`` (``pareto-colour-denoisers.md`` and ``.png``).
Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import skimage.data
from tqdm import tqdm

import restore_core as rc
from eval.datasets import open_dataset
from restore_core.dataroot import add_data_root_argument
from restore_core.device import native_bfloat16
from restore_core.methods.learned import opponent_denoise
from restore_core.nets.models import run_unet
from restore_core.nets.specs import MODELS

SIGMAS = (15.0, 25.0, 50.0)
#: A colour denoiser: ``denoise(image, sigma (0–255), precision) -> image``.
Denoiser = Callable[[np.ndarray, float, str], np.ndarray]


def denoisers() -> dict[str, tuple[str, Denoiser]]:
    """The colour denoisers compared, by label, with the model whose weights each needs."""

    def colour(name: str) -> Denoiser:
        return lambda image, sigma, precision: run_unet(name, image, sigma / 255.0, precision=precision)

    entries: dict[str, tuple[str, Denoiser]] = {
        f"{name} (colour)": (name, colour(name)) for name in ("unet_color_xs", "unet_color_s", "unet_color")
    }
    entries["unet_gray (3 opponent channels)"] = (
        "unet_gray",
        lambda image, sigma, precision: opponent_denoise(image, sigma, precision=precision),
    )
    return entries


def parameter_count(model: str) -> int:
    """Parameters of a shipped model, read from its weights file."""
    from safetensors import safe_open

    with safe_open(str(MODELS[model].path), "pt") as weights:
        return sum(int(np.prod(weights.get_slice(key).get_shape())) for key in weights.keys())


def best_seconds(denoise: Denoiser, image: np.ndarray, precision: str, repeats: int) -> float:
    """Best wall time of ``repeats`` runs after one warm-up run."""
    denoise(image, 25.0, precision)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        denoise(image, 25.0, precision)
        times.append(time.perf_counter() - start)
    return min(times)


def pareto(points: list[tuple[float, float]]) -> list[bool]:
    """Whether each ``(seconds, psnr)`` point is not dominated (another both faster and better)."""
    return [
        not any(other[0] <= point[0] and other[1] >= point[1] and other != point for other in points)
        for point in points
    ]


def main(argv: list[str] | None = None) -> int:
    """Measure, print and write the table and plot; return 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.pareto_denoisers", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, "test/CBSD68")
    parser.add_argument("--limit", type=int, help="first LIMIT images of CBSD68 only (default all 68)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per speed figure (default 3)")
    parser.add_argument("--out", type=Path, default=Path("docs/results"), help="folder of the table and plot")
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding test/CBSD68).")
    chosen = denoisers()
    if missing := [model for model, _ in chosen.values() if not MODELS[model].path.is_file()]:
        parser.error(f"weights missing for {', '.join(missing)}: train them with python -m restore_core.train.")
    dataset = open_dataset("CBSD68", args.data_root).head(args.limit)
    precisions = ["float32", "bfloat16"] if native_bfloat16(rc.get_device("auto")) else ["float32"]
    photo = rc.to_float(skimage.data.astronaut())
    timed = rc.degrade(photo, "denoise", sigma=25.0, seed=0).image
    rows = []
    for label, (model, denoise) in chosen.items():
        seconds = {precision: best_seconds(denoise, timed, precision, args.repeats) for precision in precisions}
        scores = {sigma: [] for sigma in SIGMAS}
        for image in tqdm(dataset.images, desc=label, leave=False):
            clean = image.load()
            for sigma in SIGMAS:
                noisy = rc.degrade(clean, "denoise", sigma=sigma, seed=image.index).image
                scores[sigma].append(rc.psnr(clean, np.clip(denoise(noisy, sigma, "float32"), 0, 1)))
        rows.append((label, parameter_count(model), seconds, [float(np.mean(scores[sigma])) for sigma in SIGMAS]))
    front = pareto([(row[2]["float32"], row[3][1]) for row in rows])
    table = markdown_table(rows, front, precisions, len(dataset.images))
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python -m tools.pareto_denoisers", *(argv if argv is not None else sys.argv[1:])])
    (args.out / "pareto-colour-denoisers.md").write_text(
        f"Measured by `{command}` ({rc.get_device('auto')}).\n\n{table}\n", encoding="utf-8"
    )
    plot(rows, front, args.out / "pareto-colour-denoisers.png")
    return 0


def markdown_table(rows: list, front: list[bool], precisions: list[str], images: int) -> str:
    """The measurements as a Markdown table, Pareto-optimal rows marked."""
    header = "| denoiser | parameters | " + " | ".join(f"s per 512² colour ({p})" for p in precisions)
    header += " | " + " | ".join(f"CBSD68 σ={sigma:g} ({images} images)" for sigma in SIGMAS) + " | Pareto |"
    lines = [header, "|---|---:|" + "---:|" * (len(precisions) + len(SIGMAS)) + "---|"]
    for (label, count, seconds, psnrs), optimal in zip(rows, front, strict=True):
        cells = [label, f"{count:,}", *(f"{seconds[p]:.3f}" for p in precisions), *(f"{v:.2f}" for v in psnrs)]
        lines.append("| " + " | ".join(cells) + f" | {'yes' if optimal else ''} |")
    return "\n".join(lines)


def plot(rows: list, front: list[bool], path: Path) -> None:
    """PSNR at sigma 25 against float32 seconds, the front joined by a line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.2))
    points = sorted((row[2]["float32"], row[3][1], row[0]) for row in rows)
    for seconds, value, label in points:
        axes.plot(seconds, value, "o", color="tab:blue")
        axes.annotate(label, (seconds, value), textcoords="offset points", xytext=(5, -12), fontsize=8)
    optimal = sorted((row[2]["float32"], row[3][1]) for row, keep in zip(rows, front, strict=True) if keep)
    axes.plot(*zip(*optimal, strict=True), "-", color="tab:blue", alpha=0.5)
    axes.set_xlabel("seconds per 512×512 colour image (float32, this CPU)")
    axes.set_ylabel("CBSD68 PSNR at σ=25 (dB)")
    axes.set_title("Colour denoisers: quality against speed")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
