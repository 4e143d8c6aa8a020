"""The quality–speed front of the colour denoisers (``python -m tools.pareto_denoisers``)."""

from __future__ import annotations

import pytest

from tools import pareto_denoisers


def test_a_model_is_off_the_front_only_when_another_is_faster_and_as_good_on_every_set():
    points = [
        (0.1, (30.0, 32.0)),  # fastest
        (0.3, (31.0, 31.0)),  # better on the first set only: stays
        (0.4, (30.5, 30.5)),  # slower than the second and worse on both: off
        (0.9, (31.0, 33.0)),  # slowest, best on both: stays
        (0.9, (31.0, 33.0)),  # a tie does not dominate
    ]
    assert pareto_denoisers.pareto(points) == [True, True, False, True, True]


def test_the_table_lists_each_set_at_each_level_and_marks_the_front():
    scores = {"CBSD68": [33.78, 31.13, 27.91], "McMaster": [34.1, 31.9, 28.6]}
    rows = [
        ("small (colour)", 490_767, 7_604, {"float32": 0.088, "bfloat16": 0.05}, scores),
        ("large (colour)", 1_959_579, 40_000, {"float32": 0.29, "bfloat16": 0.146}, scores),
    ]
    counts = {"CBSD68": 68, "McMaster": 18}
    table = pareto_denoisers.markdown_table(rows, [True, False], ["float32", "bfloat16"], counts)
    header, rule, first, second = table.splitlines()
    assert "CBSD68 σ 15 / 25 / 50 (68 images)" in header and "McMaster σ 15 / 25 / 50 (18 images)" in header
    assert header.count("|") == rule.count("|") == first.count("|")
    assert first == (
        "| small (colour) | 490,767 | 7,604 | 0.088 / 0.050 | 33.78 / 31.13 / 27.91 | 34.10 / 31.90 / 28.60 | yes |"
    )
    assert second.endswith("|  |")


def test_the_readme_table_is_written_for_whole_sets_only(capsys):
    with pytest.raises(SystemExit) as stop:
        pareto_denoisers.main(["--data-root", ".", "--limit", "2", "--readme"])
    assert stop.value.code == 2 and "--readme writes whole-set runs only" in capsys.readouterr().err


def test_a_colour_model_card_states_the_whole_comparison_and_names_its_row():
    section = pareto_denoisers.card_section("unet_color (colour)", "Measured by `python -m tools.x`.", "| a |")
    assert section.startswith("## Measured test results\n\nMeasured by `python -m tools.x`. This model is the row")
    assert "`unet_color (colour)`" in section and section.endswith("| a |")
