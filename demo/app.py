"""Layout and wiring of the Deconv Arena Blocks app, and its launch options."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

import gradio as gr

import restore_core as rc

from .callbacks import (
    AGAINST,
    COLUMN_WIDTHS,
    COLUMNS,
    NOISE_MAP_LABEL,
    checklist_updates,
    cleared_results,
    control_groups,
    kernel_views_visible,
    kernel_visibility,
    mask_canvas,
    mask_visibility,
    mode_visibility,
    noise_default,
    noise_views_visible,
    params_visibility,
    preview,
    run_arena,
    run_example,
    sample_picked,
    selection_time,
    slider_pair,
    source_changed,
    zoom_views,
)
from .components import MethodChecklist, RawImage, guard_input
from .compression import build_compression_tab
from .degradation import (
    BLIND_CHOICES,
    CONTROL_GROUPS,
    KERNEL_CHOICES,
    KERNEL_PARAMETERS,
    KERNEL_SETTINGS,
    MASK_CHOICES,
    MODE_CHOICES,
    TASK_CHOICES,
    Degradation,
)
from .inputs import UPLOAD, source_choices
from .limits import RUNS_AT_ONCE
from .method_choices import default_methods, method_choices, task_methods
from .method_params import exposed_params, param_component, set_param
from .served_files import as_files

#: Largest accepted upload.
MAX_FILE_SIZE = "20mb"
#: Waiting runs beyond which new ones are refused with a "queue full" message.
MAX_QUEUE = 32
#: Every hour, files the app served (results, zips) that are over two hours old leave Gradio's cache.
DELETE_CACHE = (3600, 7200)
#: Heights (px) of the drop zone, of the row of built-in images and of the live preview; side of a thumbnail.
UPLOAD_HEIGHT, THUMBNAILS_HEIGHT, PREVIEW_HEIGHT, THUMBNAIL_SIDE = 180, 80, 230, 96
#: The run's outputs (then its state), in the order :func:`~demo.callbacks.run_arena` returns them.
RUN_OUTPUTS = (
    "reference",
    "degraded",
    "gallery",
    "table",
    "slider",
    "compare",
    "against",
    "download",
    "notice",
    "kernel",
    "spectrum",
    "noise_map",
)
_PRIVATE = {"api_visibility": "private"}
_DEFAULTS = Degradation()
_INTRO = """# Deconv Arena
Restore an image with classical and learned methods side by side: drop a photo (or click a built-in one),
pick a task, press **Run**. *Simulate* degrades a clean image and scores each result against it; *Real* restores
a photo that is already degraded."""
_PROTOCOL = """Scores are PSNR (dB) and SSIM against the clean image, computed on the exact 8-bit images shown
(super-resolution: Y channel with a `scale`-pixel border crop, as in the literature). The first row is the
input itself. Times are measured on this server; the expected times beside the methods come from
`python -m tools.bench_costs`."""
#: Page style: on a narrow screen the results come right after the Run button, before the long settings;
#: gallery captions wrap instead of being cut off.
CSS = """
#samples .grid-container { grid-template-columns: repeat(6, minmax(0, 1fr)) !important;
  grid-template-rows: none !important; grid-auto-rows: auto !important; gap: 4px !important; }
