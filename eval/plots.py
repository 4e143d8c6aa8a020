"""Figures of a benchmark run (matplotlib PNG): PSNR versus degradation level, and quality versus runtime.

Figures are drawn on :class:`matplotlib.figure.Figure` objects directly, without
``pyplot``, so nothing depends on a display or a global backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import restore_core as rc

#: File names of the figures in the output folder.
LEVEL_PLOT = "psnr_vs_level.png"
RUNTIME_PLOT = "psnr_vs_runtime.png"
#: Line style of each method family.
_STYLES = {"classical": "-", "learned": "--"}
_MARKERS = {"classical": "o", "learned": "s"}


def _frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The records with a PSNR, as a DataFrame keeping their order."""
    frame = pd.DataFrame(list(records))
    return frame[frame["psnr"].notna()] if len(frame) else frame


def plot_psnr_vs_level(records: Sequence[Mapping[str, Any]], path: Path) -> bool:
    """Mean PSNR of every method at every level, one panel per dataset.

    Parameters
    ----------
    records : sequence of dict
        Summary records (see :func:`eval.report.summarize`).
    path : Path
        PNG file to write.

    Returns
    -------
    bool
        Whether a figure was written (False when no record has a PSNR).
    """
    frame = _frame(records)
    if frame.empty:
        return False
    datasets = list(dict.fromkeys(frame["dataset"]))
    levels = list(dict.fromkeys(record["level"] for record in records))
    width = min(4 + 0.45 * len(levels), 12)
    figure = Figure(figsize=(width * len(datasets), 4.2), layout="constrained")
    axes = np.atleast_1d(figure.subplots(1, len(datasets), squeeze=False)[0])
    for axis, dataset in zip(axes, datasets, strict=True):
        subset = frame[frame["dataset"] == dataset]
        for (family, method), rows in subset.groupby(["family", "method"], sort=False):
            positions = [levels.index(level) for level in rows["level"]]
            axis.plot(positions, rows["psnr"], _STYLES.get(family, "-"), marker=_MARKERS.get(family, "o"), label=method)
        rotated = len(levels) > 4
        axis.set_xticks(range(len(levels)), levels, rotation=45 if rotated else 0, ha="right" if rotated else "center")
        axis.set_title(dataset)
        axis.set_ylabel("mean PSNR (dB)")
        axis.grid(alpha=0.3)
    axes[-1].legend(fontsize="small", loc="best")
    figure.savefig(path, dpi=100)
    return True


def plot_psnr_vs_runtime(records: Sequence[Mapping[str, Any]], path: Path) -> bool:
    """Quality versus speed: each method's PSNR and seconds per image, averaged over the whole grid.

    Returns
    -------
    bool
        Whether a figure was written (False when no record has a PSNR).
    """
    frame = _frame(records)
    if frame.empty:
        return False
    means = frame.groupby(["family", "method"], sort=False)[["psnr", "seconds"]].mean()
    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    axis = figure.subplots()
    for family in rc.FAMILIES:
        if family not in means.index.get_level_values("family"):
            continue
        points = means.loc[family]
        axis.scatter(points["seconds"], points["psnr"], marker=_MARKERS[family], label=family, s=40)
        for method, point in points.iterrows():
            axis.annotate(method, (point["seconds"], point["psnr"]), textcoords="offset points", xytext=(4, 4))
    axis.set_xscale("log")
    axis.margins(x=0.25, y=0.1)
    axis.set_xlabel("seconds per image (log scale)")
    axis.set_ylabel("mean PSNR over the grid (dB)")
    axis.set_title("Quality versus runtime")
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize="small")
    figure.savefig(path, dpi=100)
    return True
