"""One-dimensional searches on a log scale and power-law fits: the maths of :mod:`tools.tune_classical`."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class SearchResult:
    """Outcome of a one-dimensional search.

    Attributes
    ----------
    best : float
        Value with the highest mean PSNR.
    score : float
        That PSNR.
    at_limit : bool
        Whether ``best`` is a hard limit (the true optimum may lie beyond).
    scores : dict
        Every evaluated value -> mean PSNR.
    """

    best: float
    score: float
    at_limit: bool
    scores: dict[float, float]


def log_search(
    evaluate: Callable[[list[float]], list[float]],
    centre: float,
    limits: tuple[float, float],
    *,
    integer: bool = False,
    ratio: float = 2.0,
    half_width: int = 3,
    stages: int = 2,
) -> SearchResult:
    """Maximise a unimodal function of a positive parameter on a log scale.

    Parameters
    ----------
    evaluate : callable
        List of values -> list of scores (evaluated together, in parallel).
    centre : float
        Centre of the coarse grid (a first guess).
    limits : tuple of float
        Hard lower and upper limits.
    integer : bool
        Search integers only.
    ratio : float
        Ratio between neighbouring coarse-grid points.
    half_width : int
        Coarse-grid points on each side of the centre.
    stages : int
        Bisection stages in log space after the coarse grid.

    Returns
    -------
    SearchResult
        The best value found and every evaluation.
    """
    low, high = limits
    scores: dict[float, float] = {}

    def snap(value: float) -> float:
        value = min(max(value, low), high)
        return float(round(value)) if integer else float(value)

    def run(values: Sequence[float]) -> int:
        new = sorted({snap(v) for v in values} - scores.keys())
        for value, score in zip(new, evaluate(new), strict=True):
            scores[value] = score
        return len(new)

    def best_value() -> float:
        return max(scores, key=scores.__getitem__)

    run([centre * ratio**k for k in range(-half_width, half_width + 1)])
    while True:  # extend the grid while the best point is at one of its edges
        grid, best = sorted(scores), best_value()
        if best == grid[0] and best > low and run([best / ratio]):
            continue
        if best == grid[-1] and best < high and run([best * ratio]):
            continue
        break
    step = ratio
    for _ in range(stages):
        step = math.sqrt(step)
        best = best_value()
        run([best / step, best * step])
    grid, best = sorted(scores), best_value()
    position = grid.index(best)
    if 0 < position < len(grid) - 1:  # vertex of the parabola through the best point and its neighbours
        x = np.log(grid[position - 1 : position + 2])
        y = np.array([scores[v] for v in grid[position - 1 : position + 2]])
        curvature, slope, _ = np.polyfit(x, y, 2)
        if curvature < 0:
            vertex = -slope / (2 * curvature)
            if x[0] < vertex < x[2]:
                run([math.exp(vertex)])
    best = best_value()
    at_limit = math.isclose(best, low, rel_tol=1e-9) or math.isclose(best, high, rel_tol=1e-9)
    return SearchResult(best, scores[best], at_limit, scores)


def fit_power_law(levels: Sequence[float], optima: Sequence[float], reference: float) -> tuple[float, float]:
    """Least-squares fit of ``optimum = a * (level / reference) ** b`` in log-log space.

    Parameters
    ----------
    levels : sequence of float
        Noise levels.
    optima : sequence of float
        Best parameter at each level.
    reference : float
        Normaliser of the level.

    Returns
    -------
    a, b : float
        The fitted constants.
    """
    if len(levels) < 2:
        raise ValueError("a power law needs at least two levels whose optimum is not at a limit.")
    slope, intercept = np.polyfit(np.log(np.asarray(levels) / reference), np.log(np.asarray(optima)), 1)
    return float(math.exp(intercept)), float(slope)


def round_significant(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits."""
    if value == 0:
        return 0.0
    return float(round(value, digits - 1 - math.floor(math.log10(abs(value)))))
