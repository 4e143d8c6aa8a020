"""Super-resolution: MATLAB bicubic downscaling by ``scale``, or a blur then keeping every ``scale``-th pixel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..convert import quantize
from ..errors import RestoreError
from ..imresize import imresize
from ..kernels import validate_kernel
from ..operators import BicubicDownsample, Decimate, LinearOperator
from .base import PnPDefaults, Protocol, Task

if TYPE_CHECKING:
    from ..observation import Observation

#: The super-resolution factors.
SCALES = (2, 3, 4)


def check_scale(scale: Any) -> int:
    """Return the super-resolution factor, or raise :class:`RestoreError` unless it is 2, 3 or 4."""
    number = isinstance(scale, (int, float, np.integer, np.floating)) and not isinstance(scale, (bool, np.bool_))
    if not number or scale not in SCALES:
        raise RestoreError(f"the super-resolution scale must be one of {SCALES}, got {scale!r}.")
    return int(scale)


def mod_crop(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom and right so that both sides are multiples of ``scale``."""
    height, width = image.shape[:2]
    return image[: height - height % scale, : width - width % scale]


class SuperResolution(Task):
    """Enlarge by 2, 3 or 4; measured as in the literature (Y channel, ``scale`` border pixels cropped, 8 bits)."""

    name = "sr"
    label = "Super-resolution"
    needs = ("scale",)
    optional = ("kernel",)
    preferred_methods = ("deconv_sr", "bicubic")
    protocol = Protocol(
        "ground truth mod-cropped to a multiple of the scale; low-resolution input by MATLAB bicubic "
        "downscaling with antialiasing or, at levels naming a kernel (--kernels), by circular blur with the "
        "kernel then keeping every scale-th pixel (plus Gaussian noise if --noise-sigma); the output rounded "
        "to 8 bits; "
        "PSNR/SSIM on the Y channel of MATLAB rgb2ycbcr with `scale` border pixels cropped.",
        "scales",
        "scale",
        SCALES,
        lambda scale: f"×{scale}",
        noise_default=(0.0,),
    )
    pnp = PnPDefaults(iterations=24, sigma_floor=0.5)
    train_on_luma = True

    def check_own(
        self, clean_shape: tuple[int, ...], scale: Any = None, kernel: np.ndarray | None = None, **_: Any
    ) -> dict[str, Any]:
        return {"scale": check_scale(scale), "kernel": None if kernel is None else validate_kernel(kernel, clean_shape)}

    def operator(self, clean_shape: tuple[int, ...], model: Mapping[str, Any]) -> LinearOperator:
        if model["kernel"] is not None:
            return Decimate(model["scale"], model["kernel"], clean_shape, model["boundary"])
        return BicubicDownsample(model["scale"], clean_shape)

    def restored_shape(self, observed_shape: tuple[int, ...], model: Mapping[str, Any]) -> tuple[int, ...]:
        """The photo enlarged by the scale."""
        scale = check_scale(model.get("scale"))
        return (observed_shape[0] * scale, observed_shape[1] * scale, *observed_shape[2:])

    def initial_estimate(self, observation: Observation) -> np.ndarray:
        """Bicubic upscaling to the clean size."""
        image = observation.image.astype(np.float64)
        return imresize(image, output_shape=observation.clean_shape[:2]).astype(np.float64)

    def ground_truth(self, image: np.ndarray, scale: int | None = None, color: bool = False) -> np.ndarray:
        """The test image mod-cropped to the scale."""
        return mod_crop(image, check_scale(scale))

    def metric_options(self, observation: Observation) -> dict[str, Any]:
        return {"y_channel": True, "crop": observation.scale}

    def measured_output(self, restored: np.ndarray) -> np.ndarray:
        """Rounded to 8 bits, as the published numbers are (outputs saved as images)."""
        return quantize(restored)

    def training_inputs(
        self, clean: np.ndarray, rng: np.random.Generator, config: Mapping[str, Any], level: Any = None
    ) -> tuple[np.ndarray, None]:
        """MATLAB bicubic downscaling of each (single-channel) patch by the model's scale; no condition."""
        scale = config["scale"]
        return np.stack([imresize(patch[..., 0], 1 / scale)[..., None] for patch in clean]), None

    def training_side(self, patch: int, config: Mapping[str, Any]) -> int:
        return patch * config["scale"]

    def output_factor(self, config: Mapping[str, Any]) -> int:
        return config["scale"]

    def training_text(self, config: Mapping[str, Any]) -> str:
        return f"MATLAB bicubic downscaling by {config['scale']} (Y channel)"

    def validation_text(self, config: Mapping[str, Any]) -> str:
        return f"x{config['scale']}, Y channel, border {config['scale']} cropped"
