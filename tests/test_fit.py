"""Lineshape fitting: recovery of CSA parameters with honest errors (qdkit.fit)."""

from __future__ import annotations

import numpy as np
import pytest

from qdkit.errors import ModelParameterError
from qdkit.fit import FitData, fit_sites, noise_sigma
from qdkit.mas import Site, mas_spectrum
from qdkit.mrsim import mrsim_spectra_isolated

PPM = np.linspace(400.0, -1000.0, 2048)
SURFACE_CD = Site("113Cd", -317, 416, 0.3, 4000)
START = Site("113Cd", -314, 350, 0.5, 3000)


@pytest.fixture(scope="module")
def mrsim_cd():
    """mrsimulator's spectra of the surface Cd at 10 and 12.5 kHz (the independent truth)."""
    return mrsim_spectra_isolated(
        [dict(sites=[SURFACE_CD], field_T=9.4, mas_hz=rate, ppm=PPM) for rate in (10_000.0, 12_500.0)]
    )


def test_noise_sigma_from_a_signal_free_region_and_automatically():
    rng = np.random.default_rng(3)
    y = mas_spectrum([SURFACE_CD], 9.4, 10_000, PPM)
    noisy = y + 0.01 * y.max() * rng.standard_normal(y.size) + 0.02 * y.max() * (PPM / 1000)
    true_sigma = 0.01 * y.max()
    # 300 … 400 ppm holds no sideband of consequence; the tilted baseline is removed
    assert noise_sigma(PPM, noisy, (300, 400)) == pytest.approx(true_sigma, rel=0.2)
    assert noise_sigma(PPM, noisy) == pytest.approx(true_sigma, rel=0.1)


def test_recovers_surface_cd_csa_from_mrsimulator_spectrum_at_snr_50(mrsim_cd):
    """Targets: δiso within 1 ppm, δaniso within 5 %, η within 0.1; truth inside 3σ."""
    rng = np.random.default_rng(50)
    y = mrsim_cd[0] + rng.normal(0, mrsim_cd[0].max() / 50, PPM.size)
    result = fit_sites(FitData(PPM, y, 9.4, 10_000), [START])
    assert result.success
    for name, truth, tol in (("iso_ppm", -317, 1.0), ("aniso_ppm", 416, 0.05 * 416), ("eta", 0.3, 0.1)):
        value, err = result.site_value(0, name)
        assert value == pytest.approx(truth, abs=tol)
        assert abs(value - truth) < 3 * err
    # residuals at the noise level: reduced χ² near 1 with σ measured from the data
    assert result.redchi == pytest.approx(1.0, abs=0.2)
    lo, hi = result.ci95["s0_aniso_ppm"]
    assert hi - lo == pytest.approx(2 * 1.959964 * result.stderr["s0_aniso_ppm"])


def test_two_spin_rates_fitted_together_shrink_the_errors(mrsim_cd):
    rng = np.random.default_rng(125)
    data = [
        FitData(PPM, y + rng.normal(0, y.max() / 50, PPM.size), 9.4, rate)
        for y, rate in zip(mrsim_cd, (10_000.0, 12_500.0))
    ]
    single = fit_sites(data[0], [START])
    joint = fit_sites(data, [START], amplitudes="shared_ratios")
    assert joint.site_value(0, "aniso_ppm")[0] == pytest.approx(416, rel=0.05)
    assert joint.stderr["s0_aniso_ppm"] < single.stderr["s0_aniso_ppm"]
    assert len(joint.models) == 2


def test_microwave_on_off_amplitudes_give_the_enhancement():
    """Same sites, DNP on vs off: per-spectrum amplitudes; ε = a_on/a_off = 60 recovered."""
    rng = np.random.default_rng(60)
    sites = [SURFACE_CD, Site("113Cd", -20, 30, 0.0, 4000, weight=0.4)]
    y_off = mas_spectrum(sites, 9.4, 10_000, PPM)
    noise = 60 * y_off.max() / 100  # S/N 100 with microwaves on, ~1.7 without
    on = FitData(PPM, 60 * y_off + rng.normal(0, noise, PPM.size), 9.4, 10_000, label="mw on")
    off = FitData(PPM, y_off + rng.normal(0, noise / 30, PPM.size), 9.4, 10_000, label="mw off")
    result = fit_sites(
        [on, off],
        [START, Site("113Cd", -22, 30, 0.0, 3500)],
        vary=("iso_ppm", "aniso_ppm", "eta"),
        fix=("s1_aniso_ppm", "s1_eta"),
    )
    eps = result.values["a0_0"] / result.values["a1_0"]
    rel_err = np.hypot(result.stderr["a0_0"] / result.values["a0_0"], result.stderr["a1_0"] / result.values["a1_0"])
    assert eps == pytest.approx(60, rel=max(3 * rel_err, 0.02))


