"""Export: a processed spectrum as a new TopSpin procno and as a JCAMP-DX 5.01 file.

The contract (issue 13, item 5): nmrglue reads the procno back to the same intensities
(correlation ≥ 1 − 1e-9) and qdkit to the same ppm axis (1e-6 ppm); only pdata/N is
written, atomically; the raw files stay byte-identical; an existing procno is refused
without overwrite. Real Bruker data are copied first (the originals are read-only).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import nmrglue as ng
import numpy as np
import pytest
from conftest import snapshot, writable_copy

import qdkit
from qdkit import io
from qdkit.dataset import Meta, Spectrum
from qdkit.errors import OutputError
from qdkit.io import export

CORRELATION_DEFICIT = 1e-9
PPM_TOLERANCE = 1e-6

# (dataset folder, expno): a liquid 1H with TopSpin's phased spectrum, and a 207Pb WURST-CPMG
# whose magnitude spectrum spans 2.5 MHz (large intensities, thousands of ppm)
DATASETS = [("brukerconverter_1H_zg30_liquid_with_pdata", "1"), ("cpmg_207Pb_PbZrO3_WCPMG_MAS", "1")]


def _read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return qdkit.read(path, **kw)


def _deficit(a, b) -> float:
    return 1.0 - float(np.corrcoef(np.asarray(a, float), np.asarray(b, float))[0, 1])


@pytest.fixture(params=DATASETS, ids=[d[0].split("_")[0] + "_" + d[0].split("_")[1] for d in DATASETS])
def expno(request, real_data, tmp_path) -> Path:
    folder, number = request.param
    return writable_copy(real_data / folder / number, tmp_path / folder / number)


def _without(snap: dict[str, str], procno: int) -> dict[str, str]:
    marker = os.sep + "pdata" + os.sep + str(procno) + os.sep
    return {k: v for k, v in snap.items() if marker not in k}


def test_topspin_procno_reads_back_in_nmrglue_and_qdkit(expno):
    spec = qdkit.process(_read(expno))
    before = snapshot(expno)
    written = export.write_topspin_procno(spec, expno, 77)
    assert written == expno / "pdata" / "77"
    assert {"1r", "procs", "proc", "title"} <= {p.name for p in written.iterdir()}

    dic, parts = ng.bruker.read_pdata(str(written), all_components=True)
    parts = parts if isinstance(parts, list) else [parts]
    assert _deficit(parts[0], spec.real) <= CORRELATION_DEFICIT
    if np.any(spec.imag != 0):
        assert _deficit(parts[1], spec.imag) <= CORRELATION_DEFICIT
    # int32 rounding: at most half a stored unit (2**NC_proc / 2) anywhere
    assert np.max(np.abs(parts[0] - spec.real)) <= 0.5 * 2.0 ** dic["procs"]["NC_proc"] * (1 + 1e-12)

    # nmrglue's own axis from the procs (and acqus) it read, and qdkit's reader
    udic = ng.bruker.guess_udic(dic, parts[0])
    nmrglue_ppm = ng.fileiobase.uc_from_udic(udic).ppm_scale()
    back = io.read_spectrum(written)
    assert np.max(np.abs(back.ppm - spec.ppm)) <= PPM_TOLERANCE
    assert np.max(np.abs(nmrglue_ppm - spec.ppm)) <= PPM_TOLERANCE
    assert _deficit(back.real, spec.real) <= CORRELATION_DEFICIT
    print(
        f"\n{expno.parent.name}/{expno.name} → pdata/77: 1 − corr {_deficit(parts[0], spec.real):.1e} (nmrglue), "
        f"ppm axis within {max(np.max(np.abs(back.ppm - spec.ppm)), np.max(np.abs(nmrglue_ppm - spec.ppm))):.1e} ppm"
    )

    # nothing but pdata/77 changed: raw data, acqus and the other procnos are byte-identical
    after = snapshot(expno)
    assert _without(after, 77) == before
    assert not [p for p in (expno / "pdata").iterdir() if p.name.startswith(".")]


def test_written_processing_parameters_reprocess_the_fid_to_the_same_spectrum(expno):
    """The procs carry TopSpin's equivalent of the recipe (WDW/LB, PH_mod, PHC0/PHC1 with the
    pivot moved to the first point, TDeff ...): processing the FID with them (qdkit's
    TopSpin-equivalent path, itself checked against TopSpin's 1r) gives the exported spectrum.
    A step TopSpin has no parameter for (a baseline fit) leaves the old values and says so."""
    ds = _read(expno)
    steps = [
        dict(s) for s in qdkit.process(ds).recipe if s["step"] not in ("apodize", "phase", "autophase", "magnitude")
    ]
    custom = qdkit.process(ds, [{"step": "apodize", "window": "em", "lb_hz": 7.0}, *steps])
    custom = qdkit.process(
        ds,
        [
            *custom.recipe,
            {"step": "phase", "p0_deg": 33.0, "p1_deg": -25.0, "pivot_ppm": float(custom.ppm[custom.ppm.size // 3])},
        ],
    )
    written = export.write_topspin_procno(custom, expno, 21)
    procs = ng.bruker.read_pdata(str(written))[0]["procs"]
    assert procs["WDW"] == 1 and procs["LB"] == 7.0 and procs["PH_mod"] == 1 and procs["PHC1"] == -25.0
    again = qdkit.process(_read(expno, procno=21))
    assert _deficit(again.real, custom.real) <= CORRELATION_DEFICIT
    assert np.max(np.abs(again.ppm - custom.ppm)) <= PPM_TOLERANCE

    flattened = qdkit.process(ds, [*custom.recipe, {"step": "baseline", "method": "poly", "order": 1}])
    written = export.write_topspin_procno(flattened, expno, 22)
    assert "'baseline' has no TopSpin processing parameter" in (written / "title").read_text()
    kept = ng.bruker.read_pdata(str(expno / "pdata" / "1"))[0]["procs"]
    assert ng.bruker.read_pdata(str(written))[0]["procs"]["LB"] == kept["LB"]


def test_existing_procno_is_refused_without_overwrite_and_replaced_with_it(real_data, tmp_path):
    expno = writable_copy(real_data / DATASETS[0][0] / "1", tmp_path / "1")
    spec = qdkit.process(_read(expno))
    before = snapshot(expno)
    with pytest.raises(OutputError, match="procno 1 .*overwrite"):
        export.write_topspin_procno(spec, expno, 1)
    assert snapshot(expno) == before  # refused before anything was written

    export.write_topspin_procno(spec, expno, 5)
    stale = expno / "pdata" / "5" / "stale-file"
    stale.write_text("from an earlier processing")
    halved = spec.replace(data=spec.data * 0.5)
    export.write_topspin_procno(halved, expno, 5, overwrite=True)
    assert not stale.exists()  # the old procno was replaced as a whole
    back = io.read_spectrum(expno / "pdata" / "5")
    assert np.allclose(back.real, halved.real, rtol=0, atol=np.max(np.abs(halved.real)) * 1e-8)
    assert _without(snapshot(expno), 5) == before


def test_a_failed_write_leaves_no_procno_and_keeps_the_old_one(real_data, tmp_path, monkeypatch):
    """The procno appears by one rename of a finished folder; when that rename fails the
    experiment is as before (no half-written pdata/N, no temporary folder, the old procno back)."""
    expno = writable_copy(real_data / DATASETS[0][0] / "1", tmp_path / "1")
    spec = qdkit.process(_read(expno))
    export.write_topspin_procno(spec, expno, 3)
    before = snapshot(expno)
    real_rename = os.rename

    def failing_rename(src, dst):
        if str(src).endswith(".part"):
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(export.os, "rename", failing_rename)
    with pytest.raises(OutputError, match="No space left"):
        export.write_topspin_procno(spec, expno, 4)
    with pytest.raises(OutputError, match="No space left"):
        export.write_topspin_procno(spec.replace(data=spec.data * 2), expno, 3, overwrite=True)
    assert snapshot(expno) == before
    assert not (expno / "pdata" / "4").exists()
    assert not [p for p in (expno / "pdata").iterdir() if p.name.startswith(".")]


def test_export_refuses_what_topspin_cannot_hold(real_data, tmp_path):
    expno = writable_copy(real_data / DATASETS[0][0] / "1", tmp_path / "1")
    spec = qdkit.process(_read(expno))
    with pytest.raises(OutputError, match="experiment folder"):
        export.write_topspin_procno(spec, expno / "pdata" / "1", 2)
    with pytest.raises(OutputError, match="not a Bruker experiment"):
        export.write_topspin_procno(spec, tmp_path, 2)
    for bad in (0, 100000, "2", 2.0):
        with pytest.raises(OutputError, match="procno"):
            export.write_topspin_procno(spec, expno, bad)
    uneven = spec.hz.copy()
    uneven[100] += 0.3 * (spec.hz[0] - spec.hz[1])  # one point moved by 30 % of a step
    cut = spec.replace(hz=uneven)
    with pytest.raises(OutputError, match="evenly spaced"):
        export.write_topspin_procno(cut, expno, 2)
    with pytest.raises(OutputError, match="NaN"):
        export.write_topspin_procno(spec.replace(data=np.full_like(spec.data, np.nan)), expno, 2)
    assert not (expno / "pdata" / "2").exists()


@pytest.mark.parametrize("peak", [1e-12, 3.0, 7e11])
def test_int32_scaling_keeps_full_precision_at_any_intensity(peak):
    """SYNTHETIC spectrum (a Lorentzian line over noise): NC_proc puts the tallest point in
    (2^28, 2^29], so the stored words keep 28–29 bits whatever the absolute scale."""
    rng = np.random.default_rng(0)
    hz = 5000.0 - np.arange(4096) * (10000.0 / 4096)
    line = 1.0 / (1.0 + ((hz - 300.0) / 40.0) ** 2) + 1j * ((hz - 300.0) / 40.0) / (1.0 + ((hz - 300.0) / 40.0) ** 2)
    data = peak * (line + 1e-3 * (rng.normal(size=hz.size) + 1j * rng.normal(size=hz.size)))
    nc_proc, real_words, imag_words = export.topspin_scaling(data)
    largest = max(np.max(np.abs(real_words)), np.max(np.abs(imag_words)))
    assert 2**28 < largest <= 2**29
    assert _deficit(real_words * 2.0**nc_proc, data.real) <= CORRELATION_DEFICIT
    assert _deficit(imag_words * 2.0**nc_proc, data.imag) <= CORRELATION_DEFICIT


def test_jcamp_reads_back_in_nmrglue_and_qdkit(expno, tmp_path):
    spec = qdkit.process(_read(expno))
    before = snapshot(expno)
    path = export.write_jcamp(spec, tmp_path / "out" / "spectrum.jdx", raw_folders=(expno,))
    dic, data = ng.jcampdx.read(str(path))
    assert _deficit(data[0], spec.real) <= CORRELATION_DEFICIT
    if np.any(spec.imag != 0):
        assert _deficit(data[1], spec.imag) <= CORRELATION_DEFICIT
    # the format's precision: integers up to 2**30 times a power-of-two factor
    assert np.max(np.abs(data[0] - spec.real)) <= np.max(np.abs(spec.data)) * 2.0**-30
    first, last = (float(dic[k][0].split(",")[0]) for k in ("FIRST", "LAST"))
    obs = float(dic[".OBSERVEFREQUENCY"][0])
    assert np.max(np.abs(np.linspace(first, last, spec.data.size) / obs - spec.ppm)) <= PPM_TOLERANCE
    assert dic[".OBSERVENUCLEUS"][0].strip() == "^" + spec.meta.nucleus

    back = io.read_spectrum(path)
    assert np.max(np.abs(back.ppm - spec.ppm)) <= PPM_TOLERANCE
    assert _deficit(back.real, spec.real) <= CORRELATION_DEFICIT
    assert back.meta.nucleus == spec.meta.nucleus
    assert snapshot(expno) == before
    print(f"\n{expno.parent.name}/{expno.name} → JCAMP-DX: 1 − corr {_deficit(data[0], spec.real):.1e} (nmrglue)")


def test_jcamp_is_not_written_over_a_file_or_into_the_raw_folder(real_data, tmp_path):
    expno = writable_copy(real_data / DATASETS[0][0] / "1", tmp_path / "1")
    spec = qdkit.process(_read(expno))
    target = tmp_path / "spectrum.jdx"
    target.write_text("keep me")
    with pytest.raises(OutputError, match="overwrite"):
        export.write_jcamp(spec, target)
    assert target.read_text() == "keep me"
    export.write_jcamp(spec, target, overwrite=True)
    assert target.read_text().startswith("##TITLE=")
    with pytest.raises(OutputError, match="raw data"):
        export.write_jcamp(spec, expno / "spectrum.jdx", raw_folders=(expno,))


def test_jcamp_lines_follow_the_standard_limits():
    """JCAMP-DX: data lines of at most 80 characters; labels from '##'; one ##END= closing."""
    hz = 1000.0 - np.arange(37) * 50.0
    meta = Meta(nucleus="113Cd", reference_mhz=88.7, larmor_mhz=88.71, title="SYNTHETIC test line")
    spec = Spectrum(data=np.exp(-(((hz - 100) / 200) ** 2)) * (1 + 0.5j) * -123.4, hz=hz, meta=meta)
    text = export.jcamp_text(spec)
    data_lines = [line for line in text.splitlines() if not line.startswith("##")]
    assert data_lines and max(len(line) for line in data_lines) <= 80
    assert text.rstrip().endswith("##END=") and text.count("##END=") == 1
    assert "##.OBSERVE NUCLEUS= ^113Cd" in text


# --- the command line -------------------------------------------------------------------


def test_cli_exports_a_procno_and_a_jcamp_file(real_data, tmp_path, capsys):
    from qdkit.cli import main

    expno = writable_copy(real_data / DATASETS[0][0] / "1", tmp_path / "1")
    spec = qdkit.process(_read(expno))
    before = snapshot(expno)
    jdx = tmp_path / "out" / "spectrum.jdx"
    assert main(["export", str(expno / "pdata" / "1"), "--topspin", "12", "--jcamp", str(jdx)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(expno / "pdata" / "12"), str(jdx.resolve())]
    assert _without(snapshot(expno), 12) == before
    assert _deficit(io.read_spectrum(expno / "pdata" / "12").real, spec.real) <= CORRELATION_DEFICIT
    assert _deficit(io.read_spectrum(jdx).real, spec.real) <= CORRELATION_DEFICIT

    # a second run is refused (exit status 2, the reason on stderr) unless --overwrite
    assert main(["export", str(expno), "--topspin", "12"]) == 2
    assert "overwrite" in capsys.readouterr().err
    assert main(["export", str(expno), "--topspin", "12", "--overwrite"]) == 0
    # the JCAMP-DX file converts further: exported again as JCAMP-DX, not as a procno
    assert main(["export", str(jdx), "--topspin", "2"]) == 2
    assert "not a Bruker experiment" in capsys.readouterr().err
    assert main(["export", str(jdx), "--jcamp", str(tmp_path / "again.jdx")]) == 0
    text = real_data / "spinach_79Br_KBr_MAS_spectra" / "KBr_400MHz_10kHz.txt"  # a processed text spectrum
    assert main(["export", str(text), "--jcamp", str(tmp_path / "kbr.jdx")]) == 0
    kbr, kbr_back = io.read_spectrum(text), io.read_spectrum(tmp_path / "kbr.jdx")
    assert kbr_back.meta.nucleus == "79Br" and np.max(np.abs(kbr_back.ppm - kbr.ppm)) <= PPM_TOLERANCE
    assert _deficit(kbr_back.real, kbr.real) <= CORRELATION_DEFICIT
    assert main(["export", str(expno)]) == 2  # nothing asked for
    assert main(["export", str(expno), "--jcamp", str(expno / "inside.jdx")]) == 2
    assert "raw data" in capsys.readouterr().err
