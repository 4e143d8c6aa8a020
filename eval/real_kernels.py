"""Blind kernel estimation on real blurry photos: ``python -m eval.real_kernels --data-root DIR``.

There is no true kernel for a real photo; ``<data root>/real/blurry_with_kernels`` ships beside
each photo ``X`` a kernel ``X_kernel.png`` estimated by a published blind-deblurring method. Each
estimator of :data:`restore_core.KERNEL_ESTIMATORS` reads the kernel off the photo (support bound:
the shipped kernel's side, odd, within a third of the photo) and is compared with the shipped one by
kernel similarity (:func:`restore_core.kernel_similarity`; 1 = equal up to a shift). Writes a
figure of the photos' kernels side by side (``kernels.png``), ``kernels.json`` and a Markdown
section (``real_kernels.md``) that ``docs/RESULTS.md`` includes.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from tqdm import tqdm

import restore_core as rc
from restore_core.dataroot import add_data_root_argument

from .cli import prepare_folder, run_section_command
from .real import REAL_BLUR, load_pair
from .report import write_atomic

#: Where the figure and the section go (beside docs/RESULTS.md), and their file names.
DEFAULT_OUT = Path("docs") / "results" / "real-kernels"
SECTION, FIGURE, RECORDS = "real_kernels.md", "kernels.png", "kernels.json"


def photo_names(data_root: Path) -> list[str]:
    """The photos of the folder that have a kernel beside them, sorted."""
    folder = data_root / REAL_BLUR
    return sorted(
        path.stem
        for path in folder.iterdir()
        if not path.stem.endswith("_kernel") and any(folder.glob(f"{path.stem}_kernel.*"))
    )


def support_bound(kernel: np.ndarray, photo: np.ndarray) -> int:
    """The shipped kernel's side, odd, at most a third of the photo's shorter side."""
    side = max(kernel.shape) | 1
    return min(side, (min(photo.shape[:2]) // 3 - 1) | 1)


def run(data_root: Path, names: Sequence[str], estimators: Sequence[str], out: Path) -> list[dict[str, Any]]:
    """Estimate every photo's kernel with every estimator; return one record per photo, save the kernels' figure."""
    records, kernels = [], []
    for name in tqdm(names, desc="real photos", unit="photo", dynamic_ncols=True):
        photo, shipped = load_pair(data_root / REAL_BLUR, name)
        size = support_bound(shipped, photo)
        record: dict[str, Any] = {"photo": name, "shape": list(photo.shape[:2]), "size": size}
        estimates = []
        for estimator in estimators:
            start = time.perf_counter()
            estimate = rc.estimate_kernel(photo, size=size, method=estimator)
            record[estimator] = {
                "similarity": rc.kernel_similarity(estimate, shipped),
                "seconds": time.perf_counter() - start,
            }
            estimates.append(estimate)
        records.append(record)
        kernels.append((name, shipped, estimates))
    _figure(kernels, estimators, out / FIGURE)
    return records


def _figure(kernels: Sequence[tuple[str, np.ndarray, list[np.ndarray]]], estimators: Sequence[str], path: Path) -> None:
    """Shipped kernel and estimates of each photo, one column per photo."""
    rows = 1 + len(estimators)
    figure = Figure(figsize=(1.1 * len(kernels), 1.2 * rows + 0.6), layout="constrained")
    axes = figure.subplots(rows, len(kernels), squeeze=False)
    for column, (name, shipped, estimates) in enumerate(kernels):
        for line, kernel in enumerate([shipped, *estimates]):
            axes[line, column].imshow(kernel, cmap="gray")
            axes[line, column].set_xticks([]), axes[line, column].set_yticks([])
        axes[0, column].set_title(name[:12], fontsize=6)
    for line, label in enumerate(["shipped", *estimators]):
        axes[line, 0].set_ylabel(label, fontsize=8)
    figure.savefig(path, dpi=90)


def section(command: str, records: Sequence[dict[str, Any]], estimators: Sequence[str], link: str) -> str:
    """The Markdown section: command, per-photo similarity table, means, figure."""
    lines = [
        "## Blind kernel estimation on real photos",
        "",
        f"`{command}`",
        "",
        "Kernel similarity (1 = equal up to a shift) of each estimator's kernel to the one shipped with the photo "
        "(itself estimated by a published blind method, so this is agreement, not accuracy); support bound: the "
        "shipped kernel's side.",
        "",
        "| Photo | size | " + " | ".join(estimators) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in estimators) + " |",
    ]
    for record in records:
        cells = [f"{record[estimator]['similarity']:.3f}" for estimator in estimators]
        lines.append(f"| {record['photo']} | {record['size']} | " + " | ".join(cells) + " |")
    means = [np.mean([record[estimator]["similarity"] for record in records]) for estimator in estimators]
    lines.append(f"| **mean of {len(records)}** | | " + " | ".join(f"**{mean:.3f}**" for mean in means) + " |")
    lines += ["", f"![estimated vs shipped kernels]({link}/{FIGURE})", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; return 0, 1 when an output could not be written, 130 on Ctrl-C."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m eval.real_kernels", description=__doc__.split("\n")[0])
    add_data_root_argument(parser, str(REAL_BLUR))
    parser.add_argument("--photos", nargs="+", metavar="NAME", help="photo names (default: every photo)")
    estimators = list(rc.KERNEL_ESTIMATORS)
    parser.add_argument("--methods", nargs="+", default=estimators, choices=estimators, metavar="NAME",
                        help=f"kernel estimators (default: {' '.join(estimators)})")  # fmt: skip
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help=f"default {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    if args.data_root is None:
        parser.error("pass --data-root or set DECONV_DATA (the folder holding real/).")
    if not (args.data_root / REAL_BLUR).is_dir():
        parser.error(f"{args.data_root / REAL_BLUR} is not a folder.")
    command = shlex.join(["python", "-m", "eval.real_kernels", *argv])

    def write() -> None:
        prepare_folder(args.out)
        records = run(args.data_root, args.photos or photo_names(args.data_root), args.methods, args.out)
        write_atomic(args.out / RECORDS, json.dumps(records, indent=2) + "\n")
        link = f"results/{args.out.name}"
        write_atomic(args.out / SECTION, section(command, records, args.methods, link) + "\n")

    return run_section_command(parser, write, args.out / SECTION)


if __name__ == "__main__":
    sys.exit(main())
