"""Fit sites to a measured MAS spectrum at one spinning rate and predict the other rates.

The test of a fitted model on real data: parameters from one spectrum, then the spectra at the other measured spin
rates predicted with nothing refitted but one intensity scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qdkit import nuclei
from qdkit.analysis.fit import FitData, FitResult, fit_sites, noise_sigma, result_from_minimizer
from qdkit.errors import ModelParameterError, ReadError
from qdkit.processing.measure import correlation as pearson
from qdkit.simulation.czjzek import CzjzekDistribution, broaden, voigt_kernel
from qdkit.simulation.mas import mas_spectrum
from qdkit.simulation.sites import Site

__all__ = [
    "KBR_FOLDER",
    "SpinRateSeries",
    "fit_data_from_spectrum",
    "read_spin_rate_series",
    "kbr_series",
    "CzjzekLineModel",
    "fit_czjzek",
    "SeriesPrediction",
    "predict_series",
    "correlation",
]

#: Folder name of the ⁷⁹Br KBr spin-rate series (MIT, from Spinach; bundled in data/real).
KBR_FOLDER = "spinach_79Br_KBr_MAS_spectra"


def correlation(a, b, mask=None) -> float:
    """Pearson correlation of two spectra on the same axis (optionally only where ``mask``).

    Parameters
    ----------
    a, b : array_like
        The two spectra, same length (any intensity units; the correlation ignores scale and offset).
    mask : array_like of bool, optional
        Points to compare; default all.

    Returns
    -------
    float
        r between −1 and 1 (:func:`qdkit.processing.measure.correlation`).

    Raises
    ------
    ProcessingError
        The two spectra (after masking) differ in length.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if mask is not None:
        a, b = a[mask], b[mask]
    return pearson(a, b)


@dataclass(frozen=True, eq=False)
class SpinRateSeries:
    """Spectra of one sample and nucleus at several spinning rates (ascending).

    Attributes
    ----------
    nucleus, spectra, label : str, tuple of FitData, str
        Isotope label, the spectra (sorted by ``mas_hz`` on creation; at least one) and a name for tables.
    """

    nucleus: str
    spectra: tuple[FitData, ...]
    label: str = ""

    def __post_init__(self):
        if not self.spectra:
            raise ModelParameterError("A spin-rate series needs at least one spectrum.")
        object.__setattr__(self, "nucleus", nuclei.get(self.nucleus).label)
        object.__setattr__(self, "spectra", tuple(sorted(self.spectra, key=lambda d: d.mas_hz)))

    @property
    def rates_hz(self) -> tuple[float, ...]:
        """Spinning rate of each spectrum, Hz, ascending."""
        return tuple(d.mas_hz for d in self.spectra)

    def nearest(self, mas_hz: float) -> int:
        """Index of the measured spectrum whose spinning rate is closest to ``mas_hz``.

        Parameters
        ----------
        mas_hz : float
            Spinning rate, Hz.

        Returns
        -------
        int
            Index into ``spectra`` (the first of two equally close).

        Raises
        ------
        ModelParameterError
            ``mas_hz`` is not a finite number.
        """
        try:
            rate = float(mas_hz)
        except (TypeError, ValueError):
            raise ModelParameterError(f"mas_hz must be a number, got {mas_hz!r}.") from None
        if not np.isfinite(rate):
            raise ModelParameterError(f"mas_hz must be finite, got {mas_hz!r}.")
        return int(np.argmin([abs(r - rate) for r in self.rates_hz]))

    def reference_mhz(self, index: int = 0) -> float:
        """Frequency of 0 ppm of spectrum ``index``, MHz (from its field).

        Parameters
        ----------
        index : int
            Index of the spectrum in ``spectra``.

        Returns
        -------
        float
            Reference frequency of the series' nucleus at that spectrum's field, MHz.
        """
        return nuclei.get(self.nucleus).reference_mhz(self.spectra[index].field_T)

    def away_from(self, index: int, iso_ppm: float, half_width_hz: float = 1000.0) -> np.ndarray:
        """True beyond ``half_width_hz`` of δiso in spectrum ``index``: the points of the
        sidebands alone, without the centre band.

        Parameters
        ----------
        index : int
            Index of the spectrum in ``spectra``.
        iso_ppm : float
            Isotropic shift δiso (centre of the centre band), ppm.
        half_width_hz : float
            Half width of the centre band left out, Hz.

        Returns
        -------
        numpy.ndarray of bool
            One entry per point of the spectrum's ppm axis.
        """
        d = self.spectra[index]
        return np.abs(d.ppm - iso_ppm) * self.reference_mhz(index) > half_width_hz


