"""Event handlers of the demo: control updates, the live preview and the arena run with its views."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
import time
import zipfile
from dataclasses import asdict, dataclass, fields, replace
from functools import partial
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler
from PIL import Image

import restore_core as rc
from restore_core.workers import Job, Progress, RunCancelled, RunTimedOut, WorkerPool, release_free_memory

from .degradation import CONTROL_GROUPS, KERNEL_PARAMETERS, KERNEL_SETTINGS, Degradation
from .estimates import choice_label, duration, expected_seconds, remaining_seconds, selection_notice
from .inputs import UPLOAD, editor_background, input_image
from .limits import PREVIEWS_AT_ONCE, RECYCLE_BYTES, RUN_SECONDS, RUNS_AT_ONCE, WORKER_MEMORY
from .liveness import client_gone
from .method_choices import default_methods, selected_methods, task_methods
from .method_params import params_for
from .served_files import call_folder
from .views import error_map, kernel_picture, noise_map_picture, spectrum_picture, zoom_crop

#: The error of a run whose page closed (nobody waits for its results).
PAGE_CLOSED = "the run was stopped: its page was closed."

#: Columns of the metrics table (an already degraded photo has no reference: no PSNR/SSIM). Few, so that
#: the scores fit a phone's width; learned methods say "(learned)" in their names.
COLUMNS = ("Method", "PSNR (dB)", "SSIM", "Time (s)")
NO_REFERENCE_COLUMNS = ("Method", "Time (s)")
#: Score columns, where the best value is highlighted.
SCORE_COLUMNS = ("PSNR (dB)", "SSIM")
#: Digits shown per column (scores with the literature's usual precision).
DIGITS = {"PSNR (dB)": 2, "SSIM": 4, "Time (s)": 2}
#: Widths of the table's columns: the method names wrap in the first, the numbers fit a phone's width (a table
#: without scores takes the first two).
COLUMN_WIDTHS = ("34%", "22%", "24%", "20%")
#: How the best score of a column is marked in the table.
BEST_STYLE = "font-weight: bold; background-color: rgba(34, 197, 94, 0.3)"
#: The two comparison targets of the before/after slider (the input first: it is the one every photo has).
AGAINST = ("degraded input", "clean reference")
#: Name of the input in the table, the gallery, the zoom view and the zip.
INPUT_NAME = "Input (degraded)"
#: Label of the noise level map before a run.
NOISE_MAP_LABEL = "Noise level map (after Run)"
NO_REFERENCE = (
    "**Already degraded photo: there is no clean reference, so no PSNR/SSIM is shown** — "
    "judge the results by eye (slider, zoom)."
)


def score_text(psnr: float, ssim: float) -> str:
    """Scores as captions show them: ``"27.67 dB / 0.7692"``."""
    return f"{psnr:.2f} dB / {ssim:.4f}"


@dataclass(frozen=True, eq=False)
class Result:
    """One method's restoration (quantised to the 8-bit levels shown) with its scores."""

    method: rc.Method
    image: np.ndarray
    seconds: float
    psnr: float | None = None
    ssim: float | None = None

    def caption(self) -> str:
        """Gallery caption: ``"Method — PSNR dB / SSIM / seconds"`` (without scores when there is no reference)."""
        scores = "" if self.psnr is None else f"{score_text(self.psnr, self.ssim)} / "
        return f"{self.method.display_name} — {scores}{self.seconds:.2f} s"

    def row(self) -> list[Any]:
        """Metrics-table row of plain Python values (NumPy floats reach clients as strings)."""
        scores = [] if self.psnr is None else [float(self.psnr), float(self.ssim)]
        return [self.method.display_name, *scores, float(self.seconds)]


@dataclass(frozen=True, eq=False)
class Arena:
    """What one run produced, kept per browser session for the slider, zoom and error-map views."""

    clean: np.ndarray | None
    degraded: np.ndarray
    results: tuple[Result, ...]
    input_scores: tuple[float, float] | None = None

    def named(self) -> dict[str, np.ndarray]:
        """Every picture of the run by name: reference, degraded input, then one per method."""
        pictures = {} if self.clean is None else {"clean reference": self.clean}
        pictures["degraded input"] = self.degraded
        pictures.update((result.method.display_name, result.image) for result in self.results)
        return pictures

    def best(self) -> Result:
        """The result the slider opens on: the best PSNR, else (no reference) the first learned result."""
        if self.clean is not None:
            return max(self.results, key=lambda result: result.psnr)
        learned = [result for result in self.results if result.method.family == "learned"]
        return (learned or list(self.results))[0]


