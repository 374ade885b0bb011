"""The `qdkit` command line, atomic output writing and the standalone HTML report."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import qdkit
from qdkit import cli, io, output, report
from qdkit.dataset import Meta, Spectrum
from qdkit.errors import OutputError

LIQUID = "brukerconverter_1H_zg30_liquid_with_pdata/1"
PB_TRAIN = "cpmg_207Pb_PbZrO3_WCPMG_MAS/2"


def _hash_dir(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_info_text_names_the_facts(real_data, capsys):
    assert cli.main(["info", str(real_data / PB_TRAIN)]) == 0
    out = capsys.readouterr().out
    assert "207Pb" in out
    assert "12500 Hz" in out  # title's MAS rate, not the stale CNST31
    assert re.search(r"CPMG echoes\s+50\n", out)
    assert re.search(r"CPMG echo period\s+640 µs", out)
    assert "warning:" not in out  # title and MASR agree; CNST31 is not a MAS rate in this program
    assert cli.main(["info", str(real_data / "cpmg_119Sn_SnO2_double_echo_CPMG/1100")]) == 0
    assert re.search(r"warning: .*MASR = 5000 Hz but the title says 10000 Hz", capsys.readouterr().out)


def test_info_json_is_one_object_for_one_dataset(real_data, capsys):
    assert cli.main(["info", "--json", str(real_data / LIQUID)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["meta"]["nucleus"] == "1H"
    assert record["shape"] == [32768]
    assert record["vendor_spectrum"] is True


def test_installed_entry_point_reports_errors_without_traceback(tmp_path):
    missing = tmp_path / "no_such_expno"
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from qdkit.cli import main; sys.exit(main())", "info", str(missing)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    assert str(missing) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_usage_errors_exit_2_from_argparse():
    with pytest.raises(SystemExit) as exc:
        cli.main(["process", "somewhere"])  # --out missing
    assert exc.value.code == 2


def test_subcommands_come_from_the_core_list_and_installed_entry_points(monkeypatch):
    def add_hello(subparsers):
        p = subparsers.add_parser("hello")
        p.set_defaults(run=lambda args: 7)

    monkeypatch.setattr(cli, "SUBCOMMANDS", [*cli.SUBCOMMANDS, add_hello])
    assert cli.main(["hello"]) == 7


def test_demo_subcommand_is_an_installed_entry_point_of_the_widgets_layer():
    from importlib.metadata import entry_points

    eps = {ep.name: ep.value for ep in entry_points(group=cli.COMMANDS_GROUP)}
    assert eps.get("demo") == "qdkit_widgets.demo:add_demo"


# --- output ----------------------------------------------------------------------------------


def test_write_files_refuses_to_overwrite_and_writes_nothing_of_the_set(tmp_path):
    output.write_files(tmp_path, {"a.txt": "first", "b.txt": "first"})
    with pytest.raises(OutputError, match=r"Not overwriting existing output: .*a.txt"):
        output.write_files(tmp_path, {"c.txt": "new", "a.txt": "second"})
    assert not (tmp_path / "c.txt").exists()  # checked as a set before writing
    assert (tmp_path / "a.txt").read_text() == "first"
    output.write_files(tmp_path, {"a.txt": "second"}, overwrite=True)
    assert (tmp_path / "a.txt").read_text() == "second"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_write_files_refuses_raw_folders_and_paths_in_names(tmp_path):
    raw = tmp_path / "raw" / "1"
    raw.mkdir(parents=True)
    with pytest.raises(OutputError, match="inside the raw data folder"):
        output.write_files(raw / "results", {"x.csv": "1"}, raw_folders=(raw,))
    with pytest.raises(OutputError, match="plain file name"):
        output.write_files(tmp_path / "out", {"../escape.csv": "1"})
    assert not (raw / "results").exists()


def _synthetic_spectrum():
    hz = np.linspace(5000.0, -5000.0, 2001)
    y = 1.0 / (1.0 + ((hz - 1000.0) / 30.0) ** 2)
    meta = Meta(
        nucleus="31P",
        field_T=9.4,
        reference_mhz=161.9,
        title="<b>test & 'quote'</b>",
        vendor="synthetic",
        extra={"synthetic": True},
    )
    return Spectrum(data=y + 0.1j * y, hz=hz, meta=meta, recipe=({"step": "ft"},))


def test_spectrum_csv_round_trips_ppm_hz_real_imag(tmp_path):
    spec = _synthetic_spectrum()
    output.write_files(tmp_path, {"s.csv": output.spectrum_csv(spec)})
    table = output.read_spectrum_csv(tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_text().splitlines()[0] == "ppm,hz,real,imag"
    np.testing.assert_allclose(table[:, 0], spec.ppm, rtol=1e-9)
    np.testing.assert_allclose(table[:, 1], spec.hz, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(table[:, 2] + 1j * table[:, 3], spec.data, rtol=1e-9)


def test_report_is_standalone_svg_with_escaped_text_and_synthetic_label():
    page = report.spectrum_html(_synthetic_spectrum())
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "<polyline" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "&lt;b&gt;test &amp; &#x27;quote&#x27;&lt;/b&gt;" in page
    assert "Synthetic data" in page
    # high ppm on the left: the peak at +1000 Hz (6.18 ppm) sits left of the centre
    pts = page.split('points="')[1].split('"')[0].split()
    xy = np.array([[float(v) for v in p.split(",")] for p in pts])
    x_peak = xy[np.argmin(xy[:, 1]), 0]
    assert x_peak < (report.MARGIN_LEFT + report.WIDTH - report.MARGIN_RIGHT) / 2


def test_envelope_keeps_a_one_point_spike():
    x = np.arange(100_000.0)
    y = np.zeros_like(x)
    y[53_217] = 1.0
    xs, ys = report.envelope(x, y, 500)
    assert xs.size <= 1000
    assert ys.max() == 1.0


# --- process ------------------------------------------------------------------------------


def test_process_writes_csv_recipe_and_html_and_respects_existing_files(real_data, tmp_path, capsys):
    pytest.importorskip("qdkit.processing")
    out = tmp_path / "résultats"
    raw_before = _hash_dir(real_data / LIQUID)
    assert cli.main(["process", str(real_data / LIQUID), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    stem = "brukerconverter_1H_zg30_liquid_with_pdata_1"
    assert names == [f"{stem}.csv", f"{stem}.html", f"{stem}.recipe.json"]
    table = output.read_spectrum_csv(out / f"{stem}.csv")
    recipe = json.loads((out / f"{stem}.recipe.json").read_text())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = qdkit.read(real_data / LIQUID)
    again = qdkit.process(ds, recipe)  # the saved recipe replays to the saved spectrum
    np.testing.assert_allclose(table[:, 2], again.real, rtol=1e-8, atol=1e-6 * np.abs(again.real).max())
    np.testing.assert_allclose(table[:, 0], again.ppm, rtol=1e-9)

    written = _hash_dir(out)
    capsys.readouterr()
    assert cli.main(["process", str(real_data / LIQUID), "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert _hash_dir(out) == written
    assert cli.main(["process", str(real_data / LIQUID), "--out", str(out), "--overwrite"]) == 0
    assert _hash_dir(real_data / LIQUID) == raw_before


def test_process_refuses_to_write_into_the_raw_folder(real_data, tmp_path, capsys):
    pytest.importorskip("qdkit.processing")
    import shutil

    expno = tmp_path / "study" / "1"
    shutil.copytree(real_data / LIQUID, expno, copy_function=shutil.copyfile)
    for p in [expno, *expno.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    before = sorted(str(p) for p in expno.rglob("*"))
    status = cli.main(["process", str(expno / "pdata" / "1"), "--out", str(expno / "results")])
    assert status == 2
    assert "inside the raw data folder" in capsys.readouterr().err
    assert sorted(str(p) for p in expno.rglob("*")) == before


def test_process_on_an_already_processed_spectrum_explains_itself(real_data, tmp_path, capsys):
    spectrum = real_data / "jcamp_dx_bruker_fid_and_spectrum_liquid/aspirin/1h.dx"
    assert cli.main(["process", str(spectrum), "--out", str(tmp_path / "out")]) == 2
    assert "already a processed spectrum" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_synthetic_data_is_labelled_in_info_and_report(real_data, tmp_path, capsys):
    import shutil

    expno = tmp_path / "sim" / "1"
    shutil.copytree(real_data / LIQUID, expno, copy_function=shutil.copyfile)
    for p in [expno, *expno.rglob("*")]:
        p.chmod(p.stat().st_mode | 0o200)
    (expno / "pdata/1/title").write_text("SYNTHETIC reference data - not measured\n31P CP")
    assert cli.main(["info", str(expno)]) == 0
    assert "synthetic data         yes" in capsys.readouterr().out
    spec = io.read_spectrum(expno)
    assert spec.meta.extra["synthetic"] is True
    assert "Synthetic data" in report.spectrum_html(spec)
    # the measured original is not labelled
    assert "Synthetic data" not in report.spectrum_html(io.read_spectrum(real_data / LIQUID))


def test_info_json_shows_topspin_processing_parameters(real_data, capsys):
    assert cli.main(["info", "--json", str(real_data / "cpmg_207Pb_PbZrO3_WCPMG_MAS/1/pdata/12")]) == 0
    procs = json.loads(capsys.readouterr().out)["vendor_processing"]
    # pdata/12 is a phased spectrum with a huge first-order phase (the TopSpin trap)
    assert abs(procs["PHC1"]) > 1e5
    assert procs["SI"] > 0