def fit_data_from_spectrum(
    spectrum, *, sigma: float | None = None, noise_region_ppm: tuple[float, float] | None = None
) -> FitData:
    """A processed spectrum as :class:`FitData`, its ppm axis made exactly even.

    Text exports round the ppm column (KBr: to 1e-6 ppm), so the axis is rebuilt from its first and last points; a
    spectrum whose axis strays more than 1 % of a point from a straight line is refused.

    Parameters
    ----------
    spectrum : Spectrum
        Processed spectrum whose metadata give the field and the spinning rate.
    sigma, noise_region_ppm
        As for :class:`FitData`.

    Returns
    -------
    FitData

    Raises
    ------
    ModelParameterError
        The axis is not even to 1 % of a point, or the field or spinning rate is unknown.
    """
    ppm = np.asarray(spectrum.ppm, float)
    even = np.linspace(ppm[0], ppm[-1], ppm.size)
    step = abs(even[1] - even[0])
    if np.abs(even - ppm).max() > 0.01 * step:
        raise ModelParameterError(
            f"The ppm axis of {spectrum.meta.title or 'this spectrum'!r} is not evenly spaced "
            "(more than 1 % of a point off a straight line); resample it first."
        )
    meta = spectrum.meta
    if meta.field_T is None or meta.mas_hz is None:
        raise ModelParameterError(
            "The spectrum's metadata lack the field or the spinning rate; give them when "
            "reading it (e.g. read_spectrum_text(..., mas_hz=...))."
        )
    return FitData(
        ppm=even,
        y=np.asarray(spectrum.real, float),
        field_T=float(meta.field_T),
        mas_hz=float(meta.mas_hz),
        sigma=sigma,
        noise_region_ppm=noise_region_ppm,
        label=f"{meta.nucleus} {meta.mas_hz / 1e3:g} kHz MAS",
    )


def read_spin_rate_series(paths: Sequence[str | Path], *, label: str = "") -> SpinRateSeries:
    """Read processed spectra of one sample at several spinning rates.

    Parameters
    ----------
    paths : sequence of str or Path
        Spectrum files (:func:`qdkit.io.read_spectrum`) with field and spinning rate in their metadata.
    label : str
        Name of the series.

    Returns
    -------
    SpinRateSeries

    Raises
    ------
    ReadError
        No paths, spectra of several or unknown nuclei, or two spectra at the same rate.
    """
    from qdkit.io import read_spectrum

    if not paths:
        raise ReadError("No spectra given for the spin-rate series.")
    spectra = [read_spectrum(p) for p in paths]
    found = {s.meta.nucleus for s in spectra}
    if len(found) != 1 or None in found:
        raise ReadError(f"A spin-rate series must be of one known nucleus; the files say {sorted(map(str, found))}.")
    data = [fit_data_from_spectrum(s) for s in spectra]
    rates = [d.mas_hz for d in data]
    if len(set(rates)) != len(rates):
        raise ReadError(f"Two spectra of the series have the same spinning rate: {rates} Hz.")
    return SpinRateSeries(found.pop(), tuple(data), label)


