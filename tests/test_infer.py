"""Quantitative CP from contact series, the size-ensemble surface fraction and structure
inference (issue 11). All spectra here are SYNTHETIC, made by qdkit.simulation.cp_series."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qdkit import catalog, cp, nanocrystal
from qdkit.analysis.structure import monotonic_range_nm
from qdkit.errors import ModelParameterError, ProcessingError
from qdkit.infer import (
    contact_series,
    diameter_from_surface_fraction,
    site_populations,
    structure,
)
from qdkit.mas import Site
from qdkit.models import size_ensemble
from qdkit.paths import reference_dataset
from qdkit.simulation.cp_series import synthetic_contact_series

POX = Site("31P", 5.0, -90.0, 0.5, 1600.0)
NEAR = Site("31P", -8.0, 0.0, 0.0, 2500.0)  # overlaps POX: 13 ppm = 2100 Hz apart at 9.4 T
THIRD = Site("31P", -22.0, 40.0, 0.3, 2000.0)
MATERIAL_ELEMENTS = [(m, s, el) for (m, s), mat in nanocrystal.MATERIALS.items() for el in mat.cations + mat.anions]


def series(sites, populations, t_is, t1rho, contact, seed, snr=50.0):
    return synthetic_contact_series(
        sites, populations, t_is, t1rho, contact, field_T=9.4, mas_hz=10_000.0, snr=snr, seed=seed
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_joint_fit_recovers_populations_of_two_overlapping_sites_within_3_sigma(seed):
    spectra, truth = series([POX, NEAR], [0.35, 0.65], [0.3, 1.8], 25.0, np.geomspace(0.1, 15, 8), seed)
    fit = site_populations(spectra, None, [POX, NEAR])
    err = np.abs(fit.populations - truth.populations)
    # σ from the noise: a few per mille at S/N 50 over 8 × 4096 points; 3σ covers noise
    assert np.all(err <= 3 * fit.populations_stderr)
    assert np.all(fit.populations_stderr < 0.02)
    assert fit.populations.sum() == pytest.approx(1.0)
    assert fit.undetermined == ()
    assert fit.redchi == pytest.approx(1.0, abs=0.05)  # white noise of the right σ
    assert np.all(np.abs(np.log(fit.t_is_ms / truth.t_is_ms)) <= 3 * fit.t_is_ms_stderr / fit.t_is_ms)


def test_three_sites_with_a_t1rho_per_site_are_recovered():
    spectra, truth = series(
        [POX, NEAR, THIRD],
        [0.2, 0.5, 0.3],
        [0.3, 1.5, 0.8],
        [15.0, 30.0, 20.0],
        np.geomspace(0.1, 20, 10),
        seed=11,
        snr=80.0,
    )
    fit = site_populations(spectra, None, [POX, NEAR, THIRD], t1rho="per_site")
    assert np.all(np.abs(fit.populations - truth.populations) <= 3 * fit.populations_stderr)
    assert np.shape(fit.t1rho_ms) == (3,)


def test_cp_correction_matters_sites_with_slow_transfer_are_underweighted_by_raw_intensities():
    # at 1 ms the slow-transfer site has barely built up: the raw share is far from the truth,
    # the joint fit recovers it
    spectra, _truth = series([POX, NEAR], [0.5, 0.5], [0.2, 3.0], 25.0, np.geomspace(0.2, 15, 8), seed=5)
    fit = site_populations(spectra, None, [POX, NEAR])
    raw = fit.amplitudes[2] / fit.amplitudes[2].sum()  # the 0.57 ms spectrum
    assert abs(raw[1] - 0.5) > 0.2
    assert abs(fit.populations[1] - 0.5) <= 3 * fit.populations_stderr[1]


def test_transfer_times_are_flagged_when_every_contact_time_is_much_longer():
    spectra, truth = series([POX, NEAR], [0.3, 0.7], [0.01, 0.02], 20.0, np.geomspace(2, 20, 8), seed=4)
    fit = site_populations(spectra, None, [POX, NEAR])
    assert {"log_t_is0", "log_t_is1"} <= set(fit.undetermined)
    assert np.all(np.isnan(fit.t_is_ms_stderr))  # no misleading σ
    # the plateau amplitudes do not depend on how fast it was reached
    assert np.all(np.abs(fit.populations - truth.populations) <= 3 * fit.populations_stderr)


def test_t1rho_is_flagged_when_every_contact_time_is_much_shorter():
    spectra, truth = series([POX, NEAR], [0.4, 0.6], [0.3, 1.0], 2000.0, np.geomspace(0.1, 3, 8), seed=6)
    fit = site_populations(spectra, None, [POX, NEAR])
    assert "log_t1rho" in fit.undetermined
    assert np.isnan(fit.t1rho_ms_stderr)
    assert np.all(np.abs(fit.populations - truth.populations) <= 3 * fit.populations_stderr)


def test_fitted_lineshapes_find_shifted_and_broadened_sites():
    spectra, truth = series([POX, NEAR], [0.35, 0.65], [0.3, 1.8], 25.0, np.geomspace(0.1, 15, 8), seed=8)
    start = [POX.replace(iso_ppm=7.0, fwhm_hz=1900.0), NEAR.replace(iso_ppm=-6.5, fwhm_hz=2200.0)]
    fit = site_populations(spectra, None, start, fit_lineshapes=True)
    assert fit.site_list[0].iso_ppm == pytest.approx(5.0, abs=0.2)
    assert fit.site_list[1].fwhm_hz == pytest.approx(2500.0, rel=0.03)
    assert np.all(np.abs(fit.populations - truth.populations) <= 3 * fit.populations_stderr)
    assert fit.redchi == pytest.approx(1.0, abs=0.05)


def test_correlated_noise_widens_the_errors_instead_of_hiding_in_them():
    sites = [POX, NEAR]
    white, _ = series(sites, [0.35, 0.65], [0.3, 1.8], 25.0, np.geomspace(0.1, 15, 8), seed=9)
    smooth, _ = synthetic_contact_series(
        sites,
        [0.35, 0.65],
        [0.3, 1.8],
        25.0,
        np.geomspace(0.1, 15, 8),
        field_T=9.4,
        mas_hz=10_000.0,
        snr=50.0,
        seed=9,
        noise_smoothing_pts=8,
    )
    fw = site_populations(white, None, sites)
    fs = site_populations(smooth, None, sites)
    # an 8-point moving average carries ~8× fewer independent points: factor ≈ 8 on the variance
    assert 5.0 <= fs.noise_correlation <= 11.0
    assert fw.noise_correlation < 1.3


def test_bad_inputs_are_explained():
    spectra, _ = series([POX, NEAR], [0.3, 0.7], [0.3, 1.0], 20.0, [0.5, 1, 2, 4], seed=1)
    with pytest.raises(ProcessingError, match="contact times"):
        site_populations(spectra, [1.0, 2.0], [POX, NEAR])
    with pytest.raises(ModelParameterError, match="t1rho"):
        site_populations(spectra, None, [POX, NEAR], t1rho="global")
    with pytest.raises(ModelParameterError, match="cannot tell apart"):
        site_populations(spectra, None, [POX, POX])


def test_figure_s3_series_reads_contact_times_from_the_bruker_folders():
    paths = [reference_dataset("S3", contact_ms=c) for c in (1.5, 5.0)]
    specs, contact = contact_series(paths)
    assert list(contact) == [1.5, 5.0]
    assert all("SYNTHETIC" in s.meta.title for s in specs)
    species = {s.site: s for s in catalog.species("31P") if s.material.startswith("InP") and s.figure == "2e"}
    sites = [catalog.site(species["surface"]), catalog.site(species["core"])]
    # two contact times cannot give T1ρ as well: fixed at the model's literature value, the
    # four amplitudes fix the four other parameters
    fit = site_populations(
        paths, None, sites, t1rho=cp.T1RHO_MS, fit_lineshapes=True, vary_lineshape=("iso_ppm", "fwhm_hz", "aniso_ppm")
    )
    assert not [name for name in fit.undetermined if name.startswith("log_")]
    assert "s1_aniso_ppm" in fit.undetermined  # the core's CSA of 0 moves nothing
    # the reference data were made from the atomistic 3 nm dot (27 % surface P) with a
    # distribution of transfer times per class; one T_IS per class is an approximation,
    # and the surface share must still land in the right neighbourhood
    assert 0.2 <= fit.populations[0] <= 0.4


# --------------------------------------------------------------------------- size ensemble


def test_single_dots_jump_between_magic_sizes_but_the_sample_average_does_not():
    single = [nanocrystal.build("InP", d).surface_fraction("P") for d in (2.9, 3.0, 3.1)]
    assert single[0] - single[2] > 0.1  # 0.35 → 0.22 over 0.2 nm
    sample = [nanocrystal.ensemble_surface_fraction("InP", "P", d) for d in (2.9, 3.0, 3.1)]
    assert 0.005 < sample[0] - sample[1] < 0.02 and 0.005 < sample[1] - sample[2] < 0.02


@pytest.mark.parametrize("material, structure, element", MATERIAL_ELEMENTS)
def test_sample_surface_fraction_falls_monotonically_and_inverts_within_0p1_nm(material, structure, element):
    lo, _ = monotonic_range_nm(material, element, 0.08, structure)
    diameters = np.linspace(max(2.5, lo), 10.0, 151)
    f = np.array([nanocrystal.ensemble_surface_fraction(material, element, d, structure=structure) for d in diameters])
    assert np.all(np.diff(f) < 0)
    for d in diameters[::15]:
        back = diameter_from_surface_fraction(material, element, f[list(diameters).index(d)], structure=structure)
        assert back == pytest.approx(d, abs=0.1)


@pytest.mark.parametrize("material, element", [(m, el) for (m, s, el) in MATERIAL_ELEMENTS if s != "perovskite"])
def test_every_material_except_the_perovskite_is_monotonic_from_2p5_nm(material, element):
    assert monotonic_range_nm(material, element, 0.08)[0] <= 2.5


def test_small_perovskite_dots_are_ambiguous_and_say_so():
    # CsPbBr3 layers alternate CsBr and PbBr2 terminations every a/2 = 0.29 nm; an 8 %
    # spread of 3 nm cubes (0.24 nm) does not average that out
    lo, _ = monotonic_range_nm("CsPbBr3", "Pb", 0.08)
    assert 3.0 < lo < 4.5
    with pytest.raises(ModelParameterError, match="ambiguous"):
        diameter_from_surface_fraction("CsPbBr3", "Pb", 0.5)


@pytest.mark.parametrize("key", [size_ensemble.TABLE_KEYS[0], size_ensemble.TABLE_KEYS[-1]])
def test_tabulated_counts_match_fresh_builds(key):
    material, structure, termination = key
    doc = json.loads(size_ensemble.TABLE_PATH.read_text(encoding="utf-8"))
    table = doc["tables"][size_ensemble.table_key(*key)]
    for k in (0, 97, 180):
        d = doc["diameters_nm"][k]
        dot = nanocrystal.build(material, d, structure=structure, termination=termination)
        for el, n in dot.counts().items():
            assert table[el]["total"][k] == n
            assert table[el]["surface"][k] == int((dot.is_surface & (dot.elements == el)).sum())


# --------------------------------------------------------------------------- structure


def test_structure_gives_back_the_diameter_of_a_sample_with_its_error():
    f = nanocrystal.ensemble_surface_fraction("InP", "P", 3.4)
    res = structure([f, 1 - f], "InP", surface_sites=[0], element="P", populations_stderr=[0.01, 0.01])
    assert res.diameter_nm == pytest.approx(3.4, abs=0.01)
    # df/dD ≈ −0.07 per nm at 3.4 nm: σ_f = 0.01 → σ_D ≈ 0.15 nm
    assert 0.08 < res.diameter_nm_stderr < 0.3
    lo, hi = res.diameter_interval_nm
    assert lo < 3.4 < hi
    d, w = res.size_distribution
    assert w.sum() == pytest.approx(1.0) and d[np.argmax(w)] == pytest.approx(3.4, rel=0.02)
    assert any("lognormal" in a for a in res.assumptions)
    assert np.isnan(res.shell_metals_per_nm2)


def test_structure_reads_the_shell_density_of_a_cdse_core_cdx2_shell_dot():
    # one 4 nm dot built with the default oleate shell: 101 shell Cd = 2.0 per nm²
    dot = nanocrystal.build("CdSe", 4.0, shell="CdX2", ligand="oleate")
    built = dot.is_shell.sum() / (np.pi * 4.0**2)
    f = dot.surface_fraction("Cd")
    res = structure(
        [f, 1 - f],
        "CdSe",
        surface_sites=[0],
        element="Cd",
        shell=True,
        diameter_nm=4.0,
        diameter_nm_stderr=0.2,
        populations_stderr=[0.01, 0.01],
        size_spread=0.03,
    )
    # the sample average of a 3 % spread differs from the single cut by its magic-size jump
    assert res.shell_metals_per_nm2 == pytest.approx(built, rel=0.2)
    assert res.shell_coverage == pytest.approx(res.shell_metals_per_nm2 / 2.0)
    assert 0 < res.shell_metals_per_nm2_stderr < 0.5 * res.shell_metals_per_nm2
    assert any("shell" in a for a in res.assumptions)


def test_structure_takes_a_population_fit_with_its_covariance_and_assumptions():
    spectra, _truth = series([POX, NEAR], [0.25, 0.75], [0.3, 1.8], 25.0, np.geomspace(0.1, 15, 8), seed=2)
    fit = site_populations(spectra, None, [POX, NEAR])
    res = structure(fit, "InP", surface_sites=[0])
    assert res.element == "P"
    assert res.surface_fraction == pytest.approx(fit.populations[0])
    assert res.surface_fraction_stderr == pytest.approx(fit.populations_stderr[0], rel=1e-6)
    assert any("¹H reservoir" in a for a in res.assumptions)


def test_structure_rejects_impossible_inputs():
    with pytest.raises(ModelParameterError, match="surface_sites"):
        structure([0.3, 0.7], "InP", surface_sites=[0, 1], element="P")
    with pytest.raises(ModelParameterError, match="outside"):
        structure([0.97, 0.03], "InP", surface_sites=[0], element="P")
    with pytest.raises(ModelParameterError, match="core diameter"):
        structure([0.4, 0.6], "CdSe", surface_sites=[0], element="Cd", shell=True)


def test_cation_excess_gives_the_core_size_of_a_shelled_dot():
    # the same 4 nm CdSe_core(CdX2)_shell dot: Cd/Se − 1 = 0.166 from its own counts, as an
    # elemental analysis would give it; size and shell then both follow
    dot = nanocrystal.build("CdSe", 4.0, shell="CdX2", ligand="oleate")
    counts = dot.counts()
    excess = counts["Cd"] / counts["Se"] - 1
    f = dot.surface_fraction("Cd")
    res = structure(
        [f, 1 - f],
        "CdSe",
        surface_sites=[0],
        element="Cd",
        shell=True,
        cation_excess=excess,
        cation_excess_stderr=0.02,
        populations_stderr=[0.01, 0.01],
        size_spread=0.03,
    )
    assert res.diameter_nm == pytest.approx(4.0, abs=0.2)
    assert res.shell_metals_per_nm2 == pytest.approx(dot.is_shell.sum() / (np.pi * 16.0), rel=0.2)
    # a 0.02 uncertainty in Cd/Se is a ~10 % size uncertainty at 4 nm
    assert 0.1 < res.diameter_nm_stderr < 1.0
    assert any("metal excess" in a for a in res.assumptions)


@pytest.mark.parametrize("mode", ["shared", "per_site", 20.0])
def test_structure_names_how_t1rho_was_treated(mode):
    spectra, _ = series([POX, NEAR], [0.25, 0.75], [0.3, 1.8], 25.0, np.geomspace(0.1, 15, 8), seed=2)
    res = structure(site_populations(spectra, None, [POX, NEAR], t1rho=mode), "InP", surface_sites=[0])
    expected = {"shared": "one T1ρ for all sites", "per_site": "a T1ρ per site"}.get(mode, "T1ρ fixed at 20 ms")
    assert any(expected in a for a in res.assumptions)


def test_a_lineshape_parameter_the_spectra_ignore_is_flagged():
    # a CSA of exactly 0 changes the spectrum only in second order: no slope, no σ
    spectra, _ = series([POX, NEAR], [0.35, 0.65], [0.3, 1.8], 25.0, np.geomspace(0.1, 15, 8), seed=8)
    fit = site_populations(
        spectra, None, [POX, NEAR], fit_lineshapes=True, vary_lineshape=("iso_ppm", "fwhm_hz", "aniso_ppm")
    )
    assert "s1_aniso_ppm" in fit.undetermined and "s0_aniso_ppm" not in fit.undetermined
    assert np.isnan(fit.stderr["s1_aniso_ppm"]) and np.isfinite(fit.stderr["s0_aniso_ppm"])
