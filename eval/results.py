"""The resumable results file ``results.csv``: one row per run, appended as soon as it finishes.

Each row is written with one ``write`` and ``fsync``-ed; a write that fails (a full disk),
or that Ctrl-C interrupts before its end, is cut off again, so the file only holds whole
rows. A half-written last line left by a killed run is cut off, with a note, when the file
is opened again. Any other malformed line (not UTF-8, a wrong number of fields, a
non-numeric score, ...) is refused with an error naming the line: results are never
silently dropped nor garbage rows silently kept. A row is identified by :data:`KEY`; when
a key occurs twice (a failed run retried), the later row counts.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
#: Columns holding a number, or nothing; the scores must be there when a run has no error.
NUMBERS = ("sigma", "scale", "quality", "ratio", "psnr", "ssim", "seconds")
SCORES = ("psnr", "ssim", "seconds")


@dataclass(frozen=True)
class Schema:
    """The columns of a results file: all of them in order, those holding numbers, and those a finished run fills;
    and the tasks its rows may name (None: the library's restoration tasks)."""

    columns: tuple[str, ...] = COLUMNS
    numbers: tuple[str, ...] = NUMBERS
    scores: tuple[str, ...] = SCORES
    tasks: tuple[str, ...] | None = None

    def extended(self, scores: tuple[str, ...], tasks: tuple[str, ...] | None = None) -> Schema:
        """This schema with more number columns that every finished run fills (a benchmark's own measures),
        for rows of ``tasks`` when given."""
        return Schema(self.columns + scores, self.numbers + scores, self.scores + scores, tasks or self.tasks)

    @property
    def header(self) -> bytes:
        """The first line of the file."""
        return csv_line(self.columns)


#: The benchmark's results (:mod:`eval.benchmark`).
SCHEMA = Schema()


def row_key(row: Mapping[str, Any]) -> tuple[str, ...]:
    """The key of a row, its values spelled as in the CSV file."""
    return tuple(str(row[column]) for column in KEY)


def csv_line(values: Sequence[Any]) -> bytes:
    """One CSV line, UTF-8, ending with a newline (None is written as an empty field)."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(values)
    return text.getvalue().encode("utf-8")


#: The first line of ``results.csv``.
HEADER = SCHEMA.header


class ResultsFile:
    """``results.csv`` opened for appending (use as a context manager).

    Parameters
    ----------
    path : Path
        The CSV file, in an existing folder.
    overwrite : bool
        Start a new file instead of resuming the existing one.
    schema : Schema
        Its columns (default those of :mod:`eval.benchmark`).

    Raises
    ------
    RestoreError
        If an existing file has other columns than the schema's or a malformed line.
    OSError
        If the file cannot be read or written.
    """

    def __init__(self, path: Path, overwrite: bool = False, schema: Schema = SCHEMA) -> None:
        self.path, self.schema = path, schema
        if path.exists() and not path.is_file():
            raise rc.RestoreError(f"{path} is not a file; move it away or choose another --out.")
        data = b"" if overwrite or not path.exists() else path.read_bytes()
        fresh = schema.header.startswith(data)  # nothing saved yet (at most part of the header)
        if not fresh:
            _parse(path, data, schema)
            _drop_partial_line(path, data)
        mode = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0) | (os.O_TRUNC if fresh else os.O_APPEND)
        self._fd = os.open(path, mode, 0o666)
        if fresh:
            self._write(schema.header)

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        os.close(self._fd)

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one row (missing columns and None are left empty) and force it to disk."""
        self._write(csv_line([row.get(column) for column in self.schema.columns]))

    def _write(self, line: bytes) -> None:
        """Append ``line`` whole, or not at all: a failed write, or one interrupted before its end, is cut off."""
        size = os.fstat(self._fd).st_size
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError as error:
            self._cut(size)
            raise OSError(error.errno, error.strerror, str(self.path)) from error  # name the file in the message
        except BaseException:  # Ctrl-C: a line written to its end stays
            if os.fstat(self._fd).st_size < size + len(line):
                self._cut(size)
            raise

    def _cut(self, size: int) -> None:
        """Cut the file back to ``size`` bytes; if this fails too, the next opening cuts the partial line off."""
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, size)


