"""The synthetic reference datasets in data/reference: reproducible, readable, physically scaled."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import qdkit
from qdkit import paths
from qdkit.errors import ReadError

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "data" / "reference"


def _generator():
    spec = importlib.util.spec_from_file_location("make_reference_data", REPO / "data" / "make_reference_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _index() -> list[dict]:
    return json.loads((REFERENCE / "index.json").read_text(encoding="utf-8"))


def _read(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qdkit.read(path)


def test_reference_data_regenerate_byte_for_byte(tmp_path):
    _generator().generate(tmp_path)
    committed, fresh = _hashes(REFERENCE), _hashes(tmp_path)
    assert sorted(fresh) == sorted(committed), "file lists differ: rerun python data/make_reference_data.py"
    changed = [name for name in committed if committed[name] != fresh[name]]
    assert not changed, (
        f"{len(changed)} files differ from a fresh run (e.g. {changed[:3]}); a model they depend on "
        "changed - rerun `python data/make_reference_data.py` and commit data/reference."
    )


def _megabytes(folder):
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def test_reference_data_stay_small():
    reference = _megabytes(REPO / "data" / "reference")
    assert reference < 6, f"data/reference holds {reference:.1f} MB; keep it to a few MB (small TD)"
    # the bundled real (MIT) datasets add the KBr 79Br series (3.5 MB of text spectra)
    total = _megabytes(REPO / "data")
    assert total < 10, f"data/ holds {total:.1f} MB; a clone (and Binder) should stay light"


@pytest.mark.parametrize("record", _index(), ids=lambda r: r["path"])
def test_reference_dataset_reads_back_its_acquisition_parameters(record):
    ds = _read(REFERENCE / record["path"])
    meta = ds.meta
    assert meta.nucleus == record["nucleus"]
    # BF1 is the nominal magnet's frequency (e.g. 400.13 MHz 1H for "9.4 T"): within 0.5 %
    assert meta.field_T == pytest.approx(record["field_T"], rel=5e-3)
    assert meta.mas_hz == pytest.approx(record["mas_hz"])
    assert meta.ns == record["ns"]
    assert meta.microwave is record["microwave"]
    assert meta.temperature_K == pytest.approx(record["temperature_K"])
    if record["contact_ms"]:
        assert meta.contact_ms == pytest.approx(record["contact_ms"])
    assert "SYNTHETIC" in meta.title
    assert not meta.warnings, meta.warnings


def test_cpmg_reference_declares_its_echo_train():
    ds = _read(paths.reference_dataset("3b"))
    assert ds.meta.cpmg_echoes == 31
    assert ds.meta.cpmg_period_us == pytest.approx(1000.0)


def test_dhmqc_reference_is_a_states_2d_with_48_fids_of_4_us():
    ds = _read(paths.reference_dataset("4"))
    assert ds.data.shape == (48, 200)
    assert ds.meta.fnmode == "States"
    assert ds.meta.nuclei_indirect == ("111Cd",)
    assert 1e6 / ds.meta.sw_indirect_hz[0] == pytest.approx(4.0)


def _noise_rms(ds) -> float:
    """RMS (per real/imaginary part) of the signal-free last quarter of the FID."""
    tail = ds.data[-ds.data.size // 4 :]
    return float(np.sqrt(np.mean(np.abs(tail) ** 2) / 2))


def test_microwave_off_13c_is_weaker_by_epsilon_and_noisier_by_root_scans():
    """Fig. 3c: on = 32 scans, off = 512 scans, same sample. Signal adds coherently (∝ NS ε),
    noise in quadrature (∝ √NS): off/on noise = √16 = 4; on/off signal = ε · 32/512.
    The off signal is measured by projecting its FID on the (nearly noise-free) on FID."""
    on = _read(paths.reference_dataset("3c", microwave=True))
    off = _read(paths.reference_dataset("3c", microwave=False))
    record = next(r for r in _index() if r["figure"] == "3c" and r["microwave"])
    assert _noise_rms(off) / _noise_rms(on) == pytest.approx(np.sqrt(512 / 32), rel=0.1)
    head = slice(0, on.data.size // 2)
    ratio = np.vdot(on.data[head], on.data[head]).real / abs(np.vdot(on.data[head], off.data[head]))
    assert ratio == pytest.approx(record["enhancement_model"] * 32 / 512, rel=0.15)


def test_fid_rises_at_the_digital_filter_group_delay():
    """The raw FID rises at the group delay qdkit reads from acqus (GRPDLY on Avance III,
    the DSPFVS/DECIM table on Avance I), as on a real Bruker console."""
    for figure, kw in (("S4", {}), ("3c", {"microwave": True}), ("S7", {"mas_hz": 10000.0})):
        ds = _read(paths.reference_dataset(figure, **kw))
        magnitude = np.abs(ds.data[:300])
        first = int(np.argmax(magnitude > 0.5 * magnitude.max()))
        assert -1 <= first - ds.meta.group_delay_pts <= 2, (figure, first, ds.meta.group_delay_pts)


def test_reference_dataset_lookup_names_the_candidates():
    assert paths.reference_dataset("S7", mas_hz=12500.0).is_dir()
    with pytest.raises(ReadError, match="mas_hz=10000"):
        paths.reference_dataset("S7")


def test_data_dir_is_found_from_the_notebooks_folder(monkeypatch):
    monkeypatch.delenv(paths.DATA_ENV, raising=False)
    monkeypatch.chdir(REPO / "notebooks")
    assert paths.data_dir() == REPO / "data"


def test_data_dir_follows_the_environment_variable_and_says_when_it_is_wrong(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.DATA_ENV, str(tmp_path))
    assert paths.data_dir() == tmp_path.resolve()
    with pytest.raises(ReadError, match="make_reference_data"):
        paths.reference_index()  # an empty folder has no index.json
    monkeypatch.setenv(paths.DATA_ENV, str(tmp_path / "missing"))
    with pytest.raises(ReadError, match="QDKIT_DATA"):
        paths.data_dir()