def kbr_series(folder: str | Path | None = None) -> SpinRateSeries:
    """The ⁷⁹Br MAS spectra of KBr at 2, 5 and 10 kHz, 9.4 T (400 MHz).

    ``folder`` defaults to the copy bundled in ``data/real`` (MIT licence, from the Spinach examples; measured by the
    Mathies group, Konstanz).

    Parameters
    ----------
    folder : str or Path, optional
        Folder holding ``KBr_400MHz_*kHz.txt``.

    Returns
    -------
    SpinRateSeries

    Raises
    ------
    ReadError
        No such spectra in the folder.
    """
    if folder is None:
        from qdkit.paths import real_dir

        folder = real_dir() / KBR_FOLDER
    paths = sorted(Path(folder).glob("KBr_400MHz_*kHz.txt"))
    if not paths:
        raise ReadError(f"No KBr_400MHz_*kHz.txt spectra in {folder}; point folder at the {KBR_FOLDER} dataset.")
    return read_spin_rate_series(paths, label="79Br KBr, 9.4 T")


# --------------------------------------------------------------------------------------
# A cubic salt with a distribution of small C_Q: central line + satellite sidebands
# --------------------------------------------------------------------------------------

_LINE_PARAMS = ("iso_ppm", "sigma_cq_mhz", "ct_fwhm_hz", "ct_lorentz_hz", "st_fwhm_hz", "st_lorentz_hz")


@dataclass(frozen=True)
class CzjzekLineModel:
    """Spectrum of a site with a Czjzek distribution of small C_Q (a cubic salt's defects).

    y = a_CT · V_CT ⊛ Σ_i w_i(σ) CT_i + a_ST · V_ST ⊛ Σ_i w_i(σ) ST_i

    CT_i and ST_i are the central- and satellite-transition patterns of node i of the distribution
    (:class:`qdkit.simulation.czjzek.CzjzekDistribution`, first- and second- order quadrupolar, MAS sidebands), w_i
    its Czjzek weights for width σ, and V the Voigt lines of the two (the satellite sidebands are broader: they feel a
    missetting of the magic angle and spinning-rate jitter to first order in C_Q, the central line does not; see e.g.
    Frye & Maciel, J. Magn. Reson. 48, 125 (1982), the KBr magic-angle test). The two amplitudes are free because a
    real pulse is not ideally non-selective; their ratio is a property of the pulse, not of the spinning rate, so it
    carries over to other rates. δiso enters through the line kernels (an exact sub-point shift), so the patterns are
    computed once per spinning rate at ``grid_iso_ppm``; only intensity that a shift would bring in from beyond the
    ends of the axis is missing.

    Attributes
    ----------
    distribution, grid_iso_ppm : CzjzekDistribution, float
        The C_Q grid and the δiso (ppm) at which the patterns are computed.
    """

    distribution: CzjzekDistribution
    grid_iso_ppm: float

    @property
    def nucleus(self) -> str:
        """Isotope label of the distribution."""
        return self.distribution.nucleus

    def shapes(self, values: dict, field_T: float, mas_hz: float, ppm) -> np.ndarray:
        """Unit-area central and satellite shapes (rows) for parameter ``values``.

        Parameters
        ----------
        values : dict
            Line parameters ``iso_ppm`` (ppm), ``sigma_cq_mhz`` (MHz), ``ct_fwhm_hz``, ``ct_lorentz_hz``,
            ``st_fwhm_hz``, ``st_lorentz_hz`` (Gaussian and Lorentzian FWHM of the two transitions, Hz).
        field_T : float
            Magnetic field, T.
        mas_hz : float
            Spinning rate, Hz.
        ppm : array_like
            Evenly spaced ppm axis.

        Returns
        -------
        numpy.ndarray
            Shape (2, len(ppm)): central-transition row, then satellite row; each sums to 1 / step (unit area in ppm)
            apart from intensity beyond the ends of the axis.
        """
        ct, st = self.distribution.component_bins(self.grid_iso_ppm, field_T, mas_hz, ppm)
        w = self.distribution.weights(values["sigma_cq_mhz"])
        shift = values["iso_ppm"] - self.grid_iso_ppm
        out = []
        for rows, g, lz in (
            (ct, values["ct_fwhm_hz"], values["ct_lorentz_hz"]),
            (st, values["st_fwhm_hz"], values["st_lorentz_hz"]),
        ):
            kernel = voigt_kernel(self.nucleus, field_T, ppm, shift_ppm=shift, fwhm_hz=g, lorentz_hz=lz)
            out.append(broaden(w @ rows, kernel))
        step = abs(float(ppm[1] - ppm[0]))
        return np.array(out) / step

    def spectrum(self, values: dict, field_T: float, mas_hz: float, ppm) -> np.ndarray:
        """Model spectrum (without baseline) with the amplitudes ``a_ct`` and ``a_st``.

        Parameters
        ----------
        values : dict
            The line parameters of :meth:`shapes` and the amplitudes ``a_ct`` and ``a_st`` (areas, spectrum units ×
            ppm).
        field_T, mas_hz, ppm : float, float, array_like
            Field (T), spinning rate (Hz) and evenly spaced ppm axis, as for :meth:`shapes`.

        Returns
        -------
        numpy.ndarray
            a_CT · CT + a_ST · ST on ``ppm``.
        """
        return np.array([values["a_ct"], values["a_st"]]) @ self.shapes(values, field_T, mas_hz, ppm)

    def sites(self, values: dict) -> tuple[Site, ...]:
        """The fitted distribution as Sites (central-line widths, total weight).

        Parameters
        ----------
        values : dict
            The line parameters of :meth:`shapes` and the amplitudes ``a_ct`` and ``a_st``.

        Returns
        -------
        tuple of Site
            One site per node of the distribution (:meth:`CzjzekDistribution.sites`), their weights summing to
            a_CT + a_ST, their widths those of the central line.
        """
        return tuple(
            self.distribution.sites(
                values["iso_ppm"],
                values["sigma_cq_mhz"],
                fwhm_hz=values["ct_fwhm_hz"],
                lorentz_hz=values["ct_lorentz_hz"],
                weight=values["a_ct"] + values["a_st"],
            )
        )


