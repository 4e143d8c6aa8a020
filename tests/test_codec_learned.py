"""The learned codec ``deconv_codec``: its bytes decode to the network's own reconstruction, exactly.

The entropy coding does not depend on how well the network is trained, so these tests run a seeded,
untrained network exported with its coding tables (the shipped weights, when there are some, are
covered by the tests every listed codec gets in ``tests/test_codecs.py``).
"""

from __future__ import annotations

import copy
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.data import astronaut, camera

import restore_core as rc
from restore_core.codecs import CODECS, bitstream, learned
from restore_core.nets import specs
from restore_core.nets.codec import LEVELS, quality_lambda
from restore_core.nets.weights import build_network, save_weights

COLOUR = rc.to_float(astronaut())[30:130, 150:270]  # 100x120: padded to 128x128 inside the codec
GRAY = rc.to_float(camera())[180:260, 200:300]


@pytest.fixture(autouse=True, scope="module")
def seeded_codec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``deconv_codec`` listed and running a seeded, untrained network with its coding tables."""
    folder = tmp_path_factory.mktemp("weights")
    spec = specs.get_spec(learned.MODEL)
    torch.manual_seed(0)
    network = build_network(spec.architecture, spec.config)
    network.update_tables()
    save_weights(network, spec.config, folder / spec.path.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(specs, "WEIGHTS_DIR", folder)
        patch.setitem(CODECS, "deconv_codec", learned.DECLARATION)
        learned.loaded_codec.cache_clear()
        yield folder
    learned.loaded_codec.cache_clear()


def network_reconstruction(image: np.ndarray, quality: int) -> np.ndarray:
    """What the trained network reconstructs, from its transforms and the rounding alone (no entropy coding)."""
    codec = learned.loaded_codec()
    network = codec.network
    batch = learned._as_batch(rc.to_uint8(image), network.multiple)
    level = torch.tensor([float(quality)])
    with torch.inference_mode():
        y = network.analysis(batch) * network.gain(level)
        means, _ = codec.gaussian_parameters(torch.round(network.hyper_analysis(y)))
        y_hat = (torch.round(y.double() - means) + means).float()
        output = network.decode_latents(y_hat, level)[0, :, : image.shape[0], : image.shape[1]].clamp(0, 1)
    output = np.moveaxis(output.numpy(), 0, -1) if image.ndim == 3 else output.numpy().mean(axis=0)
    return np.round(output * 255).astype(np.float32) / 255


@pytest.mark.parametrize("quality", [1, 37, 100])
@pytest.mark.parametrize("image", [COLOUR, GRAY], ids=["colour", "gray"])
def test_the_decoded_bytes_are_the_networks_reconstruction(image: np.ndarray, quality: int):
    data = rc.compress(image, "deconv_codec", quality)
    decoded = rc.decompress(data)
    assert np.array_equal(decoded, network_reconstruction(image, quality))
    assert decoded.shape == image.shape and decoded.dtype == np.float32


def test_the_training_pass_scores_what_the_coder_writes():
    """Rounded latents in evaluation mode: the network's bit estimate is close to the real stream's size."""
    network = learned.loaded_codec().network
    batch = learned._as_batch(rc.to_uint8(COLOUR), network.multiple)
    for quality in (1, 50, 100):
        with torch.inference_mode():
            _, bpp = network.eval()(batch, torch.tensor([float(quality)]))
        coded = 8 * (len(learned.encode(rc.to_uint8(COLOUR), quality)) - 14)  # less the payload's own header
        assert coded / batch[0, 0].numel() == pytest.approx(bpp.item(), rel=0.1, abs=0.01)


def test_the_gain_is_geometric_between_the_trained_anchors_and_lambda_spans_its_range():
    network = learned.loaded_codec().network
    anchors = torch.tensor([1 + 99 * index / (LEVELS - 1) for index in range(LEVELS)])
    torch.testing.assert_close(network.gain(anchors)[:, :, 0, 0], network.log_gains.exp())
    middle = network.gain((anchors[2:3] + anchors[3:4]) / 2)[0, :, 0, 0]
    torch.testing.assert_close(middle, (network.log_gains[2] + network.log_gains[3]).div(2).exp())
    gains = network.gain(torch.linspace(1, 100, 60))[:, 0, 0, 0]
    assert bool((gains[1:] > gains[:-1]).all())  # the start: quantization step ∝ 1/sqrt(λ)
    lowest, highest = quality_lambda(torch.tensor([1.0, 100.0])).tolist()
    assert (lowest, highest) == pytest.approx((0.0018, 0.13))


def test_symbols_outside_the_tables_are_escaped_and_come_back():
    """A copy of the codec whose latent tables hold 0 only: every other symbol escapes, the image is the same."""
    shipped = learned.loaded_codec()
    network = copy.deepcopy(shipped.network)
    centre = network.latent_pmf.shape[1] // 2
    network.latent_pmf[:, :centre] = 0
    network.latent_pmf[:, centre + 1 :] = 0
    narrow = learned.LoadedCodec(network)
    pixels = rc.to_uint8(COLOUR)
    payload = learned.encode(pixels, 100, narrow)
    assert len(payload) > len(learned.encode(pixels, 100))  # the escaped values travel raw
    decoded = learned.decode(payload, COLOUR.shape, 100, narrow)
    assert np.array_equal(decoded, learned.decode(learned.encode(pixels, 100), COLOUR.shape, 100))
    with pytest.raises(rc.RestoreError, match="more escaped values than escape symbols"):
        learned.decode(payload + b"\0\0\0\0", COLOUR.shape, 100, narrow)
    with pytest.raises(rc.RestoreError, match="fewer escaped values than escape symbols"):
        learned.decode(payload[:-4], COLOUR.shape, 100, narrow)


def _rewrapped(data: bytes, payload: bytes) -> bytes:
    """``data`` with its payload replaced (length and checksum updated): damage the checksum cannot see."""
    header_size = len(data) - rc.codecs.read_header(data)[0].payload_bytes
    return data[: header_size - 8] + struct.pack(">II", len(payload), zlib.crc32(payload)) + payload


def test_a_payload_that_disagrees_with_its_header_or_is_cut_is_refused():
    data = rc.compress(GRAY, "deconv_codec", 30)
    payload = rc.codecs.read_header(data)[1]
    name_end = bitstream._FIXED.size + len("deconv_codec")
    taller = data[:name_end] + struct.pack(">I", 20_000) + data[name_end + 4 :]
    with pytest.raises(rc.RestoreError, match="holds a 100x80x1 image at quality 30, not what its header says"):
        rc.decompress(taller)
    with pytest.raises(rc.RestoreError, match="shorter than its range-coded part"):
        rc.decompress(_rewrapped(data, payload[:16]))
    with pytest.raises(rc.RestoreError, match="escaped values are cut short"):
        rc.decompress(_rewrapped(data, payload + b"\0"))
    huge = np.zeros((8000, 7000), np.uint8)
    with pytest.raises(rc.RestoreError, match="up to 50 megapixels, not 7000x8000"):
        learned.encode(huge, 50)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(position=st.integers(14, 10_000), flip=st.integers(1, 255))
def test_a_damaged_payload_gives_an_image_of_its_shape_or_a_restore_error(position: int, flip: int):
    data = rc.compress(GRAY, "deconv_codec", 60)
    payload = bytearray(rc.codecs.read_header(data)[1])
    payload[position % len(payload)] ^= flip
    try:
        image = rc.decompress(_rewrapped(data, bytes(payload)))
    except rc.RestoreError:
        return
    assert image.shape == GRAY.shape and np.isfinite(image).all()
