"""Summaries of a benchmark run: ``summary.json``, ``summary.md`` and ``summary.html``.

The tables put methods in rows (classical, then learned) and dataset/level
pairs in columns; each cell is a mean over the images, the best PSNR and SSIM
of a column in bold, and a dagger marks cells where some images failed.
"""

from __future__ import annotations

import html
import json
import os
import platform
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import restore_core as rc

from .protocols import Level

#: Packages whose versions the report header lists.
PACKAGES = ("numpy", "scipy", "scikit-image", "pandas", "pillow", "torch", "bm3d", "opencv-python-headless")
#: How many failed runs the notes list one by one.
MAX_LISTED_FAILURES = 20
FAILED_MARK = "†"
_REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Metric:
    """A summary column: its record field, table title, number format and whether its best (highest) is bold."""

    field: str
    title: str
    format: str
    bold_best: bool


METRICS = (
    Metric("psnr", "PSNR (dB)", "{:.2f}", True),
    Metric("ssim", "SSIM", "{:.4f}", True),
    Metric("seconds", "Seconds per image", "{:.3f}", False),
)


@dataclass(frozen=True)
class Table:
    """A formatted pivot table.

    Attributes
    ----------
    title : str
        Heading.
    text : DataFrame
        Formatted cells; index ``(family, method)``, one column per dataset/level.
    bold : DataFrame of bool
        Same shape; True for the best cell of each column.
    """

    title: str
    text: pd.DataFrame
    bold: pd.DataFrame


def _plain(value: Any) -> float | None:
    """A JSON-safe float: None for NaN and infinities."""
    return float(value) if np.isfinite(value) else None


def summarize(
    rows: pd.DataFrame, task: str, grid: Sequence[tuple[str, Level]], methods: Sequence[rc.Method]
) -> list[dict[str, Any]]:
    """Mean metrics over images for every dataset, level and method of the grid.

    Parameters
    ----------
    rows : DataFrame
        The grid's rows of ``results.csv`` (strings, as :func:`eval.results.read_results` returns them).
    task : str
        The benchmark task.
    grid : sequence of (str, Level)
        The dataset names and levels of the report's columns, in order.
    methods : sequence of Method
        The methods, in report order.

    Returns
    -------
    list of dict
        Records ``{task, dataset, level, sigma, kernel, scale, quality, ratio, method, family,
        psnr, ssim, seconds, n, failed}``; means are over the ``n`` images that succeeded
        (None when none did), ``failed`` counts the others.
    """
    numbers = rows.assign(
        **{metric.field: pd.to_numeric(rows[metric.field], errors="coerce") for metric in METRICS},
        ok=rows["error"] == "",
    )
    grouped = numbers.groupby(["dataset", "level", "method"])
    table = (
        grouped[[metric.field for metric in METRICS]]
        .mean()
        .join(grouped["ok"].agg(n="sum", failed=lambda ok: int((~ok).sum())))
    )
    records = []
    for (dataset, level), method in product(grid, methods):
        key = (dataset, level.label, method.name)
        values = table.loc[key] if key in table.index else pd.Series({"n": 0, "failed": 0}, dtype=float)
        records.append(
            {
                "task": task,
                "dataset": dataset,
                "level": level.label,
                **level.columns(),
                "method": method.name,
                "family": method.family,
                **{metric.field: _plain(values.get(metric.field, np.nan)) for metric in METRICS},
                "n": int(values["n"]),
                "failed": int(values["failed"]),
            }
        )
    return records


def metric_tables(records: Sequence[Mapping[str, Any]]) -> list[Table]:
    """One pivot table per metric: methods (classical, then learned) by dataset/level."""
    frame = pd.DataFrame(records)
    frame["family_rank"] = frame["family"].map(rc.FAMILIES.index)
    frame["column"] = frame["dataset"] + " " + frame["level"]
    rows = pd.MultiIndex.from_frame(
        frame.sort_values("family_rank", kind="stable")[["family", "method"]].drop_duplicates(),
        names=["Family", "Method"],
    )
    columns = list(dict.fromkeys(frame["column"]))
    failed = _pivot(frame, "failed", rows, columns).gt(0)
    return [_table(metric, _pivot(frame, metric.field, rows, columns), failed) for metric in METRICS]


