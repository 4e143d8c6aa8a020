"""Inpainting: ``y = m ⊙ (x + n)`` with a mask ``m``, True where a pixel is observed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import ndimage

from ..errors import RestoreError
from ..masks import check_ratio, make_mask, validate_mask
from ..operators import LinearOperator, Mask
from ..tuned import tuned_setting
from .base import PnPDefaults, Protocol, Task

if TYPE_CHECKING:
    from ..observation import Observation

#: Fraction of missing pixels of a generated mask when none is given.
DEFAULT_RATIO = 0.5


class Inpaint(Task):
    """Fill in missing pixels; a simulation generates the mask from its type, ratio and seed."""

    name = "inpaint"
    label = "Inpaint"
    needs = ("mask",)
    preferred_methods = ("biharmonic",)
    protocol = Protocol(
        "random masks missing the given fraction of pixels, plus Gaussian noise if --noise-sigma; "
        "PSNR/SSIM on all channels (missing and observed pixels), no border crop.",
        "ratios",
        "ratio",
        (0.5, 0.8),
        lambda ratio: f"{100 * ratio:g}% missing",
        noise_default=(0.0,),
    )
    #: A learned prior still removes, above the floor (σ 3), the small artefacts it adds itself at the lowest levels.
    pnp = PnPDefaults(iterations=40, sigma_floor=tuned_setting("pnp_unet", "sigma_end")["inpaint"])

    def check_own(self, clean_shape: tuple[int, ...], mask: np.ndarray | None = None, **_: Any) -> dict[str, Any]:
        if mask is None:
            raise RestoreError("the inpaint task needs a mask (True where observed).")
        return {"mask": validate_mask(mask, clean_shape)}

    def operator(self, clean_shape: tuple[int, ...], model: Mapping[str, Any]) -> LinearOperator:
        return Mask(model["mask"])

    def simulated(
        self, clean_shape: tuple[int, ...], model: Mapping[str, Any], mask_type: str, ratio: float | None, seed: int
    ) -> dict[str, Any]:
        """A mask of ``mask_type`` missing ``ratio`` of the pixels (default 0.5) when none is given."""
        if model.get("mask") is not None:
            if ratio is not None:
                check_ratio(ratio)
            return dict(model)
        mask = make_mask(mask_type, clean_shape, DEFAULT_RATIO if ratio is None else ratio, seed=seed)
        return {**model, "mask": mask}

    def finish(self, observed: np.ndarray, model: Mapping[str, Any], clip: bool) -> np.ndarray:
        """Missing pixels are zero (also after the noise)."""
        return super().finish(Mask(model["mask"]).forward(observed), model, clip)

    def initial_estimate(self, observation: Observation) -> np.ndarray:
        """Missing pixels filled by normalised convolution (a Gaussian of σ 2 over the observed ones)."""
        image = observation.image.astype(np.float64)
        weight = observation.mask.astype(np.float64)
        weight = weight[..., None] if image.ndim == 3 else weight
        sigma = (2.0, 2.0, 0.0)[: image.ndim]
        filled = ndimage.gaussian_filter(image * weight, sigma) / np.maximum(
            ndimage.gaussian_filter(weight, sigma), 1e-6
        )
        return np.where(weight > 0, image, filled)
