"""Shared fixtures: small images from scikit-image, the optional dataset root, a record of restore calls,
and the golden PSNR of every method (``--update-golden`` rewrites it)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
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


#: Golden PSNR (dB) of every method x task x image of ``tests/test_methods.py``: a re-fit or a change that costs
#: more than :data:`GOLDEN_TOLERANCE` dB fails CI.
GOLDEN_FILE = Path(__file__).with_name("golden_psnr.json")
GOLDEN_TOLERANCE = 0.05
GOLDEN_COMMAND = "python -m pytest tests/test_methods.py -k beats_the_degraded_input --update-golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden``: record the measured PSNRs in :data:`GOLDEN_FILE` instead of checking them."""
    parser.addoption("--update-golden", action="store_true", help=f"rewrite {GOLDEN_FILE.name} from this run")


@dataclass
class Golden:
    """The stored golden PSNRs, checked (or, when ``updating``, recorded) by :meth:`check`."""

    stored: dict[str, float]
    updating: bool
    measured: dict[str, float] = field(default_factory=dict)

    def check(self, key: str, value: float) -> None:
        """Record ``value`` when updating, else assert it is within :data:`GOLDEN_TOLERANCE` of the stored one."""
        if self.updating:
            self.measured[key] = round(value, 4)
            return
        assert key in self.stored, f"no golden PSNR for {key}: run `{GOLDEN_COMMAND}`"
        assert abs(value - self.stored[key]) <= GOLDEN_TOLERANCE, (
            f"{key}: {value:.4f} dB, golden {self.stored[key]:.4f} dB (± {GOLDEN_TOLERANCE}); "
            f"if the change is intended, run `{GOLDEN_COMMAND}`"
        )


@pytest.fixture(scope="session")
def golden_psnr(request: pytest.FixtureRequest) -> Iterator[Golden]:
    """The golden PSNRs; with ``--update-golden``, those measured are merged into :data:`GOLDEN_FILE` at the end."""
    stored = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))["psnr"] if GOLDEN_FILE.is_file() else {}
    golden = Golden(stored, request.config.getoption("--update-golden"))
    yield golden
    if golden.updating and golden.measured:
        psnr = dict(sorted({**stored, **golden.measured}.items()))
        document = {"command": GOLDEN_COMMAND, "tolerance_db": GOLDEN_TOLERANCE, "psnr": psnr}
        GOLDEN_FILE.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
