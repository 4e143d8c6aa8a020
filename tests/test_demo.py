"""Tests of the Gradio demo: callbacks called directly, and one served app driven by gradio_client."""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import asyncio
import io
import json
import math
import re
import socket
import time
import zipfile
from dataclasses import fields
from pathlib import Path

import gradio as gr
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy import ndimage

import restore_core as rc
from demo import build_app, callbacks, launch_options
from demo.app import CSS
from demo.callbacks import (
    AGAINST,
    COLUMNS,
    INPUT_NAME,
    NO_REFERENCE_COLUMNS,
    checklist_updates,
    control_groups,
    kernel_visibility,
    method_checklists,
    params_visibility,
    preview,
    run_arena,
    run_example,
    selection_time,
    slider_pair,
    warm_up,
    zoom_views,
)
from demo.degradation import KERNEL_CHOICES, Degradation
from demo.inputs import MAX_UPLOAD_SIDE, SAMPLE_SIDE, UPLOAD, drawn_mask, editor_background, input_image
from demo.method_choices import default_methods, is_slow, method_choices, selected_methods, task_methods
from demo.method_params import exposed_params, param_component, params_for, set_param
from restore_core.workers import resident_bytes


def no_progress(*_args, **_kwargs) -> None:
    """Stands in for ``gr.Progress`` outside a served app."""


@pytest.fixture(scope="module")
def small_upload(tmp_path_factory) -> str:
    """A 64x64 RGB crop of ``astronaut`` saved as PNG, as ``gr.Image(type="filepath")`` delivers an upload."""
    from skimage import data

    path = tmp_path_factory.mktemp("upload") / "astronaut.png"
    Image.fromarray(data.astronaut()[100:164, 180:244]).save(path)
    return str(path)


def arena(upload: str | None, methods: list[str] | None = None, source: str = UPLOAD, params=None, **settings):
    """Run the arena on an upload; ``methods`` defaults to the task's default checklists."""
    degradation = Degradation(**settings)
    chosen = default_methods(degradation.task) if methods is None else methods
    run = run_arena(source, upload, *values_of(degradation), chosen, [], params or {}, progress=no_progress)
    return asyncio.run(run)


def values_of(degradation: Degradation) -> tuple:
    """The settings in the order of the endpoint's inputs."""
    return tuple(getattr(degradation, field.name) for field in fields(Degradation))


def check_outputs(outputs: tuple, expected_methods: int) -> None:
    """Images are 8-bit; the gallery shows the input once, then each method; the table holds finite scores (the
    input's first, when it has the results' size), the best marked; the slider opens on the best result against
    the input; downloads hold every picture once."""
    reference, degraded, gallery, styled, slider, compare, against, download, _notice, *_kernel_views, state = outputs
    table = styled.data
    assert reference.dtype == degraded.dtype == np.uint8 and degraded.shape == reference.shape
    assert gallery[0][1].startswith(INPUT_NAME) and np.array_equal(gallery[0][0], degraded)
    results = table[table["Method"] != INPUT_NAME]
    assert len(gallery) - 1 == len(results) == len(state.results) == expected_methods
    assert list(table.columns) == list(COLUMNS) and len(table) - len(results) == (state.input_scores is not None)
    for (image, caption), row in zip(gallery[1:], results.itertuples(index=False), strict=True):
        assert image.shape == reference.shape and image.dtype == np.uint8
        assert caption.startswith(f"{row[0]} — ") and " dB / " in caption
        assert isinstance(row[1], float) and math.isfinite(row[1])
        assert isinstance(row[2], float) and -1 <= row[2] <= 1
    best = results["Method"].iloc[results["PSNR (dB)"].argmax()]
    assert compare["choices"] == list(results["Method"]) and compare["value"] == best
    assert against == {"__type__": "update", "choices": list(AGAINST), "value": "degraded input"}
    shown = dict((caption.split(" — ")[0], image) for image, caption in gallery)
    assert np.array_equal(slider[0], degraded) and np.array_equal(slider[1], shown[best])
    assert "font-weight: bold" in styled.to_html()  # the best score is marked
    with zipfile.ZipFile(download) as archive:
        names = archive.namelist()
        assert len(names) == expected_methods + 4 and "metrics.csv" in names and "settings.json" in names
        assert sum("degraded" in name for name in names) == 1
        first = Image.open(io.BytesIO(archive.read(names[2])))
        assert np.array_equal(np.asarray(first), gallery[1][0])  # lossless: the PNG is the image shown and scored
        assert pd.read_csv(io.BytesIO(archive.read("metrics.csv")))["Method"].tolist() == list(table["Method"])


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
def test_every_task_gives_scores_for_every_default_method(small_upload: str, settings: dict) -> None:
    outputs = arena(small_upload, **settings)
    check_outputs(outputs, len(default_methods(settings["task"])))