def _baseline(ppm: np.ndarray, coefficients) -> np.ndarray:
    """Polynomial baseline on the axis scaled to −1 … 1 (as :func:`qdkit.fit.fit_sites`)."""
    x = (ppm - ppm.mean()) / max(np.ptp(ppm) / 2, 1e-12)
    return np.polynomial.polynomial.polyval(x, list(coefficients))


def fit_czjzek(
    data: FitData,
    nucleus: str,
    *,
    iso_ppm: float,
    sigma_cq_mhz: float = 0.02,
    ct_fwhm_hz: float = 50.0,
    st_fwhm_hz: float = 50.0,
    lorentz_hz: float = 30.0,
    baseline_order: int = 3,
    distribution: CzjzekDistribution | None = None,
    max_nfev: int = 400,
) -> tuple[FitResult, CzjzekLineModel]:
    """Fit a :class:`CzjzekLineModel` (δiso, σ of the C_Q distribution, widths, amplitudes).

    Parameters
    ----------
    data : FitData
        One measured spectrum.
    nucleus : str
        Its (half-integer quadrupolar) nucleus.
    iso_ppm, sigma_cq_mhz, ct_fwhm_hz, st_fwhm_hz, lorentz_hz
        Starting values (the Lorentzian FWHM starts equal for both transitions).
    baseline_order : int
        Order of the polynomial baseline fitted as nuisance (``b0_k``).
    distribution : CzjzekDistribution, optional
        The C_Q grid (default: 20 × 3 nodes up to 0.25 MHz, enough for σ ≤ 0.05 MHz).
    max_nfev : int
        Most model evaluations of the least-squares run.

    Returns
    -------
    (FitResult, CzjzekLineModel)
        The fit (values keyed ``iso_ppm``, ``sigma_cq_mhz``, ``ct_fwhm_hz`` …, ``a_ct``, ``a_st``, ``b0_k``) and the
        model that predicts the spectrum at other rates.

    Raises
    ------
    ModelParameterError
        The distribution is of another nucleus, or the noise σ is not positive.

    Notes
    -----
    Processed real spectra are zero-filled and their residuals are not white, so the noise σ from
    :func:`qdkit.fit.noise_sigma` is only a scale: the standard errors are multiplied by √χ²_red (lmfit's
    ``scale_covar``), the usual choice when the model does not reach the noise.
    """
    import lmfit

    dist = distribution or CzjzekDistribution(nucleus)
    if dist.nucleus != nuclei.get(nucleus).label:
        raise ModelParameterError(f"The distribution is of {dist.nucleus}, the spectrum of {nucleus}.")
    model = CzjzekLineModel(dist, float(iso_ppm))
    sigma = data.sigma if data.sigma is not None else noise_sigma(data.ppm, data.y, data.noise_region_ppm)
    if not sigma > 0:
        raise ModelParameterError(f"Noise σ of {data.label!r} is {sigma}; it must be positive.")
    ref = nuclei.get(nucleus).reference_mhz(data.field_T)
    cq_top = dist.cq_max_mhz
    params = lmfit.Parameters()
    params.add("iso_ppm", iso_ppm, min=iso_ppm - 2e3 / ref, max=iso_ppm + 2e3 / ref)
    params.add("sigma_cq_mhz", sigma_cq_mhz, min=cq_top / 40, max=cq_top / 5)
    params.add("ct_fwhm_hz", ct_fwhm_hz, min=1.0, max=5e3)
    params.add("ct_lorentz_hz", lorentz_hz, min=0.0, max=5e3)
    params.add("st_fwhm_hz", st_fwhm_hz, min=1.0, max=5e3)
    params.add("st_lorentz_hz", lorentz_hz, min=0.0, max=5e3)
    start = params.valuesdict()
    shapes = model.shapes(start, data.field_T, data.mas_hz, data.ppm)
    x = (data.ppm - data.ppm.mean()) / max(np.ptp(data.ppm) / 2, 1e-12)
    design = np.vstack([shapes] + [x**k for k in range(baseline_order + 1)])
    coef, *_ = np.linalg.lstsq(design.T, data.y, rcond=None)
    params.add("a_ct", coef[0])
    params.add("a_st", coef[1])
    for k in range(baseline_order + 1):
        params.add(f"b0_{k}", coef[2 + k])

    def full(pv):
        y = model.spectrum(pv, data.field_T, data.mas_hz, data.ppm)
        return y + _baseline(data.ppm, [pv[f"b0_{k}"] for k in range(baseline_order + 1)])

    def residual(p):
        return (data.y - full(p.valuesdict())) / sigma

    minimizer = lmfit.Minimizer(residual, params, scale_covar=True)
    out = minimizer.minimize(method="least_squares", diff_step=1e-4, max_nfev=max_nfev)
    pv = out.params.valuesdict()
    result = result_from_minimizer(
        minimizer, out, sites=(model.sites(pv),), models=(full(pv),), sigmas=(float(sigma),), max_nfev=max_nfev
    )
    return result, model


