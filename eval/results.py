"""The resumable results file ``results.csv``: one row per run, appended as soon as it finishes.

Each row is written whole, flushed and ``fsync``-ed, so an interrupted benchmark
loses at most the run in progress; a half-written last line is cut off when the
file is opened again. A row is identified by :data:`KEY`; when a key occurs
twice (a failed run retried), the later row counts.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

import restore_core as rc

#: File name inside the output folder.
RESULTS_FILE = "results.csv"
#: Columns of ``results.csv``, in order.
COLUMNS = (
    "task", "dataset", "image", "level", "method", "family", "seed",
    "sigma", "kernel", "scale", "quality", "ratio",
    "psnr", "ssim", "seconds", "device", "error",
)  # fmt: skip
#: Columns identifying a run; a rerun skips the keys already finished without error.
KEY = ("task", "dataset", "image", "level", "method", "seed")


def row_key(row: Mapping[str, Any]) -> tuple[str, ...]:
    """The key of a row, its values spelled as in the CSV file."""
    return tuple(str(row[column]) for column in KEY)


class ResultsFile:
    """``results.csv`` opened for appending (use as a context manager).

    Parameters
    ----------
    path : Path
        The CSV file; its folder is created if needed.
    overwrite : bool
        Start a new file instead of resuming the existing one.

    Raises
    ------
    RestoreError
        If an existing file has other columns than :data:`COLUMNS`.
    """

    def __init__(self, path: Path, overwrite: bool = False) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = overwrite or not path.is_file() or path.stat().st_size == 0
        if not fresh:
            _check_header(path)
            _drop_partial_line(path)
        self._handle = path.open("w" if fresh else "a", newline="", encoding="utf-8")
        self._writer = csv.writer(self._handle, lineterminator="\n")
        if fresh:
            self._write(COLUMNS)

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._handle.close()

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one row (missing columns and None are left empty) and force it to disk."""
        self._write([row.get(column) for column in COLUMNS])

    def _write(self, values: Any) -> None:
        self._writer.writerow(values)
        self._handle.flush()
        os.fsync(self._handle.fileno())


def read_results(path: Path) -> pd.DataFrame:
    """The rows of ``results.csv`` as strings, only the latest row of each key (empty if there is no file)."""
    if not path.is_file() or path.stat().st_size == 0:
        return pd.DataFrame(columns=list(COLUMNS), dtype=str)
    _check_header(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return frame.drop_duplicates(subset=list(KEY), keep="last").reset_index(drop=True)


def finished_keys(frame: pd.DataFrame) -> set[tuple[str, ...]]:
    """Keys of the rows that ran without error."""
    return set(frame.loc[frame["error"] == "", list(KEY)].itertuples(index=False, name=None))


def select_keys(frame: pd.DataFrame, keys: set[tuple[str, ...]]) -> pd.DataFrame:
    """The rows whose key is in ``keys`` (those of the current run's grid)."""
    wanted = [key in keys for key in frame[list(KEY)].itertuples(index=False, name=None)]
    return frame.loc[wanted].reset_index(drop=True)


def _check_header(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = tuple(next(csv.reader(handle), ()))
    if header != COLUMNS:
        raise rc.RestoreError(
            f"{path} does not have the columns of this benchmark ({', '.join(COLUMNS)}); "
            "pass --overwrite to replace it or choose another --out."
        )


def _drop_partial_line(path: Path) -> None:
    """Cut off a last line left half-written by an interrupted run."""
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        os.truncate(path, data.rfind(b"\n") + 1)
