"""DeconvSR: super-resolution with a learned transposed-convolution upsampler (FSRCNN-style).

Like FSRCNN (Dong et al., 2016) the network works on the low-resolution image
and its last layer is a transposed convolution with stride ``scale``; unlike
FSRCNN's thin 5-layer body it uses residual blocks, and it predicts the
residual over the bicubic upscaling, which trains much faster.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import ResBlock, conv3x3


class DeconvSR(nn.Module):
    """Residual CNN on the low-resolution input with a transposed-convolution upsampler.

    Parameters
    ----------
    scale : int
        Upscaling factor (2, 3 or 4).
    channels : int
        Image channels (1: the Y channel, as in the SR literature).
    width : int
        Feature channels.
    blocks : int
        Residual blocks.

    Notes
    -----
    ``forward(low)`` maps an ``(N, C, h, w)`` low-resolution image to ``(N, C, scale*h, scale*w)``:
    bicubic upscaling plus the learned residual. Every output pixel depends on a small window
    of the input only, so tiled inference is exact with a few pixels of overlap.
    """

    #: The input's sides need not be multiples of anything (as :attr:`DeconvUNet.multiple` says for the UNet).
    multiple = 1

    def __init__(self, scale: int = 2, channels: int = 1, width: int = 48, blocks: int = 6) -> None:
        super().__init__()
        self.scale, self.channels = scale, channels
        self.head = conv3x3(channels, width)
        self.body = nn.Sequential(*(ResBlock(width) for _ in range(blocks)), conv3x3(width, width))
        # kernel 2*scale + (scale % 2), padding chosen so the output is exactly scale times larger
        kernel = 2 * scale + scale % 2
        self.upsample = nn.ConvTranspose2d(width, channels, kernel, stride=scale, padding=(kernel - scale) // 2,
                                           output_padding=(kernel - scale) % 2)  # fmt: skip

    def forward(self, low: torch.Tensor) -> torch.Tensor:
        upscaled = F.interpolate(low, scale_factor=self.scale, mode="bicubic", align_corners=False)
        features = self.head(low)
        features = features + self.body(features)
        return upscaled + self.upsample(F.relu(features))
