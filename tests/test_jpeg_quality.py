"""The JPEG quality of real images: from a file's tables, from decoded pixels, and blind artifact removal."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage.data import astronaut, camera

import restore_core as rc
from eval import benchmark
from eval.results import RESULTS_FILE, read_results
from restore_core.jpeg import quantization_tables

COLOUR, GRAY = rc.to_float(astronaut())[:256, 128:384], rc.to_float(camera())[:256, :256]


def _jpeg_bytes(image: np.ndarray, quality: int, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rc.to_uint8(image)).save(buffer, format="JPEG", quality=quality, **options)
    return buffer.getvalue()


def _never_compressed() -> np.ndarray:
    """A smooth random colour image with fine texture, rounded to 8 bits but never JPEG-compressed."""
    noise = np.random.default_rng(3).random((200, 240, 3))
    return rc.quantize(np.clip(ndimage.gaussian_filter(noise, (1.5, 1.5, 0)) * 2 - 0.5, 0, 1)).astype(np.float32)


def test_every_ijg_table_maps_back_to_its_quality():
    assert [rc.quality_from_tables(quantization_tables(q)[0]) for q in range(1, 101)] == list(range(1, 101))


def test_a_table_between_two_qualities_gets_the_nearest():
    assert rc.quality_from_tables(quantization_tables(50)[0] * 1.02) in (49, 50)


@pytest.mark.parametrize("table", [np.zeros(64), np.full(63, 8.0), np.full(64, np.nan)])
def test_malformed_tables_are_refused(table):
    with pytest.raises(rc.RestoreError, match="64 steps"):
        rc.quality_from_tables(table)


@pytest.mark.parametrize("quality", [7, 50, 93])
def test_a_jpeg_file_states_its_quality(tmp_path: Path, quality: int):
    data = _jpeg_bytes(COLOUR, quality)
    assert rc.read_jpeg_quality(data) == quality
    (tmp_path / "photo.jpg").write_bytes(data)
    assert rc.read_jpeg_quality(tmp_path / "photo.jpg") == quality


def test_a_png_states_no_quality_and_garbage_is_refused():
    buffer = io.BytesIO()
    Image.fromarray(rc.to_uint8(COLOUR)).save(buffer, format="PNG")
    assert rc.read_jpeg_quality(buffer.getvalue()) is None
    with pytest.raises(rc.RestoreError, match="could not be read"):
        rc.read_jpeg_quality(b"not an image")


@pytest.mark.parametrize("image", [COLOUR, GRAY], ids=["colour", "gray"])
@pytest.mark.parametrize("quality", [5, 23, 50, 88])
def test_the_quality_of_decoded_pixels_is_found(image: np.ndarray, quality: int):
    assert rc.estimate_jpeg_quality(rc.jpeg_compress(image, quality)) == quality


def test_a_crop_off_the_8x8_grid_and_a_444_jpeg_keep_their_quality():
    assert rc.estimate_jpeg_quality(rc.jpeg_compress(COLOUR, 31)[3:, 5:]) == 31
    decoded = np.asarray(Image.open(io.BytesIO(_jpeg_bytes(COLOUR, 42, subsampling=0))))
    assert rc.estimate_jpeg_quality(rc.to_float(decoded)) == 42


def test_images_without_a_jpeg_trace_get_no_quality():
    assert rc.estimate_jpeg_quality(_never_compressed()) is None
    assert rc.estimate_jpeg_quality(np.full((64, 64), 0.5, dtype=np.float32)) is None


def test_a_resized_jpeg_is_not_taken_for_a_strongly_compressed_one():
    decoded = Image.fromarray(rc.to_uint8(rc.jpeg_compress(rc.to_float(astronaut()), 15)))
    resized = rc.to_float(np.asarray(decoded.resize((341, 341), Image.Resampling.BICUBIC)))
    estimate = rc.estimate_jpeg_quality(resized)
    assert estimate is None or estimate >= 90  # its blocks are gone: at most a light correction


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((39, 200)), "too small"),
        (np.full((64, 64), np.nan), "NaN"),
        (np.ones((64, 64)) * 2, r"expected \[0, 1\]"),
    ],
)
def test_bad_images_are_refused(image: np.ndarray, message: str):
    with pytest.raises(rc.RestoreError, match=message):
        rc.estimate_jpeg_quality(image.astype(np.float32))


def test_blind_artifact_removal_gets_the_estimated_quality():
    observation = rc.degrade(COLOUR, "jpeg", quality=27, sigma=0)
    blind = rc.with_estimated_quality(replace(observation, quality=90))
    assert blind.quality == 27
    told = rc.restore(observation, "deconv_jpeg")  # a method whose output depends on the quality it is given
    np.testing.assert_array_equal(rc.restore(blind, "deconv_jpeg"), told)
    assert not np.array_equal(rc.restore(replace(observation, quality=90), "deconv_jpeg"), told)


def test_blind_artifact_removal_refuses_another_task_and_an_image_without_a_trace():
    with pytest.raises(rc.RestoreError, match="no JPEG quality"):
        rc.with_estimated_quality(rc.degrade(GRAY, "denoise", sigma=10, seed=0))
    with pytest.raises(rc.RestoreError, match="no trace of JPEG compression"):
        smooth = _never_compressed()
        rc.with_estimated_quality(replace(rc.degrade(smooth, "jpeg", quality=50), image=smooth))


def test_the_blind_jpeg_benchmark_records_and_reports_the_estimates(tmp_path: Path):
    options = ["--task", "jpeg", "--blind", "--datasets", "skimage", "--limit", "2", "--qualities", "15", "35"]
    assert benchmark.main([*options, "--methods", "identity", "--out", str(tmp_path)]) == 0
    rows = read_results(tmp_path / RESULTS_FILE, benchmark.SCHEMA.extended((benchmark.ESTIMATED_QUALITY,)))
    assert len(rows) == 4 and (rows["error"] == "").all()
    assert (rows[benchmark.ESTIMATED_QUALITY] == rows["quality"]).all()
    assert "equal to it for 4 of 4 observations" in (tmp_path / "summary.md").read_text()
