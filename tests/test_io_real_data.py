"""qdkit.read and `qdkit info --json` on every real dataset in shared/data/real.

The expected values were worked out by hand from the files themselves, not from qdkit:
field = 1H base frequency / 42.5762 MHz/T (the ¹H of TMS per tesla), where the 1H base is BF1 / Ξ(nucleus)
(TopSpin sets every BF from one 1H base: 500.32, 500.39, 300.13, 14.83, 400.13, 800.30 MHz);
the MAS rate from the title and SOURCE.md where MASR/CNST31 are stale; TD as complex points
(acqus TD / 2, procpar np / 2).
"""

from __future__ import annotations

import hashlib
import json
import warnings

import numpy as np
import pytest

import qdkit
from qdkit import cli, io

# MHz/T of the ¹H of TMS (the 1H base frequency BF1 refers to TMS): the bare proton's
# 42.577478 less TMS's 30.48 ppm shielding (Phillips et al. 1977 + water at 4.79 ppm).
GAMMA_H = 42.577478 * (1 - 30.48e-6)

# path -> (nucleus, 1H base frequency in MHz, MAS in Hz or None for a liquid probe, TD complex points)
EXPECTED = {
    # liquid 5 mm PABBI probe: MASR = 4200 in acqus is a left-over -> no MAS rate
    "brukerconverter_1H_zg30_liquid_with_pdata/1": ("1H", 500.32, None, 32768),
    # MASR = 5000 is stale: title "MAS: 10 kHz", CNST31 = 10000, SOURCE.md "10 kHz MAS"
    "cpmg_119Sn_SnO2_double_echo_CPMG/1100": ("119Sn", 500.39, 10000.0, 31500),
    "cpmg_119Sn_SnO2_double_echo_CPMG/1101": ("119Sn", 500.39, 10000.0, 31500),
    # MASR = 25000 agrees with SOURCE.md; title mentions a *static reference* only
    "cpmg_195Pt_PtMix_WCPMG_MAS_stepped/2999": ("195Pt", 500.39, 25000.0, 1250),
    "cpmg_195Pt_PtMix_WCPMG_MAS_stepped/3999": ("195Pt", 500.39, 25000.0, 1250),
    # title "@ static", pulse program wcpmg (no MAS): MASR = 10000 and CNST31 = 5000 are stale
    "cpmg_195Pt_Reiset_WCPMG_static_AV300/7": ("195Pt", 300.13, 0.0, 26604),
    # title "mas: 12.5kHz" = MASR; CNST31 = 25000 is something else
    "cpmg_207Pb_PbZrO3_WCPMG_MAS/1": ("207Pb", 500.39, 12500.0, 1500),
    "cpmg_207Pb_PbZrO3_WCPMG_MAS/2": ("207Pb", 500.39, 12500.0, 82400),
    # NUC1 "15N" is a routing artefact: BF1 = 14.83 MHz is 1H at 0.348 T (X-band ODNP, liquid)
    "dnplab_odnp_topspin_1H_0.35T/1": ("1H", 14.83, None, 8192),
    "dnplab_odnp_topspin_1H_0.35T/2": ("1H", 14.83, None, 2993),
    "dnplab_odnp_topspin_1H_0.35T/3": ("1H", 14.83, None, 5120),
    **{
        f"dnplab_odnp_topspin_1H_0.35T/{e}": ("1H", 14.83, None, 11973)
        for e in (5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 22, 24, 26)
    },
    "dnplab_odnp_topspin_1H_0.35T/28": ("1H", 14.83, None, 7983),
    "dnplab_odnp_topspin_1H_0.35T/304": ("1H", 14.83, None, 7983),
    # VnmrJ: sfrq 14.1769502 MHz 1H (H1reffrq is inconsistent, so the carrier gives the field)
    "dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_off.fid": ("1H", 14.1769502, None, 131072),
    "dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_40dBm.fid": ("1H", 14.1769502, None, 131072),
    # 1.6 mm FMAS probe, srate 0: static (SOURCE.md: static saturation recovery); H1reffrq 599.98751
    "ssnake_87Rb_satrec2D_varian/satrec2D.fid": ("87Rb", 599.987510082, 0.0, 1923),
    # JCAMP-DX exports of TopSpin data (TD 16384 -> 8192 complex points)
    "jcamp_dx_bruker_fid_and_spectrum_liquid/aspirin/1h.fid.dx": ("1H", 300.13, None, 8192),
    "jcamp_dx_bruker_fid_and_spectrum_liquid/aspirin/1h.dx": ("1H", 300.13, None, 8192),
    "jcamp_dx_bruker_fid_and_spectrum_liquid/bruker/dosy-1d-ledbpgp2s1d.fid.dx": ("1H", 400.08, None, 16384 // 2),
    # Spinach text spectra: Hz/ppm columns give the 79Br reference; MAS from the file name,
    # TD from 'KBr * Parameters.txt'
    "spinach_79Br_KBr_MAS_spectra/KBr_400MHz_2kHz.txt": ("79Br", 400.13, 2000.0, 8192),
    "spinach_79Br_KBr_MAS_spectra/KBr_400MHz_5kHz.txt": ("79Br", 400.13, 5000.0, 8192),
    "spinach_79Br_KBr_MAS_spectra/KBr_400MHz_10kHz.txt": ("79Br", 400.13, 10000.0, 8192),
    "spinach_79Br_KBr_MAS_spectra/KBr_800MHz_10kHz.txt": ("79Br", 800.30, 10000.0, 4096),
}


def _meta(real_data, rel):
    path = real_data / rel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if rel.endswith(".txt"):
            return io.read_spectrum(path).meta
        return qdkit.read(path).meta


def _check(meta, expected, where):
    nucleus, proton_mhz, mas_hz, td = expected
    assert meta.nucleus == nucleus, where
    # 2e-5 relative: the 1H base is known to 0.01 MHz at 300-800 MHz
    assert meta.field_T == pytest.approx(proton_mhz / GAMMA_H, rel=2e-5), where
    if mas_hz is None:
        assert meta.mas_hz is None, where
    else:
        assert meta.mas_hz == pytest.approx(mas_hz), where
    assert meta.td == td, where


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_read_reports_nucleus_field_mas_and_td(real_data, rel):
    _check(_meta(real_data, rel), EXPECTED[rel], rel)


def test_every_real_folder_is_covered(real_data):
    folders = {p.name for p in real_data.iterdir() if p.is_dir()}
    covered = {rel.split("/")[0] for rel in EXPECTED}
    assert folders == covered
    # and find_datasets finds exactly the datasets listed (no more, no fewer)
    found = {str(p.relative_to(real_data)) for p in io.find_datasets(real_data)}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("folder", sorted({rel.split("/")[0] for rel in EXPECTED}))
def test_info_json_on_each_real_folder(real_data, folder, capsys):
    status = cli.main(["info", "--json", str(real_data / folder)])
    assert status == 0
    payload = json.loads(capsys.readouterr().out)
    records = payload if isinstance(payload, list) else [payload]
    wanted = {rel: exp for rel, exp in EXPECTED.items() if rel.startswith(folder + "/")}
    seen = {}
    for r in records:
        rel = str(r["path"])[len(str(real_data)) + 1 :]
        seen[rel] = r
    assert set(seen) == set(wanted)
    for rel, exp in wanted.items():
        m = seen[rel]["meta"]
        nucleus, proton_mhz, mas_hz, td = exp
        assert m["nucleus"] == nucleus
        assert m["field_T"] == pytest.approx(proton_mhz / GAMMA_H, rel=2e-5)
        assert m["mas_hz"] == (None if mas_hz is None else pytest.approx(mas_hz))
        assert m["td"] == td


def test_stale_values_and_label_artefacts_are_warned_about(real_data):
    with pytest.warns(io.QdkitWarning, match="MASR = 5000"):
        sn = qdkit.read(real_data / "cpmg_119Sn_SnO2_double_echo_CPMG/1100")
    assert any("title says 10000 Hz" in w for w in sn.meta.warnings)
    with pytest.warns(io.QdkitWarning, match="static"):
        pt = qdkit.read(real_data / "cpmg_195Pt_Reiset_WCPMG_static_AV300/7")
    assert pt.meta.mas_hz == 0.0
    # a consistent dataset raises no warning at all
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        qdkit.read(real_data / "cpmg_195Pt_PtMix_WCPMG_MAS_stepped/2999")


def test_cpmg_echo_count_and_period_come_from_the_pulse_program(real_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pb = qdkit.read(real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS/2").meta
        pb_coadded = qdkit.read(real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS/1").meta
        sn = qdkit.read(real_data / "cpmg_119Sn_SnO2_double_echo_CPMG/1100").meta
        sn_coadded = qdkit.read(real_data / "cpmg_119Sn_SnO2_double_echo_CPMG/1101").meta
        pt = qdkit.read(real_data / "cpmg_195Pt_Reiset_WCPMG_static_AV300/7").meta
    # wcpmg_mas_neo.jk: loop p1 + de + d7 + de = 20 + 10 + 600 + 10 us, L22 = 50 times;
    # the program's own check: spikelet spacing cnst1 = 1e6/640 = 1562.5 Hz
    assert pb.cpmg_period_us == pytest.approx(640.0)
    assert pb.cpmg_echoes == 50
    assert pb_coadded.cpmg_echoes == 1  # a co-added single echo (TD 3000) holds one echo
    assert pb_coadded.extra["cpmg_echoes_acquired"] == 50
    # double-echo CPMG: window after the third pulse + L22 = 50 loops of p23 + de + d6 + de
    # = 300 + 10 + 280 + 10 us (rotor-synchronised: 2 * cnst27 / cnst31 = 600 us)
    assert sn.cpmg_period_us == pytest.approx(600.0)
    assert sn.cpmg_echoes == 51
    assert sn_coadded.cpmg_echoes == 1  # only the first 300 points are non-zero
    # wcpmg.mrh: d3 + p1 + d3 + 1u + d6 + 1u = 352 us; the program stores 1/352us in d26
    assert pt.cpmg_period_us == pytest.approx(1e6 / 2840.909, rel=1e-6)
    assert pt.cpmg_echoes == 75
    # P15 = 3 ms is set in that acqus, but wcpmg is no CP program: no contact time
    assert pt.contact_ms is None


def test_pseudo_2d_series_carry_their_delay_list_and_shape(real_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t1 = qdkit.read(real_data / "dnplab_odnp_topspin_1H_0.35T/304")
        rb = qdkit.read(real_data / "ssnake_87Rb_satrec2D_varian/satrec2D.fid")
    assert t1.data.shape == (8, 7983)
    assert t1.meta.td_indirect == (8,)
    # vdlist: 20m 56.854m ... 30 (seconds unless a unit follows)
    assert t1.meta.delays_s[0] == pytest.approx(0.020)
    assert t1.meta.delays_s[-1] == pytest.approx(30.0)
    assert len(t1.meta.delays_s) == 8
    assert t1.meta.extra["pseudo_nd"] is True
    assert t1.meta.microwave is False  # title: "T1 with microwaves off"
    assert rb.data.shape == (12, 1923)
    assert rb.meta.delays_s == pytest.approx((0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5))


def test_microwave_state_where_the_experiment_states_it(real_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vn_off = qdkit.read(real_data / "dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_off.fid")
        vn_on = qdkit.read(real_data / "dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_40dBm.fid")
        ts_on = qdkit.read(real_data / "dnplab_odnp_topspin_1H_0.35T/6")  # title "DNP, set 31.5"
        ts_5 = qdkit.read(real_data / "dnplab_odnp_topspin_1H_0.35T/5")  # "baseline for integration"
    assert vn_off.meta.microwave is False
    assert vn_on.meta.microwave is True
    assert ts_on.meta.microwave is True
    assert ts_5.meta.microwave is None  # nothing in its files says so


def test_jcamp_fid_matches_its_spectrum_file(real_data):
    base = real_data / "jcamp_dx_bruker_fid_and_spectrum_liquid/aspirin"
    fid = qdkit.read(base / "1h.fid.dx")
    spec = io.read_spectrum(base / "1h.dx")
    # DSPFVS 10 / DECIM 24 table value (old firmware, GRPDLY = -1)
    assert fid.meta.group_delay_pts == pytest.approx(61.0208, abs=1e-3)
    assert spec.ppm[0] == pytest.approx(15.47866)  # OFFSET
    # magnitude of the plain FFT (zero-filled to SI) has the shape of TopSpin's magnitude
    mag = np.abs(np.fft.fftshift(np.fft.fft(fid.data, n=spec.data.size)))[::-1]
    assert np.corrcoef(mag, np.abs(spec.data))[0, 1] > 0.97


def test_varian_and_bruker_reads_leave_the_real_folders_untouched(real_data):
    def snapshot():
        out = {}
        for p in sorted(real_data.rglob("*")):
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        return out

    before = snapshot()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rel in EXPECTED:
            _meta(real_data, rel)
            if not rel.endswith(".txt") and "jcamp" not in rel:
                io.find_datasets(real_data / rel.split("/")[0])
    assert snapshot() == before


def test_dnplab_ppm_axis_is_1h_sized_despite_the_foreign_sf_in_procs(real_data):
    """procs SF (14.17 MHz) belongs to another nucleus; 0 ppm must come from BF1 (1H, 14.83 MHz),
    so the axis around the carrier spans hundreds of ppm, not 48,000 ppm away."""
    import warnings

    import numpy as np

    import qdkit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = qdkit.read(real_data / "dnplab_odnp_topspin_1H_0.35T" / "2")
    spec = qdkit.process(ds)
    assert ds.procs["SF"] == pytest.approx(14.172, abs=1e-3)
    assert ds.meta.reference_mhz == pytest.approx(14.83, abs=1e-2)
    assert any("SF =" in w for w in ds.meta.warnings)
    assert np.abs(spec.ppm).max() < 1000
    assert abs(spec.ppm[np.argmax(np.abs(spec.real))] - ds.meta.o1_hz / ds.meta.reference_mhz) < 100