def read_results(path: Path, schema: Schema = SCHEMA) -> pd.DataFrame:
    """The rows of ``results.csv`` as strings, only the latest row of each key (empty if there is no file).

    A last line without its newline (being written, or left by a killed run) is not read.

    Raises
    ------
    RestoreError
        If the file has other columns than the schema's or a malformed line.
    """
    rows = _parse(path, path.read_bytes(), schema) if path.is_file() else []
    frame = pd.DataFrame(rows, columns=list(schema.columns), dtype=str)
    return frame.drop_duplicates(subset=list(KEY), keep="last").reset_index(drop=True)


def count_saved(path: Path) -> int:
    """How many rows ``path`` holds (whole lines after the header; 0 without a file), for messages."""
    try:
        return max(path.read_bytes().count(b"\n") - 1, 0)
    except OSError:
        return 0


def finished_keys(frame: pd.DataFrame) -> set[tuple[str, ...]]:
    """Keys of the rows that ran without error."""
    return set(frame.loc[frame["error"] == "", list(KEY)].itertuples(index=False, name=None))


def unfinished(cells: Sequence[Any], row_of: Callable[[Any], Mapping[str, Any]], path: Path, schema: Schema) -> list:
    """The ``cells`` whose row (``row_of(cell)``) ``path`` does not hold as finished without error."""
    done = finished_keys(read_results(path, schema))
    return [cell for cell in cells if row_key(row_of(cell)) not in done]


def select_keys(frame: pd.DataFrame, keys: set[tuple[str, ...]]) -> pd.DataFrame:
    """The rows whose key is in ``keys`` (those of the current run's grid)."""
    wanted = [key in keys for key in frame[list(KEY)].itertuples(index=False, name=None)]
    return frame.loc[wanted].reset_index(drop=True)


def _parse(path: Path, data: bytes, schema: Schema) -> list[list[str]]:
    """The rows of the whole lines of ``data`` (the content of ``path``), checked; the header is left out.

    Raises
    ------
    RestoreError
        For another header, or naming the first malformed line.
    """
    if schema.header.startswith(data):
        return []
    if not data.startswith(schema.header):
        raise rc.RestoreError(
            f"{path} does not have the columns of this benchmark ({', '.join(schema.columns)}); "
            "pass --overwrite to replace it or choose another --out."
        )
    rows = []
    for number, line in enumerate(data.split(b"\n")[1:-1], start=2):  # the whole lines after the header
        try:
            values = next(csv.reader([line.decode("utf-8")]))
        except UnicodeDecodeError as error:
            raise _malformed(path, number, "not UTF-8 text") from error
        except csv.Error as error:
            raise _malformed(path, number, str(error)) from error
        if problem := _row_problem(values, schema):
            raise _malformed(path, number, problem)
        rows.append(values)
    return rows


def _row_problem(values: Sequence[str], schema: Schema) -> str:
    """What is wrong with the fields of a line ('' when nothing)."""
    if len(values) != len(schema.columns):
        return f"{len(values)} fields instead of {len(schema.columns)}"
    row = dict(zip(schema.columns, values, strict=True))
    if row["task"] not in (schema.tasks or rc.TASKS):
        return f"unknown task {row['task']!r}"
    if missing := [column for column in KEY if not row[column]]:
        return f"no {', '.join(missing)}"
    if not _parses(row["seed"], int):
        return f"seed {row['seed']!r} is not an integer"
    for column in schema.numbers:
        if row[column] and not _parses(row[column], float):
            return f"{column} {row[column]!r} is not a number"
    if not row["error"] and (missing := [column for column in schema.scores if not row[column]]):
        return f"neither an error nor {', '.join(missing)}"
    return ""


def _parses(text: str, kind: type) -> bool:
    """Whether ``kind(text)`` works."""
    try:
        kind(text)
    except ValueError:
        return False
    return True


def _malformed(path: Path, line: int, problem: str) -> rc.RestoreError:
    return rc.RestoreError(
        f"{path} line {line} is malformed ({problem}): delete that line (its run is done again) or "
        "move the file away (or pass --overwrite) to start afresh."
    )


def _drop_partial_line(path: Path, data: bytes) -> None:
    """Cut off a last line left half-written by a killed run (``data`` is the file's content), with a note."""
    if not data.endswith(b"\n"):
        os.truncate(path, data.rfind(b"\n") + 1)
        note = "cut off a half-written last line (a run stopped mid-write); that run is done again"
        print(f"{path}: {note}", file=sys.stderr)
