"""Bridge to mrsimulator: qdkit ``Site`` lists simulated by mrsimulator on a qdkit ppm axis.

mrsimulator (Srivastava et al., J. Chem. Phys. 153, 134201 (2020)) is optional: it is the
independent oracle for qdkit's own engine and the simulator of quadrupolar lineshapes. It
is imported only inside these functions because importing it sets process-wide thread
variables.
"""

from __future__ import annotations

import numpy as np

from . import nuclei
from .errors import ModelParameterError


def _require_mrsimulator():
    try:
        import mrsimulator  # noqa: F401
    except ImportError:
        raise ModelParameterError(
            "This needs the optional package mrsimulator (pip install mrsimulator)."
        ) from None


def mrsim_site(site, field_T: float):
    """The mrsimulator ``Site`` for a qdkit :class:`~qdkit.mas.Site`.

    Two conventions differ. mrsimulator's ``zeta`` is a *shielding* anisotropy (sign
    opposite to the chemical-shift δaniso), and mrsimulator turns it into hertz with the
    bare Larmor frequency while its ppm axis uses the reference frequency; a CSA given in
    ppm of the reference frequency therefore needs zeta = −δaniso·(ν_ref/ν_Larmor)
    (``Isotope.ref_larmor_ratio``). The isotropic shift needs no such factor.
    """
    _require_mrsimulator()
    from mrsimulator import Site as MSite
    from mrsimulator.spin_system.isotope import Isotope

    ratio = Isotope(symbol=site.nucleus).ref_larmor_ratio
    kwargs = dict(isotope=site.nucleus, isotropic_chemical_shift=site.iso_ppm)
    if site.aniso_ppm != 0.0:
        kwargs["shielding_symmetric"] = {"zeta": -site.aniso_ppm * ratio, "eta": site.eta}
    if site.cq_mhz != 0.0:
        kwargs["quadrupolar"] = {"Cq": site.cq_mhz * 1e6, "eta": site.eta_q}
    return MSite(**kwargs)


def _reference_frequency_hz(nucleus: str, field_T: float) -> float:
    from mrsimulator.spin_system.isotope import Isotope

    return float(Isotope(symbol=nucleus).B0_to_ref_freq(field_T))


def mrsim_spectrum(sites, field_T: float, mas_hz: float, ppm, *, transitions: str = "all",
                   integration_density: int = 120, number_of_sidebands: int | None = None,
                   broaden: bool = True) -> np.ndarray:
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
    spin = nuclei.get(nucleus).spin
    if transitions == "central" or spin == 0.5:
        transition_queries = [{"ch1": {"P": [-1], "D": [0]}}]
    elif transitions == "all":
        transition_queries = [{"ch1": {"P": [-1]}}]
    else:
        raise ModelParameterError(f"transitions must be 'all' or 'central', got {transitions!r}.")
    method = Method(
        channels=[nucleus], magnetic_flux_density=field_T, rotor_frequency=float(mas_hz),
        rotor_angle=float(np.arccos(1 / np.sqrt(3))) if mas_hz > 0 else 0.0,
        spectral_dimensions=[SpectralDimension(
            count=n, spectral_width=sw_hz, reference_offset=reference_offset,
            events=[SpectralEvent(fraction=1, transition_queries=transition_queries)])],
    )
    systems = [SpinSystem(sites=[mrsim_site(s, field_T)], abundance=100.0 * s.weight)
               for s in sites]
    out = np.zeros(n)
    # Sites differ in their widths, so each is broadened on its own and summed.
    for system, site in zip(systems, sites):
        sim = Simulator(spin_systems=[system], methods=[method])
        sim.config.integration_density = integration_density
        sim.config.number_of_sidebands = number_of_sidebands
        sim.config.decompose_spectrum = "none"
        sim.run()
        data = sim.methods[0].simulation
        ops = []
        if broaden and site.fwhm_hz > 0:
            ops.append(sp.apodization.Gaussian(FWHM=f"{site.fwhm_hz} Hz"))
        if broaden and site.lorentz_hz > 0:
            ops.append(sp.apodization.Exponential(FWHM=f"{site.lorentz_hz} Hz"))
        if ops:
            data = sp.SignalProcessor(operations=[sp.IFFT(), *ops, sp.FFT()]).apply_operations(
                dataset=data)
        y = np.asarray(data.y[0].components[0]).real.astype(float)
        area = y.sum() * abs(step)
        if area != 0:
            y *= site.weight / area
        out += y
    if step < 0:
        out = out[::-1]
    return out