def _pivot(frame: pd.DataFrame, field: str, rows: pd.MultiIndex, columns: list[str]) -> pd.DataFrame:
    pivot = frame.pivot(index=["family", "method"], columns="column", values=field).astype(float)
    return pivot.reindex(index=rows, columns=columns)


def _table(metric: Metric, values: pd.DataFrame, failed: pd.DataFrame) -> Table:
    text = values.map(lambda value: "—" if np.isnan(value) else metric.format.format(value))
    text = text + failed.map(lambda mark: f" {FAILED_MARK}" if mark else "")
    bold = values.eq(values.max()) & (metric.bold_best and len(values) > 1)
    return Table(metric.title, text, bold)


def failure_notes(rows: pd.DataFrame) -> list[str]:
    """One line per failed run (at most :data:`MAX_LISTED_FAILURES`, then a count of the rest)."""
    failed = rows[rows["error"] != ""]
    notes = [
        f"{row.method} on {row.dataset}/{row.image} ({row.level}): {row.error}"
        for row in failed.head(MAX_LISTED_FAILURES).itertuples(index=False)
    ]
    if len(failed) > MAX_LISTED_FAILURES:
        notes.append(f"… and {len(failed) - MAX_LISTED_FAILURES} more: see the error column of results.csv.")
    return notes


def package_versions() -> str:
    """``python X, numpy Y, ...`` for the packages of :data:`PACKAGES` that are installed."""
    versions = [f"python {platform.python_version()}"]
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(versions)


def git_commit() -> str:
    """The repository's commit, ``+ uncommitted changes`` when tracked files differ; ``unknown`` outside git."""

    def git(*arguments: str) -> str:
        done = subprocess.run(
            ["git", "--no-optional-locks", *arguments],
            cwd=_REPO,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit} + uncommitted changes" if dirty else commit


