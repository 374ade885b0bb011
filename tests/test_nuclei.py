import pytest

from qdkit import nuclei
from qdkit.errors import QdkitError, UnknownNucleusError


@pytest.mark.parametrize("label", ["113Cd", "Cd113", "^113cd", "cd-113", " 113CD "])
def test_labels_in_any_common_spelling_resolve_to_the_same_isotope(label):
    assert nuclei.get(label).label == "113Cd"


def test_unknown_nucleus_is_a_qdkit_error_that_names_the_label():
    with pytest.raises(UnknownNucleusError, match="999Xx") as info:
        nuclei.get("999Xx")
    assert isinstance(info.value, QdkitError)


def test_field_from_bruker_bf1_of_a_400_mhz_magnet_is_9p4_tesla():
    assert nuclei.field_from_reference("1H", 400.13) == pytest.approx(9.398, abs=0.002)
    # the same magnet seen from 113Cd's BF1 (88.8 MHz)
    bf_cd = nuclei.get("113Cd").reference_mhz(9.398)
    assert nuclei.field_from_reference("113Cd", bf_cd) == pytest.approx(9.398, rel=1e-9)


def test_reference_frequency_is_not_the_bare_larmor_frequency_for_heavy_nuclei():
    # Ξ includes the reference compound's shielding; γB0/2π does not. The gap grows with
    # the shielding range of the element: ~0.4 % for 113Cd, ~0.8 % for 125Te, >1 % for 195Pt.
    def gap(label):
        n = nuclei.get(label)
        return abs(n.reference_mhz(9.4) / n.larmor_mhz(9.4) - 1)

    assert gap("113Cd") == pytest.approx(0.0040, abs=0.0005)
    assert gap("125Te") == pytest.approx(0.0083, abs=0.0005)
    assert gap("195Pt") > 0.01


def test_proton_reference_is_tms_not_the_bare_proton():
    # Ξ = 100 % is the ¹H of TMS, whose protons are shielded by ~30.5 ppm (25.69 ppm of the
    # proton in water, Phillips et al. 1977, + water's 4.79 ppm above TMS): ν_ref(¹H) sits
    # that far below γ_p B0/2π, and every other ν_ref with it (the bare γ put them 30.5 ppm
    # high). A 400.13 MHz (TMS) spectrometer is then at 9.3980 T.
    h = nuclei.get("1H")
    shift_ppm = (h.reference_mhz(9.4) / (nuclei.PROTON_GAMMA_MHZ_T * 9.4) - 1) * 1e6
    assert shift_ppm == pytest.approx(-(25.69 + 4.79), abs=0.01)
    assert 30.0 < -shift_ppm < 31.0
    assert nuclei.field_from_proton_mhz(400.13) == pytest.approx(400.13 / (42.577478 * (1 - 30.48e-6)), rel=1e-9)
    assert nuclei.field_from_reference("13C", nuclei.get("13C").reference_mhz(9.4)) == pytest.approx(9.4, rel=1e-12)


def test_nucleus_from_frequency_recognises_31p_at_9p4_tesla():
    p = nuclei.get("31P")
    hits = nuclei.nucleus_from_frequency(p.reference_mhz(9.4), 9.4)
    assert hits[0].label == "31P"
