"""The blind-deblurring benchmark: ``python -m eval.benchmark --task deblur --blind``.

Protocol of Sun et al. (ICCP 2013), on luminance: each clean image is blurred by each kernel with a
non-circular (``reflect``) boundary and Gaussian noise (σ 2.55 on the 0–255 scale, 1 %); each kernel
estimator of :data:`restore_core.KERNEL_ESTIMATORS` reads the kernel off the blurred image (support
bound ``--kernel-size``); one fixed non-blind deconvolver (``--deconvolver``) restores the image with
the estimated and with the true kernel. Both restorations are scored on the centre of the image (a
50-pixel border discarded) after the integer shift that best aligns them with the clean image (an
estimate is only defined up to a translation). Per problem: PSNR and SSIM, the **error ratio**
SSD(estimated kernel) / SSD(true kernel), the kernel similarity
(:func:`restore_core.kernel_similarity`) and the estimation's seconds; per estimator: success rates
at error ratio ≤ 2, 3 and 5, the cumulative error-ratio curve and a figure of the kernels.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.signal import fftconvolve

import restore_core as rc
from restore_core.device import describe_device

from .cli import error_text
from .datasets import BUILTIN_DATASET, BenchImage, Dataset
from .executors import execute
from .protocols import SEEDING, Level
from .report import Table, failure_notes, markdown_results, run_header, write_stored_run
from .results import RESULTS_FILE, SCHEMA, ResultsFile, read_results, row_key, select_keys, unfinished

#: Border (pixels) left out of the scores; boundary of the blur.
BORDER, BOUNDARY = 50, "reflect"
#: Default non-blind deconvolver, noise level (0–255) and kernel support bound handed to the estimators.
DECONVOLVER, SIGMA, KERNEL_SIZE = "wiener", 2.55, 31
#: Error-ratio thresholds of the success rates (Sun et al. report 2, 3 and 5; 3 is the usual headline).
THRESHOLDS = (2.0, 3.0, 5.0)
#: The measures of a problem beyond PSNR/SSIM/seconds: error ratio, kernel similarity, PSNR and SSIM
#: with the true kernel, side of the estimated kernel.
MEASURES = ("error_ratio", "similarity", "psnr_true", "ssim_true", "support")
BLIND_SCHEMA = SCHEMA.extended(MEASURES)
#: Figures and the folder of the estimated kernels (``.npy``) in the output folder.
CURVE_PLOT, KERNEL_PLOT, KERNEL_FOLDER = "error_ratio_curve.png", "kernels.png", "kernels"

PROTOCOL = (
    "Sun et al. (ICCP 2013) on luminance: blur with each kernel, non-circular (reflect) boundary, Gaussian noise "
    "σ (--noise-sigma, default 2.55, i.e. 1 %); every estimator gets the blurred image and a support bound "
    "(--kernel-size); the estimated and the true kernel are handed to one fixed non-blind deconvolver "
    "(--deconvolver); scores on the image without a 50-pixel border, after the best integer alignment "
    "(±the kernel size). Error ratio = SSD with the estimated kernel / SSD with the true kernel; success "
    "rate = share of problems with error ratio ≤ 2, 3, 5."
)


#: One problem: dataset, image, kernel level and estimator.
Cell = tuple[Dataset, BenchImage, Level, rc.KernelEstimator]


@dataclass(frozen=True)
class BlindPlan:
    """The grid of a blind benchmark: datasets × kernel levels × estimators, and its fixed settings."""

    datasets: tuple[Dataset, ...]
    levels: tuple[Level, ...]
    estimators: tuple[rc.KernelEstimator, ...]
    deconvolver: str
    kernel_size: int
    seed: int
    device: str

    def cells(self) -> list[Cell]:
        """All problems, dataset by dataset, image by image, level by level, estimator by estimator."""
        return [
            (dataset, image, level, estimator)
            for dataset in self.datasets
            for image in dataset.images
            for level in self.levels
            for estimator in self.estimators
        ]

    def row(self, dataset: Dataset, image: BenchImage, level: Level, estimator: rc.KernelEstimator) -> dict[str, Any]:
        """The results row of a problem, without its outcome."""
        return {
            "task": "deblur",
            "dataset": dataset.name,
            "image": image.name,
            "level": level.label,
            "method": estimator.name,
            "family": estimator.family,
            "seed": self.seed + image.index,
            **level.columns(),
            "device": describe_device(self.device),
            "error": "",
        }


def select_estimators(names: Sequence[str] | None) -> tuple[rc.KernelEstimator, ...]:
    """The estimators named (``all`` or None: every one), classical first.

    Raises
    ------
    RestoreError
        For an unknown name.
    """
    chosen = list(rc.KERNEL_ESTIMATORS) if not names or "all" in names else list(dict.fromkeys(names))
    if unknown := [name for name in chosen if name not in rc.KERNEL_ESTIMATORS]:
        raise rc.RestoreError(
            f"unknown kernel estimator {', '.join(unknown)}; with --blind, --methods takes "
            f"{', '.join(rc.KERNEL_ESTIMATORS)} or all."
        )
    estimators = [rc.KERNEL_ESTIMATORS[name] for name in chosen]
    return tuple(sorted(estimators, key=lambda estimator: rc.FAMILIES.index(estimator.family)))


def check_deconvolver(name: str) -> str:
    """``name`` if it is a registered deblurring method, else a RestoreError listing them."""
    names = [method.name for method in rc.list_methods("deblur") if method.name != "identity"]
    if name not in names:
        raise rc.RestoreError(f"--deconvolver must be a deblurring method ({', '.join(names)}), not {name!r}.")
    return name


def luminance(image: np.ndarray) -> np.ndarray:
    """The image's Y channel (a gray image as it is)."""
    return rc.rgb_to_y(image) if image.ndim == 3 else image


