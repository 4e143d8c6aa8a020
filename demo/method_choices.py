"""The method checklists of the demo (classical and learned), built from the :mod:`restore_core` registry."""

from __future__ import annotations

from collections.abc import Iterable

import restore_core as rc

from .estimates import expected_seconds

#: A method is slow for a task, and left unticked by default, when the registry's measured cost
#: (``restore_core/method_costs.json``, written by ``python -m tools.bench_costs``) expects more than
#: SLOW_SECONDS for a SLOW_SHAPE result: a 512x512 colour photo on the reference 2-core machine. That keeps
#: a default comparison of a photo within a few seconds (BM3D, TV deconvolution and the plug-and-play
#: solvers, which run their prior at every iteration, are slow by it).
SLOW_SHAPE, SLOW_SECONDS = (512, 512, 3), 1.0
#: The result shape the quickest method of a family is judged at (the built-in samples, in colour), and the
#: most seconds it may be expected to take there to be ticked by default.
REFERENCE_SHAPE, QUICK_ENOUGH = (256, 256, 3), 10.0


def task_methods(task: str | None = None, family: str | None = None) -> list[rc.Method]:
    """The demo's methods of a task (None: every task) and family (None: both), classical first, in registration order.

    The registry's baselines (the input itself) are not: the demo shows the input once, as the input.
    """
    methods = [method for method in rc.list_methods(task) if family in (None, method.family) and not method.baseline]
    return sorted(methods, key=lambda method: rc.FAMILIES.index(method.family))


def method_choices(task: str | None = None, family: str | None = None) -> list[tuple[str, str]]:
    """(display name, name) choices of a checklist for a task and family (None: all)."""
    return [(method.display_name, method.name) for method in task_methods(task, family)]


def _expected(method: rc.Method, task: str, shape: tuple[int, ...]) -> float:
    """A method's expected seconds for a result of ``shape`` (infinite when its cost is not measured)."""
    seconds = expected_seconds(method, task, shape, {})
    return float("inf") if seconds is None else seconds


def is_slow(method: rc.Method, task: str) -> bool:
    """Whether a method is expected to take more than :data:`SLOW_SECONDS` on a :data:`SLOW_SHAPE` result."""
    return _expected(method, task, SLOW_SHAPE) > SLOW_SECONDS


def default_methods(task: str, family: str | None = None) -> list[str]:
    """Names checked by default: the task's methods (of ``family``, None: both) that are not slow (:func:`is_slow`).

    A family whose methods of the task are all slow is represented by its quickest one (by the
    registry's expected time for a :data:`REFERENCE_SHAPE` result) when that takes at most
    :data:`QUICK_ENOUGH` seconds, so that a default run compares classical with learned restoration.
    """
    names = []
    for kind in rc.FAMILIES if family is None else (family,):
        methods = task_methods(task, kind)
        quick = [method.name for method in methods if not is_slow(method, task)]
        if methods and not quick:
            seconds = {method.name: _expected(method, task, REFERENCE_SHAPE) for method in methods}
            quickest = min(seconds, key=seconds.get)
            quick = [quickest] if seconds[quickest] <= QUICK_ENOUGH else []
        names += quick
    return names


def selected_methods(names: Iterable[str] | None, task: str) -> list[rc.Method]:
    """The chosen methods in checklist order.

    Parameters
    ----------
    names : iterable of str or None
        Method names, as the checklists (or an API client) send them.
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
