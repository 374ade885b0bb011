"""Two-dimensional spectra and pseudo-2D series.

2D: the direct dimension (F2) goes through the ordinary 1D steps of
:mod:`qdkit.processing`, which act on the last axis; :func:`transform_indirect` then turns
the t1 rows into an F1 spectrum according to the quadrature mode (Bruker FnMODE) and
returns a :class:`Spectrum2D` with both axes in ppm, ready for contour plots.
Pseudo-2D series (vdlist/vclist, Varian arrays) are split into 1D datasets with their delays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from qdkit import nuclei
from qdkit.dataset import Meta, Spectrum
from qdkit.errors import ProcessingError, UnknownNucleusError
from qdkit.io.bruker import FNMODES
from qdkit.processing.defaults import next_power_of_two
from qdkit.processing.fid import window_function
from qdkit.processing.measure import noise_rms
from qdkit.processing.recipe import step

__all__ = [
    "FNMODE_NAMES",
    "quadrature_mode",
    "Spectrum2D",
    "transform_indirect",
    "phase_2d",
    "projection",
    "noise_rms_2d",
    "contour_levels",
    "peak_position_ppm",
]


#: Bruker FnMODE codes (acqu2s) and the names qdkit uses for them.
#: Bruker FnMODE codes (acqu2s) and the lower-case names qdkit uses for them.
FNMODE_NAMES = {code: name.lower() for code, name in FNMODES.items()}
_COMPLEX_MODES = ("states", "states-tppi", "echo-antiecho")


def quadrature_mode(fnmode: str | int | None) -> str:
    """Normalise a quadrature mode: Bruker FnMODE code (0–6) or name, any case.

    ``"QF"`` (1): no F1 quadrature, the spectrum is mirrored about the carrier.
    ``"QSEQ"`` (2) and ``"TPPI"`` (3): one real row per t1 point, 90° phase increments
    (processed alike: real Fourier transform at twice the F1 width).
    ``"States"`` (4), ``"States-TPPI"`` (5): cosine/sine row pairs (States-TPPI also
    inverts every other pair, moving the axial peak to the edge).
    ``"Echo-Antiecho"`` (6): N-type/P-type row pairs (gradient selection).

    Parameters
    ----------
    fnmode : str, int or None
        Code or name.

    Returns
    -------
    str
        Lower case: ``"qf"``, ``"qseq"``, ``"tppi"``, ``"states"``, ``"states-tppi"`` or
        ``"echo-antiecho"``.

    Raises
    ------
    ProcessingError
        For an unknown or missing mode (FnMODE 0 is "undefined").
    """
    if fnmode is None:
        raise ProcessingError(
            "The dataset does not say how t1 was sampled (no FnMODE). Pass fnmode= one of "
            "'qf', 'tppi', 'states', 'states-tppi', 'echo-antiecho'."
        )
    if isinstance(fnmode, (int, np.integer)):
        if int(fnmode) not in FNMODE_NAMES:
            raise ProcessingError(f"FnMODE {fnmode} is not a Bruker quadrature mode (0–6).")
        name = FNMODE_NAMES[int(fnmode)]
    else:
        name = str(fnmode).strip().lower().replace("_", "-").replace(" ", "-")
        name = {"echo-anti-echo": "echo-antiecho", "ea": "echo-antiecho", "states-tppi": "states-tppi"}.get(name, name)
    if name == "undefined":
        raise ProcessingError(
            "FnMODE is 'undefined': this looks like a pseudo-2D series (e.g. a vdlist), not a "
            "2D correlation. Split it with qdkit.twod.split_series, or pass fnmode explicitly."
        )
    if name not in FNMODE_NAMES.values():
        raise ProcessingError(
            f"Unknown quadrature mode {fnmode!r}; use one of qf, qseq, tppi, states, states-tppi, echo-antiecho."
        )
    return name


@dataclass(frozen=True, eq=False)
class Spectrum2D:
    """A processed 2D spectrum with both frequency axes.

    Attributes
    ----------
    data : ndarray, shape (n1, n2), complex
        Real part: the absorption spectrum (F1 real, F2 real), rows along F1 (indirect),
        columns along F2 (direct). Imaginary part: F1 imaginary, F2 real.
    hz : ndarray (n2,)
        F2 offsets from the direct nucleus' 0-ppm frequency, high first.
    hz_indirect : ndarray (n1,)
        F1 offsets from the indirect nucleus' 0-ppm frequency, high first.
    meta : Meta
        The dataset's metadata (``reference_mhz`` is F2's 0-ppm frequency).
    reference_mhz_indirect : float
        F1's 0-ppm frequency (IUPAC Ξ of ``meta.nuclei_indirect[0]`` at ``meta.field_T``).
    data_f2_imag : ndarray or None
        The other half of the hypercomplex spectrum (F2 imaginary; F1 real + i F1
        imaginary), kept so that F2 can be re-phased after the F1 transform.
    recipe : tuple of dict
        Processing steps that produced it (replay with ``qdkit.recipe.apply``).
    """

    data: np.ndarray
    hz: np.ndarray
    hz_indirect: np.ndarray
    meta: Meta
    reference_mhz_indirect: float
    data_f2_imag: np.ndarray | None = None
    recipe: tuple[dict[str, Any], ...] = ()

    def replace(self, **changes) -> Spectrum2D:
        """A copy with ``changes`` applied (the record is frozen).

        Parameters
        ----------
        **changes
            Field name → new value.

        Returns
        -------
        Spectrum2D
        """
        return dataclasses.replace(self, **changes)

    @property
    def ppm(self) -> np.ndarray:
        """Direct (F2) axis, ppm."""
        return self.hz / float(self.meta.reference_mhz)

    @property
    def ppm_indirect(self) -> np.ndarray:
        """Indirect (F1) axis, ppm."""
        return self.hz_indirect / float(self.reference_mhz_indirect)

    @property
    def real(self) -> np.ndarray:
        return self.data.real

    @property
    def imag(self) -> np.ndarray:
        return self.data.imag


# --- helpers ------------------------------------------------------------------------------


def _descending(asc: np.ndarray) -> np.ndarray:
    """Reorder an fftshift-ed (ascending frequency) axis 0 to high-first, keeping the
    frequency grid f_m = SW/2 − m·SW/n of :func:`qdkit.processing.frequency_axis_hz`."""
    return np.roll(asc[::-1], 1, axis=0)


def _indirect_reference(meta: Meta, reference_mhz_indirect: float | None) -> float:
    if reference_mhz_indirect is not None:
        return float(reference_mhz_indirect)
    if not meta.nuclei_indirect or not meta.nuclei_indirect[0]:
        raise ProcessingError(
            "The indirect nucleus is unknown (meta.nuclei_indirect is empty); pass "
            "reference_mhz_indirect= or set meta.nuclei_indirect."
        )
    if meta.field_T is None:
        raise ProcessingError("An F1 ppm axis needs the field (meta.field_T) or reference_mhz_indirect=.")
    try:
        return nuclei.get(meta.nuclei_indirect[0]).reference_mhz(float(meta.field_T))
    except UnknownNucleusError as exc:
        raise ProcessingError(f"F1 nucleus: {exc}") from None


def _phase_ramp_deg(hz: np.ndarray, p0_deg: float, p1_deg: float, pivot_hz: float | None) -> np.ndarray:
    """φ(ν) = p0 + p1·(ν_pivot − ν)/SW, the convention of :func:`qdkit.processing.phase`."""
    width = abs(hz[0] - hz[1]) * hz.size if hz.size > 1 else 1.0
    pivot = hz[0] if pivot_hz is None else pivot_hz
    return p0_deg + p1_deg * (pivot - hz) / width


def _t1_signal(rows: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """t1 interferograms from F2-transformed rows: (from F2 real, from F2 imaginary).

    Complex modes give complex t1 signals evolving as exp(+iΩ1·t1) (Ω1: offset from the
    F1 carrier), built from row pairs:

    - States: rows (cos, sin) → cos + i·sin.
    - States-TPPI: the same, times (−1)^k for pair k (undoes the 180° increments).
    - Echo-antiecho: rows (N, P), the echo (N-type: precesses in t1 against its t2
      sense, raw data ∝ exp(−iΩ1t1)·exp(+iΩ2t2)) first, then the antiecho (P-type,
      exp(+iΩ1t1)·exp(+iΩ2t2)). :func:`qdkit.processing.ft` conjugates the raw data, so
      here N carries exp(+iΩ1t1): cos = (N + P)/2, sin = (N − P)/2i.

    Real modes (QF, QSEQ, TPPI) give the real rows themselves.
    """
    if mode in _COMPLEX_MODES:
        if rows.shape[0] % 2:
            raise ProcessingError(
                f"{mode} data needs an even number of t1 rows (cos/sin or echo/antiecho pairs), got {rows.shape[0]}."
            )
        first, second = rows[0::2], rows[1::2]
        if mode == "echo-antiecho":
            cos, sin = (first + second) / 2.0, (first - second) / 2.0j
        else:
            cos, sin = first, second
        from_re = cos.real + 1j * sin.real
        from_im = cos.imag + 1j * sin.imag
        if mode == "states-tppi":
            sign = (-1.0) ** np.arange(from_re.shape[0])[:, None]
            from_re, from_im = from_re * sign, from_im * sign
        return from_re, from_im
    return rows.real.astype(complex), rows.imag.astype(complex)


# --- steps --------------------------------------------------------------------------------


@step
def transform_indirect(
    spec: Spectrum,
    *,
    fnmode: str | int,
    sw_indirect_hz: float | None = None,
    window: str = "qsine",
    lb_hz: float = 0.0,
    gb: float = 0.0,
    ssb: float = 2.0,
    size: int | None = None,
    first_point: float = 0.5,
    p0_deg: float = 0.0,
    p1_deg: float = 0.0,
    carrier_ppm_indirect: float | None = None,
    reference_mhz_indirect: float | None = None,
):
    """Fourier transform the indirect dimension of F2-processed rows into a 2D spectrum.

    Parameters
    ----------
    spec : Spectrum
        2D data (rows = t1 points in acquisition order) already transformed and phased
        along F2 with the 1D steps (``ft``, ``phase`` ...).
    fnmode : str or int
        Quadrature mode, see :func:`quadrature_mode`.
    sw_indirect_hz : float, optional
        F1 spectral width (default ``meta.sw_indirect_hz[-1]``): 1/Δt1 for complex modes,
        1/(2Δt1) for TPPI, where Δt1 is the time between successive rows.
    window, lb_hz, gb, ssb : apodization along t1 (:func:`qdkit.processing.window_function`);
        default a cosine-squared bell, the usual choice for short t1 (e.g. 48 increments).
    size : int, optional
        F1 points after zero filling (default twice the next power of two of the complex
        t1 points).
    first_point : float
        Factor on the first t1 point (0.5 removes the t1-ridge offset of a discrete FT).
    p0_deg, p1_deg : float
        F1 phase correction (convention of :func:`qdkit.processing.phase`).
    carrier_ppm_indirect : float, optional
        F1 carrier in ppm; default from ``meta.larmor_mhz_indirect`` (0 ppm if unknown).
    reference_mhz_indirect : float, optional
        F1 0-ppm frequency; default IUPAC Ξ of the indirect nucleus at ``meta.field_T``.

    Returns
    -------
    Spectrum2D

    Raises
    ------
    ProcessingError
        For data that is not 2D, an unknown F1 width or nucleus, or a ``size`` that would cut data.
    """
    if not isinstance(spec, Spectrum) or np.ndim(spec.data) != 2:
        raise ProcessingError(
            "transform_indirect needs the F2-transformed 2D spectrum (rows = t1 points); "
            "run ft on the 2D dataset first."
        )
    mode = quadrature_mode(fnmode)
    meta = spec.meta
    if sw_indirect_hz is None:
        if not meta.sw_indirect_hz or not meta.sw_indirect_hz[-1]:
            raise ProcessingError("The F1 spectral width is unknown; pass sw_indirect_hz=.")
        sw_indirect_hz = float(meta.sw_indirect_hz[-1])
    sw1 = float(sw_indirect_hz)
    ref1 = _indirect_reference(meta, reference_mhz_indirect)
    if carrier_ppm_indirect is None:
        carrier_ppm_indirect = (meta.larmor_mhz_indirect[-1] - ref1) * 1e6 / ref1 if meta.larmor_mhz_indirect else 0.0
    from_re, from_im = _t1_signal(np.asarray(spec.data), mode)
    n1 = from_re.shape[0]
    dwell_rate = 2.0 * sw1 if mode in ("tppi", "qseq") else sw1
    w = window_function(window, n1, dwell_rate, lb_hz=lb_hz, gb=gb, ssb=ssb)[:, None]
    from_re, from_im = from_re * w, from_im * w
    from_re[0] *= first_point
    from_im[0] *= first_point
    if size is None:
        size = 2 * next_power_of_two(n1 // 2 if mode in ("tppi", "qseq") else n1)
    size = int(size)
    if mode in ("tppi", "qseq"):
        # real samples at 2·SW1: bins 0..size-1 of a 2·size FFT cover −SW1/2 … +SW1/2 after
        # the +SW1/2 shift that the 90° increments put on every frequency
        if 2 * size < n1:
            raise ProcessingError(f"size = {size} F1 points would cut the {n1} TPPI rows (need size >= {n1 // 2}).")
        asc_re = np.fft.fft(from_re, 2 * size, axis=0)[:size]
        asc_im = np.fft.fft(from_im, 2 * size, axis=0)[:size]
    else:
        if size < n1:
            raise ProcessingError(f"size = {size} F1 points would cut the {n1} complex t1 points.")
        asc_re = np.fft.fftshift(np.fft.fft(from_re, size, axis=0), axes=0)
        asc_im = np.fft.fftshift(np.fft.fft(from_im, size, axis=0), axes=0)
    hz1 = carrier_ppm_indirect * ref1 + sw1 / 2.0 - np.arange(size) * (sw1 / size)
    phi = np.exp(1j * np.deg2rad(_phase_ramp_deg(hz1, p0_deg, p1_deg, None)))[:, None]
    out = Spectrum2D(
        data=_descending(asc_re) * phi,
        hz=np.asarray(spec.hz),
        hz_indirect=hz1,
        meta=meta.replace(fnmode=mode),
        reference_mhz_indirect=ref1,
        data_f2_imag=_descending(asc_im) * phi,
        recipe=spec.recipe,
    )
    resolved = dict(
        fnmode=mode,
        sw_indirect_hz=sw1,
        window=window,
        lb_hz=lb_hz,
        gb=gb,
        ssb=ssb,
        size=size,
        first_point=first_point,
        p0_deg=p0_deg,
        p1_deg=p1_deg,
        carrier_ppm_indirect=float(carrier_ppm_indirect),
        reference_mhz_indirect=ref1,
    )
    return out, resolved


@step
def phase_2d(
    spec: Spectrum2D,
    *,
    p0_deg: float = 0.0,
    p1_deg: float = 0.0,
    p0_indirect_deg: float = 0.0,
    p1_indirect_deg: float = 0.0,
    pivot_ppm: float | None = None,
    pivot_ppm_indirect: float | None = None,
) -> Spectrum2D:
    """Phase a 2D spectrum in F2 (``p0_deg``, ``p1_deg``) and F1 (``*_indirect_deg``).

    F1 phasing multiplies both hypercomplex halves by exp(iφ1); F2 phasing rotates the
    F2 real/imaginary pair: A' = A·cos φ2 − B·sin φ2, B' = A·sin φ2 + B·cos φ2, which is
    why :class:`Spectrum2D` keeps ``data_f2_imag``.

    Parameters
    ----------
    spec : Spectrum2D
        From :func:`transform_indirect`.
    p0_deg, p1_deg : float
        F2 phases, degrees.
    p0_indirect_deg, p1_indirect_deg : float
        F1 phases, degrees.
    pivot_ppm, pivot_ppm_indirect : float, optional
        Where each first-order term is zero.

    Returns
    -------
    Spectrum2D

    Raises
    ------
    ProcessingError
        For a 1D spectrum, or F2 phases on data without the F2 imaginary part.
    """
    if not isinstance(spec, Spectrum2D):
        raise ProcessingError("phase_2d needs a Spectrum2D (from transform_indirect).")
    a, b = spec.data, spec.data_f2_imag
    if p0_deg or p1_deg:
        if b is None:
            raise ProcessingError("This 2D spectrum has no F2 imaginary part; phase F2 before transform_indirect.")
        pivot = None if pivot_ppm is None else pivot_ppm * float(spec.meta.reference_mhz)
        phi2 = np.deg2rad(_phase_ramp_deg(spec.hz, p0_deg, p1_deg, pivot))[None, :]
        a, b = a * np.cos(phi2) - b * np.sin(phi2), a * np.sin(phi2) + b * np.cos(phi2)
    if p0_indirect_deg or p1_indirect_deg:
        pivot1 = None if pivot_ppm_indirect is None else pivot_ppm_indirect * spec.reference_mhz_indirect
        phi1 = np.exp(1j * np.deg2rad(_phase_ramp_deg(spec.hz_indirect, p0_indirect_deg, p1_indirect_deg, pivot1)))
        a = a * phi1[:, None]
        b = None if b is None else b * phi1[:, None]
    return spec.replace(data=a, data_f2_imag=b)


# --- looking at 2D spectra -------------------------------------------------------------


def _span_mask(ppm: np.ndarray, region_ppm) -> np.ndarray:
    if region_ppm is None:
        return np.ones(ppm.size, dtype=bool)
    lo, hi = sorted(float(v) for v in region_ppm)
    mask = (ppm >= lo) & (ppm <= hi)
    if not mask.any():
        raise ProcessingError(
            f"The region {lo:g}…{hi:g} ppm lies outside the axis ({ppm.min():.4g}…{ppm.max():.4g} ppm)."
        )
    return mask


def projection(spec: Spectrum2D, *, onto: str = "direct", kind: str = "skyline", region_ppm=None) -> Spectrum:
    """Project a 2D spectrum onto one axis, as a 1D :class:`~qdkit.dataset.Spectrum`.

    Parameters
    ----------
    spec : Spectrum2D
        The 2D spectrum.
    onto : {"direct", "indirect"}
        The axis that is kept (F2 or F1).
    kind : {"skyline", "sum"}
        Skyline: the largest real value along the other axis (what is drawn beside a
        contour plot); sum: the integral over it (keeps intensity ratios).
    region_ppm : (float, float), optional
        Restrict the other axis to this ppm range (e.g. one F2 peak for an F1 projection).

    Returns
    -------
    Spectrum
        Real 1D spectrum on the kept axis.

    Raises
    ------
    ProcessingError
        For an unknown ``onto`` or ``kind``, or an empty region.
    """
    if kind not in ("skyline", "sum"):
        raise ProcessingError(f"Unknown projection {kind!r}; use 'skyline' or 'sum'.")
    re = spec.real
    if onto == "direct":
        part = re[_span_mask(spec.ppm_indirect, region_ppm), :]
        data = part.max(axis=0) if kind == "skyline" else part.sum(axis=0)
        return Spectrum(data=data.astype(complex), hz=spec.hz, meta=spec.meta.replace(ndim=1), recipe=spec.recipe)
    if onto == "indirect":
        part = re[:, _span_mask(spec.ppm, region_ppm)]
        data = part.max(axis=1) if kind == "skyline" else part.sum(axis=1)
        meta = spec.meta.replace(
            ndim=1,
            nucleus=spec.meta.nuclei_indirect[0] if spec.meta.nuclei_indirect else None,
            reference_mhz=spec.reference_mhz_indirect,
            larmor_mhz=spec.reference_mhz_indirect + float(np.mean(spec.hz_indirect[[0, -1]])) * 1e-6,
            sw_hz=float(abs(spec.hz_indirect[0] - spec.hz_indirect[1]) * spec.hz_indirect.size),
        )
        return Spectrum(data=data.astype(complex), hz=spec.hz_indirect, meta=meta, recipe=spec.recipe)
    raise ProcessingError(f"onto must be 'direct' or 'indirect', got {onto!r}.")


def noise_rms_2d(spec: Spectrum2D) -> float:
    """Noise σ of the real 2D spectrum (:func:`qdkit.processing.measure.noise_rms` along F2).

    Parameters
    ----------
    spec : Spectrum2D

    Returns
    -------
    float
    """
    return noise_rms(spec.real)


def contour_levels(
    spec: Spectrum2D, *, n_levels: int = 10, factor: float = 1.4, start_sigma: float = 5.0
) -> np.ndarray:
    """Geometric contour levels from ``start_sigma`` × the noise up (positive levels).

    Use ``-levels[::-1]`` for negative contours. If the spectrum's maximum lies below the
    first level, the levels start at half the maximum so that something is drawn.

    Parameters
    ----------
    spec : Spectrum2D
    n_levels : int, default 10
        Number of levels.
    factor : float, default 1.4
        Ratio of successive levels.
    start_sigma : float, default 5
        Lowest level in units of the noise σ (:func:`noise_rms_2d`).

    Returns
    -------
    numpy.ndarray
        Increasing positive levels.

    Raises
    ------
    ProcessingError
        For ``n_levels`` < 1 or ``factor`` ≤ 1.
    """
    if n_levels < 1 or factor <= 1:
        raise ProcessingError("Contour levels need n_levels >= 1 and factor > 1.")
    top = float(spec.real.max())
    first = start_sigma * noise_rms_2d(spec)
    if not 0 < first < top:
        first = 0.5 * top if top > 0 else 1.0
    return first * factor ** np.arange(n_levels)


def peak_position_ppm(spec: Spectrum2D) -> tuple[float, float]:
    """(F1 ppm, F2 ppm) of the largest absolute real value.

    Parameters
    ----------
    spec : Spectrum2D

    Returns
    -------
    (f1_ppm, f2_ppm) : tuple of float
    """
    i, j = np.unravel_index(int(np.argmax(np.abs(spec.real))), spec.real.shape)
    return float(spec.ppm_indirect[i]), float(spec.ppm[j])