def aligned_scores(clean: np.ndarray, restored: np.ndarray, reach: int) -> tuple[float, float, float]:
    """SSD, PSNR and SSIM of ``restored`` on the centre of ``clean`` at its best integer shift within ``reach``.

    The SSD of every shift comes at once from an FFT cross-correlation and box sums of the squares.
    """
    height, width = clean.shape
    centre = clean[BORDER : height - BORDER, BORDER : width - BORDER].astype(np.float64)
    reach = min(reach, BORDER)
    region = restored[BORDER - reach : height - BORDER + reach, BORDER - reach : width - BORDER + reach]
    region = region.astype(np.float64)
    cross = fftconvolve(region, centre[::-1, ::-1], mode="valid")
    squares = np.pad(np.cumsum(np.cumsum(region**2, axis=0), axis=1), ((1, 0), (1, 0)))
    rows, cols = centre.shape
    energy = squares[rows:, cols:] - squares[:-rows, cols:] - squares[rows:, :-cols] + squares[:-rows, :-cols]
    dy, dx = np.unravel_index(np.argmin(energy - 2 * cross), cross.shape)
    window = region[dy : dy + rows, dx : dx + cols]
    return float(np.sum((window - centre) ** 2)), rc.psnr(centre, window), rc.ssim(centre, window)


def deconvolve(observed: np.ndarray, kernel: np.ndarray, sigma: float, deconvolver: str) -> np.ndarray:
    """The fixed non-blind deconvolver's restoration of a reflect-boundary observation with ``kernel``."""
    observation = rc.Observation(observed, "deblur", observed.shape, sigma=sigma, kernel=kernel, boundary=BOUNDARY)
    return rc.restore(observation, deconvolver)


def kernel_path(out: Path, row: dict[str, Any]) -> Path:
    """Where the estimated kernel of a row is saved."""
    from .examples import slug

    return out / KERNEL_FOLDER / slug(row["dataset"]) / slug(row["image"]) / f"{slug(row['level'])}_{row['method']}.npy"


@lru_cache(maxsize=1)
def _problem(plan: BlindPlan, image: BenchImage, level: Level) -> tuple[np.ndarray, np.ndarray, tuple[float, ...]]:
    """Clean luma, blurred observation and the true kernel's aligned scores (kept for the next estimator)."""
    clean = luminance(image.load())
    observed = rc.degrade(clean, "deblur", kernel=level.kernel_array, boundary=BOUNDARY, sigma=level.sigma,
                          seed=plan.seed + image.index).image  # fmt: skip
    truth = deconvolve(observed, level.kernel_array, level.sigma, plan.deconvolver)
    return clean, observed, aligned_scores(clean, truth, max(level.kernel_array.shape))


