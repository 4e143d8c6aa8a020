"""The Compress tab: every chosen codec at the quality nearest a target bitrate, side by side.

Each codec runs in a worker of the restoration pool (the time budget and a closed page stop it, as for a
method); the page shows the decoded images with their bpp / PSNR / SSIM, a before/after slider, the
rate–distortion curves of this image with the chosen points marked, and the compressed files themselves.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import restore_core as rc
from restore_core.codecs import Encoding, compress_to_rate, rate_curve
from restore_core.workers import RunTimedOut

from .callbacks import call_in_worker
from .inputs import UPLOAD, input_image
from .limits import RUN_SECONDS
from .served_files import as_files, call_folder

#: Target bitrate slider: range, step and default (bits per pixel).
TARGET_RANGE, TARGET_STEP, DEFAULT_TARGET = (0.05, 4.0), 0.05, 0.5
#: Columns of the metrics table.
COLUMNS = ("Codec", "Family", "Quality", "bpp", "File (bytes)", "PSNR (dB)", "SSIM", "Seconds (search + decode)")
ORIGINAL = "Original"


def codec_choices() -> list[tuple[str, str]]:
    """Checklist choices: (label, codec name) of every codec."""
    return [(f"{codec.name} ({codec.family})", codec.name) for codec in rc.list_codecs()]


def _caption(encoding: Encoding, scores: tuple[float, float]) -> str:
    return f"{encoding.codec} q={encoding.quality} · {encoding.bpp:.3f} bpp · {scores[0]:.2f} dB · SSIM {scores[1]:.3f}"


def _curve_picture(curves: dict[str, list[tuple[int, float, float, float]]], chosen: list[Encoding],
                   scores: dict[str, tuple[float, float]], target: float) -> np.ndarray:  # fmt: skip
    """PSNR against bpp: each classical codec's curve on this image, every chosen encoding marked."""
    figure = Figure(figsize=(6, 3.6), layout="constrained")
    axis = figure.subplots()
    colours = {}
    for name, points in curves.items():
        (line,) = axis.plot([p[1] for p in points], [p[2] for p in points], "-", marker=".", label=name)
        colours[name] = line.get_color()
    for encoding in chosen:
        axis.plot(encoding.bpp, scores[encoding.codec][0], "*", markersize=13, markeredgecolor="black",
                  color=colours.get(encoding.codec), label=f"{encoding.codec} (chosen)")  # fmt: skip
    axis.axvline(target, color="grey", linestyle=":", label="target")
    axis.set(xlabel="bits per pixel (the codec's file)", ylabel="PSNR (dB)", title="Rate–distortion on this image")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, ncols=2)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def _write_files(encodings: list[Encoding]) -> list[str]:
    """Each codec's own file (``01_jpeg_q42.jpg``), the one its bpp counts, in a fresh call folder."""
    folder = call_folder()
    paths = []
    for index, encoding in enumerate(encodings, 1):
        name = encoding.codec.replace("+", "_")
        path = folder / f"{index:02d}_{name}_q{encoding.quality}.{rc.get_codec(encoding.codec).extension}"
        path.write_bytes(encoding.file)
        paths.append(str(path))
    return paths


def _report(progress: gr.Progress, index: int, count: int, codec: str, step: int, total: int) -> None:
    progress((index + step / total) / count, desc=f"{codec}: encoding {step} (bisection to the target bitrate)")


