"""The method registry: every restoration method declares itself here, once.

The UI and the benchmark list and run methods only through :func:`list_methods`,
:func:`get_method` and :func:`restore`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .device import DEVICE_CHOICES
from .errors import RestoreError
from .observation import Observation
from .tasks import TASKS, check_task

FAMILIES = ("classical", "learned")
#: The images a method restores: gray (HxW) ones, colour (HxWx3) ones, or both.
IMAGE_KINDS = ("any", "gray", "color")
#: What :func:`restore` says of a method whose result holds NaN or infinite values.
NON_FINITE_RESULT = "its result holds NaN or infinite values"
_REGISTRY: dict[str, Method] = {}


@dataclass(frozen=True)
class Param:
    """A tunable parameter of a method.

    Parameters
    ----------
    name : str
        Keyword argument name of the method's ``run``.
    default : float, int, str, bool or None
        Default value; None means "automatic" (derived from the observation, e.g. the noise level).
    kind : {'float', 'int', 'choice', 'bool'}
        Value type.
    low, high : float, optional
        Inclusive range for numbers.
    choices : tuple, optional
        Allowed values for ``'choice'``.
    help : str
        One-line description shown in the UI and ``--help``.
    log : bool
        Whether a slider should move on a log scale.
    """

    name: str
    default: Any
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    help: str = ""
    log: bool = False

    def check(self, value: Any, method: str) -> Any:
        """Validate and convert a user value; None is accepted when the default is automatic."""
        if value is None and self.default is None:
            return None
        where = f"parameter {self.name!r} of {method}"
        if self.kind == "choice":
            if isinstance(value, np.ndarray) or value not in self.choices:
                raise RestoreError(f"{where} must be one of {', '.join(map(str, self.choices))}, got {value!r}.")
            return value
        if self.kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise RestoreError(f"{where} must be True or False, got {value!r}.")
            return bool(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise RestoreError(f"{where} must be a number, got {value!r}.")
        if not (self.low is None or self.low <= value) or not (self.high is None or value <= self.high):
            raise RestoreError(f"{where} must be in [{self.low}, {self.high}], got {value!r}.")
        fractional = isinstance(value, (float, np.floating))
        if fractional and not np.isfinite(value):
            raise RestoreError(f"{where} must be a finite number, got {value!r}.")
        if self.kind == "int" and fractional and not float(value).is_integer():
            raise RestoreError(f"{where} must be an integer, got {value!r}.")
        return int(value) if self.kind == "int" else float(value)


#: The ``device`` parameter of the methods that compute in torch (hidden in the demo, ``--device`` in the CLIs).
DEVICE_PARAM = Param(
    "device", "auto", "choice", choices=DEVICE_CHOICES, help="where it computes (auto: CUDA if present)"
)


@dataclass(frozen=True)
class Method:
    """A registered restoration method.

    Attributes
    ----------
    name : str
        Identifier used by the API, the CLI and the UI.
    display_name : str
        Human-readable name.
    family : {'classical', 'learned'}
        Which half of the arena it belongs to.
    tasks : tuple of str
        Tasks it can restore.
    params : tuple of Param
        Tunable parameters with defaults and ranges.
    run : callable
        ``run(observation, **params) -> ndarray`` shaped like the clean image.
    description : str
        One sentence: what it does and where it comes from.
    baseline : bool
        Whether it is a reference point rather than a restoration (the degraded input itself): its
        output is not clipped, and the demo shows the input instead of listing it as a method.
    images : {'any', 'gray', 'color'}
        The images it restores; :func:`restore` refuses the others with a message.
    """

    name: str
    display_name: str
    family: str
    tasks: tuple[str, ...]
    params: tuple[Param, ...]
    run: Callable[..., np.ndarray] = field(repr=False)
    description: str = ""
    baseline: bool = False
    images: str = "any"

    def restores(self, observation: Observation) -> bool:
        """Whether it does the observation's task on images of its kind (gray or colour)."""
        kind = "color" if observation.is_color else "gray"
        return observation.task in self.tasks and self.images in ("any", kind)

    def defaults(self) -> dict[str, Any]:
        """Default parameter values (None = automatic)."""
        return {param.name: param.default for param in self.params}

    def resolve(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """Defaults updated with validated user values; unknown names raise."""
        known = {param.name: param for param in self.params}
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            accepted = ", ".join(known) or "none"
            raise RestoreError(f"{self.name} has no parameter {', '.join(unknown)} (accepted: {accepted}).")
        values = self.defaults()
        values.update({name: known[name].check(value, self.name) for name, value in overrides.items()})
        return values

    def expected_seconds(self, task: str, shape: tuple[int, ...], params: dict[str, Any] | None = None) -> float:
        """Predicted seconds on ``task`` for a result of ``shape`` (see :func:`restore_core.expected_seconds`)."""
        from .costs import expected_seconds  # costs imports this module

        return expected_seconds(self.name, task, shape, params)


def register(
    name: str,
    display_name: str,
    family: str,
    tasks: Iterable[str],
    params: Iterable[Param] = (),
    description: str = "",
    baseline: bool = False,
    images: str = "any",
) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    """Decorator registering ``run(observation, **params)`` as a method (see :class:`Method` for the arguments).

    Examples
    --------
    >>> @register("my_median", "Median 3x3", "classical", ["denoise"])  # doctest: +SKIP
    ... def my_median(obs):
    ...     return scipy.ndimage.median_filter(obs.image, size=3)
    """
    tasks = tuple(tasks)
    for task in tasks:
        check_task(task)
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    if images not in IMAGE_KINDS:
        raise ValueError(f"images must be one of {IMAGE_KINDS}, got {images!r}")

    def decorator(run: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        if name in _REGISTRY:
            raise ValueError(f"a method named {name!r} is already registered")
        _REGISTRY[name] = Method(name, display_name, family, tasks, tuple(params), run, description, baseline, images)
        return run

    return decorator


def list_methods(task: str | None = None, family: str | None = None) -> list[Method]:
    """Registered methods, optionally only those for a task and/or of a family, in registration order."""
    if task is not None:
        check_task(task)
    if family is not None and family not in FAMILIES:
        raise RestoreError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}.")
    return [
        method
        for method in _REGISTRY.values()
        if (task is None or task in method.tasks) and (family is None or method.family == family)
    ]


def get_method(name: str) -> Method:
    """The method registered under ``name``; unknown names raise with the list of known ones."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise RestoreError(f"unknown method {name!r}; known methods: {', '.join(_REGISTRY)}.")
    return _REGISTRY[name]


def restore(
    observation: Observation, method: str, progress: Callable[[int, int], None] | None = None, **params: Any
) -> np.ndarray:
    """Restore an observation with a registered method.

    Parameters
    ----------
    observation : Observation
        What :func:`restore_core.degrade` returns, or one built around a real photo.
    method : str
        Registered method name (see :func:`list_methods`).
    progress : callable, optional
        ``progress(done, total)``, called by iterative methods that report progress (others ignore it).
    **params
        Method parameters; omitted ones take their defaults.

    Returns
    -------
    ndarray
        ``float32`` image shaped like the clean image. Restoration methods return
        values clipped to ``[0, 1]``; ``identity`` returns the observation as it is.

    Raises
    ------
    RestoreError
        For an unknown method, a task or kind of image (gray, colour) the method does not support, bad
        parameters, or a result with NaN or infinite values (a method that broke down on this input).
    """
    if not isinstance(observation, Observation):
        raise RestoreError(
            f"restore expects an Observation (from restore_core.degrade), got {type(observation).__name__}."
        )
    entry = get_method(method)
    if observation.task not in entry.tasks:
        supported = ", ".join(m.name for m in list_methods(observation.task))
        raise RestoreError(
            f"{entry.name} does not support the {observation.task} task (it does {', '.join(entry.tasks)}); "
            f"methods for {observation.task}: {supported}."
        )
    if not entry.restores(observation):
        kind = "colour" if entry.images == "color" else "gray"
        raise RestoreError(
            f"{entry.name} restores {kind} images only; this one is {'gray' if kind == 'colour' else 'colour'}."
        )
    options = entry.resolve(params)
    if progress is not None and "progress" in inspect.signature(entry.run).parameters:
        options["progress"] = progress
    result = np.asarray(entry.run(observation, **options), dtype=np.float32)
    if result.shape != observation.clean_shape:
        raise RuntimeError(f"{entry.name} returned shape {result.shape}, expected {observation.clean_shape}")
    if not np.all(np.isfinite(result)):
        raise RestoreError(f"{entry.name} failed on this observation: {NON_FINITE_RESULT}.")
    return result if entry.baseline else np.clip(result, 0.0, 1.0)


__all__ = ["FAMILIES", "IMAGE_KINDS", "TASKS", "Method", "Param", "get_method", "list_methods", "register", "restore"]
