"""Damaged, odd and hostile inputs: each gives the right QdkitError naming the file, or reads
correctly; the originals are never touched."""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import warnings

import numpy as np
import pytest

import qdkit
from qdkit import io
from qdkit.errors import MetadataError, QdkitError, ReadError, UnknownNucleusError

LIQUID = "brukerconverter_1H_zg30_liquid_with_pdata/1"
SERIES = "dnplab_odnp_topspin_1H_0.35T/28"
VARIAN = "dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_off.fid"


def _tree_hash(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def originals(real_data):
    """Hashes of the source folders before the tests; checked again after all of them."""
    folders = [real_data / LIQUID, real_data / SERIES, real_data / VARIAN]
    before = {f: _tree_hash(f) for f in folders}
    yield
    assert {f: _tree_hash(f) for f in folders} == before


def copy_dataset(src, dst):
    """Writable copy (the shared originals are read-only)."""
    shutil.copytree(src, dst, copy_function=shutil.copyfile)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    return dst


def set_param(path, name, value):
    text = path.read_bytes().decode("latin-1")
    new, n = re.subn(rf"^##\$ *{re.escape(name)}= *[^\n]*", f"##${name}= {value}", text, flags=re.M)
    assert n == 1, name
    path.write_bytes(new.encode("latin-1"))


def remove_param(path, name):
    text = path.read_bytes().decode("latin-1")
    path.write_bytes(re.sub(rf"^##\$ *{re.escape(name)}= *[^\n]*\n", "", text, flags=re.M).encode("latin-1"))


@pytest.fixture
def liquid(real_data, tmp_path, originals):
    return copy_dataset(real_data / LIQUID, tmp_path / "study" / "1")


def _original_fid(real_data):
    return np.fromfile(real_data / LIQUID / "fid", dtype="<i4")


def test_missing_fid_names_both_raw_data_files(liquid):
    (liquid / "fid").unlink()
    with pytest.raises(ReadError, match=r"neither a 'fid' nor a 'ser'") as exc:
        qdkit.read(liquid)
    assert str(liquid) in str(exc.value)


def test_zero_length_fid_says_the_acquisition_stored_nothing(liquid):
    (liquid / "fid").write_bytes(b"")
    with pytest.raises(ReadError, match=r"empty \(0 bytes\).*TD = 65536") as exc:
        qdkit.read(liquid)
    assert str(liquid / "fid") in str(exc.value)


def test_truncated_fid_says_how_many_bytes_td_needs(liquid):
    raw = (liquid / "fid").read_bytes()
    (liquid / "fid").write_bytes(raw[:100_000])
    with pytest.raises(ReadError, match=r"truncated.*100000 bytes.*TD = 65536.*262144 bytes"):
        qdkit.read(liquid)


def test_truncated_ser_of_a_series_is_refused(real_data, tmp_path, originals):
    ser_copy = copy_dataset(real_data / SERIES, tmp_path / "t1" / "28")
    raw = (ser_copy / "ser").read_bytes()
    (ser_copy / "ser").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ReadError, match=r"ser is truncated.*x 8 FIDs"):
        qdkit.read(ser_copy)


def test_missing_acqus_is_a_metadata_error_naming_it(liquid):
    (liquid / "acqus").unlink()
    with pytest.raises(MetadataError, match=r"acqus is missing"):
        qdkit.read(liquid)
    (liquid / "acqu").unlink()
    with pytest.raises(MetadataError, match=r"no 'acqus' \(Bruker\) or 'procpar' \(Varian\)"):
        qdkit.read(liquid)


def test_garbled_acqus_is_a_metadata_error(liquid):
    (liquid / "acqus").write_bytes(bytes(range(256)) * 20)
    with pytest.raises(MetadataError, match=r"acqus") as exc:
        qdkit.read(liquid)
    assert "copy" in str(exc.value)


def test_acqus_without_td_names_the_parameter(liquid):
    remove_param(liquid / "acqus", "TD")
    with pytest.raises(MetadataError, match=r"no TD parameter"):
        qdkit.read(liquid)


@pytest.mark.parametrize(
    ("dtypa", "bytorda", "dtype"),
    [(2, 0, "<f8"), (0, 1, ">i4"), (2, 1, ">f8")],
    ids=["float64-little", "int32-big", "float64-big"],
)
def test_other_data_types_and_byte_orders_read_the_same_numbers(liquid, real_data, dtypa, bytorda, dtype):
    words = _original_fid(real_data)
    (liquid / "fid").write_bytes(words.astype(dtype).tobytes())
    set_param(liquid / "acqus", "DTYPA", dtypa)
    set_param(liquid / "acqus", "BYTORDA", bytorda)
    ds = qdkit.read(liquid)
    expected = words[0::2] + 1j * words[1::2]
    np.testing.assert_array_equal(ds.data, expected)


def test_nan_in_a_float_fid_is_refused(liquid, real_data):
    words = _original_fid(real_data).astype("<f8")
    words[1000] = np.nan
    (liquid / "fid").write_bytes(words.tobytes())
    set_param(liquid / "acqus", "DTYPA", 2)
    with pytest.raises(ReadError, match=r"NaN or infinite"):
        qdkit.read(liquid)


def test_unknown_nuc1_label_is_replaced_by_the_nucleus_of_the_frequency(liquid):
    set_param(liquid / "acqus", "NUC1", "<999Xx>")
    with pytest.warns(io.QdkitWarning, match="999Xx"):
        ds = qdkit.read(liquid)
    assert ds.meta.nucleus == "1H"  # BF1 = 500.32 is a whole 0.01 MHz 1H base