#samples .thumbnail-item { aspect-ratio: 1; }
#samples .caption-label { display: none; }
#gallery .caption-label { white-space: normal; max-width: 100%; left: 0; }
@media (max-width: 767px) {
  #arena { flex-direction: column; }
  #left { display: contents; }
  #input-block, #right, #settings { width: 100%; min-width: 0 !important; }
  #input-block { order: 1; }
  #right { order: 2; }
  #settings { order: 3; }
  #gallery .grid-container { grid-template-columns: repeat(2, minmax(0, 1fr)) !important; }
  #metrics [role=gridcell], #metrics [role=columnheader] { font-size: 12px; padding-left: 4px; padding-right: 4px; }
}
"""
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
        "blind_kernel": gr.Checkbox(
            value=_DEFAULTS.blind_kernel,
            label="Estimate the kernel from the image (blind deblurring)",
            elem_id="blind-kernel",
        ),
        "blind_method": gr.Radio(
            list(BLIND_CHOICES),
            value=_DEFAULTS.blind_method,
            label="Kernel estimator",
            elem_id="blind-method",
            visible=_DEFAULTS.blind_kernel,
        ),
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


def _task_controls(mode: gr.Radio, task: gr.Radio) -> tuple[dict[str, gr.components.Component], dict[str, gr.Group]]:
    """The degradation controls (keyed like :class:`Degradation`) and the group shown for each task.

    ``mode`` and ``task`` are made beside the image (they come before Run); the others after Run.
    """
    controls: dict[str, gr.components.Component] = {
        "mode": mode,
        "task": task,
        "noise_sigma": gr.Slider(0, 255, value=_DEFAULTS.noise_sigma, step=0.05, label="Noise sigma (0–255 scale)"),
        "estimate_sigma": gr.Checkbox(
            value=_DEFAULTS.estimate_sigma, visible=False, label="Estimate the noise level from the photo"
        ),
    }
    needs = rc.get_task(_DEFAULTS.task).needs
    groups = {name: gr.Group(visible=name in needs) for name in CONTROL_GROUPS}
    with groups["kernel"]:
        controls.update(_deblur_controls())
    with groups["scale"]:
        controls["scale"] = gr.Radio(list(rc.SCALES), value=_DEFAULTS.scale, label="Scale factor")
    with groups["quality"]:
        controls["quality"] = gr.Slider(1, 100, value=_DEFAULTS.quality, step=1, label="JPEG quality")
        controls["estimate_quality"] = gr.Checkbox(
            value=_DEFAULTS.estimate_quality,
            label="Estimate the quality from the image (a real JPEG's, or a simulation's to compare)",
            elem_id="estimate-quality",
        )
    with groups["mask"]:
        controls["mask_type"] = gr.Radio(list(MASK_CHOICES), value=_DEFAULTS.mask_type, label="Mask", elem_id="mask")
        controls["mask_ratio"] = gr.Slider(0.05, 0.9, value=_DEFAULTS.mask_ratio, step=0.05, label="Missing fraction")
        controls["mask_drawing"] = gr.ImageEditor(
            label="Paint the pixels to fill in", type="numpy", image_mode="RGBA", format="png", visible=False,
            brush=gr.Brush(colors=["#ff00ff"], color_mode="fixed"), transforms=(), elem_id="mask-editor",
        )  # fmt: skip
        controls["mask_upload"] = RawImage(
            type="filepath", image_mode=None, format="png", sources=["upload", "clipboard"], visible=False,
            label="Mask image: white where pixels are missing, black elsewhere", elem_id="mask-upload",
        )  # fmt: skip
    controls["seed"] = gr.Number(value=_DEFAULTS.seed, precision=0, minimum=0, label="Seed (noise and mask)")
    return controls, groups


def _method_controls() -> tuple[list[MethodChecklist], gr.JSON, list[gr.Group]]:
    """The classical and learned checklists, the method-parameters value and one parameter group per method.

    The checklists are built with every method of their family: API clients see them as built
    (a task change only updates them in a browser session), so this lets them pick methods of
    any task. The page's load event narrows them to the initial task's methods, with their times.
    """
    checklists = [
        MethodChecklist(
            method_choices(None, family),
            value=default_methods(_DEFAULTS.task, family),
            label=f"{family.capitalize()} methods (expected time for this image)",
            elem_id=f"methods-{family}",
        )
        for family in rc.FAMILIES
    ]
    values = gr.JSON(value={}, visible=False, label="Method parameters")
    groups = []
    with gr.Accordion("Method parameters", open=False, elem_id="method-params"):
        for method in task_methods():
            with gr.Group(visible=method.name in default_methods(_DEFAULTS.task)) as group:
                gr.Markdown(f"**{method.display_name}** — {method.description}" if method.description else
                            f"**{method.display_name}**")  # fmt: skip
                for param in exposed_params(method):
                    component = param_component(method, param)
                    component.change(partial(set_param, method=method.name, name=param.name),
                                     [values, component], [values, component], concurrency_limit=None,
                                     trigger_mode="always_last", **_PRIVATE)  # fmt: skip
            groups.append(group)
    return checklists, values, groups


def _views() -> dict[str, gr.components.Component]:
    """The preview and result components: the results first, so they are in view after a run."""
    views: dict[str, gr.components.Component] = {}
    with gr.Row(equal_height=False):
        views["preview"] = gr.Image(label="Input to restore (live preview)", format="png", interactive=False,
                                    height=PREVIEW_HEIGHT, elem_id="preview")  # fmt: skip
        with gr.Column(visible=kernel_views_visible(_DEFAULTS.task), min_width=160,
                       elem_id="kernel-views") as views["kernel_views"]:  # fmt: skip
            views["kernel"] = gr.Image(label="Blur kernel", format="png", interactive=False, height=110)
            views["spectrum"] = gr.Image(label="Frequency response", format="png", interactive=False, height=110)
        with gr.Column(visible=noise_views_visible(_DEFAULTS.task), min_width=160,
                       elem_id="noise-views") as views["noise_views"]:  # fmt: skip
            views["noise_map"] = gr.Image(label=NOISE_MAP_LABEL, format="png", interactive=False,
                                          height=PREVIEW_HEIGHT - 40, elem_id="noise-map")  # fmt: skip
    views["notice"] = gr.Markdown(elem_id="notice")
    with gr.Tabs():
        with gr.Tab("Results"):
            views["gallery"] = gr.Gallery(label="Input and restorations", format="png", columns=3,
                                          object_fit="contain", height="auto", elem_id="gallery")  # fmt: skip
            views["table"] = gr.Dataframe(headers=list(COLUMNS), label="Metrics (best score marked; click a header "
                                          "to sort)", interactive=False, wrap=True, elem_id="metrics",
                                          column_widths=list(COLUMN_WIDTHS))  # fmt: skip
            views["download"] = gr.File(label="All outputs (PNG), the metrics (CSV) and the settings (JSON)",
                                        elem_id="download")  # fmt: skip
            gr.Markdown(_PROTOCOL)
        with gr.Tab("Before / after"):
            with gr.Row():
                views["compare"] = gr.Dropdown([], label="Result", allow_custom_value=False, elem_id="compare")
                views["against"] = gr.Radio(list(AGAINST), value=AGAINST[0], label="Against", elem_id="against")
            views["slider"] = gr.ImageSlider(label="Drag to compare", format="png", type="numpy", elem_id="slider")
        with gr.Tab("Zoom and error maps"):
            with gr.Row():
                views["zoom_x"] = gr.Slider(0, 1, value=0.5, step=0.01, label="Zoom centre x")
                views["zoom_y"] = gr.Slider(0, 1, value=0.5, step=0.01, label="Zoom centre y")
                views["zoom_size"] = gr.Slider(0.05, 1, value=0.25, step=0.05, label="Window (fraction of the side)")
            views["errors"] = gr.Checkbox(value=False, label="Show error maps (|result − reference|, bright = 0.2)")
            views["zoom"] = gr.Gallery(
                label="Same window everywhere", format="png", columns=4, height="auto", elem_id="zoom"
            )
            views["error_maps"] = gr.Gallery(label="Error maps", format="png", columns=4, height="auto", visible=False)
        with gr.Tab("Reference and input"):
            with gr.Row():
                views["reference"] = gr.Image(label="Clean reference", format="png", interactive=False)
                views["degraded"] = gr.Image(label="Degraded input", format="png", interactive=False)
    return views


def _image_input() -> tuple[RawImage, gr.Gallery, gr.Dropdown]:
    """The drop zone, the built-in images as thumbnails, and the source they set (an input of the API)."""
    upload = RawImage(
        type="filepath", image_mode=None, format="png", sources=["upload", "clipboard"], height=UPLOAD_HEIGHT,
        label="Your image: drop it here, paste or click (PNG, JPEG, WebP, TIFF)", elem_id="upload",
    )  # fmt: skip
    samples = gr.Gallery(
        [(rc.to_uint8(rc.sample_image(name, THUMBNAIL_SIDE)), name) for name in rc.SAMPLE_PHOTOS],
        label="…or click a built-in image", columns=len(rc.SAMPLE_PHOTOS), rows=1, height=THUMBNAILS_HEIGHT,
        allow_preview=False, selected_index=0, interactive=False, object_fit="cover", format="png", buttons=[],
        elem_id="samples",
    )  # fmt: skip
    source = gr.Dropdown(source_choices(), value=rc.SAMPLE_PHOTOS[0], label="Image", visible=False, elem_id="source")
    return upload, samples, source


def build_app() -> gr.Blocks:
    """Build the demo (queued, not launched).

    Returns
    -------
    gr.Blocks
        The app, with the ``/restore`` API endpoint; launch it with :func:`launch_options`.
    """
    with gr.Blocks(title="Deconv Arena", delete_cache=DELETE_CACHE) as app:
        gr.Markdown(_INTRO, elem_id="intro")
        with gr.Tabs(elem_id="modes"):
            with gr.Tab("Restore", id="restore"):
                with gr.Row(elem_id="arena"):
                    with gr.Column(scale=1, min_width=320, elem_id="left"):
                        with gr.Column(elem_id="input-block"):
                            upload, samples, source = _image_input()
                            mode = gr.Radio(list(MODE_CHOICES), value=_DEFAULTS.mode, label="Mode", elem_id="mode")
                            task = gr.Radio(list(TASK_CHOICES), value=_DEFAULTS.task, label="Task", elem_id="task")
                            estimate = gr.Markdown(elem_id="estimate")
                            with gr.Row():
                                run = gr.Button("Run", variant="primary", elem_id="run", scale=3)
                                stop = gr.Button("Stop", variant="stop", elem_id="stop", scale=1, min_width=80)
                        with gr.Column(elem_id="settings"):
                            controls, groups = _task_controls(mode, task)
                            checklists, method_params, param_groups = _method_controls()
                    with gr.Column(scale=2, elem_id="right"):
                        views = _views()
                inputs = _Inputs(source, upload, samples, controls, groups, checklists, method_params, param_groups)
                _wire(app, inputs, views, run, stop, estimate)  # the examples go in this tab
            with gr.Tab("Compress", id="compress"):
                build_compression_tab(source_choices(), UPLOAD_HEIGHT)
    return app.queue(default_concurrency_limit=RUNS_AT_ONCE, max_size=MAX_QUEUE)


@dataclass(frozen=True)
class _Inputs:
    """The page's input components, for the wiring."""

    source: gr.Dropdown
    upload: RawImage
    samples: gr.Gallery
    controls: dict[str, gr.components.Component]
    groups: dict[str, gr.Group]
    checklists: list[MethodChecklist]
    method_params: gr.JSON
    param_groups: list[gr.Group]

    @property
    def settings(self) -> list[gr.components.Component]:
        """The degradation controls in the order of :class:`Degradation`'s fields."""
        return [self.controls[field.name] for field in fields(Degradation)]

    @property
    def sizing(self) -> list[gr.components.Component]:
        """What decides the results' size, then the method parameters (the inputs of the time estimates)."""
        return [self.source, self.upload, *(self.controls[name] for name in ("mode", "task", "scale")),
                self.method_params]  # fmt: skip


