"""Codecs and their bitstreams (``rc.compress`` / ``rc.decompress`` / ``rc.list_codecs``), MS-SSIM and BD-rate."""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, features
from skimage.data import astronaut, camera

import restore_core as rc
from eval.bdrate import bd_rate
from eval.codecs import select_codecs
from restore_core.codecs import bitstream
from restore_core.nets import specs

COLOUR = rc.to_float(astronaut())[100:164, 180:276]
GRAY = rc.to_float(camera())[200:264, 200:296]


def test_the_list_holds_each_codec_once_with_valid_qualities():
    codecs = rc.list_codecs()
    names = [codec.name for codec in codecs]
    assert names[:2] == ["jpeg", "jpeg444"] and "jpeg+deconv_jpeg" in names and len(set(names)) == len(names)
    assert ("webp" in names) == features.check("webp") and ("jpeg2000" in names) == features.check("jpg_2000")
    for codec in codecs:
        assert codec.family in rc.FAMILIES and list(codec.qualities) == sorted(codec.qualities)
        assert codec.default_quality in codec.qualities and set(codec.rate_points) <= set(codec.qualities)
    assert [codec.family for codec in codecs] == sorted((codec.family for codec in codecs), key=rc.FAMILIES.index)
    shipped = {"deconv_codec"} if specs.get_spec("codec_hyper").path.is_file() else set()
    assert {codec.name for codec in rc.list_codecs("learned")} == {"jpeg+deconv_jpeg", *shipped}


@pytest.mark.parametrize("codec", [codec.name for codec in rc.list_codecs()])
@pytest.mark.parametrize("image", [COLOUR, GRAY], ids=["colour", "gray"])
def test_a_round_trip_gives_the_image_back_at_its_quality(codec: str, image: np.ndarray):
    data = rc.compress(image, codec)
    restored = rc.decompress(data)
    assert restored.shape == image.shape and restored.dtype == np.float32
    assert 0.0 <= restored.min() and restored.max() <= 1.0
    assert rc.psnr(image, restored) > 27
    header, payload = rc.codecs.read_header(data)
    assert header.codec == codec and header.quality == rc.get_codec(codec).default_quality
    assert len(data) == len(payload) + bitstream._FIXED.size + len(codec) + bitstream._SHAPE.size
    assert np.array_equal(rc.decompress(data), restored)  # decoding is deterministic


@pytest.mark.parametrize("codec", [codec.name for codec in rc.list_codecs()])
def test_more_quality_costs_more_bits_and_gives_a_closer_image(codec: str):
    low, high = rc.get_codec(codec).rate_points[0], rc.get_codec(codec).rate_points[-1]
    small, large = rc.compress(COLOUR, codec, low), rc.compress(COLOUR, codec, high)
    assert len(small) < len(large)
    assert rc.psnr(COLOUR, rc.decompress(small)) < rc.psnr(COLOUR, rc.decompress(large))


def test_the_classical_payloads_are_the_files_a_viewer_opens():
    for codec, image_format in (("jpeg", "JPEG"), ("jpeg444", "JPEG"), ("webp", "WEBP"), ("jpeg2000", "JPEG2000")):
        if codec not in rc.codecs.CODECS:
            continue
        _, payload = rc.codecs.read_header(rc.compress(COLOUR, codec))
        with Image.open(io.BytesIO(payload)) as picture:
            assert picture.format == image_format and picture.size == (COLOUR.shape[1], COLOUR.shape[0])
    _, payload = rc.codecs.read_header(rc.compress(COLOUR, "jpeg", 50))
    assert rc.read_jpeg_quality(payload) == 50
    with Image.open(io.BytesIO(payload)) as picture:
        assert picture.layer[0][1:3] == (2, 2) and picture.layer[1][1:3] == (1, 1)  # 4:2:0: luma sampled twice


