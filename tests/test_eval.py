"""Tests of the benchmark harness ``eval``: the CLI end to end, resuming, failures, datasets and protocols.

All but the Set5 test run on the built-in ``skimage`` dataset with one or two
images and cheap methods, so the file takes seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import restore_core as rc
from eval import benchmark, datasets, examples, protocols
from eval.results import RESULTS_FILE, read_results
from restore_core import registry
from restore_core.device import DEVICE_CHOICES, PRECISIONS

SUMMARIES = ("summary.json", "summary.md", "summary.html", "header.json", "psnr_vs_level.png", "psnr_vs_runtime.png")
THROWAWAY = "eval_test_throwaway"


def run_cli(out: Path, *options: str, limit: int = 1) -> int:
    """``python -m eval.benchmark`` on the first ``limit`` built-in images, writing into ``out``."""
    return benchmark.main(["--datasets", "skimage", "--limit", str(limit), "--out", str(out), *options])


def results(out: Path) -> pd.DataFrame:
    """Every line of ``results.csv`` (empty cells as empty strings)."""
    return pd.read_csv(out / RESULTS_FILE, keep_default_na=False)


def summary(out: Path) -> list[dict]:
    """The records of ``summary.json``."""
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a test register throwaway methods: the registry is a private copy, restored afterwards."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))


def test_denoise_end_to_end_writes_all_outputs(tmp_path, capsys):
    assert run_cli(tmp_path, "--task", "denoise", "--sigmas", "25", "--methods", "identity", "tv") == 0
    for name in (RESULTS_FILE, *SUMMARIES):
        assert (tmp_path / name).is_file(), name
    rows = results(tmp_path)
    assert list(rows["method"]) == ["identity", "tv"]
    assert set(rows["level"]) == {"σ=25"} and set(rows["error"]) == {""}
    assert rows["psnr"].iloc[1] > rows["psnr"].iloc[0] + 5
    records = summary(tmp_path)
    assert [(r["method"], r["family"], r["sigma"], r["n"], r["failed"]) for r in records] == [
        ("identity", "classical", 25.0, 1, 0),
        ("tv", "classical", 25.0, 1, 0),
    ]
    markdown = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "Protocol" in markdown and "skimage σ=25" in markdown and f"**{records[1]['psnr']:.2f}**" in markdown
    assert "![psnr_vs_level.png](psnr_vs_level.png)" in markdown
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    crops = tmp_path / "examples" / "skimage" / "camera" / "s25"
    assert sorted(path.name for path in crops.iterdir()) == ["clean.png", "degraded.png", "identity.png", "tv.png"]
    for name in ("clean", "degraded", "tv"):
        assert f'src="examples/skimage/camera/s25/{name}.png"' in page
        assert rc.load_image(crops / f"{name}.png").shape == (128, 128)
    assert "### PSNR (dB)" in capsys.readouterr().out


def test_example_window_is_the_most_detailed_part():
    image = np.zeros((300, 200), np.float32)
    image[200:240, 40:80] = np.indices((40, 40)).sum(axis=0) % 2
    window = examples.detail_window(image, side=64)
    assert (window.height, window.width) == (64, 64)
    assert window.top <= 200 and window.top + 64 >= 240 and window.left <= 40 and window.left + 64 >= 80
    assert examples.detail_window(image[:50, :30]) == examples.Window(0, 0, 50, 30)
    assert examples.slug("k1 σ=2.55") == "k1_s2.55" and examples.slug("50% missing") == "50pct_missing"


def test_sr_end_to_end_measures_cropped_y(tmp_path):
    assert run_cli(tmp_path, "--task", "sr", "--scales", "2", "4", "--methods", "bicubic", "nearest") == 0
    rows = results(tmp_path)
    assert list(rows["level"]) == ["×2", "×2", "×4", "×4"]
    assert list(rows["scale"]) == [2, 2, 4, 4]
    for name in SUMMARIES:
        assert (tmp_path / name).is_file(), name
    image = datasets.skimage_photo("camera")
    level = protocols.build_levels("sr", [4])[0]
    observation = protocols.observe("sr", image, level, seed=0)
    expected = rc.psnr(image, rc.quantize(rc.restore(observation, "bicubic")), y_channel=True, crop=4)
    assert rows["psnr"].iloc[2] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("options", "label"),
    [
        (
            ("--task", "deblur", "--kernels", "gauss1.6", "--noise-sigma", "7.65", "--methods", "wiener"),
            "gauss1.6 σ=7.65",
        ),
        (("--task", "jpeg", "--qualities", "10", "--methods", "identity"), "q=10"),
        (("--task", "inpaint", "--ratios", "0.5", "--methods", "identity"), "50% missing"),
        (("--task", "sr", "--scales", "4", "--kernels", "gauss1.6", "--methods", "bicubic"), "×4 gauss1.6"),
    ],
)
def test_other_tasks_run_without_a_data_root(tmp_path, monkeypatch, options, label):
    monkeypatch.delenv(datasets.DATA_ROOT_ENV, raising=False)
    assert run_cli(tmp_path, *options) == 0
    assert list(results(tmp_path)["level"]) == [label]


def test_rerun_skips_finished_rows_and_overwrite_reruns(tmp_path, restore_calls):
    options = ("--task", "denoise", "--sigmas", "15", "25", "--methods", "identity", "tv")
    assert run_cli(tmp_path, *options) == 0
    assert len(restore_calls) == 4
    assert run_cli(tmp_path, *options) == 0
    assert len(restore_calls) == 4
    assert len(results(tmp_path)) == 4
    assert run_cli(tmp_path, *options, "--overwrite") == 0
    assert len(restore_calls) == 8
    assert len(results(tmp_path)) == 4


def test_interrupted_run_resumes_after_a_half_written_line(tmp_path, restore_calls):
    options = ("--task", "denoise", "--sigmas", "25", "--methods", "identity", "tv")
    assert run_cli(tmp_path, *options) == 0
    path = tmp_path / RESULTS_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]) + lines[-1][:20], encoding="utf-8")
    assert run_cli(tmp_path, *options) == 0
    assert restore_calls == ["identity", "tv", "tv"]
    assert list(results(tmp_path)["method"]) == ["identity", "tv"]


def test_failing_method_records_an_error_row_and_exits_1(tmp_path, isolated_registry, capsys):
    @rc.register(THROWAWAY, "Always fails", "classical", ["denoise"])
    def always_fails(observation: rc.Observation) -> np.ndarray:
        raise RuntimeError("boom\non two lines")

    options = ("--task", "denoise", "--sigmas", "25", "--methods", "identity", THROWAWAY)
    assert run_cli(tmp_path, *options) == 1
    rows = results(tmp_path).set_index("method")
    assert rows.loc[THROWAWAY, "error"] == "RuntimeError: boom on two lines"
    assert rows.loc[THROWAWAY, "psnr"] == "" and rows.loc["identity", "error"] == ""
    failed = next(record for record in summary(tmp_path) if record["method"] == THROWAWAY)
    assert failed["psnr"] is None and failed["n"] == 0 and failed["failed"] == 1
    assert "—" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "RuntimeError: boom" in capsys.readouterr().out
    assert run_cli(tmp_path, *options) == 1, "failed runs are retried, and fail again"
    assert len(read_results(tmp_path / RESULTS_FILE)) == 2


def test_partly_failed_cell_is_marked_in_the_summary(tmp_path, isolated_registry):
    @rc.register(THROWAWAY, "Fails on the moon", "classical", ["denoise"])
    def fails_on_moon(observation: rc.Observation) -> np.ndarray:
        if observation.seed == 1:
            raise ValueError("no moon")
        return observation.image

    assert run_cli(tmp_path, "--task", "denoise", "--sigmas", "25", "--methods", THROWAWAY, limit=2) == 1
    assert summary(tmp_path)[0]["n"] == 1 and summary(tmp_path)[0]["failed"] == 1
    assert "†" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_device_and_precision_are_passed_to_methods_that_take_them(tmp_path, isolated_registry):
    seen = []

    @rc.register(
        THROWAWAY,
        "Records its device and precision",
        "learned",
        ["denoise"],
        [rc.Param("device", "auto", "choice", choices=DEVICE_CHOICES),
         rc.Param("precision", "float32", "choice", choices=PRECISIONS)],
    )  # fmt: skip
    def records_device(observation: rc.Observation, device: str, precision: str) -> np.ndarray:
        seen.append((device, precision))
        return observation.image

    assert run_cli(tmp_path, "--task", "denoise", "--sigmas", "25", "--methods", "all-learned", "--device", "cpu") == 0
    assert seen == [("cpu", "float32")]
    assert results(tmp_path)["device"].iloc[0].startswith("cpu") and "bfloat16" not in results(tmp_path)["device"][0]
    options = ("--task", "denoise", "--sigmas", "25", "--methods", "all-learned", "identity", "--precision", "bfloat16")
    assert run_cli(tmp_path / "fast", *options) == 0
    assert seen[-1] == ("auto", "bfloat16")  # identity takes neither setting, and is still run
    assert set(results(tmp_path / "fast")["device"].str.endswith(", bfloat16")) == {True}


def test_same_command_twice_gives_identical_numbers(tmp_path):
    options = ("--task", "denoise", "--sigmas", "25", "--methods", "identity", "tv")
    runs = [tmp_path / "first", tmp_path / "second", tmp_path / "other_seed"]
    for out, seed in zip(runs, ("0", "0", "7"), strict=True):
        assert run_cli(out, *options, "--seed", seed, limit=2) == 0
    first, second, other = (results(out) for out in runs)
    assert first["psnr"].tolist() == second["psnr"].tolist()
    assert first["ssim"].tolist() == second["ssim"].tolist()
    assert list(first["seed"]) == [0, 0, 1, 1] and list(other["seed"]) == [7, 7, 8, 8]
    assert first["psnr"].iloc[0] != other["psnr"].iloc[0]


def test_unknown_dataset_raises_listing_the_known_ones(tmp_path, capsys):
    with pytest.raises(rc.RestoreError, match=r"unknown dataset 'NoSuchSet'.*skimage, Set12"):
        datasets.open_dataset("NoSuchSet", None)
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(["--task", "denoise", "--datasets", "NoSuchSet", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "unknown dataset 'NoSuchSet'" in capsys.readouterr().err


def test_missing_and_empty_dataset_folders_raise(tmp_path):
    (tmp_path / "test" / "Set12").mkdir(parents=True)
    with pytest.raises(rc.RestoreError, match=r"Set5 not found at .*present under .*: Set12; download it from"):
        datasets.open_dataset("Set5", tmp_path)
    with pytest.raises(rc.RestoreError, match="no images"):
        datasets.open_dataset("set12", tmp_path)
    with pytest.raises(rc.RestoreError, match="pass --data-root"):
        datasets.open_dataset("Set5", None)


def test_any_folder_is_a_dataset(tmp_path):
    rc.save_image(datasets.skimage_photo("moon")[:32, :32], tmp_path / "b.png")
    rc.save_image(datasets.skimage_photo("camera")[:32, :48], tmp_path / "a.png")
    dataset = datasets.open_dataset(str(tmp_path), None)
    assert [(image.name, image.index) for image in dataset.images] == [("a.png", 0), ("b.png", 1)]
    assert dataset.images[0].load().shape == (32, 48)


def test_builtin_dataset_is_small_and_8_bit():
    dataset = datasets.open_dataset("skimage", None)
    assert [image.name for image in dataset.images] == list(datasets.SKIMAGE_PHOTOS)
    chelsea = dataset.images[4].load()
    assert chelsea.shape == (datasets.SKIMAGE_SIDE,) * 2 + (3,)
    np.testing.assert_array_equal(chelsea, rc.quantize(chelsea))


def test_kernels_builtin_and_unknown():
    kernels = datasets.load_kernels(["gauss1.6", "disk3"], None)
    assert kernels["gauss1.6"].shape == (25, 25)
    with pytest.raises(rc.RestoreError, match="unknown kernel k9"):
        datasets.load_kernels(["k9"], None)
    with pytest.raises(rc.RestoreError, match=r"levin8\.npz"):
        datasets.load_kernels(["k1"], None)


def test_options_of_another_task_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(["--task", "denoise", "--scales", "2", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "--scales applies to --task sr" in capsys.readouterr().err


def test_method_selection(isolated_registry):
    names = [method.name for method in benchmark.select_methods("sr", ["bicubic", "all-classical"])]
    assert names[0] == "bicubic" and len(names) == len(set(names)) == len(rc.list_methods("sr", "classical"))
    registry._REGISTRY = {name: method for name, method in registry._REGISTRY.items() if method.family == "classical"}
    assert [m.name for m in benchmark.select_methods("jpeg", ["identity", "all-learned"])] == ["identity"]
    with pytest.raises(rc.RestoreError, match="all-learned selects no method"):
        benchmark.select_methods("jpeg", ["all-learned"])
    with pytest.raises(rc.RestoreError, match="bicubic does not do denoise"):
        benchmark.select_methods("denoise", ["bicubic"])


def test_level_labels_and_parameters():
    kernels = {"k1": rc.gaussian_kernel(1.0)}
    assert [level.label for level in protocols.build_levels("denoise", [25], clip=True)] == ["σ=25 clipped"]
    deblur = protocols.build_levels("deblur", ["k1"], kernels=kernels)
    assert [level.label for level in deblur] == ["k1 σ=2.55", "k1 σ=7.65"]
    assert [level.sigma for level in protocols.build_levels("deblur", ["k1"], noise_sigmas=[0], kernels=kernels)] == [0]
    reflect = protocols.build_levels("deblur", ["k1"], noise_sigmas=[2.55], kernels=kernels, boundary="reflect")
    assert [level.label for level in reflect] == ["k1 σ=2.55 reflect"]
    assert protocols.observe("deblur", datasets.skimage_photo("camera"), reflect[0], seed=0).boundary == "reflect"
    assert protocols.observe("deblur", datasets.skimage_photo("camera"), deblur[0], seed=0).boundary == "circular"
    assert protocols.build_levels("sr", [4], noise_sigmas=[5])[0].columns() == {
        "sigma": 5.0,
        "kernel": None,
        "scale": 4,
        "quality": None,
        "ratio": None,
    }
    blurred = protocols.build_levels("sr", [2, 4], kernels=kernels)
    assert [(level.label, level.kernel, level.scale) for level in blurred] == [("×2 k1", "k1", 2), ("×4 k1", "k1", 4)]
    observation = protocols.observe("sr", datasets.skimage_photo("camera"), blurred[1], seed=0)
    assert observation.image.shape == (48, 48) and observation.kernel.shape == kernels["k1"].shape
    assert protocols.build_levels("jpeg", [10], color=True)[0].label == "q=10 RGB"
    assert protocols.build_levels("inpaint", [0.8])[0].label == "80% missing"


def test_jpeg_ground_truth_is_the_8_bit_luma():
    image = datasets.skimage_photo("astronaut")
    level = protocols.build_levels("jpeg", [10])[0]
    gray = protocols.ground_truth("jpeg", image, level)
    np.testing.assert_array_equal(gray, rc.quantize(rc.rgb_to_y(image)))
    assert protocols.ground_truth("jpeg", image, level, color=True) is image


def test_set5_bicubic_x4_matches_published(tmp_path, data_root):
    if not (data_root / "test" / "Set5").is_dir():
        pytest.skip(f"Set5 not found under {data_root}/test")
    code = benchmark.main(
        ["--task", "sr", "--datasets", "Set5", "--scales", "4", "--methods", "bicubic"]
        + ["--data-root", str(data_root), "--out", str(tmp_path)]
    )
    assert code == 0
    [record] = summary(tmp_path)
    assert record["n"] == 5
    assert record["psnr"] == pytest.approx(28.42, abs=0.03)
