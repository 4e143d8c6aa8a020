"""How long a run will take: each method's expected time for the current image, and the run's remaining time.

The times come from the cost every method declares in the registry
(:func:`restore_core.expected_seconds`, measured by ``python -m tools.bench_costs``);
this module only adds them up and words them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import restore_core as rc

#: A selection expected to take longer than this (seconds) gets a warning before it is run.
SLOW_SELECTION = 20.0


def expected_seconds(
    method: rc.Method, task: str, shape: tuple[int, ...] | None, params: dict[str, Any]
) -> float | None:
    """A method's expected seconds for a result of ``shape`` (None when the shape or its cost is unknown)."""
    if shape is None:
        return None
    try:
        return rc.expected_seconds(method.name, task, shape, params or None)
    except rc.RestoreError:  # e.g. a parameter value the run itself will refuse with a message
        return None


def duration(seconds: float) -> str:
    """Seconds as people say them: ``"<1 s"``, ``"4 s"``, ``"2 min"``."""
    if seconds < 1:
        return "<1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def choice_label(method: rc.Method, seconds: float | None) -> str:
    """A checklist label: the method's name and, when known, its expected time (``"BM3D · ~12 s"``, ``"… · <1 s"``)."""
    if seconds is None:
        return method.display_name
    return f"{method.display_name} · {'' if seconds < 1 else '~'}{duration(seconds)}"


def selection_notice(times: Sequence[tuple[rc.Method, float | None]], shape: tuple[int, ...] | None) -> str:
    """Markdown above the Run button: the selection's expected time, with a warning above :data:`SLOW_SELECTION`.

    Parameters
    ----------
    times : sequence of (Method, float or None)
        The ticked methods and their expected seconds.
    shape : tuple of int or None
        The result's shape (None: the image is not usable yet, nothing is estimated).
    """
    known = [(method, seconds) for method, seconds in times if seconds is not None]
    if shape is None or not known:
        return ""
    total = sum(seconds for _, seconds in known)
    size = f"{shape[1]}×{shape[0]}"
    if total <= SLOW_SELECTION:
        return f"Expected time for a {size} result: {'under 1 s' if total < 1 else 'about ' + duration(total)}."
    slowest = sorted(known, key=lambda item: -item[1])[:2]
    named = ", ".join(f"{method.display_name} ~{duration(seconds)}" for method, seconds in slowest)
    return (
        f"⏳ **This selection will take about {duration(total)}** for a {size} result ({named}). "
        "Untick slow methods or use a smaller image for a quicker answer; **Stop** cancels a run."
    )


def remaining_seconds(expected: Iterable[float | None], done: int, fraction: float, spent: float) -> float | None:
    """The run's remaining seconds: what is left of the expected times, corrected by how fast the run went so far.

    Parameters
    ----------
    expected : iterable of float or None
        Expected seconds of every method of the run, in order.
    done : int
        Methods finished.
    fraction : float
        Fraction of the current method done.
    spent : float
        Seconds the run has taken so far.
    """
    times = list(expected)
    if any(seconds is None for seconds in times):
        return None
    finished = sum(times[:done]) + fraction * times[done] if done < len(times) else sum(times)
    left = sum(times) - finished
    if finished > 0 and spent > 1:  # this machine and image run at their own pace: scale by it
        left *= spent / finished
    return max(0.0, left)
