"""Bjøntegaard delta rate: the average bitrate difference of two rate–distortion curves at equal quality.

Each curve's log-rate is interpolated as a function of quality (PSNR in dB, or MS-SSIM in dB) by a
piecewise cubic Hermite (PCHIP) interpolant through its points, as the JVET common test conditions
do since 2019 (the cubic polynomial of the original VCEG-M33 note overshoots between distant
points), and integrated over the quality interval both curves cover.

References
----------
.. [1] G. Bjøntegaard, "Calculation of average PSNR differences between RD-curves", VCEG-M33, 2001.
.. [2] F. Bossen et al., "JVET common test conditions and software reference configurations for SDR
       video", JVET-T2010, 2020 (piecewise cubic interpolation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.interpolate import PchipInterpolator


def _log_rate_curve(rates: Sequence[float], qualities: Sequence[float]) -> PchipInterpolator | None:
    """log(rate) as a function of quality through the points (sorted, repeated qualities merged), or None."""
    rate, quality = np.asarray(rates, dtype=np.float64), np.asarray(qualities, dtype=np.float64)
    keep = np.isfinite(rate) & np.isfinite(quality) & (rate > 0)
    quality, order = np.unique(quality[keep], return_index=True)
    if len(quality) < 2:
        return None
    return PchipInterpolator(quality, np.log(rate[keep][order]))


def bd_rate(anchor_rates: Sequence[float], anchor_quality: Sequence[float], test_rates: Sequence[float],
            test_quality: Sequence[float]) -> float:  # fmt: skip
    """Bjøntegaard delta rate of a test curve against an anchor, in percent (negative: fewer bits).

    Parameters
    ----------
    anchor_rates, anchor_quality : sequence of float
        The anchor's points: rates (bits per pixel, or any positive unit) and qualities (dB).
    test_rates, test_quality : sequence of float
        The tested codec's points, in the same units.

    Returns
    -------
    float
        ``100 (exp(mean difference of the log rates) - 1)`` over the common quality interval; NaN
        when either curve has fewer than two distinct points or the curves share no quality interval.

    Examples
    --------
    >>> from eval.bdrate import bd_rate
    >>> round(bd_rate([1, 2, 4], [30, 33, 36], [0.5, 1, 2], [30, 33, 36]), 6)  # half the bits everywhere
    -50.0
    """
    anchor, test = _log_rate_curve(anchor_rates, anchor_quality), _log_rate_curve(test_rates, test_quality)
    if anchor is None or test is None:
        return float("nan")
    low, high = max(anchor.x[0], test.x[0]), min(anchor.x[-1], test.x[-1])
    if high <= low:
        return float("nan")
    difference = (test.integrate(low, high) - anchor.integrate(low, high)) / (high - low)
    return float(100.0 * (np.exp(difference) - 1.0))
