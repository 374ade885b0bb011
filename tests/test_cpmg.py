"""CPMG echo trains: locating echoes, co-adding them, and the lineshape that results.

Real trains are the public WCPMG / double-echo CPMG sets in ``shared/data/real``; the
synthetic trains below are labelled as such and built with a known period and T2.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import qdkit
from qdkit import cpmg, paths, processing, recipe
from qdkit.dataset import Dataset, Meta
from qdkit.errors import ProcessingError


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qdkit.read(path)


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
    t2_s = cpmg.fit_echo_decay(amps, period_s).t2_s
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


@pytest.mark.parametrize("catalog_id", ["S9-cdte", "S9-pbse", "S9-pbte"])
def test_broad_flat_topped_echoes_are_located_at_the_pulse_program_timing(catalog_id):
    """SYNTHETIC Fig. S9 CP-CPMG trains: 60-73-point echoes of 9-12 kHz lines at S/N 20-30.

    The generator puts the first top at the group delay + half a period. The tallest point
    of the folded echo was 7.4 (CdTe) and 3.4 points (PbSe) off; the centre of symmetry
    spreads by 0.5-1.0 point (SD) at S/N 20-30 (benchmarks/echo_top_noise.py), hence 1.5.
    An echo before the group delay (the filter run-in) must not be taken as the first.
    """
    record = next(r for r in paths.reference_index() if r["catalog_id"] == catalog_id)
    ds = qdkit.read(paths.reference_dir() / record["path"])
    period = ds.meta.cpmg_period_us * 1e-6 * ds.meta.sw_hz
    timing = cpmg.locate_echoes(ds)
    assert timing.period_pts == pytest.approx(period)
    assert timing.first_top_pts == pytest.approx(ds.meta.group_delay_pts + period / 2, abs=1.5)
    assert timing.n_echoes == 31


def test_a_coadded_echo_phased_by_its_integral_matches_the_model_where_the_lineshape_criterion_wanders():
    """SYNTHETIC Fig. S9 PbSe 77Se CP-CPMG (12 kHz line, S/N 25): co-added with the default
    windows, phased from its integral (= the echo top), then compared with the sample model
    the data were made from. The lineshape criterion (least negative absorption) picks a
    phase tens of degrees off on this broad, noisy line; the echo-top phase does not."""
    from qdkit.models.setups import experiment_setup
    from qdkit.sample import predict

    record = next(r for r in paths.reference_index() if r["catalog_id"] == "S9-pbse")
    ds = qdkit.read(paths.reference_dir() / record["path"])
    lineshape = cpmg.lineshape(ds)
    model = predict(*experiment_setup("S9-pbse"), lineshape.ppm).total
    by_integral = processing.autophase(lineshape, method="integral")
    by_absorption = processing.autophase(lineshape)
    r_integral = processing.correlation(model, by_integral.real)
    r_absorption = processing.correlation(model, by_absorption.real)
    print(
        f"\nS9 PbSe co-added echo vs model: integral phase r = {r_integral:.3f}, absorption criterion r = {r_absorption:.3f}"
    )
    assert r_integral >= 0.95
    # the phase found is recorded: the recipe replays without choosing again
    again = qdkit.process(ds, recipe.from_json(recipe.to_json(by_integral.recipe)))
    np.testing.assert_allclose(again.data, by_integral.data)


def test_phasing_by_the_integral_recovers_a_known_phase_and_refuses_nonsense():
    hz = np.linspace(-5000, 5000, 1024)
    line = 1.0 / (1.0 + ((hz - 300.0) / 400.0) ** 2) + 0j
    from qdkit.dataset import Spectrum

    spec = Spectrum(data=line * np.exp(-1j * np.radians(57.0)), hz=hz, meta=Meta(nucleus="1H", reference_mhz=400.0))
    out = processing.autophase(spec, method="integral")
    assert out.recipe[-1]["p0_deg"] == pytest.approx(57.0, abs=1e-6)
    np.testing.assert_allclose(out.data.imag, 0.0, atol=1e-12)
    with pytest.raises(ProcessingError, match="absorption' or 'integral"):
        processing.autophase(spec, method="magic")


# --- real trains ------------------------------------------------------------------------


@pytest.mark.paper
def test_119sn_double_echo_cpmg_coadds_to_topspins_lineshape(real_data):
    """1100 (raw train, NS 512) co-added vs TopSpin's co-added magnitude spectrum 1101/pdata/11."""
    base = real_data / "cpmg_119Sn_SnO2_double_echo_CPMG"
    train = _read(base / "1100")
    ref = _read(base / "1101" / "pdata" / "11")
    spec = cpmg.lineshape(train, size=ref.vendor_spectrum.size, magnitude=True)
    assert spec.recipe[0]["n_echoes"] == 51  # 1 + L22 (50) receiver windows
    np.testing.assert_allclose(spec.ppm, qdkit.process(ref).ppm, atol=1e-6)
    assert processing.correlation(spec.real, ref.vendor_spectrum.real) >= 0.98
    # the recipe replays through the ordinary entry point
    again = qdkit.process(train, recipe.from_json(recipe.to_json(spec.recipe)))
    np.testing.assert_allclose(again.data, spec.data)


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
    author_mag = _read(base / "1" / "pdata" / "13")  # TopSpin magnitude of the author's echo
    for meta in (train.meta, train.meta.replace(cpmg_period_us=None, cpmg_echoes=None)):
        spec = cpmg.lineshape(train.replace(meta=meta), size=author_mag.vendor_spectrum.size, magnitude=True)
        assert spec.recipe[0]["n_echoes"] == 50
        assert processing.correlation(spec.real, author_mag.vendor_spectrum.real) >= 0.98
    # the author summed the 50 receiver windows (d7 = 600 µs = 1500 points) unweighted:
    # our echo top must fall on the centre of those windows
    author = _read(base / "1")
    co = cpmg.coadd_echoes(train)
    lag = np.argmax(np.abs(np.correlate(np.abs(author.data), np.abs(co.data), "full"))) - (co.data.size - 1)
    assert abs(lag + co.data.size // 2 - 750) <= 2


def test_195pt_static_wcpmg_first_echo_matches_topspin_first_echo(real_data):
    """pdata/1 is TopSpin's magnitude FT of the first echo only (TDeff 680 = 340 points)."""
    ds = _read(real_data / "cpmg_195Pt_Reiset_WCPMG_static_AV300" / "7")
    assert int(ds.procs["TDeff"]) == 680
    timing = cpmg.locate_echoes(ds)
    assert timing.period_pts == pytest.approx(352.0, abs=0.05)  # d3+p1+d3+1u+d6+1u
    first = ds.replace(data=cpmg.split_echoes(ds, timing)[0], procs={})
    ref = ds.vendor_spectrum.real
    spec = qdkit.process(first, [{"step": "zero_fill", "size": ref.size}, {"step": "ft"}, {"step": "magnitude"}])
    assert processing.correlation(spec.real, ref) >= 0.98


@pytest.mark.parametrize(
    "folder, procno",
    [("cpmg_195Pt_Reiset_WCPMG_static_AV300/7", 11), ("cpmg_207Pb_PbZrO3_WCPMG_MAS/2", 1)],
)
def test_spikelet_spectrum_matches_topspins_magnitude_ft_of_the_train(real_data, folder, procno):
    ds = _read(real_data / folder / "pdata" / str(procno))
    spec = cpmg.spikelet_spectrum(ds, size=int(ds.procs["SI"]), points=int(ds.procs["TDeff"]) // 2)
    assert processing.correlation(spec.real, ds.vendor_spectrum.real) >= 0.999


def test_spikelets_are_spaced_by_the_inverse_echo_period(real_data):
    """Static 195Pt WCPMG: period 352 µs → spikelets every 2840.9 Hz (the d26 TopSpin shows)."""
    ds = _read(real_data / "cpmg_195Pt_Reiset_WCPMG_static_AV300" / "7")
    spec = cpmg.spikelet_spectrum(ds)
    y = spec.real - spec.real.mean()
    ac = np.fft.irfft(np.abs(np.fft.rfft(y, 2 * y.size)) ** 2)[: y.size]
    dhz = abs(spec.hz[0] - spec.hz[1])
    lo, hi = int(1000 / dhz), int(5000 / dhz)
    spacing_hz = (np.argmax(ac[lo:hi]) + lo) * dhz
    assert spacing_hz == pytest.approx(1e6 / 352.0, abs=1.5 * dhz)


def test_stepped_195pt_sub_spectra_stitch_on_one_ppm_axis(real_data):
    """Two WCPMG-MAS steps 300 kHz apart (SFO1 107.625 / 107.325 MHz): same lines where they overlap."""
    base = real_data / "cpmg_195Pt_PtMix_WCPMG_MAS_stepped"
    subs = [qdkit.process(_read(base / e)) for e in ("2999", "3999")]
    whole = cpmg.stitch_spectra(subs)
    assert whole.ppm.max() == pytest.approx(max(s.ppm.max() for s in subs), abs=1.0)
    assert whole.ppm.min() == pytest.approx(min(s.ppm.min() for s in subs), abs=1.0)
    lo = max(s.ppm.min() for s in subs)
    hi = min(s.ppm.max() for s in subs)
    tops = []
    for s in subs:
        inside = (s.ppm > lo) & (s.ppm < hi)
        tops.append(s.ppm[np.argmax(np.where(inside, s.real, 0.0))])
    # the tallest line of the overlap is at the same shift in both steps (carriers handled)
    assert tops[0] == pytest.approx(tops[1], abs=2 * abs(subs[0].ppm[0] - subs[0].ppm[1]))
    # skyline: on the common axis never below either sub-spectrum, and equal to one of them
    subs_on_axis = []
    for s in subs:
        inside = (whole.ppm >= s.ppm.min()) & (whole.ppm <= s.ppm.max())
        on_axis = np.where(inside, np.interp(whole.ppm, s.ppm[::-1], s.real[::-1]), -np.inf)
        assert np.all(whole.real >= on_axis - 1e-9 * whole.real.max())
        subs_on_axis.append(on_axis)
    np.testing.assert_allclose(whole.real, np.max(subs_on_axis, axis=0))


def test_a_stale_pulse_program_period_is_overruled_by_the_data_with_a_warning():
    ds, shape, _ = synthetic_train(period_pts=123.4)
    stale = ds.replace(meta=ds.meta.replace(cpmg_period_us=140.0))  # 140 points at 1 MHz
    with pytest.warns(UserWarning, match="does not match the data"):
        timing = cpmg.locate_echoes(stale)
    assert timing.period_pts == pytest.approx(123.4, abs=0.05)
    right = ds.replace(meta=ds.meta.replace(cpmg_period_us=123.4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cpmg.locate_echoes(right).period_source == "pulse program"
