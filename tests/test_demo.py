"""Tests of the Gradio demo: callbacks called directly, and one served app driven by gradio_client."""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import inspect
import math
import socket
from dataclasses import asdict, fields
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from PIL import Image

import restore_core as rc
from demo import build_app, launch_options
from demo.callbacks import COLUMNS, kernel_visibility, run_arena, task_updates
from demo.degradation import KERNEL_CHOICES, Degradation
from demo.inputs import MAX_UPLOAD_SIDE, SAMPLE_SIDE, SAMPLES, UPLOAD, load_sample, prepare_upload
from demo.method_choices import SLOW_METHODS, default_methods, method_choices, selected_methods


@pytest.fixture(scope="module")
def small_upload() -> np.ndarray:
    """A 64x64 uint8 RGB crop of ``astronaut``, as ``gr.Image(type="numpy")`` delivers an upload."""
    from skimage import data

    return data.astronaut()[100:164, 180:244].copy()


def arena(upload: np.ndarray | None, methods: list[str] | None = None, **settings) -> tuple:
    """Run the arena on an uploaded image; ``methods`` defaults to the task's default checklist."""
    degradation = Degradation(**settings)
    chosen = default_methods(degradation.task) if methods is None else methods
    return run_arena(UPLOAD, upload, methods=chosen, **asdict(degradation))


def check_outputs(outputs: tuple, expected_methods: int) -> None:
    """Images are 8-bit, and gallery and table hold one finite score per method."""
    reference, degraded, gallery, table = outputs
    assert reference.dtype == degraded.dtype == np.uint8
    assert len(gallery) == len(table) == expected_methods
    assert list(table.columns) == list(COLUMNS)
    for (image, caption), row in zip(gallery, table.itertuples(index=False), strict=True):
        assert image.shape == reference.shape and image.dtype == np.uint8
        assert caption.startswith(f"{row[0]} — ") and " dB / " in caption
        assert isinstance(row[2], float) and math.isfinite(row[2])
        assert isinstance(row[3], float) and -1 <= row[3] <= 1


@pytest.mark.parametrize(
    "settings",
    [
        {"task": "denoise", "noise_sigma": 25.0},
        {"task": "deblur", "kernel_type": "gaussian"},
        {"task": "deblur", "kernel_type": "motion", "motion_length": 9.0},
        {"task": "sr", "scale": 3, "noise_sigma": 0.0},
        {"task": "jpeg", "quality": 10, "noise_sigma": 0.0},
        {"task": "inpaint", "mask_type": "strokes", "mask_ratio": 0.3, "noise_sigma": 0.0},
    ],
    ids=lambda settings: "-".join(str(value) for value in settings.values()),
)
def test_every_task_gives_scores_for_every_default_method(small_upload: np.ndarray, settings: dict) -> None:
    outputs = arena(small_upload, **settings)
    check_outputs(outputs, len(default_methods(settings["task"])))


def test_sr_scores_on_y_channel_with_scale_crop(small_upload: np.ndarray) -> None:
    *_, table = arena(small_upload, ["bicubic"], task="sr", scale=2, noise_sigma=0.0)
    clean = rc.to_float(small_upload)
    observation = Degradation(task="sr", scale=2, noise_sigma=0.0).observe(clean)
    expected = rc.psnr(clean, rc.restore(observation, "bicubic"), y_channel=True, crop=2)
    assert table["PSNR (dB)"].iloc[0] == pytest.approx(expected, abs=0.01)


def test_every_kernel_type_degrades(small_upload: np.ndarray) -> None:
    for _, kernel_type in KERNEL_CHOICES:
        _, degraded, _, table = arena(small_upload, ["wiener"], task="deblur", kernel_type=kernel_type)
        assert degraded.shape == small_upload.shape and len(table) == 1


