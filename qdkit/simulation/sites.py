"""The NMR site record and chemical-shift tensor conventions.

Haeberlen (δiso, δaniso = δzz − δiso, η), Mehring (δ11 ≥ δ22 ≥ δ33) and Herzfeld–Berger
(span Ω, skew κ) conversions, and :class:`Site`, which every simulation takes.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from qdkit import nuclei
from qdkit.errors import ModelParameterError

__all__ = [
    "Site",
    "haeberlen_from_mehring",
    "mehring_from_haeberlen",
    "haeberlen_from_herzfeld_berger",
    "herzfeld_berger_from_haeberlen",
]


# --------------------------------------------------------------------------------------
# The site record
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One crystallographic or chemical site of a powder.

    Parameters
    ----------
    nucleus : str
        Isotope label, e.g. ``"113Cd"`` (canonicalised on creation).
    iso_ppm : float
        Isotropic chemical shift δiso, ppm.
    aniso_ppm : float
        Haeberlen anisotropy δaniso = δzz − δiso, ppm (signed; 0 for no CSA).
    eta : float
        CSA asymmetry η, 0 … 1.
    fwhm_hz : float
        Full width at half maximum of the Gaussian (inhomogeneous) broadening, Hz.
    lorentz_hz : float
        FWHM of an additional Lorentzian (homogeneous, 1/πT2) broadening, Hz.
    weight : float
        Integrated intensity of the site (all sidebands, all transitions together).
    cq_mhz : float
        Quadrupolar coupling constant C_Q = e²qQ/h, MHz (quadrupolar nuclei only).
    eta_q : float
        Quadrupolar asymmetry, 0 … 1.
    euler_deg : (float, float, float)
        Orientation (α, β, γ) in degrees of the EFG principal axes relative to the CSA
        principal axes, ZYZ convention: the EFG tensor in the CSA frame is
        Rᵀ V_PAS R with R = R_z(α) R_y(β) R_z(γ), mrsimulator's convention for its
        quadrupolar tensor angles (see :func:`qdkit.simulation.quadrupolar.efg_in_csa_frame`).
        (0, 0, 0) makes the axes coincide. Without a CSA or a C_Q it has no effect.

    Raises
    ------
    ModelParameterError
        A field is not a finite number, η or η_Q lies outside 0 … 1, a width is negative,
        the isotope is unknown, or ``cq_mhz``/``euler_deg`` is set for a spin-1/2 nucleus.
    """

    nucleus: str
    iso_ppm: float
    aniso_ppm: float = 0.0
    eta: float = 0.0
    fwhm_hz: float = 0.0
    lorentz_hz: float = 0.0
    weight: float = 1.0
    cq_mhz: float = 0.0
    eta_q: float = 0.0
    euler_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self):
        nuc = nuclei.get(self.nucleus)
        object.__setattr__(self, "nucleus", nuc.label)
        for name in ("iso_ppm", "aniso_ppm", "eta", "fwhm_hz", "lorentz_hz", "weight", "cq_mhz", "eta_q"):
            value = getattr(self, name)
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ModelParameterError(f"Site {name} must be a number, got {value!r}.") from None
            if not math.isfinite(value):
                raise ModelParameterError(f"Site {name} must be finite, got {value}.")
            object.__setattr__(self, name, value)
        if not 0.0 <= self.eta <= 1.0:
            raise ModelParameterError(
                f"CSA asymmetry eta must lie between 0 and 1, got {self.eta}. If your "
                "tensor gives eta > 1 its principal values are not in Haeberlen order; "
                "convert them with haeberlen_from_mehring()."
            )
        if not 0.0 <= self.eta_q <= 1.0:
            raise ModelParameterError(f"eta_q must lie between 0 and 1, got {self.eta_q}.")
        if self.fwhm_hz < 0 or self.lorentz_hz < 0:
            raise ModelParameterError("Line widths fwhm_hz and lorentz_hz cannot be negative.")
        if self.cq_mhz != 0.0 and not nuc.is_quadrupolar:
            raise ModelParameterError(
                f"{nuc.label} has spin {nuc.spin}: it has no quadrupole moment, so cq_mhz must be 0."
            )
        object.__setattr__(self, "euler_deg", _euler_triple(self.euler_deg))
        if any(self.euler_deg) and not nuc.is_quadrupolar:
            raise ModelParameterError(
                f"{nuc.label} has spin {nuc.spin}: it has no electric field gradient tensor "
                "to orient, so euler_deg must be (0, 0, 0)."
            )

    def replace(self, **changes) -> Site:
        """A copy of the site with some fields changed.

        Parameters
        ----------
        **changes
            Field names and their new values (``iso_ppm=-320.0``, ``fwhm_hz=500.0`` …).

        Returns
        -------
        Site
            The new, validated site; this one is unchanged (frozen).
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary; :meth:`from_dict` reverses it.

        Returns
        -------
        dict
            Field name → value (``euler_deg`` as a tuple of three degrees).
        """
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Site:
        """Site from a dictionary written by :meth:`to_dict`.

        Parameters
        ----------
        data : dict
            Field name → value; missing fields take their defaults.

        Returns
        -------
        Site

        Raises
        ------
        ModelParameterError
            ``data`` holds a key that is not a Site field, or a value is invalid.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ModelParameterError(f"Unknown Site field(s) {sorted(unknown)}; expected some of {sorted(known)}.")
        return cls(**data)

    @classmethod
    def from_principal(cls, nucleus: str, d11: float, d22: float, d33: float, **kwargs) -> Site:
        """Site from principal components δ11, δ22, δ33 (ppm, any order).

        Parameters
        ----------
        nucleus : str
            Isotope label, e.g. ``"113Cd"``.
        d11, d22, d33 : float
            Principal components of the shift tensor, ppm, any order; converted with
            :func:`haeberlen_from_mehring`.
        **kwargs
            Other :class:`Site` fields (``fwhm_hz``, ``weight`` …).

        Returns
        -------
        Site
        """
        iso, aniso, eta = haeberlen_from_mehring(d11, d22, d33)
        return cls(nucleus, iso, aniso, eta, **kwargs)

    @classmethod
    def from_herzfeld_berger(cls, nucleus: str, iso_ppm: float, span_ppm: float, skew: float, **kwargs) -> Site:
        """Site from δiso, span Ω and skew κ.

        Parameters
        ----------
        nucleus : str
            Isotope label, e.g. ``"113Cd"``.
        iso_ppm, span_ppm : float
            Isotropic shift δiso and span Ω = δ11 − δ33 ≥ 0, ppm.
        skew : float
            Skew κ, −1 … 1; converted with :func:`haeberlen_from_herzfeld_berger`.
        **kwargs
            Other :class:`Site` fields (``fwhm_hz``, ``weight`` …).

        Returns
        -------
        Site
        """
        iso, aniso, eta = haeberlen_from_herzfeld_berger(iso_ppm, span_ppm, skew)
        return cls(nucleus, iso, aniso, eta, **kwargs)

    @property
    def is_quadrupolar(self) -> bool:
        """True when the quadrupolar coupling shapes the spectrum (C_Q ≠ 0)."""
        return self.cq_mhz != 0.0


def _euler_triple(value) -> tuple[float, float, float]:
    """(α, β, γ) as three finite floats (a JSON list comes back as a tuple)."""
    try:
        angles = tuple(float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ModelParameterError(f"Site euler_deg must be three angles in degrees (α, β, γ), got {value!r}.") from exc
    if len(angles) != 3 or not all(math.isfinite(a) for a in angles):
        raise ModelParameterError(f"Site euler_deg must be three finite angles in degrees (α, β, γ), got {value!r}.")
    return angles


# --------------------------------------------------------------------------------------
# Tensor conventions
# --------------------------------------------------------------------------------------


def haeberlen_from_mehring(d11: float, d22: float, d33: float) -> tuple[float, float, float]:
    """(δiso, δaniso, η) from principal components in any order (Mehring: δ11 ≥ δ22 ≥ δ33).

    δzz is the component furthest from δiso; δaniso = δzz − δiso; η = (δyy − δxx)/δaniso with
    |δxx − δiso| ≥ |δyy − δiso| (Haeberlen 1976; IUPAC, Harris et al. 2008).

    Parameters
    ----------
    d11, d22, d33 : float
        Principal components of the shift tensor, ppm, in any order.

    Returns
    -------
    iso_ppm, aniso_ppm : float
        δiso and δaniso = δzz − δiso, ppm.
    eta : float
        Asymmetry η, clipped to 0 … 1 against rounding.
    """
    comps = np.array([d11, d22, d33], dtype=float)
    iso = comps.mean()
    order = np.argsort(np.abs(comps - iso), kind="stable")
    dyy, dxx, dzz = comps[order]
    aniso = dzz - iso
    eta = 0.0 if aniso == 0 else (dyy - dxx) / aniso
    return float(iso), float(aniso), float(min(max(eta, 0.0), 1.0))


def mehring_from_haeberlen(iso_ppm: float, aniso_ppm: float, eta: float):
    """Principal components (δ11, δ22, δ33), δ11 ≥ δ22 ≥ δ33, from Haeberlen parameters.

    δzz = δiso + δaniso, δxx = δiso − δaniso(1 + η)/2, δyy = δiso − δaniso(1 − η)/2.

    Parameters
    ----------
    iso_ppm, aniso_ppm : float
        δiso and δaniso = δzz − δiso, ppm.
    eta : float
        Asymmetry η, 0 … 1.

    Returns
    -------
    tuple of float
        (δ11, δ22, δ33) in ppm, sorted from highest to lowest.
    """
    dzz = iso_ppm + aniso_ppm
    dxx = iso_ppm - aniso_ppm * (1.0 + eta) / 2.0
    dyy = iso_ppm - aniso_ppm * (1.0 - eta) / 2.0
    return tuple(float(v) for v in sorted((dzz, dxx, dyy), reverse=True))


def haeberlen_from_herzfeld_berger(iso_ppm: float, span_ppm: float, skew: float):
    """(δiso, δaniso, η) from Herzfeld–Berger span Ω = δ11 − δ33 ≥ 0 and skew κ ∈ [−1, 1].

    κ = 3(δ22 − δiso)/Ω (Herzfeld & Berger, J. Chem. Phys. 73, 6021 (1980); Mason 1993).

    Parameters
    ----------
    iso_ppm, span_ppm : float
        δiso and span Ω, ppm.
    skew : float
        Skew κ, −1 … 1.

    Returns
    -------
    iso_ppm, aniso_ppm, eta : float
        Haeberlen δiso, δaniso (ppm) and η, as from :func:`haeberlen_from_mehring`.

    Raises
    ------
    ModelParameterError
        The span is negative or the skew lies outside [−1, 1].
    """
    if span_ppm < 0 or not -1.0 <= skew <= 1.0:
        raise ModelParameterError(f"Span must be ≥ 0 and skew within [−1, 1]; got span={span_ppm}, skew={skew}.")
    d22 = iso_ppm + skew * span_ppm / 3.0
    # δ11 + δ33 = 3 δiso − δ22 and δ11 − δ33 = Ω
    total = 3.0 * iso_ppm - d22
    d11 = (total + span_ppm) / 2.0
    d33 = (total - span_ppm) / 2.0
    return haeberlen_from_mehring(d11, d22, d33)


def herzfeld_berger_from_haeberlen(iso_ppm: float, aniso_ppm: float, eta: float):
    """(δiso, span Ω, skew κ) from Haeberlen parameters.

    Ω = δ11 − δ33 and κ = 3(δ22 − δiso)/Ω (Herzfeld & Berger 1980).

    Parameters
    ----------
    iso_ppm, aniso_ppm : float
        δiso and δaniso = δzz − δiso, ppm.
    eta : float
        Asymmetry η, 0 … 1.

    Returns
    -------
    iso_ppm, span_ppm : float
        δiso and span Ω, ppm.
    skew : float
        Skew κ, clipped to −1 … 1 (0 when the span is 0).
    """
    d11, d22, d33 = mehring_from_haeberlen(iso_ppm, aniso_ppm, eta)
    span = d11 - d33
    skew = 0.0 if span == 0 else 3.0 * (d22 - iso_ppm) / span
    return float(iso_ppm), float(span), float(min(max(skew, -1.0), 1.0))


# --------------------------------------------------------------------------------------
# Spin-1/2 CSA: sideband intensities (Maricq–Waugh / Herzfeld–Berger)
# --------------------------------------------------------------------------------------
