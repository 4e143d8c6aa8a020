"""The README's results summary, written from the suite's stored records between two markers.

Like ``docs/RESULTS.md``, the tables of README.md that quote benchmark numbers are only ever
written by ``python -m eval.suite`` (also with ``--render``): the published baselines the
harness reproduces, and per entry the best classical and the best learned method.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import restore_core as rc

from .blind import kernel_names

#: The lines that enclose the generated block in README.md.
START, END = "<!-- results summary: written by python -m eval.suite -->", "<!-- end of results summary -->"


def _groups(records: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The records of one dataset by column: the level, or, where the levels are kernels, the noise level.

    Several kernels at one noise level make one column, their mean (e.g. ``σ=2.55, mean of 8 kernels``).
    """
    kernels = {record["kernel"] for record in records if record.get("kernel")}
    columns: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        by_kernel = len(kernels) > 1 and record["level"].startswith(str(record.get("kernel")))
        name = f"σ={record['sigma']:g}, mean of {len(kernels)} kernels" if by_kernel else record["level"]
        columns.setdefault(name, []).append(record)
    return columns


def best_row(title: str, dataset: str, records: Sequence[Mapping[str, Any]]) -> str:
    """One table row: a dataset's columns, its best classical and its best learned method (mean PSNR).

    The best method of a family has the highest PSNR averaged over the columns; baselines (the
    degraded input) are not candidates.
    """
    columns = _groups(records)
    cells = []
    for family in rc.FAMILIES:
        scores: dict[str, list[float]] = {}
        for rows in columns.values():
            means: dict[str, list[float]] = {}
            for record in rows:
                if record["family"] == family and not rc.get_method(record["method"]).baseline:
                    means.setdefault(record["method"], []).append(record["psnr"])
            for method, values in means.items():
                scores.setdefault(method, []).append(float(np.mean(values)))
        complete = {method: values for method, values in scores.items() if len(values) == len(columns)}
        if not complete:
            cells.append("—")
            continue
        best = max(complete, key=lambda method: np.mean(complete[method]))
        cells.append(f"`{best}` " + " / ".join(f"{value:.2f}" for value in complete[best]))
    return f"| {title} | {dataset} | {' / '.join(columns)} | {cells[0]} | {cells[1]} |"


def blind_rows(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Table rows of a blind run's summary records: success rate, PSNR with the estimated and the true kernel."""
    kernels = kernel_names(records)
    return [
        f"| {record['dataset']} × {kernels} | `{record['method']}` ({record['family']}) | {record['n']} | "
        f"{record['success_3']:.0%} | {record['psnr']:.2f} / {record['psnr_true']:.2f} | "
        f"{record['psnr_true'] - record['psnr']:.2f} | {record['similarity']:.3f} |"
        for record in records
        if record["n"]
    ]


def summary_block(
    references: Sequence[Mapping[str, Any]], entries: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
    blind: Sequence[Sequence[Mapping[str, Any]]] = (), codecs: Sequence[Mapping[str, Any]] = (),
) -> str:  # fmt: skip
    """The generated block: the reference checks, the best methods of each entry's datasets, the blind runs.

    Parameters
    ----------
    references : sequence of dict
        The checks of :func:`eval.suite.check_references`.
    entries : sequence of (title, records)
        Each stored entry's section title and summary records.
    blind : sequence of records
        Each stored blind-deblurring run's summary records (:func:`eval.blind.summary_records`).
    codecs : sequence of dict
        The stored codec run's summary records (:func:`eval.codecs.summary_records`).
    """
    reproduced = sum(check["ok"] for check in references)
    lines = [
        START,
        f"Published baselines reproduced: {reproduced} of {len(references)}.",
        "",
        "| baseline | level | published | measured |",
        "|---|---|---:|---:|",
    ]
    for check in references:
        measured = "—" if check["measured"] is None else f"{check['measured']:.2f}"
        name = f"{check['method']}, {check['dataset']}"
        lines.append(f"| {name} | {check['level']} | {check['published']:.2f} | {measured} |")
    lines += [
        "",
        "Best classical and best learned method of each suite entry (mean PSNR in dB, per column):",
        "",
        "| entry | dataset | columns | best classical | best learned |",
        "|---|---|---|---|---|",
    ]
    for title, records in entries:
        datasets = dict.fromkeys(record["dataset"] for record in records)
        lines += [best_row(title, dataset, [r for r in records if r["dataset"] == dataset]) for dataset in datasets]
    if blind:
        lines += [
            "",
            "Blind deblurring: each kernel estimator's kernel handed to one deconvolver (Wiener), against the true "
            "kernel (error ratio ≤ 3 is the literature's success; loss: PSNR with the true kernel minus with "
            "the estimate):",
            "",
            "| problems | estimator | n | ER ≤ 3 | PSNR est. / true (dB) | loss (dB) | kernel similarity |",
            "|---|---|---:|---:|---:|---:|---:|",
            *(row for records in blind for row in blind_rows(records)),
        ]
    if codecs:
        lines += [
            "",
            "Compression: Bjøntegaard delta rate against JPEG 4:2:0 at equal quality (negative: fewer bits):",
            "",
            "| dataset | codec | BD-rate (PSNR) | BD-rate (MS-SSIM) |",
            "|---|---|---:|---:|",
            *(f"| {r['dataset']} | {_codec_name(r)} | {_percent(r['bd_rate_psnr'])} | "
              f"{_percent(r['bd_rate_ms_ssim'])} |" for r in codecs if r["method"] != "jpeg"),
        ]  # fmt: skip
    return "\n".join([*lines, END])


def _codec_name(record: Mapping[str, Any]) -> str:
    """A codec row's name: a measured codec as code, a published curve as its citation."""
    if record["family"] == "published":
        return f"{record['method']} (published, not run here)"
    return f"`{record['method']}` ({record['family']})"


def _percent(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:+.1f} %"


def replace_block(text: str, block: str, start: str = START, end: str = END) -> str:
    """``text`` with the generated block (from ``start`` to ``end``, markers included) replaced.

    Text without the markers is returned unchanged.
    """
    if start not in text or end not in text:
        return text
    before, rest = text.split(start, 1)
    return before + block + rest.split(end, 1)[1]
