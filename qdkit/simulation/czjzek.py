"""Distributions of small quadrupolar couplings (the Czjzek model) and their MAS spectra.

For a cubic salt such as KBr the bromide site has no EFG by symmetry; defects and strain give
every ion a small random one, which shows up as satellite-transition sidebands.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from qdkit import nuclei
from qdkit.errors import ModelParameterError
from qdkit.simulation.mas import mas_spectrum
from qdkit.simulation.quadrupolar import quadrupolar_bins, transition_weights
from qdkit.simulation.sites import Site

__all__ = ["czjzek_pdf", "CzjzekDistribution", "voigt_kernel", "broaden"]


def czjzek_pdf(cq_mhz, eta_q, sigma_mhz: float):
    """Probability density of (C_Q, η_Q) in the Czjzek (Gaussian isotropic) model, d = 5.

    P(C_Q, η) = √(2/π) C_Q⁴ η (1 − η²/9) exp[−C_Q² (1 + η²/3) / (2σ²)] / σ⁵

    (G. Czjzek et al., Phys. Rev. B 23, 2513 (1981); J.-B. d'Espinose de Lacaillerie,
    C. Fretigny and D. Massiot, J. Magn. Reson. 192, 244 (2008)), normalised to 1 over
    C_Q ≥ 0 and 0 ≤ η ≤ 1 (the constant checked by numerical integration in the tests).

    Parameters
    ----------
    cq_mhz, eta_q : float or array
        Quadrupolar coupling C_Q, MHz, and asymmetry η_Q (broadcast together).
    sigma_mhz : float
        σ, the standard deviation of the EFG components in units of C_Q, MHz.

    Returns
    -------
    ndarray
        P(C_Q, η_Q), per MHz per unit η.

    Raises
    ------
    ModelParameterError
        ``sigma_mhz`` is not positive.
    """
    if not sigma_mhz > 0:
        raise ModelParameterError(f"The Czjzek width sigma_mhz must be positive, got {sigma_mhz}.")
    c = np.asarray(cq_mhz, float)
    e = np.asarray(eta_q, float)
    return (
        c**4
        * e
        * (1 - e**2 / 9)
        * np.exp(-(c**2) * (1 + e**2 / 3) / (2 * sigma_mhz**2))
        * math.sqrt(2.0 / math.pi)
        / sigma_mhz**5
    )


def voigt_kernel(
    nucleus: str, field_T: float, ppm, *, shift_ppm: float, fwhm_hz: float, lorentz_hz: float
) -> np.ndarray:
    """A unit-sum Voigt line on the axis spacing of ``ppm``, centred (plus ``shift_ppm``)
    on the middle point of an odd-length window as long as ``ppm``: the kernel of
    :func:`broaden`. The line comes from :func:`qdkit.mas.mas_spectrum` (a site without
    anisotropy, exact sub-point position).

    Parameters
    ----------
    nucleus : str
        Isotope label (sets the Hz → ppm conversion).
    field_T : float
        Magnetic field, T.
    ppm : array
        Evenly spaced axis whose spacing and length the kernel takes.
    shift_ppm : float
        Offset of the line from the window's centre, ppm.
    fwhm_hz, lorentz_hz : float
        Gaussian and Lorentzian FWHM, Hz.

    Returns
    -------
    ndarray
        The kernel, 2·(len(ppm) // 2) + 1 points, summing to 1 up to tails outside the window.
    """
    ppm = np.asarray(ppm, float)
    step = (ppm[-1] - ppm[0]) / (ppm.size - 1)
    half = ppm.size // 2
    axis = step * np.arange(-half, half + 1)
    # any spinning rate > 0: without anisotropy only the centre band exists
    line = mas_spectrum([Site(nucleus, shift_ppm, fwhm_hz=fwhm_hz, lorentz_hz=lorentz_hz)], field_T, 1.0, axis)
    return line * abs(step)


def broaden(bins: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve per-point fractions with a :func:`voigt_kernel` (same length out).

    Parameters
    ----------
    bins : ndarray
        Per-point fractions on the axis (1-D).
    kernel : ndarray
        From :func:`voigt_kernel` on the same axis.

    Returns
    -------
    ndarray
        The broadened intensity, as long as ``bins``.
    """
    from scipy.signal import fftconvolve  # here: scipy.signal costs 0.6 s to import

    return fftconvolve(bins, kernel, mode="same")


@dataclass(frozen=True)
class CzjzekDistribution:
    """A Czjzek distribution of quadrupolar couplings, discretised on a fixed (C_Q, η_Q) grid.

    The grid is fixed so that changing the width σ only re-weights cached shapes (a fit of
    σ costs dot products, not new powder averages). Nodes are the midpoints of
    ``n_cq`` equal C_Q bins up to ``cq_max_mhz`` and of ``n_eta`` equal η bins; the weight
    of a node is the density there times its cell, normalised to 1. Keep σ below about
    ``cq_max_mhz / 5`` (the density beyond 5σ is < 1e-3 of its peak).

    Parameters
    ----------
    nucleus : str
        Half-integer quadrupolar isotope, e.g. ``"79Br"``.
    cq_max_mhz : float
        Largest C_Q of the grid, MHz.
    n_cq, n_eta : int
        Number of C_Q and η_Q nodes.

    Raises
    ------
    ModelParameterError
        The nucleus is not half-integer quadrupolar, ``cq_max_mhz`` ≤ 0, ``n_cq`` < 2 or ``n_eta`` < 1.
    """

    nucleus: str
    cq_max_mhz: float = 0.25
    n_cq: int = 20
    n_eta: int = 3

    def __post_init__(self):
        nuc = nuclei.get(self.nucleus)
        if not nuc.is_quadrupolar or (2 * nuc.spin) % 2 != 1:
            raise ModelParameterError(
                f"A Czjzek distribution needs a half-integer quadrupolar nucleus; {nuc.label} has spin {nuc.spin}."
            )
        object.__setattr__(self, "nucleus", nuc.label)
        if not self.cq_max_mhz > 0 or self.n_cq < 2 or self.n_eta < 1:
            raise ModelParameterError("cq_max_mhz must be > 0, n_cq ≥ 2 and n_eta ≥ 1.")

    @property
    def nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """(C_Q in MHz, η_Q) of every node, flattened (C_Q major)."""
        cq = (np.arange(self.n_cq) + 0.5) * self.cq_max_mhz / self.n_cq
        eta = (np.arange(self.n_eta) + 0.5) / self.n_eta
        c, e = np.meshgrid(cq, eta, indexing="ij")
        return c.ravel(), e.ravel()

    def weights(self, sigma_mhz: float) -> np.ndarray:
        """Normalised weight of every node for the width ``sigma_mhz``.

        Parameters
        ----------
        sigma_mhz : float
            Czjzek width σ, MHz (see :func:`czjzek_pdf`).

        Returns
        -------
        ndarray
            Weight of each node of :attr:`nodes`, summing to 1.

        Raises
        ------
        ModelParameterError
            σ ≤ 0, or so small or large that the grid carries no weight.
        """
        c, e = self.nodes
        w = czjzek_pdf(c, e, sigma_mhz)
        total = w.sum()
        if not total > 0:
            raise ModelParameterError(
                f"sigma_mhz={sigma_mhz} puts no weight on the C_Q grid (up to "
                f"{self.cq_max_mhz} MHz); choose σ between about {self.cq_max_mhz / 40:.3g} "
                f"and {self.cq_max_mhz / 5:.3g} MHz."
            )
        return w / total

    def sites(
        self, iso_ppm: float, sigma_mhz: float, *, fwhm_hz: float = 0.0, lorentz_hz: float = 0.0, weight: float = 1.0
    ) -> list[Site]:
        """The distribution as ordinary :class:`Site` objects (weights summing to ``weight``),
        for :func:`qdkit.mas.mas_spectrum` or mrsimulator.

        Parameters
        ----------
        iso_ppm : float
            Isotropic shift of every node, ppm.
        sigma_mhz : float
            Czjzek width σ, MHz.
        fwhm_hz, lorentz_hz : float
            Gaussian and Lorentzian FWHM of every node, Hz.
        weight : float
            Total weight of the distribution.

        Returns
        -------
        list of Site
            One site per node.
        """
        c, e = self.nodes
        return [
            Site(
                self.nucleus,
                iso_ppm,
                fwhm_hz=fwhm_hz,
                lorentz_hz=lorentz_hz,
                weight=weight * w,
                cq_mhz=float(ci),
                eta_q=float(ei),
            )
            for ci, ei, w in zip(c, e, self.weights(sigma_mhz))
        ]

    def component_bins(self, iso_ppm: float, field_T: float, mas_hz: float, ppm):
        """Unbroadened central- and satellite-transition fractions of every node.

        Parameters
        ----------
        iso_ppm : float
            Isotropic shift, ppm.
        field_T, mas_hz : float
            Magnetic field, T, and spinning rate, Hz.
        ppm : array
            Evenly spaced ppm axis.

        Returns
        -------
        central, satellite : ndarray, shape (n_nodes, n_points)
            Per-point fractions (each row sums to 1 inside the axis) of the central
            transition and of all satellite transitions together, from
            :func:`qdkit.quadrupolar.quadrupolar_bins` (first- and second-order, MAS
            sidebands). Cached per (iso, field, rate, axis).
        """
        ppm = np.asarray(ppm, float)
        start, step, n = float(ppm[0]), float((ppm[-1] - ppm[0]) / (ppm.size - 1)), int(ppm.size)
        key = (self, float(iso_ppm), float(field_T), float(mas_hz), start, step, n)
        with _LOCK:
            hit = _CACHE.get(key)
        if hit is not None:
            return hit
        _, t_weight = transition_weights(float(nuclei.get(self.nucleus).spin))
        w_ct = float(t_weight[t_weight.size // 2])
        central, satellite = [], []
        for c, e in zip(*self.nodes):
            site = Site(self.nucleus, iso_ppm, cq_mhz=float(c), eta_q=float(e))
            every = quadrupolar_bins(site, field_T, mas_hz, start, step, n)
            ct = quadrupolar_bins(site, field_T, mas_hz, start, step, n, transitions="central")
            central.append(ct)
            satellite.append((every - w_ct * ct) / (1.0 - w_ct))
        out = (np.array(central), np.array(satellite))
        for a in out:
            a.setflags(write=False)
        with _LOCK:
            _CACHE[key] = out
            while len(_CACHE) > 8:
                _CACHE.popitem(last=False)
        return out


_CACHE: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_LOCK = threading.Lock()