def sample_picked(event: gr.SelectData) -> str:
    """The source a click on a sample thumbnail chooses: that sample."""
    return rc.SAMPLE_PHOTOS[event.index]


def source_changed(source: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A sample chosen (thumbnail or example) empties the upload box and marks its thumbnail."""
    if source == UPLOAD:
        return gr.update(), gr.update(selected_index=None)
    index = rc.SAMPLE_PHOTOS.index(source) if source in rc.SAMPLE_PHOTOS else None
    return gr.update(value=None), gr.update(selected_index=index)


def result_shape(source: str, upload: str | None, mode: str, task: str, scale: int) -> tuple[int, ...] | None:
    """Shape of the results a run of these settings gives (None while the image or the scale is unusable)."""
    try:
        image, _ = input_image(source, upload)
        return Degradation(mode=mode, task=task, scale=scale).result_shape(image.shape)
    except (rc.RestoreError, ValueError, TypeError):
        return None


def _method_times(
    methods: list[rc.Method], task: str, shape: tuple[int, ...] | None, method_params: dict[str, Any] | None
) -> list[tuple[rc.Method, float | None]]:
    """Each method with its expected seconds (None when unknown, e.g. an API client's malformed parameters)."""
    try:
        chosen = {method.name: params_for(method_params, method.name) for method in methods}
    except rc.RestoreError:
        chosen = {method.name: {} for method in methods}
    return [(method, expected_seconds(method, task, shape, chosen[method.name])) for method in methods]


def method_checklists(
    task: str, shape: tuple[int, ...] | None = None, method_params: dict[str, Any] | None = None, reset: bool = True
) -> tuple[dict[str, Any], ...]:
    """The classical and learned checklists of a task: its methods labelled with their expected times.

    ``reset`` also ticks the task's default methods (a task change); otherwise only the labels change.
    """
    updates = []
    for family in rc.FAMILIES:
        times = _method_times(task_methods(task, family), task, shape, method_params)
        choices = [(choice_label(method, seconds), method.name) for method, seconds in times]
        values = {"value": default_methods(task, family)} if reset else {}
        updates.append(gr.update(choices=choices, **values))
    return tuple(updates)


def checklist_updates(
    source: str, upload: str | None, mode: str, task: str, scale: int, method_params: dict[str, Any] | None,
    listed_task: str | None,
) -> tuple[Any, ...]:  # fmt: skip
    """Both checklists for the task and image size, then the task they now list.

    The ticks go back to the task's defaults only when ``task`` is not ``listed_task``, the task the
    checklists listed until now (a task change); any other change (image, mode, scale, parameters)
    only relabels the methods with their expected times. The page answers every such change with
    this one function so that the answers arrive in order: an answer for the former task, computed
    while the task was being changed, can never replace the new task's lists.
    """
    shape = result_shape(source, upload, mode, task, scale)
    return (*method_checklists(task, shape, method_params, reset=task != listed_task), task)


def control_groups(task: str) -> tuple[dict[str, Any], ...]:
    """The visibility of each of :data:`CONTROL_GROUPS` for ``task`` (kernel, scale, quality, mask)."""
    return tuple(gr.update(visible=group in rc.get_task(task).needs) for group in CONTROL_GROUPS)


def selection_time(
    source: str, upload: str | None, mode: str, task: str, scale: int, classical: list[str] | None,
    learned: list[str] | None, method_params: dict[str, Any] | None,
) -> str:  # fmt: skip
    """The notice above Run: the ticked methods' expected time, with a warning for a long run."""
    chosen = set(classical or ()) | set(learned or ())
    methods = [method for method in task_methods(task) if method.name in chosen]
    shape = result_shape(source, upload, mode, task, scale)
    return selection_notice(_method_times(methods, task, shape, method_params), shape)


def cleared_results() -> tuple[Any, ...]:
    """The run's outputs emptied (the image changed: the old results no longer belong to it).

    The kernel views are left to the preview, which redraws them for the new image.
    """
    emptied = (None, None, [], None, None, gr.update(choices=[], value=None), gr.update(), None, gr.update())
    return (*emptied, gr.update(), gr.update(), gr.update(value=None, label=NOISE_MAP_LABEL), None)


def noise_default(task: str) -> dict[str, Any]:
    """The noise slider's typical value for a task (applied when the user picks the task)."""
    return gr.update(value=rc.get_task(task).typical_sigma)


def kernel_visibility(kernel_type: str) -> tuple[dict[str, Any], ...]:
    """Visibility of each of :data:`KERNEL_PARAMETERS`: only the chosen kernel's settings show."""
    used = KERNEL_SETTINGS.get(kernel_type, ())
    return tuple(gr.update(visible=name in used) for name in KERNEL_PARAMETERS)


def mode_visibility(mode: str) -> tuple[dict[str, Any], ...]:
    """Controls that depend on the mode: the noise-estimate checkbox, the seed, the slider's comparisons, the
    blind-deblurring checkbox and the JPEG-quality estimate.

    The estimate is for real photos, the seed for simulated degradations; a real photo has no
    clean reference to compare a result against, and its blur kernel and JPEG quality are
    estimated by default (its owner rarely knows them; unticking brings the choices back).
    """
    real = mode == "real"
    return gr.update(visible=real), gr.update(visible=not real), against_choices(reference=not real), real, real


def against_choices(reference: bool) -> dict[str, Any]:
    """The slider's *Against* choices, set to the input: the clean reference only when there is one."""
    return gr.update(choices=list(AGAINST if reference else AGAINST[:1]), value=AGAINST[0])


def params_visibility(classical: list[str] | None, learned: list[str] | None, task: str) -> tuple[dict[str, Any], ...]:
    """Visibility of every method's parameter group (registry order): shown while the method is ticked."""
    chosen = set(classical or ()) | set(learned or ())
    return tuple(gr.update(visible=method.name in chosen and task in method.tasks) for method in task_methods())


def mask_visibility(kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mask editor shows for a drawn mask, the mask upload for an uploaded one."""
    return gr.update(visible=kind == "drawn"), gr.update(visible=kind == "upload")


def mask_canvas(source: str, upload: str | None) -> dict[str, Any]:
    """The mask editor reset to the current image (strokes cleared)."""
    try:
        image, _ = input_image(source, upload)
    except rc.RestoreError:
        return gr.update(value=None)
    return gr.update(value=editor_background(image))


def describe_failure(error: Exception) -> str:
    """User-facing text for an exception: library messages as they are, others with their type."""
    return str(error) if isinstance(error, rc.RestoreError) else f"{type(error).__name__}: {error}"


def _settings(args: tuple[Any, ...]) -> Degradation:
    return Degradation(*args)


def _prepare(source: str, upload: str | None, settings: Degradation) -> tuple[np.ndarray, str, rc.Observation, str]:
    """The image to work on, its notice, the observation the settings make of it and what was estimated of it.

    With :attr:`~demo.degradation.Degradation.estimates_quality`, the observation holds the JPEG
    quality of its image (:func:`quality_observation`; the preview does not estimate it).
    """
    image, notice = input_image(source, upload)
    observation = settings.observe(image)
    if not settings.estimates_quality:
        return image, notice, observation, ""
    real = settings.mode == "real"
    observation, found = quality_observation(observation, upload if real and source == UPLOAD else None)
    return image, notice, observation, found + ("." if real else f" (the simulation compressed at {settings.quality}).")


def quality_observation(observation: rc.Observation, jpeg_file: str | None) -> tuple[rc.Observation, str]:
    """The observation with its image's JPEG quality, and what it is and where it comes from (no full stop).

    A real photo uploaded as a JPEG file states its quality in its quantisation tables (also when it
    was downscaled to the arena's working size); any other image has it estimated from its pixels
    (:func:`restore_core.with_estimated_quality`, about a second for a megapixel).

    Raises
    ------
    RestoreError
        For an image without a JPEG trace (the message asks for its quality) or too small.
    """
    quality = None if jpeg_file is None else rc.read_jpeg_quality(jpeg_file)
    if quality is not None:
        return replace(observation, quality=quality), f"JPEG quality read from the file: {quality}"
    estimated = rc.with_estimated_quality(observation)
    return estimated, f"JPEG quality estimated from the image: {estimated.quality}"


#: Previews computed at once: they run outside Gradio's queue (a queue full of runs must not refuse a
#: visitor's preview), so this bounds their memory (each decodes an upload at most once, reduced).
_PREVIEWS = threading.BoundedSemaphore(PREVIEWS_AT_ONCE)
#: Seconds a preview waits for a free slot before answering that the server is busy.
PREVIEW_WAIT = 10.0


def preview(source: str, upload: str | None, *settings: Any) -> tuple[Any, ...]:
    """The live preview of the degradation: degraded image, kernel, its frequency response and a notice.

    Never raises: a problem with the settings (or a server too busy to preview) is reported in the notice instead.
    """
    kernel_views: tuple[Any, ...] = (None, gr.update(value=None, label="Frequency response"))
    if not _PREVIEWS.acquire(timeout=PREVIEW_WAIT):
        return (None, *kernel_views, "⚠️ The server is busy: the preview will show after your next change.")
    try:
        return _preview(_settings(settings), source, upload, kernel_views)
    finally:
        _PREVIEWS.release()


def kernel_views_visible(task: str) -> bool:
    """Whether the page shows the blur kernel and its frequency response for a task (its forward model needs one)."""
    return "kernel" in rc.get_task(task).needs


def noise_views_visible(task: str) -> bool:
    """Whether the page shows the learned noise level map for a task (its declaration asks, and the model ships)."""
    return rc.get_task(task).noise_map and rc.NOISE_MAP_SHIPPED


def noise_map_view(observation: rc.Observation) -> dict[str, Any]:
    """The noise level map the learned real-noise model reads off a denoising input (emptied for other tasks)."""
    if not noise_views_visible(observation.task):
        return gr.update(value=None, label=NOISE_MAP_LABEL)
    picture, caption = noise_map_picture(rc.estimate_noise_map(observation.image, device="cpu"))
    return gr.update(value=picture, label=caption)


def kernel_views(observation: rc.Observation) -> tuple[Any, Any]:
    """The kernel picture and frequency response of the kernel the methods used (unchanged without a kernel)."""
    if observation.kernel is None:
        return gr.update(), gr.update()
    spectrum, caption = spectrum_picture(observation.kernel)
    return kernel_picture(observation.kernel), gr.update(value=spectrum, label=caption)


def _preview(
    degradation: Degradation, source: str, upload: str | None, kernel_views: tuple[Any, ...]
) -> tuple[Any, ...]:
    """:func:`preview` once it has a slot."""
    try:
        image, notice = input_image(source, upload)
        if degradation.mode == "real" and degradation.estimates_kernel:
            kernel_views = (None, gr.update(value=None, label="Estimated from the photo when you press Run"))
        elif "kernel" in rc.get_task(degradation.task).needs:
            kernel = degradation.kernel()
            spectrum, caption = spectrum_picture(kernel)
            kernel_views = (kernel_picture(kernel), gr.update(value=spectrum, label=caption))
        observation = degradation.observe(image)
    except (rc.RestoreError, ValueError) as error:
        return (None, *kernel_views, f"⚠️ {describe_failure(error)}")
    shown = observation.at_clean_size()
    return (
        rc.to_uint8(shown),
        *kernel_views,
        " ".join(part for part in (estimate_notice(observation, degradation), notice) if part),
    )


def estimated_sigma(observation: rc.Observation, settings: Degradation) -> float | None:
    """The noise level (0–255) estimated from a real photo, when the settings ask for an estimate (else None)."""
    return observation.noise_sigma() if settings.mode == "real" and settings.estimate_sigma else None


def estimate_notice(observation: rc.Observation, settings: Degradation) -> str:
    """The noise level estimated from a real photo, when the settings ask for an estimate (else empty)."""
    sigma = estimated_sigma(observation, settings)
    return "" if sigma is None else f"Estimated noise level of the photo: σ ≈ {sigma:.1f} (0–255 scale)."


@dataclass(frozen=True)
class Failure:
    """A method that gave no result, and why (shown in the notice and returned to API clients)."""

    method: rc.Method
    reason: str

    def text(self) -> str:
        """``"Method: reason"``."""
        return f"{self.method.display_name}: {self.reason}"


def _scores(observation: rc.Observation, clean: np.ndarray, image: np.ndarray) -> tuple[float, float]:
    """PSNR and SSIM of an image against ``clean`` with the task's protocol (:func:`restore_core.score`)."""
    psnr, ssim = rc.score(observation, clean, image)
    return float(psnr), float(ssim)


def _scored(observation: rc.Observation, clean: np.ndarray | None, method: rc.Method, image: np.ndarray,
            seconds: float) -> Result:  # fmt: skip
    """A method's output with its scores against ``clean`` (the benchmark's protocol), quantised to 8 bits for show."""
    scores = {} if clean is None else dict(zip(("psnr", "ssim"), _scores(observation, clean, image), strict=True))
    return Result(method, rc.quantize(image), seconds, **scores)


async def restore_all(
    observation: rc.Observation,
    clean: np.ndarray | None,
    methods: list[rc.Method],
    method_params: dict[str, Any] | None,
    progress: gr.Progress,
    deadline: float,
) -> tuple[list[Result], list[Failure]]:
    """Restore with every method in turn, each in a worker process of :data:`POOL`.

    A method that fails (its own error, a crash, its memory budget) is reported and the others
    still run; once ``deadline`` (``time.monotonic()``) passes, the running method is stopped and
    the remaining ones are not started. A cancelled run (or a client that went away) kills its worker.

    Returns
    -------
    results : list of Result
        The methods that finished, in order.
    failures : list of Failure
        The others, with the reason.
    """
    results: list[Result] = []
    failures: list[Failure] = []
    gone = client_gone()
    times = _method_times(methods, observation.task, observation.clean_shape, method_params)
    started = time.monotonic()

    def report(done: int, step: int = 0, total: int = 1) -> None:
        method, fraction = methods[done], step / max(total, 1)
        left = remaining_seconds((seconds for _, seconds in times), done, fraction, time.monotonic() - started)
        eta = "" if left is None else f" — about {duration(left)} left"
        steps = f" {step}/{total}" if total > 1 else ""
        progress((done + fraction) / len(methods), desc=f"{method.display_name}{steps}{eta}")

    for done, method in enumerate(methods):
        if time.monotonic() > deadline:
            failures.append(Failure(method, "not run: the run's time budget was spent."))
            continue
        report(done)
        try:
            params = params_for(method_params, method.name)
            start = time.perf_counter()
            async with POOL.worker_async(deadline) as worker:
                image = await worker.restore_async(
                    observation, method.name, params, progress=partial(report, done), deadline=deadline, stopped=gone
                )
            seconds = time.perf_counter() - start
            results.append(await asyncio.to_thread(_scored, observation, clean, method, image, seconds))
        except RunCancelled as error:  # the client went away: nobody waits for the other methods
            raise gr.Error(PAGE_CLOSED) from error
        except RunTimedOut:
            failures.append(Failure(method, f"stopped: the run's time budget ({RUN_SECONDS:g} s) was spent."))
        except rc.RestoreError as error:  # any failure of one method must leave the others running
            failures.append(Failure(method, str(error)))
        except Exception as error:  # the same for a failure on this side (e.g. scoring): logged, then reported
            logging.getLogger(__name__).exception("%s failed", method.name)
            failures.append(Failure(method, describe_failure(error)))
    return results, failures


def failure_notice(failures: list[Failure]) -> str:
    """Markdown naming every failed method and its reason (empty when none failed)."""
    if not failures:
        return ""
    lines = "\n".join(f"- **{failure.method.display_name}**: {failure.reason}" for failure in failures)
    return f"⚠️ **{len(failures)} method{'s' * (len(failures) > 1)} gave no result:**\n{lines}"


def results_table(arena: Arena) -> pd.DataFrame:
    """The metrics table: the input's scores (when it can be scored), then one row per successful method."""
    reference = arena.clean is not None
    rows = [result.row() for result in arena.results]
    if arena.input_scores is not None:
        rows.insert(0, [INPUT_NAME, *arena.input_scores, float("nan")])
    return pd.DataFrame(rows, columns=list(COLUMNS if reference else NO_REFERENCE_COLUMNS))


def styled_table(table: pd.DataFrame) -> Styler:
    """The table as shown: :data:`DIGITS` per column, the best method's score in each :data:`SCORE_COLUMNS` marked."""
    methods = table.index[table["Method"] != INPUT_NAME]
    style = table.style.format({column: f"{{:.{digits}f}}" for column, digits in DIGITS.items() if column in table},
                               na_rep="—")  # fmt: skip
    scores = [column for column in SCORE_COLUMNS if column in table]
    if scores and len(methods):
        style = style.highlight_max(subset=pd.IndexSlice[methods, scores], props=BEST_STYLE)
    return style


def write_downloads(arena: Arena, table: pd.DataFrame, settings: Degradation, observation: rc.Observation) -> str:
    """A zip of every picture shown (PNG, lossless), the metrics table (CSV) and the settings (JSON).

    With an estimated noise level, ``noise_sigma`` in the settings is the estimate the methods used;
    with an estimated JPEG quality, ``estimated_quality`` is.
    """
    sigma = estimated_sigma(observation, settings)
    path = call_folder() / "deconv_arena_results.zip"
    with zipfile.ZipFile(path, "w") as archive:  # stored: PNGs are compressed already
        for index, (name, image) in enumerate(arena.named().items()):
            buffer = io.BytesIO()
            Image.fromarray(rc.to_uint8(image)).save(buffer, format="PNG", compress_level=1)
            archive.writestr(f"{index:02d}_{name.replace(' ', '_').replace('/', '-')}.png", buffer.getvalue())
        archive.writestr("metrics.csv", table.to_csv(index=False))
        described = {
            key: value
            for key, value in asdict(settings).items()
            if key not in ("kernel_upload", "mask_drawing", "mask_upload")
        }
        if sigma is not None:
            described["noise_sigma"] = round(sigma, 3)
        if settings.estimates_quality:
            described["estimated_quality"] = observation.quality
        archive.writestr("settings.json", json.dumps(described, indent=2))
    return str(path)


def slider_pair(arena: Arena | None, name: str | None, against: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The before/after slider's two images: the chosen result (default: the best) and the input or the reference."""
    if arena is None or not arena.results:
        return None
    pictures = arena.named()
    result = pictures[name] if name in pictures else arena.best().image
    other = arena.clean if against == "clean reference" and arena.clean is not None else arena.degraded
    return rc.to_uint8(other), rc.to_uint8(result)


def zoom_views(
    arena: Arena | None, centre_x: float, centre_y: float, fraction: float, errors: bool
) -> tuple[list[tuple[np.ndarray, str]], dict[str, Any]]:
    """The synchronised zoom crops of every picture and, when asked (and a reference exists), the error maps."""
    if arena is None:
        return [], gr.update(value=[], visible=errors)
    crops = [
        (zoom_crop(rc.to_uint8(image), centre_x, centre_y, fraction), name) for name, image in arena.named().items()
    ]
    maps = []
    if errors and arena.clean is not None:
        maps = [(error_map(result.image, arena.clean), result.method.display_name) for result in arena.results]
    return crops, gr.update(value=maps, visible=errors)


async def run_arena(
    source: str,
    upload: str | None,
    *args: Any,
    progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio's way of asking for a progress bar)
) -> tuple[Any, ...]:
    """Degrade (or take as it is) the chosen image and restore it with every chosen method.

    This is the ``restore`` API endpoint.

    Parameters
    ----------
    source : str
        A sample name, or :data:`~demo.inputs.UPLOAD` to use ``upload``.
    upload : str or None
        Path of the uploaded image file.
    *args
        The :class:`~demo.degradation.Degradation` fields in order, then the classical and the
        learned method names (lists) and the method parameters ``{method: {parameter: value}}``.
    progress : gr.Progress
        Progress bar, advanced per method and per iteration of iterative methods.

    Returns
    -------
    tuple
        The clean reference (None for a real photo) and the degraded input (8-bit), the
        gallery of ``(image, caption)`` pairs, the metrics table, the slider's image pair, the
        slider's result choices, the zip of every output, the notice, the kernel the methods used
        (picture and frequency response; for blind deblurring the estimate) and the run (session state).

    Raises
    ------
    gr.Error
        For a missing or unusable image, bad settings or no valid method, or when every method
        failed (the message gives each one's reason). A method that fails is named with its reason
        in the notice and the others' results still appear; past the run's time budget
        (:data:`~demo.limits.RUN_SECONDS`) the methods that finished are shown.
    """
    release_free_memory()  # what the previous run's post-processing left
    try:
        return await _run(source, upload, args, progress)
    finally:
        release_free_memory()


async def _run(source: str, upload: str | None, args: tuple[Any, ...], progress: gr.Progress) -> tuple[Any, ...]:
    """:func:`run_arena`'s work (see there)."""
    deadline = time.monotonic() + RUN_SECONDS
    count = len(fields(Degradation))
    settings, (classical, learned, method_params) = _settings(args[:count]), args[count:]
    try:
        image, notice, observation, quality_notice = await asyncio.to_thread(_prepare, source, upload, settings)
        chosen = selected_methods([*(classical or ()), *(learned or ())], settings.task)
        blind = settings.estimates_kernel
    except (rc.RestoreError, ValueError, TypeError) as error:
        raise gr.Error(describe_failure(error)) from error
    release_free_memory()  # decoding and degrading are done: their buffers go back before the methods run
    if notice:
        gr.Warning(notice)
    clean = None if settings.mode == "real" else rc.quantize(image)
    estimate = " ".join(part for part in (estimate_notice(observation, settings), quality_notice) if part)
    if blind:
        observation, kernel_notice = await blind_observation(observation, clean, settings.blind_method, progress,
                                                             deadline)  # fmt: skip
        estimate = " ".join(part for part in (estimate, kernel_notice) if part)
    results, failures = await restore_all(observation, clean, chosen, method_params, progress, deadline)
    if not results:
        raise gr.Error("no method gave a result — " + "; ".join(failure.text() for failure in failures))
    notices = (estimate, NO_REFERENCE if clean is None else notice, failure_notice(failures))
    return await asyncio.to_thread(_run_outputs, observation, clean, results, settings, notices)


async def call_in_worker(job: Job, deadline: float, progress: Progress | None = None) -> Any:
    """Run a library call ``(function, args, kwargs)`` in a worker of :data:`POOL` and return its result.

    The run's time budget (``deadline``, ``time.monotonic()``) and a closed page stop it.

    Raises
    ------
    gr.Error
        When the page was closed (the run is not wanted any more).
    RunTimedOut, RestoreError
        When the budget ran out or the call failed: the caller says what that means for its run.
    """
    try:
        async with POOL.worker_async(deadline) as worker:
            return await worker.call_async(job, progress=progress, deadline=deadline, stopped=client_gone())
    except RunCancelled as error:
        raise gr.Error(PAGE_CLOSED) from error


async def blind_observation(
    observation: rc.Observation, clean: np.ndarray | None, method: str, progress: gr.Progress, deadline: float
) -> tuple[rc.Observation, str]:  # fmt: skip
    """The observation with the kernel estimated from its image by ``method``, and a notice about the estimate.

    The estimate runs in a worker of :data:`POOL`, like a method: a closed page or the run's time
    budget (``deadline``, ``time.monotonic()``) kills it.

    Raises
    ------
    gr.Error
        When the estimate fails, is stopped or runs past the budget (no method can run then).
    """

    def report(done: int, total: int) -> None:
        progress(done / total, desc=f"Estimating the blur kernel: step {done} of {total}")

    job = (rc.with_estimated_kernel, (observation,), {"method": method})
    try:
        blind = await call_in_worker(job, deadline, report)
    except RunTimedOut as error:
        raise gr.Error(
            f"estimating the blur kernel took longer than the run's time budget ({RUN_SECONDS:g} s): try a smaller "
            "image, the Sharpen estimator or a kernel of your own."
        ) from error
    except rc.RestoreError as error:
        raise gr.Error(describe_failure(error)) from error
    return blind, await asyncio.to_thread(_kernel_notice, observation, blind, clean)


def _kernel_notice(observation: rc.Observation, blind: rc.Observation, clean: np.ndarray | None) -> str:
    """What the notice says of an estimated kernel.

    With a clean reference (a simulation) it compares the estimate with the true kernel: their
    similarity and what Wiener deconvolution loses with the estimate (the PSNR cost of not knowing it).
    """
    side = blind.kernel.shape[0]
    if clean is None:
        return f"Blur kernel estimated from the photo ({side}×{side}, shown above)."
    true_psnr, estimate_psnr = (rc.score(case, clean, rc.restore(case, "wiener"))[0] for case in (observation, blind))
    similarity = rc.kernel_similarity(blind.kernel, observation.kernel)
    return (
        f"Blur kernel estimated from the degraded image ({side}×{side}, shown above): similarity {similarity:.2f} "
        f"to the true one; Wiener deconvolution gives {estimate_psnr:.2f} dB with it, {true_psnr:.2f} dB with the "
        "true kernel."
    )


def _input_scores(
    observation: rc.Observation, clean: np.ndarray | None, degraded: np.ndarray
) -> tuple[float, float] | None:
    """PSNR and SSIM of the input itself (the baseline), when it has a reference and the results' size."""
    if clean is None or observation.image.shape != clean.shape:  # a low-resolution input has no score of its own
        return None
    return _scores(observation, clean, degraded)


def _run_outputs(
    observation: rc.Observation, clean: np.ndarray | None, results: list[Result], settings: Degradation,
    notices: tuple[str, ...],
) -> tuple[Any, ...]:  # fmt: skip
    """The outputs of :func:`run_arena` for its results (see there)."""
    degraded = rc.quantize(observation.at_clean_size())
    arena = Arena(clean, degraded, tuple(results), _input_scores(observation, clean, degraded))
    table = results_table(arena)
    best = arena.best().method.display_name
    scores = "" if arena.input_scores is None else f" — {score_text(*arena.input_scores)}"
    gallery = [(rc.to_uint8(degraded), f"{INPUT_NAME}{scores}")]
    gallery += [(rc.to_uint8(result.image), result.caption()) for result in results]
    return (
        None if clean is None else rc.to_uint8(clean),
        rc.to_uint8(degraded),
        gallery,
        styled_table(table),
        slider_pair(arena, best, AGAINST[0]),
        gr.update(choices=[result.method.display_name for result in results], value=best),
        against_choices(reference=clean is not None),
        write_downloads(arena, table, settings, observation),
        "\n\n".join(part for part in notices if part),
        *kernel_views(observation),
        noise_map_view(observation),
        arena,
    )


def warm_up() -> None:
    """Run every learned method once on a small image, so the first user's run does not pay for loading networks.

    Failures are only logged: a broken method reports its error when a user runs it.
    """
    image = rc.sample_image(rc.SAMPLE_PHOTOS[0], 64)
    for method in task_methods(family="learned"):
        quick = {"iterations": 2} if any(param.name == "iterations" for param in method.params) else {}
        try:
            rc.restore(Degradation(task=method.tasks[0]).observe(image), method.name, **quick)
        except Exception as error:  # logged, see above
            logging.getLogger(__name__).warning("warm-up of %s failed: %s", method.name, describe_failure(error))


#: The worker processes that run the restorations (see :mod:`restore_core.workers`); started by the first run.
POOL = WorkerPool(RUNS_AT_ONCE, initializer=warm_up, memory_budget=WORKER_MEMORY, recycle_bytes=RECYCLE_BYTES)


async def run_example(
    source: str,
    mode: str,
    task: str,
    noise_sigma: float,
    kernel_type: str,
    scale: int,
    quality: int,
    mask_type: str,
    mask_ratio: float,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> tuple[Any, ...]:
    """Run an example preset (the other settings at their defaults) with the task's default methods."""
    settings = replace(Degradation(), mode=mode, task=task, noise_sigma=noise_sigma, kernel_type=kernel_type,
                       scale=scale, quality=quality, mask_type=mask_type, mask_ratio=mask_ratio)  # fmt: skip
    values = [getattr(settings, field.name) for field in fields(Degradation)]
    methods = [default_methods(task, family) for family in rc.FAMILIES]
    return await run_arena(source, None, *values, *methods, {}, progress=progress)
