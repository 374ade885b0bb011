"""`qdkit batch`: a lab archive with corrupt members, processed on a real Dask cluster."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from conftest import snapshot, writable_copy

from qdkit import batch
from qdkit.cli import main
from qdkit.errors import OutputError

GOOD = [
    "dnplab_odnp_topspin_1H_0.35T/1",
    "cpmg_195Pt_Reiset_WCPMG_static_AV300/7",
    "dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_off.fid",
    "dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_40dBm.fid",
]


@pytest.fixture
def archive(real_data, tmp_path) -> Path:
    """Good datasets from three spectrometers plus the usual casualties of an archive."""
    root = tmp_path / "archive"
    for rel in GOOD:
        writable_copy(real_data / rel, root / "good" / rel.replace("/", "__"))
    bad = root / "bad"
    writable_copy(real_data / GOOD[0], bad / "truncated")
    fid = bad / "truncated" / "fid"
    fid.write_bytes(fid.read_bytes()[:1001])
    writable_copy(real_data / GOOD[0], bad / "no_acqus")
    (bad / "no_acqus" / "acqus").unlink()
    (bad / "no_acqus" / "acqu").unlink()
    writable_copy(real_data / GOOD[0], bad / "zero_fid")
    (bad / "zero_fid" / "fid").write_bytes(b"")
    (bad / "notes.jdx").write_text("##TITLE= not really a JCAMP file\n garbage\n")
    return root


def _rows(result):
    return {Path(r["path"]).name: r for r in result.rows}


def test_batch_completes_every_good_dataset_and_reports_each_bad_one(archive, tmp_path):
    before = snapshot(archive)
    out = tmp_path / "results"
    result = batch.run_batch(archive, out, workers=2, progress=False)
    rows = _rows(result)
    good = [n.replace("/", "__") for n in GOOD]
    assert all(rows[name]["status"] == "ok" for name in good), {n: rows[n].get("error") for n in good}
    for name in ("truncated", "no_acqus", "zero_fid", "notes.jdx"):
        assert rows[name]["status"] == "error"
        assert rows[name]["error"] and "unexpected" not in rows[name]["error"], rows[name]["error"]
    # the raw archive is byte-for-byte unchanged, and nothing was added to it
    assert snapshot(archive) == before
    # the summary table has one row per dataset and the page shows thumbnails
    with open(result.summary_csv, newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(rows) == 8
    page = result.summary_html.read_text()
    assert page.count("thumb.svg") == sum(r["status"] == "ok" for r in rows.values())
    # the microwave on/off pair (same folder in the original, here siblings) gets an enhancement
    for r in rows.values():
        assert (r.get("enhancement") is None) == (r.get("enhancement_vs") is None)
    # every good dataset has its spectrum and the recipe that made it
    for name in good:
        folder = out / rows[name]["outputs"]
        assert (folder / "recipe.json").is_file() and (folder / "spectrum.csv").is_file()


def test_rerunning_skips_datasets_whose_outputs_are_up_to_date(archive, tmp_path):
    out = tmp_path / "results"
    batch.run_batch(archive, out, workers=1, progress=False)
    changed = archive / "good" / GOOD[1].replace("/", "__") / "acqus"
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))
    again = _rows(batch.run_batch(archive, out, workers=1, progress=False))
    statuses = {name: r["status"] for name, r in again.items()}
    assert statuses.pop(GOOD[1].replace("/", "__")) == "ok"  # its acqus changed: processed again
    assert all(s in ("up to date", "error") for s in statuses.values()), statuses
    assert sum(s == "up to date" for s in statuses.values()) == len(GOOD) - 1


def test_batch_runs_on_an_existing_dask_scheduler_given_by_address(real_data, tmp_path):
    from dask.distributed import LocalCluster

    root = tmp_path / "archive"
    writable_copy(real_data / GOOD[0], root / "one")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        code = main(
            ["batch", str(root), "--out", str(tmp_path / "out"), "--scheduler", cluster.scheduler_address, "--quiet"]
        )
    assert code == 0
    assert (tmp_path / "out" / "summary.csv").read_text().count("\n") == 2


def test_batch_refuses_to_write_into_the_archive_or_over_foreign_files(archive, tmp_path):
    with pytest.raises(OutputError, match="raw data"):
        batch.run_batch(archive, archive / "results", workers=1, progress=False)
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.docx").write_bytes(b"precious")
    with pytest.raises(OutputError, match="did not write"):
        batch.run_batch(archive, foreign, workers=1, progress=False)
    assert (foreign / "chapter1.docx").read_bytes() == b"precious"


def test_unreachable_scheduler_is_a_clear_error(tmp_path, real_data):
    root = tmp_path / "archive"
    writable_copy(real_data / GOOD[0], root / "one")
    with pytest.raises(batch.QdkitError, match="scheduler"):
        batch.run_batch(root, tmp_path / "out", scheduler="tcp://127.0.0.1:9", progress=False, scheduler_timeout_s=1.0)


def test_automatic_noise_estimate_finds_the_quiet_stretch():
    import numpy as np

    rng = np.random.default_rng(1)
    y = rng.normal(0, 2.0, 4096)
    y[1000:1400] += 500 * np.exp(-0.5 * ((np.arange(400) - 200) / 30) ** 2)
    y += np.linspace(0, 50, y.size)  # sloping baseline is not noise
    assert batch.auto_noise_rms(y) == pytest.approx(2.0, rel=0.25)
