"""Layout and wiring of the Deconv Arena Blocks app, and its launch options."""

from __future__ import annotations

import os
from dataclasses import fields
from functools import partial
from typing import Any

import gradio as gr

import restore_core as rc

from .callbacks import (
    AGAINST,
    COLUMNS,
    TASK_GROUPS,
    kernel_visibility,
    mask_canvas,
    method_checklists,
    mode_visibility,
    noise_default,
    params_visibility,
    preview,
    run_arena,
    run_example,
    slider_pair,
    task_updates,
    upload_visibility,
    zoom_views,
)
from .components import RawImage, guard_input
from .degradation import (
    KERNEL_CHOICES,
    KERNEL_PARAMETERS,
    KERNEL_SETTINGS,
    MASK_CHOICES,
    MODE_CHOICES,
    TASK_CHOICES,
    Degradation,
)
from .inputs import source_choices
from .limits import RUNS_AT_ONCE
from .method_choices import default_methods, method_choices
from .method_params import exposed_params, param_component, set_param
from .served_files import as_files

#: Largest accepted upload.
MAX_FILE_SIZE = "20mb"
#: Waiting runs beyond which new ones are refused with a "queue full" message.
MAX_QUEUE = 32
#: Every hour, files the app served (results, zips) that are over two hours old leave Gradio's cache.
DELETE_CACHE = (3600, 7200)
_DEFAULTS = Degradation()
_INTRO = """# Deconv Arena
Degrade an image, then restore it with classical and learned methods side by side — or restore a
photo that is already degraded. Pick an image and a task, tick the methods, press **Run**.
Scores are PSNR/SSIM against the clean image, computed on the exact 8-bit images shown
(super-resolution: Y channel with a `scale`-pixel border crop, as in the literature)."""
#: The settings an example sets (after the image), in the order of :func:`~demo.callbacks.run_example`.
EXAMPLE_FIELDS = ("mode", "task", "noise_sigma", "kernel_type", "scale", "quality", "mask_type", "mask_ratio")
#: Examples: image, then the :data:`EXAMPLE_FIELDS`.
EXAMPLES = [
    ["camera", "simulate", "denoise", 25.0, "gaussian", 2, 20, "text", 0.2],
    ["astronaut", "simulate", "deblur", 2.55, "motion", 2, 20, "text", 0.2],
    ["coffee", "simulate", "sr", 0.0, "gaussian", 4, 20, "text", 0.2],
    ["chelsea", "simulate", "jpeg", 0.0, "gaussian", 2, 10, "text", 0.2],
    ["camera", "simulate", "inpaint", 0.0, "gaussian", 2, 20, "random", 0.5],
]


def _kernel_setting(name: str) -> dict[str, Any]:
    """Initial value and visibility of a kernel setting (shown only for the default kernel type)."""
    return {"value": getattr(_DEFAULTS, name), "visible": name in KERNEL_SETTINGS[_DEFAULTS.kernel_type]}


def _deblur_controls() -> dict[str, gr.components.Component]:
    """The blur-kernel controls."""
    return {
        "kernel_type": gr.Radio(
            list(KERNEL_CHOICES), value=_DEFAULTS.kernel_type, label="Blur kernel", elem_id="kernel-type"
        ),
        "gaussian_sigma": gr.Slider(
            0.3, 10, step=0.1, label="Gaussian sigma (px)", **_kernel_setting("gaussian_sigma")
        ),
        "disk_radius": gr.Slider(0.5, 20, step=0.5, label="Disk radius (px)", **_kernel_setting("disk_radius")),
        "motion_length": gr.Slider(1, 50, step=1, label="Motion length (px)", **_kernel_setting("motion_length")),
        "motion_angle": gr.Slider(0, 180, step=1, label="Motion angle (degrees)", **_kernel_setting("motion_angle")),
        "shake_seed": gr.Number(precision=0, minimum=0, label="Camera-shake seed", **_kernel_setting("shake_seed")),
        "kernel_upload": RawImage(
            type="filepath",
            format="png",
            image_mode=None,
            sources=["upload", "clipboard"],
            elem_id="kernel-upload",
            label="Kernel image (white on black, at most 255 px)",
            **_kernel_setting("kernel_upload"),
        ),
    }


