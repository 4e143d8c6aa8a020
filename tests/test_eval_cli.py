"""Careless use of the ``eval`` command lines ends in a one-line message and an exit status, never a traceback.

Unwritable output folders, malformed ``results.csv`` files, bad data roots and datasets, a full
disk and Ctrl-C, for ``eval.benchmark`` (and ``eval.suite`` and ``eval.real`` where they share the
problem). Everything runs on one or two built-in images or a few 64x64 crops, in seconds.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import skimage.data

import restore_core as rc
from eval import benchmark, cli, real, suite
from eval.results import HEADER, KEY, RESULTS_FILE, read_results

REPO = Path(__file__).resolve().parents[1]
TINY = ("--task", "denoise", "--datasets", "skimage", "--limit", "1", "--sigmas", "15", "25", "50")
TINY_RUNS = 3
SAVED = re.compile(r"(\d+) results saved in (.+); rerun the same command to resume")


def tiny(out: Path) -> list[str]:
    """``python -m eval.benchmark`` arguments: identity at three noise levels on one built-in image, no crops."""
    return [*TINY, "--methods", "identity", "--examples", "0", "--out", str(out)]


def run_tiny(out: Path, *options: str) -> int:
    """Run :func:`tiny` into ``out``."""
    return benchmark.main([*tiny(out), *options])


def refused(capsys: pytest.CaptureFixture[str], main: Callable[[list[str]], int], *arguments: str) -> str:
    """Run ``main(arguments)``, check that it exits with status 2, return its error message (one line)."""
    with pytest.raises(SystemExit) as stop:
        main(list(arguments))
    assert stop.value.code == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert ": error: " in message
    return message


def crops(folder: Path, count: int) -> Path:
    """``count`` 64x64 gray crops of scikit-image's camera, as a dataset folder."""
    folder.mkdir(parents=True)
    camera = rc.to_float(skimage.data.camera())
    for index in range(count):
        rc.save_image(camera[100:164, 40 + 70 * index : 104 + 70 * index], folder / f"crop{index}.png")
    return folder


# --out


def _a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An existing regular file."""
    (tmp_path / "file").touch()
    return tmp_path / "file"


def _below_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder path whose parent is a regular file."""
    return _a_file(tmp_path, monkeypatch) / "sub"


