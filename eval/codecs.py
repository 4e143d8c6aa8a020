"""The codec benchmark: ``python -m eval.benchmark --task compress``.

Every image of each dataset (Kodak24 by default) is compressed by every codec of
:func:`restore_core.list_codecs` (``--methods``) at each of its rate points (:attr:`Codec.rate_points`)
with :func:`restore_core.compress` and decoded with :func:`restore_core.decompress`. Per run: bits
per pixel from the length of the codec's own file (:func:`restore_core.codecs.coded_file`: the JPEG,
WebP or JPEG 2000 file, without the ~30-byte container header of :func:`restore_core.compress`; the
whole bitstream for the learned codec, whose decoder needs that header),
PSNR on RGB (gray images as they are), SSIM, MS-SSIM, encode and decode seconds. Per codec: the mean
rate–distortion curve (bpp and quality averaged over the images at each rate point, as learned-codec
papers report Kodak), and its Bjøntegaard delta rate (:func:`eval.bdrate.bd_rate`) against the JPEG
4:2:0 anchor, for PSNR and for MS-SSIM in dB (``-10 log10(1 - MS-SSIM)``). Resumable like every run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import restore_core as rc
from restore_core.device import describe_device

from .bdrate import bd_rate
from .cli import METHOD_GROUPS, error_text
from .codec_references import DATASET as PUBLISHED_DATASET
from .codec_references import PUBLISHED
from .datasets import BenchImage, Dataset
from .executors import execute
from .report import Table, failure_notes, markdown_results, run_header, write_stored_run
from .results import RESULTS_FILE, SCHEMA, ResultsFile, read_results, row_key, select_keys, unfinished

#: The ``--task`` value of this benchmark, and the anchor codec of the BD-rates.
TASK, ANCHOR = "compress", "jpeg"
#: Measures of a run beyond PSNR/SSIM/seconds.
MEASURES = ("bpp", "bytes", "ms_ssim", "encode_seconds", "decode_seconds")
CODEC_SCHEMA = SCHEMA.extended(MEASURES, tasks=(TASK,))
#: The rate–distortion figure in the output folder.
CURVE_PLOT = "rate_distortion.png"

PROTOCOL = (
    "every image compressed by rc.compress and decoded by rc.decompress at each codec's rate points; bits per "
    "pixel from the codec's own file (the JPEG/WebP/JPEG 2000 file without the container header; the whole "
    "bitstream, header included, for the learned codec deconv_codec); PSNR "
    "on RGB (gray images as they are, 8-bit originals), SSIM (mean of the channels), MS-SSIM (Wang et al. "
    "2003, 5 scales); each codec's curve is the mean bpp and quality over the images at each rate point; "
    "BD-rate (Bjøntegaard, piecewise cubic) against JPEG 4:2:0 (libjpeg-turbo, optimised Huffman tables) over "
    "the PSNR (and MS-SSIM dB) range both cover. Published curves (Ballé et al. 2018, as measured by CompressAI, "
    "eval/codec_references.py) are shown on Kodak24 with their BD-rates against the JPEG measured here."
)
SEEDING = "none: compression is deterministic"

#: One run: dataset, image, codec, quality.
Cell = tuple[Dataset, BenchImage, rc.Codec, int]


@dataclass(frozen=True)
class CodecPlan:
    """The grid of a codec benchmark: datasets × codecs × their rate points."""

    datasets: tuple[Dataset, ...]
    codecs: tuple[rc.Codec, ...]
    device: str

    def cells(self) -> list[Cell]:
        """All runs, dataset by dataset, image by image, codec by codec, rate point by rate point."""
        return [
            (dataset, image, codec, quality)
            for dataset in self.datasets
            for image in dataset.images
            for codec in self.codecs
            for quality in codec.rate_points
        ]

    def row(self, dataset: Dataset, image: BenchImage, codec: rc.Codec, quality: int) -> dict[str, Any]:
        """The results row of a run, without its outcome."""
        return {
            "task": TASK, "dataset": dataset.name, "image": image.name, "level": f"q={quality}",
            "method": codec.name, "family": codec.family, "seed": 0, "quality": quality,
            "device": describe_device(self.device), "error": "",
        }  # fmt: skip


def select_codecs(names: Sequence[str] | None) -> tuple[rc.Codec, ...]:
    """The codecs named (``all`` or None: every one; ``all-classical``, ``all-learned``), the anchor always in.

    Raises
    ------
    RestoreError
        For an unknown name.
    """
    chosen = []
    for name in ["all"] if not names or "all" in names else names:
        chosen += [codec.name for codec in rc.list_codecs(METHOD_GROUPS[name])] if name in METHOD_GROUPS else [name]
    known = {codec.name for codec in rc.list_codecs()}
    if unknown := [name for name in chosen if name not in known]:
        raise rc.RestoreError(
            f"unknown codec {', '.join(unknown)}; with --task {TASK}, --methods takes {', '.join(sorted(known))}, "
            "all-classical, all-learned or all."
        )
    return tuple(rc.get_codec(name) for name in dict.fromkeys([ANCHOR, *chosen]))


def ms_ssim_db(value: float) -> float:
    """MS-SSIM on the decibel scale learned-codec papers plot: ``-10 log10(1 - MS-SSIM)``."""
    return float(-10.0 * np.log10(max(1.0 - value, 1e-10)))


def solve(plan: CodecPlan, cell: Cell) -> dict[str, Any]:
    """One run: compress, decompress, measure (an error goes into the row)."""
    _, image, codec, quality = cell
    row = plan.row(*cell)
    try:
        clean = rc.quantize(image.load())
        start = time.perf_counter()
        data = rc.compress(clean, codec.name, quality)
        encoded = time.perf_counter()
        decoded = rc.decompress(data)
        finished = time.perf_counter()
        file = rc.codecs.coded_file(data)
        multi = rc.ms_ssim(clean, decoded) if min(clean.shape[:2]) >= rc.metrics.MS_SSIM_MIN_SIDE else float("nan")
    except Exception as error:  # one failed run must not stop the others
        return {**row, "error": error_text(error)}
    return {
        **row, "psnr": rc.psnr(clean, decoded), "ssim": rc.ssim(clean, decoded), "seconds": finished - start,
        "bpp": 8.0 * len(file) / (clean.shape[0] * clean.shape[1]), "bytes": len(file), "ms_ssim": multi,
        "encode_seconds": encoded - start, "decode_seconds": finished - encoded,
    }  # fmt: skip


def run_codecs(plan: CodecPlan, results: ResultsFile, executor: str = "serial", address: str | None = None) -> None:
    """Run the cells ``results`` does not hold yet, appending a row as each finishes."""
    pending = unfinished(plan.cells(), lambda cell: plan.row(*cell), results.path, CODEC_SCHEMA)
    runs = execute(
        partial(solve, plan),
        pending,
        failed=lambda cell, message: {**plan.row(*cell), "error": message},
        label=lambda cell: f"{cell[2].name} q={cell[3]} | {cell[0].name}/{cell[1].name}",
        executor=executor,
        address=address,
        gpu=lambda cell: cell[2].family == "learned" and plan.device != "cpu",
        desc="compress",
        unit="run",
    )
    with closing(runs):
        for _, row in runs:
            results.append(row)


def curves(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean bpp, PSNR, SSIM, MS-SSIM and seconds per dataset, codec and quality (finished runs only)."""
    done = rows[rows["error"] == ""].copy()
    columns = ["bpp", "psnr", "ssim", "ms_ssim", "encode_seconds", "decode_seconds"]
    for column in [*columns, "quality"]:
        done[column] = pd.to_numeric(done[column])
    grouped = done.groupby(["dataset", "method", "family", "quality"], sort=False)[columns].mean().reset_index()
    grouped["ms_ssim_db"] = [ms_ssim_db(value) for value in grouped["ms_ssim"]]
    return grouped


