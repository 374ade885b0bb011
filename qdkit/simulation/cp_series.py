"""Synthetic variable-contact-time CP-MAS series with known site populations.

For trying the quantitative-CP fit, its tests and benchmarks: every spectrum is labelled
SYNTHETIC in its title, and the truth it was made from travels with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdkit import nuclei
from qdkit.dataset import Meta, Spectrum
from qdkit.errors import ModelParameterError
from qdkit.models.cp import buildup
from qdkit.simulation.mas import site_spectra
from qdkit.simulation.sites import Site

__all__ = ["ContactSeriesTruth", "synthetic_contact_series"]


@dataclass(frozen=True)
class ContactSeriesTruth:
    """The hidden truth of a synthetic series: normalised populations and time constants.

    Attributes
    ----------
    populations : ndarray
        Site shares, summing to 1.
    t_is_ms : ndarray
        Cross-polarisation time T_IS of each site, ms.
    t1rho_ms : float or ndarray
        ¹H T1ρ, ms: one value, or one per site when one per site was given.
    noise_sigma : ndarray
        Noise σ of each spectrum, in its intensity units.
    """

    populations: np.ndarray
    t_is_ms: np.ndarray
    t1rho_ms: float | np.ndarray
    noise_sigma: np.ndarray


def synthetic_contact_series(
    sites,
    populations,
    t_is_ms,
    t1rho_ms,
    contact_ms,
    *,
    field_T: float = 9.4,
    mas_hz: float = 10_000.0,
    ppm=None,
    snr: float = 50.0,
    seed: int | None = 0,
    noise_smoothing_pts: int = 0,
):
    """Spectra Σ_i p_i·S(t; T_IS,i, T1ρ)·g_i(δ) + white noise, one per contact time.

    S is the classical I–S build-up (:func:`qdkit.cp.buildup`), g_i the unit-integral MAS
    lineshape of site i (:func:`qdkit.mas.site_spectra`). Noise is Gaussian with σ set so
    that each spectrum's tallest point is ``snr`` σ; ``noise_smoothing_pts`` > 0 correlates
    it over that many points (a moving average, as apodization does).

    Parameters
    ----------
    sites : sequence of Site
        Lineshapes of the sites (their ``weight`` is ignored), all of one nucleus.
    populations : sequence of float
        Site shares (normalised here).
    t_is_ms : sequence of float
        T_IS of each site, ms.
    t1rho_ms : float or sequence of float
        ¹H T1ρ, ms: shared, or one per site.
    contact_ms : sequence of float
        Contact times, ms: one spectrum each.
    field_T, mas_hz : float
        Magnetic field, T, and spinning rate, Hz.
    ppm : array, optional
        Axis (high → low); default 4096 points spanning every site ±(3 widths + 5 sidebands).
    snr : float
        Tallest point of each noise-free spectrum over the noise σ.
    seed : int, optional
        Seed of the noise generator (None: fresh noise each call).
    noise_smoothing_pts : int
        Moving-average length of the noise (scaled by 1/√n); 0 or 1 gives white noise.

    Returns
    -------
    spectra : list of Spectrum
        Titles say SYNTHETIC; ``meta.contact_ms`` holds each contact time.
    truth : ContactSeriesTruth

    Raises
    ------
    ModelParameterError
        ``sites`` empty or not :class:`Site` objects, not one non-negative population and one T_IS per site, or
        ``snr`` ≤ 0.
    """
    sites = list(sites)
    if not sites or not all(isinstance(s, Site) for s in sites):
        raise ModelParameterError("synthetic_contact_series needs qdkit.mas.Site objects.")
    p = np.asarray(populations, float)
    tis = np.asarray(t_is_ms, float)
    if p.shape != (len(sites),) or tis.shape != (len(sites),) or np.any(p < 0) or not p.sum() > 0:
        raise ModelParameterError("Give one non-negative population and one T_IS per site.")
    p = p / p.sum()
    t1 = np.broadcast_to(np.asarray(t1rho_ms, float), (len(sites),))
    t = np.asarray(contact_ms, float)
    if not snr > 0:
        raise ModelParameterError("snr must be positive.")
    ref_mhz = nuclei.get(sites[0].nucleus).reference_mhz(field_T)
    if ppm is None:
        reach = [abs(s.aniso_ppm) + 3 * (s.fwhm_hz + s.lorentz_hz) / ref_mhz + 5 * mas_hz / ref_mhz for s in sites]
        hi = max(s.iso_ppm + r for s, r in zip(sites, reach))
        lo = min(s.iso_ppm - r for s, r in zip(sites, reach))
        ppm = np.linspace(hi, lo, 4096)
    ppm = np.asarray(ppm, float)
    shapes = site_spectra(sites, field_T, mas_hz, ppm)
    amps = np.array([p * buildup(tj, tis, t1) for tj in t])
    rng = np.random.default_rng(seed)
    spectra, sigmas = [], []
    for tj, a in zip(t, amps):
        clean = a @ shapes
        sigma = float(np.abs(clean).max() / snr)
        noise = rng.standard_normal(ppm.size)
        if noise_smoothing_pts > 1:
            k = np.ones(int(noise_smoothing_pts)) / np.sqrt(noise_smoothing_pts)
            noise = np.convolve(noise, k, mode="same")
        meta = Meta(
            nucleus=sites[0].nucleus,
            field_T=float(field_T),
            reference_mhz=ref_mhz,
            larmor_mhz=ref_mhz,
            mas_hz=float(mas_hz),
            contact_ms=float(tj),
            title=f"SYNTHETIC CP-MAS, contact {tj:g} ms",
            source="synthetic",
        )
        spectra.append(Spectrum(data=clean + sigma * noise + 0j, hz=ppm * ref_mhz, meta=meta))
        sigmas.append(sigma)
    truth = ContactSeriesTruth(
        populations=p,
        t_is_ms=tis,
        t1rho_ms=float(t1[0]) if np.ndim(t1rho_ms) == 0 else t1.copy(),
        noise_sigma=np.array(sigmas),
    )
    return spectra, truth
