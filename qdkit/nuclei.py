"""Isotope table: spin, gyromagnetic ratio, natural abundance and IUPAC reference frequencies.

Ξ values are the IUPAC unified-scale frequency ratios (Harris et al., Pure Appl. Chem. 73,
1795 (2001) and 80, 59 (2008)), in percent of the 1H frequency of TMS in the same field.
Gyromagnetic ratios and quadrupole moments are the tabulated values quoted there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .errors import UnknownNucleusError

#: γ/2π of the bare proton, MHz/T (CODATA).
PROTON_GAMMA_MHZ_T = 42.577478
#: Shielding of the TMS protons, ppm: the proton in a spherical water sample at 25 °C is
#: shielded by 25.69 ppm (Phillips, Cooke & Kleppner, Metrologia 13, 179 (1977); CODATA's
#: σ'_p) and water resonates 4.79 ppm above TMS (Gottlieb, Kotlyar & Nudelman, J. Org.
#: Chem. 62, 7512 (1997)), so σ(TMS) ≈ 30.48 ppm (±0.1 ppm with the sample's bulk
#: susceptibility and solvent).
TMS_PROTON_SHIELDING_PPM = 25.69 + 4.79
#: Frequency per tesla of the ¹H of TMS, MHz/T: the Ξ = 100 % of the IUPAC unified scale
#: (Harris et al., Pure Appl. Chem. 73, 1795 (2001)). Every ν_ref = Ξ/100 · this · B0.
TMS_PROTON_MHZ_T = PROTON_GAMMA_MHZ_T * (1.0 - TMS_PROTON_SHIELDING_PPM * 1e-6)
#: γ of the free electron, rad s⁻¹ T⁻¹ (negative: its magnetic moment opposes its spin).
ELECTRON_GAMMA = -1.76085963e11


@dataclass(frozen=True)
class Nucleus:
    """One NMR-active isotope.

    Attributes
    ----------
    label : str
        Mass number then symbol, e.g. ``"113Cd"``.
    spin : Fraction
        Nuclear spin quantum number I.
    gamma : float
        Gyromagnetic ratio in rad s⁻¹ T⁻¹ (sign included).
    abundance : float
        Natural abundance, percent.
    xi_percent : float
        IUPAC Ξ of the recommended reference compound, percent of the TMS 1H frequency.
    reference : str
        The compound Ξ refers to (0 ppm).
    q_fm2 : float
        Quadrupole moment in fm² (0 for spin-1/2).
    """

    label: str
    spin: Fraction
    gamma: float
    abundance: float
    xi_percent: float
    reference: str
    q_fm2: float = 0.0

    @property
    def mass_number(self) -> int:
        return int(re.match(r"\d+", self.label).group())

    @property
    def symbol(self) -> str:
        return self.label.lstrip("0123456789")

    @property
    def gamma_mhz_t(self) -> float:
        """γ/2π in MHz/T, signed."""
        return self.gamma / (2e6 * 3.141592653589793)

    @property
    def is_quadrupolar(self) -> bool:
        return self.spin > Fraction(1, 2)

    def reference_mhz(self, field_T: float) -> float:
        """Frequency of this nucleus' 0 ppm (IUPAC Ξ scale) at ``field_T``, MHz (positive).

        Parameters
        ----------
        field_T : float
            Magnetic field, T.

        Returns
        -------
        float

        Examples
        --------
        >>> round(get("1H").reference_mhz(9.4), 2)
        400.22
        """
        return self.xi_percent / 100.0 * TMS_PROTON_MHZ_T * field_T

    def larmor_mhz(self, field_T: float) -> float:
        """Bare Larmor frequency |γ|B0/2π, MHz. Prefer :meth:`reference_mhz` for ppm axes.

        Parameters
        ----------
        field_T : float
            Magnetic field, T.

        Returns
        -------
        float
        """
        return abs(self.gamma_mhz_t) * field_T


def _n(label, spin, gamma7, abundance, xi, reference, q=0.0):
    return Nucleus(label, Fraction(spin), gamma7 * 1e7, abundance, xi, reference, q)


_TABLE = [
    _n("1H", "1/2", 26.7522128, 99.9885, 100.000000, "TMS"),
    _n("2H", "1", 4.10662791, 0.0115, 15.350609, "TMS-d12", 0.286),
    _n("6Li", "1", 3.9371709, 7.59, 14.716086, "LiCl 9.7 m in D2O", -0.0808),
    _n("7Li", "3/2", 10.3977013, 92.41, 38.863797, "LiCl 9.7 m in D2O", -4.01),
    _n("11B", "3/2", 8.5847044, 80.1, 32.083974, "BF3·Et2O", 4.059),
    _n("13C", "1/2", 6.728284, 1.07, 25.145020, "TMS"),
    _n("14N", "1", 1.9337792, 99.636, 7.226317, "MeNO2", 2.044),
    _n("15N", "1/2", -2.71261804, 0.364, 10.136767, "MeNO2"),
    _n("17O", "5/2", -3.62808, 0.038, 13.556457, "H2O", -2.558),
    _n("19F", "1/2", 25.18148, 100.0, 94.094011, "CCl3F"),
    _n("23Na", "3/2", 7.0808493, 100.0, 26.451900, "NaCl 0.1 M in D2O", 10.4),
    _n("27Al", "5/2", 6.9762715, 100.0, 26.056859, "Al(NO3)3 1.1 m in D2O", 14.66),
    _n("29Si", "1/2", -5.3190, 4.6832, 19.867187, "TMS"),
    _n("31P", "1/2", 10.8394, 100.0, 40.480742, "H3PO4 85%"),
    _n("35Cl", "3/2", 2.624198, 75.76, 9.797909, "NaCl 0.1 M in D2O", -8.165),
    _n("51V", "7/2", 7.0455117, 99.750, 26.302948, "VOCl3", -5.2),
    _n("63Cu", "3/2", 7.1117890, 69.15, 26.515473, "[Cu(MeCN)4]ClO4", -22.0),
    _n("65Cu", "3/2", 7.60435, 30.85, 28.403693, "[Cu(MeCN)4]ClO4", -20.4),
    _n("67Zn", "5/2", 1.676688, 4.04, 6.256803, "Zn(NO3)2 in D2O", 15.0),
    _n("69Ga", "3/2", 6.438855, 60.108, 24.001354, "Ga(NO3)3 in D2O", 17.1),
    _n("71Ga", "3/2", 8.181171, 39.892, 30.496704, "Ga(NO3)3 in D2O", 10.7),
    _n("75As", "3/2", 4.596163, 100.0, 17.122614, "NaAsF6 in MeCN", 31.4),
    _n("77Se", "1/2", 5.1253857, 7.63, 19.071513, "Me2Se"),
    _n("79Br", "3/2", 6.725616, 50.69, 25.053980, "NaBr 0.01 M in D2O", 31.3),
    _n("81Br", "3/2", 7.249776, 49.31, 27.006518, "NaBr 0.01 M in D2O", 26.2),
    _n("87Rb", "3/2", 8.786400, 27.83, 32.720454, "RbCl 0.01 M in D2O", 13.35),
    _n("89Y", "1/2", -1.3162791, 100.0, 4.900198, "Y(NO3)3 in D2O"),
    _n("93Nb", "9/2", 6.5674, 100.0, 24.476170, "K[NbCl6] in MeCN", -32.0),
    _n("109Ag", "1/2", -1.2518634, 48.161, 4.653533, "AgNO3 in D2O"),
    _n("111Cd", "1/2", -5.6983131, 12.80, 21.215480, "Me2Cd"),
    _n("113Cd", "1/2", -5.9609155, 12.22, 22.193175, "Me2Cd"),
    _n("115In", "9/2", 5.8972, 95.71, 21.912629, "In(NO3)3 in D2O", 77.0),
    _n("117Sn", "1/2", -9.58879, 7.68, 35.632259, "Me4Sn"),
    _n("119Sn", "1/2", -10.0317, 8.59, 37.290632, "Me4Sn"),
    _n("125Te", "1/2", -8.5108404, 7.07, 31.549769, "Me2Te"),
    _n("133Cs", "7/2", 3.5332539, 100.0, 13.116142, "CsNO3 0.1 M in D2O", -0.343),
    _n("195Pt", "1/2", 5.8385, 33.832, 21.496784, "Na2PtCl6 1.2 M in D2O"),
    _n("199Hg", "1/2", 4.8457916, 16.87, 17.910822, "Me2Hg"),
    _n("205Tl", "1/2", 15.69221, 70.476, 57.683838, "Tl(NO3) in D2O"),
    _n("207Pb", "1/2", 5.58046, 22.1, 20.920599, "Me4Pb"),
]

NUCLEI: dict[str, Nucleus] = {n.label: n for n in _TABLE}

_LABEL = re.compile(r"^\^?\s*(\d+)\s*([A-Za-z]{1,2})$|^([A-Za-z]{1,2})\s*-?\s*(\d+)$")


def normalize_label(text: str) -> str:
    """Return the canonical ``"113Cd"`` form of labels like ``"Cd113"``, ``"^113cd"``, ``"cd-113"``.

    Parameters
    ----------
    text : str
        A label as people write it.

    Returns
    -------
    str

    Raises
    ------
    UnknownNucleusError
        When the text is not a mass number and an element.

    Examples
    --------
    >>> normalize_label("cd-113")
    '113Cd'
    """
    s = str(text).strip().replace("<", "").replace(">", "")
    m = _LABEL.match(s)
    if not m:
        raise UnknownNucleusError(
            f"{text!r} is not a nucleus label; write the mass number then the element, e.g. '113Cd'."
        )
    mass, sym = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return f"{int(mass)}{sym.capitalize()}"


def get(label: str | Nucleus) -> Nucleus:
    """Look up a nucleus by label (``"113Cd"``, ``"Cd113"``, ...).

    Parameters
    ----------
    label : str or Nucleus
        The isotope (a Nucleus is returned as it is).

    Returns
    -------
    Nucleus
        Spin, γ, natural abundance and Ξ.

    Raises
    ------
    UnknownNucleusError
        If the label is not understood or the isotope is not tabulated.
    """
    if isinstance(label, Nucleus):
        return label
    key = normalize_label(label)
    try:
        return NUCLEI[key]
    except KeyError:
        known = ", ".join(NUCLEI)
        raise UnknownNucleusError(
            f"Nucleus {label!r} is not in qdkit's isotope table. Known nuclei: {known}. "
            "Check NUC1 in acqus, or pass the nucleus explicitly."
        ) from None


def field_from_proton_mhz(proton_mhz: float) -> float:
    """Magnetic field in tesla of a spectrometer whose 1H (TMS) frequency is ``proton_mhz``.

    Parameters
    ----------
    proton_mhz : float
        ¹H frequency of TMS, MHz.

    Returns
    -------
    float
    """
    return proton_mhz / TMS_PROTON_MHZ_T


def field_from_reference(nucleus: str | Nucleus, reference_mhz: float) -> float:
    """Field in tesla from a nucleus' 0-ppm frequency (e.g. Bruker BF1), via its Ξ.

    Parameters
    ----------
    nucleus : str or Nucleus
        The isotope.
    reference_mhz : float
        Its 0-ppm frequency, MHz.

    Returns
    -------
    float
    """
    nuc = get(nucleus)
    return reference_mhz / (nuc.xi_percent / 100.0) / TMS_PROTON_MHZ_T


def nucleus_from_frequency(reference_mhz: float, field_T: float, tolerance: float = 0.002):
    """Nuclei whose Ξ puts their 0 ppm within ``tolerance`` (relative) of ``reference_mhz``.

    Parameters
    ----------
    reference_mhz : float
        A 0-ppm (or base) frequency, MHz.
    field_T : float
        Magnetic field, T.
    tolerance : float, default 0.002
        Relative tolerance on Ξ.

    Returns
    -------
    list of Nucleus
        Closest first; empty when none fits.
    """
    proton = field_T * TMS_PROTON_MHZ_T
    ratio = 100.0 * reference_mhz / proton
    hits = [n for n in _TABLE if abs(n.xi_percent - ratio) <= tolerance * n.xi_percent]
    return sorted(hits, key=lambda n: abs(n.xi_percent - ratio))