def summary_records(points: pd.DataFrame, plan: CodecPlan) -> list[dict[str, Any]]:
    """Per dataset and codec: BD-rates against the anchor, ranges and seconds, with its curve's points."""
    records = []
    for dataset in plan.datasets:
        anchor = points[(points["dataset"] == dataset.name) & (points["method"] == ANCHOR)]
        for codec in plan.codecs:
            mine = points[(points["dataset"] == dataset.name) & (points["method"] == codec.name)]
            if mine.empty:
                continue
            records.append({
                "dataset": dataset.name, "method": codec.name, "family": codec.family,
                "bd_rate_psnr": bd_rate(anchor["bpp"], anchor["psnr"], mine["bpp"], mine["psnr"]),
                "bd_rate_ms_ssim": bd_rate(anchor["bpp"], anchor["ms_ssim_db"], mine["bpp"], mine["ms_ssim_db"]),
                "encode_seconds": float(mine["encode_seconds"].mean()),
                "decode_seconds": float(mine["decode_seconds"].mean()),
                "points": mine[["quality", "bpp", "psnr", "ssim", "ms_ssim"]].to_dict(orient="records"),
            })  # fmt: skip
        if dataset.name == PUBLISHED_DATASET and not anchor.empty:
            records += published_records(anchor, dataset.name)
    return records