def _task_controls() -> tuple[dict[str, gr.components.Component], dict[str, gr.Group]]:
    """The degradation controls (keyed like :class:`Degradation`) and the group shown for each task."""
    controls: dict[str, gr.components.Component] = {
        "mode": gr.Radio(list(MODE_CHOICES), value=_DEFAULTS.mode, label="Mode", elem_id="mode"),
        "task": gr.Radio(list(TASK_CHOICES), value=_DEFAULTS.task, label="Task", elem_id="task"),
        "noise_sigma": gr.Slider(0, 255, value=_DEFAULTS.noise_sigma, step=0.05, label="Noise sigma (0–255 scale)"),
        "estimate_sigma": gr.Checkbox(
            value=_DEFAULTS.estimate_sigma, visible=False, label="Estimate the noise level from the photo"
        ),
    }
    groups = {name: gr.Group(visible=name == _DEFAULTS.task) for name in TASK_GROUPS}
    with groups["deblur"]:
        controls.update(_deblur_controls())
    with groups["sr"]:
        controls["scale"] = gr.Radio(list(rc.SCALES), value=_DEFAULTS.scale, label="Scale factor")
    with groups["jpeg"]:
        controls["quality"] = gr.Slider(1, 100, value=_DEFAULTS.quality, step=1, label="JPEG quality")
    with groups["inpaint"]:
        controls["mask_type"] = gr.Radio(list(MASK_CHOICES), value=_DEFAULTS.mask_type, label="Mask", elem_id="mask")
        controls["mask_ratio"] = gr.Slider(0.05, 0.9, value=_DEFAULTS.mask_ratio, step=0.05, label="Missing fraction")
        controls["mask_drawing"] = gr.ImageEditor(
            label="Paint the pixels to fill in", type="numpy", image_mode="RGBA", format="png", visible=False,
            brush=gr.Brush(colors=["#ff00ff"], color_mode="fixed"), transforms=(), elem_id="mask-editor",
        )  # fmt: skip
    controls["seed"] = gr.Number(value=_DEFAULTS.seed, precision=0, minimum=0, label="Seed (noise and mask)")
    return controls, groups


def _method_controls() -> tuple[list[gr.CheckboxGroup], gr.JSON, list[gr.Group]]:
    """The classical and learned checklists, the method-parameters value and one parameter group per method.

    The checklists are built with every registered method of their family: API clients see them
    as built (a task change only updates them in a browser session), so this lets them pick
    methods of any task. The page's load event narrows them to the initial task's methods.
    """
    checklists = [
        gr.CheckboxGroup(
            method_choices(None, family),
            value=default_methods(_DEFAULTS.task, family),
            label=f"{family.capitalize()} methods",
            elem_id=f"methods-{family}",
        )
        for family in rc.FAMILIES
    ]
    values = gr.JSON(value={}, visible=False, label="Method parameters")
    groups = []
    with gr.Accordion("Method parameters", open=False):
        for method in rc.list_methods():
            with gr.Group(visible=False) as group:
                gr.Markdown(f"**{method.display_name}** — {method.description}" if method.description else
                            f"**{method.display_name}**")  # fmt: skip
                for param in exposed_params(method):
                    component = param_component(method, param)
                    component.change(partial(set_param, method=method.name, name=param.name),
                                     [values, component], values, queue=False,
                                     api_visibility="private")  # fmt: skip
            groups.append(group)
    return checklists, values, groups


def _views() -> dict[str, gr.components.Component]:
    """The preview and result components."""
    views: dict[str, gr.components.Component] = {}
    with gr.Row():
        views["preview"] = gr.Image(label="Degraded input (live preview)", format="png", interactive=False,
                                    elem_id="preview")  # fmt: skip
        with gr.Column(visible=_DEFAULTS.task == "deblur") as views["kernel_views"]:
            views["kernel"] = gr.Image(label="Blur kernel", format="png", interactive=False, height=180)
            views["spectrum"] = gr.Image(label="Frequency response", format="png", interactive=False, height=180)
    views["notice"] = gr.Markdown(elem_id="notice")
    with gr.Tabs():
        with gr.Tab("Results"):
            views["gallery"] = gr.Gallery(label="Restorations", format="png", columns=3, object_fit="contain",
                                          height="auto", elem_id="gallery")  # fmt: skip
            views["table"] = gr.Dataframe(headers=list(COLUMNS), label="Metrics (click a header to sort)",
                                          interactive=False, elem_id="metrics")  # fmt: skip
            views["download"] = gr.File(label="All outputs (PNG) and the metrics (CSV)", elem_id="download")
        with gr.Tab("Before / after"):
            with gr.Row():
                views["compare"] = gr.Dropdown([], label="Result", allow_custom_value=False)
                views["against"] = gr.Radio(list(AGAINST), value=AGAINST[0], label="Against")
            views["slider"] = gr.ImageSlider(label="Drag to compare", format="png", type="numpy", elem_id="slider")
        with gr.Tab("Zoom and error maps"):
            with gr.Row():
                views["zoom_x"] = gr.Slider(0, 1, value=0.5, step=0.01, label="Zoom centre x")
                views["zoom_y"] = gr.Slider(0, 1, value=0.5, step=0.01, label="Zoom centre y")
                views["zoom_size"] = gr.Slider(0.05, 1, value=0.25, step=0.05, label="Window (fraction of the side)")
            views["errors"] = gr.Checkbox(value=False, label="Show error maps (|result − reference|, bright = 0.2)")
            views["zoom"] = gr.Gallery(label="Same window everywhere", format="png", columns=4, height="auto")
            views["error_maps"] = gr.Gallery(label="Error maps", format="png", columns=4, height="auto", visible=False)
        with gr.Tab("Reference and input"):
            with gr.Row():
                views["reference"] = gr.Image(label="Clean reference", format="png", interactive=False)
                views["degraded"] = gr.Image(label="Degraded input", format="png", interactive=False)
    return views


