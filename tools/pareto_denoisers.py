"""Quality–speed Pareto front of the colour denoisers: ``python -m tools.pareto_denoisers --data-root DIR``.

Every model size tried for colour denoising is measured the same way: the DeconvUNet colour
models ``unet_color_xs``, ``unet_color_s`` and ``unet_color`` (the shipped default), and the
gray model ``unet_gray`` run on the three opponent channels. Quality is the mean PSNR on
CBSD68 (natural photos) and McMaster (vivid colours and fine structure, where colour CNNs trained
on natural photos are weakest) at noise sigma 15, 25 and 50 with the benchmark's seeded noise
(image ``i`` gets seed ``i``, as ``python -m eval.benchmark --task denoise`` does); speed is the
best of ``--repeats`` runs on a 512x512 colour image (scikit-image's ``astronaut``, sigma 25) on
this machine, in float32 and, where the hardware computes it natively, bfloat16. A model is on
the Pareto front when no other is both faster (float32) and at least as good at sigma 25 on
every set. The table is printed and written with a plot to ``--out``
(``pareto-colour-denoisers.md`` and ``.png``); ``--readme`` also writes it into the README
between its markers and into the "Measured test results" section of each colour model's card
(the models themselves, whichever path ``deconv_unet`` takes by default). Run it on an otherwise
idle machine.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import skimage.data
from tqdm import tqdm

import restore_core as rc
from eval.datasets import open_dataset
from eval.summary import replace_block
from restore_core.dataroot import add_data_root_argument
from restore_core.device import native_bfloat16
from restore_core.methods.learned import DENOISE_COLOUR_PRIOR, opponent_denoise
from restore_core.nets.models import run_unet
from restore_core.nets.specs import MODELS
from restore_core.training.cards import MEASURED_HEADING, replace_measured

SIGMAS = (15.0, 25.0, 50.0)
#: Test sets of the quality columns: natural photos, then vivid colours and fine structure.
SETS = ("CBSD68", "McMaster")
#: The README and the lines enclosing the table ``--readme`` writes there.
README = Path("README.md")
START = "<!-- colour denoiser sizes: written by python -m tools.pareto_denoisers --readme -->"
END = "<!-- end of colour denoiser sizes -->"
#: One measured denoiser: label, parameters, training steps, seconds by precision, ``{set: PSNR per sigma}``.
Row = tuple[str, int, int, dict[str, float], dict[str, list[float]]]
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
    # The table measures white noise of known levels, where deconv_unet's "auto" prior is the opponent one.
    default = "unet_color (colour)" if DENOISE_COLOUR_PRIOR == "colour" else "unet_gray (3 opponent channels)"
    return {f"{label}, deconv_unet's default" if label == default else label: entry for label, entry in entries.items()}


def parameters_and_steps(model: str) -> tuple[int, int]:
    """Parameters and training steps of a shipped model, read from its weights file (tensors and metadata)."""
    from safetensors import safe_open

    with safe_open(str(MODELS[model].path), "pt") as weights:
        parameters = sum(int(np.prod(weights.get_slice(key).get_shape())) for key in weights.keys())
        return parameters, int(weights.metadata()["steps"])


def mean_psnrs(denoise: Denoiser, images: list, label: str) -> list[float]:
    """Mean PSNR of ``denoise`` on the images at each of :data:`SIGMAS` (seeded as the benchmark seeds)."""
    scores: dict[float, list[float]] = {sigma: [] for sigma in SIGMAS}
    for image in tqdm(images, desc=label, leave=False):
        clean = image.load()
        for sigma in SIGMAS:
            noisy = rc.degrade(clean, "denoise", sigma=sigma, seed=image.index).image
            scores[sigma].append(rc.psnr(clean, np.clip(denoise(noisy, sigma, "float32"), 0, 1)))
    return [float(np.mean(scores[sigma])) for sigma in SIGMAS]


def best_seconds(denoise: Denoiser, image: np.ndarray, precision: str, repeats: int) -> float:
    """Best wall time of ``repeats`` runs after one warm-up run."""
    denoise(image, 25.0, precision)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        denoise(image, 25.0, precision)
        times.append(time.perf_counter() - start)
    return min(times)


def pareto(points: list[tuple[float, tuple[float, ...]]]) -> list[bool]:
    """Whether each ``(seconds, scores)`` point is not dominated (another faster and at least as good on each)."""

    def dominates(other: tuple[float, tuple[float, ...]], point: tuple[float, tuple[float, ...]]) -> bool:
        return other != point and other[0] <= point[0] and all(a >= b for a, b in zip(other[1], point[1], strict=True))

    return [not any(dominates(other, point) for other in points) for point in points]


def main(argv: list[str] | None = None) -> int:
    """Measure, print and write the table and plot; return 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.pareto_denoisers", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, "test/CBSD68")
    parser.add_argument("--limit", type=int, help="first LIMIT images of each set only (default all)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per speed figure (default 3)")
    parser.add_argument("--out", type=Path, default=Path("docs/results"), help="folder of the table and plot")
    parser.add_argument(
        "--readme", action="store_true",
        help=f"also write the table into {README} between its markers and into the colour models' cards",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding test/CBSD68 and test/McMaster).")
    if args.readme and args.limit is not None:
        parser.error("--readme writes whole-set runs only (no --limit)")
    chosen = denoisers()
    if missing := [model for model, _ in chosen.values() if not MODELS[model].path.is_file()]:
        parser.error(f"weights missing for {', '.join(missing)}: train them with python -m restore_core.train.")
    datasets = {name: open_dataset(name, args.data_root).head(args.limit) for name in SETS}
    precisions = ["float32", "bfloat16"] if native_bfloat16(rc.get_device("auto")) else ["float32"]
    photo = rc.to_float(skimage.data.astronaut())
    timed = rc.degrade(photo, "denoise", sigma=25.0, seed=0).image
    rows: list[Row] = []
    for label, (model, denoise) in chosen.items():
        seconds = {precision: best_seconds(denoise, timed, precision, args.repeats) for precision in precisions}
        scores = {name: mean_psnrs(denoise, dataset.images, f"{label} {name}") for name, dataset in datasets.items()}
        rows.append((label, *parameters_and_steps(model), seconds, scores))
    front = pareto([(row[3]["float32"], tuple(psnrs[1] for psnrs in row[4].values())) for row in rows])
    counts = {name: len(dataset.images) for name, dataset in datasets.items()}
    table = markdown_table(rows, front, precisions, counts)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "-m", "tools.pareto_denoisers", *(argv if argv is not None else sys.argv[1:])])
    heading = f"Measured by `{command}` ({rc.get_device('auto')}, {time.strftime('%Y-%m-%d')})."
    (args.out / "pareto-colour-denoisers.md").write_text(f"{heading}\n\n{table}\n", encoding="utf-8")
    plot(rows, front, args.out / "pareto-colour-denoisers.png")
    if args.readme:
        block = "\n".join([START, heading, "", table, END])
        README.write_text(replace_block(README.read_text(encoding="utf-8"), block, START, END), encoding="utf-8")
        for label, (model, _) in chosen.items():
            if MODELS[model].channels == 3 and (card := MODELS[model].path.with_suffix(".md")).is_file():
                replace_measured(card, card_section(label, heading, table))
        print(f"wrote the table into {README} and the colour models' cards")
    return 0


