"""Chemical-shift referencing: IUPAC unified scale, TopSpin SR, and secondary standards.

A chemical shift is δ = (ν − ν_ref)/ν_ref with ν_ref the frequency of the reference
compound. The IUPAC unified scale fixes ν_ref of every nucleus from the ¹H frequency of TMS
through Ξ (Harris et al., Pure Appl. Chem. 73, 1795 (2001); 80, 59 (2008)). Toxic primary
references are replaced in practice by secondary standards of known shift; the paper
(Piveteau et al., JACS 2015, SI sections IV-V) uses Na₂SeO₃ (1260 ppm vs Me₂Se),
Cd(ClO₄)₂·6H₂O (−641 ppm vs Me₂Cd) and Te(OH)₆ (713 ppm vs Me₂Te), and SI Table S1
(after Duncan) relates the common Cd references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from qdkit import nuclei
from qdkit.dataset import Meta, Spectrum
from qdkit.errors import ProcessingError
from qdkit.processing.recipe import step

__all__ = [
    "Standard",
    "STANDARDS",
    "standard",
    "convert",
    "xi_reference_mhz",
    "basic_frequency_mhz",
    "sr_hz",
    "reference_sr",
    "reference_unified",
    "reference_to_standard",
    "change_reference_compound",
]


@dataclass(frozen=True)
class Standard:
    """A reference compound and its shift on the IUPAC (primary reference) scale.

    Attributes
    ----------
    name : str
        The compound (``"Me2Cd"``).
    nuclei : tuple of str
        The isotopes it references.
    shift_ppm : float
        Its shift on the primary scale, ppm.
    source : str
        Where the shift comes from.
    """

    name: str
    nuclei: tuple[str, ...]
    shift_ppm: float
    source: str


#: Reference compounds: primary ones at 0 ppm and the paper's secondary standards.
#: Cd entries are SI Table S1 (Duncan, *A Compilation of Chemical Shift Anisotropies*,
#: Farragut Press 1990, p. 157) expressed against Me₂Cd; the paper applies them to both
#: ¹¹¹Cd and ¹¹³Cd.
STANDARDS: tuple[Standard, ...] = (
    Standard("Me2Cd", ("111Cd", "113Cd"), 0.0, "IUPAC primary reference"),
    Standard("CdCl2", ("111Cd", "113Cd"), -435.0, "SI Table S1"),
    Standard("Cd(ClO4)2·6H2O", ("111Cd", "113Cd"), -641.0, "SI Table S1; paper SI IV-V secondary standard"),
    Standard("0.1 M Cd(ClO4)2", ("111Cd", "113Cd"), -641.0, "SI Table S1"),
    Standard("Cd(NO3)2·4H2O", ("111Cd", "113Cd"), -741.0, "SI Table S1"),
    Standard("Me2Se", ("77Se",), 0.0, "IUPAC primary reference"),
    Standard("Na2SeO3", ("77Se",), 1260.0, "paper SI IV-V secondary standard"),
    Standard("Me2Te", ("125Te",), 0.0, "IUPAC primary reference"),
    Standard("Te(OH)6", ("125Te",), 713.0, "paper SI V secondary standard"),
    Standard("TMS", ("1H", "13C", "29Si"), 0.0, "IUPAC primary reference"),
    Standard("H3PO4 85%", ("31P",), 0.0, "IUPAC primary reference"),
)

#: Other spellings met in papers and notebooks -> canonical name (the paper writes "NaSeO3").
_ALIASES = {
    "naseo3": "Na2SeO3",
    "sodiumselenite": "Na2SeO3",
    "dimethylcadmium": "Me2Cd",
    "cd(ch3)2": "Me2Cd",
    "dimethylselenide": "Me2Se",
    "se(ch3)2": "Me2Se",
    "dimethyltelluride": "Me2Te",
    "te(ch3)2": "Me2Te",
    "telluricacid": "Te(OH)6",
    "h6teo6": "Te(OH)6",
    "cd(clo4)2.6h2o": "Cd(ClO4)2·6H2O",
    "0.1mcd(clo4)2": "0.1 M Cd(ClO4)2",
    "cd(no3)2.4h2o": "Cd(NO3)2·4H2O",
    "h3po4": "H3PO4 85%",
    "tetramethylsilane": "TMS",
    "me4si": "TMS",
}


def _key(name: str) -> str:
    s = str(name).strip().lower()
    s = re.sub(r"[\s_]", "", s)
    s = s.replace("·", ".").replace("*", ".").replace("•", ".")
    s = s.translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
    return s


_BY_KEY = {_key(s.name): s for s in STANDARDS}
for _alias, _name in _ALIASES.items():
    _BY_KEY[_key(_alias)] = next(s for s in STANDARDS if s.name == _name)


def standard(name: str, nucleus: str | None = None) -> Standard:
    """Look up a reference compound by name (spelling variants accepted).

    Parameters
    ----------
    name : str
        The compound.
    nucleus : str, optional
        Check that the compound references this isotope.

    Returns
    -------
    Standard

    Raises
    ------
    ProcessingError
        If the compound is unknown, or is not a reference for ``nucleus``.
    """
    std = _BY_KEY.get(_key(name))
    if std is None:
        known = ", ".join(s.name for s in STANDARDS)
        raise ProcessingError(f"Unknown reference compound {name!r}. Known: {known}.")
    if nucleus is not None:
        label = nuclei.normalize_label(nucleus)
        if label not in std.nuclei:
            raise ProcessingError(
                f"{std.name} is a reference for {', '.join(std.nuclei)}, not {label}. "
                f"References for {label}: {', '.join(s.name for s in STANDARDS if label in s.nuclei) or 'none tabulated'}."
            )
    return std


def convert(ppm, nucleus: str, from_ref: str, to_ref: str, *, frequency_exact: bool = False):
    """Re-express chemical shifts measured against ``from_ref`` against ``to_ref``.

    δ_to = δ_from + δ(from_ref) − δ(to_ref), with δ(X) the shift of compound X on the
    primary scale (additive, the way SI Table S1 is written). ``frequency_exact=True`` uses
    the exact relation (1 + δ_to) = (1 + δ_from)(1 + δ(from_ref)) / (1 + δ(to_ref)) (δ in
    units of 1e-6), which differs by about δ·Δ·1e-6 ppm (0.2 ppm for −317 ppm and Δ = 641).

    Parameters
    ----------
    ppm : float or array_like
        Shifts against ``from_ref``.
    nucleus : str
        The isotope.
    from_ref, to_ref : str
        Reference compounds (see :func:`standard`).
    frequency_exact : bool, default False
        Use the exact relation instead of the additive one.

    Returns
    -------
    float or numpy.ndarray
        Shifts against ``to_ref``.

    Examples
    --------
    >>> convert(-317.0, "113Cd", "Me2Cd", "Cd(ClO4)2·6H2O")
    324.0
    """
    a = standard(from_ref, nucleus).shift_ppm
    b = standard(to_ref, nucleus).shift_ppm
    x = np.asarray(ppm, dtype=float)
    if frequency_exact:
        out = ((1 + x * 1e-6) * (1 + a * 1e-6) / (1 + b * 1e-6) - 1) * 1e6
    else:
        out = x + (a - b)
    return float(out) if out.ndim == 0 else out


def xi_reference_mhz(nucleus: str, proton_reference_mhz: float) -> float:
    """IUPAC unified scale: ν_ref(X) = Ξ_X/100 · ν(¹H of TMS), MHz.

    Parameters
    ----------
    nucleus : str
        The isotope (``"113Cd"``).
    proton_reference_mhz : float
        ¹H frequency of TMS on the same magnet, MHz.

    Returns
    -------
    float
        Reference (0 ppm) frequency of ``nucleus``, MHz.
    """
    return nuclei.get(nucleus).xi_percent / 100.0 * float(proton_reference_mhz)


def basic_frequency_mhz(meta: Meta) -> float:
    """Bruker BF1, the spectrometer's basic frequency: SFO1 − O1.

    Parameters
    ----------
    meta : Meta
        Supplies ``larmor_mhz`` (SFO1) and ``o1_hz``.

    Returns
    -------
    float
        MHz.

    Raises
    ------
    ProcessingError
        When the carrier frequency is unknown.
    """
    if meta.larmor_mhz is None:
        raise ProcessingError("The carrier frequency (meta.larmor_mhz, SFO1) is unknown; cannot place the reference.")
    return float(meta.larmor_mhz) - float(meta.o1_hz or 0.0) * 1e-6


def sr_hz(meta: Meta) -> float:
    """TopSpin's SR: the reference frequency's offset from BF1, Hz (SF = BF1 + SR).

    Parameters
    ----------
    meta : Meta
        Supplies the reference and carrier frequencies.

    Returns
    -------
    float
        Hz.

    Raises
    ------
    ProcessingError
        Without a reference frequency.
    """
    if meta.reference_mhz is None:
        raise ProcessingError("The spectrum has no reference frequency (meta.reference_mhz).")
    return (float(meta.reference_mhz) - basic_frequency_mhz(meta)) * 1e6


def _with_reference(spec: Spectrum, reference_mhz: float) -> Spectrum:
    """Same frequencies, new 0 ppm: hz is re-expressed relative to ``reference_mhz``."""
    old = spec.meta.reference_mhz
    if old is None:
        raise ProcessingError("The spectrum has no reference frequency (meta.reference_mhz) to change.")
    if not reference_mhz > 0:
        raise ProcessingError(f"A reference frequency must be positive, got {reference_mhz} MHz.")
    hz = spec.hz + (float(old) - float(reference_mhz)) * 1e6
    return spec.replace(hz=hz, meta=spec.meta.replace(reference_mhz=float(reference_mhz)))


def _nucleus_of(spec: Spectrum, nucleus: str | None) -> str:
    label = nucleus or spec.meta.nucleus
    if not label:
        raise ProcessingError("The spectrum's nucleus is unknown; pass nucleus='113Cd' (for example).")
    return nuclei.normalize_label(label)


@step
def reference_sr(spec: Spectrum, *, sr_hz: float) -> Spectrum:
    """Put 0 ppm at BF1 + ``sr_hz`` (TopSpin's SR convention: SF = BF1 + SR).

    Parameters
    ----------
    spec : Spectrum
        The spectrum to re-reference.
    sr_hz : float
        TopSpin's SR, Hz.

    Returns
    -------
    Spectrum
    """
    return _with_reference(spec, basic_frequency_mhz(spec.meta) + float(sr_hz) * 1e-6)


@step
def reference_unified(spec: Spectrum, *, proton_reference_mhz: float, nucleus: str | None = None) -> Spectrum:
    """IUPAC unified scale: 0 ppm at Ξ·ν(¹H TMS), from the ¹H frequency of TMS measured on
    the same magnet (indirect referencing; Harris et al. 2001).

    Parameters
    ----------
    spec : Spectrum
        The spectrum to re-reference.
    proton_reference_mhz : float
        ¹H frequency of TMS, MHz.
    nucleus : str, optional
        The observed isotope (default: the spectrum's).

    Returns
    -------
    Spectrum
    """
    return _with_reference(spec, xi_reference_mhz(_nucleus_of(spec, nucleus), proton_reference_mhz))


@step
def reference_to_standard(
    spec: Spectrum, *, standard_name: str, observed_ppm: float, nucleus: str | None = None
) -> Spectrum:
    """Re-reference with a secondary standard measured under the same spectrometer settings.

    The standard's line appeared at ``observed_ppm`` on the spectrum's current scale; after
    this step it sits at its tabulated shift (e.g. Na₂SeO₃ at 1260 ppm vs Me₂Se), i.e.
    ν_ref = ν_std / (1 + δ_std·1e-6) with ν_std = ν_ref,old (1 + δ_obs·1e-6).

    Parameters
    ----------
    spec : Spectrum
        The spectrum to re-reference.
    standard_name : str
        The secondary standard (see :func:`standard`).
    observed_ppm : float
        Where its line appeared on the current scale, ppm.
    nucleus : str, optional
        The observed isotope (default: the spectrum's).

    Returns
    -------
    Spectrum

    Raises
    ------
    ProcessingError
        Without a reference frequency or a known nucleus.
    """
    std = standard(standard_name, _nucleus_of(spec, nucleus))
    old = spec.meta.reference_mhz
    if old is None:
        raise ProcessingError("The spectrum has no reference frequency (meta.reference_mhz) to change.")
    nu_std = float(old) * (1 + float(observed_ppm) * 1e-6)
    return _with_reference(spec, nu_std / (1 + std.shift_ppm * 1e-6))


@step
def change_reference_compound(spec: Spectrum, *, from_ref: str, to_ref: str, nucleus: str | None = None) -> Spectrum:
    """Re-express a spectrum referenced to ``from_ref`` against ``to_ref`` (e.g. CdCl2 → Me2Cd,
    SI Table S1). Frequency-exact: the ppm axis moves by δ(from_ref) − δ(to_ref) up to the
    δ·Δ·1e-6 term noted in :func:`convert`.

    Parameters
    ----------
    spec : Spectrum
        The spectrum to re-reference.
    from_ref, to_ref : str
        The current and the wanted reference compounds.
    nucleus : str, optional
        The observed isotope (default: the spectrum's).

    Returns
    -------
    Spectrum

    Raises
    ------
    ProcessingError
        Without a reference frequency or a known nucleus.
    """
    label = _nucleus_of(spec, nucleus)
    a = standard(from_ref, label).shift_ppm
    b = standard(to_ref, label).shift_ppm
    old = spec.meta.reference_mhz
    if old is None:
        raise ProcessingError("The spectrum has no reference frequency (meta.reference_mhz) to change.")
    # ν_from = ν_P (1 + a), ν_to = ν_P (1 + b)
    return _with_reference(spec, float(old) * (1 + b * 1e-6) / (1 + a * 1e-6))
