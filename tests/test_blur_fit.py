"""The parametric blur fit (``rc.fit_blur``, ``method="parametric"``): family and size read off the spectrum."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

import restore_core as rc

CAMERA = rc.to_float(data.camera())


@pytest.mark.parametrize(
    ("truth", "kind"),
    [
        (rc.gaussian_kernel(2.0), "gaussian"),
        (rc.disk_kernel(4.0), "disk"),
        (rc.motion_kernel(15, 30), "motion"),
        (rc.motion_kernel(9, 100), "motion"),
    ],
)
def test_each_family_is_recognised_and_sized(truth, kind):
    observed = rc.degrade(CAMERA, "deblur", kernel=truth, boundary="reflect", sigma=2.55, seed=0).image
    fit = rc.fit_blur(observed, size=31)
    assert fit.kind == kind, fit.describe()
    assert rc.kernel_similarity(fit.kernel, truth) > 0.95


def test_a_sharp_photo_is_left_nearly_alone():
    observed = rc.degrade(rc.to_float(data.astronaut()), "denoise", sigma=2.55, seed=0).image
    kernel = rc.estimate_kernel(observed, size=31, method="parametric")
    assert rc.kernel_similarity(kernel, np.ones((1, 1))) > 0.9


def test_the_estimator_returns_the_fit_and_reports_progress():
    truth = rc.disk_kernel(3.0)
    observed = rc.degrade(rc.to_float(data.astronaut())[::2, ::2], "deblur", kernel=truth, boundary="reflect",
                          sigma=1.0, seed=2).image  # fmt: skip
    calls = []
    kernel = rc.estimate_kernel(observed, size=15, method="parametric", progress=lambda *step: calls.append(step))
    assert kernel.sum() == pytest.approx(1.0) and kernel.shape[0] <= 15
    assert rc.kernel_similarity(kernel, truth) > 0.95
    assert calls and calls[-1][0] == calls[-1][1]


def test_the_fit_says_what_it_found():
    assert rc.BlurFit("motion", {"length": 12.0, "angle": 30.0}).describe() == "linear motion, length 12 px at 30°"
    assert rc.BlurFit("none").describe() == "no blur"


def test_a_support_bound_beyond_the_spectrums_patch_is_capped_there():
    truth = rc.motion_kernel(21, 45)
    observed = rc.degrade(CAMERA, "deblur", kernel=truth, boundary="reflect", sigma=1.0, seed=3).image
    kernel = rc.estimate_kernel(observed, size=151, method="parametric")
    assert kernel.shape[0] <= 65 and rc.kernel_similarity(kernel, truth) > 0.95


@pytest.mark.parametrize(("size", "message"), [(2, "at least 3"), (7.5, "whole number"), (400, "at most a third")])
def test_bad_sizes_are_refused_in_words(size, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.fit_blur(CAMERA, size=size)
