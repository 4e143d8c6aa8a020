"""Layout and wiring of the Deconv Arena Blocks app, and its launch options."""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

import gradio as gr

import restore_core as rc

from .callbacks import (
    COLUMNS,
    TASK_GROUPS,
    kernel_visibility,
    method_checklist,
    run_arena,
    task_updates,
    upload_visibility,
)
from .degradation import KERNEL_CHOICES, KERNEL_PARAMETERS, KERNEL_SETTINGS, TASK_CHOICES, Degradation
from .inputs import SAMPLES, source_choices
from .method_choices import default_methods, method_choices

#: Largest accepted upload.
MAX_FILE_SIZE = "20mb"
#: Runs allowed at once (each run is CPU-heavy).
CONCURRENCY_LIMIT = 2
_DEFAULTS = Degradation()
_INTRO = """# Deconv Arena
Degrade an image, then restore it with classical and learned methods side by side.
Pick an image and a task, tick the methods, press **Run**. Every method uses its default
parameters; scores are PSNR/SSIM against the clean image (super-resolution: Y channel with a
`scale`-pixel border crop, as in the literature)."""


def _kernel_setting(name: str) -> dict[str, Any]:
    """Initial value and visibility of a kernel setting (shown only for the default kernel type)."""
    return {"value": getattr(_DEFAULTS, name), "visible": name in KERNEL_SETTINGS[_DEFAULTS.kernel_type]}


def _task_controls() -> tuple[dict[str, gr.components.Component], dict[str, gr.Group]]:
    """The degradation controls (keyed like :class:`Degradation`) and the group shown for each task."""
    controls: dict[str, gr.components.Component] = {
        "task": gr.Radio(list(TASK_CHOICES), value=_DEFAULTS.task, label="Task"),
        "noise_sigma": gr.Slider(0, 255, value=_DEFAULTS.noise_sigma, step=0.05, label="Noise sigma (0–255 scale)"),
    }
    groups = {name: gr.Group(visible=name == _DEFAULTS.task) for name in TASK_GROUPS}
    with groups["deblur"]:
        controls["kernel_type"] = gr.Radio(list(KERNEL_CHOICES), value=_DEFAULTS.kernel_type, label="Blur kernel")
        controls["gaussian_sigma"] = gr.Slider(
            0.3, 10, step=0.1, label="Gaussian sigma (px)", **_kernel_setting("gaussian_sigma")
        )
        controls["disk_radius"] = gr.Slider(
            0.5, 20, step=0.5, label="Disk radius (px)", **_kernel_setting("disk_radius")
        )
        controls["motion_length"] = gr.Slider(
            1, 50, step=1, label="Motion length (px)", **_kernel_setting("motion_length")
        )
        controls["motion_angle"] = gr.Slider(
            0, 180, step=1, label="Motion angle (degrees)", **_kernel_setting("motion_angle")
        )
        controls["shake_seed"] = gr.Number(
            precision=0, minimum=0, label="Camera-shake seed", **_kernel_setting("shake_seed")
        )
    with groups["sr"]:
        controls["scale"] = gr.Radio(list(rc.SCALES), value=_DEFAULTS.scale, label="Scale factor")
    with groups["jpeg"]:
        controls["quality"] = gr.Slider(1, 100, value=_DEFAULTS.quality, step=1, label="JPEG quality")
    with groups["inpaint"]:
        controls["mask_type"] = gr.Radio(list(rc.MASK_TYPES), value=_DEFAULTS.mask_type, label="Mask")
        controls["mask_ratio"] = gr.Slider(0.05, 0.9, value=_DEFAULTS.mask_ratio, step=0.05, label="Missing fraction")
    controls["seed"] = gr.Number(value=_DEFAULTS.seed, precision=0, minimum=0, label="Seed (noise and mask)")
    return controls, groups


def _outputs() -> list[gr.components.Component]:
    """The result components: reference, degraded input, gallery and metrics table."""
    with gr.Row():
        reference = gr.Image(label="Clean reference", format="png", interactive=False)
        degraded = gr.Image(label="Degraded input", format="png", interactive=False)
    gallery = gr.Gallery(label="Restorations", format="png", columns=3, object_fit="contain", height="auto")
    table = gr.Dataframe(headers=list(COLUMNS), label="Metrics", interactive=False)
    return [reference, degraded, gallery, table]


def build_app() -> gr.Blocks:
    """Build the demo (queued, not launched).

    Returns
    -------
    gr.Blocks
        The app, with the ``/restore`` API endpoint; launch it with :func:`launch_options`.
    """
    with gr.Blocks(title="Deconv Arena") as app:
        gr.Markdown(_INTRO)
        with gr.Row():
            with gr.Column(scale=1):
                source = gr.Dropdown(source_choices(), value=SAMPLES[0], label="Image")
                upload = gr.Image(
                    type="numpy", image_mode=None, format="png", label="Your image", visible=False, elem_id="upload"
                )
                controls, groups = _task_controls()
                # Built with every registered method: API clients see the checklist as built (a task
                # change only updates it in a browser session), so this lets them pick methods of
                # any task. The page's load event narrows it to the initial task's methods.
                methods = gr.CheckboxGroup(method_choices(), value=default_methods(_DEFAULTS.task), label="Methods")
                run = gr.Button("Run", variant="primary")
            with gr.Column(scale=2):
                outputs = _outputs()
        app.load(method_checklist, controls["task"], methods, queue=False, api_visibility="private")
        source.change(upload_visibility, source, upload, api_visibility="private")
        controls["task"].change(
            task_updates,
            controls["task"],
            [controls["noise_sigma"], methods, *(groups[name] for name in TASK_GROUPS)],
            api_visibility="private",
        )
        controls["kernel_type"].change(
            kernel_visibility,
            controls["kernel_type"],
            [controls[name] for name in KERNEL_PARAMETERS],
            api_visibility="private",
        )
        settings = [controls[field.name] for field in fields(Degradation)]
        run.click(run_arena, [source, upload, *settings, methods], outputs, api_name="restore")
    return app.queue(default_concurrency_limit=CONCURRENCY_LIMIT)


def _server_port() -> int | None:
    """The port from ``PORT``, else ``GRADIO_SERVER_PORT``; None lets Gradio choose (7860 first)."""
    for variable in ("PORT", "GRADIO_SERVER_PORT"):
        value = os.environ.get(variable, "").strip()
        if value:
            if not value.isdigit():
                raise ValueError(f"{variable} must be a port number, got {value!r}.")
            return int(value)
    return None


def launch_options() -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch``.

    The server name comes from ``GRADIO_SERVER_NAME`` (default ``127.0.0.1``), the port
    from ``PORT`` or ``GRADIO_SERVER_PORT``; server-side rendering is off, uploads are
    capped at :data:`MAX_FILE_SIZE`, and the app is never shared through a public link.
    """
    return {
        "server_name": os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        "server_port": _server_port(),
        "ssr_mode": False,
        "share": False,
        "max_file_size": MAX_FILE_SIZE,
    }