def published_records(anchor: pd.DataFrame, dataset: str) -> list[dict[str, Any]]:
    """Records of the published curves of :mod:`eval.codec_references` (family ``published``), BD-rates against
    the anchor measured here."""
    records = []
    for name, curve in PUBLISHED.items():
        bpp, psnr = np.array(curve["bpp"]), np.array(curve["psnr"])
        multi = np.array(curve.get("ms_ssim", [np.nan] * len(bpp)))
        in_db = [ms_ssim_db(value) for value in multi]
        records.append({
            "dataset": dataset, "method": name, "family": "published",
            "bd_rate_psnr": bd_rate(anchor["bpp"], anchor["psnr"], bpp, psnr),
            "bd_rate_ms_ssim": bd_rate(anchor["bpp"], anchor["ms_ssim_db"], bpp, in_db) if "ms_ssim" in curve
            else float("nan"),
            "encode_seconds": float("nan"), "decode_seconds": float("nan"),
            "points": [{"quality": index, "bpp": rate, "psnr": quality, "ssim": float("nan"), "ms_ssim": value}
                       for index, (rate, quality, value) in enumerate(zip(bpp, psnr, multi, strict=True), 1)],
        })  # fmt: skip
    return records


def _percent(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{value:+.1f} %"


def _number(value: float, digits: int) -> str:
    return "—" if not np.isfinite(value) else f"{value:.{digits}f}"


def summary_tables(records: Sequence[dict[str, Any]]) -> list[Table]:
    """BD-rates per codec, and the curves' points."""

    def table(title: str, cells: dict[tuple[str, ...], dict[str, str]], names: list[str]) -> Table:
        text = pd.DataFrame.from_dict(cells, orient="index").fillna("—")
        text.index = pd.MultiIndex.from_tuples(text.index, names=names)
        return Table(title, text, pd.DataFrame(False, index=text.index, columns=text.columns))

    several = len({record["dataset"] for record in records}) > 1
    overall: dict[tuple[str, ...], dict[str, str]] = {}
    points: dict[tuple[str, ...], dict[str, str]] = {}
    for record in records:
        prefix = f"{record['dataset']} " if several else ""
        bpps = [point["bpp"] for point in record["points"]]
        overall.setdefault((record["family"], record["method"]), {}).update({
            f"{prefix}BD-rate vs {ANCHOR} (PSNR)": _percent(record["bd_rate_psnr"]),
            f"{prefix}BD-rate vs {ANCHOR} (MS-SSIM)": _percent(record["bd_rate_ms_ssim"]),
            f"{prefix}bpp range": f"{min(bpps):.3f}–{max(bpps):.3f}",
            f"{prefix}encode / decode s": f"{_number(record['encode_seconds'], 3)} / "
                                          f"{_number(record['decode_seconds'], 3)}",
        })  # fmt: skip
        for point in record["points"]:
            points.setdefault((record["method"], f"q={point['quality']:g}"), {})[f"{prefix}bpp / PSNR / MS-SSIM"] = (
                f"{point['bpp']:.3f} / {point['psnr']:.2f} / {_number(point['ms_ssim'], 4)}"
            )
    if not overall:
        return []
    return [
        table("Bjøntegaard delta rate (negative: fewer bits than the anchor at equal quality)", overall,
              ["Family", "Codec"]),
        table("Rate–distortion points (means over the images)", points, ["Codec", "Quality"]),
    ]  # fmt: skip


def plot_curves(points: pd.DataFrame, path: Path) -> bool:
    """PSNR and MS-SSIM (dB) against bpp, one line per codec (the first dataset), with the published curves of
    :mod:`eval.codec_references` in grey when that dataset is theirs."""
    if points.empty:
        return False
    first = points[points["dataset"] == points["dataset"].iloc[0]]
    figure = Figure(figsize=(10, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    for method, curve in first.groupby("method", sort=False):
        curve = curve.sort_values("bpp")
        style = "--" if curve["family"].iloc[0] == "learned" else "-"
        left.plot(curve["bpp"], curve["psnr"], style, marker="o", markersize=3, label=method)
        right.plot(curve["bpp"], curve["ms_ssim_db"], style, marker="o", markersize=3, label=method)
    if first["dataset"].iloc[0] == PUBLISHED_DATASET:
        for (name, curve), style in zip(PUBLISHED.items(), (":", "-.", (0, (1, 4))), strict=True):
            options = {"color": "grey", "linestyle": style, "linewidth": 1, "label": f"{name}, published"}
            left.plot(curve["bpp"], curve["psnr"], **options)
            if "ms_ssim" in curve:
                right.plot(curve["bpp"], [ms_ssim_db(value) for value in curve["ms_ssim"]], **options)
    left.set(xlabel="bits per pixel", ylabel="PSNR (dB, RGB)", title=first["dataset"].iloc[0])
    right.set(xlabel="bits per pixel", ylabel="MS-SSIM (dB)")
    for axis in (left, right):
        axis.grid(alpha=0.3)
    left.legend(fontsize=7)
    figure.savefig(path, dpi=100)
    return True


def run_codec_benchmark(plan: CodecPlan, out: Path, command: str, data_root: Path | None, overwrite: bool = False,
                        executor: str = "serial", address: str | None = None) -> int:  # fmt: skip
    """Run (resuming) and report a codec benchmark into ``out``; return 0, or 1 when some run failed."""
    with ResultsFile(out / RESULTS_FILE, overwrite=overwrite, schema=CODEC_SCHEMA) as results:
        run_codecs(plan, results, executor, address)
    keys = {row_key(plan.row(*cell)) for cell in plan.cells()}
    rows = select_keys(read_results(out / RESULTS_FILE, CODEC_SCHEMA), keys)
    points = curves(rows)
    records = summary_records(points, plan)
    header = run_header(TASK, describe_device(plan.device), data_root, PROTOCOL, SEEDING)
    header["Anchor"] = f"{ANCHOR}: {rc.get_codec(ANCHOR).description}"
    figures = [CURVE_PLOT] if plot_curves(points, out / CURVE_PLOT) else []
    tables = summary_tables(records)
    notes = failure_notes(rows)
    markdown = write_stored_run(out, command, header, records, tables, notes, figures)
    print(markdown)
    return 1 if notes else 0


def stored_section(folder: Path, link: str, records: list[dict[str, Any]], header: dict[str, Any]) -> str:
    """The ``docs/RESULTS.md`` section of the codec run stored in ``folder`` (:func:`eval.blind.stored_run` reads
    it); its figure is linked as ``link/<file>``."""
    shown = ("Protocol", "Anchor", "Device", "Git commit")
    facts = "\n".join(f"- **{name}:** {header[name]}" for name in shown if name in header)
    figure = f"\n![{CURVE_PLOT}]({link}/{CURVE_PLOT})\n" if (folder / CURVE_PLOT).is_file() else ""
    datasets = ", ".join(dict.fromkeys(record["dataset"] for record in records))
    return (
        f"## Compression: rate–distortion and BD-rate against JPEG, {datasets}\n\n`{header['Command']}`\n\n"
        f"{facts}\n\n" + markdown_results(summary_tables(records), []) + figure
    )
