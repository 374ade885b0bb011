"""The notebooks run top to bottom under nbval, are committed clean, and find data/ anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")
EXPECTED = [
    "00_start_here",
    "01_dnp_concepts",
    "02_inp_31p",
    "03_cdse_113cd_77se_13c",
    "04_cdse_dhmqc_2d",
    "05_two_step_filling",
    "06_survey_pbse_cdte_pbte_cspbbr3",
    "07_process_your_own_data",
    "08_structure_and_planning",
    "09_real_mas_series",
]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_all_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs_or_absolute_paths(path):
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"cell {i} has outputs"
        text = "".join(cell["source"])
        for marker in ("/work/", "/home/", "/tmp/", "C:\\\\"):
            assert marker not in text, f"cell {i} uses an absolute path ({marker}); use qdkit.paths"


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.stem)
def test_notebook_shows_paper_and_qdkit_numbers_side_by_side(path):
    sources = ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code"]
    assert any("| paper | qdkit |" in s or "| reference | qdkit |" in s for s in sources)
    assert sum(s.count("assert ") for s in sources) >= 3


@pytest.mark.slow
def test_notebooks_run_under_nbval(tmp_path):
    """Every notebook under nbval, outputs exported to tmp_path.

    Two nbval runs side by side, each on every other notebook: a notebook mostly waits for
    its own kernel, so on a two-core machine two runs take little longer than one.
    """
    out = tmp_path / "output"
    env = dict(os.environ, QDKIT_OUTPUT=str(out), PYTHONWARNINGS="ignore::DeprecationWarning")
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        "-q",
        "--nbval-sanitize-with",
        str(SANITIZE),
        "--nbval-cell-timeout",
        "240",
        "--rootdir",
        str(REPO / "notebooks"),
    ]
    runs = [
        subprocess.Popen(
            [*cmd, *map(str, NOTEBOOKS[half::2])],
            cwd=REPO / "notebooks",
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in (0, 1)
    ]
    for proc in runs:
        try:
            stdout, stderr = proc.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            for p in runs:
                p.kill()
            raise
        assert proc.returncode == 0, stdout[-6000:] + stderr[-2000:]
    exported = sorted(p.name for p in out.glob("*.html"))
    assert len(exported) >= 12, exported  # every paper figure exported as standalone HTML