def solve(plan: BlindPlan, cell: Cell) -> tuple[dict[str, Any], np.ndarray | None]:
    """One problem: its results row and the estimated kernel (None when it failed; the error is in the row)."""
    _, image, level, estimator = cell
    row = plan.row(*cell)
    try:
        clean, observed, (true_ssd, psnr_true, ssim_true) = _problem(plan, image, level)
        start = time.perf_counter()
        kernel = rc.estimate_kernel(observed, size=plan.kernel_size, method=estimator.name, device=plan.device)
        seconds = time.perf_counter() - start
        restored = deconvolve(observed, kernel, level.sigma, plan.deconvolver)
        ssd, psnr, ssim = aligned_scores(clean, restored, plan.kernel_size)
    except Exception as error:  # one failed problem must not stop the others
        return {**row, "error": error_text(error)}, None
    return {
        **row, "psnr": psnr, "ssim": ssim, "seconds": seconds, "error_ratio": ssd / true_ssd,
        "similarity": rc.kernel_similarity(kernel, level.kernel_array), "psnr_true": psnr_true,
        "ssim_true": ssim_true, "support": kernel.shape[0],
    }, kernel  # fmt: skip


def run_problems(plan: BlindPlan, results: ResultsFile, out: Path, executor: str = "serial",
                 address: str | None = None) -> None:  # fmt: skip
    """Run the problems ``results`` does not hold yet, appending a row (and saving the kernel) as each finishes.

    ``executor`` and ``address`` choose where they run (:func:`eval.executors.execute`).
    """
    pending = unfinished(plan.cells(), lambda cell: plan.row(*cell), results.path, BLIND_SCHEMA)
    runs = execute(
        partial(solve, plan),
        pending,
        failed=lambda cell, message: ({**plan.row(*cell), "error": message}, None),
        label=lambda cell: f"{cell[3].name} | {cell[0].name}/{cell[1].name} | {cell[2].label}",
        executor=executor,
        address=address,
        gpu=lambda cell: cell[3].family == "learned" and plan.device != "cpu",
        desc="blind deblur",
        unit="problem",
    )
    with closing(runs):  # a failed write closes the progress bar (and cancels Ray's tasks) first
        for _, (row, kernel) in runs:
            if kernel is not None:
                path = kernel_path(out, row)
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, kernel, allow_pickle=False)
            results.append(row)


def _numbers(rows: pd.DataFrame) -> pd.DataFrame:
    """The finished rows with their measures as floats."""
    done = rows[rows["error"] == ""].copy()
    for column in ("psnr", "ssim", "seconds", *MEASURES):
        done[column] = pd.to_numeric(done[column])
    return done


def summary_records(rows: pd.DataFrame, plan: BlindPlan) -> list[dict[str, Any]]:
    """Per dataset and estimator: success rates, PSNR/SSIM with the estimated and true kernel, similarity, seconds."""
    done = _numbers(rows)
    records = []
    for dataset in plan.datasets:
        for estimator in plan.estimators:
            mine = done[(done["dataset"] == dataset.name) & (done["method"] == estimator.name)]
            failed = int(((rows["dataset"] == dataset.name) & (rows["method"] == estimator.name)).sum()) - len(mine)
            record: dict[str, Any] = {"dataset": dataset.name, "method": estimator.name, "family": estimator.family,
                                      "deconvolver": plan.deconvolver, "n": len(mine), "failed": failed}  # fmt: skip
            if len(mine):
                record.update({f"success_{threshold:g}": float((mine["error_ratio"] <= threshold).mean())
                               for threshold in THRESHOLDS})  # fmt: skip
                record.update({column: float(mine[column].mean()) for column in
                               ("psnr", "psnr_true", "ssim", "ssim_true", "similarity", "seconds")})  # fmt: skip
                record["error_ratio_median"] = float(mine["error_ratio"].median())
                record["success_by_kernel"] = {
                    str(kernel): float((group["error_ratio"] <= 3).mean()) for kernel, group in mine.groupby("kernel")
                }
            records.append(record)
    return records


def summary_tables(records: Sequence[dict[str, Any]]) -> list[Table]:
    """The report's tables: success and quality per dataset, success per kernel."""

    def table(title: str, cells: dict[tuple[str, str], dict[str, str]]) -> Table:
        text = pd.DataFrame.from_dict(cells, orient="index").fillna("—")
        text.index = pd.MultiIndex.from_tuples(text.index, names=["Family", "Estimator"])
        return Table(title, text, pd.DataFrame(False, index=text.index, columns=text.columns))

    overall: dict[tuple[str, str], dict[str, str]] = {}
    by_kernel: dict[tuple[str, str], dict[str, str]] = {}
    for record in records:
        key = (record["family"], record["method"])
        if not record["n"]:
            continue
        prefix = f"{record['dataset']} " if len({r["dataset"] for r in records}) > 1 else ""
        overall.setdefault(key, {}).update({
            **{f"{prefix}ER ≤ {t:g}": f"{record[f'success_{t:g}']:.0%}" for t in THRESHOLDS},
            f"{prefix}median ER": f"{record['error_ratio_median']:.2f}",
            f"{prefix}PSNR est. / true (dB)": f"{record['psnr']:.2f} / {record['psnr_true']:.2f}",
            f"{prefix}SSIM est. / true": f"{record['ssim']:.4f} / {record['ssim_true']:.4f}",
            f"{prefix}similarity": f"{record['similarity']:.3f}",
            f"{prefix}s per estimate": f"{record['seconds']:.1f}",
        })  # fmt: skip
        by_kernel.setdefault(key, {}).update(
            {f"{prefix}{kernel}": f"{share:.0%}" for kernel, share in record["success_by_kernel"].items()}
        )
    if not overall:
        return []
    return [table("Success rate and quality", overall), table("Success rate (error ratio ≤ 3) per kernel", by_kernel)]