def test_phase_and_baseline_are_fitted_as_nuisance():
    from scipy.signal import hilbert

    rng = np.random.default_rng(15)
    y = mas_spectrum([SURFACE_CD], 9.4, 10_000, PPM)
    phi = np.deg2rad(15.0)
    x = (PPM - PPM.mean()) / (np.ptp(PPM) / 2)
    distorted = (
        np.cos(phi) * y
        - np.sin(phi) * np.imag(hilbert(y))
        + 0.03 * y.max() * (1 + x)
        + rng.normal(0, y.max() / 100, PPM.size)
    )
    plain = fit_sites(FitData(PPM, distorted, 9.4, 10_000), [START])
    fixed = fit_sites(FitData(PPM, distorted, 9.4, 10_000), [START], phase=True, baseline_order=1)
    assert fixed.values["phase0_deg"] == pytest.approx(15.0, abs=1.0)
    assert fixed.site_value(0, "aniso_ppm")[0] == pytest.approx(416, rel=0.02)
    assert fixed.redchi < 0.5 * plain.redchi


def test_fit_data_from_a_processed_spectrum_takes_field_and_rate_from_metadata():
    from qdkit import nuclei
    from qdkit.dataset import Meta, Spectrum

    ref = nuclei.get("113Cd").reference_mhz(9.4)
    rng = np.random.default_rng(9)
    y = mas_spectrum([SURFACE_CD], 9.4, 12_500, PPM)
    meta = Meta(nucleus="113Cd", field_T=9.4, reference_mhz=ref, mas_hz=12_500.0, title="synthetic 113Cd CP-MAS")
    spec = Spectrum(data=(y + rng.normal(0, y.max() / 50, y.size)).astype(complex), hz=PPM * ref, meta=meta)
    data = FitData.from_spectrum(spec)
    assert (data.field_T, data.mas_hz) == (9.4, 12_500.0)
    result = fit_sites(data, [START])
    assert result.site_value(0, "aniso_ppm")[0] == pytest.approx(416, rel=0.05)


def test_unknown_parameter_names_are_refused():
    with pytest.raises(ModelParameterError, match="Cannot vary"):
        fit_sites(FitData(PPM, np.zeros_like(PPM), 9.4, 10_000, sigma=1.0), [START], vary=("span_ppm",))


def test_herzfeld_berger_fit_of_exact_intensities_returns_the_tensor():
    from qdkit import nuclei
    from qdkit.fit import fit_sideband_intensities
    from qdkit.mas import sideband_intensities

    ref = nuclei.get("31P").reference_mhz(9.4)
    order, inten = sideband_intensities(-150 * ref / 5_000, 0.7)
    seen = np.abs(order) <= 4
    csa = fit_sideband_intensities([(5_000.0, order[seen], 7.0 * inten[seen])], ref)
    assert (csa.aniso_ppm, csa.eta) == pytest.approx((-150, 0.7), abs=1e-3)


def test_herzfeld_berger_fit_of_picked_cd_sidebands_at_two_rates():
    """From the peak heights of noisy two-site 113Cd spectra at 10 and 12.5 kHz (as in SI
    Fig. S7): the surface tensor comes back within 5 % in δaniso and 0.1 in η, even though
    the core line overlaps some sidebands."""
    from qdkit import nuclei
    from qdkit.fit import fit_sideband_intensities
    from qdkit.sidebands import identify_isotropic_peaks

    ref = nuclei.get("113Cd").reference_mhz(9.4)
    ppm = np.linspace(600, -1200, 4096)
    sites = [SURFACE_CD, Site("113Cd", -20, 60, 0.0, 4000, weight=0.5)]
    rng = np.random.default_rng(7)
    spectra = []
    for rate in (10_000.0, 12_500.0):
        y = mas_spectrum(sites, 9.4, rate, ppm)
        spectra.append((ppm, y + rng.normal(0, y.max() / 200, y.size), rate))
    analysis = identify_isotropic_peaks(spectra, reference_mhz=ref)
    surface = min(analysis.isotropic, key=lambda r: abs(r.ppm + 317))
    csa = fit_sideband_intensities([surface.manifold(0), surface.manifold(1)], ref)
    assert csa.aniso_ppm == pytest.approx(416, rel=0.05)
    assert csa.eta == pytest.approx(0.3, abs=0.1)
    assert csa.aniso_err > 0 and csa.eta_err > 0
