"""Non-blind deblurring: ``y = k ⊛ x + n`` with a known kernel ``k`` under a boundary model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import RestoreError
from ..kernels import LEVIN_KERNELS, validate_kernel
from ..operators import Blur, LinearOperator
from ..tuned import tuned_setting
from .base import PnPDefaults, Protocol, Task

if TYPE_CHECKING:
    from ..observation import Observation


class Deblur(Task):
    """Invert a known blur; real photos use the reflect boundary (they are not periodic)."""

    name = "deblur"
    label = "Deblur"
    needs = ("kernel",)
    typical_sigma = 2.55
    photo_boundary = "reflect"
    preferred_methods = ("wiener_unet", "wiener")
    protocol = Protocol(
        "circular convolution with the kernel, then Gaussian noise σ (--noise-sigma, default 2.55 and 7.65 "
        "on the 0–255 scale), not clipped unless --clip; PSNR/SSIM on all channels, no border crop.",
        "kernels",
        "kernel",
        LEVIN_KERNELS,
        str,
        noise_default=(2.55, 7.65),
    )
    pnp = PnPDefaults(iterations=8, sigma_floor=tuned_setting("pnp_unet", "sigma_end")["deblur"])

    def check_own(self, clean_shape: tuple[int, ...], kernel: np.ndarray | None = None, **_: Any) -> dict[str, Any]:
        if kernel is None:
            raise RestoreError("the deblur task needs the blur kernel (kernel=...).")
        return {"kernel": validate_kernel(kernel, clean_shape)}

    def operator(self, clean_shape: tuple[int, ...], model: Mapping[str, Any]) -> LinearOperator:
        return Blur(model["kernel"], model["boundary"])

    def initial_estimate(self, observation: Observation) -> np.ndarray:
        """The observation; a 'valid' one is first extended to the clean size (see :mod:`restore_core.boundary`)."""
        if observation.boundary != "valid":
            return super().initial_estimate(observation)
        from ..boundary import extend_for_fft

        padded, _ = extend_for_fft(observation, margin=0)
        return padded.astype(np.float64)