def test_unknown_nucleus_and_unmatched_frequency_is_an_unknown_nucleus_error(liquid):
    set_param(liquid / "acqus", "NUC1", "<999Xx>")
    set_param(liquid / "acqus", "BF1", "123.456789")
    with pytest.raises(UnknownNucleusError, match=r"999Xx.*BF1 = 123.456789"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            qdkit.read(liquid)


def test_non_utf8_title_is_read_as_windows_1252_and_noted(liquid):
    (liquid / "pdata/1/title").write_bytes(b"CdSe QDs 100 K, \xb5wave on\nMAS: 10 kHz\n")
    with pytest.warns(io.QdkitWarning) as record:
        ds = qdkit.read(liquid)
    messages = [str(w.message) for w in record]
    assert any("not UTF-8" in m for m in messages)
    assert any("MASR = 4200 Hz but the title says 10000 Hz" in m for m in messages)
    assert "µwave on" in ds.meta.title
    assert ds.meta.microwave is True
    assert ds.meta.mas_hz == 10000.0


def test_symlinked_folder_reads_like_the_original_and_broken_links_are_named(liquid, tmp_path):
    link = tmp_path / "link_to_expno"
    link.symlink_to(liquid, target_is_directory=True)
    np.testing.assert_array_equal(qdkit.read(link).data, qdkit.read(liquid).data)
    (liquid / "fid").rename(liquid / "fid.moved")
    (liquid / "fid").symlink_to(tmp_path / "nowhere" / "fid")
    with pytest.raises(ReadError, match=r"symbolic link to .*nowhere.*does not exist"):
        qdkit.read(liquid)


def test_non_ascii_paths_read(real_data, tmp_path, originals):
    copy = copy_dataset(real_data / LIQUID, tmp_path / "données CdSe µ-wave" / "1")
    ds = qdkit.read(copy)
    assert ds.meta.nucleus == "1H"
    assert "données" in ds.meta.source


def test_reading_writes_nothing_into_the_folder(liquid):
    before = _tree_hash(liquid.parent)
    qdkit.read(liquid)
    qdkit.read(liquid / "pdata" / "1")
    io.read_spectrum(liquid)
    assert _tree_hash(liquid.parent) == before


def test_missing_path_and_unknown_folder_say_what_is_expected(tmp_path):
    with pytest.raises(ReadError, match=r"does not exist"):
        qdkit.read(tmp_path / "no_such_expno")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReadError, match=r"no dataset qdkit recognises"):
        qdkit.read(tmp_path / "empty")


def test_truncated_varian_fid_and_missing_procpar(real_data, tmp_path, originals):
    copy = copy_dataset(real_data / VARIAN, tmp_path / "x.fid")
    raw = (copy / "fid").read_bytes()
    (copy / "fid").write_bytes(raw[: len(raw) // 3])
    with pytest.raises(ReadError, match=r"x.fid/fid"):
        qdkit.read(copy)
    (copy / "procpar").unlink()
    with pytest.raises(MetadataError, match=r"procpar"):
        qdkit.read(copy)


def test_garbage_jcamp_and_text_files_are_read_errors(tmp_path):
    bad = tmp_path / "broken.dx"
    bad.write_bytes(b"\x00\x01 this is not JCAMP \xff")
    with pytest.raises(QdkitError, match="broken.dx"):
        qdkit.read(bad)
    empty = tmp_path / "empty.dx"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match=r"empty \(0 bytes\)"):
        qdkit.read(empty)
    nan_txt = tmp_path / "spec_400MHz.txt"
    nan_txt.write_text("1, 2, 3, 0.1\n2, nan, 2, 0.05\n")
    with pytest.raises(ReadError, match="NaN"):
        io.read_spectrum(
            nan_txt,
        )


def test_a_text_spectrum_is_not_mistaken_for_raw_data(real_data):
    with pytest.raises(ReadError, match=r"read_spectrum"):
        qdkit.read(real_data / "spinach_79Br_KBr_MAS_spectra")
    with pytest.raises(ReadError, match=r"read_spectrum"):
        qdkit.read(real_data / "spinach_79Br_KBr_MAS_spectra/KBr_400MHz_2kHz.txt")


def test_read_only_copy_reads(liquid):
    for p in [liquid, *liquid.rglob("*")]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        assert qdkit.read(liquid).meta.td == 32768
    finally:
        for p in [liquid, *liquid.rglob("*")]:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)


def test_varian_unknown_tn_is_named_from_sfrq_and_h1reffrq(real_data, tmp_path, originals):
    copy = copy_dataset(real_data / "ssnake_87Rb_satrec2D_varian/satrec2D.fid", tmp_path / "rb.fid")
    text = (copy / "procpar").read_text(encoding="latin-1")
    assert text.count('"Rb87"') == 1
    (copy / "procpar").write_text(text.replace('"Rb87"', '"Qq999"'), encoding="latin-1")
    with pytest.warns(io.QdkitWarning, match="Qq999"):
        ds = qdkit.read(copy)
    # sfrq 196.344 MHz at H1reffrq 599.988 MHz: 32.72 % = Ξ(87Rb)
    assert ds.meta.nucleus == "87Rb"


def test_missing_procno_lists_the_present_ones(real_data):
    with pytest.raises(ReadError, match=r"pdata/5 does not exist.*\(1, 10, 11, 12, 13\)"):
        qdkit.read(real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS/1", procno=5)