def _wire_controls(app: gr.Blocks, inputs: _Inputs, views: dict[str, gr.components.Component],
                   estimate: gr.Markdown) -> None:  # fmt: skip
    """Control updates: image choice, task groups, visibility of settings, time estimates, parameter groups."""
    controls, checklists = inputs.controls, inputs.checklists
    task, source, upload = controls["task"], inputs.source, inputs.upload
    inputs.samples.select(sample_picked, None, source, queue=False, **_PRIVATE)
    upload.upload(lambda: UPLOAD, None, source, queue=False, **_PRIVATE)
    upload.clear(lambda: rc.SAMPLE_PHOTOS[0], None, source, queue=False, **_PRIVATE)
    source.change(source_changed, source, [upload, inputs.samples], queue=False, **_PRIVATE)
    group_list = [inputs.groups[name] for name in CONTROL_GROUPS]
    task.change(control_groups, task, group_list, queue=False, **_PRIVATE)
    task.change(lambda value: gr.update(visible=kernel_views_visible(value)), task, views["kernel_views"],
                queue=False, **_PRIVATE)  # fmt: skip
    task.change(lambda value: gr.update(visible=noise_views_visible(value)), task, views["noise_views"], queue=False,
                **_PRIVATE)  # fmt: skip
    task.input(noise_default, task, controls["noise_sigma"], queue=False, **_PRIVATE)
    controls["mode"].change(mode_visibility, controls["mode"],
                            [controls["estimate_sigma"], controls["seed"], views["against"], controls["blind_kernel"],
                             controls["estimate_quality"]],
                            queue=False,
                            **_PRIVATE)  # fmt: skip
    controls["blind_kernel"].change(lambda ticked: gr.update(visible=ticked), controls["blind_kernel"],
                                    controls["blind_method"], queue=False, **_PRIVATE)  # fmt: skip
    controls["kernel_type"].change(kernel_visibility, controls["kernel_type"],
                                   [controls[name] for name in KERNEL_PARAMETERS], queue=False, **_PRIVATE)  # fmt: skip
    mask_inputs = [controls["mask_drawing"], controls["mask_upload"]]
    controls["mask_type"].change(mask_visibility, controls["mask_type"], mask_inputs, queue=False, **_PRIVATE)
    for trigger in (source.change, upload.change):
        trigger(mask_canvas, [source, upload], controls["mask_drawing"], queue=False, **_PRIVATE)
    visibility = [*checklists, task]
    for component in visibility:
        component.change(params_visibility, visibility, inputs.param_groups, queue=False, **_PRIVATE)
    # The checklists follow the image, mode, task, scale and parameters through ONE listener, so its
    # answers arrive in order (an answer for the former task can never replace the new task's lists).
    # The six changes reach it through a counter the browser itself steps: a server listener that
    # shares its triggers with others, with trigger_mode "always_last", makes Gradio re-fire the
    # whole change event when it was deferred, and two such listeners can re-fire it in turn for ever.
    listing_changes = gr.Number(0, visible=False, label="Listing changes")
    listed_task = gr.State()  # the task the checklists list: a different one resets their ticks
    listing = [*inputs.sizing, listed_task]
    gr.on([component.change for component in (source, upload, task, controls["mode"], controls["scale"],
                                              inputs.method_params)],
          None, listing_changes, listing_changes, js="(count) => count + 1", queue=False, **_PRIVATE)  # fmt: skip
    listing_changes.change(checklist_updates, listing, [*checklists, listed_task], queue=False,
                           trigger_mode="always_last", **_PRIVATE)  # fmt: skip
    timing = [*inputs.sizing[:-1], *checklists, inputs.method_params]
    for component in (*inputs.sizing, *checklists):
        component.change(selection_time, timing, estimate, queue=False, trigger_mode="always_last",
                         show_progress="hidden", **_PRIVATE)  # fmt: skip
    load = app.load(checklist_updates, listing, [*checklists, listed_task], queue=False, **_PRIVATE)
    load.then(params_visibility, visibility, inputs.param_groups, queue=False, **_PRIVATE)
    load.then(selection_time, timing, estimate, queue=False, **_PRIVATE)


