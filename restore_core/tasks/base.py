"""What a restoration task declares: :class:`Task`, its :class:`Protocol` and its :class:`PnPDefaults`.

A task is one subclass of :class:`Task` in its own module of :mod:`restore_core.tasks`. It owns
its forward model (the parameters it takes, their validation, the operator they build and how a
simulation finishes the observation), the benchmark's protocol (levels, ground truth, metric
options), how training degrades patches for its networks, the plug-and-play defaults, and the
controls a front end asks for. The observation, the benchmark, the training command, the
command line and the demo ask the task; none of them branches on its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import RestoreError
from ..operators import BOUNDARIES, Identity, LinearOperator

if TYPE_CHECKING:
    from ..observation import Observation

#: The forward-model parameters a task may take, in words (for messages).
PARAMETER_WORDS = {"kernel": "a blur kernel", "scale": "a scale", "quality": "a JPEG quality", "mask": "a mask"}


@dataclass(frozen=True)
class Protocol:
    """How the benchmark degrades a test image for a task and measures the restoration.

    Attributes
    ----------
    text : str
        The protocol in words (``--help``, report headers).
    option : str
        Command-line option (argparse ``dest``) listing the levels, e.g. ``'sigmas'``.
    field : str
        The degradation parameter those values set: ``'sigma'``, ``'kernel'``, ``'scale'``,
        ``'quality'`` or ``'ratio'``.
    defaults : tuple
        Levels run when the option is omitted.
    label : callable
        Readable name of a level value, e.g. ``25 -> 'σ=25'``.
    noise_default : tuple of float or None
        Default extra Gaussian noise levels (``--noise-sigma``, 0–255); None when the task takes none.
    rgb_option : bool
        The ground truth is the Y channel of colour test images unless the RGB image is asked for
        (``--color``).
    """

    text: str
    option: str
    field: str
    defaults: tuple
    label: Callable[[Any], str]
    noise_default: tuple[float, ...] | None = None
    rgb_option: bool = False


@dataclass(frozen=True)
class PnPDefaults:
    """Plug-and-play defaults of a task that has a forward model to invert.

    Attributes
    ----------
    iterations : int
        HQS iterations (DPIR's published settings).
    sigma_floor : float
        Lowest denoiser level of the schedule (0–255); tuned ones are read from ``tuned.json``, written by
        ``python -m tools.tune_pnp --setting sigma_end --write``.
    """

    iterations: int
    sigma_floor: float


class TrainingDeclaration:
    """What the training loop reads off a model's task: how patches become network inputs, and how the
    network is validated and described (a :class:`Task`, or a codec's training declaration).

    Class attributes
    ----------------
    train_on_luma : bool
        Its single-channel networks train on the Y channel of colour images (else on gray).
    validation_level : object
        Degradation level of its networks' validation PSNR (None: the task has no level).
    score_names : tuple of (str, str, int)
        Title, column name and decimals of the validation score in model cards and reports.
    validation_score : callable or None
        ``validation_score(network, images, device) -> float`` when the declaration scores its
        networks itself; None: the training loop's validation PSNR.
    """

    name: ClassVar[str]
    train_on_luma: ClassVar[bool] = False
    validation_level: ClassVar[Any] = None
    score_names: ClassVar[tuple[str, str, int]] = ("Validation PSNR (dB)", "validation PSNR", 2)
    validation_score: ClassVar[Callable[..., float] | None] = None

    # -- training --------------------------------------------------------------------------------------------------

    def augment_clean(self, clean: np.ndarray, rng: np.random.Generator, config: Mapping[str, Any]) -> np.ndarray:
        """The clean training patches a model learns to restore, made from the sampled ``(N, H, W, C)`` crops.

        Called for training batches only (never validation), before :meth:`training_inputs`
        degrades them; the default keeps them as they are.
        """
        return clean

    def training_inputs(
        self, clean: np.ndarray, rng: np.random.Generator, config: Mapping[str, Any], level: Any = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Degraded network inputs of clean ``(N, H, W, C)`` patches, and their condition ``(N, 1)`` or None.

        ``level`` fixes the degradation level (validation); None draws it at random (training).

        Raises
        ------
        RestoreError
            When no network of this task is trained.
        """
        raise RestoreError(f"no network is trained for the {self.name} task.")

    def training_side(self, patch: int, config: Mapping[str, Any]) -> int:
        """Side of the clean patches whose inputs are ``patch`` pixels (default: the same)."""
        return patch

    def output_factor(self, config: Mapping[str, Any]) -> int:
        """How many times larger a network's output is than its input (default 1)."""
        return 1

    def training_text(self, config: Mapping[str, Any]) -> str:
        """The training degradation in words (model cards)."""
        return "none"

    def validation_text(self, config: Mapping[str, Any]) -> str:
        """The validation protocol in words (model cards)."""
        return "none"


class Task(TrainingDeclaration):
    """One restoration task (subclass it, one module per task, and register an instance).

    Class attributes
    ----------------
    name : str
        Identifier (``Observation.task``, ``--task``).
    label : str
        Name shown to people (the demo's task choice).
    needs : tuple of str
        Forward-model parameters that must be given (keys of :data:`PARAMETER_WORDS`):
        the controls a front end asks for.
    optional : tuple of str
        Parameters it also accepts (e.g. a kernel for blur-then-decimate super-resolution).
    needs_noise_level : bool
        Restoring it needs a noise level (given or estimated); the others assume :attr:`typical_sigma`.
    typical_sigma : float
        A typical Gaussian noise level (0–255) of its observations: the demo's default, and what
        the command line assumes for a photo when no level is given.
    photo_boundary : str
        Boundary model of the blur for real photos.
    clips : bool
        Its forward model clips the observation to ``[0, 1]`` (JPEG): ``clip`` is meaningless.
    preferred_methods : tuple of str
        Methods a front end picks without being told, first registered one wins.
    protocol : Protocol
        The benchmark's protocol.
    pnp : PnPDefaults or None
        Plug-and-play defaults; None when there is no forward model to invert.
    noise_map : bool
        The demo shows, next to its results, the noise level map the learned real-noise model reads
        off the input (:func:`restore_core.estimate_noise_map`): the noise is what it removes.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    needs: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()
    needs_noise_level: ClassVar[bool] = False
    typical_sigma: ClassVar[float] = 0.0
    photo_boundary: ClassVar[str] = "circular"
    clips: ClassVar[bool] = False
    preferred_methods: ClassVar[tuple[str, ...]] = ()
    protocol: ClassVar[Protocol]
    pnp: ClassVar[PnPDefaults | None] = None
    noise_map: ClassVar[bool] = False

    def __repr__(self) -> str:
        return f"<task {self.name}>"

    @property
    def accepts(self) -> tuple[str, ...]:
        """Every forward-model parameter the task takes."""
        return self.needs + self.optional

    # -- forward model -------------------------------------------------------------------------------------------

    def check(
        self,
        clean_shape: tuple[int, ...],
        kernel: np.ndarray | None = None,
        boundary: str = "circular",
        scale: int | None = None,
        quality: int | None = None,
        mask: np.ndarray | None = None,
    ) -> dict[str, Any]:
        """Check the forward-model parameters and return them normalised.

        Returns
        -------
        dict
            ``kernel``, ``boundary``, ``scale``, ``quality`` and ``mask``, each checked by :meth:`check_own`.

        Raises
        ------
        RestoreError
            For an unknown boundary, a parameter the task does not take, or a missing or invalid one.
        """
        if boundary not in BOUNDARIES:
            raise RestoreError(f"unknown boundary {boundary!r}; choose one of {', '.join(BOUNDARIES)}.")
        given = {"kernel": kernel, "scale": scale, "quality": quality, "mask": mask}
        for name, value in given.items():
            if value is not None and name not in self.accepts:
                from . import TASK_REGISTRY

                users = [task.name for task in TASK_REGISTRY.values() if name in task.accepts]
                only = " and ".join(users) + (" does" if len(users) == 1 else " do")
                raise RestoreError(
                    f"{PARAMETER_WORDS[name]} was given but the {self.name} task does not use one (only {only})."
                )
        own = self.check_own(clean_shape, **{name: given[name] for name in self.accepts})
        return {**given, **own, "boundary": boundary}

    def check_own(self, clean_shape: tuple[int, ...], **values: Any) -> dict[str, Any]:
        """Check the parameters of :attr:`accepts` (None where not given); return the normalised ones.

        Raises
        ------
        RestoreError
            For a missing one of :attr:`needs` or an invalid value.
        """
        return {}

    def operator(self, clean_shape: tuple[int, ...], model: Mapping[str, Any]) -> LinearOperator:
        """The linear part ``A`` of the forward model for checked parameters ``model`` (default: identity)."""
        return Identity()

    def simulated(
        self, clean_shape: tuple[int, ...], model: Mapping[str, Any], mask_type: str, ratio: float | None, seed: int
    ) -> dict[str, Any]:
        """The parameters of a simulation, with what the task generates itself (e.g. a mask) filled in.

        Raises
        ------
        RestoreError
            For a mask ratio given to a task without a mask.
        """
        if ratio is not None:
            raise RestoreError(f"a mask ratio was given but the {self.name} task does not use a mask.")
        return dict(model)

    def finish(self, observed: np.ndarray, model: Mapping[str, Any], clip: bool) -> np.ndarray:
        """The last steps of a simulation, after the noise: here optional clipping to ``[0, 1]``."""
        return np.clip(observed, 0.0, 1.0) if clip else observed

    def restored_shape(self, observed_shape: tuple[int, ...], model: Mapping[str, Any]) -> tuple[int, ...]:
        """Shape of the restoration of a real photo of ``observed_shape`` (default: the same)."""
        return tuple(observed_shape)

    # -- plug-and-play ---------------------------------------------------------------------------------------------

    def initial_estimate(self, observation: Observation) -> np.ndarray:
        """Where an iterative solver starts (default: the observation itself), float64 at the clean shape."""
        return observation.image.astype(np.float64)

    # -- benchmark -------------------------------------------------------------------------------------------------

    def ground_truth(self, image: np.ndarray, scale: int | None = None, color: bool = False) -> np.ndarray:
        """The clean image a test image gives for this task (default: itself)."""
        return image

    def metric_options(self, observation: Observation) -> dict[str, Any]:
        """Keyword arguments of :func:`restore_core.psnr`/:func:`restore_core.ssim` (default: all channels)."""
        return {}

    def measured_output(self, restored: np.ndarray) -> np.ndarray:
        """The restoration as it is measured (default: as it is)."""
        return restored
