"""Expected run times: the measured cost file covers the registry and predicts sensibly (nothing is timed here)."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

import restore_core as rc
from restore_core import costs
from restore_core.pnp import DEFAULT_ITERATIONS
from tools.bench_costs import fit

PAIRS = [(method.name, task) for method in rc.list_methods() for task in method.tasks]
SHAPES = {"gray": (256, 256), "color": (256, 256, 3)}


@pytest.mark.parametrize(("method", "task"), PAIRS)
@pytest.mark.parametrize("kind", SHAPES)
def test_every_method_and_task_has_a_positive_cost_growing_with_size(method, task, kind):
    channels = SHAPES[kind][2:]
    small, large = (rc.expected_seconds(method, task, (side, side, *channels)) for side in (64, 1024))
    assert 0 < small < large < math.inf


def test_method_entry_gives_the_same_prediction():
    assert rc.get_method("tv_deconv").expected_seconds("deblur", (300, 200, 3)) == rc.expected_seconds(
        "tv_deconv", "deblur", (300, 200, 3)
    )


def test_colour_costs_at_least_about_as_much_as_gray_for_bm3d():
    assert rc.expected_seconds("bm3d", "denoise", (512, 512, 3)) >= 0.9 * rc.expected_seconds(
        "bm3d", "denoise", (512, 512)
    )


def test_iteration_count_scales_the_per_pixel_part_linearly():
    def seconds(num_iter):
        return rc.expected_seconds("tv_deconv", "deblur", (512, 512), {"num_iter": num_iter})

    assert seconds(100) == rc.expected_seconds("tv_deconv", "deblur", (512, 512))
    assert seconds(400) > seconds(200) > seconds(100)
    assert seconds(400) - seconds(200) == pytest.approx(2 * (seconds(200) - seconds(100)))


@pytest.mark.parametrize("method", ["pnp_tv", "pnp_bm3d"])
@pytest.mark.parametrize("task", sorted(DEFAULT_ITERATIONS))
def test_automatic_iterations_are_the_measured_default(method, task):
    automatic = rc.expected_seconds(method, task, (256, 256))
    assert rc.expected_seconds(method, task, (256, 256), {"iterations": DEFAULT_ITERATIONS[task]}) == automatic
    assert rc.expected_seconds(method, task, (256, 256), {"iterations": 2 * DEFAULT_ITERATIONS[task]}) > automatic


def test_other_parameters_leave_the_prediction_alone():
    default = rc.expected_seconds("bm3d", "denoise", (256, 256))
    assert rc.expected_seconds("bm3d", "denoise", (256, 256), {"sigma_factor": 2.0}) == default


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("no_such_method", "denoise", (64, 64)), "unknown method"),
        (("bm3d", "no_such_task", (64, 64)), "unknown task"),
        (("bm3d", "deblur", (64, 64)), "does not support"),
        (("bm3d", "denoise", (64, 64, 4)), "clean shape"),
        (("bm3d", "denoise", (64, 64), {"sigma_factor": "x"}), "must be a number"),
        (("bm3d", "denoise", (64, 64), {"no_such_param": 1}), "has no parameter"),
    ],
)
def test_bad_requests_raise_restore_error(arguments, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.expected_seconds(*arguments)


def test_a_method_missing_from_the_file_names_the_command(monkeypatch):
    monkeypatch.setattr(costs, "load_costs", lambda: {"methods": {}, "runs": []})
    with pytest.raises(rc.RestoreError, match=r"python -m tools\.bench_costs --methods bm3d"):
        rc.expected_seconds("bm3d", "denoise", (64, 64))


def test_the_file_describes_the_machine_and_command():
    runs = costs.load_costs()["runs"]
    assert runs
    for run in runs:
        assert run["command"].startswith("python -m tools.bench_costs")
        assert run["machine"]["cpu_count"] >= 1 and run["machine"]["torch_threads"] >= 1
        assert len(run["loadavg_start"]) == len(run["loadavg_end"]) == 3
        assert run["date"] and run["measured"]


def test_the_package_ships_the_costs_file():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert costs.COSTS_FILE.name in pyproject["tool"]["setuptools"]["package-data"]["restore_core"]


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        ([1.0, 4.0], (0.0, 1e6 / 32**2)),  # proportional to the pixels
        ([2.0, 2.0], (2.0, 0.0)),  # constant
        ([3.0, 1.0], (2.0, 0.0)),  # shrinking (noise): constant at the mean
        ([0.0, 8.0], (0.0, 8.0 * 64**2 / (32**4 + 64**4) * 1e6)),  # negative overhead: through the origin
    ],
)
def test_fit_clamps_overhead_and_slope_at_zero(seconds, expected):
    overhead, per_megapixel = fit([32, 64], seconds)
    assert overhead >= 0 and per_megapixel >= 0
    assert (overhead, per_megapixel) == pytest.approx(expected, abs=1e-6)
