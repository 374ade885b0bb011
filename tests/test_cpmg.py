"""CPMG echo trains: locating echoes, co-adding them, and the lineshape that results.

Real trains are the public WCPMG / double-echo CPMG sets in ``shared/data/real``; the
synthetic trains below are labelled as such and built with a known period and T2.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import qdkit
from qdkit import cpmg, recipe
from qdkit.dataset import Dataset, Meta
from qdkit.errors import ProcessingError


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qdkit.read(path)


def _magnitude_spectrum(time_data, si):
    """|FT| in TopSpin's order (high frequency first), zero-filled to ``si`` points."""
    return np.abs(np.fft.fftshift(np.fft.fft(time_data, si)))[::-1]


def _corr(a, b):
    a = a - a.mean()
    b = b - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


def synthetic_train(*, period_pts=123.4, n_echoes=40, t2_echoes=12.0, noise=0.02, seed=1, first_top=70.3):
    """SYNTHETIC CPMG train: Gaussian-envelope echoes of two lines, exponential T2 decay.

    Returns the train, the noiseless echo shape (top at the centre of a period-long
    window) and the echo amplitudes.
    """
    rng = np.random.default_rng(seed)
    n = int(first_top + period_pts * (n_echoes - 0.5))
    t = np.arange(n, dtype=float)
    train = np.zeros(n, dtype=complex)
    amps = np.exp(-np.arange(n_echoes) / t2_echoes)

    def echo(dt):
        # two lines at +0.05 and -0.12 cycles/point, Gaussian dephasing around the top
        return np.exp(-((dt / 9.0) ** 2)) * (np.exp(2j * np.pi * 0.05 * dt) + 0.6 * np.exp(-2j * np.pi * 0.12 * dt))

    for k, a in enumerate(amps):
        train += a * echo(t - (first_top + k * period_pts))
    train += noise * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    w = 2 * int(period_pts // 2)
    shape = echo(np.arange(w) - w // 2)
    meta = Meta(nucleus="119Sn", sw_hz=1e6, td=n, reference_mhz=186.6, larmor_mhz=186.5, source="synthetic")
    return Dataset(data=train, meta=meta), shape, amps


# --- synthetic trains (known answers) ------------------------------------------------


def test_echo_period_is_found_by_cross_correlation_to_a_hundredth_of_a_point():
    ds, _, _ = synthetic_train(period_pts=123.4)
    timing = cpmg.locate_echoes(ds)
    assert timing.period_source == "cross-correlation"
    # 40 echoes: a 0.05-point error would shift the last echo by 2 points
    assert timing.period_pts == pytest.approx(123.4, abs=0.05)
    assert timing.first_top_pts == pytest.approx(70.3, abs=0.3)
    assert timing.n_echoes == 40


def test_coadded_synthetic_echo_has_the_single_echo_lineshape():
    ds, shape, _ = synthetic_train(period_pts=123.4)
    co = cpmg.coadd_echoes(ds, echo_pts=len(shape))
    assert co.data.shape == shape.shape
    # fractional period: windows are shifted by sub-point amounts; the complex echo must
    # still add coherently (a 0.4-point jitter would cost phase at 0.12 cycles/point)
    assert abs(np.vdot(co.data, shape)) / (np.linalg.norm(co.data) * np.linalg.norm(shape)) > 0.995
    assert co.meta.group_delay_pts == len(shape) // 2


def test_amplitude_weighting_beats_plain_sum_when_late_echoes_are_noise():
    """Matched filter: echoes that have decayed into the noise add only noise to a plain sum."""
    ds, shape, _ = synthetic_train(period_pts=100.0, n_echoes=60, t2_echoes=5.0, noise=0.05, seed=3)

    def snr(echo):
        top = abs(echo[len(echo) // 2])
        edge = np.concatenate([echo[:10], echo[-10:]])
        return top / np.std(edge)

    plain = cpmg.coadd_echoes(ds, echo_pts=len(shape))
    weighted = cpmg.coadd_echoes(ds, echo_pts=len(shape), weighting="amplitude")
    t2w = cpmg.coadd_echoes(ds, echo_pts=len(shape), weighting="t2")
    assert snr(weighted.data) > 1.5 * snr(plain.data)
    assert snr(t2w.data) > 1.5 * snr(plain.data)


def test_echo_decay_fit_recovers_synthetic_t2():
    ds, shape, _ = synthetic_train(period_pts=100.0, n_echoes=30, t2_echoes=12.0, noise=0.002)
    timing = cpmg.locate_echoes(ds, echo_pts=len(shape))
    amps = cpmg.echo_amplitudes(cpmg.split_echoes(ds, timing))
    period_s = 100.0 / 1e6
    t2_s, _ = cpmg.fit_echo_decay(amps, period_s)
    assert t2_s == pytest.approx(12.0 * period_s, rel=0.03)


def test_coaddition_replays_from_its_recipe_without_searching_again():
    ds, shape, _ = synthetic_train()
    co = cpmg.coadd_echoes(ds, weighting="amplitude")
    entry = co.recipe[-1]
    assert entry["step"] == "coadd_echoes"
    assert {"period_pts", "first_top_pts", "echo_pts", "weights"} <= set(entry)
    again = recipe.apply(ds, recipe.from_json(recipe.to_json(co.recipe)))
    np.testing.assert_allclose(again.data, co.data, rtol=1e-12, atol=1e-12)


def test_a_plain_fid_is_refused_as_an_echo_train():
    t = np.arange(4096)
    fid = np.exp(-t / 300.0) * np.exp(2j * np.pi * 0.01 * t)
    ds = Dataset(data=fid, meta=Meta(sw_hz=1e5, td=4096))
    with pytest.raises(ProcessingError, match="CPMG train"):
        cpmg.locate_echoes(ds)


# --- real trains ------------------------------------------------------------------------


@pytest.mark.paper
def test_119sn_double_echo_cpmg_coadds_to_topspins_lineshape(real_data):
    """1100 (raw train, NS 512) co-added vs TopSpin's co-added magnitude spectrum 1101/pdata/11."""
    base = real_data / "cpmg_119Sn_SnO2_double_echo_CPMG"
    train = _read(base / "1100")
    co = cpmg.coadd_echoes(train)
    assert co.meta.extra["cpmg_coadded"]["n_echoes"] == 51  # 1 + L22 (50) windows
    ref = _read(base / "1101" / "pdata" / "11").vendor_spectrum.real
    assert _corr(_magnitude_spectrum(co.data, ref.size), ref) >= 0.98


def test_119sn_period_found_without_the_pulse_program(real_data):
    train = _read(real_data / "cpmg_119Sn_SnO2_double_echo_CPMG" / "1100")
    blind = train.replace(meta=train.meta.replace(cpmg_period_us=None, cpmg_echoes=None))
    timing = cpmg.locate_echoes(blind)
    # p23 + 2 de + d6 = 300 + 20 + 280 µs at SW 1 MHz
    assert timing.period_source == "cross-correlation"
    assert timing.period_pts == pytest.approx(600.0, abs=0.1)


@pytest.mark.paper
def test_207pb_wcpmg_train_coadds_to_the_authors_echo(real_data):
    """Expno 2 (raw WURST-CPMG train at 12.5 kHz MAS) co-added vs expno 1 (author's co-add)."""
    base = real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS"
    train = _read(base / "2")
    author = _read(base / "1")
    for meta in (train.meta, train.meta.replace(cpmg_period_us=None, cpmg_echoes=None)):
        co = cpmg.coadd_echoes(train.replace(meta=meta))
        assert co.meta.extra["cpmg_coadded"]["n_echoes"] == 50
        si = 32768
        assert _corr(_magnitude_spectrum(co.data, si), _magnitude_spectrum(author.data, si)) >= 0.98
    # the author summed the 50 receiver windows (d7 = 600 µs = 1500 points) unweighted
    top = co.data.size // 2
    lag = np.argmax(np.abs(np.correlate(np.abs(author.data), np.abs(co.data), "full"))) - (co.data.size - 1)
    assert abs(lag + top - 750) <= 2


def test_195pt_static_wcpmg_first_echo_matches_topspin_first_echo(real_data):
    """pdata/1 is TopSpin's magnitude FT of the first echo only (TDeff 680 = 340 points)."""
    ds = _read(real_data / "cpmg_195Pt_Reiset_WCPMG_static_AV300" / "7")
    assert int(ds.procs["TDeff"]) == 680
    timing = cpmg.locate_echoes(ds)
    assert timing.period_pts == pytest.approx(352.0, abs=0.05)  # d3+p1+d3+1u+d6+1u
    first = cpmg.split_echoes(ds, timing)[0]
    ref = ds.vendor_spectrum.real
    assert _corr(_magnitude_spectrum(first, ref.size), ref) >= 0.98
