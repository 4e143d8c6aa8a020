"""The method checklists of the demo (classical and learned), built from the :mod:`restore_core` registry."""

from __future__ import annotations

from collections.abc import Iterable

import restore_core as rc

#: Methods left unchecked by default because a run takes several seconds on a 512x512 colour
#: image on 2 CPU cores (measured with ``python -m tools.bench_demo``'s photo): BM3D and BM3D
#: deblocking (about 10 s on 256x256), the unsupervised Wiener filter (a Gibbs sampler), TV
#: deconvolution (about 11 s) and the plug-and-play solvers, which run their prior at every
#: iteration (TV prior about 3 s, the learned prior about 12 s, the BM3D prior minutes). This
#: keeps a default comparison under 5 s; this is the only place where the demo decides what is slow.
SLOW_METHODS = frozenset({"unsupervised_wiener", "bm3d", "bm3d_deblock", "tv_deconv", "pnp_tv", "pnp_bm3d", "pnp_unet"})


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


def _expected(method: rc.Method, task: str) -> float:
    """A method's expected seconds for a :data:`REFERENCE_SHAPE` result (infinite when its cost is not measured)."""
    try:
        return rc.expected_seconds(method.name, task, REFERENCE_SHAPE)
    except rc.RestoreError:
        return float("inf")


def default_methods(task: str, family: str | None = None) -> list[str]:
    """Names checked by default: the task's methods (of ``family``, None: both) except the :data:`SLOW_METHODS`.

    A family whose methods of the task are all slow is represented by its quickest one (by the
    registry's expected time for a :data:`REFERENCE_SHAPE` result) when that takes at most
    :data:`QUICK_ENOUGH` seconds, so that a default run compares classical with learned restoration.
    """
    names = []
    for kind in rc.FAMILIES if family is None else (family,):
        methods = task_methods(task, kind)
        quick = [method.name for method in methods if method.name not in SLOW_METHODS]
        if methods and not quick:
            seconds = {method.name: _expected(method, task) for method in methods}
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