def test_every_example_runs_with_the_default_methods() -> None:
    from demo.app import EXAMPLE_FIELDS, EXAMPLES

    for example in EXAMPLES:
        outputs = asyncio.run(run_example(*example, progress=no_progress))
        task = example[1 + EXAMPLE_FIELDS.index("task")]
        check_outputs(outputs, len(default_methods(task)))
        assert outputs[0].shape[:2] == (SAMPLE_SIDE, SAMPLE_SIDE)


def test_scores_are_those_of_the_8_bit_images_shown_with_the_sr_protocol(small_upload: str) -> None:
    outputs = arena(small_upload, ["bicubic"], task="sr", scale=2, noise_sigma=0.0)
    clean = rc.load_image(small_upload)
    observation = Degradation(task="sr", scale=2, noise_sigma=0.0).observe(clean)
    shown = outputs[2][1][0].astype(np.float32) / 255
    assert np.array_equal(shown, rc.quantize(rc.restore(observation, "bicubic")))
    table = outputs[3].data  # no input row: a low-resolution input has no score of its own
    assert table["Method"].tolist() == ["Bicubic"]
    assert table["PSNR (dB)"].iloc[0] == pytest.approx(rc.psnr(clean, shown, y_channel=True, crop=2), abs=0.01)


def write_kernel(path: Path, picture: np.ndarray) -> str:
    Image.fromarray(picture).save(path)
    return str(path)


def test_every_kernel_type_degrades_and_previews(small_upload: str, tmp_path: Path) -> None:
    line = np.zeros((5, 5), np.uint8)  # kernel pictures below the 8-px image minimum are fine
    line[2, 1:4] = 255
    upload = write_kernel(tmp_path / "kernel.png", line)
    for _, kernel_type in KERNEL_CHOICES:
        settings = {"task": "deblur", "kernel_type": kernel_type, "kernel_upload": upload}
        outputs = arena(small_upload, ["wiener"], **settings)
        assert outputs[1].shape == (64, 64, 3) and outputs[3].data["Method"].tolist() == [INPUT_NAME, "Wiener"]
        degraded, kernel, spectrum, notice = preview(UPLOAD, small_upload, *values_of(Degradation(**settings)))
        assert degraded.shape == (64, 64, 3) and kernel.dtype == np.uint8 and notice == ""
        assert spectrum["value"].shape[2] == 3 and "weakest frequency" in spectrum["label"]


def test_preview_reports_bad_settings_instead_of_raising(small_upload: str) -> None:
    degraded, *_, notice = preview(UPLOAD, small_upload, *values_of(Degradation(task="jpeg", quality=0)))
    assert degraded is None and "JPEG quality" in notice
    degraded, kernel, _spectrum, notice = preview("camera", None, *values_of(Degradation(task="denoise")))
    assert degraded.shape == (SAMPLE_SIDE, SAMPLE_SIDE) and kernel is None and notice == ""


def test_a_failing_method_is_named_with_its_reason_and_the_others_still_appear(small_upload: str) -> None:
    params = {"tv": {"weight": -1.0}, "wavelet": {"levels": 99}}
    outputs = arena(small_upload, ["tv", "wavelet", "nlm"], task="denoise", noise_sigma=25.0, params=params)
    check_outputs(outputs, 1)
    assert list(outputs[3].data["Method"]) == [INPUT_NAME, "Non-local means"]
    notice = outputs[8]
    assert "2 methods gave no result" in notice
    assert "**TV (Chambolle)**: parameter 'weight' of tv must be in" in notice
    assert "**Wavelet (BayesShrink)**: parameter 'levels' of wavelet must be in" in notice
    with pytest.raises(gr.Error, match="no method gave a result — TV \\(Chambolle\\): parameter 'weight'"):
        arena(small_upload, ["tv"], task="denoise", params=params)


def test_a_run_past_its_time_budget_shows_the_methods_that_finished(
    small_upload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(callbacks, "RUN_SECONDS", 4.0)
    start = time.monotonic()
    outputs = arena(None, ["wiener", "pnp_bm3d", "wiener_unet"], source="camera", task="deblur",
                    params={"pnp_bm3d": {"iterations": 200}})  # fmt: skip
    assert time.monotonic() - start < 12
    check_outputs(outputs, 1)
    assert "**PnP-HQS, BM3D prior**: stopped: the run's time budget (4 s) was spent" in outputs[8]
    assert "**Wiener + DeconvUNet (learned)**: not run: the run's time budget was spent." in outputs[8]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, str]:
    """Uploads that are not usable images."""
    folder = tmp_path_factory.mktemp("bad")
    files = {"text.png": b"this is not an image", "empty.png": b""}
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((64, 64), np.uint8)).save(buffer, format="PNG")
    files["truncated.png"] = buffer.getvalue()[:60]
    for name, content in files.items():
        (folder / name).write_bytes(content)
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(folder / "tiny.png")
    Image.new("L", (13_000, 1)).save(folder / "huge.png")
    Image.new("1", (10_000, 10_000)).save(folder / "many_pixels.png")  # 100 MP in 12 KB
    Image.new("RGB", (300, 40)).save(folder / "wide.png")  # x4: a 1200 px wide result
    Image.fromarray(np.zeros((9, 9), np.uint8)).save(folder / "blank_kernel.png")
    Image.fromarray(np.full((80, 80), 255, np.uint8)).save(folder / "big_kernel.png")
    return {path.stem: str(path) for path in folder.iterdir()}


