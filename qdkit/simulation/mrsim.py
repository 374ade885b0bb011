"""Bridge to mrsimulator: qdkit ``Site`` lists simulated by mrsimulator on a qdkit ppm axis.

mrsimulator (Srivastava et al., J. Chem. Phys. 153, 134201 (2020)) is optional: it is the
independent oracle for qdkit's own engine and the simulator of quadrupolar lineshapes. It
is imported only inside these functions because importing it sets process-wide thread
variables.
"""

from __future__ import annotations

import numpy as np

from qdkit import nuclei
from qdkit.errors import ModelParameterError

__all__ = [
    "comparison_axis",
    "mrsim_site",
    "mrsim_spectrum",
    "mrsim_spectra_isolated",
]


def _require_mrsimulator():
    try:
        import mrsimulator
    except ImportError:
        raise ModelParameterError("This needs the optional package mrsimulator (pip install mrsimulator).") from None


def mrsim_site(site, field_T: float):
    """The mrsimulator ``Site`` for a qdkit :class:`~qdkit.mas.Site`.

    Two conventions differ. mrsimulator's ``zeta`` is a *shielding* anisotropy (sign
    opposite to the chemical-shift δaniso), and mrsimulator turns it into hertz with the
    bare Larmor frequency while its ppm axis uses the reference frequency; a CSA given in
    ppm of the reference frequency therefore needs zeta = −δaniso·(ν_ref/ν_Larmor)
    (``Isotope.ref_larmor_ratio``). The isotropic shift needs no such factor.
    ``Site.euler_deg`` becomes the quadrupolar tensor's (α, β, γ) with the shielding tensor
    at zero angles: the EFG orientation relative to the CSA frame.

    Parameters
    ----------
    site : qdkit.mas.Site
        The site (its widths and weight are applied elsewhere, by :func:`mrsim_spectrum`).
    field_T : float
        Magnetic field, T (not used by the conversion; kept for a uniform signature).

    Returns
    -------
    mrsimulator.Site

    Raises
    ------
    ModelParameterError
        mrsimulator is not installed.
    """
    _require_mrsimulator()
    from mrsimulator import Site as MSite
    from mrsimulator.spin_system.isotope import Isotope

    ratio = Isotope(symbol=site.nucleus).ref_larmor_ratio
    kwargs = dict(isotope=site.nucleus, isotropic_chemical_shift=site.iso_ppm)
    if site.aniso_ppm != 0.0:
        kwargs["shielding_symmetric"] = {"zeta": -site.aniso_ppm * ratio, "eta": site.eta}
    if site.cq_mhz != 0.0:
        alpha, beta, gamma = np.radians(site.euler_deg)
        kwargs["quadrupolar"] = {
            "Cq": site.cq_mhz * 1e6,
            "eta": site.eta_q,
            "alpha": alpha,
            "beta": beta,
            "gamma": gamma,
        }
    return MSite(**kwargs)


def _reference_frequency_hz(nucleus: str, field_T: float) -> float:
    from mrsimulator.spin_system.isotope import Isotope

    return float(Isotope(symbol=nucleus).B0_to_ref_freq(field_T))


def comparison_axis(
    site, field_T: float, mas_hz: float, *, points_per_fwhm: float = 24.0, transitions: str = "all"
) -> np.ndarray:
    """An evenly spaced ppm axis (high → low, even length) for comparing one site with mrsimulator.

    mrsimulator puts each sideband of a quadrupolar transition into its nearest axis point,
    which moves a narrow line by up to half a point (a 3 % change of a line 24 points
    wide). The axis therefore has ``points_per_fwhm`` points per Gaussian FWHM, a whole
    number of points per spinning sideband, and a point at the centre of gravity of the
    central transition (δiso plus its isotropic second-order shift,
    −ν_Q²/(30ν0)·[I(I+1) − 3/4]·(1 + η_Q²/3), Freude & Haase 1993), so those lines sit on
    points in both programs. It spans the CSA pattern, the satellites when
    ``transitions="all"``, the line tails and a few spinning sidebands.

    Parameters
    ----------
    site : qdkit.mas.Site
        The site; it needs a Gaussian width ``fwhm_hz`` > 0.
    field_T, mas_hz : float
        Magnetic field, T, and spinning rate, Hz (0 = static).
    points_per_fwhm : float
        Axis points per Gaussian FWHM (fewer where a whole number per sideband needs a finer step).
    transitions : ``"all"`` or ``"central"``
        Whether the axis must also span the satellite transitions.

    Returns
    -------
    ndarray
        The ppm axis, high to low.

    Raises
    ------
    ModelParameterError
        The site has no Gaussian width.
    """
    nuc = nuclei.get(site.nucleus)
    ref_mhz = nuc.reference_mhz(field_T)
    width_hz = 1.5 * abs(site.aniso_ppm) * ref_mhz + 6.0 * (site.fwhm_hz + site.lorentz_hz)
    width_hz += 4.0 * mas_hz + 20.0 * ref_mhz
    centre = site.iso_ppm
    if site.cq_mhz != 0.0:
        spin = float(nuc.spin)
        nu_q = 3.0 * site.cq_mhz * 1e6 / (2.0 * spin * (2.0 * spin - 1.0))
        nu0 = nuc.larmor_mhz(field_T) * 1e6
        centre -= nu_q**2 / (30.0 * nu0) * (spin * (spin + 1) - 0.75) * (1 + site.eta_q**2 / 3) / ref_mhz
        width_hz += nu_q**2 / nu0 * spin * (spin + 1) / 2.0
        if transitions == "all":
            width_hz += nu_q * (spin - 0.5)
    if site.fwhm_hz <= 0:
        raise ModelParameterError("comparison_axis needs a site with a Gaussian width fwhm_hz > 0.")
    step = site.fwhm_hz / ref_mhz / points_per_fwhm
    if mas_hz > 0:
        rate_ppm = mas_hz / ref_mhz
        step = rate_ppm / np.ceil(rate_ppm / step)
    half = int(np.ceil(width_hz / ref_mhz / step))
    return centre + step * np.arange(half, -half, -1)


