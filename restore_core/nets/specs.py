"""The trained models the project ships: architecture, constructor arguments, task and training set.

Each model has a weights file ``restore_core/weights/<name>.safetensors`` produced
by ``python -m restore_core.train <name>``. This module does not import torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RestoreError

#: Folder of the shipped weights and model cards.
WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"


@dataclass(frozen=True)
class ModelSpec:
    """A shipped model.

    Attributes
    ----------
    name : str
        Model name: the weights file stem and the training command's argument.
    architecture : str
        Network class (see :data:`restore_core.nets.weights.ARCHITECTURES`).
    config : dict
        Constructor arguments.
    task : str
        What it restores: ``'denoise'``, ``'jpeg'`` or ``'sr'``; ``'compress'`` for a learned codec.
    train_set : str
        Training folder under ``<data root>/train``.
    description : str
        One sentence for the model card.
    training : dict
        Options of the training degradation beyond the constructor's (e.g. ``{"noise": "camera"}``),
        read by the task's :meth:`~restore_core.tasks.Task.training_inputs`.
    init : str or None
        A shipped model whose weights start the network's ``denoiser`` when training begins afresh.
    """

    name: str
    architecture: str
    config: dict[str, Any] = field(hash=False)
    task: str
    train_set: str
    description: str
    training: dict[str, Any] = field(default_factory=dict, hash=False)
    init: str | None = None

    @property
    def path(self) -> Path:
        """The weights file."""
        return WEIGHTS_DIR / f"{self.name}.safetensors"

    @property
    def task_config(self) -> dict[str, Any]:
        """What the task's training degradation reads: the constructor arguments and the training options."""
        return {**self.config, **self.training}

    @property
    def channels(self) -> int:
        """Image channels the network takes."""
        return int(self.config.get("channels", 1))


_UNET = {"widths": (24, 48, 96, 192), "blocks": 1, "condition": 1}
_SR = {"channels": 1, "width": 48, "blocks": 6}

#: Every model, by name.
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("unet_gray", "DeconvUNet", {"channels": 1, **_UNET}, "denoise", "Train400",
                  "gray Gaussian denoiser for noise levels 0-50 (0-255 scale), the noise level as an input map"),
        ModelSpec("unet_color", "DeconvUNet", {"channels": 3, **_UNET}, "denoise", "BSDS400",
                  "colour Gaussian denoiser for noise levels 0-50 (0-255 scale), the noise level as an input map",
                  training={"saturation": (0.5, 2.5)}),
        *(
            ModelSpec(f"unet_color_{size}", "DeconvUNet", {"channels": 3, **_UNET, "widths": widths}, "denoise",
                      "BSDS400", f"a narrower unet_color (widths {widths}) for the quality-speed comparison of "
                      "model sizes")
            for size, widths in (("xs", (12, 24, 48, 96)), ("s", (16, 32, 64, 128)))
        ),
        ModelSpec("unet_camera", "BlindDeconvUNet", {"channels": 3, "widths": _UNET["widths"], "blocks": 1},
                  "denoise", "BSDS400", "blind colour denoiser of real camera noise: a noise-level estimator feeding "
                  "a DeconvUNet (started from unet_color), trained on simulated camera noise",
                  training={"noise": "camera", "saturation": (0.5, 2.5)}, init="unet_color"),
        ModelSpec("jpeg_gray", "DeconvUNet", {"channels": 1, **_UNET}, "jpeg", "BSDS400",
                  "JPEG artifact removal of gray images (the Y channel of BSDS400 for training), qualities 5-95, "
                  "the quality as an input map"),
        ModelSpec("jpeg_color", "DeconvUNet", {"channels": 3, **_UNET}, "jpeg", "BSDS400",
                  "JPEG artifact removal of colour images (4:2:0), qualities 5-95, the quality as an input map"),
        *(
            ModelSpec(f"sr_x{scale}", "DeconvSR", {"scale": scale, **_SR}, "sr", "BSDS400",
                      f"x{scale} super-resolution of the Y channel for MATLAB-bicubic downscaled images")
            for scale in (2, 3, 4)
        ),
        ModelSpec("codec_hyper", "DeconvCodec", {"channels": 3, "width": 96, "latent": 160, "hyper": 96}, "compress",
                  "BSDS400", "variable-rate learned image codec (mean-scale hyperprior, transposed-convolution "
                  "synthesis), qualities 1-100 through gain vectors"),
    )
}  # fmt: skip


def get_spec(name: str) -> ModelSpec:
    """The model called ``name``; unknown names raise with the list of known ones."""
    if name not in MODELS:
        raise RestoreError(f"unknown model {name!r}; known models: {', '.join(MODELS)}.")
    return MODELS[name]