@pytest.mark.parametrize(
    ("upload", "methods", "settings", "message"),
    [
        (None, ["tv"], {"task": "denoise"}, "no image uploaded"),
        ("text", ["tv"], {"task": "denoise"}, "text.png is not a readable image"),
        ("empty", ["tv"], {"task": "denoise"}, "empty.png is not a readable image"),
        ("truncated", ["tv"], {"task": "denoise"}, "truncated.png is not a readable image"),
        ("tiny", ["tv"], {"task": "denoise"}, "at least 8"),
        ("huge", ["tv"], {"task": "denoise"}, "sides above 12000 pixels are not accepted"),
        ("many_pixels", ["tv"], {"task": "denoise"}, "100 megapixels\\): images above 50 megapixels are not accepted"),
        ("small", [], {"task": "denoise"}, "no method selected"),
        ("small", ["wiener"], {"task": "denoise"}, "not a method for the denoise task"),
        ("small", ["tv"], {"task": "denoise", "seed": None}, "the seed must be a whole number"),
        ("small", ["tv"], {"task": "denoise", "mode": "dream"}, "unknown mode"),
        ("wide", ["bicubic"], {"task": "sr", "mode": "real", "scale": 4}, "crop the photo to at most 256 px a side"),
        ("small", ["deconv_jpeg"], {"task": "jpeg", "quality": 0}, "JPEG quality"),
        ("small", ["identity"], {"task": "denoise"}, "identity: not a method for the denoise task"),
        ("small", ["wiener"], {"task": "deblur", "gaussian_sigma": -1.0}, "Gaussian sigma"),
        ("small", ["wiener"], {"task": "deblur", "kernel_type": "upload"}, "no kernel image uploaded"),
        ("small", ["wiener"], {"task": "deblur", "kernel_type": "upload", "kernel_upload": "blank_kernel"}, "blank"),
        ("small", ["wiener"], {"task": "deblur", "kernel_type": "upload", "kernel_upload": "big_kernel"}, "larger"),
        ("small", ["biharmonic"], {"task": "inpaint", "mask_type": "drawn"}, "no mask drawn"),
        ("small", ["biharmonic"], {"task": "inpaint", "mode": "real", "mask_type": "random"}, "or upload a mask"),
        ("small", ["biharmonic"], {"task": "inpaint", "mask_type": "upload"}, "no mask image uploaded"),
        ("small", ["biharmonic"], {"task": "inpaint", "mask_type": "upload", "mask_upload": "wide"}, "300×40"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_raises_gr_error(small_upload, bad_files, upload, methods, settings, message: str) -> None:
    files = {**bad_files, "small": small_upload}
    for name in ("kernel_upload", "mask_upload"):
        if name in settings:
            settings = {**settings, name: files[settings[name]]}
    with pytest.raises(gr.Error, match=message):
        arena(files.get(upload), methods, **settings)


def test_unknown_sample_or_vanished_upload_raises_gr_error(tmp_path: Path) -> None:
    with pytest.raises(gr.Error, match="unknown sample image 'lena'"):
        arena(None, ["tv"], source="lena", task="denoise")
    with pytest.raises(gr.Error, match="no longer on the server: upload it again") as caught:
        arena(str(tmp_path / "gone.png"), ["tv"], task="denoise")
    assert str(tmp_path) not in str(caught.value)


def test_warm_up_runs_the_learned_methods_and_only_logs_failures(monkeypatch, caplog) -> None:
    calls = []
    real_restore = rc.restore

    def counting_restore(observation, method, progress=None, **params):
        calls.append(method)
        return real_restore(observation, method, progress, **params)

    monkeypatch.setattr(rc, "restore", counting_restore)
    warm_up()
    assert calls == [method.name for method in rc.list_methods() if method.family == "learned"]

    def failing_restore(observation, method, progress=None, **params):
        raise rc.RestoreError("weights file is corrupted")

    monkeypatch.setattr(rc, "restore", failing_restore)
    warm_up()  # does not raise
    assert calls and all("weights file is corrupted" in record.getMessage() for record in caplog.records)
    assert len(caplog.records) == len(calls)


@pytest.mark.parametrize("mode", ["RGBA", "P", "CMYK", "I;16", "LA"])
def test_any_image_mode_is_converted(tmp_path: Path, mode: str) -> None:
    from skimage import data

    picture = Image.fromarray(data.astronaut()[:48, :48]).convert("RGB")
    picture = picture.convert("I;16") if mode == "I;16" else picture.convert(mode)
    path = tmp_path / f"upload.{'jpg' if mode == 'CMYK' else 'png'}"
    picture.save(path)
    outputs = arena(str(path), ["tv"], task="denoise", noise_sigma=5.0)
    assert outputs[0].shape[:2] == (48, 48) and len(outputs[3].data) == 2


def test_a_huge_jpeg_is_decoded_reduced_once_for_every_call(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    Image.new("RGB", (12_000, 9_000), (100, 150, 200)).save(path, quality=50)
    image, notice = input_image(UPLOAD, str(path))
    assert image.shape == (768, 1024, 3) and notice.startswith("The image is 12000×9000: it was downscaled to 1024×768")
    assert np.allclose(image[0, 0], np.array([100, 150, 200]) / 255, atol=2 / 255)
    assert input_image(UPLOAD, str(path))[0] is image, "decoded once, then served from the cache"
    with pytest.raises(ValueError, match="read-only"):
        image[0, 0] = 0


def test_large_upload_is_downscaled_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "large.png"
    Image.fromarray(np.full((MAX_UPLOAD_SIDE * 2, 300, 3), 128, dtype=np.uint8)).save(path)
    image, notice = input_image(UPLOAD, str(path))
    assert image.shape == (MAX_UPLOAD_SIDE, 150, 3) and "downscaled" in notice
    with pytest.warns(UserWarning, match="downscaled"):
        outputs = arena(str(path), ["wavelet"], task="denoise", noise_sigma=5.0)
    assert outputs[0].shape == (MAX_UPLOAD_SIDE, 150, 3) and "downscaled" in outputs[8]


def test_samples_are_the_library_samples() -> None:
    for name in rc.SAMPLE_PHOTOS:
        image, notice = input_image(name, None)
        assert image is rc.sample_image(name, SAMPLE_SIDE) and notice == "" and not image.flags.writeable
        assert image.shape[:2] == (SAMPLE_SIDE, SAMPLE_SIDE)


def test_drawn_mask_comes_from_the_painted_pixels(small_upload: str) -> None:
    image = rc.load_image(small_upload)
    drawing = editor_background(image)
    assert drawing["background"].shape == (64, 64, 3)
    layer = np.zeros((64, 64, 4), np.uint8)
    layer[10:20, 5:50, 3] = 255
    mask = drawn_mask({**drawing, "layers": [layer]}, image.shape)
    assert mask.sum() == 64 * 64 - 10 * 45 and not mask[15, 10]
    outputs = arena(small_upload, ["biharmonic"], task="inpaint", mask_type="drawn", mask_drawing={"layers": [layer]})
    check_outputs(outputs, 1)
    for layers, message in (([np.full((64, 64, 4), 255, np.uint8)], "covers the whole image"),
                            ([layer[:32]], "draw on the current image")):  # fmt: skip
        with pytest.raises(rc.RestoreError, match=message):
            drawn_mask({"layers": layers}, image.shape)


def test_real_photo_mode_restores_without_scores_and_records_the_estimated_noise(small_upload: str) -> None:
    outputs = arena(small_upload, ["wiener", "wiener_unet"], mode="real", task="deblur", estimate_sigma=True)
    reference, degraded, gallery, table, slider, compare, against, download, notice, *_kernel_views, state = outputs
    assert reference is None and state.clean is None and "no PSNR/SSIM" in notice
    assert list(table.data.columns) == list(NO_REFERENCE_COLUMNS) and len(table.data) == 2
    assert len(gallery) == 3 and not any(" dB" in caption for _, caption in gallery)
    assert np.array_equal(degraded, np.asarray(Image.open(small_upload)))  # taken as it is, not degraded again
    assert compare["value"] == "Wiener + DeconvUNet (learned)"  # no scores: the first learned result
    assert against["choices"] == ["degraded input"] and np.array_equal(slider[0], degraded)
    estimate = state.degraded is not None and float(re.search(r"σ ≈ ([\d.]+)", notice).group(1))
    with zipfile.ZipFile(download) as archive:
        settings = json.loads(archive.read("settings.json"))
    assert settings["estimate_sigma"] and settings["noise_sigma"] == pytest.approx(estimate, abs=0.05)
    outputs = arena(small_upload, ["bicubic"], mode="real", task="sr", scale=2)
    assert outputs[2][0][0].shape == (128, 128, 3) and outputs[1].shape == (128, 128, 3)


def test_method_checklists_are_grouped_by_family_and_slow_ones_unchecked() -> None:
    for task in rc.TASKS:
        classical, learned = method_checklists(task)
        assert {name for _, name in classical["choices"] + learned["choices"]} == {
            method.name for method in rc.list_methods(task) if not method.baseline
        }
        assert all(rc.get_method(name).family == "classical" for _, name in classical["choices"])
        assert all(rc.get_method(name).family == "learned" for _, name in learned["choices"])
        for family, checklist in zip(rc.FAMILIES, (classical, learned), strict=True):
            ticked, names = set(checklist["value"]), {name for _, name in checklist["choices"]}
            slow = {name for name in names if is_slow(rc.get_method(name), task)}
            assert ticked or names == slow, "a family is left out only when all its methods are slow"
            assert not ticked & slow or (len(ticked) == 1 and names == slow), (task, family)
        assert classical["value"]
    photo = default_methods("denoise") + default_methods("deblur")
    assert {"bm3d", "tv_deconv", "pnp_bm3d", "pnp_unet"}.isdisjoint(photo)
    assert {"tv", "wiener", "deconv_unet", "wiener_unet"} <= set(photo)
    assert ("Wiener", "wiener") in method_choices("deblur", "classical")
    chosen = selected_methods(["wiener_unet", "wiener"], "deblur")
    assert [method.name for method in chosen] == ["wiener", "wiener_unet"]


def seconds_in(notice: str) -> float:
    """The total time a selection notice announces ("about 54 s", "about 2 min"), in seconds."""
    value, unit = re.search(r"about (\d+) (s|min)", notice).groups()
    return float(value) * (60 if unit == "min" else 1)


def test_checklists_show_each_methods_expected_time_and_a_long_selection_warns() -> None:
    classical, _ = method_checklists("denoise", (256, 256, 3))
    labels = dict((name, label) for label, name in classical["choices"])
    assert re.fullmatch(r"TV \(Chambolle\) · (<1|~\d+) s", labels["tv"]) and "value" in classical
    assert "value" not in checklist_updates("camera", None, "simulate", "denoise", 2, {}, "denoise")[0]
    quick = selection_time("camera", None, "simulate", "denoise", 2, ["tv"], [], {})
    assert re.fullmatch(r"Expected time for a 256×256 result: (under 1 s|about \d+ s)\.", quick)
    slow = selection_time("astronaut", None, "simulate", "deblur", 2, ["pnp_bm3d"], [], {})
    assert "This selection will take about" in slow and "PnP-HQS, BM3D prior ~" in slow
    longer = {"pnp_bm3d": {"iterations": 16}}
    more = selection_time("astronaut", None, "simulate", "deblur", 2, ["pnp_bm3d"], [], longer)
    assert seconds_in(more) > seconds_in(slow)
    assert selection_time(UPLOAD, None, "simulate", "deblur", 2, ["wiener"], [], {}) == ""  # no image: no estimate


def test_task_kernel_and_method_changes_update_the_controls() -> None:
    classical, learned, listed = checklist_updates("camera", None, "simulate", "sr", 2, {}, "deblur")
    assert classical["value"] == default_methods("sr", "classical") and "choices" in learned and listed == "sr"
    assert [group["visible"] for group in control_groups("sr")] == [False, True, False, False]
    assert [update["visible"] for update in kernel_visibility("motion")] == [False, False, True, True, False, False]
    visible = [update["visible"] for update in params_visibility(["wiener"], [], "deblur")]
    assert visible == [method.name == "wiener" for method in task_methods()]


def test_method_parameters_get_components_and_reach_the_methods(small_upload: str) -> None:
    for method in rc.list_methods():
        for param in exposed_params(method):
            component = param_component(method, param)
            assert isinstance(component, (gr.Slider, gr.Number, gr.Dropdown, gr.Checkbox, gr.Textbox))
            assert isinstance(component, gr.Textbox) == (param.default is None)  # blank: automatic
        assert {"device", "tile"}.isdisjoint(param.name for param in exposed_params(method))
    values, update = set_param({}, "0.5", method="wiener", name="balance")
    assert values == {"wiener": {"balance": 0.5}} and "value" not in update
    assert set_param(values, "", method="wiener", name="balance")[0] == {}
    with pytest.warns(UserWarning, match="must be in \\[1e-06, 10.0\\], got 5000. Wiener keeps balance = 0.5"):
        kept, update = set_param(values, 5000, method="wiener", name="balance")
    assert kept == values and update["value"] == 0.5
    assert params_for(values, "wiener") == {"balance": 0.5} and params_for(values, "tv") == {}
    with pytest.raises(rc.RestoreError, match="method_params must map"):
        params_for({"wiener": 0.5}, "wiener")
    runs = (arena(small_upload, ["wiener"], task="deblur", params={"wiener": {"balance": balance}})
            for balance in (1.0, 1e-3))  # fmt: skip
    strong, weak = (outputs[3].data for outputs in runs)
    assert strong["PSNR (dB)"].iloc[1] != weak["PSNR (dB)"].iloc[1]
    with pytest.raises(gr.Error, match="no method gave a result — Wiener: parameter 'balance' of wiener must be in"):
        arena(small_upload, ["wiener"], task="deblur", params={"wiener": {"balance": -1}})


def test_slider_and_zoom_views_follow_the_run(small_upload: str) -> None:
    outputs = arena(small_upload, ["wavelet", "tv"], task="denoise", noise_sigma=25.0)
    state = outputs[-1]
    before, after = slider_pair(state, "TV (Chambolle)", "degraded input")
    shown = {caption.split(" — ")[0]: image for image, caption in outputs[2]}
    assert np.array_equal(before, outputs[1]) and np.array_equal(after, shown["TV (Chambolle)"])
    assert np.array_equal(slider_pair(state, "TV (Chambolle)", "clean reference")[0], outputs[0])
    assert np.array_equal(slider_pair(state, None, AGAINST[0])[1], rc.to_uint8(state.best().image))
    crops, maps = zoom_views(state, 0.5, 0.5, 0.25, True)
    names = ["clean reference", "degraded input", "TV (Chambolle)", "Wavelet (BayesShrink)"]
    assert [name for _, name in crops] == names
    assert len({crop.shape for crop, _ in crops}) == 1 and len(maps["value"]) == 2 and maps["visible"]
    assert slider_pair(None, None, AGAINST[0]) is None and zoom_views(None, 0.5, 0.5, 0.25, False)[0] == []


def test_build_app_returns_blocks_with_the_restore_and_compress_endpoints() -> None:
    app = build_app()
    assert isinstance(app, gr.Blocks)
    assert [fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"] == ["restore", "compress"]
    assert app.delete_cache == (3600, 7200)  # served files do not pile up on a long-running Space


def test_launch_options_honour_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("PORT", "GRADIO_SERVER_PORT", "GRADIO_SERVER_NAME"):
        monkeypatch.delenv(variable, raising=False)
    assert launch_options() == {
        "server_name": "127.0.0.1",
        "server_port": None,
        "ssr_mode": False,
        "share": False,
        "max_file_size": "20mb",
        "css": CSS,
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
def test_served_app_restores_through_gradio_client(small_upload: str) -> None:
    client_module = pytest.importorskip("gradio_client", reason="gradio_client is needed to call the served app")
    # denoise is not the initial task: API clients may pick methods of any task
    settings = values_of(Degradation(task="denoise", noise_sigma=25.0))
    app = build_app()
    options = {**launch_options(), "server_name": "127.0.0.1", "server_port": free_port()}
    _, url, _ = app.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        client = client_module.Client(url, verbose=False)
        reference, degraded, gallery, table, slider, compare, against, download, notice, *_kernel = client.predict(
            UPLOAD,
            client_module.handle_file(small_upload),
            *settings,
            ["tv", "nlm"],
            [],
            {"tv": {"weight": 0.05}},
            api_name="/restore",
        )
        with pytest.raises(client_module.exceptions.AppError, match="no image uploaded"):
            client.predict(UPLOAD, None, *settings, ["tv"], [], {}, api_name="/restore")
    finally:
        app.close()
    assert np.array_equal(np.asarray(Image.open(reference)), np.asarray(Image.open(small_upload)))
    assert Image.open(degraded).format == "PNG"
    captions = [item["caption"].split(" — ")[0] for item in gallery]
    assert captions == [INPUT_NAME, "TV (Chambolle)", "Non-local means"]
    assert all(Image.open(item["image"]).format == "PNG" for item in gallery)
    assert table["headers"] == list(COLUMNS) and [row[0] for row in table["data"]] == captions
    assert all(isinstance(row[1], float) and math.isfinite(row[1]) for row in table["data"])
    assert table["metadata"]["display_value"][1][1] == f"{table['data'][1][1]:.2f}"  # PSNR with 2 decimals
    psnr = {row[0]: row[1] for row in table["data"][1:]}
    assert compare["value"] == max(psnr, key=psnr.get) and against["value"] == "degraded input"
    assert len(slider) == 2 and download.endswith(".zip") and notice == ""


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gradio.queueing")
def test_served_app_compresses_through_gradio_client() -> None:
    client_module = pytest.importorskip("gradio_client", reason="gradio_client is needed to call the served app")
    app = build_app()
    options = {**launch_options(), "server_name": "127.0.0.1", "server_port": free_port()}
    _, url, _ = app.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        client = client_module.Client(url, verbose=False)
        gallery, table, slider, compare, curve, files, notice = client.predict(
            "camera", None, 0.6, ["jpeg", "webp"], api_name="/compress"
        )
        for target, codecs, message in (
            (9.0, ["jpeg"], "greater than maximum value 4"),
            ("abc", ["jpeg"], "Target bitrate .*: .abc. is not a valid value"),
            (0.6, ["png"], "'png' .* is not in the list of choices"),
            (0.6, [], "tick at least one codec"),
        ):
            with pytest.raises(client_module.exceptions.AppError, match=message):
                client.predict("camera", None, target, codecs, api_name="/compress")
    finally:
        app.close()
    assert [row[0] for row in table["data"]] == ["jpeg", "webp"] and len(gallery) == 3
    sizes = [Path(path).stat().st_size for path in files]
    assert [Path(path).suffix for path in files] == [".jpg", ".webp"]
    assert [row[4] for row in table["data"]] == sizes and all(abs(row[3] - 0.6) < 0.15 for row in table["data"])
    assert compare["value"] in ("jpeg", "webp") and len(slider) == 2 and "Target 0.6 bpp" in notice
    assert Image.open(curve).format == "PNG"


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gradio.queueing")
def test_served_app_cancel_stops_the_worker_and_bad_api_input_gets_a_message() -> None:
    client_module = pytest.importorskip("gradio_client", reason="gradio_client is needed to call the served app")
    settings = values_of(Degradation(task="deblur"))
    app = build_app()
    options = {**launch_options(), "server_name": "127.0.0.1", "server_port": free_port()}
    _, url, _ = app.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        client = client_module.Client(url, verbose=False)
        job = client.submit("camera", None, *settings, ["pnp_bm3d"], [], {"pnp_bm3d": {"iterations": 200}},
                            api_name="/restore")  # fmt: skip
        deadline = time.monotonic() + 60
        while not callbacks.POOL.busy_pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        (busy,) = callbacks.POOL.busy_pids()
        job.cancel()
        cancelled = time.monotonic()
        while resident_bytes(busy) is not None and time.monotonic() < cancelled + 10:
            time.sleep(0.1)
        assert time.monotonic() - cancelled < 5, "the cancelled run's worker was killed within 5 s"
        assert not callbacks.POOL.busy_pids()
        table = client.predict("camera", None, *settings, ["wiener"], None, {}, api_name="/restore")[3]
        assert [row[0] for row in table["data"]] == [INPUT_NAME, "Wiener"]
        for bad, message in (
            ((*settings[:2], "abc", *settings[3:]), "Noise sigma .*: .abc. is not a valid value"),
            (settings, "no method selected"),
        ):
            with pytest.raises(client_module.exceptions.AppError, match=message):
                client.predict("camera", None, *bad, None, None, {}, api_name="/restore")
    finally:
        app.close()


@pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning:gradio.queueing")
def test_closing_the_page_stops_its_run() -> None:
    """A browser tab that closes drops its event stream: the run's worker is killed soon after."""
    import httpx

    app = build_app()
    options = {**launch_options(), "server_name": "127.0.0.1", "server_port": free_port()}
    _, url, _ = app.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        (fn_index,) = [index for index, fn in app.fns.items() if fn.api_name == "restore"]
        data = ["camera", None, *values_of(Degradation(task="deblur")), ["pnp_bm3d"], [],
                {"pnp_bm3d": {"iterations": 200}}]  # fmt: skip
        session = "closing-tab-test"
        with httpx.Client(base_url=url, timeout=30) as http:
            joined = http.post("gradio_api/queue/join", json={"data": data, "fn_index": fn_index,
                                                              "session_hash": session})  # fmt: skip
            assert joined.status_code == 200, joined.text
            with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as stream:
                deadline = time.monotonic() + 60
                while not callbacks.POOL.busy_pids() and time.monotonic() < deadline:
                    time.sleep(0.1)
                (busy,) = callbacks.POOL.busy_pids()
                assert stream.status_code == 200
            closed = time.monotonic()  # the page is gone
        while resident_bytes(busy) is not None and time.monotonic() < closed + 30:
            time.sleep(0.2)
        assert resident_bytes(busy) is None, "the worker of the closed page's run was killed"
        print(f"worker killed {time.monotonic() - closed:.1f} s after the page closed")
    finally:
        app.close()


def test_an_animation_is_used_by_its_first_frame_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "animated.gif"
    frames = [Image.new("RGB", (32, 24), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    image, notice = input_image(UPLOAD, str(path))
    assert image.shape == (24, 32, 3) and image[0, 0, 0] == 1.0
    assert notice == "animated.gif has 3 frames (an animation or a multi-page file): the first is used."


def test_blind_simulation_restores_with_an_estimated_kernel_and_states_its_cost() -> None:
    outputs = arena(None, ["wiener"], source="camera", task="deblur", kernel_type="motion", motion_length=9.0,
                    noise_sigma=1.0, blind_kernel=True)  # fmt: skip
    check_outputs(outputs, 1)
    notice, kernel = outputs[8], outputs[9]
    similarity, with_estimate, with_truth = map(float, re.search(
        r"similarity ([\d.]+) to the true one; Wiener deconvolution gives ([\d.]+) dB with it, ([\d.]+) dB", notice
    ).groups())  # fmt: skip
    assert similarity > 0.6 and with_estimate > with_truth - 4.0
    state = outputs[-1]
    assert state.results[0].psnr == pytest.approx(with_estimate, abs=0.05)  # the methods ran on the estimate
    assert isinstance(kernel, np.ndarray) and kernel.dtype == np.uint8  # the estimate's picture


def test_a_kernel_estimate_past_the_time_budget_is_stopped_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """The blind step runs in a worker under the run's budget: stopped at the deadline, its worker killed."""
    arena(None, ["wiener"], source="camera", task="deblur")  # the workers are up: the budget below is the estimate's
    monkeypatch.setattr(callbacks, "RUN_SECONDS", 0.3)  # well under the estimate's second or more, however warm
    start = time.monotonic()
    with pytest.raises(gr.Error, match=r"estimating the blur kernel took longer than the run's time budget \(0.3 s\)"):
        arena(None, ["wiener"], source="camera", task="deblur", kernel_type="motion", motion_length=9.0,
              noise_sigma=1.0, blind_kernel=True)  # fmt: skip
    assert time.monotonic() - start < 10
    assert not callbacks.POOL.busy_pids(), "the estimating worker was given back (killed)"


def test_real_photo_deblurring_estimates_the_kernel_whatever_kernel_is_chosen(small_upload: str) -> None:
    outputs = arena(small_upload, ["wiener"], mode="real", task="deblur", kernel_type="upload", blind_kernel=True)
    assert "Blur kernel estimated from the photo" in outputs[8] and len(outputs[2]) == 2
    assert outputs[9].dtype == np.uint8 and outputs[10]["label"].startswith("|K(f)|")


def test_a_blind_setting_that_is_not_a_boolean_is_refused() -> None:
    with pytest.raises(gr.Error, match="blind_kernel must be true or false"):
        arena(None, ["wiener"], source="camera", task="deblur", blind_kernel="yes")


def test_a_simulation_with_an_estimated_quality_states_it_beside_the_true_one() -> None:
    outputs = arena(None, ["deconv_jpeg"], source="camera", task="jpeg", quality=23, estimate_quality=True)
    check_outputs(outputs, 1)
    assert "JPEG quality estimated from the image: 23 (the simulation compressed at 23)." in outputs[8]
    known = arena(None, ["deconv_jpeg"], source="camera", task="jpeg", quality=23)
    assert outputs[-1].results[0].psnr == known[-1].results[0].psnr  # the methods ran on the estimate


def test_a_real_jpeg_is_restored_at_its_own_quality_whatever_the_slider_says(tmp_path: Path) -> None:
    from skimage import data

    path = tmp_path / "photo.jpg"
    Image.fromarray(data.astronaut()[:128, 128:256]).save(path, quality=35)
    outputs = arena(str(path), ["bm3d_deblock"], mode="real", task="jpeg", quality=90, estimate_quality=True)
    assert "JPEG quality read from the file: 35." in outputs[8]
    with zipfile.ZipFile(outputs[7]) as archive:
        assert json.loads(archive.read("settings.json"))["estimated_quality"] == 35
    png = tmp_path / "photo.png"  # the same pixels without the file's tables: estimated from them
    Image.open(path).save(png)
    outputs = arena(str(png), ["bm3d_deblock"], mode="real", task="jpeg", quality=90, estimate_quality=True)
    assert "JPEG quality estimated from the image: 35." in outputs[8]


def test_a_real_photo_without_a_jpeg_trace_asks_for_its_quality(tmp_path: Path) -> None:
    path = tmp_path / "smooth.png"
    noise = np.random.default_rng(0).random((96, 96, 3))
    Image.fromarray(rc.to_uint8(np.clip(ndimage.gaussian_filter(noise, (1.5, 1.5, 0)) * 2 - 0.5, 0, 1))).save(path)
    with pytest.raises(gr.Error, match="no trace of JPEG compression"):
        arena(str(path), ["bm3d_deblock"], mode="real", task="jpeg", estimate_quality=True)
    with pytest.raises(gr.Error, match="estimate_quality must be true or false"):
        arena(None, ["bm3d_deblock"], source="camera", task="jpeg", estimate_quality="yes")


def test_clearing_the_results_answers_every_run_output_and_the_state() -> None:
    from demo.app import RUN_OUTPUTS
    from demo.callbacks import cleared_results

    assert len(cleared_results()) == len(RUN_OUTPUTS) + 1