def plot_error_ratio_curve(rows: pd.DataFrame, path: Path) -> bool:
    """The cumulative error-ratio curve of every estimator (share of problems at or below each ratio)."""
    done = _numbers(rows)
    if done.empty:
        return False
    figure = Figure(figsize=(5.5, 4), layout="constrained")
    axis = figure.subplots()
    ratios = np.linspace(1, 6, 101)
    for method, group in done.groupby("method", sort=False):
        axis.plot(ratios, [(group["error_ratio"] <= ratio).mean() for ratio in ratios], label=method)
    axis.set(xlabel="error ratio", ylabel="success rate", ylim=(0, 1.02), xlim=(1, 6))
    axis.grid(alpha=0.3)
    axis.legend()
    figure.savefig(path, dpi=100)
    return True


def plot_kernels(rows: pd.DataFrame, plan: BlindPlan, out: Path, path: Path) -> bool:
    """True kernels (top row) and each estimator's estimate on the first image of the first dataset."""
    done = rows[rows["error"] == ""]
    if done.empty or not plan.datasets or not plan.datasets[0].images:
        return False
    dataset, image = plan.datasets[0], plan.datasets[0].images[0]
    figure = Figure(figsize=(1.3 * len(plan.levels), 1.4 * (1 + len(plan.estimators))), layout="constrained")
    axes = figure.subplots(1 + len(plan.estimators), len(plan.levels), squeeze=False)
    for column, level in enumerate(plan.levels):
        saved = [kernel_path(out, plan.row(dataset, image, level, estimator)) for estimator in plan.estimators]
        estimates = [np.load(file, allow_pickle=False) if file.is_file() else None for file in saved]
        kernels = [level.kernel_array, *estimates]
        side = max(max(kernel.shape) for kernel in kernels if kernel is not None)
        for line, kernel in enumerate(kernels):
            if kernel is not None:  # on one canvas size, so the true and estimated supports compare
                margin = (side - kernel.shape[0]) // 2, (side - kernel.shape[1]) // 2
                axes[line, column].imshow(np.pad(kernel, [(margin[0],) * 2, (margin[1],) * 2]), cmap="gray")
        axes[0, column].set_title(level.kernel, fontsize=8)
        for line, estimator in enumerate(plan.estimators, 1):
            axes[line, 0].set_ylabel(estimator.name, fontsize=8)
    for axis in axes.ravel():
        axis.set_xticks([]), axis.set_yticks([])
    axes[0, 0].set_ylabel("true", fontsize=8)
    figure.suptitle(f"{dataset.name}/{image.name}", fontsize=9)
    figure.savefig(path, dpi=100)
    return True


def run_blind(
    plan: BlindPlan, out: Path, command: str, data_root: Path | None, overwrite: bool = False,
    executor: str = "serial", address: str | None = None,
) -> int:  # fmt: skip
    """Run (resuming) and report a blind benchmark into ``out``; return 0, or 1 when some problem failed.

    ``executor`` and ``address`` choose where the problems run (:func:`eval.executors.execute`).
    """
    with ResultsFile(out / RESULTS_FILE, overwrite=overwrite, schema=BLIND_SCHEMA) as results:
        run_problems(plan, results, out, executor, address)
    keys = {row_key(plan.row(*cell)) for cell in plan.cells()}
    rows = select_keys(read_results(out / RESULTS_FILE, BLIND_SCHEMA), keys)
    records = summary_records(rows, plan)
    header = run_header("deblur", describe_device(plan.device), data_root, PROTOCOL, SEEDING)
    header["Deconvolver"] = f"{plan.deconvolver} (the same for the estimated and the true kernel)"
    header["Kernel support bound"] = f"{plan.kernel_size} pixels"
    drawn = (plot_error_ratio_curve(rows, out / CURVE_PLOT), plot_kernels(rows, plan, out, out / KERNEL_PLOT))
    figures = [name for name, done in zip((CURVE_PLOT, KERNEL_PLOT), drawn, strict=True) if done]
    tables = summary_tables(records)
    notes = failure_notes(rows)
    markdown = write_stored_run(out, command, header, records, tables, notes, figures)
    print(markdown)
    return 1 if notes else 0