def test_a_failing_method_warns_and_the_others_still_appear(
    small_upload: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_restore = rc.restore

    def flaky_restore(observation: rc.Observation, method: str, **params) -> np.ndarray:
        if method == "tv":
            raise rc.RestoreError("the TV solver diverged")
        if method == "wavelet":
            raise ZeroDivisionError("division by zero")
        return real_restore(observation, method, **params)

    monkeypatch.setattr(rc, "restore", flaky_restore)
    with pytest.warns(UserWarning) as caught:
        outputs = arena(small_upload, ["identity", "tv", "wavelet", "nlm"], task="denoise", noise_sigma=25.0)
    check_outputs(outputs, 2)
    assert list(outputs[3]["Method"]) == ["Degraded input", "Non-local means"]
    assert [str(warning.message) for warning in caught] == [
        "TV (Chambolle) failed: the TV solver diverged",
        "Wavelet (BayesShrink) failed: ZeroDivisionError: division by zero",
    ]


@pytest.mark.parametrize(
    ("source", "upload", "methods", "settings", "message"),
    [
        (UPLOAD, None, ["tv"], {"task": "denoise"}, "no image uploaded"),
        (UPLOAD, "not an image", ["tv"], {"task": "denoise"}, "NumPy array"),
        (UPLOAD, np.zeros((4, 4), np.uint8), ["tv"], {"task": "denoise"}, "at least 8"),
        ("lena", None, ["tv"], {"task": "denoise"}, "unknown sample"),
        ("camera", None, [], {"task": "denoise"}, "no method selected"),
        ("camera", None, ["wiener"], {"task": "denoise"}, "not a method for the denoise task"),
        ("camera", None, ["tv"], {"task": "denoise", "seed": None}, "the seed must be a whole number"),
        ("camera", None, ["identity"], {"task": "jpeg", "quality": 0}, "JPEG quality"),
        ("camera", None, ["wiener"], {"task": "deblur", "gaussian_sigma": -1.0}, "Gaussian sigma"),
    ],
    ids=[
        "empty-upload",
        "non-image",
        "tiny",
        "unknown-sample",
        "no-method",
        "wrong-task",
        "no-seed",
        "quality",
        "sigma",
    ],
)
def test_bad_input_raises_gr_error(source, upload, methods, settings, message: str) -> None:
    with pytest.raises(gr.Error, match=message):
        run_arena(source, upload, methods=methods, **asdict(Degradation(**settings)))


def test_samples_are_deterministic_crops() -> None:
    for name in SAMPLES:
        image = load_sample(name)
        assert max(image.shape[:2]) <= SAMPLE_SIDE and image.dtype == np.float32
        assert image is load_sample(name) and not image.flags.writeable


def test_large_upload_is_downscaled_with_a_warning() -> None:
    upload = np.full((MAX_UPLOAD_SIDE * 2, 300, 3), 128, dtype=np.uint8)
    with pytest.warns(UserWarning, match="downscaled"):
        image = prepare_upload(upload)
    assert image.shape == (MAX_UPLOAD_SIDE, 150, 3) and 0 <= image.min() <= image.max() <= 1


def test_method_choices_are_labelled_and_slow_ones_unchecked() -> None:
    for task in rc.TASKS:
        choices = method_choices(task)
        assert {name for _, name in choices} == {method.name for method in rc.list_methods(task)}
        assert all(label.endswith((" · classical", " · learned")) for label, _ in choices)
        families = [label.rsplit(" · ", 1)[1] for label, _ in choices]
        assert families == sorted(families, key=rc.FAMILIES.index)
        assert default_methods(task) and not SLOW_METHODS & set(default_methods(task))
    assert ("Wiener · classical", "wiener") in method_choices("deblur")
    assert [method.name for method in selected_methods(["wiener", "identity"], "deblur")] == ["identity", "wiener"]


def test_task_and_kernel_changes_update_the_controls() -> None:
    noise, methods, *groups = task_updates("sr")
    assert noise["value"] == 0.0
    assert methods["value"] == default_methods("sr") and methods["choices"] == method_choices("sr")
    assert [group["visible"] for group in groups] == [False, True, False, False]
    assert [update["visible"] for update in kernel_visibility("motion")] == [False, False, True, True, False]


def test_run_arena_parameters_follow_the_degradation_fields() -> None:
    names = list(inspect.signature(run_arena).parameters)
    assert names[2:-2] == [field.name for field in fields(Degradation)]


def test_build_app_returns_blocks_with_the_restore_endpoint() -> None:
    app = build_app()
    assert isinstance(app, gr.Blocks)
    assert [fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"] == ["restore"]


def test_launch_options_honour_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("PORT", "GRADIO_SERVER_PORT", "GRADIO_SERVER_NAME"):
        monkeypatch.delenv(variable, raising=False)
    assert launch_options() == {
        "server_name": "127.0.0.1",
        "server_port": None,
        "ssr_mode": False,
        "share": False,
        "max_file_size": "20mb",
    }
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7861")
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    assert launch_options()["server_port"] == 7861 and launch_options()["server_name"] == "0.0.0.0"
    monkeypatch.setenv("PORT", "8080")
    assert launch_options()["server_port"] == 8080
    monkeypatch.setenv("PORT", "http")
    with pytest.raises(ValueError, match="PORT"):
        launch_options()


def free_port() -> int:
    """A port nobody listens on (``launch(server_port=0)`` does not work in Gradio 6)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Gradio's queue statistics use a pandas option that pandas 3 deprecates; nothing of the demo's.
@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gradio.queueing")
def test_served_app_restores_through_gradio_client(small_upload: np.ndarray, tmp_path: Path) -> None:
    client_module = pytest.importorskip("gradio_client", reason="gradio_client is needed to call the served app")
    path = tmp_path / "input.png"
    Image.fromarray(small_upload).save(path)
    # denoise is not the initial task: API clients may pick methods of any task
    settings = asdict(Degradation(task="denoise", noise_sigma=25.0))
    app = build_app()
    options = {**launch_options(), "server_name": "127.0.0.1", "server_port": free_port()}
    _, url, _ = app.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        client = client_module.Client(url, verbose=False)
        reference, degraded, gallery, table = client.predict(
            UPLOAD, client_module.handle_file(str(path)), *settings.values(), ["tv", "nlm"], api_name="/restore"
        )
        with pytest.raises(client_module.exceptions.AppError, match="no image uploaded"):
            client.predict(UPLOAD, None, *settings.values(), ["tv"], api_name="/restore")
    finally:
        app.close()
    assert np.array_equal(np.asarray(Image.open(reference)), small_upload)
    assert Image.open(degraded).format == "PNG"
    assert [item["caption"].split(" — ")[0] for item in gallery] == ["TV (Chambolle)", "Non-local means"]
    assert all(Image.open(item["image"]).format == "PNG" for item in gallery)
    assert table["headers"] == list(COLUMNS) and len(table["data"]) == 2
    assert all(isinstance(row[2], float) and math.isfinite(row[2]) for row in table["data"])