def mrsim_spectrum(
    sites,
    field_T: float,
    mas_hz: float,
    ppm,
    *,
    transitions: str = "all",
    integration_density: int = 120,
    number_of_sidebands: int | None = None,
    broaden: bool = True,
) -> np.ndarray:
    """Spectrum of ``sites`` computed by mrsimulator, normalised like :func:`qdkit.mas.mas_spectrum`.

    Parameters
    ----------
    sites : sequence of qdkit.mas.Site
        All of one nucleus. Each site is its own spin system with abundance = weight.
    field_T, mas_hz, ppm
        As for :func:`qdkit.mas.mas_spectrum` (evenly spaced axis, any direction).
    transitions : ``"all"`` or ``"central"``
        For quadrupolar nuclei: every single-quantum transition, or only the central one.
    integration_density, number_of_sidebands
        mrsimulator's powder and sideband settings (sidebands chosen from the CSA when
        ``None``).
    broaden : bool
        Apply each site's Gaussian/Lorentzian widths (mrsimulator SignalProcessor).

    Returns
    -------
    ndarray
        Intensity per ppm on ``ppm``; each site's part inside the axis is scaled to integrate
        (sum × |Δppm|) to its weight.

    Raises
    ------
    ModelParameterError
        mrsimulator is not installed, or ``transitions`` is neither ``"all"`` nor ``"central"``.
    """
    _require_mrsimulator()
    from mrsimulator import Simulator, SpinSystem
    from mrsimulator import signal_processor as sp
    from mrsimulator.method import Method, SpectralDimension, SpectralEvent

    sites = list(sites)
    ppm = np.asarray(ppm, dtype=float)
    n = ppm.size
    step = (ppm[-1] - ppm[0]) / (n - 1)
    nucleus = sites[0].nucleus
    ref_hz = _reference_frequency_hz(nucleus, field_T)
    sw_hz = n * abs(step) * ref_hz * 1e-6
    low = min(ppm[0], ppm[-1])
    reference_offset = low * ref_hz * 1e-6 + (n // 2) * abs(step) * ref_hz * 1e-6
    if number_of_sidebands is None:
        ref_mhz = nuclei.get(nucleus).reference_mhz(field_T)
        widest = max((abs(s.aniso_ppm) * ref_mhz for s in sites), default=0.0)
        widest = max(widest, max((abs(s.cq_mhz) * 1e6 for s in sites), default=0.0))
        number_of_sidebands = 64
        if mas_hz > 0:
            while number_of_sidebands < 3 * widest / mas_hz + 16:
                number_of_sidebands *= 2
    spin = float(nuclei.get(nucleus).spin)
    # (transition query, share of the intensity): mrsimulator weights every selected
    # transition equally, so the transitions are simulated apart and weighted with the
    # non-selective small-pulse intensities I(I+1) − m(m−1), as qdkit does. A pair ±m has
    # d-symmetry D = ±(2m − 1).
    if spin == 0.5:
        parts = [([{"ch1": {"P": [-1]}}], 1.0)]
    elif transitions == "central":
        parts = [([{"ch1": {"P": [-1], "D": [0]}}], 1.0)]
    elif transitions == "all":
        total = 2.0 / 3.0 * spin * (spin + 1) * (2 * spin + 1)
        parts = []
        for m in np.arange(0.5, spin + 1):
            d = int(round(2 * m - 1))
            share = (spin * (spin + 1) - m * (m - 1)) / total
            queries = [{"ch1": {"P": [-1], "D": [dd]}} for dd in sorted({d, -d})]
            parts.append((queries, share if d == 0 else 2 * share))
    else:
        raise ModelParameterError(f"transitions must be 'all' or 'central', got {transitions!r}.")
    methods = [
        Method(
            channels=[nucleus],
            magnetic_flux_density=field_T,
            rotor_frequency=float(mas_hz),
            rotor_angle=float(np.arccos(1 / np.sqrt(3))) if mas_hz > 0 else 0.0,
            spectral_dimensions=[
                SpectralDimension(
                    count=n,
                    spectral_width=sw_hz,
                    reference_offset=reference_offset,
                    events=[SpectralEvent(fraction=1, transition_queries=queries)],
                )
            ],
        )
        for queries, _ in parts
    ]
    out = np.zeros(n)
    # Sites differ in their widths, so each is broadened on its own and summed.
    for site in sites:
        sim = Simulator(spin_systems=[SpinSystem(sites=[mrsim_site(site, field_T)])], methods=methods)
        sim.config.integration_density = integration_density
        sim.config.number_of_sidebands = number_of_sidebands
        sim.config.decompose_spectrum = "none"
        if any(site.euler_deg):
            # mrsimulator's default octant assumes tensors at zero angles
            sim.config.integration_volume = "hemisphere"
        sim.run()
        ops = []
        if broaden and site.fwhm_hz > 0:
            ops.append(sp.apodization.Gaussian(FWHM=f"{site.fwhm_hz} Hz"))
        if broaden and site.lorentz_hz > 0:
            ops.append(sp.apodization.Exponential(FWHM=f"{site.lorentz_hz} Hz"))
        for method, (_, share) in zip(sim.methods, parts):
            data = method.simulation
            if ops:
                data = sp.SignalProcessor(operations=[sp.IFFT(), *ops, sp.FFT()]).apply_operations(dataset=data)
            y = np.asarray(data.y[0].components[0]).real.astype(float)
            area = y.sum() * abs(step)
            if area != 0:
                out += y * (site.weight * share / area)
    if step < 0:
        out = out[::-1]
    return out


def mrsim_spectra_isolated(cases, *, timeout_s: float = 600.0) -> list[np.ndarray]:
    """Run several :func:`mrsim_spectrum` calls in a separate Python process.

    Importing mrsimulator changes process-wide thread settings; doing the work in a child
    process leaves the caller untouched (the test suite uses this).

    Parameters
    ----------
    cases : sequence of dict
        Each with ``sites`` (list of :class:`~qdkit.mas.Site`), ``field_T``, ``mas_hz``,
        ``ppm`` (evenly spaced array) and optionally ``options`` (keyword arguments of
        :func:`mrsim_spectrum`).
    timeout_s : float
        Seconds the child process may take (``subprocess.TimeoutExpired`` beyond).

    Returns
    -------
    list of ndarray
        One spectrum per case, in order.

    Raises
    ------
    ModelParameterError
        The child process failed (its error output is in the message).
    """
    import json
    import subprocess
    import sys

    payload = []
    for case in cases:
        ppm = np.asarray(case["ppm"], dtype=float)
        payload.append(
            {
                "sites": [s.to_dict() for s in case["sites"]],
                "field_T": float(case["field_T"]),
                "mas_hz": float(case["mas_hz"]),
                "axis": [float(ppm[0]), float(ppm[-1]), int(ppm.size)],
                "options": dict(case.get("options", {})),
            }
        )
    script = (
        "import json, sys, numpy as np\n"
        "from qdkit.mas import Site\n"
        "from qdkit.mrsim import mrsim_spectrum\n"
        "out = []\n"
        "for c in json.load(sys.stdin):\n"
        "    ppm = np.linspace(*c['axis'])\n"
        "    sites = [Site.from_dict(s) for s in c['sites']]\n"
        "    y = mrsim_spectrum(sites, c['field_T'], c['mas_hz'], ppm, **c['options'])\n"
        "    out.append(y.tolist())\n"
        "json.dump(out, sys.stdout)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(payload), capture_output=True, text=True, timeout=timeout_s
    )
    if proc.returncode != 0:
        raise ModelParameterError(f"mrsimulator run failed:\n{proc.stderr[-2000:]}")
    return [np.asarray(y) for y in json.loads(proc.stdout)]
