"""The task declarations: the README's worked example of a new task, and no consumer branching on task names."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import skimage.data

import restore_core as rc
from restore_core.datasteps import ConjugateGradientStep
from restore_core.methods.denoising import tv_denoise
from restore_core.pnp import hqs
from restore_core.tasks import PARAMETER_WORDS, TASK_REGISTRY

ROOT = Path(__file__).resolve().parents[1]


def readme_task_example() -> str:
    """The Python block of the README's *Adding a task* section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Adding a task") :]
    return section[section.index("```python\n") + 10 : section.index("```\n", section.index("```python"))]


@pytest.fixture
def binning():
    """The README's example task, registered for one test."""
    namespace: dict = {}
    try:
        exec(compile(readme_task_example(), "README.md", "exec"), namespace)
        yield namespace["Binning"]
    finally:
        TASK_REGISTRY.pop("bin", None)


def test_the_readme_example_adds_a_task_that_simulates_checks_and_is_inverted_by_plug_and_play(binning):
    clean = rc.to_float(skimage.data.camera())[128:224, 160:256]
    observation = rc.degrade(clean, "bin", scale=2, sigma=1.0, seed=0)
    assert observation.image.shape == (48, 48) and observation.clean_shape == (96, 96)
    assert isinstance(observation.operator.data_step(observation.image), ConjugateGradientStep)
    start = rc.get_task("bin").initial_estimate(observation)
    restored = hqs(observation, lambda image, sigma: tv_denoise(image, sigma))
    assert restored.shape == clean.shape
    assert rc.psnr(clean, restored) > rc.psnr(clean, np.clip(start, 0, 1)) + 0.5
    with pytest.raises(rc.RestoreError, match="multiples of 2"):
        rc.degrade(clean[:95], "bin", scale=2)
    with pytest.raises(rc.RestoreError, match="only deblur and sr do"):
        rc.degrade(clean, "bin", scale=2, kernel=rc.gaussian_kernel(1.0))
    with pytest.raises(rc.RestoreError, match="scale must be one of"):
        rc.degrade(clean, "bin")
    real = rc.Observation(observation.image, "bin", rc.get_task("bin").restored_shape((48, 48), {"scale": 2}), scale=2)
    assert real.clean_shape == (96, 96)
    assert "bin" not in rc.TASKS  # registered for this test only: the built-in tuple is unchanged


def test_every_declaration_is_complete():
    options = [task.protocol.option for task in TASK_REGISTRY.values()]
    assert len(set(options)) == len(options)
    for name, task in TASK_REGISTRY.items():
        assert task.name == name and task.label and set(task.accepts) <= set(PARAMETER_WORDS)
        assert task.protocol.defaults and task.protocol.label(task.protocol.defaults[0])
        assert task.preferred_methods and all(name in rc.get_method(m).tasks for m in task.preferred_methods), name


def test_no_consumer_branches_on_a_task_name():
    branch = re.compile(r"""\btask\s*(==|!=)\s*["']|(?<!for )\btask\s+(not\s+)?in\s+\(\s*["']""")
    offenders = []
    for folder in ("restore_core", "eval", "demo", "tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "tasks" in path.relative_to(ROOT).parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if branch.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "ask the task declaration instead:\n" + "\n".join(offenders)