# --------------------------------------------------------------------------------------
# Fit one rate, predict the others
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SeriesPrediction:
    """A fit at one measured rate and the predicted spectra at every measured rate.

    ``predicted[j]`` is the model at rate j scaled to spectrum j by one least-squares factor (the only thing taken
    from spectrum j); ``correlation[j]`` its Pearson correlation with the measured spectrum,
    ``sideband_correlation[j]`` the same away from the centre band (beyond ``centre_half_width_hz`` of δiso), which
    judges the sideband pattern alone. Entry ``fitted`` is the fit itself, not a prediction.

    Attributes
    ----------
    series : SpinRateSeries
        The measured spectra.
    fitted : int
        Index of the spectrum the fit was made to.
    result : FitResult
        The fit.
    predicted : tuple of numpy.ndarray
        Scaled model spectrum on each spectrum's ppm axis.
    correlation, sideband_correlation : tuple of float
        Pearson r with each measured spectrum: all points, and only beyond ``centre_half_width_hz`` of δiso (nan when
        fewer than three points lie there).
    iso_ppm : float
        δiso used to place the centre band, ppm (fitted, or the weight-averaged δiso of the fitted sites).
    centre_half_width_hz : float
        Half width of the centre band left out of ``sideband_correlation``, Hz.
    """

    series: SpinRateSeries
    fitted: int
    result: FitResult
    predicted: tuple[np.ndarray, ...]
    correlation: tuple[float, ...]
    sideband_correlation: tuple[float, ...]
    iso_ppm: float
    centre_half_width_hz: float

    def table(self) -> str:
        """Plain-text table: rate, whether fitted or predicted, the two correlations.

        Returns
        -------
        str
            A title line, a header and one row per spinning rate (kHz).
        """
        rows = [
            f"{self.series.label or self.series.nucleus}: fitted at {self.series.rates_hz[self.fitted] / 1e3:g} kHz",
            f"{'MAS (kHz)':>10} {'':>10} {'r (all)':>9} {'r (sidebands)':>14}",
        ]
        for j, rate in enumerate(self.series.rates_hz):
            kind = "fitted" if j == self.fitted else "predicted"
            rows.append(f"{rate / 1e3:10g} {kind:>10} {self.correlation[j]:9.4f} {self.sideband_correlation[j]:14.4f}")
        return "\n".join(rows)

    @property
    def worst_prediction(self) -> float:
        """Lowest correlation among the predicted (not fitted) rates."""
        others = [r for j, r in enumerate(self.correlation) if j != self.fitted]
        return min(others) if others else float("nan")


