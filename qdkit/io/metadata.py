"""Metadata heuristics shared by every reader: nucleus, spin rate, microwaves, synthetic data.

Vendor files are often stale or contradictory; these functions decide which value to trust
and explain the choice in notes that end up in ``meta.warnings``.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qdkit import nuclei
from qdkit.errors import QdkitWarning, UnknownNucleusError
from qdkit.io.params import num, num_at

__all__ = [
    "warn_notes",
    "nucleus_label",
    "identify_nucleus",
    "mas_from_title",
    "says_synthetic",
    "microwave_from_title",
    "spinning_rate",
]


def warn_notes(notes: list[str]) -> None:
    """Issue each note as a :class:`QdkitWarning` pointing at the caller's own code
    (the first frame outside the qdkit package), not at qdkit internals.

    Parameters
    ----------
    notes : list of str
        Messages, one warning each.
    """
    package = str(Path(__file__).resolve().parents[1])  # the qdkit package folder
    frame, level = sys._getframe(0), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(package):
        frame, level = frame.f_back, level + 1
    for note in notes:
        warnings.warn(note, QdkitWarning, stacklevel=level)


def nucleus_label(value: Any) -> str | None:
    """A channel's nucleus label (``NUC1`` ...) as text, or None for an unused channel.

    Parameters
    ----------
    value : object
        The parameter value (``"<13C>"``, ``"off"``, ``None`` ...).

    Returns
    -------
    str or None

    Examples
    --------
    >>> nucleus_label("<13C>"), nucleus_label("off")
    ('13C', None)
    """
    text = str(value or "").strip().strip("<>").strip()
    if not text or text.lower() == "off":
        return None
    return text


def identify_nucleus(nuc1: str | None, bf1_mhz: float, proton_mhz: float | None, where: str):
    """Nucleus and field of channel 1, trusting the frequency over the NUC1 label.

    TopSpin derives every base frequency from the spectrometer's 1H base frequency
    (a value given to 0.01 MHz, e.g. 500.13) times the nucleus' Ξ. So the right nucleus is
    the one whose Ξ maps BF1 back onto the 1H base: the 1H channel's BF where one is
    set, otherwise a round 0.01 MHz value.

    Parameters
    ----------
    nuc1 : str or None
        The NUC1 label.
    bf1_mhz : float
        Base frequency of channel 1, MHz.
    proton_mhz : float or None
        Base frequency of a 1H channel, MHz, where one is set.
    where : str
        The parameter file, for messages.

    Returns
    -------
    (label, field_T, notes) : tuple
        ``notes`` lists contradictions found.

    Raises
    ------
    UnknownNucleusError
        When no isotope in the table fits BF1.
    """
    notes: list[str] = []
    claimed = None
    if nuc1 is not None:
        try:
            claimed = nuclei.get(nuc1)
        except UnknownNucleusError:
            claimed = None
            notes.append(
                f"{where}: NUC1 = {nuc1!r} is not in qdkit's isotope table; "
                f"identified the nucleus from BF1 = {bf1_mhz} MHz."
            )

    def proton_base(nuc):
        return bf1_mhz / (nuc.xi_percent / 100.0)

    def fits(nuc):
        base = proton_base(nuc)
        # TopSpin computes BFn from the 1H base with the IUPAC Ξ: measured residuals are
        # ~1e-6 MHz, so the window is tight enough that chance matches are rare
        if proton_mhz:
            return abs(base - proton_mhz) <= 5e-8 * proton_mhz + 5e-6
        return abs(base - round(base, 2)) <= 5e-8 * base + 5e-6

    if claimed is not None and fits(claimed):
        return claimed.label, nuclei.field_from_reference(claimed, bf1_mhz), notes
    candidates = [n for n in nuclei.NUCLEI.values() if fits(n)]
    if proton_mhz is None and claimed is not None:
        # Without a 1H channel the round-number test is weaker; keep NUC1 unless exactly
        # one tabulated nucleus explains BF1 as a whole 0.01 MHz 1H base frequency.
        if len(candidates) != 1:
            return claimed.label, nuclei.field_from_reference(claimed, bf1_mhz), notes
    if not candidates:
        if claimed is not None:
            notes.append(
                f"{where}: BF1 = {bf1_mhz} MHz does not match NUC1 = {claimed.label} at the field "
                "of the 1H channel; kept NUC1."
            )
            return claimed.label, nuclei.field_from_reference(claimed, bf1_mhz), notes
        raise UnknownNucleusError(
            f"{where}: cannot tell the observed nucleus: NUC1 = {nuc1!r} and no tabulated nucleus "
            f"matches BF1 = {bf1_mhz} MHz. Add the isotope to qdkit.nuclei or fix NUC1 in acqus."
        )
    best = min(candidates, key=lambda n: abs(proton_base(n) - round(proton_base(n), 2)))
    if claimed is not None:
        notes.append(
            f"{where}: NUC1 says {claimed.label} but BF1 = {bf1_mhz} MHz is the {best.label} frequency "
            f"of a {proton_base(best):.2f} MHz (1H) magnet; using {best.label}."
        )
    return best.label, nuclei.field_from_reference(best, bf1_mhz), notes


_MAS_IN_TITLE = re.compile(
    r"(?:\bmas\b|spinning|spin rate|\bnu_?r\b|\bvr\b)\s*[:=@]?\s*(\d+(?:[.,]\d+)?)\s*(khz|hz)\b", re.IGNORECASE
)
_STATIC_IN_TITLE = re.compile(r"\bstatic\b|\bnon[- ]?spinning\b", re.IGNORECASE)
_MW_OFF = re.compile(
    r"\b(?:mw|microwaves?|[µμu]-?waves?|dnp)\s*off\b"
    r"|\bwithout microwaves?\b",
    re.IGNORECASE,
)
_MW_ON = re.compile(
    r"\b(?:mw|microwaves?|[µμu]-?waves?)\s*on\b|\bwith microwaves?\b"
    r"|\b(?:DNP|power|series),?\s+set\s+\d"  # Bridge12 ODNP titles: "DNP, set 20.0" (power setting)
    r"|\bmw[_ ]?\d+\s*dBm\b",
    re.IGNORECASE,
)


def mas_from_title(title: str) -> tuple[float | None, bool]:
    """MAS rate stated in a title, and whether the title says the sample was static.

    Parameters
    ----------
    title : str
        The experiment title.

    Returns
    -------
    (mas_hz, static) : tuple
        Rate in Hz or None; True when the title says static and never MAS.
    """
    m = _MAS_IN_TITLE.search(title)
    if m:
        value = float(m.group(1).replace(",", "."))
        return value * (1e3 if m.group(2).lower() == "khz" else 1.0), False
    # "static" on a line about the reference sample must not win over a MAS experiment
    says_mas = re.search(r"MAS", title) is not None
    return None, bool(_STATIC_IN_TITLE.search(title)) and not says_mas


def says_synthetic(title: str) -> bool:
    """True if the title declares the data simulated (qdkit's reference sets say 'SYNTHETIC').

    Parameters
    ----------
    title : str
        The experiment title.

    Returns
    -------
    bool
    """
    return re.search(r"\bsynthetic\b|\bsimulated\b", title or "", re.IGNORECASE) is not None


def microwave_from_title(title: str) -> bool | None:
    """Microwave state where the title says it (DNP experiments), else None.

    Parameters
    ----------
    title : str
        The experiment title.

    Returns
    -------
    bool or None
        True for microwaves on, False for off, None when the title does not say.
    """
    if _MW_OFF.search(title):
        return False
    if _MW_ON.search(title):
        return True
    return None


def _is_mas_probe(probhd: str) -> bool:
    return bool(re.search(r"\bMAS|\bCPMAS|\bHX\b|\bHXY\b|\bBL\d|\bDVT\b|\bWVT\b", probhd or "", re.IGNORECASE))


def spinning_rate(
    acqus: dict[str, Any], title: str, where: str, uses_cnst31: Callable[[], bool] = lambda: False
) -> tuple[float | None, list[str]]:
    """MAS rate in Hz from the title, CNST31 and MASR, cross-checked (stale MASR is common).

    Priority: a rate written in the title (the operator's note); then CNST31 where the
    pulse program times itself with it (``d31 = 1s/cnst31``: the sequence was set up for
    that rate, so a different MASR is the stale one); then MASR. A liquid-state probe gives
    None (MASR there is a left-over); a title saying "static" gives 0.

    Parameters
    ----------
    acqus : dict
        The acquisition parameters.
    title : str
        The experiment title.
    where : str
        The parameter file, for messages.
    uses_cnst31 : callable
        Asked (no arguments) only when CNST31 and MASR disagree: whether the pulse program
        times itself with CNST31 (it reads the pulse program).

    Returns
    -------
    (mas_hz, notes) : tuple
        Rate in Hz (None: unknown or not a MAS probe) and the contradictions found.
    """
    notes: list[str] = []
    masr = num(acqus, "MASR", 0.0)
    cnst31 = num_at(acqus.get("CNST"), 31, 0.0)
    title_rate, title_static = mas_from_title(title)
    pulprog = str(acqus.get("PULPROG", ""))
    title_static = title_static and "mas" not in pulprog.lower()
    probhd = str(acqus.get("PROBHD", ""))

    def differ(a, b):
        return abs(a - b) > 0.02 * max(a, b)

    cnst31_counts = cnst31 > 100 and (not masr > 1 or differ(cnst31, masr)) and uses_cnst31()
    if title_rate is not None:
        checks = [("MASR", masr)] + ([("CNST31", cnst31)] if cnst31_counts else [])
        for name, value in checks:
            if value > 1 and differ(value, title_rate):
                notes.append(
                    f"{where}: {name} = {value:g} Hz but the title says {title_rate:g} Hz MAS; using the title."
                )
        return title_rate, notes
    if title_static:
        if masr > 1:
            notes.append(f"{where}: MASR = {masr:g} Hz is stale; the title says the sample was static.")
        return 0.0, notes
    if not _is_mas_probe(probhd):
        return None, notes
    if cnst31_counts:
        if masr > 1:
            notes.append(
                f"{where}: MASR = {masr:g} Hz but the pulse program is timed for CNST31 = {cnst31:g} Hz; "
                "using CNST31 (MASR is often left over from an earlier run)."
            )
        return cnst31, notes
    return (masr if masr > 1 else 0.0), notes