def test_jpeg_with_learned_restoration_sends_the_jpeg_bits_and_restores_them():
    quality = 20
    piped = rc.compress(COLOUR, "jpeg+deconv_jpeg", quality)
    assert rc.codecs.read_header(piped)[1] == rc.codecs.read_header(rc.compress(COLOUR, "jpeg", quality))[1]
    observation = rc.Observation(rc.jpeg_compress(COLOUR, quality), "jpeg", COLOUR.shape, quality=quality)
    expected = np.clip(rc.restore(observation, "deconv_jpeg"), 0, 1)
    restored = rc.decompress(piped)
    np.testing.assert_allclose(restored, expected, atol=1e-6)
    assert rc.psnr(COLOUR, restored) > rc.psnr(COLOUR, rc.decompress(rc.compress(COLOUR, "jpeg", quality)))


def test_bad_requests_are_refused_with_a_message():
    with pytest.raises(rc.RestoreError, match="unknown codec 'png'; choose jpeg"):
        rc.compress(COLOUR, "png")
    with pytest.raises(rc.RestoreError, match="jpeg quality must be a whole number from 1 to 100"):
        rc.compress(COLOUR, "jpeg", 0)
    with pytest.raises(rc.RestoreError, match="quality must be a whole number"):
        rc.compress(COLOUR, "jpeg", 50.5)
    with pytest.raises(rc.RestoreError, match="the image to compress contains NaN"):
        rc.compress(np.full((16, 16), np.nan, np.float32), "jpeg")


def _with_header_field(data: bytes, offset: int, value: int, fmt: str) -> bytes:
    return data[:offset] + struct.pack(fmt, value) + data[offset + struct.calcsize(fmt) :]


def test_truncated_corrupted_or_foreign_bitstreams_are_refused_before_decoding():
    data = rc.compress(COLOUR, "jpeg", 60)
    name_end = bitstream._FIXED.size + len("jpeg")
    cases = {
        "is truncated": data[:-1],
        "ends inside its header": data[:12],
        "does not match its checksum": data[:-20] + bytes([data[-20] ^ 0x40]) + data[-19:],
        "unexpected bytes after its end": data + b"\0",
        "not a Deconv Arena bitstream": png_bytes(),
        "version 7 is not supported": data[:4] + b"\x07" + data[5:],
        "unknown codec 'jpex'": data.replace(b"jpeg", b"jpex", 1),
        "claims a 96x0x3 image": _with_header_field(data, name_end, 0, ">I"),
        "must be a whole number from 1 to 100, got 0": _with_header_field(data, name_end + 9, 0, ">H"),
        "a bitstream is bytes, got str": "DCAR",
    }
    for message, bad in cases.items():
        with pytest.raises(rc.RestoreError, match=message.replace("(", r"\(").split(":")[0]):
            rc.decompress(bad)