def run_header(task: str, device: str, data_root: Path | None, protocol: str, seeding: str) -> dict[str, str]:
    """The facts of a run listed above the tables."""
    return {
        "Task": task,
        "Protocol": protocol,
        "Seeding": seeding,
        "Device": device,
        "Data root": str(data_root) if data_root else "none (built-in data only)",
        "Versions": package_versions(),
        "Git commit": git_commit(),
        "Generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def markdown_table(table: Table) -> str:
    """A table in GitHub Markdown, the family (or other first index level) named on the first row of its group."""
    names = [str(name) for name in table.text.index.names] if all(table.text.index.names) else ["Family", "Method"]
    lines = [
        f"### {table.title}",
        "",
        _markdown_row([*names, *table.text.columns]),
        _markdown_row(["---", "---", *["---:"] * len(table.text.columns)]),
    ]
    previous = None
    for (family, method), cells in table.text.iterrows():
        marks = table.bold.loc[(family, method)]
        shown = [f"**{cell}**" if mark else cell for cell, mark in zip(cells, marks, strict=True)]
        lines.append(_markdown_row([family if family != previous else "", method, *shown]))
        previous = family
    return "\n".join(lines)


def markdown_results(tables: Sequence[Table], notes: Sequence[str]) -> str:
    """The tables and the failure notes in Markdown (what the command prints)."""
    parts = [markdown_table(table) for table in tables]
    if notes:
        parts.append(
            f"{FAILED_MARK} some images failed; means are over the others. Failed runs:\n\n"
            + "\n".join(f"- {note}" for note in notes)
        )
    return "\n\n".join(parts) + "\n"


def markdown_report(
    command: str,
    header: Mapping[str, str],
    tables: Sequence[Table],
    notes: Sequence[str],
    figures: Sequence[str] = (),
) -> str:
    """``summary.md``: title, command, header facts, tables, failure notes and figures."""
    facts = "\n".join(f"- **{name}:** {value}" for name, value in header.items())
    images = "".join(f"\n![{figure}]({figure})\n" for figure in figures)
    return (
        f"# Deconv Arena benchmark: {header['Task']}\n\n```\n{command}\n```\n\n{facts}\n\n"
        + markdown_results(tables, notes)
        + images
    )


def html_table(table: Table) -> str:
    """A table as HTML (pandas), best cells in bold."""
    escaped = table.text.map(html.escape)
    cells = escaped.where(~table.bold, "<b>" + escaped + "</b>")
    cells.index = cells.index.map(lambda labels: tuple(map(html.escape, labels)))
    cells.columns = [html.escape(column) for column in cells.columns]
    return f"<h3>{html.escape(table.title)}</h3>\n" + cells.to_html(escape=False, border=0)


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:90em}
table{border-collapse:collapse;margin-bottom:1.5em}th,td{padding:.25em .6em;border-bottom:1px solid #ccc}
td{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap}
.crops{display:flex;flex-wrap:wrap;gap:.5em}figure{margin:0;text-align:center;font-size:.85em}
.crops img{width:256px;image-rendering:pixelated}"""


def html_report(
    command: str,
    header: Mapping[str, str],
    tables: Sequence[Table],
    notes: Sequence[str],
    figures: Sequence[str] = (),
    extra: str = "",
) -> str:
    """``summary.html``: the content of ``summary.md`` as one page, plus ``extra`` HTML (the example crops)."""
    title = html.escape(f"Deconv Arena benchmark: {header['Task']}")
    facts = "".join(f"<li><b>{html.escape(name)}:</b> {html.escape(value)}</li>" for name, value in header.items())
    body = [
        f"<h1>{title}</h1>",
        f"<pre>{html.escape(command)}</pre>",
        f"<ul>{facts}</ul>",
        *(html_table(table) for table in tables),
    ]
    if notes:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
        body.append(f"<p>{FAILED_MARK} some images failed; means are over the others. Failed runs:</p><ul>{items}</ul>")
    body += [f'<p><img src="{html.escape(figure)}" alt="{html.escape(figure)}"></p>' for figure in figures]
    if extra:
        body.append(extra)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def write_atomic(path: Path, text: str) -> None:
    """Write a file through a temporary sibling and :func:`os.replace`, so readers never see half of it."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_reports(
    out: Path,
    command: str,
    header: Mapping[str, str],
    records: Sequence[Mapping[str, Any]],
    notes: Sequence[str],
    figures: Sequence[str] = (),
    extra_html: str = "",
) -> list[Table]:
    """Write ``summary.json``, ``summary.md``, ``summary.html`` and ``header.json`` into ``out``; return the tables.

    ``figures`` are image files in ``out`` shown by both summaries; ``extra_html`` is appended to the HTML one.
    """
    tables = metric_tables(records)
    write_atomic(out / "summary.json", json.dumps(list(records), indent=2, ensure_ascii=False) + "\n")
    write_atomic(out / "header.json", json.dumps(dict(header), indent=2, ensure_ascii=False) + "\n")
    write_atomic(out / "summary.md", markdown_report(command, header, tables, notes, figures))
    write_atomic(out / "summary.html", html_report(command, header, tables, notes, figures, extra_html))
    return tables


def write_stored_run(
    out: Path,
    command: str,
    header: Mapping[str, str],
    records: Sequence[Mapping[str, Any]],
    tables: Sequence[Table],
    notes: Sequence[str],
    figures: Sequence[str] = (),
) -> str:
    """Write a run that documents quote later: ``summary.json`` (``records``), ``header.json`` (with the command),
    ``summary.md`` and ``summary.html``; return the Markdown."""
    write_atomic(out / "summary.json", json.dumps(list(records), indent=2, ensure_ascii=False) + "\n")
    write_atomic(out / "header.json", json.dumps({**header, "Command": command}, indent=2, ensure_ascii=False) + "\n")
    markdown = markdown_report(command, header, tables, notes, figures)
    write_atomic(out / "summary.md", markdown)
    write_atomic(out / "summary.html", html_report(command, header, tables, notes, figures))
    return markdown
