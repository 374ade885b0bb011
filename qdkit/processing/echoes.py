"""Finding the echoes of a CPMG train: period from the pulse program or the data, windows, weights."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.fft import next_fast_len
from scipy.interpolate import CubicSpline

from qdkit.dataset import Dataset
from qdkit.errors import ProcessingError, QdkitWarning
from qdkit.processing.echo_weighting import echo_amplitudes, echo_weights, fit_echo_decay
from qdkit.processing.recipe import step

__all__ = [
    "coadd_echoes",
    "EchoTiming",
    "echo_train",
    "envelope_autocorrelation",
    "echo_period_from_data",
    "locate_echoes",
    "split_echoes",
    "echo_amplitudes",
    "fit_echo_decay",
    "echo_weights",
]


#: treated as empty (the zeros TopSpin writes after the last acquisition window).
_EMPTY_ECHO_FRACTION = 1e-6


@dataclass(frozen=True)
class EchoTiming:
    """Where the echoes of a train are, in (fractional) points of the stored data.

    Attributes
    ----------
    period_pts : float
        Spacing of the echo tops (the CPMG cycle time times the spectral width).
    first_top_pts : float
        Index of the first usable echo top in the raw data (digital filter still in).
    echo_pts : int
        Length of the window cut around every top (even; the top sits at ``echo_pts // 2``).
    n_echoes : int
        Number of windows that fit in the data and hold signal.
    period_source : str
        ``"pulse program"`` when the period came from the acquisition parameters,
        ``"cross-correlation"`` when it was measured from the data.
    """

    period_pts: float
    first_top_pts: float
    echo_pts: int
    n_echoes: int
    period_source: str

    def tops_pts(self) -> np.ndarray:
        """Positions of all echo tops, points.

        Returns
        -------
        numpy.ndarray
            ``first_top_pts + k·period_pts`` for k = 0 … ``n_echoes`` − 1.
        """
        return self.first_top_pts + self.period_pts * np.arange(self.n_echoes)


def echo_train(obj) -> np.ndarray:
    """The data of a CPMG train as one 1D array.

    Parameters
    ----------
    obj : Dataset or array-like
        A dataset (its ``data``) or the samples themselves.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ProcessingError
        For data that is not 1D or has fewer than 8 points.
    """
    data = np.asarray(obj.data if hasattr(obj, "data") else obj)
    if data.ndim != 1:
        raise ProcessingError(
            f"CPMG processing needs one echo train (a 1D FID), got data of shape {data.shape}. "
            "Split a 2D/pseudo-2D set into rows first (qdkit.twod.split_series)."
        )
    if data.size < 8:
        raise ProcessingError(f"The echo train has only {data.size} points; nothing to co-add.")
    return data


def _parabolic_peak(y: np.ndarray, i: int) -> float:
    """Sub-point position of the maximum at integer index ``i`` (3-point parabola)."""
    if 0 < i < len(y) - 1:
        a, b, c = y[i - 1], y[i], y[i + 1]
        den = a - 2 * b + c
        if den < 0:
            return i + 0.5 * (a - c) / den
    return float(i)


def envelope_autocorrelation(data: np.ndarray) -> np.ndarray:
    """Normalised autocorrelation of the echo-train magnitude versus lag (points).

    Each lag is normalised by the energy of the two overlapping parts (a Pearson-like
    coefficient of the mean-removed magnitude), so the T2 decay of the train does not
    favour short lags. A train with period P gives values close to 1 at P, 2P, ...

    Parameters
    ----------
    data : numpy.ndarray
        The complex echo train.

    Returns
    -------
    numpy.ndarray
        Coefficient for every lag from 0 to the train length − 1.
    """
    env = np.abs(np.asarray(data))
    env = env - env.mean()
    n = env.size
    spec = np.fft.rfft(env, 2 * n)
    ac = np.fft.irfft(spec * np.conj(spec))[:n]
    cum = np.cumsum(env**2)
    total = cum[-1]
    late = total - np.concatenate([[0.0], cum[:-1]])  # energy of env[lag:]
    early = cum[::-1]  # energy of env[:n - lag]
    return ac / np.sqrt(late * early + np.finfo(float).tiny)


def echo_period_from_data(data, *, min_period_pts: int = 16) -> float:
    """Echo spacing measured from the train itself by autocorrelation of its magnitude.

    The period is the shortest lag whose autocorrelation comes within 10 % of the best
    one between ``min_period_pts`` and a third of the train (so that 2P, 3P ... are not
    chosen instead of P, and rotary echoes inside one CPMG window lose against the full
    repetition). The integer lag is then refined to a fraction of a point by a parabola.

    Parameters
    ----------
    data : array-like
        The complex echo train.
    min_period_pts : int, default 16
        Shortest period considered, points.

    Returns
    -------
    float
        Echo period in points.

    Raises
    ------
    ProcessingError
        When the train is too short for three echoes or shows no repeating pattern.
    """
    x = echo_train(data)
    r = envelope_autocorrelation(x)
    hi = x.size // 3
    if hi <= min_period_pts + 2:
        raise ProcessingError(
            f"The train ({x.size} points) is too short to hold three echoes of at least "
            f"{min_period_pts} points; give the echo period explicitly (period_us)."
        )
    seg = r[min_period_pts:hi]
    best = seg.max()
    if not np.isfinite(best) or best <= 0.05:
        raise ProcessingError(
            "No repeating echo pattern was found in the data (autocorrelation of the "
            f"magnitude at most {best:.2f}). This does not look like a CPMG train; give the "
            "echo period explicitly (period_us) or process it as an ordinary FID."
        )
    peaks = np.nonzero((seg[1:-1] > seg[:-2]) & (seg[1:-1] >= seg[2:]) & (seg[1:-1] >= 0.9 * best))[0] + 1
    # an echo repeats: its autocorrelation dips between echoes and rises again; a plain
    # decaying FID gives a smooth, dip-free curve
    prominent = [i for i in peaks if seg[i] - r[: i + min_period_pts].min() >= 0.1]
    if not prominent:
        raise ProcessingError(
            "No repeating echo pattern was found in the data (the magnitude does not come "
            "back after decaying). This does not look like a CPMG train; give the echo "
            "period explicitly (period_us) or process it as an ordinary FID."
        )
    return _parabolic_peak(seg, int(prominent[0])) + min_period_pts


def _refine_period(x: np.ndarray, period_pts: float) -> float:
    """Sharpen an autocorrelation period estimate to a few hundredths of a point.

    The train magnitude folded at the right period stacks every echo on the first one,
    so the mean folded echo has the most contrast (variance); folded at a wrong period
    the echoes smear out, the more the longer the train. The period is scanned around
    the estimate, coarse then fine. An error of one point per echo would otherwise put
    the 50th echo 50 points off (seen on the 207Pb WCPMG train, 1600-point period).
    """
    env = np.abs(x)
    best = period_pts
    for half_range, step_pts in ((max(3.0, 0.005 * period_pts), 0.25), (0.3, 0.01)):
        candidates = np.arange(best - half_range, best + half_range + step_pts / 2, step_pts)
        contrast = [np.var(_fold(env, p)) for p in candidates]
        best = float(candidates[int(np.argmax(contrast))])
    return best


def _check_stated_period(x: np.ndarray, period_pts: float) -> tuple[float, str]:
    """Cross-check a period read from the acquisition parameters against the data.

    Stale or mis-parsed parameters happen; if the data's own period differs by more than
    1 % and stacks the echoes clearly better (fold contrast 1.5× higher), the data wins
    and a warning says so. Both folds average the same number of windows: a fold over
    fewer, longer windows keeps more noise, which alone raised the contrast of a
    multiple of the true period above 1.5× on noisy broad-line trains (S/N 20–30).
    """
    try:
        measured = echo_period_from_data(x)
    except ProcessingError:
        return period_pts, "pulse program"
    if abs(measured - period_pts) <= 0.01 * period_pts:
        return period_pts, "pulse program"
    env = np.abs(x)
    measured = _refine_period(x, measured)
    stacked = _fold(env, measured)
    windows = max(1, int(env.size // measured))
    if np.var(stacked) > 1.5 * np.var(_fold(env, period_pts, max_windows=windows)):
        warnings.warn(
            f"The echo period from the pulse-program parameters ({period_pts:.1f} points) does not "
            f"match the data, whose echoes repeat every {measured:.2f} points; using the data's "
            "period. Check the acquisition parameters (a stale or copied D/P/L value?).",
            QdkitWarning,
            stacklevel=4,
        )
        return measured, "cross-correlation"
    return period_pts, "pulse program"


def _fold(env: np.ndarray, period_pts: float, max_windows: int | None = None) -> np.ndarray:
    """Mean of the train magnitude over one period (windows starting at k·period)."""
    length = int(np.floor(period_pts))
    n = int((env.size - length) // period_pts) + 1
    if max_windows is not None:
        n = min(n, max_windows)
    starts = np.round(np.arange(n) * period_pts).astype(int)
    starts = starts[starts + length <= env.size]
    return np.mean([env[s : s + length] for s in starts], axis=0)


def _comb_positions(size: int, period_pts: float, twice_centre: np.ndarray) -> np.ndarray:
    """Points ``2c + n·period`` of the self-convolution (``size`` long) for each 2c given."""
    n_comb = int(size / period_pts) + 2
    return twice_centre[:, None] + period_pts * np.arange(n_comb)[None, :]


def _echo_centre(env: np.ndarray, period_pts: float) -> float:
    """Centre of symmetry of the echoes of a train magnitude, points within one period.

    The magnitude of a whole echo is symmetric about its top (the echo of a real
    spectrum is conjugate-symmetric in time), so the top is the point about which the
    folded mean echo best overlaps its own time reverse. That overlap, Σ_τ f(c+τ)·f(c−τ),
    is the self-convolution of f at 2c; summed over the whole train, it is the
    self-convolution of the train magnitude summed over the comb 2c + n·period, which
    handles a fractional period exactly. Every point of every echo takes part, weighted by
    the echo itself (a matched filter), so noise on a broad, flat top moves the result
    far less than it moves the tallest point. 2c is scanned in 1-point steps over one
    period (linear interpolation), then in 0.02-point steps around the best (cubic
    spline), with a parabola through the finest grid.
    The comb does not tell the top from the trough half a period away (both are centres
    of symmetry of a periodic profile); the one with the higher folded magnitude is the top.
    """
    folded = _fold(env, period_pts)
    # only what rises above the typical receiver-open level (see _receiver_window) counts:
    # neither the noise pedestal nor its steps at the blanked gaps may look like an echo,
    # and clipping a symmetric profile at a constant level keeps it symmetric
    level = np.median(folded[folded >= 0.2 * np.median(folded)])
    x = np.clip(env - level, 0.0, None)
    nfft = next_fast_len(2 * x.size - 1, real=True)
    spec = np.fft.rfft(x, nfft)
    conv = np.fft.irfft(spec * spec, nfft)[: 2 * x.size - 1]
    index = np.arange(conv.size)
    coarse = np.arange(0.0, period_pts, 1.0)
    score = np.interp(_comb_positions(conv.size, period_pts, coarse), index, conv, right=0.0).sum(axis=1)
    fine = coarse[int(np.argmax(score))] + np.arange(-1.0, 1.0 + 1e-9, 0.02)
    smooth = CubicSpline(index, conv, extrapolate=False)
    score = np.nan_to_num(smooth(_comb_positions(conv.size, period_pts, fine))).sum(axis=1)
    i = int(np.clip(np.argmax(score), 1, fine.size - 2))
    twice = _parabolic_peak(score, i) * 0.02 + fine[0]
    candidates = [(twice / 2) % period_pts, (twice / 2 + period_pts / 2) % period_pts]
    quarter = max(1, int(period_pts // 8))

    def level(c: float) -> float:
        return float(folded[(int(round(c)) + np.arange(-quarter, quarter + 1)) % folded.size].mean())

    return max(candidates, key=level)


def _receiver_window(folded: np.ndarray, top: int) -> int:
    """Longest even window centred on ``top`` that stays inside the receiver-open part.

    TopSpin writes (almost) zeros while the receiver is blanked during the refocusing
    pulses; those stretches are where the folded magnitude falls below a fifth of its
    median. Without blanking, the whole period is used.
    """
    length = folded.size
    closed = folded < 0.2 * np.median(folded)
    if not closed.any():
        return length - length % 2
    left = right = 0
    while left < length // 2 and not closed[(top - left - 1) % length]:
        left += 1
    while right < length // 2 and not closed[(top + right + 1) % length]:
        right += 1
    half = min(left, right)
    return max(2 * half, 2)


def _window(x: np.ndarray, start: float, length: int) -> np.ndarray:
    """``length`` points of ``x`` from the fractional index ``start``.

    The integer part is sliced; the fractional part is applied as a linear phase in the
    frequency domain (band-limited shift), on a slightly longer zero-padded slice so the
    circular wrap does not reach the returned points.
    """
    pad = 8
    i0 = int(np.floor(start))
    frac = start - i0
    lo, hi = i0 - pad, i0 + length + pad
    seg = np.zeros(hi - lo, dtype=complex)
    src_lo, src_hi = max(lo, 0), min(hi, x.size)
    if src_hi > src_lo:
        seg[src_lo - lo : src_hi - lo] = x[src_lo:src_hi]
    if frac:
        f = np.fft.fftfreq(seg.size)
        seg = np.fft.ifft(np.fft.fft(seg) * np.exp(2j * np.pi * f * frac))
    return seg[pad : pad + length]


def locate_echoes(
    ds,
    *,
    period_us: float | None = None,
    echo_pts: int | None = None,
    n_echoes: int | None = None,
    first_echo: int = 0,
) -> EchoTiming:
    """Find the echo tops of a CPMG train.

    The period comes from, in this order: ``period_us``; ``ds.meta.cpmg_period_us`` (read
    from the pulse-program parameters by :func:`qdkit.read`); the data's own
    autocorrelation (:func:`echo_period_from_data`). The position of the tops within a
    period is always measured, as the centre of symmetry of the mean echo: the magnitude
    of a whole echo is symmetric about its top, so the top is the point c about which the
    magnitude folded at the period best overlaps its own time reverse, i.e. where
    Σ_τ f(c+τ)·f(c−τ) is largest. That sum is the self-convolution of the train magnitude
    at 2c, summed over the comb 2c + n·period (exact for a fractional period); 2c is
    scanned in 1-point then 0.02-point steps and refined by a parabola. The whole echo
    takes part, weighted by itself, so noise on the broad, flat top of a broad-line echo
    moves it much less than it moves the tallest point (at S/N 20–50 its spread is 3–6×
    smaller on SYNTHETIC S9-like broad-line trains, 2–3× on sharp echoes:
    ``benchmarks/echo_top_noise.py``). Only what rises above the typical receiver-open
    level of the folded magnitude enters (clipping a symmetric profile at a constant level
    keeps it symmetric), so the noise pedestal and its steps at receiver-blanked gaps do
    not count as echo. Of the two centres of symmetry of a periodic profile (top and
    trough) the one with the higher folded magnitude is the top. The first top used is the
    first one after the digital filter's group delay (``meta.group_delay_pts``) whose
    window starts inside the data. Windows of ``echo_pts`` points (default: the
    receiver-open part of the period, see ``_receiver_window``) are centred on every top.

    Parameters
    ----------
    ds : Dataset
        The raw echo train (digital filter may still be in: it only shifts the tops).
    period_us : float, optional
        Echo period in microseconds (overrides the metadata).
    echo_pts : int, optional
        Window length in points.
    n_echoes : int, optional
        Use at most this many echoes (default: all that fit and hold signal, capped by
        ``meta.cpmg_echoes`` when the pulse program stated it).
    first_echo : int
        Skip this many leading echoes (the first is often distorted by pulse transients).

    Returns
    -------
    EchoTiming
        Period, first top, window length and number of echoes, with where the period came from.

    Raises
    ------
    ProcessingError
        For a non-positive period, or one that does not fit the train.
    """
    x = echo_train(ds)
    meta = getattr(ds, "meta", None)
    sw_hz = float(meta.sw_hz) if meta is not None and meta.sw_hz else None
    source = "pulse program"
    if period_us is None and meta is not None and meta.cpmg_period_us:
        period_us = float(meta.cpmg_period_us)
    if period_us is not None:
        if sw_hz is None:
            raise ProcessingError("An echo period in µs needs the spectral width (meta.sw_hz) to convert to points.")
        if period_us <= 0:
            raise ProcessingError(f"The echo period must be positive, got {period_us} µs.")
        period_pts = period_us * 1e-6 * sw_hz
        if meta is not None and period_us == meta.cpmg_period_us:
            period_pts, source = _check_stated_period(x, period_pts)
    else:
        period_pts = echo_period_from_data(x)
        source = "cross-correlation"
        period_pts = _refine_period(x, period_pts)
    if period_pts < 4 or period_pts > x.size / 2:
        raise ProcessingError(
            f"An echo period of {period_pts:.1f} points does not fit a train of {x.size} "
            "points (need at least two echoes of four points); check the period."
        )
    env = np.abs(x)
    if not np.isfinite(env).all():
        raise ProcessingError(
            "The echo train holds non-finite values (NaN or infinity); the raw data are damaged "
            "or were processed before. Read the FID again from the spectrometer folder."
        )
    top = _echo_centre(env, period_pts)
    if echo_pts is None:
        folded = _fold(env, period_pts)
        echo_pts = _receiver_window(folded, int(round(top)) % folded.size)
    echo_pts = int(echo_pts)
    if echo_pts < 2 or echo_pts > 2 * period_pts:
        raise ProcessingError(f"echo_pts = {echo_pts} must lie between 2 and twice the period ({period_pts:.0f}).")
    echo_pts -= echo_pts % 2
    half = echo_pts // 2
    # first top whose window starts inside the data and that comes after the digital
    # filter's delay: an "echo" before it is the filter run-in and the train's wrapped end
    delay = float(meta.group_delay_pts or 0.0) if meta is not None else 0.0
    earliest = max(float(half), delay)
    k0 = int(np.ceil((earliest - top) / period_pts)) if top < earliest else 0
    first_top = top + k0 * period_pts + first_echo * period_pts
    tops = first_top + period_pts * np.arange(int((x.size - first_top - half) // period_pts) + 1)
    tops = tops[tops + half <= x.size]
    if tops.size == 0:
        raise ProcessingError("No complete echo window fits in the data; give a smaller echo_pts.")
    energy = np.array([np.sum(np.abs(x[int(t) - half : int(t) + half]) ** 2) for t in tops])
    full = energy > _EMPTY_ECHO_FRACTION * energy.max()
    count = int(np.argmin(full)) if not full.all() else full.size
    if meta is not None and meta.cpmg_echoes:
        count = min(count, int(meta.cpmg_echoes) - first_echo)
    if n_echoes is not None:
        if n_echoes < 1:
            raise ProcessingError(f"n_echoes must be at least 1, got {n_echoes}.")
        count = min(count, int(n_echoes))
    return EchoTiming(float(period_pts), float(first_top), echo_pts, max(count, 1), source)


def split_echoes(ds, timing: EchoTiming) -> np.ndarray:
    """The echoes of the train as rows (``n_echoes × echo_pts``), each top at ``echo_pts // 2``.

    Parameters
    ----------
    ds : Dataset
        The raw echo train.
    timing : EchoTiming
        From :func:`locate_echoes`.

    Returns
    -------
    numpy.ndarray
        Complex, one echo per row (fractional tops are shifted exactly by the Fourier shift theorem).
    """
    x = echo_train(ds)
    half = timing.echo_pts // 2
    return np.array([_window(x, t - half, timing.echo_pts) for t in timing.tops_pts()])


@step
def coadd_echoes(
    ds: Dataset,
    *,
    period_us: float | None = None,
    period_pts: float | None = None,
    first_top_pts: float | None = None,
    echo_pts: int | None = None,
    n_echoes: int | None = None,
    first_echo: int = 0,
    weighting: str = "none",
    weights: list[float] | None = None,
    lb_hz: float = 0.0,
):
    """Co-add the echoes of a CPMG train into one whole echo.

    Echo tops are located by :func:`locate_echoes` unless ``period_pts`` and
    ``first_top_pts`` are given (that is what the recipe records, so a replay cuts exactly
    the same windows). The result is a :class:`Dataset` holding one whole echo of
    ``echo_pts`` points with its top at ``echo_pts // 2``; ``meta.group_delay_pts`` is set
    to that index so that the ordinary 1D chain (group-delay removal, zero fill, FT)
    treats the echo top as time zero, and a magnitude FT gives the lineshape directly.
    Use :func:`lineshape_recipe` (zero fill, then group-delay removal, FT) rather than the
    default 1D recipe, whose exponential window would start at the echo's beginning; use
    ``lb_hz`` here for broadening.

    Parameters
    ----------
    ds : Dataset
        Raw CPMG train (1D).
    period_us, period_pts : float, optional
        Echo period (µs or points); default from the metadata or the data.
    first_top_pts : float, optional
        Index of the first echo top used.
    echo_pts : int, optional
        Window length (default: the receiver-open part of a period).
    n_echoes, first_echo : int
        How many echoes to use and how many to skip at the start.
    weighting : {"none", "amplitude", "t2"}
        See :func:`echo_weights`.
    weights : list of float, optional
        Explicit per-echo weights (overrides ``weighting``).
    lb_hz : float
        Exponential line broadening applied symmetrically about the echo top,
        exp(−π·lb·|t − t_top|) (the 1D ``apodize`` step would treat the echo start as t = 0).

    Returns
    -------
    Dataset
        The co-added whole echo; the recipe records the resolved window positions and
        weights.

    Raises
    ------
    ProcessingError
        For inconsistent explicit positions, a wrong number of weights, or ``lb_hz``
        without a spectral width.
    """
    x = echo_train(ds)
    if period_pts is not None and first_top_pts is not None:
        if echo_pts is None:
            raise ProcessingError("Give echo_pts together with period_pts and first_top_pts.")
        size = int(echo_pts) - int(echo_pts) % 2
        fit = int((x.size - first_top_pts - size // 2) // period_pts) + 1
        count = fit if n_echoes is None else min(fit, int(n_echoes))
        timing = EchoTiming(float(period_pts), float(first_top_pts), size, count, "recipe")
    else:
        timing = locate_echoes(ds, period_us=period_us, echo_pts=echo_pts, n_echoes=n_echoes, first_echo=first_echo)
    echoes = split_echoes(x, timing)
    sw_hz = float(ds.meta.sw_hz) if ds.meta.sw_hz else None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        if w.size != len(echoes):
            raise ProcessingError(f"{w.size} weights given for {len(echoes)} echoes.")
    else:
        period_s = timing.period_pts / sw_hz if sw_hz else None
        w = echo_weights(echoes, weighting, period_s)
    echo = np.tensordot(w, echoes, axes=1)
    if lb_hz:
        if not sw_hz:
            raise ProcessingError("Echo line broadening needs the spectral width (meta.sw_hz).")
        t_s = (np.arange(timing.echo_pts) - timing.echo_pts // 2) / sw_hz
        echo = echo * np.exp(-np.pi * lb_hz * np.abs(t_s))
    meta = ds.meta.replace(
        td=timing.echo_pts,
        group_delay_pts=float(timing.echo_pts // 2),
        extra={
            **ds.meta.extra,
            "cpmg_coadded": {
                "n_echoes": len(echoes),
                "period_pts": timing.period_pts,
                "period_source": timing.period_source,
            },
        },
    )
    resolved = {
        "period_pts": timing.period_pts,
        "first_top_pts": timing.first_top_pts,
        "echo_pts": timing.echo_pts,
        "n_echoes": len(echoes),
        "weighting": weighting,
        "weights": [float(v) for v in w] if weighting != "none" or weights is not None else None,
        "lb_hz": lb_hz,
    }
    # the train's vendor processing (TDeff, SI, phases) does not apply to one echo
    return ds.replace(data=echo, meta=meta, vendor_spectrum=None, procs={}), resolved
