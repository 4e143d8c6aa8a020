"""BlindDeconvUNet: a DeconvUNet that reads the noise level map off the image itself (CBDNet's design).

Real photos carry noise whose level varies over the image (it grows with the signal and differs
per channel after the camera's processing) and that nobody states. A small fully convolutional
estimator maps the image to a per-pixel noise level (standard deviation on the ``[0, 1]`` scale,
the unit of the denoisers' condition maps); the DeconvUNet denoiser takes it as its condition
map. Both are trained together: the restoration's L1 error plus the estimator's asymmetric error
against the true local noise level, which penalises under-estimation more (a denoiser given too
low a level leaves noise; too high a level costs less). The map is kept for display.

References
----------
.. [1] S. Guo, Z. Yan, K. Zhang, W. Zuo and L. Zhang, "Toward convolutional blind denoising of
       real photographs", CVPR 2019.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import conv3x3
from .unet import DeconvUNet

#: Weight of under-estimated noise levels in the estimator's loss (over-estimation weighs 1 - this).
UNDER_WEIGHT = 0.7
#: Weight of the estimator's loss beside the restoration's L1 error.
MAP_WEIGHT = 0.5
#: Initial bias of the estimator's last layer: softplus(-4) ≈ 0.018, a level of about 4.6 on the 0–255 scale.
_START_BIAS = -4.0


class BlindDeconvUNet(nn.Module):
    """A noise-level estimator feeding a DeconvUNet denoiser (see the module's description).

    Parameters
    ----------
    channels : int
        Image channels.
    widths, blocks
        The denoiser's (:class:`~restore_core.nets.unet.DeconvUNet`, one condition channel).
    estimator_width, estimator_depth : int
        Feature channels and convolution layers of the estimator.

    Notes
    -----
    ``forward(image)`` restores an ``(N, channels, H, W)`` image (H and W multiples of
    :attr:`multiple`); ``noise_map(image)`` is the ``(N, 1, H, W)`` level it uses;
    ``loss(image, level, target)`` is the training objective given the true level map.
    """

    #: The training loss in words (for the model card).
    objective = (
        f"L1 loss of the restoration plus {MAP_WEIGHT:g} x the estimator's asymmetric squared error (under-estimates "
        f"weighted {UNDER_WEIGHT:g}, over-estimates {1 - UNDER_WEIGHT:g}, relative to the mean squared true level)"
    )

    def __init__(self, channels: int = 3, widths: tuple[int, ...] = (24, 48, 96, 192), blocks: int = 1,
                 estimator_width: int = 32, estimator_depth: int = 5) -> None:  # fmt: skip
        super().__init__()
        layers: list[nn.Module] = [conv3x3(channels, estimator_width), nn.ReLU(inplace=True)]
        for _ in range(estimator_depth - 2):
            layers += [conv3x3(estimator_width, estimator_width), nn.ReLU(inplace=True)]
        last = conv3x3(estimator_width, 1)
        nn.init.constant_(last.bias, _START_BIAS)
        self.estimator = nn.Sequential(*layers, last, nn.Softplus())
        self.denoiser = DeconvUNet(channels, widths, blocks, condition=1)
        self.multiple = self.denoiser.multiple

    def noise_map(self, image: torch.Tensor) -> torch.Tensor:
        """The estimated noise standard deviation of each pixel, ``(N, 1, H, W)`` on the ``[0, 1]`` scale."""
        return self.estimator(image)

    def forward(self, image: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """The restored image; ``condition`` is ignored (the network is blind: it estimates its own)."""
        return self.denoiser(image, self.noise_map(image))

    def loss(self, image: torch.Tensor, level: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Restoration L1 error plus :data:`MAP_WEIGHT` times the estimator's asymmetric squared error.

        ``level`` is the true ``(N, 1, H, W)`` local noise level, ``target`` the clean image.
        """
        estimate = self.noise_map(image)
        restored = self.denoiser(image, estimate).float()
        error = estimate.float() - level
        weights = torch.where(error < 0, UNDER_WEIGHT, 1.0 - UNDER_WEIGHT)
        return F.l1_loss(restored, target) + MAP_WEIGHT * torch.mean(weights * error**2) / level.pow(2).mean().clamp(
            min=1e-6
        )
