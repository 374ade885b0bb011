"""Reading Bruker experiment folders: data, metadata and TopSpin's own spectrum."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import qdkit
from qdkit.errors import QdkitWarning

LIQUID_1H = "brukerconverter_1H_zg30_liquid_with_pdata/1"


def test_liquid_1h_fid_has_td_over_two_complex_points_and_its_group_delay(real_data):
    ds = qdkit.read(real_data / LIQUID_1H)
    # acqus: TD = 65536 real+imaginary words -> 32768 complex points; GRPDLY = 67.9886
    assert ds.data.shape == (32768,)
    assert np.iscomplexobj(ds.data)
    assert ds.meta.td == 32768
    assert ds.meta.group_delay_pts == pytest.approx(67.98857, abs=1e-4)
    # the digital filter is still in: the first points before the group delay are tiny
    head = np.abs(ds.data[:40]).max()
    top = np.abs(ds.data).max()
    assert head < 0.05 * top
    assert np.argmax(np.abs(ds.data)) in range(60, 80)


def test_liquid_1h_metadata_matches_acqus_and_procs(real_data):
    m = qdkit.read(real_data / LIQUID_1H).meta
    assert m.nucleus == "1H"
    assert m.larmor_mhz == pytest.approx(500.323089680806)
    assert m.reference_mhz == pytest.approx(500.32)  # procs SF
    assert m.field_T == pytest.approx(500.32 / (42.577478 * (1 - 30.48e-6)), rel=1e-6)  # ¹H of TMS per tesla
    assert m.sw_hz == pytest.approx(10330.5785, rel=1e-8)
    assert m.ns == 16 and m.d1_s == pytest.approx(1.0)
    assert m.pulprog == "zg30"
    assert m.temperature_K == pytest.approx(299.9)
    # liquid probe (5 mm PABBI): the MASR = 4200 in acqus is a left-over, not a spinning rate
    assert m.mas_hz is None
    assert m.warnings == ()


def test_vendor_spectrum_is_topspin_1r_scaled_by_nc_proc(real_data):
    ds = qdkit.read(real_data / LIQUID_1H)
    raw = np.fromfile(real_data / LIQUID_1H / "pdata/1/1r", dtype="<i4")
    assert ds.procs["NC_proc"] == -4 and ds.procs["SI"] == 32768
    np.testing.assert_allclose(ds.vendor_spectrum.real, raw * 2.0**-4)
    assert np.iscomplexobj(ds.vendor_spectrum)  # 1i present
    # The magnitude of a plain FFT of the FID (high frequency first, as TopSpin stores it)
    # has the same shape as TopSpin's magnitude: the data were decoded in the right order.
    spec = np.fft.fftshift(np.fft.fft(ds.data, n=ds.procs["SI"]))[::-1]
    r = np.corrcoef(np.abs(spec), np.abs(ds.vendor_spectrum))[0, 1]
    assert r > 0.99


def test_pdata_folder_selects_its_procno(real_data):
    base = real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS/1"
    by_expno = qdkit.read(base)
    by_procno = qdkit.read(base / "pdata/12")
    assert by_expno.meta.source.endswith("pdata/1")
    assert by_procno.meta.source.endswith("pdata/12")
    assert by_procno.procs["PHC1"] != by_expno.procs["PHC1"]
    np.testing.assert_array_equal(by_expno.data, by_procno.data)


def test_dnplab_nuc1_15n_label_is_overruled_by_the_1h_frequency(real_data):
    with pytest.warns(QdkitWarning, match="15N"):
        ds = qdkit.read(real_data / "dnplab_odnp_topspin_1H_0.35T/5")
    # 14.83 MHz 1H is 0.348 T (X-band Overhauser DNP), 15N there would be a 3.4 T magnet
    assert ds.meta.nucleus == "1H"
    assert ds.meta.field_T == pytest.approx(0.3483, abs=2e-4)
    assert any("15N" in w for w in ds.meta.warnings)


def _writable_copy(src, dst):
    import shutil
    import stat

    shutil.copytree(src, dst, copy_function=shutil.copyfile)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    return dst


def _set(path, name, value):
    import re

    text = path.read_bytes().decode("latin-1")
    text, n = re.subn(rf"^##\$ *{name}= *[^\n]*", f"##${name}= {value}", text, flags=re.M)
    assert n == 1
    path.write_bytes(text.encode("latin-1"))


def test_contact_time_is_p15_only_in_cross_polarization_programs(real_data, tmp_path):
    expno = _writable_copy(real_data / LIQUID_1H, tmp_path / "cp" / "1")
    _set(expno / "acqus", "PULPROG", "<cp>")
    (expno / "pulseprogram").write_text(
        "; cp\n1 ze\n2 d1\n  p3:f2 ph1\n  (p15 pl1 ph2):f1 (p15:sp0 ph10):f2\n  go=2 ph31\nexit\n"
    )
    # acqus P15 = 300000 us in this file -> 300 ms as written (qdkit reports, it does not judge)
    assert qdkit.read(expno).meta.contact_ms == pytest.approx(300.0)
    _set(expno / "acqus", "PULPROG", "<wcpmg>")
    assert qdkit.read(expno).meta.contact_ms is None  # 'cp' inside 'cpmg' is not CP


def test_true_2d_reports_fnmode_and_indirect_nucleus(real_data, tmp_path):
    expno = _writable_copy(real_data / "dnplab_odnp_topspin_1H_0.35T/28", tmp_path / "twod" / "28")
    (expno / "vdlist").unlink()
    _set(expno / "acqu2s", "FnMODE", 5)
    with pytest.warns(QdkitWarning):
        m = qdkit.read(expno).meta
    assert m.fnmode == "States-TPPI"
    assert m.td_indirect == (8,)
    assert m.sw_indirect_hz == (pytest.approx(1000.0),)
    assert m.nuclei_indirect == ("1H",)
    assert m.larmor_mhz_indirect == (pytest.approx(200.130926911019),)
    assert m.delays_s == ()
    assert m.extra["pseudo_nd"] is False


def test_without_a_title_cnst31_wins_over_masr_only_where_the_program_is_timed_by_it(real_data, tmp_path):
    # 119Sn double echo: d31 = 1s/cnst31 in the pulse program, CNST31 = 10000, MASR = 5000 (stale)
    sn = _writable_copy(real_data / "cpmg_119Sn_SnO2_double_echo_CPMG/1100", tmp_path / "sn" / "1100")
    (sn / "pdata/1/title").write_text("119Sn SnO2\n")
    with pytest.warns(QdkitWarning, match="timed for CNST31 = 10000"):
        assert qdkit.read(sn).meta.mas_hz == 10000.0
    # 207Pb WCPMG: CNST31 = 25000 is not used by wcpmg_mas_neo.jk, so MASR = 12500 stands
    pb = _writable_copy(real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS/2", tmp_path / "pb" / "2")
    (pb / "pdata/1/title").write_text("207Pb Pb(NO3)2\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert qdkit.read(pb).meta.mas_hz == 12500.0
