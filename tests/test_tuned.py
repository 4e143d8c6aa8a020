"""The fitted constants: the library reads them from restore_core/tuned.json, which only the tuning tools write."""

from __future__ import annotations

import shutil

import pytest

from restore_core import tuned
from restore_core.methods.deconvolution import auto_balance, auto_rl_iterations


@pytest.fixture
def scratch_file(tmp_path, monkeypatch):
    """A copy of the data file in place of the library's, with the caches emptied before and after."""
    copy = tmp_path / "tuned.json"
    shutil.copyfile(tuned.TUNED_FILE, copy)
    monkeypatch.setattr(tuned, "TUNED_FILE", copy)
    tuned._document.cache_clear()
    tuned.tuned_rule.cache_clear()
    yield copy
    tuned._document.cache_clear()
    tuned.tuned_rule.cache_clear()


def test_the_automatic_rules_are_the_data_files():
    rule = tuned.tuned_rule("auto_rl_iterations")  # tools.tune_classical reads its clip range from here too
    assert auto_rl_iterations(7.65) == rule(7.65) == round(rule.a * 3**rule.b)
    assert auto_rl_iterations(1e-3) == rule.clip[1] and auto_rl_iterations(1e6) == rule.clip[0] and rule.integer
    assert auto_balance(2.55) == tuned.tuned_rule("auto_balance").a


def test_the_writers_replace_only_their_entries(scratch_file):
    before = tuned.tuned_setting("pnp_unet", "sigma_end")
    tv_weight = tuned.tuned_rule("auto_tv_weight").a
    tuned.write_rules({"auto_balance": {"method": "wiener", "a": 0.01, "b": 2.0, "reference": 2.55, "fitted": "x"}})
    tuned.write_settings("pnp_unet", {"lam": {"value": 0.5, "fitted": "x"}})
    tuned._document.cache_clear()
    tuned.tuned_rule.cache_clear()
    assert tuned.tuned_rule("auto_balance")(5.1) == pytest.approx(0.04)
    assert tuned.tuned_rule("auto_tv_weight").a == tv_weight  # untouched
    assert tuned.tuned_setting("pnp_unet", "lam") == 0.5 and tuned.tuned_setting("pnp_unet", "sigma_end") == before
