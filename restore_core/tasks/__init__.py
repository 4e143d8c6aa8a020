"""The restoration tasks, one module each, and their registry.

Adding a task: write a module with a :class:`~restore_core.tasks.base.Task` subclass (forward
model, benchmark protocol, training degradation, plug-and-play defaults, controls) and add an
instance to :data:`TASK_REGISTRY` below; methods then declare the task's name among theirs.
"""

from __future__ import annotations

from ..errors import RestoreError
from .base import PARAMETER_WORDS, PnPDefaults, Protocol, Task
from .deblur import Deblur
from .denoise import Denoise
from .inpaint import Inpaint
from .jpeg import JpegArtifacts
from .sr import SCALES, SuperResolution, check_scale

#: Every task by name, in the order front ends list them.
TASK_REGISTRY: dict[str, Task] = {
    task.name: task for task in (Denoise(), Deblur(), SuperResolution(), JpegArtifacts(), Inpaint())
}
#: The task names.
TASKS = tuple(TASK_REGISTRY)


def get_task(name: str) -> Task:
    """The declaration of a task.

    Raises
    ------
    RestoreError
        For an unknown name, listing the known ones.

    Examples
    --------
    >>> import restore_core as rc
    >>> task = rc.get_task("sr")
    >>> task.needs, task.pnp.iterations
    (('scale',), 24)
    """
    if not isinstance(name, str) or name not in TASK_REGISTRY:
        raise RestoreError(f"unknown task {name!r}; choose one of {', '.join(TASK_REGISTRY)}.")
    return TASK_REGISTRY[name]


def check_task(name: str) -> str:
    """Return ``name`` or raise :class:`RestoreError` listing the known tasks."""
    return get_task(name).name


__all__ = [
    "PARAMETER_WORDS",
    "SCALES",
    "TASKS",
    "TASK_REGISTRY",
    "PnPDefaults",
    "Protocol",
    "Task",
    "check_scale",
    "check_task",
    "get_task",
]
