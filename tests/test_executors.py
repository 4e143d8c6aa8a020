"""Benchmark grids on Ray (``--executor ray``): the same rows as serial, every row exactly once whatever dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import skimage.data

import restore_core as rc
from eval import benchmark, executors
from eval.results import KEY, RESULTS_FILE, ResultsFile

ray = pytest.importorskip("ray", reason="Ray is installed from requirements-bench.txt")

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray instance with 2 CPUs for the in-process tests (the executor reuses it)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": executors.WORKER_ENV})
    yield
    ray.shutdown()


def crops(folder: Path, count: int, side: int) -> Path:
    """``count`` gray crops of scikit-image's camera, as a dataset folder."""
    folder.mkdir()
    camera = rc.to_float(skimage.data.camera())
    for index in range(count):
        top, left = 40 * (index // 4) + 100, 90 * (index % 4) + 40
        rc.save_image(camera[top : top + side, left : left + side], folder / f"crop{index:02d}.png")
    return folder


def grid(dataset: Path, out: Path, *methods: str) -> list[str]:
    return ["--task", "denoise", "--datasets", str(dataset), "--sigmas", "15", "50", "--methods", *methods,
            "--out", str(out)]  # fmt: skip


def rows(out: Path) -> pd.DataFrame:
    frame = pd.read_csv(out / RESULTS_FILE, keep_default_na=False)
    return frame.sort_values(list(KEY)).reset_index(drop=True)


def test_ray_grid_gives_the_serial_rows(tmp_path, local_ray):
    dataset = crops(tmp_path / "crops", 3, 64)
    methods = ("tv", "nlm", "wavelet", "deconv_unet")
    assert benchmark.main(grid(dataset, tmp_path / "serial", *methods)) == 0
    assert benchmark.main([*grid(dataset, tmp_path / "ray", *methods), "--executor", "ray"]) == 0
    serial, distributed = rows(tmp_path / "serial"), rows(tmp_path / "ray")
    assert len(serial) == 3 * 2 * 4 and set(distributed["error"]) == {""}
    columns = [*KEY, "psnr", "ssim"]
    pd.testing.assert_frame_equal(serial[columns], distributed[columns], check_exact=True)
    assert set(distributed["device"]) == {"ray workers (1 CPU thread per run; learned runs on a GPU share when "
                                          "the cluster has GPUs)"}  # fmt: skip
    crops_saved = sorted(path.name for path in (tmp_path / "ray" / "examples").rglob("*.png"))
    assert crops_saved == sorted(path.name for path in (tmp_path / "serial" / "examples").rglob("*.png"))


def test_a_run_whose_worker_dies_is_retried_once_then_recorded_as_failed(tmp_path, local_ray):
    marks = tmp_path / "marks"
    marks.mkdir()

    def work(item: str) -> str:  # defined here so that Ray ships it by value
        attempts = len(list(marks.glob(f"{item}*")))
        (marks / f"{item}{attempts}").touch()
        if item == "always" or (item == "once" and attempts == 0):
            os.kill(os.getpid(), signal.SIGKILL)
        return f"{item} done"

    runs = executors.execute(
        work, ["fine", "once", "always"], failed=lambda item, message: message, label=str, executor="ray"
    )
    outcomes = dict(runs)
    assert outcomes["fine"] == "fine done" and outcomes["once"] == "once done"
    assert outcomes["always"].startswith(("WorkerCrashedError", "RayTaskError", "ActorDiedError"))
    assert "\n" not in outcomes["always"]
    assert len(list(marks.glob("always*"))) == 1 + executors.RETRIES


def test_a_driver_stopped_mid_run_resumes_with_every_row_exactly_once(tmp_path, local_ray):
    dataset = crops(tmp_path / "crops", 6, 64)
    arguments = [*grid(dataset, tmp_path / "out", "bm3d", "tv"), "--executor", "ray"]
    total = 6 * 2 * 2
    process = subprocess.Popen([sys.executable, "-m", "eval.benchmark", *arguments], cwd=REPO, env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    results = tmp_path / "out" / RESULTS_FILE
    deadline = time.monotonic() + 120
    try:
        while _count(results) < 6 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)  # Ctrl-C: the outstanding tasks are cancelled
        _, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, errors[-2000:]
    before = _count(results)
    assert "results saved" in errors and 6 <= before < total
    assert not subprocess.run(["pgrep", "-f", "ray::_run"], check=False, capture_output=True).stdout  # none left

    assert benchmark.main(arguments) == 0  # resumes on the local instance of this process
    finished = rows(tmp_path / "out")
    assert len(finished) == total and not finished.duplicated(subset=list(KEY)).any()
    assert set(finished["error"]) == {""}


def _count(path: Path) -> int:
    return max(path.read_bytes().count(b"\n") - 1, 0) if path.is_file() else 0


def test_a_data_root_missing_on_a_worker_is_an_error_row_naming_the_path(tmp_path, local_ray):
    dataset = crops(tmp_path / "crops", 2, 64)
    args = benchmark.build_parser().parse_args([*grid(dataset, tmp_path / "out", "tv"), "--executor", "ray"])
    plan = benchmark.make_plan(args)
    missing = dataset / "crop01.png"
    missing.unlink()  # listed when the plan was made, gone when the worker reads it
    (tmp_path / "out").mkdir()
    with ResultsFile(tmp_path / "out" / RESULTS_FILE) as results:
        benchmark.run_plan(plan, results, "ray")
    frame = rows(tmp_path / "out")
    failed = frame[frame["image"] == "crop01.png"]
    assert len(frame) == 4 and len(failed) == 2
    assert all(str(missing) in error for error in failed["error"])
    assert set(frame.loc[frame["image"] == "crop00.png", "error"]) == {""}


def test_an_unreachable_cluster_fails_fast_with_one_line(tmp_path):
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "eval.benchmark", "--datasets", "skimage", "--limit", "1", "--methods", "tv",
         "--out", str(tmp_path / "out"), "--executor", "ray", "--address", "127.0.0.1:9"],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert done.returncode == 2
    message = done.stderr.strip().splitlines()[-1]
    assert "no Ray cluster answers at 127.0.0.1:9" in message and "ray start --head" in message
    assert "--executor serial" in message


def test_address_needs_the_ray_executor(capsys):
    with pytest.raises(SystemExit) as stop:
        benchmark.main(["--datasets", "skimage", "--address", "127.0.0.1:6379"])
    assert stop.value.code == 2 and "--address applies to --executor ray" in capsys.readouterr().err


def test_the_library_and_the_demo_never_import_ray():
    code = "import sys, restore_core, demo.app, eval.benchmark; sys.exit('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, env=ENV, check=False).returncode == 0


def test_the_suite_hands_its_executor_to_every_benchmark():
    from eval import suite

    args = suite.build_parser().parse_args(["--executor", "ray", "--address", "10.0.0.1:6379"])
    assert suite.executor_arguments(args) == ["--executor", "ray", "--address", "10.0.0.1:6379"]
    assert suite.executor_arguments(suite.build_parser().parse_args([])) == []  # serial: the stored commands as today
