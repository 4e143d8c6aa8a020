"""Conversions, validation and image I/O."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from PIL import Image

import restore_core as rc
from restore_core.convert import ycbcr_to_rgb


def test_uint8_and_uint16_convert_to_unit_range():
    assert rc.to_float(np.full((16, 16), 255, np.uint8)).max() == 1.0
    converted = rc.to_float(np.full((16, 16, 3), 65535, np.uint16))
    assert converted.dtype == np.float32 and converted.max() == 1.0


def test_rgba_alpha_is_dropped_by_to_float_and_refused_by_validate():
    rgba = np.zeros((16, 16, 4), np.uint8)
    assert rc.to_float(rgba).shape == (16, 16, 3)
    with pytest.raises(rc.RestoreError, match="RGBA"):
        rc.validate_image(rgba)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((0, 5)), "empty|HxW"),
        (np.zeros((16, 16, 5)), "HxW"),
        (np.full((16, 16), np.nan), "NaN"),
        (np.full((16, 16), 2.0), r"\[0, 1\]"),
        (np.zeros((16, 16), np.uint16), "16-bit"),
        (np.zeros((4, 4)), "at least"),
        ("not an array", "NumPy"),
    ],
)
def test_bad_images_raise_clear_errors(image, message):
    with pytest.raises(rc.RestoreError, match=message):
        rc.validate_image(image)


def test_ycbcr_matches_matlab_and_round_trips():
    white = np.ones((8, 8, 3), np.float32)
    assert np.allclose(rc.rgb_to_y(white), 235 / 255)
    assert np.allclose(rc.rgb_to_y(np.zeros((8, 8, 3), np.float32)), 16 / 255)
    rng = np.random.default_rng(0)
    image = rng.random((8, 8, 3)).astype(np.float32)
    assert np.allclose(ycbcr_to_rgb(rc.rgb_to_ycbcr(image)), image, atol=1e-5)


def test_load_image_handles_modes_and_rejects_garbage(tmp_path):
    for mode, value in (("RGBA", (10, 20, 30, 40)), ("P", 3), ("CMYK", (0, 0, 0, 0)), ("I;16", 65535)):
        path = tmp_path / f"{mode.replace(';', '')}.{'tif' if mode in ('CMYK', 'I;16') else 'png'}"
        Image.new(mode, (12, 10), value).save(path)
        image = rc.load_image(path)
        assert image.shape[:2] == (10, 12) and image.dtype == np.float32
    (tmp_path / "fake.png").write_bytes(b"this is not an image")
    with pytest.raises(rc.RestoreError, match="not a readable image"):
        rc.load_image(tmp_path / "fake.png")
    with pytest.raises(rc.RestoreError, match="no image file"):
        rc.load_image(tmp_path / "missing.png")


def test_save_then_load_is_lossless(tmp_path, color):
    path = tmp_path / "out.png"
    rc.save_image(color, path)
    assert np.array_equal(rc.load_image(path), rc.quantize(color))


def test_load_image_from_bytes():
    buffer = io.BytesIO()
    Image.new("L", (16, 16), 128).save(buffer, format="PNG")
    assert rc.load_image(buffer.getvalue()).shape == (16, 16)


@pytest.mark.parametrize("source", [None, 5, ["photo.png"]])
def test_load_image_refuses_what_is_neither_a_path_nor_bytes(source):
    with pytest.raises(rc.RestoreError, match="file path or the encoded bytes"):
        rc.load_image(source)


def _frames(file_format: str, count: int) -> bytes:
    frames = [Image.new("L", (16, 12), 40 * index) for index in range(count)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=file_format, save_all=True, append_images=frames[1:])
    return buffer.getvalue()


@pytest.mark.parametrize("file_format", ["GIF", "TIFF"])
def test_multi_frame_files_warn_that_the_first_frame_is_used(tmp_path, file_format):
    path = tmp_path / f"frames.{file_format.lower()}"
    path.write_bytes(_frames(file_format, 3))
    with pytest.warns(rc.FirstFrameWarning, match=r"frames\.\w+ has 3 frames .* the first is used"):
        image = rc.load_image(path)
    assert image.shape[:2] == (12, 16) and np.all(image == 0)  # the first frame, black
    with pytest.warns(rc.FirstFrameWarning, match="the uploaded data has 3 frames"):
        rc.load_image(_frames(file_format, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rc.load_image(_frames(file_format, 1))


def test_corrupt_multi_page_tiff_is_refused():
    data = _frames("TIFF", 2)
    with pytest.raises(rc.RestoreError, match="not a readable image"):
        rc.load_image(data[: len(data) // 2])


def test_save_image_refuses_unwritable_paths(tmp_path, gray):
    with pytest.raises(rc.RestoreError, match="cannot write"):
        rc.save_image(gray, tmp_path / "missing" / "out.png")
    with pytest.raises(rc.RestoreError, match="cannot write"):
        rc.save_image(gray, tmp_path / "out.unknown")
    with pytest.raises(rc.RestoreError, match="file path"):
        rc.save_image(gray, None)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rc.rgb_to_y(np.zeros((8, 8, 4))), "HxWx3"),
        (lambda: rc.rgb_to_ycbcr(np.zeros((8, 8))), "HxWx3"),
        (lambda: rc.rgb_to_y("image"), "real numbers"),
        (lambda: rc.to_uint8(np.full((8, 8), np.nan)), "NaN"),
        (lambda: rc.quantize(np.zeros((8, 8), object)), "real numbers"),
        (lambda: rc.validate_image(np.zeros((16, 16), complex)), "unsupported dtype"),
        (lambda: rc.to_float(np.zeros((16, 16), np.int32)), "signed integer"),
    ],
)
def test_bad_conversion_requests_raise(call, message):
    with pytest.raises(rc.RestoreError, match=message):
        call()


def test_small_pictures_convert_when_allowed():
    assert rc.to_float(np.full((3, 2), 255, np.uint8), min_side=1).shape == (3, 2)
    with pytest.raises(rc.RestoreError, match="at least 8"):
        rc.to_float(np.full((3, 2), 255, np.uint8))
