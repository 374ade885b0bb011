"""Sensitivity per unit time of a saturation-recovery experiment: recycle delay against build-up time.

Chooses the recycle delay that maximises S/N per √(experiment time) for a DNP build-up time
T_B (or a radical-free T1) and compares experiments whose magnetization recovers at different rates.
"""

from __future__ import annotations

import functools
import math

from scipy.optimize import brentq

from qdkit.errors import ModelParameterError
from qdkit.models._validate import number as _positive


def saturation_recovery(recycle_s: float, t_b_s: float) -> float:
    """Fraction of the steady-state magnetization recovered after ``recycle_s``: 1 − e^(−d/T_B).

    Parameters
    ----------
    recycle_s : float
        Recycle delay d after saturation, seconds (``math.inf`` allowed: 1).
    t_b_s : float
        Build-up (DNP) or spin-lattice (no radical) time constant, seconds.

    Returns
    -------
    float
        Recovered fraction, 0…1.

    Raises
    ------
    ModelParameterError
        If ``recycle_s`` is negative or NaN, or ``t_b_s`` is not a positive number.

    Examples
    --------
    >>> from qdkit.models.sensitivity import saturation_recovery
    >>> round(saturation_recovery(1.0, 1.0), 4)
    0.6321
    """
    d = float(recycle_s)
    if math.isnan(d) or d < 0:
        raise ModelParameterError(f"recycle_s must be a delay ≥ 0 in seconds; got {recycle_s!r}.")
    t_b = _positive("t_b_s", t_b_s, "build-up time in seconds")
    return 1.0 if math.isinf(d) else -math.expm1(-d / t_b)


@functools.lru_cache(maxsize=256)
def _optimal_ratio(overhead_ratio: float) -> float:
    # d/dd of (1 − e^(−u))/√(u + o) = 0  ⇔  e^u − 1 − 2 (u + o) = 0, u = d/T_B, o = overhead/T_B.
    # The left side is −u + u²/2 + … − 2o < 0 just above 0 and grows as e^u: one root.
    f = lambda u: math.expm1(u) - 2.0 * (u + overhead_ratio)
    return brentq(f, 1e-9, 60.0 + 2.0 * overhead_ratio, xtol=1e-14, rtol=1e-14)


def optimal_recycle_s(t_b_s: float, *, overhead_s: float = 0.0) -> float:
    """Recycle delay that maximises the S/N per √(experiment time) for a mono-exponential build-up.

    Equation: S/N per √time ∝ (1 − e^(−d/T_B)) / √(d + t_o), with t_o the time per scan
    that is not recovery (acquisition, pulses). Setting its derivative to zero gives
    e^u = 1 + 2 (u + t_o/T_B), u = d/T_B, solved numerically; for t_o = 0, d = 1.2564 T_B
    (the classic result, e.g. Rossini et al., Acc. Chem. Res. 46, 1942 (2013), "d1 ≈ 1.3 T_B").

    Parameters
    ----------
    t_b_s : float
        DNP build-up time T_B (or radical-free T1), seconds.
    overhead_s : float
        Time per scan spent on anything but recovery, seconds.

    Returns
    -------
    float
        The optimal recycle delay, seconds.

    Examples
    --------
    >>> round(optimal_recycle_s(1.0), 4)
    1.2564
    """
    t_b = _positive("t_b_s", t_b_s, "build-up time in seconds")
    o = _positive("overhead_s", overhead_s, "time per scan besides the recycle delay, seconds", allow_zero=True)
    return t_b * _optimal_ratio(o / t_b)


def sensitivity_per_sqrt_time(recycle_s: float, *, t_b_s: float, signal: float = 1.0, overhead_s: float = 0.0) -> float:
    """Signal per √second of a repeated saturation-recovery experiment.

    Equation: Ψ = S∞ (1 − e^(−d/T_B)) / √(d + t_o): the signal of one scan over the square
    root of the time one scan takes (noise adds as √scans). The ratio of Ψ between two
    experiments is the ratio of their S/N reached in equal time; its square is the ratio
    of times to equal S/N.

    Parameters
    ----------
    recycle_s : float
        Recycle delay d, seconds.
    t_b_s : float
        Build-up time (or T1), seconds.
    signal : float
        Fully recovered signal per scan S∞ (any unit: enhancement, absolute gain, S/N).
    overhead_s : float
        Time per scan besides the recycle delay, seconds.

    Returns
    -------
    float
        Ψ in units of ``signal`` per √s.

    Raises
    ------
    ModelParameterError
        If ``recycle_s`` or ``t_b_s`` is not positive, ``overhead_s`` is negative, or
        ``signal`` is not finite.
    """
    d = _positive("recycle_s", recycle_s, "recycle delay in seconds")
    o = _positive("overhead_s", overhead_s, "time per scan besides the recycle delay, seconds", allow_zero=True)
    s = float(signal)
    if not math.isfinite(s):
        raise ModelParameterError(f"signal must be a finite number; got {signal!r}.")
    return s * saturation_recovery(d, t_b_s) / math.sqrt(d + o)


def time_ratio(
    *,
    gain: float,
    recycle_s: float,
    t_b_s: float,
    reference_t1_s: float,
    reference_recycle_s: float | None = None,
    overhead_s: float = 0.0,
) -> float:
    """How many times longer the reference (no-DNP) experiment takes for the same S/N.

    Equation: t_ref / t_DNP = (Ψ_DNP / Ψ_ref)², Ψ from :func:`sensitivity_per_sqrt_time`
    with S∞ = ``gain`` for DNP (fully recovered signal over the reference's fully
    recovered signal: the absolute gain, or ε when nothing else differs) and S∞ = 1 for the
    reference, whose magnetization recovers with its own, radical-free T1. The reference
    runs at its optimal delay (:func:`optimal_recycle_s`) unless ``reference_recycle_s``
    is given. With equal delays and T_B = T1 this reduces to gain² (the ε² of the paper's
    abstract).

    Parameters
    ----------
    gain : float
        Fully recovered DNP signal over fully recovered reference signal.
    recycle_s, t_b_s : float
        Recycle delay and build-up time of the DNP experiment, seconds.
    reference_t1_s : float
        ¹H T1 of the radical-free reference sample, seconds.
    reference_recycle_s : float, optional
        Recycle delay of the reference, seconds (default: its optimum).
    overhead_s : float
        Time per scan besides the recycle delay (both experiments), seconds.

    Returns
    -------
    float
        t_ref / t_DNP, the time ratio at equal S/N.

    Raises
    ------
    ModelParameterError
        If a gain, delay or time constant is not a positive number (raised by the helpers).

    Examples
    --------
    Equal delays and T_B = T1: the time saving is gain².

    >>> from qdkit.models.sensitivity import time_ratio
    >>> round(time_ratio(gain=10.0, recycle_s=2.0, t_b_s=2.0, reference_t1_s=2.0, reference_recycle_s=2.0), 6)
    100.0
    """
    g = _positive("gain", gain, "signal ratio DNP / reference")
    t1 = _positive("reference_t1_s", reference_t1_s, "¹H T1 of the radical-free sample in seconds")
    d_ref = optimal_recycle_s(t1, overhead_s=overhead_s) if reference_recycle_s is None else reference_recycle_s
    on = sensitivity_per_sqrt_time(recycle_s, t_b_s=t_b_s, signal=g, overhead_s=overhead_s)
    off = sensitivity_per_sqrt_time(d_ref, t_b_s=t1, overhead_s=overhead_s)
    return (on / off) ** 2
