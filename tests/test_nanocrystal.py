"""Atomistic quantum-dot model: lattices, coordination classes, shells and ligands."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from qdkit import nanocrystal
from qdkit.errors import ModelParameterError


@pytest.mark.paper
def test_three_nm_inp_has_about_a_quarter_of_p_at_the_surface():
    # P5, SI Figure S4: integrals of the single-pulse 31P spectrum of 3 nm InP put about a
    # quarter of the P atoms at the surface.
    dot = nanocrystal.build("InP", 3.0)
    assert 0.20 <= dot.surface_fraction("P") <= 0.30


@pytest.mark.paper
def test_inp_sample_with_size_spread_also_has_about_a_quarter_surface_p():
    # A single cut jumps between magic sizes (2.9 nm: 35 %); the NMR integral of a real
    # sample averages over its size distribution, which must also land near a quarter.
    assert 0.20 <= nanocrystal.ensemble_surface_fraction("InP", "P", 3.0) <= 0.30
    assert nanocrystal.build("InP", 2.9).surface_fraction("P") > 0.3  # the jump is real


def test_ensemble_surface_fraction_falls_with_diameter_and_reduces_to_one_dot():
    f3, f6 = (nanocrystal.ensemble_surface_fraction("CdSe", "Se", d) for d in (3.0, 6.0))
    assert 0.4 <= f6 / f3 <= 0.65
    single = nanocrystal.ensemble_surface_fraction("InP", "P", 3.0, size_spread=0.0)
    assert single == nanocrystal.build("InP", 3.0).surface_fraction("P")


@pytest.mark.parametrize("material", ["InP", "CdSe", "PbSe", "CdTe"])
def test_surface_fraction_falls_as_one_over_diameter(material):
    fractions = [
        nanocrystal.build(material, d).surface_fraction(
            nanocrystal.MATERIALS[(material, nanocrystal.DEFAULT_STRUCTURE[material])].anions[0]
        )
        for d in (3.0, 4.0, 6.0, 8.0)
    ]
    assert all(a > b for a, b in zip(fractions, fractions[1:]))
    # surface/volume ∝ 1/D: doubling the diameter roughly halves the surface share
    assert 0.35 <= fractions[3] / fractions[1] <= 0.7


@pytest.mark.parametrize(
    "material, structure, expected",
    [
        ("CdSe", "zincblende", {"Cd": 4, "Se": 4}),
        ("CdSe", "wurtzite", {"Cd": 4, "Se": 4}),
        ("PbTe", "rocksalt", {"Pb": 6, "Te": 6}),
        ("CsPbBr3", "perovskite", {"Cs": 12, "Pb": 6, "Br": 6}),
    ],
)
def test_bulk_coordination_numbers(material, structure, expected):
    dot = nanocrystal.build(material, 5.0, structure=structure)
    for element, z in expected.items():
        m = dot.elements == element
        assert set(dot.full_coordination[m]) == {z}
        deep = m & (dot.depth_A > 4.0)
        assert deep.any() and np.all(dot.coordination[deep] == z)
        assert np.all(dot.coordination[m & dot.is_surface] < z)


@pytest.mark.parametrize(
    "material, structure, bond_A",
    [
        ("InP", "zincblende", 5.869 * np.sqrt(3) / 4),
        ("CdSe", "wurtzite", 0.375 * 7.01),
        ("PbSe", "rocksalt", 6.124 / 2),
        ("CsPbBr3", "perovskite", 5.87 / 2),
    ],
)
def test_nearest_neighbour_distance_is_the_lattice_bond(material, structure, bond_A):
    dot = nanocrystal.build(material, 4.0, structure=structure)
    d, _ = cKDTree(dot.positions).query(dot.positions, k=2)
    assert np.median(d[:, 1]) == pytest.approx(bond_A, rel=0.01)


def test_atom_count_matches_sphere_volume_over_atomic_volume():
    # zinc blende: 8 atoms per a³; a 5 nm sphere holds (π/6)D³ / (a³/8) atoms
    dot = nanocrystal.build("CdSe", 5.0)
    expected = np.pi / 6 * 50.0**3 / (6.077**3 / 8)
    assert dot.n_atoms == pytest.approx(expected, rel=0.10)


def test_carboxylate_capped_inp_is_indium_rich():
    # Carboxylate-capped InP QDs are In-rich (In:P > 1, Cros-Gagneux et al., JACS 132,
    # 18147 (2010)); the default metal-rich termination must give that, without excess.
    s = nanocrystal.build("InP", 3.0).summary()
    assert 1.05 <= s["cation_anion_ratio"] <= 1.4
    assert s["counts"]["In"] + s["counts"]["P"] == s["n_atoms"]


def test_cdx2_shell_holds_one_cd_per_two_carboxylates_and_binds_to_se():
    dot = nanocrystal.build("CdSe", 4.0, shell="CdX2", ligand="oleate", ligands_per_nm2=4.0)
    n_lig = len(dot.ligand_heads)
    assert n_lig == round(4.0 * np.pi * 4.0**2)
    assert dot.is_shell.sum() == int(np.ceil(n_lig / 2))
    assert set(dot.elements[dot.is_shell]) == {"Cd"}
    assert np.all(dot.is_surface[dot.is_shell])
    se = dot.positions[dot.elements == "Se"]
    bonds = cKDTree(se).query_ball_point(dot.positions[dot.is_shell], 1.15 * 6.077 * np.sqrt(3) / 4)
    assert min(len(b) for b in bonds) >= 1
    # every carboxylate carbon sits 2.9 Å from the shell Cd it binds
    anchor = dot.positions[dot.ligand_anchor]
    assert np.allclose(np.linalg.norm(dot.ligand_heads - anchor, axis=1), 2.9)
    assert np.all(dot.is_shell[dot.ligand_anchor])
    # Cd-rich as a whole, as the CdSe_core(CdX2)_shell model says
    assert dot.summary()["cation_anion_ratio"] > 1.1


def test_ligand_coverage_is_honoured_without_a_shell():
    for coverage in (1.0, 3.0):
        dot = nanocrystal.build("InP", 4.0, ligand="myristate", ligands_per_nm2=coverage)
        assert dot.summary()["ligands_per_nm2"] == pytest.approx(coverage, rel=0.05)
        assert set(dot.elements[dot.ligand_anchor]) == {"In"}


def test_ligand_protons_fill_a_shell_of_the_ligand_length():
    dot = nanocrystal.build("InP", 3.0, ligand="myristate")
    layers = dot.proton_layers
    inner, outer = layers[0].r_in_A, layers[-1].r_in_A
    assert outer - inner == pytest.approx(18.0)  # myristate 1.8 nm
    assert inner == pytest.approx(dot.envelope_radius_A + 3.0)
    # protons counted in the shell = ligands × 27 H (+ solvent filling the free volume)
    vol = np.array([4 / 3 * np.pi * (lay.r_out_A**3 - lay.r_in_A**3) for lay in layers[:-1]])
    lig = vol @ np.array([lay.h_per_A3 for lay in layers[:-1]])
    n_h = len(dot.ligand_heads) * 27
    assert n_h <= lig <= n_h + nanocrystal.TCE_H_PER_A3 * vol.sum()
    assert layers[-1].r_out_A == np.inf and layers[-1].h_per_A3 == nanocrystal.TCE_H_PER_A3


def test_ligand_overrides_change_the_proton_shell():
    base = nanocrystal.build("InP", 3.0, ligand="myristate")
    thick = nanocrystal.build("InP", 3.0, ligand="myristate", ligand_length_nm=2.5)
    deut = nanocrystal.build("InP", 3.0, ligand="myristate", protons_per_ligand=0, solvent_h_per_A3=0.0)
    assert thick.proton_layers[-1].r_in_A - thick.proton_layers[0].r_in_A == pytest.approx(25.0)
    assert thick.proton_layers[0].h_per_A3 < base.proton_layers[0].h_per_A3  # same H, more room
    assert all(lay.h_per_A3 == 0 for lay in deut.proton_layers)
    with pytest.raises(ModelParameterError):
        nanocrystal.build("InP", 3.0, ligand_length_nm=2.0)  # no ligand to change


def test_faceted_perovskite_is_a_csbr_terminated_cube():
    dot = nanocrystal.build("CsPbBr3", 6.0, faceted=True)
    half = np.abs(dot.positions).max()
    assert half / 5.87 == pytest.approx(round(half / 5.87 - 0.5) + 0.5)
    # every Pb keeps its full PbBr6 octahedron; the under-coordinated atoms are Cs and Br
    assert dot.surface_fraction("Pb") == 0.0
    assert dot.surface_fraction("Cs") > 0.3


def test_faceted_zincblende_is_a_truncated_octahedron_inside_the_sphere():
    dot = nanocrystal.build("InP", 4.0, faceted=True)
    x = np.abs(dot.positions)
    assert x.max() <= 20.0 + 1e-6
    assert (x.sum(axis=1) / np.sqrt(3)).max() <= 0.866 * 20.0 + 1e-6
    assert dot.n_atoms < nanocrystal.build("InP", 4.0).n_atoms


def test_depth_is_zero_at_the_surface_and_grows_inward():
    dot = nanocrystal.build("CdSe", 6.0)
    assert np.all(dot.depth_A[dot.is_surface] == 0)
    assert np.all(dot.depth_A[~dot.is_surface] > 2.0)  # at least one bond below
    centre = np.argmin(dot.radius_A)
    assert dot.depth_A[centre] == pytest.approx(30.0 - dot.radius_A[centre], abs=4.0)


def test_build_is_cached_and_immutable():
    a = nanocrystal.build("PbSe", 4.0)
    assert nanocrystal.build("PbSe", 4.0) is a
    with pytest.raises(ValueError):
        a.positions[0, 0] = 1.0


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(material="GaAs", diameter_nm=3.0),
        dict(material="InP", diameter_nm=50.0),
        dict(material="CdSe", diameter_nm=1.0),
        dict(material="InP", diameter_nm=3.0, shell="CdX2"),
        dict(material="CdSe", diameter_nm=3.0, ligand="soap"),
        dict(material="CdSe", diameter_nm=3.0, structure="rocksalt"),
        dict(material="CdSe", diameter_nm=3.0, ligand="oleate", ligands_per_nm2=-1),
    ],
)
def test_impossible_requests_raise_model_parameter_error(kwargs):
    with pytest.raises(ModelParameterError):
        nanocrystal.build(**kwargs)


def test_surface_fraction_of_a_missing_element_says_what_exists():
    with pytest.raises(ModelParameterError, match="In"):
        nanocrystal.build("InP", 3.0).surface_fraction("Cd")


@pytest.mark.parametrize(
    "material, structure, shell, metal",
    [
        ("CdSe", "wurtzite", "CdX2", "Cd"),
        ("CdTe", None, "CdX2", "Cd"),
        ("PbSe", None, "PbX2", "Pb"),
    ],
)
def test_metal_carboxylate_shell_on_other_lattices(material, structure, shell, metal):
    dot = nanocrystal.build(material, 5.0, structure=structure, shell=shell)
    assert dot.ligand.name == "oleate"
    assert dot.is_shell.sum() == len(dot.ligand_heads) // 2 > 50
    assert set(dot.elements[dot.is_shell]) == {metal}
    assert np.all(dot.is_shell[dot.ligand_anchor])
    assert dot.summary()["cation_anion_ratio"] > 1.1
    # shell metals sit outside the core sphere they decorate
    assert dot.radius_A[dot.is_shell].min() > 25.0 - 1e-6
