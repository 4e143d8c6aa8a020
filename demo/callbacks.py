"""Event handlers of the demo: control visibility and the arena run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd

import restore_core as rc

from .degradation import DEFAULT_NOISE, KERNEL_PARAMETERS, KERNEL_SETTINGS, Degradation, metric_options
from .inputs import UPLOAD, input_image
from .method_choices import default_methods, method_choices, selected_methods

#: Tasks with their own group of controls, in the order of the groups' visibility updates.
TASK_GROUPS = ("deblur", "sr", "jpeg", "inpaint")
#: Columns of the metrics table.
COLUMNS = ("Method", "Family", "PSNR (dB)", "SSIM", "Seconds")


@dataclass(frozen=True)
class Result:
    """One method's restoration with its scores."""

    method: rc.Method
    image: np.ndarray
    psnr: float
    ssim: float
    seconds: float

    def caption(self) -> str:
        """Gallery caption: ``"Method — PSNR dB / SSIM / seconds"``."""
        return f"{self.method.display_name} — {self.psnr:.2f} dB / {self.ssim:.4f} / {self.seconds:.2f} s"

    def row(self) -> list[Any]:
        """Metrics-table row of plain Python values (NumPy floats reach clients as strings)."""
        return [
            self.method.display_name,
            self.method.family,
            round(float(self.psnr), 2),
            round(float(self.ssim), 4),
            round(float(self.seconds), 3),
        ]


def upload_visibility(source: str) -> dict[str, Any]:
    """Show the upload box only when the source is the upload option."""
    return gr.update(visible=source == UPLOAD)


def method_checklist(task: str) -> dict[str, Any]:
    """The method checklist of a task: its methods as choices, its default methods checked."""
    return gr.update(choices=method_choices(task), value=default_methods(task))


def task_updates(task: str) -> tuple[dict[str, Any], ...]:
    """Updates when the task changes.

    Returns
    -------
    tuple of dict
        The noise slider's value, the method checklist (choices and defaults), then the
        visibility of each group of :data:`TASK_GROUPS`.
    """
    return (
        gr.update(value=DEFAULT_NOISE[task]),
        method_checklist(task),
        *(gr.update(visible=task == group) for group in TASK_GROUPS),
    )


def kernel_visibility(kernel_type: str) -> tuple[dict[str, Any], ...]:
    """Visibility of each of :data:`KERNEL_PARAMETERS`: only the chosen kernel's settings show."""
    used = KERNEL_SETTINGS.get(kernel_type, ())
    return tuple(gr.update(visible=name in used) for name in KERNEL_PARAMETERS)


def describe_failure(error: Exception) -> str:
    """User-facing text for an exception: library messages as they are, others with their type."""
    return str(error) if isinstance(error, rc.RestoreError) else f"{type(error).__name__}: {error}"


def restore_one(observation: rc.Observation, clean: np.ndarray, method: rc.Method) -> Result | None:
    """Restore with one method and score it; on failure warn and return None."""
    try:
        start = time.perf_counter()
        image = rc.restore(observation, method.name)
        seconds = time.perf_counter() - start
        options = metric_options(observation)
        return Result(method, image, rc.psnr(clean, image, **options), rc.ssim(clean, image, **options), seconds)
    except Exception as error:  # any failure of one method must leave the others running
        gr.Warning(f"{method.display_name} failed: {describe_failure(error)}")
        return None


def results_table(results: list[Result]) -> pd.DataFrame:
    """The metrics table, one row per successful method."""
    return pd.DataFrame([result.row() for result in results], columns=list(COLUMNS))


def run_arena(
    source: str,
    upload: np.ndarray | None,
    task: str,
    noise_sigma: float,
    kernel_type: str,
    gaussian_sigma: float,
    disk_radius: float,
    motion_length: float,
    motion_angle: float,
    shake_seed: int,
    scale: int,
    quality: int,
    mask_type: str,
    mask_ratio: float,
    seed: int,
    methods: list[str] | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio's way of asking for a progress bar)
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, str]], pd.DataFrame]:
    """Degrade the chosen image and restore it with every chosen method (the ``restore`` endpoint).

    Parameters
    ----------
    source : str
        A sample name, or :data:`~demo.inputs.UPLOAD` to use ``upload``.
    upload : ndarray or None
        The uploaded image.
    task, noise_sigma, kernel_type, gaussian_sigma, disk_radius, motion_length, motion_angle, shake_seed, \
scale, quality, mask_type, mask_ratio, seed
        The degradation settings (see :class:`~demo.degradation.Degradation`).
    methods : list of str or None
        Names of the methods to run; each uses its default parameters.
    progress : gr.Progress
        Progress bar, advanced once per method.

    Returns
    -------
    tuple
        The clean reference and the degraded input (8-bit), the gallery of
        ``(image, caption)`` pairs and the metrics table.

    Raises
    ------
    gr.Error
        For a missing or unusable image, bad settings or no valid method; a method
        that fails only raises a warning.
    """
    settings = Degradation(
        task, noise_sigma, kernel_type, gaussian_sigma, disk_radius, motion_length, motion_angle,
        shake_seed, scale, quality, mask_type, mask_ratio, seed,
    )  # fmt: skip
    try:
        clean = input_image(source, upload)
        observation = settings.observe(clean)
        chosen = selected_methods(methods, task)
    except rc.RestoreError as error:
        raise gr.Error(str(error)) from error
    results = []
    for done, method in enumerate(chosen):
        progress((done, len(chosen)), desc=f"Restoring with {method.display_name}", unit="methods")
        results.append(restore_one(observation, clean, method))
    successes = [result for result in results if result is not None]
    gallery = [(rc.to_uint8(result.image), result.caption()) for result in successes]
    return rc.to_uint8(clean), rc.to_uint8(observation.image), gallery, results_table(successes)