def _wire(app: gr.Blocks, inputs: _Inputs, views: dict[str, gr.components.Component], run: gr.Button,
          stop: gr.Button, estimate: gr.Markdown) -> None:  # fmt: skip
    """Connect the events: control updates, the live preview, the runs (button, examples, Stop) and the result views."""
    _wire_controls(app, inputs, views, estimate)
    source, upload, settings = inputs.source, inputs.upload, inputs.settings
    preview_outputs = [views["preview"], views["kernel"], views["spectrum"], views["notice"]]
    served_preview, served_zoom = as_files(preview), as_files(zoom_views)
    for component in (source, upload, *settings):
        component.change(served_preview, [source, upload, *settings], preview_outputs, trigger_mode="always_last",
                         show_progress="hidden", queue=False, **_PRIVATE)  # fmt: skip
    app.load(served_preview, [source, upload, *settings], preview_outputs, queue=False, **_PRIVATE)
    state = gr.State()
    outputs = [views[name] for name in RUN_OUTPUTS]
    for trigger in (source.change, upload.change):  # results of another image are stale
        trigger(cleared_results, None, [*outputs, state], queue=False, **_PRIVATE)
    example_inputs = [source, *(inputs.controls[name] for name in EXAMPLE_FIELDS)]
    examples = gr.Examples(EXAMPLES, example_inputs, run_on_click=False, api_visibility="private",
                           label="Examples: a click sets the controls and runs the task's default methods")  # fmt: skip
    for component in (source, upload, *settings, inputs.method_params):
        guard_input(component)
    progress_on = {"show_progress_on": [views["gallery"]], "concurrency_id": "run"}
    example_run = examples.load_input_event.then(as_files(run_example), example_inputs, [*outputs, state],
                                                 **progress_on, **_PRIVATE)  # fmt: skip
    run_event = run.click(as_files(run_arena), [source, upload, *settings, *inputs.checklists, inputs.method_params],
                          [*outputs, state], api_name="restore", **progress_on)  # fmt: skip
    stop.click(None, None, None, cancels=[run_event, example_run], queue=False, **_PRIVATE)
    served_slider = as_files(slider_pair)
    for trigger in (views["compare"].input, views["against"].input):
        trigger(served_slider, [state, views["compare"], views["against"]], views["slider"], **_PRIVATE)
    zoom_inputs = [state, views["zoom_x"], views["zoom_y"], views["zoom_size"], views["errors"]]
    for component in (*zoom_inputs[1:], state):
        component.change(served_zoom, zoom_inputs, [views["zoom"], views["error_maps"]],
                         trigger_mode="always_last", show_progress="hidden", **_PRIVATE)  # fmt: skip


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
        "css": CSS,
    }
