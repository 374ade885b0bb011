"""Sensitivity bookkeeping for DNP experiments: enhancement, Boltzmann gain, time saved.

Answers "how much did DNP give me?" from measured spectra and "how long will it take?"
for a planned experiment, with and without microwaves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qdkit import nuclei
from qdkit.constants import BOLTZMANN_J_K, HBAR_J_S
from qdkit.errors import ModelParameterError, ProcessingError
from qdkit.models._validate import number as _positive
from qdkit.models.sensitivity import (
    optimal_recycle_s,
    saturation_recovery,
    sensitivity_per_sqrt_time,
    time_ratio,
)
from qdkit.processing.measure import integrate, noise_region_beside, noise_rms, region_mask

__all__ = [
    "HBAR_J_S",
    "BOLTZMANN_J_K",
    "ROOM_TEMPERATURE_K",
    "boltzmann_polarization",
    "dnp_polarization",
    "boltzmann_gain",
    "absolute_gain",
    "time_saving",
    "Acquisition",
    "Plan",
    "plan",
    "optimal_recycle_s",
    "saturation_recovery",
    "sensitivity_per_sqrt_time",
    "time_ratio",
    "Enhancement",
    "enhancement",
]


#: Room temperature used for "RT" comparisons, K.
ROOM_TEMPERATURE_K = 298.0


# ---------------------------------------------------------------------------------------
# Thermal polarization
# ---------------------------------------------------------------------------------------


def boltzmann_polarization(nucleus: str, field_T: float, temperature_K: float) -> float:
    """Thermal-equilibrium nuclear polarization ⟨I_z⟩/I.

    Equation: P = B_I(x), the Brillouin function of x = I ħ|γ| B0 / (k T); for spin 1/2 this
    is P = tanh(ħ|γ|B0 / 2kT) (Abragam, *The Principles of Nuclear Magnetism*, ch. 1).

    Parameters
    ----------
    nucleus : str
        Isotope label, e.g. ``"1H"`` or ``"113Cd"``.
    field_T : float
        Magnetic field, tesla.
    temperature_K : float
        Sample temperature, kelvin.

    Returns
    -------
    float
        Polarization (dimensionless, 0…1). About 3.2e-5 for 1H at 9.4 T and 298 K.

    Raises
    ------
    ModelParameterError
        If the field or the temperature is not a positive number.

    Examples
    --------
    >>> from qdkit.models.dnp import boltzmann_polarization
    >>> f"{boltzmann_polarization('1H', 9.4, 298.0):.3g}"
    '3.22e-05'
    """
    field = _positive("field_T", field_T, "the magnet's field in tesla")
    temp = _positive("temperature_K", temperature_K, "the sample temperature in kelvin")
    nuc = nuclei.get(nucleus)
    spin = float(nuc.spin)
    x = spin * HBAR_J_S * abs(nuc.gamma) * field / (BOLTZMANN_J_K * temp)
    a = (2 * spin + 1) / (2 * spin)
    b = 1 / (2 * spin)
    # Brillouin function; for the tiny x of NMR the series is exact to machine precision.
    if x < 1e-4:
        return (spin + 1) / (3 * spin) * x
    return a / math.tanh(a * x) - b / math.tanh(b * x)


def dnp_polarization(nucleus: str, field_T: float, temperature_K: float, enhancement: float) -> float:
    """Nuclear polarization with DNP: ε times the Boltzmann value, at most 1 (fully polarized).

    Parameters
    ----------
    nucleus : str
        Isotope label, e.g. ``"1H"``.
    field_T, temperature_K : float
        Magnetic field, T, and sample temperature, K.
    enhancement : float
        DNP enhancement ε over the thermal polarization at the same temperature.

    Returns
    -------
    float
        min(1, ε · :func:`boltzmann_polarization`).

    Raises
    ------
    ModelParameterError
        If a number is not positive.

    Examples
    --------
    >>> from qdkit.models.dnp import dnp_polarization
    >>> f"{dnp_polarization('1H', 9.4, 100.0, 80.0):.3g}"
    '0.00768'
    """
    eps = _positive("enhancement", enhancement, "DNP enhancement over the thermal polarization")
    return min(1.0, eps * boltzmann_polarization(nucleus, field_T, temperature_K))


def boltzmann_gain(
    T_low_K: float,
    T_high_K: float = ROOM_TEMPERATURE_K,
    *,
    nucleus: str | None = None,
    field_T: float | None = None,
) -> float:
    """Signal gained by cooling the sample from ``T_high_K`` to ``T_low_K``.

    Equation: in the high-temperature (Curie) limit the polarization is ∝ 1/T, so the gain is
    T_high / T_low. With ``nucleus`` and ``field_T`` the exact Brillouin ratio
    :func:`boltzmann_polarization` is used instead; at NMR fields the two agree to better
    than 1e-6 above 10 K.

    The paper (main text) quotes 2.8 for 100 K against room temperature, whereas
    298 K / 100 K = 2.98. 2.8 corresponds to a sample at about 106 K: in a DNP probe the
    sample sits several kelvin above the ~100 K of the cooling gas because of microwave
    and frictional (MAS) heating, so 2.8 is the realistic figure and 3 the nominal one.

    Parameters
    ----------
    T_low_K, T_high_K : float
        Temperatures in kelvin (defaults: room temperature 298 K for ``T_high_K``).
    nucleus : str, optional
        Isotope label for the exact Brillouin ratio, e.g. ``"113Cd"``; give with ``field_T``.
    field_T : float, optional
        Magnetic field, tesla; give with ``nucleus``.

    Returns
    -------
    float
        Signal ratio S(T_low) / S(T_high).

    Raises
    ------
    ModelParameterError
        If a temperature is not positive, or only one of ``nucleus`` and ``field_T`` is given.

    Examples
    --------
    >>> from qdkit.models.dnp import boltzmann_gain
    >>> round(boltzmann_gain(100.0), 2), round(boltzmann_gain(106.4), 2)
    (2.98, 2.8)
    """
    low = _positive("T_low_K", T_low_K, "the cold sample temperature in kelvin")
    high = _positive("T_high_K", T_high_K, "the warm sample temperature in kelvin")
    if nucleus is None and field_T is None:
        return high / low
    if nucleus is None or field_T is None:
        raise ModelParameterError(
            "boltzmann_gain needs both nucleus and field_T for the exact Brillouin ratio, "
            "or neither for the Curie-law ratio T_high/T_low."
        )
    return boltzmann_polarization(nucleus, field_T, low) / boltzmann_polarization(nucleus, field_T, high)


# ---------------------------------------------------------------------------------------
# Gains and time
# ---------------------------------------------------------------------------------------


def absolute_gain(
    enhancement: float,
    *,
    dilution: float = 1.0,
    retention: float,
    boltzmann: float = 1.0,
    mass_ratio: float = 1.0,
) -> float:
    """Overall sensitivity gain per scan against the plain frozen sample in the same rotor.

    Equation: G = ε × χ × B × m / d, with ε the microwave on/off enhancement, χ the
    microwave-off signal with the radical over that without it — MAS depolarization of the
    reference × (1 − quenched fraction), :func:`qdkit.models.paramagnetic.signal_retention`
    (required: there is no universal value), B an extra
    thermal factor (:func:`boltzmann_gain`, 1 when both are at the same temperature), m the
    analyte mass in the DNP rotor over that in the reference rotor (e.g. 4 mg of QDs against
    a conventional rotor packed with 150 mg: m = 0.027) and d the dilution of the analyte by
    the matrix (:func:`qdkit.matrix.dilution`). This is the
    bookkeeping of Rossini et al., Acc. Chem. Res. 46, 1942 (2013) and of SI Fig. S2 of
    Piveteau et al. (ε = 80 → 51 in MSU-H silica). Both signals are per fully relaxed scan;
    recycle delays and build-up times enter through :func:`plan` / :func:`time_ratio`.

    Parameters
    ----------
    enhancement : float
        ε, the microwave on/off signal ratio.
    dilution : float
        d, rotor volume per volume of analyte solution (≥ 1; 1/φ for filled silica).
    retention : float
        χ, fraction of the signal left with the radical present (0 < χ ≤ 1); required.
    boltzmann : float
        B, extra thermal signal ratio of the DNP experiment over the reference.
    mass_ratio : float
        m, analyte mass in the DNP rotor over that in the reference rotor.

    Returns
    -------
    float
        Gain in signal per scan.

    Raises
    ------
    ModelParameterError
        If a factor is not a positive number, ``dilution`` < 1 or ``retention`` > 1.

    Examples
    --------
    >>> from qdkit.models.dnp import absolute_gain
    >>> round(absolute_gain(80.0, dilution=1.4, retention=0.9), 1)
    51.4
    """
    eps = _positive("enhancement", enhancement, "the microwave on/off signal ratio")
    d = _positive("dilution", dilution, "rotor volume per volume of analyte solution, ≥ 1")
    if d < 1:
        raise ModelParameterError(f"dilution is rotor volume per volume of analyte solution, ≥ 1; got {dilution}.")
    chi = _positive("retention", retention, "fraction of signal not quenched by the radical")
    if chi > 1:
        raise ModelParameterError(f"retention is a fraction of the signal (0–1); got {retention}.")
    b = _positive("boltzmann", boltzmann, "thermal signal ratio")
    m = _positive("mass_ratio", mass_ratio, "analyte mass in the DNP rotor / in the reference rotor")
    return eps * chi * b * m / d


def time_saving(gain: float, *, d1_on_s: float | None = None, d1_off_s: float | None = None) -> float:
    """Factor by which the experiment time shrinks for the same signal-to-noise ratio.

    Equation: S/N grows as √(scans), so the number of scans falls as gain²; the time per
    scan is the recycle delay, so t_off / t_on = gain² × d1_off / d1_on (abstract of
    Piveteau et al.: ε = 80 saves a factor 6400 at equal recycle delays). ``gain`` is
    the signal per scan ratio *at the delays used* (for DNP, the enhancement measured with
    ``d1_on_s``).

    Parameters
    ----------
    gain : float
        Signal-per-scan ratio (enhancement or absolute gain).
    d1_on_s, d1_off_s : float, optional
        Recycle delays with and without DNP, seconds; give both or neither.

    Returns
    -------
    float
        t_off / t_on, the experiment-time ratio at equal S/N.

    Raises
    ------
    ModelParameterError
        If ``gain`` or a delay is not positive, or only one delay is given.

    Examples
    --------
    >>> from qdkit.models.dnp import time_saving
    >>> time_saving(80.0), time_saving(10.0, d1_on_s=2.0, d1_off_s=20.0)
    (6400.0, 1000.0)
    """
    g = _positive("gain", gain, "signal-per-scan ratio")
    if (d1_on_s is None) != (d1_off_s is None):
        raise ModelParameterError("Give both d1_on_s and d1_off_s, or neither (equal delays).")
    ratio = 1.0
    if d1_on_s is not None:
        ratio = _positive("d1_off_s", d1_off_s, "recycle delay without DNP") / _positive(
            "d1_on_s", d1_on_s, "recycle delay with DNP"
        )
    return g * g * ratio


@dataclass(frozen=True)
class Acquisition:
    """Scans and time of one planned acquisition (1D, or nD with ``increments`` rows).

    Attributes
    ----------
    scans_per_increment : int
        Scans co-added per t1 increment (per spectrum for a 1D).
    increments : int
        Number of t1 increments (1 for a 1D).
    seconds_per_scan : float
        Recycle delay plus acquisition time of one scan, s.
    """

    scans_per_increment: int
    increments: int
    seconds_per_scan: float

    @property
    def total_scans(self) -> int:
        """Scans of the whole acquisition, scans per increment × increments."""
        return self.scans_per_increment * self.increments

    @property
    def hours(self) -> float:
        """Experiment time, h."""
        return self.total_scans * self.seconds_per_scan / 3600.0

    @property
    def days(self) -> float:
        """Experiment time, days."""
        return self.hours / 24.0


@dataclass(frozen=True)
class Plan:
    """An experiment planned with and without DNP for the same target S/N.

    Attributes
    ----------
    with_dnp, without_dnp : Acquisition
        The acquisition with microwaves on and the microwave-off (or reference) one.
    target_snr : float
        S/N both reach (per t1 increment for 2D).
    """

    with_dnp: Acquisition
    without_dnp: Acquisition
    target_snr: float

    @property
    def time_saving(self) -> float:
        """Time without DNP over time with DNP."""
        return self.without_dnp.hours / self.with_dnp.hours


def _scans_for(target_snr: float, snr_per_scan: float) -> int:
    # S/N after n scans = snr_per_scan × √n; the ceil keeps the target reached. The 1e-9
    # guards against 400.0000000001 from the square.
    ratio = target_snr / snr_per_scan
    n = ratio * ratio if abs(ratio) < 1e150 else math.inf
    if not math.isfinite(n) or n > 1e15:
        raise ModelParameterError(
            f"A target S/N of {target_snr:g} at {snr_per_scan:g} per scan needs {n:.3g} scans, more than any "
            "spectrometer will ever run; choose a smaller target S/N."
        )
    return max(1, math.ceil(n * (1 - 1e-12)))


def plan(
    *,
    target_snr: float,
    snr_per_scan: float,
    enhancement: float,
    d1_s: float,
    d1_off_s: float | None = None,
    increments: int = 1,
    acquisition_s: float = 0.0,
    boltzmann: float = 1.0,
    t_b_s: float | None = None,
    reference_t1_s: float | None = None,
) -> Plan:
    """Scans and hours needed to reach ``target_snr`` with and without DNP.

    Equation: scans n = (S/N_target / S/N_per scan)²; time = n × increments × (d1 + aq).
    Without DNP the S/N per scan is divided by the enhancement (and by ``boltzmann`` if the
    reference experiment runs warmer, e.g. :func:`boltzmann_gain` (100, 298) for room
    temperature), so n grows by (ε·B)² — the ε² time saving of the paper's abstract.
    With ``t_b_s`` and ``reference_t1_s`` the two experiments also recover differently:
    the DNP scan holds 1 − e^(−d1/T_B) of its full signal, the reference scan
    1 − e^(−d1_off/T1) with its own, radical-free T1, and the reference runs at its optimal
    delay 1.2564 T1 (:func:`optimal_recycle_s`, with the acquisition time as overhead)
    unless ``d1_off_s`` is given; ``enhancement`` is then the ratio of fully relaxed
    signals (ε, or the absolute gain :func:`absolute_gain`).

    Parameters
    ----------
    target_snr : float
        S/N wanted in the final spectrum (per t1 increment for 2D).
    snr_per_scan : float
        S/N of a single scan *with* DNP (measure it from a short experiment:
        S/N_measured / √ns).
    enhancement : float
        Microwave on/off signal ratio ε.
    d1_s : float
        Recycle delay with DNP, seconds (1.3 × the DNP build-up time is optimal).
    d1_off_s : float, optional
        Recycle delay without DNP (default ``d1_s``). A longer delay that lets more
        magnetization recover should be reflected in a smaller ``enhancement``.
    increments : int
        Number of t1 increments (1 for a 1D).
    acquisition_s : float
        Acquisition time added to every scan, seconds.
    boltzmann : float
        Extra thermal factor of the DNP experiment over the reference (1 = same temperature).
    t_b_s : float, optional
        DNP build-up time (e.g. ``relayed_dnp(...).t_b_s``), seconds.
    reference_t1_s : float, optional
        ¹H T1 of the radical-free reference sample, seconds; give with ``t_b_s``.

    Returns
    -------
    Plan
        The two acquisitions (scans rounded up to reach the target) and the target.

    Raises
    ------
    ModelParameterError
        If a number is not positive, ``increments`` is not a whole number ≥ 1,
        ``acquisition_s`` is negative, or only one of ``t_b_s`` and ``reference_t1_s`` is given.

    Examples
    --------
    S/N 10 per DNP scan, ε = 20, target 100: 100 scans with DNP, 20² times more without.

    >>> from qdkit.models.dnp import plan
    >>> p = plan(target_snr=100.0, snr_per_scan=10.0, enhancement=20.0, d1_s=2.0)
    >>> p.with_dnp.total_scans, p.without_dnp.total_scans, p.time_saving
    (100, 40000, 400.0)
    """
    target = _positive("target_snr", target_snr, "signal-to-noise ratio wanted")
    per_scan = _positive("snr_per_scan", snr_per_scan, "S/N of one DNP scan")
    eps = _positive("enhancement", enhancement, "microwave on/off signal ratio")
    d1 = _positive("d1_s", d1_s, "recycle delay in seconds")
    b = _positive("boltzmann", boltzmann, "thermal signal ratio")
    if (t_b_s is None) != (reference_t1_s is None):
        raise ModelParameterError(
            "Give both t_b_s (DNP build-up time) and reference_t1_s (radical-free T1), or neither."
        )
    if int(increments) != increments or increments < 1:
        raise ModelParameterError(f"increments must be a whole number ≥ 1; got {increments!r}.")
    if acquisition_s < 0:
        raise ModelParameterError(f"acquisition_s cannot be negative; got {acquisition_s!r}.")
    recovery = 1.0
    if t_b_s is None:
        d1_off = d1 if d1_off_s is None else _positive("d1_off_s", d1_off_s, "recycle delay without DNP")
    else:
        t1_ref = _positive("reference_t1_s", reference_t1_s, "¹H T1 of the radical-free sample in seconds")
        d1_off = (
            optimal_recycle_s(t1_ref, overhead_s=acquisition_s)
            if d1_off_s is None
            else _positive("d1_off_s", d1_off_s, "recycle delay without DNP")
        )
        recovery = saturation_recovery(d1_off, t1_ref) / saturation_recovery(d1, t_b_s)
    on = Acquisition(_scans_for(target, per_scan), int(increments), d1 + acquisition_s)
    off = Acquisition(_scans_for(target, per_scan * recovery / (eps * b)), int(increments), d1_off + acquisition_s)
    return Plan(with_dnp=on, without_dnp=off, target_snr=target)


# ---------------------------------------------------------------------------------------
# Enhancement from measured spectra
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enhancement:
    """A measured DNP enhancement ε = I_on / I_off with its 1σ noise uncertainty.

    ``float(e)`` gives ``e.value``.

    Attributes
    ----------
    value : float
        ε (negative for an inverted Overhauser signal).
    uncertainty : float
        1σ of ε propagated from the noise of both integrals.
    integral_on, integral_off : float
        The two integrals, intensity × ppm.
    region_ppm, noise_ppm : (float, float)
        Integration and noise regions used, ppm (ascending).
    """

    value: float
    uncertainty: float
    integral_on: float
    integral_off: float
    region_ppm: tuple[float, float]
    noise_ppm: tuple[float, float]

    def __float__(self) -> float:
        return self.value


def _integral_and_sigma(spec, region, noise_region) -> tuple[float, float]:
    """Integral over ``region`` and its σ from the noise σ per point (qdkit's one estimate)."""
    n_sig = int(region_mask(spec, region, "Integration region", min_points=2).sum())
    step = abs(float(spec.ppm[1] - spec.ppm[0]))
    sigma_point = noise_rms(spec, noise_region)
    return integrate(spec, region), sigma_point * math.sqrt(n_sig) * step


def enhancement(on, off, region_ppm, *, noise_ppm=None) -> Enhancement:
    """DNP enhancement ε = I_on / I_off from two processed spectra.

    Equation: ε = ∫_region S_on / ∫_region S_off on the real part, for the same sample and
    number of scans (the definition used throughout Piveteau et al. and Rossini et al.,
    Acc. Chem. Res. 46, 1942 (2013)). The uncertainty is propagated from the noise:
    σ_I = σ_point × √N_points × Δδ for each integral, with σ_point a robust (median
    absolute deviation) noise level of a signal-free region (independent points assumed;
    zero filling makes neighbours correlated and this then underestimates σ by up to
    √(SI/TD)), and
    σ_ε = |ε| √((σ_on/I_on)² + (σ_off/I_off)²).

    Parameters
    ----------
    on, off : qdkit.dataset.Spectrum
        Microwave-on and microwave-off spectra, processed and phased identically.
    region_ppm : (float, float)
        Integration region in ppm (either order).
    noise_ppm : (float, float), optional
        Signal-free region for the noise; default: the wider spectrum end outside
        ``region_ppm``.

    Returns
    -------
    Enhancement
        ``value`` (negative for an inverted Overhauser signal), ``uncertainty`` (1σ), the
        two integrals and the regions used.

    Raises
    ------
    ProcessingError
        If an input is not a processed 1D spectrum, the scan numbers differ, the off
        integral is zero, or no signal-free region is left for the noise.
    """
    for name, spec in (("on", on), ("off", off)):
        if not hasattr(spec, "ppm") or not hasattr(spec, "real"):
            raise ProcessingError(
                f"enhancement() needs processed spectra (qdkit.process(ds)); {name} is a {type(spec).__name__}."
            )
        if np.ndim(spec.data) != 1:
            raise ProcessingError(
                f"enhancement() compares 1D spectra; {name} has shape {np.shape(spec.data)}. "
                "Combine the phase cycle or split the series into 1D spectra first "
                "(qdkit.twod.split_series)."
            )
    n_on, n_off = on.meta.ns, off.meta.ns
    if n_on is not None and n_off is not None and n_on != n_off:
        raise ProcessingError(
            f"The on ({n_on} scans) and off ({n_off} scans) spectra were not recorded with the "
            "same number of scans; ε compares equal acquisitions. Scale one of them first."
        )
    region = tuple(sorted(float(v) for v in region_ppm))
    noise = (
        tuple(sorted(noise_ppm))
        if noise_ppm is not None
        else noise_region_beside(
            off,
            region,
            message="No signal-free part of the spectrum is left outside the integration region; "
            "pass noise_ppm=(low, high) explicitly.",
        )
    )
    i_on, s_on = _integral_and_sigma(on, region, noise)
    i_off, s_off = _integral_and_sigma(off, region, noise)
    if i_off == 0:
        raise ProcessingError("The microwave-off integral is exactly zero; ε is undefined.")
    eps = i_on / i_off
    rel = math.hypot(s_on / i_on if i_on else math.inf, s_off / i_off)
    return Enhancement(
        value=eps,
        uncertainty=abs(eps) * rel,
        integral_on=i_on,
        integral_off=i_off,
        region_ppm=region,
        noise_ppm=noise,
    )
