"""Species-aware CP kinetics: explicit proton sources, PO_x and CdX2 shell species, P6 (SI Fig. S3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qdkit import catalog, cp
from qdkit.errors import ModelParameterError
from qdkit.models import cp_species, nanocrystal
from qdkit.models.materials import LIGANDS


@pytest.fixture(scope="module")
def inp3():
    # SI Figure S3: myristate-capped 3 nm InP in TCE
    return cp_species.species_kinetics("InP", "31P", 3.0, ligand="myristate")


@pytest.fixture(scope="module")
def cdse4():
    # Figure 3a: oleate-capped 4 nm ZB-CdSe, CdSe_core(CdX2)_shell
    return cp_species.species_kinetics("CdSe", "113Cd", 4.0, ligand="oleate")


def _by_name(kinetics):
    return {k.name: k for k in kinetics}


@pytest.mark.paper
def test_surface_pox_reaches_its_cp_maximum_before_the_inp_core(inp3):
    # P6 as emergence: nothing in the inputs says "surface first"; the PO_x sits within
    # 2-6 Å of P-OH and myristate protons, core P ≥ 4 Å below the ligand heads.
    t_surface, t_core = cp_species.cp_maximum_ms(inp3)
    assert t_surface < t_core
    assert inp3[0].name == "surface PO_x" and inp3[1].name == "InP core"


@pytest.mark.paper
@pytest.mark.parametrize("nucleus", ["113Cd", "77Se"])
def test_cdx2_shell_and_near_surface_se_peak_before_the_cdse_core(nucleus):
    # Fig. 3: shell Cd is bound to two carboxylates; core Cd and Se only see them from ≥ 4 Å.
    kinetics = cp_species.species_kinetics("CdSe", nucleus, 4.0, ligand="oleate")
    t_surface, t_core = cp_species.cp_maximum_ms(kinetics)
    assert t_surface < t_core


@pytest.mark.paper
def test_p6_contact_of_1p5_ms_lies_between_the_pox_and_core_transfer_times(inp3):
    # The paper picks 1.5 ms as its surface-selective contact and 5 ms to reach the core
    # (SI Fig. S3): that works only if T_IS(PO_x) < 1.5 ms < 5 ms ≲ T_IS(core).
    pox, core = inp3
    assert pox.t_is_ms < 1.5
    assert core.t_is_ms > 5.0


@pytest.mark.paper
def test_inp_core_to_pox_ratio_grows_from_1p5_to_5_ms_but_no_faster_than_the_contact(inp3):
    # P6, SI Fig. S3: the core grows against PO_x between 1.5 and 5 ms. The growth is bounded
    # by physics: a build-up is concave, so no species gains more than 5/1.5 over that step,
    # and the PO_x signal cannot fall faster than exp(-3.5 ms/T1ρ).
    s = cp_species.cp_signal(inp3, [1.5, 5.0])
    growth = (s[1, 1] / s[0, 1]) / (s[1, 0] / s[0, 0])
    assert growth > 1.0
    assert s[1, 1] / s[1, 0] <= 5.0 / 1.5
    assert s[0, 1] / s[0, 0] >= math.exp(-3.5 / inp3[0].t1rho_ms)
    assert growth <= (5.0 / 1.5) * math.exp(3.5 / inp3[0].t1rho_ms)


@pytest.mark.paper
def test_short_contact_surface_share_exceeds_the_pox_atom_fraction(inp3):
    # At 1.5 ms the PO_x share of the CP signal is above its share of the P atoms (the
    # point of a short contact); at 50 ms, with the bath decayed, it falls towards it.
    n = np.array([k.n_spins for k in inp3])
    s = cp_species.cp_signal(inp3, [1.5, 50.0])
    share = s[0] / s.sum(axis=0)
    assert share[0] > n[0] / n.sum()
    assert share[0] > share[1]


def test_poh_hydroxyl_sits_2p17_A_from_its_phosphorus():
    # P–O(H) 1.57 Å, O–H 0.97 Å, P–O–H 115° (law of cosines): 2.17 Å.
    p = np.array([[0.0, 0.0, 10.0]])
    h, chosen = cp_species._poh_protons(p, 1.0, 0.0)
    expected = math.sqrt(1.57**2 + 0.97**2 - 2 * 1.57 * 0.97 * math.cos(math.radians(115)))
    assert chosen.all()
    assert np.linalg.norm(h - p) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(2.17, abs=0.01)


def test_explicit_chain_has_the_ligand_proton_count_and_bond_geometry():
    # myristate C13H27COO⁻: 27 H; every H 1.09 Å from its carbon, none inside the metal.
    lig = LIGANDS["myristate"]
    anchor = np.array([[0.0, 0.0, 10.0]])
    head = np.array([[0.0, 0.0, 12.9]])
    h = cp_species._chain_protons(head, anchor, lig, 0.0)
    assert len(h) == 27
    assert np.min(np.linalg.norm(h - anchor, axis=1)) > 3.5  # Cd/In···Hα ≥ 3.5 Å
    # the chain extends about its all-trans length (1.27 Å per carbon)
    assert np.max(h[:, 2]) - head[0, 2] == pytest.approx(13 * 1.27, abs=1.5)


def test_pox_hydroxyls_speed_up_the_surface_transfer():
    # More P–OH at 2.17 Å → larger Σ r⁻⁶ → shorter T_IS for PO_x; the core P, ≥ 4 Å from
    # those hydroxyls, speed up by a smaller factor.
    dry = _by_name(cp_species.species_kinetics("InP", "31P", 3.0, poh_fraction=0.0))
    wet = _by_name(cp_species.species_kinetics("InP", "31P", 3.0, poh_fraction=1.0))
    assert wet["surface PO_x"].t_is_ms < 0.5 * dry["surface PO_x"].t_is_ms
    pox_speedup = dry["surface PO_x"].t_is_ms / wet["surface PO_x"].t_is_ms
    core_speedup = dry["InP core"].t_is_ms / wet["InP core"].t_is_ms
    assert 1.0 <= core_speedup < pox_speedup


def test_moving_the_ligand_protons_3_A_outward_slows_every_species():
    # Deuterated solvent and no hydroxyls: all protons are on the chains, so pushing them
    # 3 Å further out must slow every species by more than 2 (Σ r⁻⁶ falls steeply).
    near = _by_name(cp_species.species_kinetics("InP", "31P", 3.0, poh_fraction=0.0, solvent_h_per_A3=0.0))
    far = _by_name(
        cp_species.species_kinetics("InP", "31P", 3.0, poh_fraction=0.0, solvent_h_per_A3=0.0, proton_offset_A=3.0)
    )
    for name in near:
        assert far[name].t_is_ms > 2.0 * near[name].t_is_ms


def test_long_contact_without_t1rho_loss_transfers_every_spin(inp3):
    # With T1ρ → ∞ each site's S(t) → 1 (the gain bound): the signal counts the spins.
    slow_bath = cp_species.species_kinetics("InP", "31P", 3.0, t1rho_ms=1e9)
    s = cp_species.cp_signal(slow_bath, 1e5)
    assert s == pytest.approx([k.n_spins for k in slow_bath], rel=0.01)


def test_bath_correlation_time_from_the_alkyl_second_moment():
    # τc = √(π/2)/(½·γH·√M2), M2 = 25 G² → 18.7 µs (Demco, Tegenfeldt & Waugh 1975)
    assert cp_species.bath_correlation_us(25.0) == pytest.approx(18.74, abs=0.02)
    # published check: a non-protonated rigid carbon (Σ r⁻⁶ ≈ 0.04 Å⁻⁶, glycine C=O) has
    # T_CH within the 0.1–0.5 ms measured for such carbons (Kolodziejski & Klinowski 2002)
    t_ch = cp.transfer_time_ms("13C", 0.04, tau_c_us=cp_species.bath_correlation_us())
    assert 0.1 <= t_ch <= 0.5


def test_faster_bath_and_shorter_t1rho_act_in_opposite_directions():
    base = cp_species.species_kinetics("InP", "31P", 3.0)
    slow = cp_species.species_kinetics("InP", "31P", 3.0, tau_c_us=2 * cp_species.bath_correlation_us())
    # T_IS ∝ 1/τc exactly (same geometry)
    assert slow[1].t_is_ms == pytest.approx(base[1].t_is_ms / 2, rel=1e-9)
    short = cp_species.species_kinetics("InP", "31P", 3.0, t1rho_ms=5.0)
    assert np.all(cp_species.cp_signal(short, 10.0) < cp_species.cp_signal(base, 10.0))


def test_larger_dots_give_a_smaller_pox_share_at_1p5_ms():
    shares = []
    for d in (3.0, 5.0):
        s = cp_species.cp_signal(cp_species.species_kinetics("InP", "31P", d), 1.5)
        shares.append(s[0] / s.sum())
    assert shares[1] < shares[0]


def test_size_dispersion_smooths_the_magic_size_jumps_of_one_lattice_cut():
    # A 3.0 and a 3.05 nm cut differ by 12 PO_x (72 vs 60); a sample with 8 % size spread
    # (Murray, Norris & Bawendi 1993: 5-10 %) averages them away.
    def pox_fraction(d, spread):
        k = cp_species.species_kinetics("InP", "31P", d, size_dispersion=spread)
        return k[0].n_spins / (k[0].n_spins + k[1].n_spins)

    single = abs(pox_fraction(3.0, 0.0) - pox_fraction(3.05, 0.0))
    ensemble = abs(pox_fraction(3.0, 0.08) - pox_fraction(3.05, 0.08))
    assert ensemble < 0.5 * single
    # and agrees with the nanocrystal model's own ensemble surface fraction (same cuts,
    # same Gaussian; 9 vs 13 sizes)
    expected = nanocrystal.ensemble_surface_fraction("InP", "P", 3.0, ligand="myristate")
    assert pox_fraction(3.0, 0.08) == pytest.approx(expected, abs=0.02)


def test_species_names_are_the_catalog_assignments():
    # qdkit.sample matches kinetics to catalog species by name
    for material, nucleus, figure, ligand in (
        ("InP", "31P", "2e", "myristate"),
        ("CdSe", "113Cd", "3a", "oleate"),
        ("CdSe", "77Se", "3b", "oleate"),
    ):
        names = {k.name for k in cp_species.species_kinetics(material, nucleus, 4.0, ligand=ligand)}
        assert names == {s.assignment for s in catalog.species(nucleus, figure=figure)}


def test_repeated_call_returns_the_cached_result(inp3):
    assert cp_species.species_kinetics("InP", "31P", 3.0, ligand="myristate") is inp3


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"ligand": "stearate"}, "unknown ligand"),
        ({"poh_fraction": 1.5}, "poh_fraction"),
        ({"t1rho_ms": 0.0}, "positive"),
        ({"proton_offset_A": -5.0}, "proton_offset_A"),
        ({"size_dispersion": 0.5}, "size_dispersion"),
    ],
)
def test_bad_inputs_are_reported_in_chemists_terms(kwargs, text):
    with pytest.raises(ModelParameterError, match=text):
        cp_species.species_kinetics("InP", "31P", 3.0, **kwargs)


def test_cp_signal_shapes(cdse4):
    assert cp_species.cp_signal(cdse4, 2.0).shape == (2,)
    assert cp_species.cp_signal(cdse4, np.ones((3, 4))).shape == (2, 3, 4)
    assert cp_species.cp_signal(cdse4[0], [1.0, 2.0]).shape == (2,)
    with pytest.raises(ModelParameterError):
        cp_species.cp_signal(["not kinetics"], 1.0)
