"""Shared fixtures: small images from scikit-image, the optional dataset root, a record of restore calls."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from skimage import data

import restore_core as rc


@pytest.fixture(scope="session")
def gray() -> np.ndarray:
    """64x64 crop of ``camera`` (float32 in [0, 1])."""
    return rc.to_float(data.camera())[200:264, 220:284].copy()


@pytest.fixture(scope="session")
def color() -> np.ndarray:
    """64x64 crop of ``astronaut`` (float32 RGB in [0, 1])."""
    return rc.to_float(data.astronaut())[100:164, 180:244].copy()


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The dataset root from ``DECONV_DATA``; tests using it skip when it is absent."""
    root = os.environ.get("DECONV_DATA")
    if not root or not Path(root).is_dir():
        pytest.skip("dataset root not found: set DECONV_DATA to the folder holding test/ and kernels/")
    return Path(root)


@pytest.fixture
def restore_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The method names ``rc.restore`` is called with from now on."""
    calls: list[str] = []
    original = rc.restore

    def counting(observation: rc.Observation, method: str, **params: object) -> np.ndarray:
        calls.append(method)
        return original(observation, method, **params)

    monkeypatch.setattr(rc, "restore", counting)
    return calls
