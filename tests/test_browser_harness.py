"""A real Voila server and a real headless Chromium for the widget tests (no mocks).

``voila_app(notebook)`` starts Voila on 127.0.0.1 at a free port from the repository root
(so ``voila.json`` applies) and always stops it; ``chromium_page()`` drives Debian's
chromium through Playwright with a fresh profile and refuses every request that is not to
127.0.0.1, so a page that renders proves it needs no CDN.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# JavaScript run in the page: timestamps of key presses and of changes of the named bokeh
# data sources (found through Bokeh.documents, which holds every document in the page).
WATCH_JS = """
(names) => {
  const w = {keys: [], changes: {}};
  for (const n of names) w.changes[n] = [];
  document.addEventListener('keydown', () => w.keys.push(performance.now()), true);
  const seen = new Set();
  for (const doc of Bokeh.documents) {
    for (const n of names) {
      const src = doc.get_model_by_name(n);
      if (src == null || seen.has(src)) continue;
      seen.add(src);
      src.change.connect(() => w.changes[n].push(performance.now()));
    }
  }
  window.__qdkit = w;
  return seen.size;
}
"""

SOURCE_LENGTH_JS = """
(name) => {
  for (const doc of (window.Bokeh ? Bokeh.documents : [])) {
    const src = doc.get_model_by_name(name);
    if (src != null) {
      const d = src.data;
      const first = d instanceof Map ? d.values().next().value : Object.values(d)[0];
      return first == null ? 0 : first.length;
    }
  }
  return -1;
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(proc: subprocess.Popen, port: int, startup_s: float, what: str, log: Path) -> None:
    """Wait until the server ``proc`` accepts connections on 127.0.0.1:``port``; raise
    with the end of its log if it exits first or takes longer than ``startup_s``."""
    deadline = time.monotonic() + startup_s
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not open its port in time") from None
            time.sleep(0.3)


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it spawned."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@contextlib.contextmanager
def voila_app(notebook: str, startup_s: float = 120.0):
    """Run Voila on ``notebook`` (path relative to the repository); yield its URL."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".voila.log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_for_port(proc, port, startup_s, "Voila", Path(log.name))
        yield f"http://127.0.0.1:{port}/", Path(log.name)
    finally:
        stop_server(proc)
        log.close()


@contextlib.contextmanager
def chromium_page():
    """A Playwright page in a fresh headless chromium profile, offline except 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing; install Debian's chromium (bash run.sh test does it: apt-get install chromium)."
        )
    profile = tempfile.mkdtemp(prefix="qdkit-chromium-")
    blocked: list[str] = []
    try:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 900},
            )
            try:

                def route(r):
                    if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:")):
                        return r.continue_()
                    blocked.append(r.request.url)
                    return r.abort()

                ctx.route("**/*", route)
                page = ctx.new_page()
                page.blocked_urls = blocked
                yield page
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_voila_is_stopped_and_its_port_freed_when_the_context_ends():
    """The fixture never leaves a Voila server (or its kernels) behind, even on failure."""
    import pytest

    with pytest.raises(ZeroDivisionError):
        with voila_app("widgets/app/explorer.ipynb") as (url, _log):
            port = int(url.rsplit(":", 1)[1].strip("/"))
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            raise ZeroDivisionError("a failing test body")
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return
        time.sleep(0.2)
    raise AssertionError(f"port {port} still accepts connections after Voila was stopped")


def dismiss_dialogs(page) -> list[str]:
    """Close any JupyterLab dialog (kernel chooser, restart notice, ...); return their texts.

    A modal dialog swallows every click, so a test that types into a cell first records
    what JupyterLab wanted to say and answers it the way a user would (the default button).
    """
    texts = []
    for _ in range(5):
        dialog = page.locator(".jp-Dialog")
        if dialog.count() == 0:
            break
        texts.append(" ".join(dialog.first.inner_text().split()))
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count():
            accept.first.click()
        else:
            page.keyboard.press("Escape")
        page.wait_for_timeout(500)
    return texts


def run_first_cell(
    page, cell_selector: str, started_js: str = "", *, shows: str = "", attempts: int = 6, wait_ms: int = 15_000
) -> list[str]:
    """Run the notebook's first code cell until ``started_js`` holds (or the selector ``shows``
    is visible: Playwright selectors reach into Bokeh's shadow DOM); return dialog texts seen.

    An execute sent while the kernel still connects is dropped, so the cell is sent again,
    up to ``attempts`` times; a JupyterLab dialog in the way is recorded and answered.
    """
    seen: list[str] = []
    for attempt in range(attempts):
        seen += dismiss_dialogs(page)
        page.locator(cell_selector).first.click(timeout=30_000)
        page.keyboard.press("Shift+Enter")
        try:
            if shows:
                page.wait_for_selector(shows, timeout=wait_ms)
            else:
                page.wait_for_function(started_js, timeout=wait_ms, polling=200)
            return seen
        except Exception as exc:
            if attempt == attempts - 1:
                status = page.locator(".jp-StatusBar-Widget").all_inner_texts()
                prompts = page.locator(".jp-InputPrompt").all_inner_texts()
                raise AssertionError(
                    f"the cell never started; status bar: {status}; prompts: {prompts}; dialogs: {seen}"
                ) from exc
    return seen
