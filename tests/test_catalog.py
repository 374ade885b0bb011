"""The experiment catalog: validation, queries, SI typos, and a cross-check against the SI text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PAPER_DIR, require_shared

from qdkit import catalog
from qdkit.errors import QdkitError

REPO = Path(__file__).resolve().parents[1]


def _paper_text() -> str:
    hits = sorted(PAPER_DIR.glob("piveteau2015*.txt")) if PAPER_DIR else []
    path = require_shared(hits[0] if hits else None, "shared/paper/piveteau2015-*.txt (the paper's text)")
    return path.read_text(encoding="utf-8")


# --- the SI tables, parsed from the paper's text ------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

# SI "Acquisition parameters" blocks in the order they are printed, and the catalog
# experiments each one describes (the n-th id takes the n-th of "a/b/c" values).
_BLOCKS = [
    ["S2"],
    ["S3-1.5ms", "S3-5ms"],
    ["S4"],
    ["S5"],
    ["S6-wz"],
    ["S6-zb"],
    ["S7-10kHz", "S7-12.5kHz"],
    ["S8-k2se-fa"],
    ["S8-k2se-powder"],
    ["S8-cdse-selenide"],
    ["S8-cdse-oleate"],
    ["S9-cdte"],
    ["S9-pbse"],
    ["S9-pbte"],
    ["S10-cspbbr3-dnp"],
    ["S10-cspbbr3-bulk"],
    ["2d-a", "2d-b"],
    ["2e-a", "2e-b"],
    ["3a-a", "3a-b", "3a-c"],
    ["3b"],
    ["3c-a", "3c-b"],
    ["4"],
    ["5a"],
    ["5b"],
    ["5c-a", "5c-b", "5c-c"],
]


def _si_blocks(text: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if "Acquisition parameters" not in line:
            continue
        rows = {}
        for row in lines[i + 1 :]:
            if "\t" not in row:
                if row.strip():
                    break
                continue
            label, value = row.split("\t", 1)
            rows[label.translate(_SUPERSCRIPTS).replace("^", "").replace("{", "").replace("}", "").replace(" ", "")] = (
                value.strip()
            )
        blocks.append(rows)
    return blocks


def _field_for(label: str) -> tuple[str, float] | None:
    """Catalog field (and unit factor) for an SI row label, None for rows not compared."""
    proton = label.startswith("1H")
    if label.startswith("Magneticfield") or label.startswith("Maneticfield"):
        return "field_T", 1.0
    if label.startswith("Numberofscanspert1"):
        return "ns_per_increment", 1.0
    if label.startswith("Numberofscans"):
        return "ns", 1.0
    if label.startswith("Numberoft1"):
        return "t1_increments", 1.0
    if label.startswith("t1increment"):
        return "t1_increment_us", 1.0
    if label.startswith("Recycledelay"):
        return "d1_s", 1.0
    if label.startswith("Spectralwidth"):
        return "sw_khz", 1.0
    if label.startswith("Spinningfrequency"):
        return "mas_hz", 1.0
    if label.startswith("Acquisitionlength"):
        return "td", 1.0
    if label.startswith("Numberofspinechos"):
        return "cpmg_echoes", 1.0
    if label.startswith("Durationofspinechos"):
        return "echo_us", 1000.0 if "(ms)" in label else 1.0
    if label.startswith("Contactpulse"):
        return "contact_ms", 1.0
    if "recouplingpower" in label:
        return "recoupling_hz", 1.0
    if "rffieldduringdecoupling" in label:
        return "rf_1H_decoupling_khz", 1.0
    if "rffieldduringcontact" in label:
        return ("rf_1H_contact_khz" if proton else "rf_X_contact_khz"), 1.0
    if "180°pulse" in label:
        return "p180_X_us", 1.0
    if "90°pulse" in label:
        if proton:
            return "p90_1H_us", 1.0
        return ("p90_indirect_us" if label.startswith("111Cd") else "p90_X_us"), 1.0
    return None


def _printed_value(value: str, index: int) -> float:
    parts = value.replace("'", "").replace(" T", "").replace(" s", "").split("/")
    part = parts[index] if len(parts) > 1 else parts[0]
    return float(part)


def test_every_si_table_value_is_in_the_catalog_unless_corrected():
    blocks = _si_blocks(_paper_text())
    assert len(blocks) == len(_BLOCKS), "the SI has a different number of parameter tables"
    compared = 0
    for rows, ids in zip(blocks, _BLOCKS):
        for index, exp_id in enumerate(ids):
            exp = catalog.experiment(exp_id)
            corrected = {f for c in exp.corrections for f in c.fields}
            for label, value in rows.items():
                target = _field_for(label)
                if target is None or target[0] in corrected:
                    continue
                name, factor = target
                if name == "ns_per_increment":
                    name = "ns"
                printed = _printed_value(value, index) * factor
                assert getattr(exp, name) == pytest.approx(printed), (
                    f"{exp_id}: {name} is {getattr(exp, name)} but the SI prints {value!r} ({label})"
                )
                compared += 1
    assert compared > 250  # every table contributes its rows


# --- validation ---------------------------------------------------------------------------


def test_every_record_validates_and_ids_are_unique():
    cat = catalog.load()
    ids = [e.id for e in cat.experiments_all]
    assert len(ids) == len(set(ids)) == 35
    assert all(isinstance(e.sample, catalog.Sample) for e in cat.experiments_all)
    assert len(cat.species_all) >= 15


def test_units_are_sane():
    for e in catalog.experiments():
        assert e.field_T in (9.4, 11.7, 14.1, 16.4)
        if e.dnp:
            # 263 GHz at 9.4 T, 395 GHz at 14.1 T: both are 100 K probes with 3.2 mm rotors.
            assert e.temperature_K == 100.0 and e.rotor_mm == 3.2
            assert e.field_T in (9.4, 14.1)
        if e.contact_ms is not None:
            assert 1.0 <= e.contact_ms <= 15.0
        if e.ns is not None and e.d1_s is not None:
            assert e.experiment_hours < 72  # nothing in the SI ran longer than three days
        assert e.mas_hz is None or e.mas_hz in (600.0, 8000.0, 9000.0, 10000.0, 12500.0, 20000.0)


def test_known_si_typos_are_flagged_with_what_was_taken():
    fig3c = catalog.experiment("3c-a")
    (c,) = [c for c in fig3c.corrections if c.field == "contact_ms"]
    assert c.printed == "2200" and c.taken == pytest.approx(2.2) and c.status == "typo"
    assert fig3c.contact_ms == pytest.approx(catalog.experiment("4").contact_ms)
    typos = [(c.where, c.field) for c in catalog.corrections("typo")]
    assert ("Fig. S7", "nucleus") in typos
    assert ("Fig. 3b", "ns") in typos
    assert sum(1 for w, f in typos if w == "Fig. S9" and f == "nucleus") == 2
    assert all(c.reason for c in catalog.corrections())
    for e in catalog.experiments(figure="S7"):
        assert e.nucleus == "113Cd"
    for e in catalog.experiments(figure="S9"):
        assert e.nucleus == ("77Se" if "PbSe" in e.sample.qd else "125Te")


def test_uncorrected_2200_ms_contact_would_be_rejected(tmp_path):
    text = catalog.default_path().read_text(encoding="utf-8").replace("contact_ms = 2.2\n", "contact_ms = 2200.0\n", 1)
    bad = tmp_path / "catalog.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(catalog.CatalogError, match="contact_ms = 2200.0 is outside"):
        catalog.load(bad)


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda t: t.replace('nucleus = "13C"\n', 'nucleus = "13Q"\n', 1), "13Q"),
        (lambda t: t.replace('sample = "zb-cdse-oleate-15nm"', 'sample = "no-such-sample"', 1), "unknown sample"),
        (lambda t: t.replace("ns = 8192\n", "ns = 8192.5\n", 1), "whole number"),
        (lambda t: t.replace('filling = "two-step"', 'filling = "three-step"', 1), "filling"),
        (lambda t: t.replace('status = "typo"', 'status = "maybe"', 1), "status"),
        (lambda t: t + '\n[[experiments]]\nid = "4"\nfigure = "4"\n', "missing"),
        (lambda t: t.replace("d1_s = 1.7\n", "d1_s = 1.7\nd1_ms = 1700\n", 1), "unknown keys"),
        (lambda t: t.replace("[source]", "[source", 1), "not valid TOML"),
    ],
)
def test_broken_catalogs_raise_catalog_errors(tmp_path, edit, words):
    bad = tmp_path / "catalog.toml"
    bad.write_text(edit(catalog.default_path().read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(catalog.CatalogError, match=words) as info:
        catalog.load(bad)
    assert isinstance(info.value, QdkitError)


def test_missing_catalog_file_names_the_file(tmp_path):
    with pytest.raises(catalog.CatalogError, match="nowhere.toml"):
        catalog.load(tmp_path / "nowhere.toml")


# --- queries and spot checks against the SI text ------------------------------------------


def test_figure_s7_has_the_two_spin_rates():
    exps = catalog.experiments(figure="S7")
    assert [e.mas_hz for e in exps] == [10000.0, 12500.0]
    assert [e.ns for e in exps] == [8192, 2240]
    assert catalog.experiments(figure="s7", mas_hz=12500.0)[0].id == "S7-12.5kHz"


def test_figure_4_d_hmqc_parameters_and_overnight_duration():
    e = catalog.experiment("4")
    assert (e.nucleus, e.indirect_nucleus) == ("13C", "111Cd")
    assert (e.t1_increments, e.t1_increment_us, e.ns, e.d1_s) == (48, 4.0, 400, 2.7)
    assert e.recoupling_hz == e.mas_hz == 9000.0
    # "The 2D spectrum (obtained overnight)": 48 × 400 × 2.7 s = 14.4 h.
    assert e.experiment_hours == pytest.approx(14.4)
    assert e.sample.pore_nm == 15.0 and e.sample.radical == "TEKPol" and e.sample.radical_mM == 16.0


def test_fig_3c_takes_less_than_two_minutes_as_the_main_text_says():
    assert catalog.experiment("3c-a").experiment_hours * 60 < 2.0


def test_samples_record_silica_filling_and_radicals():
    assert catalog.experiment("5b").sample.radical == "AMUPol"
    assert catalog.experiment("5b").sample.radical_mM == 8.0
    assert catalog.experiment("5c-a").sample.filling == "two-step"
    assert catalog.experiment("2d-a").sample.pore_nm is None
    assert catalog.experiment("2f").sample.pore_series_nm == (3.3, 4.0, 7.0, 15.0, 30.0, 50.0, 250.0)
    assert {e.sample.filling for e in catalog.experiments(figure="5")} == {"one-step", "two-step"}


def test_species_of_figure_3a_match_the_main_text():
    text = _paper_text()
    surface = catalog.species("113Cd", figure="3a", site="surface")[0]
    core = catalog.species("Cd113", figure="3a", site="core")[0]
    assert (surface.iso_ppm, surface.csa_ppm, surface.fwhm_hz) == (-317.0, 416.0, 4000.0)
    assert core.iso_ppm == -20.0
    assert "-317 ppm" in text and "416 ppm" in text and "-20 ppm" in text and "4000 Hz" in text


def test_every_species_shift_is_printed_in_the_paper_unless_marked_assumed():
    text = _paper_text().replace("−", "-")
    for s in catalog.species():
        if s.is_assumed("iso_ppm"):
            assert "not printed" in s.assumptions["iso_ppm"], f"{s.assignment}: say that the paper prints no shift"
            continue
        printed = f"{s.iso_ppm:g}"
        if s.range_ppm is not None:
            printed = f"{s.range_ppm[0]:g}-{s.range_ppm[1]:g} ppm"
        assert re.search(re.escape(printed) + r"(?![0-9])", text), f"{s.assignment}: {printed} not in the paper"
    # only lines the paper shows without their shift (Fig. 5 shoulders/peaks, the S9/S10 survey)
    assumed = {s.figure for s in catalog.species() if s.is_assumed("iso_ppm")}
    assert assumed == {"5a", "5b", "5c", "S9", "S10"}


def test_reported_enhancements():
    (s2,) = catalog.enhancements("S2")
    assert (s2["value"], s2["absolute_gain"], s2["porosity"]) == (80.0, 51.0, 0.71)
    assert catalog.enhancements("2d")[0]["max"] == 5.0


def test_unknown_query_field_and_id_are_errors():
    with pytest.raises(catalog.CatalogError, match="no field"):
        catalog.experiments(figure="S7", spin_rate=10000)
    with pytest.raises(catalog.CatalogError, match="No experiment"):
        catalog.experiment("S11")