def stored_run(folder: Path) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """The summary records and header a blind run stored in ``folder``; None when it holds no run."""
    if not (folder / "summary.json").is_file() or not (folder / "header.json").is_file():
        return None
    records = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return records, json.loads((folder / "header.json").read_text(encoding="utf-8"))


def kernel_names(records: Sequence[dict[str, Any]]) -> str:
    """The kernels of a blind run's summary records, in order, comma-separated."""
    return ", ".join(dict.fromkeys(kernel for record in records for kernel in record.get("success_by_kernel", {})))


def stored_section(folder: Path, link: str, records: list[dict[str, Any]], header: dict[str, Any]) -> str:
    """The ``docs/RESULTS.md`` section of the blind run stored in ``folder`` (its :func:`stored_run`).

    Figures are linked as ``link/<file>``.
    """
    shown = ("Protocol", "Deconvolver", "Kernel support bound", "Device", "Git commit")
    facts = "\n".join(f"- **{name}:** {header[name]}" for name in shown if name in header)
    plots = [name for name in (CURVE_PLOT, KERNEL_PLOT) if (folder / name).is_file()]
    figures = "".join(f"\n![{name}]({link}/{name})\n" for name in plots)
    datasets = ", ".join(dict.fromkeys(record["dataset"] for record in records))
    return (
        f"## Blind deblurring (kernel estimated from the blurred image): {datasets} × {kernel_names(records)}\n\n"
        f"`{header['Command']}`\n\n{facts}\n\n" + markdown_results(summary_tables(records), []) + figures
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the blind benchmark."""
    group = parser.add_argument_group("blind restoration (--blind)")
    group.add_argument("--blind", action="store_true", help="--task deblur: estimate each kernel from the blurred "
                       "image (Sun et al.'s protocol, see below); --methods then names kernel estimators: "
                       f"{', '.join(rc.KERNEL_ESTIMATORS)} or all. --task jpeg: the methods get the quality "
                       "estimated from each compressed image instead of the true one")  # fmt: skip
    group.add_argument("--deconvolver", metavar="METHOD", help=f"--blind: the non-blind method given the estimated "
                       f"and the true kernel (default {DECONVOLVER})")  # fmt: skip
    group.add_argument("--kernel-size", type=int, metavar="N", help=f"--blind: support bound handed to the "
                       f"estimators, odd (default {KERNEL_SIZE})")  # fmt: skip


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse blind options without ``--blind`` and ``--blind`` with another task (exit status 2)."""
    blurs = [name for name in rc.TASKS if "kernel" in rc.get_task(name).needs]
    blind = blurs + [name for name in rc.TASKS if "quality" in rc.get_task(name).needs]
    if args.blind and args.task not in blind:
        parser.error(f"--blind applies to --task {' or '.join(blind)}, not {args.task}")
    for option in ("deconvolver", "kernel_size"):
        if getattr(args, option) is not None and not (args.blind and args.task in blurs):
            parser.error(f"--{option.replace('_', '-')} applies to --blind with --task {' or '.join(blurs)}")
    if args.blind and args.task in blurs and args.boundary is not None:
        parser.error(f"--boundary does not apply to --blind: its protocol blurs with the {BOUNDARY} boundary")


def default_datasets(data_root: Path | None) -> list[str]:
    """Kodak24 when the data root has it (the development set of the targets), else the built-in images."""
    return ["Kodak24"] if data_root is not None and (data_root / "test" / "Kodak24").is_dir() else [BUILTIN_DATASET]


def make_plan(args: argparse.Namespace, datasets: tuple[Dataset, ...], levels: tuple[Level, ...]) -> BlindPlan:
    """The blind grid of a command line (datasets and kernel levels already built)."""
    size = KERNEL_SIZE if args.kernel_size is None else args.kernel_size
    if size < 3 or size % 2 == 0:
        raise rc.RestoreError(f"--kernel-size must be odd and at least 3, got {size}.")
    deconvolver = check_deconvolver(args.deconvolver or DECONVOLVER)
    return BlindPlan(datasets, levels, select_estimators(args.methods), deconvolver, size, args.seed, args.device)