def card_section(label: str, heading: str, table: str) -> str:
    """A colour model's measured-results section: the whole comparison, the model's own row named."""
    return "\n\n".join(
        [
            MEASURED_HEADING,
            f"{heading} This model is the row `{label}`. Table and plot: "
            "[docs/results/pareto-colour-denoisers.md](../../docs/results/pareto-colour-denoisers.md).",
            table,
        ]
    )


def markdown_table(rows: list[Row], front: list[bool], precisions: list[str], counts: dict[str, int]) -> str:
    """The measurements as a Markdown table (PSNR at sigma 15 / 25 / 50 per set), Pareto-optimal rows marked."""
    levels = " / ".join(f"{sigma:g}" for sigma in SIGMAS)
    header = "| denoiser | parameters | training steps | s per 512² colour (" + " / ".join(precisions) + ") | "
    header += " | ".join(f"{name} σ {levels} ({count} images)" for name, count in counts.items()) + " | Pareto |"
    lines = [header, "|---|---:|---:|---:|" + "---:|" * len(counts) + "---|"]
    for (label, count, steps, seconds, scores), optimal in zip(rows, front, strict=True):
        cells = [label, f"{count:,}", f"{steps:,}", " / ".join(f"{seconds[p]:.3f}" for p in precisions)]
        cells += [" / ".join(f"{value:.2f}" for value in psnrs) for psnrs in scores.values()]
        lines.append("| " + " | ".join(cells) + f" | {'yes' if optimal else ''} |")
    return "\n".join(lines)


def plot(rows: list[Row], front: list[bool], path: Path) -> None:
    """PSNR at sigma 25 on each set against float32 seconds, the front joined by a line per set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.6))
    for name, colour in zip(SETS, ("tab:blue", "tab:orange"), strict=False):
        points = sorted((row[3]["float32"], row[4][name][1], row[0]) for row in rows)
        axes.plot([p[0] for p in points], [p[1] for p in points], "o", color=colour, label=name)
        for seconds, value, label in points:
            axes.annotate(label, (seconds, value), textcoords="offset points", xytext=(5, -12), fontsize=7)
        optimal = sorted((row[3]["float32"], row[4][name][1]) for row, keep in zip(rows, front, strict=True) if keep)
        axes.plot(*zip(*optimal, strict=True), "-", color=colour, alpha=0.5)
    axes.set_xlabel("seconds per 512×512 colour image (float32, this CPU)")
    axes.set_ylabel("PSNR at σ=25 (dB)")
    axes.set_title("Colour denoisers: quality against speed")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
