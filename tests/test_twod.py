"""2D processing (quadrature modes, projections) and pseudo-2D relaxation series.

The 2D spectra here are SYNTHETIC: a 13C{111Cd} correlation built like the paper's D-HMQC
(Figure 4; SI section VII: 48 t1 increments of 4 µs) with one cross peak at known
positions, written in each Bruker quadrature mode. The relaxation series are real.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import odnp_inversion_recovery

import qdkit
from qdkit import nuclei, recipe, relaxation, twod
from qdkit.dataset import Dataset, Meta
from qdkit.errors import ProcessingError

CARBOXYLATE_13C_PPM = 183.0  # Cd oleate carboxylate (Fig. 4, F2)
SURFACE_CD_PPM = -317.0  # surface Cd (Fig. 3a/4, F1)


def synthetic_dhmqc(
    mode,
    *,
    f1_ppm=SURFACE_CD_PPM,
    f2_ppm=CARBOXYLATE_13C_PPM,
    carrier1_ppm=-200.0,
    carrier2_ppm=100.0,
    n1=48,
    dt1_us=4.0,
    n2=512,
    sw2_hz=50_000.0,
    field_T=9.4,
    noise=0.0,
    seed=0,
):
    """SYNTHETIC 13C{111Cd} 2D: one cross peak, t1 sampled as Bruker ``mode`` would store it.

    F2 rows follow the raw-data convention of qdkit.processing (a positive offset evolves
    as exp(+iΩ2t2)); t1 rows: States cos/sin pairs, States-TPPI the same with every other
    pair inverted, echo-antiecho N/P pairs (exp(∓iΩ1t1)), TPPI real rows at 2·SW1 with
    90° increments, QF plain cosine rows.
    """
    ref2 = nuclei.get("13C").reference_mhz(field_T)
    ref1 = nuclei.get("111Cd").reference_mhz(field_T)
    f2_hz = (f2_ppm - carrier2_ppm) * ref2
    f1_hz = (f1_ppm - carrier1_ppm) * ref1
    t2 = np.arange(n2) / sw2_hz
    s2 = np.exp(2j * np.pi * f2_hz * t2 - t2 / 2e-3)
    sw1 = 1e6 / dt1_us
    k = np.arange(n1)
    t1 = k / sw1
    decay = np.exp(-t1 / 100e-6)
    w1 = 2 * np.pi * f1_hz * t1
    if mode in ("states", "states-tppi", "echo-antiecho"):
        if mode == "echo-antiecho":
            first, second = np.exp(-1j * w1) * decay, np.exp(1j * w1) * decay
        else:
            first, second = np.cos(w1) * decay, np.sin(w1) * decay
            if mode == "states-tppi":
                first, second = first * (-1.0) ** k, second * (-1.0) ** k
        rows = np.empty((2 * n1, n2), complex)
        rows[0::2] = first[:, None] * s2
        rows[1::2] = second[:, None] * s2
    elif mode == "tppi":
        kk = np.arange(2 * n1)
        tt = kk / (2 * sw1)
        rows = (np.cos(2 * np.pi * f1_hz * tt + kk * np.pi / 2) * np.exp(-tt / 100e-6))[:, None] * s2
    elif mode == "qf":
        rows = (np.cos(w1) * decay)[:, None] * s2
    else:
        raise ValueError(mode)
    rng = np.random.default_rng(seed)
    rows = rows + noise * (rng.standard_normal(rows.shape) + 1j * rng.standard_normal(rows.shape))
    meta = Meta(
        nucleus="13C",
        field_T=field_T,
        reference_mhz=ref2,
        larmor_mhz=ref2 * (1 + carrier2_ppm * 1e-6),
        sw_hz=sw2_hz,
        td=n2,
        ndim=2,
        td_indirect=(rows.shape[0],),
        sw_indirect_hz=(sw1,),
        nuclei_indirect=("111Cd",),
        larmor_mhz_indirect=(ref1 * (1 + carrier1_ppm * 1e-6),),
        fnmode=mode,
        group_delay_pts=0.0,
        source="synthetic D-HMQC-like 2D",
    )
    return Dataset(data=rows, meta=meta)


def _f1_bin_ppm(spec):
    return abs(spec.ppm_indirect[0] - spec.ppm_indirect[1])


def _largest_elsewhere(spec, f1_ppm, f2_ppm, exclude_bins=6):
    """Largest |real| outside a few bins around (f1, f2): quadrature images, axial peaks."""
    re = np.abs(spec.real).copy()
    i = int(np.argmin(np.abs(spec.ppm_indirect - f1_ppm)))
    j = int(np.argmin(np.abs(spec.ppm - f2_ppm)))
    re[max(i - exclude_bins, 0) : i + exclude_bins + 1, max(j - 40, 0) : j + 41] = 0
    return float(re.max())


MODES = ["states", "states-tppi", "echo-antiecho", "tppi"]


@pytest.mark.parametrize("mode", MODES)
def test_quadrature_mode_puts_the_cross_peak_at_surface_cd_and_carboxylate(mode):
    spec = twod.process_2d(synthetic_dhmqc(mode))
    f1, f2 = twod.peak_position_ppm(spec)
    # F1: 48 increments of 4 µs → SW1 = 250 kHz ≈ 2950 ppm of 111Cd at 9.4 T; the peak must
    # sit within one digital-resolution bin; F2 within 0.5 ppm
    assert f1 == pytest.approx(SURFACE_CD_PPM, abs=_f1_bin_ppm(spec))
    assert f2 == pytest.approx(CARBOXYLATE_13C_PPM, abs=0.5)
    i, j = np.unravel_index(np.argmax(np.abs(spec.real)), spec.real.shape)
    assert spec.real[i, j] > 0  # positive absorption, not inverted
    # no quadrature image or axial peak above 5 % of the cross peak
    assert _largest_elsewhere(spec, f1, f2) < 0.05 * spec.real[i, j]


@pytest.mark.parametrize("mode", MODES)
def test_wrong_quadrature_mode_visibly_misplaces_or_mirrors_the_peak(mode):
    ds = synthetic_dhmqc(mode)
    for wrong in [m for m in MODES + ["qf"] if m != mode]:
        spec = twod.process_2d(ds, fnmode=wrong)
        f1, f2 = twod.peak_position_ppm(spec)
        i, j = np.unravel_index(np.argmax(np.abs(spec.real)), spec.real.shape)
        misplaced = abs(f1 - SURFACE_CD_PPM) > 3 * _f1_bin_ppm(spec)
        mirrored = _largest_elsewhere(spec, SURFACE_CD_PPM, CARBOXYLATE_13C_PPM) > 0.3 * abs(spec.real[i, j])
        assert misplaced or mirrored, f"{mode} data processed as {wrong} looked right"


def test_qf_cannot_tell_the_sign_of_the_f1_offset():
    """No F1 quadrature: the peak and its mirror about the F1 carrier are equally tall."""
    spec = twod.process_2d(synthetic_dhmqc("qf"), indirect={"first_point": 1.0})
    i_true = int(np.argmin(np.abs(spec.ppm_indirect - SURFACE_CD_PPM)))
    i_mirror = int(np.argmin(np.abs(spec.ppm_indirect - (2 * -200.0 - SURFACE_CD_PPM))))
    j = int(np.argmin(np.abs(spec.ppm - CARBOXYLATE_13C_PPM)))
    a, b = spec.real[i_true - 1 : i_true + 2, j].max(), spec.real[i_mirror - 1 : i_mirror + 2, j].max()
    assert a == pytest.approx(b, rel=0.1)


def test_bruker_fnmode_codes_name_the_quadrature_modes():
    assert [twod.quadrature_mode(c) for c in (1, 2, 3, 4, 5, 6)] == [
        "qf",
        "qseq",
        "tppi",
        "states",
        "states-tppi",
        "echo-antiecho",
    ]
    assert twod.quadrature_mode("States-TPPI") == "states-tppi"
    assert twod.quadrature_mode("Echo-Antiecho") == "echo-antiecho"
    with pytest.raises(ProcessingError, match="pseudo-2D"):
        twod.quadrature_mode("undefined")


def test_f1_phase_error_is_removed_by_phase_2d():
    spec = twod.process_2d(synthetic_dhmqc("states"), indirect={"p0_deg": 60.0})
    i, j = np.unravel_index(np.argmax(np.abs(spec.data)), spec.data.shape)
    assert np.degrees(np.angle(spec.data[i, j])) == pytest.approx(60.0, abs=5.0)
    fixed = twod.phase_2d(spec, p0_indirect_deg=-60.0)
    assert np.degrees(np.angle(fixed.data[i, j])) == pytest.approx(0.0, abs=5.0)


def test_f2_can_be_rephased_after_the_f1_transform():
    """The hypercomplex half kept in data_f2_imag makes a late F2 phase exact."""
    ds = synthetic_dhmqc("states")
    good = twod.process_2d(ds)
    f2p0 = good.recipe[[e["step"] for e in good.recipe].index("phase")]["p0_deg"]
    off = twod.process_2d(ds, direct={"p0_deg": f2p0 + 45.0})
    fixed = twod.phase_2d(off, p0_deg=-45.0)
    np.testing.assert_allclose(fixed.real, good.real, atol=1e-9 * np.abs(good.real).max())


def test_2d_recipe_replays_to_the_same_spectrum():
    ds = synthetic_dhmqc("echo-antiecho", noise=0.05)
    spec = twod.process_2d(ds, direct={"window": "em", "lb_hz": 50.0})
    again = recipe.apply(ds.replace(recipe=()), recipe.from_json(recipe.to_json(spec.recipe)))
    assert isinstance(again, twod.Spectrum2D)
    np.testing.assert_allclose(again.data, spec.data)


def test_projections_and_contour_levels_of_a_noisy_2d():
    spec = twod.process_2d(synthetic_dhmqc("states", noise=0.5, seed=4))
    sky = twod.projection(spec, onto="indirect")
    summed = twod.projection(spec, onto="indirect", kind="sum", region_ppm=(178, 188))
    f2sky = twod.projection(spec, onto="direct")
    assert sky.meta.nucleus == "111Cd"
    assert sky.ppm[np.argmax(sky.real)] == pytest.approx(SURFACE_CD_PPM, abs=_f1_bin_ppm(spec))
    assert summed.ppm[np.argmax(summed.real)] == pytest.approx(SURFACE_CD_PPM, abs=_f1_bin_ppm(spec))
    assert f2sky.ppm[np.argmax(f2sky.real)] == pytest.approx(CARBOXYLATE_13C_PPM, abs=0.5)
    levels = twod.contour_levels(spec, n_levels=8)
    assert np.all(np.diff(levels) > 0)
    # the lowest contour sits above the noise: few noise points cross it
    assert np.mean(spec.real > levels[0]) < 0.01
    assert spec.real.max() > levels[0]


# --- pseudo-2D relaxation series ------------------------------------------------------


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qdkit.read(path)


def test_vdlist_series_splits_into_one_fid_per_delay(real_data):
    ds = _read(real_data / "dnplab_odnp_topspin_1H_0.35T" / "28")
    rows = twod.split_series(ds)
    assert len(rows) == 8
    assert [r.meta.delays_s[0] for r in rows] == pytest.approx(
        [0.02, 0.056854, 0.161616, 0.459422, 1.306, 3.713, 10.553, 30.0]
    )
    assert all(r.data.ndim == 1 and r.data.shape[0] == ds.data.shape[1] for r in rows)
    with pytest.raises(ProcessingError, match="phase-cycle"):
        twod.split_series(ds, delays_s=ds.meta.delays_s[:4])


@pytest.mark.parametrize("expno", [28, 304])
def test_inversion_recovery_t1_agrees_with_dnplab_workup(real_data, expno):
    """1H T1 of the ODNP sample (28: microwaves on at 0.6 mW, 304: off) vs DNPLab's CSV.

    Processing as DNPLab's example: 10 Hz exponential, integral over 100 Hz around the
    line, one phase for all delays. DNPLab also aligns the rows in frequency; the line
    wanders by 10–30 Hz between delays, which (with the noise on 8 points) is why the
    two T1s differ by up to ~8 %.
    """
    delays, integrals, (t1_ref, _) = odnp_inversion_recovery(real_data, expno)
    assert integrals[0] < 0 < integrals[-1]  # inverted at 20 ms, relaxed at 30 s
    fit = relaxation.fit_t1(delays, integrals, kind="inversion")
    assert fit.t1_s == pytest.approx(t1_ref, rel=0.10)
    assert 1.6 < fit.efficiency <= 2.05  # a real 180° pulse inverts nearly fully


def test_87rb_saturation_recovery_from_a_varian_array(real_data):
    ds = _read(real_data / "ssnake_87Rb_satrec2D_varian" / "satrec2D.fid")
    rows = twod.split_series(ds)
    assert len(rows) == 12
    last = qdkit.process(rows[-1].replace(procs={}))
    centre = last.ppm[np.argmax(last.real)]
    delays, integrals, _ = twod.series_integrals(ds, region_ppm=(centre - 5, centre + 5))
    fit = relaxation.fit_t1(delays, integrals, kind="saturation")
    # saturation leaves (almost) nothing at 1 ms and the curve is a single exponential
    assert fit.efficiency == pytest.approx(1.0, abs=0.05)
    assert 0.05 < fit.t1_s < 2.0
    assert fit.rms_residual < 0.01 * fit.m_inf
    # the half-way point of the recovery lies where T1·ln 2 says
    half = np.interp(0.5 * fit.m_inf, integrals, delays)
    assert half == pytest.approx(fit.t1_s * np.log(2.0), rel=0.15)


def test_t1_fit_recovers_a_synthetic_inversion_recovery():
    """SYNTHETIC: T1 = 0.8 s, imperfect inversion (k = 1.9), 1 % noise."""
    rng = np.random.default_rng(7)
    tau = np.geomspace(0.01, 6.0, 12)
    y = relaxation.recovery(tau, t1_s=0.8, m_inf=100.0, efficiency=1.9) + rng.normal(0, 1.0, tau.size)
    fit = relaxation.fit_t1(tau, y)
    assert fit.t1_s == pytest.approx(0.8, abs=3 * fit.t1_err_s + 0.01)
    assert fit.efficiency == pytest.approx(1.9, abs=0.05)
    with pytest.raises(ProcessingError):
        relaxation.fit_t1(tau[:3], y[:3])


def test_phase_cycle_rows_of_the_odnp_set_add_coherently(real_data):
    """DNPLab expno 5 (jf_zg_ph): 4 rows with pulse phase 0/90/180/270°, receiver fixed.

    Combined with the phases from the pulse program the four scans add (ideally 4× one
    row in amplitude); with the opposite rotation they cancel.
    """
    folder = real_data / "dnplab_odnp_topspin_1H_0.35T" / "5"
    ds = _read(folder)
    lists = twod.pulse_program_phase_lists(folder)
    signal_phases = twod.cycle_phases_deg(lists["ph1"], lists["ph31"])
    assert signal_phases == [0.0, 270.0, 180.0, 90.0]
    one = twod.collapse_phase_cycle(ds, phases_deg=signal_phases)
    wrong = twod.collapse_phase_cycle(ds, phases_deg=[(360 - p) % 360 for p in signal_phases])
    assert one.data.ndim == 1 and one.meta.ns == 4 * ds.meta.ns
    g = int(np.ceil(ds.meta.group_delay_pts))
    window = slice(g, g + 300)  # the FID decays within ~10 ms (300 points)
    single = np.linalg.norm(ds.data[0, window])
    assert np.linalg.norm(one.data[window]) > 3.0 * single
    assert np.linalg.norm(wrong.data[window]) < 1.5 * single


@pytest.mark.paper
def test_figure4_reference_dhmqc_correlates_carboxylate_with_surface_not_core_cd():
    """P9 on the bundled SYNTHETIC Figure 4 D-HMQC (data/reference, States, 48 rows of 4 µs).

    Read and processed like a spectrometer folder: the carboxylate (F2 ≈ 184 ppm) must
    correlate with surface Cd (F1 well below the −200 ppm carrier, −317 ppm isotropic with
    a wide CSA), not with core Cd near −20 ppm, and not with the mirror image above the
    carrier that a wrong F1 sign convention would produce.
    """
    repo = Path(__file__).resolve().parents[1]
    ds = _read(repo / "data" / "reference" / "fig4_cdse_dhmqc_2d" / "1")
    assert twod.quadrature_mode(ds.meta.fnmode) == "states"
    spec = twod.process_2d(ds)
    f1, f2 = twod.peak_position_ppm(spec)
    assert f2 == pytest.approx(184.0, abs=2.0)
    assert -600.0 < f1 < -300.0
    trace = twod.projection(spec, onto="indirect", kind="sum", region_ppm=(170, 200))

    def area(lo, hi):
        inside = (trace.ppm > lo) & (trace.ppm < hi)
        return trace.real[inside].sum()

    assert area(-700, -250) > 5 * area(-60, 20)
    mirror = 2 * -200.0 - f1
    i = int(np.argmin(np.abs(trace.ppm - mirror)))
    # (the CSA pattern's wing and the cos² window leave ~23 % there; a sign error gives 100 %)
    assert trace.real[i] < 0.35 * trace.real.max()


def test_qdkit_process_gives_the_figure_4_reference_a_2d_spectrum_that_replays():
    """A true 2D folder (FnMODE States) goes through the 2D path of qdkit.process, and its
    recipe replays to the same spectrum; series stay 1D rows."""
    import qdkit
    from qdkit.paths import data_dir

    ds = qdkit.read(data_dir() / "reference" / "fig4_cdse_dhmqc_2d" / "1")
    spec = qdkit.process(ds)
    assert spec.data.ndim == 2 and hasattr(spec, "ppm_indirect")
    again = qdkit.process(ds, spec.recipe)
    np.testing.assert_allclose(again.data, spec.data)
