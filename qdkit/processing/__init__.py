"""Processing: recipes of pure steps from FID to spectrum, measurement, referencing, CPMG and 2D.

The modules, by job: :mod:`~qdkit.processing.fid` (time-domain steps and the Fourier transform),
:mod:`~qdkit.processing.correct` (phase, baseline), :mod:`~qdkit.processing.measure` (regions,
integrals, the one noise estimate, S/N, peaks), :mod:`~qdkit.processing.referencing`,
:mod:`~qdkit.processing.cpmg` and :mod:`~qdkit.processing.echoes`, :mod:`~qdkit.processing.twod`
and :mod:`~qdkit.processing.series`, :mod:`~qdkit.processing.defaults` (TopSpin-like default
recipes), :mod:`~qdkit.processing.recipe` and :mod:`~qdkit.processing.steps` (replaying recipes).
The names below are re-exported so that ``from qdkit import processing`` keeps working.
"""

from __future__ import annotations

from qdkit.processing.correct import (
    BASELINE_METHODS,
    auto_zero_order_deg,
    autophase,
    baseline,
    magnitude,
    phase,
    phase_angles_deg,
)
from qdkit.processing.defaults import (
    default_lb_hz,
    default_recipe,
    is_true_2d,
    next_power_of_two,
    phase_mode,
    topspin_recipe,
)
from qdkit.processing.fid import (
    TOPSPIN_OTHER_WINDOWS,
    TOPSPIN_WINDOWS,
    WINDOWS,
    apodize,
    dc_offset,
    frequency_axis_hz,
    ft,
    remove_group_delay,
    scale_first_point,
    truncate,
    window_function,
    zero_fill,
)
from qdkit.processing.measure import (
    Peak,
    correlation,
    integrate,
    integrate_regions,
    noise_rms,
    pick_peaks,
    region_mask,
    signal_to_noise,
)
from qdkit.processing.pipeline import (
    process,
    vendor_agreement,
)

__all__ = [
    "WINDOWS",
    "TOPSPIN_WINDOWS",
    "TOPSPIN_OTHER_WINDOWS",
    "truncate",
    "scale_first_point",
    "dc_offset",
    "window_function",
    "apodize",
    "zero_fill",
    "remove_group_delay",
    "frequency_axis_hz",
    "ft",
    "phase_angles_deg",
    "phase",
    "auto_zero_order_deg",
    "autophase",
    "magnitude",
    "BASELINE_METHODS",
    "baseline",
    "region_mask",
    "integrate",
    "integrate_regions",
    "noise_rms",
    "signal_to_noise",
    "Peak",
    "pick_peaks",
    "correlation",
    "phase_mode",
    "next_power_of_two",
    "default_lb_hz",
    "topspin_recipe",
    "default_recipe",
    "is_true_2d",
    "process",
    "vendor_agreement",
]
