"""The README's launch command starts JupyterLab on 127.0.0.1 and serves the start notebook."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from conftest import REPO
from test_browser_harness import free_port, stop_server

TOKEN = "qdkit-launch-test"


def _get(url: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.read()


@pytest.mark.browser
def test_run_sh_lab_serves_the_start_notebook_on_localhost(tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        QDKIT_SKIP_SETUP="1",
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
    )
    cmd = [
        "bash",
        str(REPO / "run.sh"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={TOKEN}",
    ]
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                status, body = _get(f"{base}/api/contents/notebooks/00_start_here.ipynb")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.poll() is not None else ""
                    pytest.fail(f"JupyterLab did not come up on {base} (exit {proc.poll()}):\n{out[-3000:]}")
                time.sleep(1)
        assert status == 200
        notebook = json.loads(body)["content"]
        assert notebook["cells"][0]["cell_type"] == "markdown"
        status, page = _get(f"{base}/lab/tree/notebooks/00_start_here.ipynb")
        assert status == 200 and b"JupyterLab" in page
    finally:
        stop_server(proc)