def build_app() -> gr.Blocks:
    """Build the demo (queued, not launched).

    Returns
    -------
    gr.Blocks
        The app, with the ``/restore`` API endpoint; launch it with :func:`launch_options`.
    """
    with gr.Blocks(title="Deconv Arena", delete_cache=DELETE_CACHE) as app:
        gr.Markdown(_INTRO)
        with gr.Row():
            with gr.Column(scale=1):
                source = gr.Dropdown(source_choices(), value=rc.SAMPLE_PHOTOS[0], label="Image", elem_id="source")
                upload = RawImage(
                    type="filepath", image_mode=None, format="png", sources=["upload", "clipboard"],
                    label="Your image (PNG, JPEG, WebP, TIFF)", visible=False, elem_id="upload",
                )  # fmt: skip
                controls, groups = _task_controls()
                checklists, method_params, param_groups = _method_controls()
                run = gr.Button("Run", variant="primary", elem_id="run")
            with gr.Column(scale=2):
                views = _views()
        settings = [controls[field.name] for field in fields(Degradation)]
        _wire(app, source, upload, controls, groups, checklists, method_params, param_groups, views, run, settings)
    return app.queue(default_concurrency_limit=RUNS_AT_ONCE, max_size=MAX_QUEUE)


def _wire(
    app: gr.Blocks,
    source: gr.Dropdown,
    upload: RawImage,
    controls: dict[str, gr.components.Component],
    groups: dict[str, gr.Group],
    checklists: list[gr.CheckboxGroup],
    method_params: gr.JSON,
    param_groups: list[gr.Group],
    views: dict[str, gr.components.Component],
    run: gr.Button,
    settings: list[gr.components.Component],
) -> None:
    """Connect the events: control updates, the live preview, the runs (button, examples) and the result views."""
    private = {"api_visibility": "private"}
    task = controls["task"]
    app.load(method_checklists, task, checklists, queue=False, **private)
    source.change(upload_visibility, source, upload, **private)
    task.change(task_updates, task, [*checklists, *(groups[name] for name in TASK_GROUPS)], **private)
    task.change(lambda value: gr.update(visible=value == "deblur"), task, views["kernel_views"], **private)
    task.input(noise_default, task, controls["noise_sigma"], **private)
    controls["mode"].change(mode_visibility, controls["mode"], [controls["estimate_sigma"], controls["seed"]],
                            **private)  # fmt: skip
    controls["kernel_type"].change(kernel_visibility, controls["kernel_type"],
                                   [controls[name] for name in KERNEL_PARAMETERS], **private)  # fmt: skip
    controls["mask_type"].change(lambda kind: gr.update(visible=kind == "drawn"), controls["mask_type"],
                                 controls["mask_drawing"], **private)  # fmt: skip
    for trigger in (source.change, upload.change):
        trigger(mask_canvas, [source, upload], controls["mask_drawing"], **private)
    for checklist in (*checklists, task):
        checklist.change(params_visibility, [*checklists, task], param_groups, **private)
    preview_outputs = [views["preview"], views["kernel"], views["spectrum"], views["notice"]]
    served_preview, served_zoom = as_files(preview), as_files(zoom_views)
    for component in (source, upload, *settings):
        component.change(served_preview, [source, upload, *settings], preview_outputs, trigger_mode="always_last",
                         show_progress="hidden", queue=False, **private)  # fmt: skip
    app.load(served_preview, [source, upload, *settings], preview_outputs, queue=False, **private)
    state = gr.State()
    outputs = [views[name] for name in ("reference", "degraded", "gallery", "table", "slider", "compare",
                                        "download", "notice")]  # fmt: skip
    example_inputs = [source, *(controls[name] for name in EXAMPLE_FIELDS)]
    gr.Examples(EXAMPLES, example_inputs, [*outputs, state], as_files(run_example), run_on_click=True,
                cache_examples=False, api_visibility="private",
                label="Examples: a click sets the controls and runs the task's default methods")  # fmt: skip
    for component in (source, upload, *settings, method_params):
        guard_input(component)
    for checklist in checklists:
        guard_input(checklist, none=[])
    run.click(as_files(run_arena), [source, upload, *settings, *checklists, method_params], [*outputs, state],
              api_name="restore", concurrency_id="run")  # fmt: skip
    served_slider = as_files(slider_pair)
    for trigger in (views["compare"].input, views["against"].change):
        trigger(served_slider, [state, views["compare"], views["against"]], views["slider"], **private)
    zoom_inputs = [state, views["zoom_x"], views["zoom_y"], views["zoom_size"], views["errors"]]
    for component in (*zoom_inputs[1:], state):
        component.change(served_zoom, zoom_inputs, [views["zoom"], views["error_maps"]],
                         trigger_mode="always_last", show_progress="hidden", **private)  # fmt: skip


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
