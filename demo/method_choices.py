"""The method checklist of the demo, built from the :mod:`restore_core` registry."""

from __future__ import annotations

from collections.abc import Iterable

import restore_core as rc

#: Methods left unchecked by default because they are slow on a CPU: BM3D and BM3D
#: deblocking take about 10 s on a 256x256 image, and the unsupervised Wiener filter is a
#: Gibbs sampler whose run time grows with its iteration count; PnP with a BM3D prior runs BM3D
#: at every iteration. This is the only place
#: where the demo decides what is slow.
SLOW_METHODS = frozenset({"unsupervised_wiener", "bm3d", "bm3d_deblock", "pnp_bm3d"})


def task_methods(task: str | None = None) -> list[rc.Method]:
    """The methods of a task (None: of every task), classical first, then learned, each in registration order."""
    return sorted(rc.list_methods(task), key=lambda method: rc.FAMILIES.index(method.family))


def method_label(method: rc.Method) -> str:
    """Checklist label: display name and family, e.g. ``"Wiener · classical"``."""
    return f"{method.display_name} · {method.family}"


def method_choices(task: str | None = None) -> list[tuple[str, str]]:
    """(label, name) choices of the checklist for a task (None: every registered method)."""
    return [(method_label(method), method.name) for method in task_methods(task)]


def default_methods(task: str) -> list[str]:
    """Names checked by default: the task's classical methods except the :data:`SLOW_METHODS`."""
    return [
        method.name for method in task_methods(task) if method.family == "classical" and method.name not in SLOW_METHODS
    ]


def selected_methods(names: Iterable[str] | None, task: str) -> list[rc.Method]:
    """The chosen methods in checklist order.

    Parameters
    ----------
    names : iterable of str or None
        Method names, as the checklist (or an API client) sends them.
    task : str
        The task they must support.

    Returns
    -------
    list of Method
        The registry entries, classical first.

    Raises
    ------
    RestoreError
        When nothing is chosen or a name is not a method of the task.
    """
    chosen = set(names or ())
    if not chosen:
        raise rc.RestoreError("no method selected: tick at least one method.")
    available = task_methods(task)
    unknown = chosen - {method.name for method in available}
    if unknown:
        raise rc.RestoreError(
            f"{', '.join(sorted(unknown))}: not a method for the {task} task; "
            f"choose from {', '.join(method.name for method in available)}."
        )
    return [method for method in available if method.name in chosen]
