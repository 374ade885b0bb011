"""Shared fixtures: where the real datasets live."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest

from qdkit.paths import shared_real_dir

REPO = Path(__file__).resolve().parents[1]


def _find_shared(*parts: str) -> Path | None:
    """``shared/<parts>`` beside the checkout, if it is there."""
    for parent in [REPO, *REPO.parents]:
        cand = parent.joinpath("shared", *parts)
        if cand.exists():
            return cand
    return None


# the same search the notebooks use (QDKIT_REAL_DATA, then shared/data/real beside the checkout)
REAL_DATA = shared_real_dir()
PAPER_DIR = _find_shared("paper")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_shared(path: Path | None, what: str) -> Path:
    """``path`` if present; otherwise skip (a plain clone has no ``shared/``), but fail in CI,
    where ``shared/`` is laid beside the checkout and its absence is a broken set-up."""
    if path is not None:
        return path
    message = (
        f"{what} not found: it lives in shared/ beside the checkout, which a plain clone "
        "does not have (set QDKIT_REAL_DATA to point at the real datasets)"
    )
    if IN_CI:
        pytest.fail(f"{message}; under CI=true it must be present")
    pytest.skip(message)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real public datasets (``shared/data/real`` beside the checkout)."""
    return require_shared(REAL_DATA, "shared/data/real (real Bruker/Varian/JCAMP datasets)")


def writable_copy(src: Path, dst: Path) -> Path:
    """Copy a real dataset (file or folder; the originals are read-only) so a test may change it."""
    if src.is_file():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    else:
        shutil.copytree(src, dst)
    for p in [dst, *dst.rglob("*")] if dst.is_dir() else [dst]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)
    return dst


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file (and symlink) under ``root``, by path: proof nothing was written."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
    return {
        str(p.relative_to(root.parent)): hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "dangling"
        for p in files
    }


def odnp_inversion_recovery(real_data: Path, expno: int):
    """DNPLab's 1H ODNP inversion recovery (expno 28: microwaves on at 0.6 mW, 304: off) as
    DNPLab's example processes it: 10 Hz exponential, integral over 100 Hz around the line,
    one phase for all delays. Returns (delays_s, integrals, DNPLab's T1 and its error from
    Workup/t1Powers.csv)."""
    import csv
    import warnings

    import numpy as np

    import qdkit
    from qdkit import twod

    folder = real_data / "dnplab_odnp_topspin_1H_0.35T"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = qdkit.read(folder / str(expno))
    last = qdkit.process(
        twod.split_series(ds)[-1].replace(procs={}),
        [
            {"step": "apodize", "window": "em", "lb_hz": 10.0},
            {"step": "zero_fill", "size": 16384},
            {"step": "remove_group_delay", "points": ds.meta.group_delay_pts},
            {"step": "ft"},
            {"step": "autophase", "p1_deg": 0.0},
        ],
    )
    centre = last.ppm[np.argmax(last.real)]
    half_ppm = 50.0 / last.meta.reference_mhz
    delays, integrals, _ = twod.series_integrals(
        ds, region_ppm=(centre - half_ppm, centre + half_ppm), recipe=list(last.recipe)
    )
    with open(folder / "Workup" / "t1Powers.csv") as fh:
        row = next(r for r in csv.DictReader(fh) if int(float(r["Exp Num"])) == expno)
    return np.asarray(delays), np.asarray(integrals), (float(row["T_1 (s)"]), float(row["T_1 error (s)"]))


@pytest.fixture(scope="session")
def kbr_fit():
    """The bundled real ⁷⁹Br KBr series, its Czjzek fit at 2 kHz and the predicted series.

    Fitted once per test session (~20 s): several test files share it.
    """
    from qdkit.analysis.mas_series import fit_czjzek, kbr_series, predict_series

    series = kbr_series()
    result, model = fit_czjzek(series.spectra[0], series.nucleus, iso_ppm=60.3)
    return series, result, model, predict_series(series, 0, result, model)


def pytest_terminal_summary(terminalreporter):
    """One line per skip reason with its count (a plain clone skips the real-data tests)."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons: dict[str, int] = {}
    for rep in skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        reasons[reason.removeprefix("Skipped: ")] = reasons.get(reason.removeprefix("Skipped: "), 0) + 1
    if reasons:
        terminalreporter.section("skipped, by reason")
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"{count:4d}  {reason}")
