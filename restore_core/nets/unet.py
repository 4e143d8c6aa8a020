"""DeconvUNet: a condition-map U-Net whose decoder upsamples with transposed convolutions.

The architecture follows DRUNet (Zhang et al., 2021) at a size that runs on a
laptop CPU: strided 2x2 convolutions go down, transposed 2x2 convolutions (the
"deconvolution" layers) come back up, skip connections add the encoder
features, residual blocks work at every scale, and the output is a residual
added to the input. A constant condition map (the noise level, or the JPEG
quantisation noise) is an extra input channel, so one network serves a whole
range of degradation strengths and can be the prior of a plug-and-play solver.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import ResBlock, conv3x3


class DeconvUNet(nn.Module):
    """U-Net with strided-convolution encoder and transposed-convolution decoder.

    Parameters
    ----------
    channels : int
        Image channels (1 gray, 3 colour).
    widths : sequence of int
        Feature channels at each scale, finest first; one downsampling between consecutive scales.
    blocks : int
        Residual blocks per scale in the encoder and in the decoder (twice that in the bottleneck).
    condition : int
        Number of condition-map channels appended to the input.

    Notes
    -----
    ``forward(image, condition)`` takes an ``(N, channels, H, W)`` image and an
    ``(N, condition)`` vector broadcast to constant maps, or ``(N, condition, H, W)`` maps
    that vary over the image; H and W must be multiples of :attr:`multiple` (use
    :func:`restore_core.nets.tiling.pad_to_multiple`).
    """

    def __init__(self, channels: int = 1, widths: tuple[int, ...] = (24, 48, 96, 192), blocks: int = 1,
                 condition: int = 1) -> None:  # fmt: skip
        super().__init__()
        self.channels, self.condition = channels, condition
        self.multiple = 2 ** (len(widths) - 1)
        self.head = conv3x3(channels + condition, widths[0])
        self.encoder = nn.ModuleList(nn.Sequential(*(ResBlock(width) for _ in range(blocks))) for width in widths[:-1])
        self.down = nn.ModuleList(nn.Conv2d(fine, coarse, 2, stride=2) for fine, coarse in itertools.pairwise(widths))
        self.bottleneck = nn.Sequential(*(ResBlock(widths[-1]) for _ in range(2 * blocks)))
        self.up = nn.ModuleList(
            nn.ConvTranspose2d(coarse, fine, 2, stride=2) for fine, coarse in itertools.pairwise(widths)
        )
        self.decoder = nn.ModuleList(nn.Sequential(*(ResBlock(width) for _ in range(blocks))) for width in widths[:-1])
        self.tail = conv3x3(widths[0], channels)

    def forward(self, image: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        maps = condition.to(image.dtype)
        if maps.ndim == 2:
            maps = maps[:, :, None, None].expand(-1, -1, *image.shape[-2:])
        features = self.head(torch.cat([image, maps], dim=1))
        skips = []
        for encode, down in zip(self.encoder, self.down, strict=True):
            features = encode(features)
            skips.append(features)
            features = down(features)
        features = self.bottleneck(features)
        for up, decode, skip in zip(reversed(self.up), reversed(self.decoder), reversed(skips), strict=True):
            features = decode(up(features) + skip)
        return image + self.tail(features)


def pad_to_multiple(image: torch.Tensor, multiple: int) -> tuple[torch.Tensor, tuple[int, int]]:
    """Reflect-pad the bottom and right of ``(N, C, H, W)`` so H and W are multiples of ``multiple``.

    Returns the padded tensor and the original ``(H, W)`` to crop back to.
    """
    height, width = image.shape[-2:]
    pad_h, pad_w = -height % multiple, -width % multiple
    if pad_h or pad_w:
        mode = "reflect" if pad_h < height and pad_w < width else "replicate"
        image = F.pad(image, (0, pad_w, 0, pad_h), mode=mode)
    return image, (height, width)
