"""The blind-deblurring benchmark (``eval.benchmark --task deblur --blind``): protocol, outputs, resume, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from skimage.data import camera

import restore_core as rc
from eval import benchmark, blind, summary
from eval.results import RESULTS_FILE, read_results

#: One built-in image (192x192) blurred by the built-in linear motion.
TINY = ("--task", "deblur", "--blind", "--datasets", "skimage", "--limit", "1", "--kernels", "motion15")


@pytest.fixture(scope="module")
def blind_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a tiny blind benchmark."""
    out = tmp_path_factory.mktemp("blind")
    assert benchmark.main([*TINY, "--out", str(out)]) == 0
    return out


def test_a_blind_run_records_the_protocols_measures_and_its_reports(blind_run: Path):
    rows = read_results(blind_run / RESULTS_FILE, blind.BLIND_SCHEMA)
    assert len(rows) == len(rc.KERNEL_ESTIMATORS) and set(rows["method"]) == set(rc.KERNEL_ESTIMATORS)
    row = rows.iloc[0]
    assert row["error"] == "" and float(row["sigma"]) == blind.SIGMA and row["kernel"] == "motion15"
    assert float(row["error_ratio"]) > 0 and 0 < float(row["similarity"]) <= 1.0 + 1e-9
    assert float(row["psnr_true"]) > 20  # the fixed deconvolver with the true kernel
    kernel = np.load(blind.kernel_path(blind_run, row.to_dict()), allow_pickle=False)
    assert kernel.sum() == pytest.approx(1.0) and kernel.shape[0] == int(row["support"])
    records = json.loads((blind_run / "summary.json").read_text())
    assert {"success_2", "success_3", "success_5", "psnr", "psnr_true"} <= set(records[0])
    markdown = (blind_run / "summary.md").read_text()
    assert "Sun et al." in markdown and "Deconvolver" in markdown and "ER ≤ 3" in markdown
    assert (blind_run / blind.CURVE_PLOT).stat().st_size > 0 and (blind_run / blind.KERNEL_PLOT).stat().st_size > 0


def test_the_stored_run_gives_the_documents_section_and_summary_rows(blind_run: Path):
    records, header = blind.stored_run(blind_run)
    section = blind.stored_section(blind_run, "results/blind", records, header)
    assert section.startswith("## Blind deblurring (kernel estimated from the blurred image): skimage × motion15")
    assert f"(results/blind/{blind.CURVE_PLOT})" in section
    assert header["Deconvolver"].startswith("wiener")
    rows = summary.blind_rows(records)
    assert len(rows) == len(rc.KERNEL_ESTIMATORS) and all(row.count("|") == 8 for row in rows)
    assert "| skimage × motion15 | `l0` (classical) | 1 |" in rows[0]
    block = summary.summary_block([], [], [records])
    assert "Blind deblurring" in block and rows[-1] in block
    assert blind.stored_run(blind_run.parent) is None


def test_a_rerun_resumes_without_estimating_again(blind_run: Path, monkeypatch: pytest.MonkeyPatch):
    before = (blind_run / RESULTS_FILE).read_bytes()

    def fail(*args, **kwargs):
        raise AssertionError("estimated again")

    monkeypatch.setattr(rc, "estimate_kernel", fail)
    assert benchmark.main([*TINY, "--out", str(blind_run)]) == 0
    assert (blind_run / RESULTS_FILE).read_bytes() == before


def test_the_best_alignment_forgives_a_shift_but_not_a_blur():
    clean = rc.to_float(camera())[150:310, 150:310]
    shifted = np.roll(clean, (3, -2), axis=(0, 1))
    ssd, psnr, _ = blind.aligned_scores(clean, shifted, reach=5)
    assert ssd == pytest.approx(0.0) and psnr > 90
    assert blind.aligned_scores(clean, shifted, reach=1)[0] > 1.0
    blurred = rc.degrade(clean, "deblur", kernel=rc.gaussian_kernel(2.0), boundary="reflect", sigma=0).image
    assert blind.aligned_scores(clean, blurred, reach=5)[0] > 1.0


def test_success_rates_count_problems_at_or_below_each_threshold():
    rows = pd.DataFrame(
        {
            "dataset": "d", "method": "l0", "kernel": ["k1", "k1", "k2", "k2"], "error": "",
            "psnr": "30", "ssim": "0.9", "seconds": "1", "error_ratio": ["1.5", "2.5", "4", "9"],
            "similarity": "0.8", "psnr_true": "31", "ssim_true": "0.9", "support": "15",
        }
    )  # fmt: skip
    plan = blind.BlindPlan((_Dataset("d"),), (), (rc.KERNEL_ESTIMATORS["l0"],), "wiener", 31, 0, "cpu")
    record = blind.summary_records(rows, plan)[0]
    assert (record["success_2"], record["success_3"], record["success_5"]) == (0.25, 0.5, 0.75)
    assert record["success_by_kernel"] == {"k1": 1.0, "k2": 0.0}


class _Dataset:
    def __init__(self, name: str) -> None:
        self.name, self.images = name, ()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--task", "denoise", "--blind"), "--blind applies to --task deblur or jpeg"),
        (("--task", "deblur", "--deconvolver", "wiener"), "--deconvolver applies to --blind"),
        (("--task", "deblur", "--kernel-size", "21"), "--kernel-size applies to --blind"),
        (("--task", "jpeg", "--blind", "--deconvolver", "wiener"), "--deconvolver applies to --blind with --task"),
    ],
)
def test_options_out_of_place_are_refused(capsys: pytest.CaptureFixture[str], arguments, message):
    with pytest.raises(SystemExit) as stop:
        benchmark.main(list(arguments))
    assert stop.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--methods", "magic"), "unknown kernel estimator magic"),
        (("--deconvolver", "bicubic"), "--deconvolver must be a deblurring method"),
        (("--kernel-size", "20"), "--kernel-size must be odd"),
    ],
)
def test_bad_blind_settings_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], options, message):
    with pytest.raises(SystemExit) as stop:
        benchmark.main([*TINY, *options, "--out", str(tmp_path)])
    assert stop.value.code == 2 and message in capsys.readouterr().err