async def run_compression(
    source: str,
    upload: str | None,
    target: float,
    chosen: list[str] | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008  (Gradio's way of asking for a progress bar)
) -> tuple[Any, ...]:
    """Compress the image with each chosen codec at the quality nearest ``target`` bpp.

    Returns
    -------
    tuple
        Gallery items, metrics table, slider pair, the slider's codec choices, the RD picture, the files,
        the notice, and the state (clean image and decoded images by codec) for the slider.

    Raises
    ------
    gr.Error
        For no codec ticked, a bad target or image, or when no codec gave a result.
    """
    if not chosen:
        raise gr.Error("tick at least one codec.")
    low, high = TARGET_RANGE
    if not isinstance(target, (int, float)) or not low <= target <= high:
        raise gr.Error(f"the target bitrate must be between {low} and {high} bits per pixel.")
    try:
        clean, notice = input_image(source, upload)
        clean = rc.quantize(clean)
    except rc.RestoreError as error:
        raise gr.Error(str(error)) from error
    deadline = time.monotonic() + RUN_SECONDS
    encodings, scores, rows, failures = [], {}, [], []
    for done, name in enumerate(chosen):
        report = partial(_report, progress, done, len(chosen), name)
        try:
            encoding = await call_in_worker((compress_to_rate, (clean, name, float(target)), {}), deadline, report)
        except RunTimedOut:
            failures.append(f"{name}: stopped, the run's time budget ({RUN_SECONDS:g} s) was spent")
            continue
        except rc.RestoreError as error:
            failures.append(f"{name}: {error}")
            continue
        encodings.append(encoding)
        scores[name] = rc.psnr(clean, encoding.image), rc.ssim(clean, encoding.image)
        rows.append([name, rc.get_codec(name).family, encoding.quality, round(encoding.bpp, 4), len(encoding.file),
                     round(scores[name][0], 2), round(scores[name][1], 4), round(encoding.seconds, 2)])  # fmt: skip
    if not encodings:
        raise gr.Error("no codec gave a result — " + "; ".join(failures))
    classical = [name for name in chosen if rc.get_codec(name).family == "classical"]
    curves = {}
    for name in classical:
        try:
            curves[name] = await call_in_worker((rate_curve, (clean, name), {}), deadline)
        except rc.RestoreError as error:  # a time-out too: the results stand without this curve
            failures.append(f"{name} curve: {error}")
    pictures = {ORIGINAL: rc.to_uint8(clean), **{e.codec: rc.to_uint8(e.image) for e in encodings}}
    gallery = [(pictures[ORIGINAL], f"{ORIGINAL} · 8 bits per channel")]
    gallery += [(pictures[e.codec], _caption(e, scores[e.codec])) for e in encodings]
    best = max(scores, key=lambda name: scores[name][0])
    parts = [notice] if notice else []
    parts.append(f"Target {target:g} bpp; the curves are this image's at each classical codec's rate points; "
                 "learned codecs are marked at their chosen point only.")  # fmt: skip
    if failures:
        parts.append("Failed: " + "; ".join(failures) + ".")
    return (
        gallery,
        pd.DataFrame(rows, columns=list(COLUMNS)),
        (pictures[ORIGINAL], pictures[best]),
        gr.update(choices=[e.codec for e in encodings], value=best),
        _curve_picture(curves, encodings, scores, float(target)),
        _write_files(encodings),
        "\n\n".join(parts),
        pictures,
    )


def slider_pair(pictures: dict[str, np.ndarray] | None, codec: str) -> Any:
    """The before/after pair for ``codec`` from the last run's pictures (nothing when there is none)."""
    if not pictures or codec not in pictures:
        return gr.update()
    return pictures[ORIGINAL], pictures[codec]


def build_compression_tab(sources: list[tuple[str, str]], upload_height: int) -> None:
    """The Compress tab's components and events (inside an open ``gr.Tab``)."""
    from .components import RawImage, guard_input

    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=320):
            upload = RawImage(type="filepath", image_mode=None, format="png", sources=["upload", "clipboard"],
                              height=upload_height, label="Your image (PNG, JPEG, WebP, TIFF)",
                              elem_id="compress-upload")  # fmt: skip
            source = gr.Dropdown(sources, value=sources[0][1], label="Image", elem_id="compress-source")
            target = gr.Slider(*TARGET_RANGE, value=DEFAULT_TARGET, step=TARGET_STEP, elem_id="compress-target",
                               label="Target bitrate (bits per pixel of the compressed file)")  # fmt: skip
            chosen = gr.CheckboxGroup(codec_choices(), value=[codec.name for codec in rc.list_codecs()],
                                      label="Codecs (each at the quality nearest the target)",
                                      elem_id="compress-codecs")  # fmt: skip
            run = gr.Button("Compress", variant="primary", elem_id="compress-run")
        with gr.Column(scale=2):
            notice = gr.Markdown(elem_id="compress-notice")
            gallery = gr.Gallery(label="Original and decoded images", format="png", columns=3, object_fit="contain",
                                 height="auto", elem_id="compress-gallery")  # fmt: skip
            table = gr.Dataframe(headers=list(COLUMNS), label="Metrics", interactive=False, elem_id="compress-metrics")
            with gr.Row():
                compare = gr.Dropdown([], label="Before / after: codec", elem_id="compress-compare")
            slider = gr.ImageSlider(label="Drag to compare with the original", format="png", type="numpy",
                                    elem_id="compress-slider")  # fmt: skip
            curve = gr.Image(label="Rate–distortion curves of this image", format="png", interactive=False,
                             elem_id="compress-curve")  # fmt: skip
            files = gr.File(label="The compressed files (what each bpp counts)", file_count="multiple",
                            elem_id="compress-files")  # fmt: skip
    for component in (upload, source, target, chosen):
        guard_input(component)
    state = gr.State()
    upload.upload(lambda: UPLOAD, None, source, queue=False, api_visibility="private")
    upload.clear(lambda: sources[0][1], None, source, queue=False, api_visibility="private")
    outputs = [gallery, table, slider, compare, curve, files, notice, state]
    run.click(as_files(run_compression), [source, upload, target, chosen], outputs, api_name="compress",
              concurrency_id="run", show_progress_on=[gallery])  # fmt: skip
    compare.input(as_files(slider_pair), [state, compare], slider, api_visibility="private")
