"""The learned codec ``deconv_codec``: the trained :class:`~restore_core.nets.codec.DeconvCodec` with range coding.

Encoding: the image (padded to a multiple of 64 by repeating its edges; gray as three equal
channels) goes through the analysis transform, times the quality's gain, and is rounded; the
hyper-latent ``z`` is rounded too. The hyper-synthesis turns ``z`` into a mean and a scale for each
latent; the symbols are the latents' rounded distances to their means. ``z`` is range coded
(`constriction <https://bamler-lab.github.io/constriction/>`_) with the exported per-channel
tables, the latents with the table of the nearest exported scale at or above theirs. The decoder
repeats the hyper-synthesis, decodes the symbols, adds the means back and runs the
transposed-convolution synthesis.

Payload layout (little-endian):

=================  =========  ===============================================================
field              bytes      meaning
=================  =========  ===============================================================
image              4 + 4 + 2  height, width, channels and quality, as in the header (so the
                              checksum covers what the decoder sizes its work by)
word count *n*     4          32-bit words of the range coder's output
words              4 *n*      ``z`` channel by channel, then the latents grouped by scale
escapes            the rest   int32 values of symbols outside their table (rare), in order
=================  =========  ===============================================================

The codec is listed when its weights (``restore_core/weights/codec_hyper.safetensors``, made by
``python -m restore_core.train codec_hyper --export``) ship, as a learned method is.

The probabilities that decide how symbols are read come from tables stored in the weights file
and from the hyper-synthesis evaluated in float64 on the CPU, so a stream written on one machine
(CPU or GPU) decodes on another.
"""

from __future__ import annotations

import copy
import struct
from functools import cache

import constriction
import numpy as np
import torch
import torch.nn.functional as F

from ..device import get_device
from ..errors import RestoreError
from ..nets.codec import HYPER_RANGE, DeconvCodec
from ..nets.specs import get_spec
from ..nets.tiling import tiled_apply
from ..nets.weights import load_network
from .base import Codec, register_codec

#: The shipped weights the codec runs.
MODEL = "codec_hyper"
#: The codec's qualities (1: fewest bits) and the benchmark's rate points (the trained gain anchors
#: are at 1, 15, 29, 43, 58, 72, 86 and 100).
QUALITIES = tuple(range(1, 101))
RATE_POINTS = (1, 8, 15, 22, 29, 43, 58, 72, 86, 100)
#: Tiles of the transforms, in latents (16 pixels each), and the context kept around each.
TILE, OVERLAP = 32, 3
#: Largest image the codec encodes or decodes, in pixels.
MAX_PIXELS = 50_000_000
_IMAGE, _COUNT = struct.Struct("<IIBB"), struct.Struct("<I")


