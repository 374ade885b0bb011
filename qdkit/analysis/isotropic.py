"""Tell isotropic peaks from spinning sidebands using spectra at two or more MAS rates.

An isotropic peak stays at the same ppm whatever the spinning rate; a sideband of order k
sits k·ν_r/ν_ref away from its isotropic peak and so moves by k·Δν_r/ν_ref when the rate
changes (the method of the paper's SI Figure S7, 113Cd of ZB-CdSe at 10 and 12.5 kHz).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.signal import find_peaks

from qdkit.analysis.fit import noise_sigma
from qdkit.errors import ModelParameterError

__all__ = ["Peak", "IsotropicPeak", "SidebandAnalysis", "pick_peaks", "identify_isotropic_peaks"]


@dataclass(frozen=True)
class Peak:
    """One picked peak: which spectrum, where (ppm, refined between points), how tall.

    Attributes
    ----------
    spectrum : int
        Index of the spectrum it was picked in.
    ppm : float
        Position, ppm.
    height : float
        Intensity at the top.
    mas_hz : float
        Spinning rate of that spectrum, Hz.
    """

    spectrum: int
    ppm: float
    height: float
    mas_hz: float


@dataclass(frozen=True)
class IsotropicPeak:
    """An isotropic shift with the sidebands found for it in every spectrum.

    ``sidebands`` holds ``(order, peak)`` pairs, order k ≠ 0 (positive = higher ppm).

    Attributes
    ----------
    ppm : float
        The isotropic shift, ppm.
    centre_peaks : tuple of Peak
        Its centre band in each spectrum.
    sidebands : tuple of (int, Peak)
        Sideband order and peak.
    """

    ppm: float
    centre_peaks: tuple[Peak, ...]
    sidebands: tuple[tuple[int, Peak], ...]

    def orders(self, spectrum: int) -> list[int]:
        """Sideband orders seen in spectrum number ``spectrum``.

        Parameters
        ----------
        spectrum : int
            Index of the spectrum.

        Returns
        -------
        list of int
        """
        return sorted(k for k, p in self.sidebands if p.spectrum == spectrum)

    def manifold(self, spectrum: int) -> tuple[float, np.ndarray, np.ndarray]:
        """``(mas_hz, orders, heights)`` of spectrum ``spectrum``, centre band included —
        the input of :func:`qdkit.fit.fit_sideband_intensities`.

        Parameters
        ----------
        spectrum : int
            Index of the spectrum.

        Returns
        -------
        (mas_hz, orders, heights) : tuple
        """
        centre = self.centre_peaks[spectrum]
        bands = sorted(
            [(0, centre)] + [(k, p) for k, p in self.sidebands if p.spectrum == spectrum], key=lambda kp: kp[0]
        )
        return (centre.mas_hz, np.array([k for k, _ in bands]), np.array([p.height for _, p in bands]))


@dataclass(frozen=True)
class SidebandAnalysis:
    """Result of :func:`identify_isotropic_peaks`.

    Attributes
    ----------
    isotropic : tuple of IsotropicPeak
        The isotropic peaks found, with their sidebands.
    unassigned : tuple of Peak
        Peaks no isotropic peak explains.
    tolerance_ppm : float
        The matching tolerance used.
    """

    isotropic: tuple[IsotropicPeak, ...]
    unassigned: tuple[Peak, ...]
    tolerance_ppm: float

    @property
    def isotropic_ppm(self) -> list[float]:
        return [p.ppm for p in self.isotropic]

    def summary(self) -> str:
        """One line per isotropic peak (shift, number of sidebands), then the unassigned peaks.

        Returns
        -------
        str
        """
        lines = []
        for iso in self.isotropic:
            n = len(iso.sidebands)
            lines.append(f"isotropic {iso.ppm:8.2f} ppm with {n} sideband peak(s)")
        if self.unassigned:
            lines.append(
                f"{len(self.unassigned)} peak(s) not explained: " + ", ".join(f"{p.ppm:.1f}" for p in self.unassigned)
            )
        return "\n".join(lines)


def pick_peaks(
    ppm, y, *, relative_height: float = 0.01, min_snr: float = 8.0, spectrum: int = 0, mas_hz: float = float("nan")
) -> list[Peak]:
    """Peaks above ``relative_height`` × tallest and ``min_snr`` × noise, positions refined
    by a parabola through the top three points.

    Parameters
    ----------
    ppm, y : array_like
        Axis and real intensities (1-D, same length).
    relative_height : float, default 0.01
        Threshold as a fraction of the tallest point.
    min_snr : float, default 8
        Threshold in units of the noise σ.
    spectrum : int, default 0
        Index recorded in each :class:`Peak`.
    mas_hz : float, optional
        Spinning rate recorded in each :class:`Peak`.

    Returns
    -------
    list of Peak

    Raises
    ------
    ModelParameterError
        When the arrays are not 1-D and of equal length.
    """
    ppm = np.asarray(ppm, dtype=float)
    y = np.asarray(y, dtype=float)
    if ppm.shape != y.shape or ppm.ndim != 1:
        raise ModelParameterError("ppm and intensity arrays must be 1-D and of equal length.")
    floor = max(relative_height * y.max(), min_snr * noise_sigma(ppm, y))
    # a peak must stand out of its surroundings by the whole threshold, not just reach it
    idx, _ = find_peaks(y, height=floor, prominence=floor)
    out = []
    step = ppm[1] - ppm[0]
    for i in idx:
        if 0 < i < y.size - 1:
            a, b, c = y[i - 1], y[i], y[i + 1]
            denom = a - 2 * b + c
            shift = 0.5 * (a - c) / denom if denom != 0 else 0.0
        else:
            shift = 0.0
        out.append(Peak(spectrum, float(ppm[i] + shift * step), float(y[i]), float(mas_hz)))
    return out


def _unpack(spectra, mas_hz, reference_mhz):
    items = []
    refs = []
    for j, spec in enumerate(spectra):
        if hasattr(spec, "meta") and hasattr(spec, "ppm"):
            ppm, y = np.asarray(spec.ppm), np.asarray(spec.real)
            rate = spec.meta.mas_hz if mas_hz is None else mas_hz[j]
            refs.append(spec.meta.reference_mhz)
        else:
            ppm, y, rate = spec
        if rate is None or not rate > 0:
            raise ModelParameterError(f"Spectrum {j} has no MAS rate; pass mas_hz=[...] (Hz) for every spectrum.")
        items.append((np.asarray(ppm, float), np.asarray(y, float), float(rate)))
    if reference_mhz is None:
        if not refs or any(r is None for r in refs):
            raise ModelParameterError("reference_mhz (the 0 ppm frequency, MHz) is needed to turn spin rates into ppm.")
        reference_mhz = float(np.mean(refs))
    return items, float(reference_mhz)


def identify_isotropic_peaks(
    spectra: Sequence,
    *,
    mas_hz: Sequence[float] | None = None,
    reference_mhz: float | None = None,
    tolerance_ppm: float | None = None,
    relative_height: float = 0.01,
    min_snr: float = 8.0,
) -> SidebandAnalysis:
    """Find the isotropic peaks in spectra of one sample recorded at several MAS rates.

    1. Peaks are picked in each spectrum (:func:`pick_peaks`).
    2. A peak found at the same ppm (within ``tolerance_ppm``) in every spectrum is a
       candidate isotropic peak.
    3. Commensurate rates (e.g. 5 and 10 kHz) also leave some sidebands in place: a
       candidate lying an integer number of spinning periods from another candidate in
       every spectrum belongs to the same family, and of each family the member nearest
       the family's intensity-weighted centre (the first moment of a MAS spectrum is the
       isotropic shift) is kept.
    4. Every other peak is assigned to the isotropic peak and order k that place it within
       tolerance at δiso + k·ν_r/ν_ref; the rest are returned as unassigned.

    Parameters
    ----------
    spectra : sequence
        Either qdkit ``Spectrum`` objects (MAS rate and reference frequency from their
        metadata) or ``(ppm, intensity, mas_hz)`` tuples.
    mas_hz : sequence of float, optional
        Spinning rates overriding the metadata.
    reference_mhz : float, optional
        Frequency of 0 ppm (needed with tuples).
    tolerance_ppm : float, optional
        How far a peak may wander and still count as "the same"; default a fifth of the
        smallest shift a first-order sideband makes between two of the rates.
    relative_height, min_snr
        Peak-picking thresholds.

    Returns
    -------
    SidebandAnalysis

    Raises
    ------
    ModelParameterError
        With fewer than two spectra, equal rates, or a missing rate or reference frequency.
    """
    if len(spectra) < 2:
        raise ModelParameterError("Isotropic peaks need spectra at two or more MAS rates.")
    items, ref = _unpack(spectra, mas_hz, reference_mhz)
    rates = [r for _, _, r in items]
    if len(set(rates)) < len(rates):
        raise ModelParameterError(f"The MAS rates must all differ, got {rates} Hz.")
    if tolerance_ppm is None:
        smallest = min(abs(a - b) for a, b in combinations(rates, 2)) / ref
        steps = [abs(p[1] - p[0]) for p, _, _ in items]
        tolerance_ppm = max(0.2 * smallest, 2.0 * max(steps))
    tol = float(tolerance_ppm)
    peaks = [
        pick_peaks(p, y, relative_height=relative_height, min_snr=min_snr, spectrum=j, mas_hz=r)
        for j, (p, y, r) in enumerate(items)
    ]
    spacing = [r / ref for r in rates]

    def nearest(peak_list, target):
        if not peak_list:
            return None
        best = min(peak_list, key=lambda p: abs(p.ppm - target))
        return best if abs(best.ppm - target) <= tol else None

    # 2. candidates: present in every spectrum at the same place
    candidates = []
    for p in sorted(peaks[0], key=lambda p: -p.height):
        matches = [p] + [nearest(peaks[j], p.ppm) for j in range(1, len(items))]
        if all(m is not None for m in matches):
            candidates.append(matches)

    def same_family(a, b) -> bool:
        diff = a[0].ppm - b[0].ppm
        return all(abs(diff / s - round(diff / s)) * s <= tol and round(diff / s) != 0 for s in spacing)

    # 3. group candidates related by whole spinning periods in every spectrum
    families: list[list] = []
    for cand in candidates:
        for fam in families:
            if any(same_family(cand, other) for other in fam):
                fam.append(cand)
                break
        else:
            families.append([cand])
    isotropic_sets = []
    for fam in families:
        if len(fam) == 1:
            isotropic_sets.append(fam[0])
            continue
        anchor = fam[0][0].ppm
        # first moment of the family's peaks in the first spectrum
        members = [
            p
            for p in peaks[0]
            if abs((p.ppm - anchor) / spacing[0] - round((p.ppm - anchor) / spacing[0])) * spacing[0] <= tol
        ]
        weights = np.array([p.height for p in members])
        centre = float(np.dot(weights, [p.ppm for p in members]) / weights.sum())
        isotropic_sets.append(min(fam, key=lambda c: abs(c[0].ppm - centre)))

    # 4. assign sidebands
    used = {id(p) for s in isotropic_sets for p in s}
    assigned: dict[int, list] = {i: [] for i in range(len(isotropic_sets))}
    unassigned = []
    for j, plist in enumerate(peaks):
        for p in plist:
            if id(p) in used:
                continue
            best = None
            for i, iso_set in enumerate(isotropic_sets):
                k = round((p.ppm - iso_set[j].ppm) / spacing[j])
                miss = abs(p.ppm - iso_set[j].ppm - k * spacing[j])
                if k != 0 and miss <= tol and (best is None or miss < best[2]):
                    best = (i, k, miss)
            if best is None:
                unassigned.append(p)
            else:
                assigned[best[0]].append((best[1], p))
    result = tuple(
        IsotropicPeak(
            ppm=float(np.mean([p.ppm for p in iso_set])),
            centre_peaks=tuple(iso_set),
            sidebands=tuple(sorted(assigned[i], key=lambda kp: (kp[1].spectrum, kp[0]))),
        )
        for i, iso_set in enumerate(isotropic_sets)
    )
    result = tuple(sorted(result, key=lambda r: -max(p.height for p in r.centre_peaks)))
    return SidebandAnalysis(isotropic=result, unassigned=tuple(unassigned), tolerance_ppm=tol)