def png_bytes() -> bytes:
    """A PNG file: a real image, but not our format."""
    buffer = io.BytesIO()
    Image.fromarray(rc.to_uint8(GRAY)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_payload_its_decoder_cannot_read_is_a_clear_error():
    data = bytearray(rc.compress(GRAY, "jpeg"))
    start = len(data) - rc.codecs.read_header(bytes(data))[0].payload_bytes
    payload = b"\xff\xd8" + b"\0" * 30  # a JPEG start marker, then nothing a decoder can use
    head = bytes(data[: start - 8]) + struct.pack(">II", len(payload), zlib.crc32(payload))
    with pytest.raises(rc.RestoreError, match="jpeg payload cannot be decoded"):
        rc.decompress(head + payload)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(position=st.integers(0, 10_000), flip=st.integers(1, 255), cut=st.integers(0, 10_000))
def test_a_damaged_bitstream_gives_an_image_of_its_shape_or_a_restore_error(position: int, flip: int, cut: int):
    data = bytearray(rc.compress(GRAY, "jpeg", 40))
    data[position % len(data)] ^= flip
    damaged = bytes(data[: len(data) - cut % 8])
    try:
        image = rc.decompress(damaged)
    except rc.RestoreError:
        return
    assert image.shape == GRAY.shape and np.isfinite(image).all()


def test_ms_ssim_is_one_for_equal_images_lower_for_worse_and_needs_161_pixels():
    image = rc.to_float(astronaut())[:200, :200]
    assert rc.ms_ssim(image, image) == pytest.approx(1.0)
    worse = [rc.decompress(rc.compress(image, "jpeg", q)) for q in (10, 60)]
    assert rc.ms_ssim(image, worse[0]) < rc.ms_ssim(image, worse[1]) < 1.0
    with pytest.raises(rc.RestoreError, match="at least 161 pixels"):
        rc.ms_ssim(COLOUR, COLOUR)


def test_bd_rate_measures_the_mean_rate_gap_on_the_common_quality_range():
    rates, psnrs = [0.25, 0.5, 1.0, 2.0], [28.0, 31.0, 34.0, 37.0]
    assert bd_rate(rates, psnrs, rates, psnrs) == pytest.approx(0.0)
    assert bd_rate(rates, psnrs, [1.2 * r for r in rates], psnrs) == pytest.approx(20.0)
    assert bd_rate(rates, psnrs, rates, [p + 3.0 for p in psnrs]) < -30  # better by a step: fewer bits
    assert np.isnan(bd_rate(rates, psnrs, rates, [p + 20 for p in psnrs]))  # no common range
    assert np.isnan(bd_rate(rates, psnrs, [1.0], [30.0]))  # one point is no curve


@pytest.mark.parametrize("codec", ["jpeg", "webp"])
def test_compress_to_rate_finds_the_quality_nearest_the_target(codec: str):
    image = rc.to_float(astronaut())[:256, :256]
    encoding = rc.codecs.compress_to_rate(image, codec, 0.8)
    neighbours = [q for q in (encoding.quality - 1, encoding.quality + 1) if q in rc.get_codec(codec).qualities]
    others = [rc.codecs.file_bpp(rc.compress(image, codec, q), image.shape) for q in neighbours]
    assert all(abs(encoding.bpp - 0.8) <= abs(rate - 0.8) for rate in others)
    assert encoding.bpp == pytest.approx(8 * len(encoding.file) / 256**2)
    np.testing.assert_array_equal(encoding.image, rc.decompress(encoding.data))
    assert encoding.seconds > 0
    lowest = rc.codecs.compress_to_rate(image, codec, 0.001 + 1e-9)  # below every quality: the lowest
    assert lowest.quality == rc.get_codec(codec).qualities[0]
    for target in (0, -1, float("nan"), "1", True):
        with pytest.raises(rc.RestoreError, match="target bitrate"):
            rc.codecs.compress_to_rate(image, codec, target)


def test_an_images_rate_curve_rises_with_the_quality():
    points = rc.codecs.rate_curve(COLOUR, "jpeg")
    assert [point[0] for point in points] == list(rc.get_codec("jpeg").rate_points)
    assert all(b[1] > a[1] and b[2] > a[2] for a, b in itertools.pairwise(points))


def test_the_readmes_codec_example_registers_a_codec_compress_and_the_benchmark_take(monkeypatch: pytest.MonkeyPatch):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a codec", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.setattr(rc.codecs.base, "CODECS", dict(rc.codecs.CODECS))  # the example's codec leaves with the test
    exec(compile(example, "README.md", "exec"), {})  # the README's own example, run as a reader would
    assert "jpeg_fast" in [codec.name for codec in rc.list_codecs("classical")]
    assert [codec.name for codec in select_codecs(["jpeg_fast"])] == ["jpeg", "jpeg_fast"]  # with its anchor
    data = rc.compress(COLOUR, "jpeg_fast", 50)
    assert rc.psnr(COLOUR, rc.decompress(data)) > 27
    assert len(data) > len(rc.compress(COLOUR, "jpeg", 50))  # optimised Huffman tables are smaller