def _read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder without write permission (as root, which writes anyway, the write check fails as for a user)."""
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    if os.access(folder, os.W_OK):

        def denied(**_: object) -> None:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))

        monkeypatch.setattr(cli.tempfile, "TemporaryFile", denied)
    return folder


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_a_file, "file is a file"),
        (_below_a_file, "file is a file"),
        (_read_only, "Permission denied"),
    ],
    ids=["a file", "below a file", "read-only folder"],
)
def test_an_unwritable_out_is_refused_before_anything_runs(tmp_path, monkeypatch, capsys, restore_calls, make, reason):
    out = make(tmp_path, monkeypatch)
    message = refused(capsys, benchmark.main, *tiny(out))
    assert re.search(rf"--out {re.escape(str(out))} is not a writable folder \(.*{reason}.*\); choose another", message)
    assert restore_calls == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_an_out_under_proc_is_refused(capsys):
    message = refused(capsys, benchmark.main, *tiny(Path("/proc/deconv-arena/out")))
    assert "--out /proc/deconv-arena/out is not a writable folder" in message


def test_a_full_disk_keeps_whole_rows_and_the_run_resumes(tmp_path, monkeypatch, capsys, restore_calls):
    real_write, calls = os.write, []

    def full_disk(fd: int, data: bytes) -> int:
        """The header and one row go through; the next row is half-written, then the disk is full."""
        calls.append(len(data))
        if len(calls) == 3:
            return real_write(fd, bytes(data[: len(data) // 2]))
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    assert run_tiny(tmp_path) == 1
    monkeypatch.setattr(os, "write", real_write)
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message.startswith(f"python -m eval.benchmark: error: {tmp_path / RESULTS_FILE}: No space left on device; ")
    assert SAVED.search(message).group(1) == "1" and message.endswith("once that is fixed")
    assert (tmp_path / RESULTS_FILE).read_bytes().count(b"\n") == 2, "the half-written row is cut off at once"
    assert run_tiny(tmp_path) == 0
    assert len(restore_calls) == TINY_RUNS + 1, "one run saved, two redone"
    assert len(read_results(tmp_path / RESULTS_FILE)) == TINY_RUNS


# results.csv


@pytest.fixture
def saved_run(tmp_path: Path) -> Path:
    """An output folder holding the ``results.csv`` of a finished tiny run."""
    assert run_tiny(tmp_path) == 0
    return tmp_path


def _second_row(pattern: bytes, replacement: bytes) -> Callable[[list[bytes]], list[bytes]]:
    """An edit of the lines of ``results.csv``: ``re.sub`` in its second line (the first row)."""
    return lambda rows: [rows[0], re.sub(pattern, replacement, rows[1], count=1), *rows[2:]]


@pytest.mark.parametrize(
    ("edit", "line", "problem"),
    [
        (lambda rows: [*rows, b"garbage\n"], 5, "1 fields instead of 17"),
        (lambda rows: [*rows[:2], b"a,b,c\n", *rows[2:]], 3, "3 fields instead of 17"),
        (lambda rows: [*rows, b"\xff\xfe\x00\x89PNG\x00\n"], 5, "not UTF-8 text"),
        (lambda rows: [*rows, b"\x00" * 40 + b"\n"], 5, "1 fields instead of 17"),
        (lambda rows: [*rows, rows[0]], 5, "unknown task 'task'"),
        (_second_row(rb",classical,", b",classical,,"), 2, "18 fields instead of 17"),
        (_second_row(rb",0,15\.0,", b",zero,15.0,"), 2, "seed 'zero' is not an integer"),
        (_second_row(rb",,,,,", b",,,,,high"), 2, "psnr 'high[0-9.]*' is not a number"),
        (_second_row(rb",cpu", b"x,cpu"), 2, r"seconds '[0-9.e-]+x' is not a number"),
        (_second_row(rb",,,,,[^,]+,", b",,,,,,"), 2, "neither an error nor psnr"),
    ],
    ids=[
        "one field",
        "few fields",
        "binary",
        "zeros",
        "header twice",
        "extra field",
        "seed",
        "psnr",
        "seconds",
        "no score",
    ],
)
def test_a_malformed_results_line_is_refused_naming_it(saved_run, capsys, restore_calls, edit, line, problem):
    path = saved_run / RESULTS_FILE
    path.write_bytes(b"".join(edit(path.read_bytes().splitlines(keepends=True))))
    before = path.read_bytes()
    message = refused(capsys, benchmark.main, *tiny(saved_run))
    assert re.search(rf"{re.escape(str(path))} line {line} is malformed \({problem}\): delete that line", message)
    assert "--overwrite" in message and path.read_bytes() == before and restore_calls == []
    assert run_tiny(saved_run, "--overwrite") == 0 and len(read_results(path)) == TINY_RUNS


@pytest.mark.parametrize(
    "content",
    [b"psnr,ssim\n1,2\n", b"\x89PNG\r\n\x1a\n\x00\x00", HEADER.replace(b"psnr", b"PSNR")],
    ids=["other columns", "binary", "renamed column"],
)
def test_a_results_file_of_something_else_is_refused(tmp_path, capsys, content):
    (tmp_path / RESULTS_FILE).write_bytes(content)
    message = refused(capsys, benchmark.main, *tiny(tmp_path))
    assert "does not have the columns of this benchmark" in message and "pass --overwrite" in message
    assert (tmp_path / RESULTS_FILE).read_bytes() == content


def test_a_half_written_header_or_row_is_cut_off_with_a_note(tmp_path, capsys, restore_calls):
    (tmp_path / RESULTS_FILE).write_bytes(HEADER[:7])  # killed while writing the header: nothing was saved
    assert run_tiny(tmp_path) == 0
    path = tmp_path / RESULTS_FILE
    path.write_bytes(path.read_bytes()[:-9])  # killed while writing the last row
    capsys.readouterr()
    assert run_tiny(tmp_path) == 0
    assert f"{path}: cut off a half-written last line" in capsys.readouterr().err
    assert len(restore_calls) == TINY_RUNS + 1 and len(read_results(path)) == TINY_RUNS


def test_a_results_path_that_is_a_folder_is_refused(tmp_path, capsys):
    (tmp_path / RESULTS_FILE).mkdir()
    message = refused(capsys, benchmark.main, *tiny(tmp_path))
    assert f"{tmp_path / RESULTS_FILE} is not a file" in message


# Ctrl-C


def test_ctrl_c_in_a_subprocess_exits_130_and_the_rerun_resumes(tmp_path, restore_calls):
    dataset, out, runs = crops(tmp_path / "crops", 3), tmp_path / "out", 3 * 2
    arguments = ["--datasets", str(dataset), "--sigmas", "25", "--methods", "identity", "bm3d", "--examples", "0"]
    arguments += ["--out", str(out)]
    # Python keeps SIGINT ignored when its parent ignores it (a background job): restore Ctrl-C's default
    child = (
        "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "runpy.run_module('eval.benchmark', run_name='__main__', alter_sys=True)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", child, *arguments],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    try:
        while process.poll() is None and time.monotonic() < deadline:
            path = out / RESULTS_FILE
            if path.is_file() and path.read_bytes().count(b"\n") >= 2:  # the first result is saved
                process.send_signal(signal.SIGINT)
                break
            time.sleep(0.005)
        _, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == cli.INTERRUPTED, errors
    assert "Traceback" not in errors
    last = errors.strip().splitlines()[-1]
    assert last.startswith("interrupted: ") and SAVED.search(last).group(2) == str(out / RESULTS_FILE)
    saved = int(SAVED.search(last).group(1))
    assert 1 <= saved < runs and len(read_results(out / RESULTS_FILE)) == saved, "whole rows only"

    assert benchmark.main(arguments) == 0
    assert len(restore_calls) == runs - saved
    rows = read_results(out / RESULTS_FILE)
    assert len(rows) == runs and not rows.duplicated(subset=list(KEY)).any() and set(rows["error"]) == {""}


def test_ctrl_c_mid_run_saves_the_finished_runs(tmp_path, monkeypatch, capsys):
    original, calls = rc.restore, []

    def interrupted_at_the_second_run(observation: rc.Observation, method: str, **params: object) -> np.ndarray:
        calls.append(method)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(observation, method, **params)

    monkeypatch.setattr(rc, "restore", interrupted_at_the_second_run)
    assert run_tiny(tmp_path) == cli.INTERRUPTED
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"interrupted: 1 results saved in {tmp_path / RESULTS_FILE}; rerun the same command to resume"
    )
    assert not (tmp_path / "summary.json").exists()
    assert run_tiny(tmp_path) == 0 and len(calls) == 2 + TINY_RUNS - 1


def stop(*arguments: object) -> None:
    """Stand-in for a function that Ctrl-C interrupts."""
    raise KeyboardInterrupt


def test_ctrl_c_stops_the_suite_leaving_the_document(tmp_path, monkeypatch, capsys):
    entry = suite.Entry("tiny", "Tiny", TINY)
    monkeypatch.setattr(suite, "SUITE", (entry,))
    monkeypatch.setattr(suite.benchmark, "main", lambda arguments: cli.INTERRUPTED)  # it said so itself
    doc = tmp_path / "docs" / "RESULTS.md"
    options = ["--data-root", str(tmp_path), "--out", str(tmp_path / "runs"), "--doc", str(doc)]
    assert suite.main(options) == cli.INTERRUPTED and not doc.exists()
    monkeypatch.setattr(suite, "store_results", stop)
    monkeypatch.setattr(suite.benchmark, "main", lambda arguments: 0)
    assert suite.main(options) == cli.INTERRUPTED and not doc.exists()
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("interrupted: rerun the same command")


def test_ctrl_c_stops_real(tmp_path, monkeypatch, capsys):
    folder = tmp_path / real.REAL_BLUR
    folder.mkdir(parents=True)
    rc.save_image(rc.to_float(skimage.data.camera())[:64, :64], folder / "photo.png")
    kernel = np.zeros((9, 9))
    kernel[4, 2:7] = 1.0
    rc.save_image(kernel, folder / "photo_kernel.png")
    monkeypatch.setattr(real, "restore_photo", stop)
    out = tmp_path / "real"
    code = real.main(["--data-root", str(tmp_path), "--photos", "photo", "--methods", "wiener", "--out", str(out)])
    assert code == cli.INTERRUPTED
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"interrupted: {out / real.SECTION} not written; rerun the same command"
    )


# data roots, datasets, options


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--data-root", "{tmp}/nowhere"), "the data root {tmp}/nowhere (--data-root or $DECONV_DATA) is not a folder"),
        (("--data-root", "{tmp}/file"), "the data root {tmp}/file (--data-root or $DECONV_DATA) is not a folder"),
        (("--datasets", "Set12", "--data-root", "{tmp}"), "dataset Set12 not found at {tmp}/test/Set12"),
        (("--datasets", "NoSuchSet"), "unknown dataset 'NoSuchSet'"),
        (("--datasets", "{tmp}/file"), "unknown dataset '{tmp}/file'"),
        (("--datasets", "{tmp}"), "no images (.png"),
        (("--methods", "magic"), "unknown method 'magic'"),
        (("--methods", "bicubic"), "bicubic does not do denoise"),
        (("--scales", "2"), "--scales applies to --task sr, not denoise"),
        (("--sigmas", "nan"), "argument --sigmas: nan is outside [0, 255]"),
        (("--sigmas", "-5"), "argument --sigmas: -5 is outside [0, 255]"),
        (("--seed", "-1"), "argument --seed: -1 is outside [0, ∞]"),
        (("--limit", "0"), "argument --limit: 0 is outside [1, ∞]"),
        (("--task", "deblur", "--kernels", "k1"), "kernels k1..k8 are read from <data root>/kernels/levin8.npz"),
        (("--task", "deblur", "--kernels", "k1", "--data-root", "{tmp}"), "no kernel file at {tmp}/kernels"),
        (("--task", "deblur", "--kernels", "k9"), "unknown kernel k9"),
        (("--boundary", "reflect"), "--boundary applies to --task deblur, not denoise"),
        (("--task", "deblur", "--blind", "--boundary", "valid"), "--boundary does not apply to --blind"),
    ],
)
def test_bad_options_and_data_are_refused(tmp_path, monkeypatch, capsys, options, message):
    monkeypatch.delenv("DECONV_DATA", raising=False)
    (tmp_path / "file").touch()
    options = [option.format(tmp=tmp_path) for option in options]
    if "--datasets" not in options:
        options += ["--datasets", "skimage"]
    arguments = ["--limit", "1", "--out", str(tmp_path / "out"), *options]
    assert message.format(tmp=tmp_path) in refused(capsys, benchmark.main, *arguments)
    assert not (tmp_path / "out").exists(), "nothing is created before the options are checked"


def test_repeated_datasets_and_levels_run_once(tmp_path):
    crops(tmp_path / "test" / "Set12", 1)
    options = ["--datasets", "Set12", "set12", "--sigmas", "25", "25.0", "--methods", "identity", "identity"]
    assert benchmark.main([*options, "--data-root", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    assert len(read_results(tmp_path / "out" / RESULTS_FILE)) == 1


def test_a_reflect_boundary_run_tells_the_methods_and_labels_its_levels(tmp_path):
    arguments = ["--task", "deblur", "--datasets", "skimage", "--limit", "1", "--kernels", "gauss1.6"]
    arguments += ["--noise-sigma", "2.55", "--boundary", "reflect", "--methods", "identity", "wiener"]
    assert benchmark.main([*arguments, "--out", str(tmp_path / "out")]) == 0
    rows = read_results(tmp_path / "out" / RESULTS_FILE)
    assert set(rows["level"]) == {"gauss1.6 σ=2.55 reflect"}
    psnr = dict(zip(rows["method"], rows["psnr"].astype(float), strict=True))
    assert psnr["wiener"] > psnr["identity"] + 1  # the boundary-aware model deblurs the reflect observation


def test_an_empty_data_root_runs_the_builtin_set_and_says_so(tmp_path, capsys):
    arguments = ["--limit", "1", "--sigmas", "25", "--methods", "identity", "--examples", "0"]
    assert benchmark.main([*arguments, "--data-root", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    sets = "Set12, BSD68, CBSD68, Kodak24, McMaster"
    note = f"no denoise test set ({sets}) under {tmp_path / 'test'}: running the built-in skimage dataset"
    assert note in capsys.readouterr().err


def test_a_corrupt_image_is_refused_naming_it_and_other_files_are_ignored(tmp_path, capsys):
    dataset = crops(tmp_path / "crops", 2)
    (dataset / "README.txt").write_text("not an image, and not named like one", encoding="utf-8")
    arguments = ["--datasets", str(dataset), "--sigmas", "25", "--methods", "identity", "--out", str(tmp_path / "out")]
    assert benchmark.main(arguments) == 0
    good = (dataset / "crop1.png").read_bytes()
    for content in (good[: len(good) // 2], b"plain text"):
        (dataset / "crop1.png").write_bytes(content)
        message = refused(capsys, benchmark.main, *arguments)
        assert f"cannot read image crop1.png of dataset {dataset}: crop1.png is not a readable image" in message
        assert message.endswith("Replace or remove that file.")


# suite and real


def test_the_suite_refuses_bad_places_before_running(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(suite.benchmark, "main", lambda arguments: pytest.fail("nothing may run"))
    (tmp_path / "file").touch()
    notes = tmp_path / "notes.md"
    notes.write_text("my own notes\n", encoding="utf-8")
    base = ["--data-root", str(tmp_path), "--out", str(tmp_path / "runs"), "--doc", str(tmp_path / "R.md")]
    for change, message in (
        (
            ("--data-root", f"{tmp_path}/nowhere"),
            f"the data root {tmp_path}/nowhere (--data-root or $DECONV_DATA) is not a folder",
        ),
        (("--out", f"{tmp_path}/file"), f"--out {tmp_path}/file is not a writable folder ({tmp_path}/file is a file)"),
        (("--doc", str(tmp_path)), f"--doc {tmp_path} is a folder; name the document file"),
        (("--doc", f"{tmp_path}/file/R.md"), f"--doc {tmp_path}/file is not a writable folder"),
        (("--doc", str(notes)), f"--doc {notes} is not a document this command wrote"),
    ):
        options = list(base)
        options[options.index(change[0]) + 1] = change[1]
        assert message in refused(capsys, suite.main, *options)
    assert notes.read_text(encoding="utf-8") == "my own notes\n"


def test_the_suite_refuses_a_cut_short_stored_record(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(suite, "SUITE", (suite.Entry("tiny", "Tiny", TINY),))
    monkeypatch.setattr(suite.benchmark, "main", lambda arguments: 0)
    stored = tmp_path / "docs" / "results" / "tiny.json"
    stored.parent.mkdir(parents=True)
    stored.write_text('{"summary": [{"task"', encoding="utf-8")
    options = ["--data-root", str(tmp_path), "--out", str(tmp_path / "runs"), "--doc", str(tmp_path / "docs" / "R.md")]
    message = refused(capsys, suite.main, *options)
    assert f"{stored} is not valid JSON" in message and "delete it and rerun with --only tiny" in message


def test_real_refuses_an_unwritable_out(tmp_path, capsys):
    (tmp_path / real.REAL_BLUR).mkdir(parents=True)
    (tmp_path / "file").touch()
    message = refused(capsys, real.main, "--data-root", str(tmp_path), "--out", str(tmp_path / "file" / "real"))
    assert f"--out {tmp_path}/file/real is not a writable folder (" in message