def _scaled(model_y: np.ndarray, measured: np.ndarray) -> np.ndarray:
    scale = float(model_y @ measured) / max(float(model_y @ model_y), 1e-300)
    return scale * model_y


def predict_series(
    series: SpinRateSeries, fitted: int, result: FitResult, model=None, *, centre_half_width_hz: float = 1000.0
) -> SeriesPrediction:
    """Predict every measured rate of ``series`` from a fit to spectrum ``fitted``.

    ``model`` is the :class:`CzjzekLineModel` of :func:`fit_czjzek`; without it the fitted sites (``result.sites[0]``,
    from :func:`qdkit.fit.fit_sites`) go through :func:`qdkit.mas.mas_spectrum`.

    Parameters
    ----------
    series, fitted, result : SpinRateSeries, int, FitResult
        The series, the index of the fitted spectrum, and the fit to it.
    model : CzjzekLineModel, optional
        See above.
    centre_half_width_hz : float
        Half width of the centre band left out of the sideband correlation, Hz.

    Returns
    -------
    SeriesPrediction

    Raises
    ------
    ModelParameterError
        ``fitted`` is not an index of the series.
    """
    if not 0 <= fitted < len(series.spectra):
        raise ModelParameterError(f"fitted={fitted} is not a spectrum of the series (0 … {len(series.spectra) - 1}).")
    if model is not None:
        iso = result.values["iso_ppm"]
    else:
        iso = float(np.average([s.iso_ppm for s in result.sites[0]], weights=[abs(s.weight) for s in result.sites[0]]))
    predicted, corr, side = [], [], []
    for j, d in enumerate(series.spectra):
        if model is not None:
            y = model.spectrum(result.values, d.field_T, d.mas_hz, d.ppm)
        else:
            y = mas_spectrum(list(result.sites[0]), d.field_T, d.mas_hz, d.ppm)
        y = _scaled(y, d.y)
        mask = series.away_from(j, iso, centre_half_width_hz)
        predicted.append(y)
        corr.append(correlation(y, d.y))
        side.append(correlation(y, d.y, mask) if mask.sum() > 2 else float("nan"))
    return SeriesPrediction(
        series, fitted, result, tuple(predicted), tuple(corr), tuple(side), float(iso), float(centre_half_width_hz)
    )