class LoadedCodec:
    """The network with what coding needs: its device, a float64 CPU hyper-synthesis, the table models."""

    def __init__(self, network: DeconvCodec) -> None:
        self.device = get_device("auto")
        self.network = network.to(self.device)
        self.hyper_synthesis = copy.deepcopy(network.hyper_synthesis).cpu().double()
        self.scales = network.scale_values.detach().cpu().double()
        self.hyper_models = [_categorical(row) for row in network.hyper_pmf.detach().cpu().double().numpy()]
        latent = network.latent_pmf.detach().cpu().double().numpy()
        self.latent_ranges = [int(np.count_nonzero(row)) // 2 for row in latent]
        centre = latent.shape[1] // 2
        self.latent_models = [
            _categorical(row[centre - half : centre + half + 1])
            for row, half in zip(latent, self.latent_ranges, strict=True)
        ]

    def gaussian_parameters(self, z_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Means (float64) and table indices of the latents, computed alike by encoder and decoder."""
        with torch.inference_mode():
            means, scales = self.hyper_synthesis(z_hat.cpu().double()).chunk(2, dim=1)
            indices = torch.bucketize(F.softplus(scales), self.scales).clamp_(max=len(self.scales) - 1)
        return means, indices


def _categorical(probabilities: np.ndarray) -> constriction.stream.model.Categorical:
    """A fixed categorical model over ``probabilities`` plus one escape symbol for the mass beyond them."""
    escape = max(1.0 - probabilities.sum(), 0.0)
    return constriction.stream.model.Categorical(np.append(probabilities, escape), perfect=False)


@cache
def loaded_codec() -> LoadedCodec:
    """The shipped codec, loaded once.

    Raises
    ------
    RestoreError
        When its weights file is missing or holds untrained tables.
    """
    path = get_spec(MODEL).path
    if not path.is_file():
        raise RestoreError(f"the learned codec's weights {path} are missing; train them with "
                           f"`python -m restore_core.train {MODEL} --export`.")  # fmt: skip
    network, _ = load_network(path, "DeconvCodec")
    if not bool((network.latent_pmf > 0).any()):
        raise RestoreError(f"{path} holds no coding tables; export it with `python -m restore_core.train`.")
    return LoadedCodec(network)


def _as_batch(pixels: np.ndarray, multiple: int) -> torch.Tensor:
    """uint8 HxW or HxWx3 to a (1, 3, H', W') float tensor, edges repeated to a multiple of ``multiple``."""
    image = pixels.astype(np.float32) / 255.0
    image = np.repeat(image[..., None], 3, axis=-1) if image.ndim == 2 else image
    height, width = image.shape[:2]
    padded = np.pad(image, ((0, -height % multiple), (0, -width % multiple), (0, 0)), mode="edge")
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(padded, -1, 0)))[None]


def _symbols(values: np.ndarray, half: int) -> tuple[np.ndarray, np.ndarray]:
    """Table symbols of integer ``values`` in ``[-half, half]`` (``2 half + 1``, the escape, beyond), and the
    escaped values."""
    outside = np.abs(values) > half
    return np.where(outside, 2 * half + 1, values + half).astype(np.int32), values[outside].astype(np.int32)


def encode(pixels: np.ndarray, quality: int, codec: LoadedCodec | None = None) -> bytes:
    """The payload of an 8-bit image at ``quality`` (module docstring), by ``codec`` (default: the shipped one)."""
    _check_size(pixels.shape)
    codec = codec or loaded_codec()
    network = codec.network
    image = _as_batch(pixels, network.multiple).to(codec.device)
    level = torch.tensor([float(quality)], device=codec.device)
    with torch.inference_mode():
        y = tiled_apply(
            lambda tile: network.analysis(F.pixel_shuffle(tile, 16)), F.pixel_unshuffle(image, 16), TILE, OVERLAP
        ) * network.gain(level)
        z_hat = torch.round(network.hyper_analysis(y))
    means, indices = codec.gaussian_parameters(z_hat)
    symbols = torch.round(y.cpu().double() - means).long().numpy()[0]
    encoder = constriction.stream.queue.RangeEncoder()
    escapes = []
    for channel, model in zip(z_hat.cpu().long().numpy()[0], codec.hyper_models, strict=True):
        coded, escaped = _symbols(channel.ravel(), HYPER_RANGE)
        encoder.encode(coded, model)
        escapes.append(escaped)
    indices = indices.numpy()[0]
    for index, (model, half) in enumerate(zip(codec.latent_models, codec.latent_ranges, strict=True)):
        coded, escaped = _symbols(symbols[indices == index], half)
        if len(coded):
            encoder.encode(coded, model)
        escapes.append(escaped)
    words = encoder.get_compressed()
    channels = 3 if pixels.ndim == 3 else 1
    head = _IMAGE.pack(*pixels.shape[:2], channels, quality) + _COUNT.pack(len(words))
    return head + words.astype("<u4").tobytes() + np.concatenate(escapes).astype("<i4").tobytes()


def decode(payload: bytes, shape: tuple[int, ...], quality: int, codec: LoadedCodec | None = None) -> np.ndarray:
    """The image of a payload of :func:`encode`, float32 in ``[0, 1]`` of ``shape``, by ``codec`` (default: the
    shipped one).

    Raises
    ------
    RestoreError
        For a payload whose word count or escapes do not fit it.
    """
    _check_size(shape)
    start = _IMAGE.size + _COUNT.size
    if len(payload) < start:
        raise RestoreError("the deconv_codec payload is shorter than its own header.")
    height, width, channels, coded_quality = _IMAGE.unpack_from(payload)
    if (height, width, channels, coded_quality) != (*shape[:2], 3 if len(shape) == 3 else 1, quality):
        raise RestoreError(f"the deconv_codec payload holds a {width}x{height}x{channels} image at quality "
                           f"{coded_quality}, not what its header says.")  # fmt: skip
    count = _COUNT.unpack_from(payload, _IMAGE.size)[0]
    if len(payload) < start + 4 * count:
        raise RestoreError("the deconv_codec payload is shorter than its range-coded part.")
    if (len(payload) - start) % 4:
        raise RestoreError("the deconv_codec payload's escaped values are cut short.")
    words = np.frombuffer(payload, "<u4", count, start).astype(np.uint32)
    escaped = np.frombuffer(payload[start + 4 * count :], "<i4")
    codec = codec or loaded_codec()
    network = codec.network
    latent_h, latent_w = (-(-side // network.multiple) * network.multiple // 16 for side in shape[:2])
    hyper_shape = (latent_h // 4, latent_w // 4)
    decoder = constriction.stream.queue.RangeDecoder(words)
    escapes = iter(escaped.tolist())
    z_hat = np.stack(
        [_read(decoder, model, HYPER_RANGE, hyper_shape[0] * hyper_shape[1], escapes) for model in codec.hyper_models]
    )
    z_hat = torch.from_numpy(z_hat.reshape(1, -1, *hyper_shape)).double()
    means, indices = codec.gaussian_parameters(z_hat)
    indices = indices.numpy()[0]
    symbols = np.zeros(indices.shape, np.int64)
    for index, (model, half) in enumerate(zip(codec.latent_models, codec.latent_ranges, strict=True)):
        if (amount := int((chosen := indices == index).sum())) > 0:
            symbols[chosen] = _read(decoder, model, half, amount, escapes)
    if next(escapes, None) is not None:
        raise RestoreError("the deconv_codec payload has more escaped values than escape symbols.")
    y_hat = (torch.from_numpy(symbols)[None].double() + means).float().to(codec.device)
    level = torch.tensor([float(quality)], device=codec.device)
    with torch.inference_mode():
        image = tiled_apply(lambda tile: network.decode_latents(tile, level), y_hat, TILE, OVERLAP, scale=16)
    image = image[0, :, : shape[0], : shape[1]].clamp(0, 1).cpu().numpy()
    image = np.moveaxis(image, 0, -1) if len(shape) == 3 else image.mean(axis=0)
    return np.round(image * 255).astype(np.float32) / 255.0


def _check_size(shape: tuple[int, ...]) -> None:
    if shape[0] * shape[1] > MAX_PIXELS:
        raise RestoreError(f"the learned codec takes images up to {MAX_PIXELS / 1e6:.0f} megapixels, "
                           f"not {shape[1]}x{shape[0]}; downscale it first.")  # fmt: skip


def _read(decoder, model, half: int, amount: int, escapes) -> np.ndarray:
    """``amount`` values of one table, escaped ones taken from ``escapes``."""
    coded = decoder.decode(model, amount).astype(np.int64)
    values = coded - half
    for position in np.flatnonzero(coded == 2 * half + 1):
        value = next(escapes, None)
        if value is None:
            raise RestoreError("the deconv_codec payload has fewer escaped values than escape symbols.")
        values[position] = value
    return values


#: The codec's declaration; it is registered (listed by :func:`restore_core.list_codecs`) when its weights ship.
DECLARATION = Codec(
    "deconv_codec", "learned", QUALITIES, 50, RATE_POINTS, "dcar",
    "learned transform codec (mean-scale hyperprior, transposed-convolution decoder, range coding), trained here",
    encode, decode, standalone=False,
)  # fmt: skip
if get_spec(MODEL).path.is_file():
    register_codec(DECLARATION)
