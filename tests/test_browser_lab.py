"""The same explorer in JupyterLab: a real JupyterLab server on 127.0.0.1 and headless Chromium.

Voila is the app; JupyterLab is where people explore their own data, so the explorer must
draw and update there too (jupyter_bokeh.BokehModel, inline BokehJS). Prints the slider →
predicted data-source latency in JupyterLab.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from test_browser_explorer import move
from test_browser_harness import (
    SOURCE_LENGTH_JS,
    WATCH_JS,
    chromium_page,
    free_port,
    run_first_cell,
    stop_server,
    wait_for_port,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@contextlib.contextmanager
def jupyterlab_with(notebook: nbformat.NotebookNode, startup_s: float = 120.0):
    """JupyterLab on a fresh folder holding ``explore.ipynb``; yields the notebook's URL."""
    root = Path(tempfile.mkdtemp(prefix="qdkit-lab-"))
    nbformat.write(notebook, root / "explore.ipynb")
    port = free_port()
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
        ],
        cwd=root,
        env={
            **os.environ,  # a lab of its own: no workspace or settings left by another run
            "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
            "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
            "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(proc, port, startup_s, "JupyterLab", root / "lab.log")
        yield f"http://127.0.0.1:{port}/lab/tree/explore.ipynb"
    finally:
        stop_server(proc)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def test_explorer_draws_and_updates_in_jupyterlab():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from qdkit_widgets import SpectrumExplorer\nSpectrumExplorer(material='InP', nucleus='31P')"
        )
    ]
    with jupyterlab_with(nb) as url, chromium_page() as page:
        page.goto(url, timeout=180_000)
        page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content", timeout=180_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000)
        started = "() => !document.querySelector('.jp-Notebook .jp-Cell .jp-InputPrompt').innerText.includes('[ ]')"
        dialogs = run_first_cell(page, ".jp-Notebook .jp-Cell .cm-content", started)
        if dialogs:
            print(f"\nJupyterLab dialogs answered on the way: {dialogs}")
        page.wait_for_function(
            f"() => window.Bokeh !== undefined && ({SOURCE_LENGTH_JS})('predicted') > 0", timeout=180_000, polling=250
        )
        assert page.evaluate(WATCH_JS, ["predicted", "measured"]) >= 1
        latencies = move(page, "contact_ms", 20)
        print(
            f"\nJupyterLab: slider key → predicted data source changed, median "
            f"{statistics.median(latencies):.1f} ms over {len(latencies)} moves"
        )
        assert len(latencies) == 20
        assert page.locator(".qdkit-message").inner_text().strip() == ""
