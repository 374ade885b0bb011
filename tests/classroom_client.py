"""Many students on one Voila server: a kernel-protocol client and the server's processes.

``voila_server`` runs the explorer app on 127.0.0.1 with extra options (a kernel pool, a
short cull time) and exposes the server process, so its kernels can be measured with
psutil. ``StudentSession`` opens the app the way a browser does (GET the page, then the
kernel's websocket on 127.0.0.1) and speaks the Jupyter widget protocol: it asks for the
widget states, moves a slider by sending the same ``update`` message the page sends, and
times the moment the predicted spectrum's bokeh data source patch has fully arrived.
Used by ``benchmarks/classroom.py`` (many sessions) and ``tests/test_classroom.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from test_browser_harness import REPO, free_port, stop_server, wait_for_port

APP = "widgets/app/explorer.ipynb"
#: The sliders a student moves, with how often (relative weights).
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"
STUDENT_SLIDERS = {"contact_ms": 4, "pore_nm": 3, "silica_per_qd": 2, "mas_hz": 1}


def _alive(proc: psutil.Process) -> bool:
    """A kernel that has exited but is not yet reaped by the server (a zombie) is gone: it
    holds no memory and runs nothing."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@dataclass
class VoilaServer:
    url: str
    log: Path
    proc: subprocess.Popen

    _known: dict = field(default_factory=dict)  # pid → (kernel id, psutil.Process)

    def _child_pids(self) -> list[int]:
        """The server's direct children, read from /proc without scanning every process of
        the machine (psutil's children() does; on a busy machine that stalls the caller)."""
        pids = []
        try:
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                pids += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            with contextlib.suppress(psutil.Error):
                pids = [c.pid for c in psutil.Process(self.proc.pid).children()]
        return pids

    def kernels(self) -> dict[str, psutil.Process]:
        """Kernel id → kernel process, for every kernel this server runs now."""
        out = {}
        for pid in self._child_pids():
            if pid not in self._known:
                with contextlib.suppress(psutil.Error):
                    proc = psutil.Process(pid)
                    m = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(proc.cmdline()))
                    if m:  # a child not yet exec'd still shows Voila's command line
                        self._known[pid] = (m.group(1), proc)
            kid, proc = self._known.get(pid, (None, None))
            if kid and proc.is_running() and _alive(proc):
                out[kid] = proc
        return out

    def processes(self) -> list[psutil.Process]:
        """The server and all its kernels."""
        return [psutil.Process(self.proc.pid), *self.kernels().values()]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def voila_server(*options: str, notebook: str = APP, startup_s: float = 120.0, env=None):
    """Voila on ``notebook`` at a free 127.0.0.1 port with extra command-line ``options``
    (run from the repository, so ``voila.json`` applies; options given here win)."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".voila.log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", *options],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    try:
        wait_for_port(proc, port, startup_s, "Voila", Path(log.name))
        yield VoilaServer(f"http://127.0.0.1:{port}/", Path(log.name), proc)
    finally:
        stop_server(proc)
        log.close()


def wait_for_pool(server: VoilaServer, size: int, timeout_s: float = 600.0) -> tuple[float, dict[str, float]]:
    """Wait until ``size`` pre-heated kernels have run the notebook (Voila's own "pool is
    filled" only means started): each exists and has used no CPU for a second. Returns the
    seconds waited and kernel id → the CPU-seconds it took to get there."""
    t0 = time.monotonic()
    quiet_since: dict[str, float] = {}
    cpu: dict[str, float] = {}
    while True:
        if time.monotonic() - t0 > timeout_s or server.proc.poll() is not None:
            raise RuntimeError(f"the kernel pool did not fill:\n{server.log_text()[-3000:]}")
        now = time.monotonic()
        for kid, proc in server.kernels().items():
            with contextlib.suppress(psutil.Error):
                t = proc.cpu_times()
                used = t.user + t.system
                if used > cpu.get(kid, -1.0) + 0.02:
                    quiet_since[kid] = now
                cpu[kid] = used
        ready = [k for k, since in quiet_since.items() if now - since >= 1.0 and cpu[k] > 1.0]
        if len(ready) >= size:
            return now - t0 - 1.0, {k: cpu[k] for k in ready}
        time.sleep(0.25)


def _header(msg_type: str, session: str) -> dict:
    return {
        "msg_id": uuid.uuid4().hex,
        "username": "student",
        "session": session,
        "msg_type": msg_type,
        "version": "5.3",
        "date": datetime.datetime.now(datetime.UTC).isoformat(),
    }


def _encode(msg: dict, channel: str) -> bytes:
    """A message in the v1 kernel websocket protocol (the one JupyterLab's pages speak)."""
    parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")]
    chan = channel.encode()
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(chan))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets), chan, *parts])


def _decode(frame: bytes) -> tuple[dict, int]:
    """A v1-protocol websocket frame → (message without buffers, bytes on the wire)."""
    n = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(n)]
    offsets.append(len(frame))
    parts = [frame[offsets[i] : offsets[i + 1]] for i in range(n)]
    msg = {"channel": parts[0].decode()}
    for key, part in zip(("header", "parent_header", "metadata", "content"), parts[1:5]):
        msg[key] = json.loads(part)
    msg["msg_type"] = msg["header"].get("msg_type")
    return msg, len(frame)


class SessionError(RuntimeError):
    """A session that could not open, or a move that was never answered."""


@dataclass
class Move:
    control: str
    value: float
    latency_ms: float  # update sent → predicted data-source patch complete
    bytes_in: int  # everything the kernel sent for this move (all widgets, all channels)
    at: float = 0.0  # time.monotonic() when the update was sent
    busy_ms: float = float("nan")  # update sent → the kernel says it started on it (status busy)


@dataclass
class StudentSession:
    """One student: the app's page, its kernel and the widget models it shows."""

    url: str
    first_plot_s: float = float("nan")
    kernel_id: str = ""
    models: dict = field(default_factory=dict)  # model id → {"model_name", "state"}
    moves: list[Move] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status: str = "new"

    async def open(self, timeout_s: float = 300.0) -> None:
        """GET the page, connect to its kernel, receive every widget's state."""
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect

        t0 = time.perf_counter()
        client = AsyncHTTPClient()
        page = await client.fetch(HTTPRequest(self.url, request_timeout=timeout_s, connect_timeout=timeout_s))
        html = page.body.decode(errors="replace")
        m = re.search(r'"kernelId": "([0-9a-f-]{36})"', html)
        if not m:
            raise SessionError("the page names no kernel (did the notebook fail?)")
        self.kernel_id = m.group(1)
        self.session = uuid.uuid4().hex
        ws_url = (
            self.url.replace("http://", "ws://").rstrip("/")
            + f"/api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        )
        self.ws = await websocket_connect(ws_url, max_message_size=64 * 2**20, subprotocols=[WS_PROTOCOL])
        self._inbox: asyncio.Queue = asyncio.Queue()
        self._reader = asyncio.ensure_future(self._read())
        control = uuid.uuid4().hex
        self._send(
            "comm_open",
            {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
            metadata={"version": "1.0.0"},
        )
        self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        deadline = time.monotonic() + timeout_s
        while True:
            msg, _, _ = await self._next(deadline)
            data = msg.get("content", {}).get("data", {})
            if msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                self.models = data["states"]
                break
        self._send("comm_close", {"comm_id": control, "data": {}})
        self.first_plot_s = time.perf_counter() - t0
        self._find_models()
        self.status = "open"

    def _find_models(self) -> None:
        self.widget_ids, self.bokeh_id, self.message_id = {}, None, None
        for mid, m in self.models.items():
            classes = m["state"].get("_dom_classes", [])
            names = [c[len("qdkit-") :] for c in classes if c.startswith("qdkit-")]
            for name in names:
                self.widget_ids[name] = mid
            if "message" in names:
                self.message_id = mid
            if m["model_name"] == "BokehModel":
                self.bokeh_id = mid
                bundle = m["state"]["render_bundle"]
                if isinstance(bundle, str):
                    bundle = json.loads(bundle)
                docs = bundle["docs_json"]
                source = _find_named(json.loads(docs) if isinstance(docs, str) else docs, "predicted")
                self.predicted_id = source["id"] if source else None
                self.points = _column_length(source, "total") if source else 0
        if not self.bokeh_id or not self.predicted_id or not self.points:
            raise SessionError("the page's widgets hold no predicted spectrum")

    def message(self) -> str:
        """The panel's message line as the page shows it (HTML), or ''."""
        if self.message_id is None:
            return ""
        return self.models[self.message_id]["state"].get("value", "")

    def value(self, control: str):
        return self.models[self.widget_ids[control]]["state"]["value"]

    def state(self, control: str) -> dict:
        return self.models[self.widget_ids[control]]["state"]

    def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        header = _header(msg_type, self.session)
        self.ws.write_message(
            _encode({"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content}, "shell"),
            binary=True,
        )
        return header["msg_id"]

    async def _read(self) -> None:
        while True:
            frame = await self.ws.read_message()
            arrived = time.perf_counter()  # before any decoding: the moment it came
            if frame is None:
                await self._inbox.put((None, 0, time.perf_counter()))
                return
            msg, size = _decode(frame)
            self._apply(msg)
            await self._inbox.put((msg, size, arrived))

    def _apply(self, msg: dict) -> None:
        """Keep the widget states current, as the page does; note the kernel's death."""
        if msg.get("msg_type") == "status":
            state = msg["content"].get("execution_state")
            if state in ("dead", "restarting"):
                self.status = state
        if msg.get("msg_type") != "comm_msg":
            return
        content = msg["content"]
        data = content.get("data", {})
        model = self.models.get(content.get("comm_id"))
        if model is not None and data.get("method") in ("update", "echo_update"):
            model["state"].update(data.get("state", {}))

    async def _next(self, deadline: float):
        left = deadline - time.monotonic()
        if left <= 0:
            raise SessionError("no answer from the kernel in time")
        try:
            msg, size, arrived = await asyncio.wait_for(self._inbox.get(), left)
        except TimeoutError:
            raise SessionError("no answer from the kernel in time") from None
        if msg is None:
            raise SessionError("the kernel's websocket closed")
        return msg, size, arrived

    async def move(self, control: str, value: float, timeout_s: float = 30.0) -> Move:
        """Set a slider as the page does; wait for the predicted patch and the kernel idle."""
        while not self._inbox.empty():  # leftovers of the previous move
            self._inbox.get_nowait()
        t0 = time.perf_counter()
        msg_id = self._send(
            "comm_msg",
            {
                "comm_id": self.widget_ids[control],
                "data": {"method": "update", "state": {"value": value}, "buffer_paths": []},
            },
        )
        deadline = time.monotonic() + timeout_s
        patch_left, changed_at, idle, size, busy_at = None, None, False, 0, None
        while changed_at is None or not idle:
            msg, n, arrived = await self._next(deadline)
            size += n
            parent = msg.get("parent_header", {}).get("msg_id")
            if msg.get("msg_type") == "status" and parent == msg_id:
                idle = msg["content"]["execution_state"] == "idle"
                if msg["content"]["execution_state"] == "busy" and busy_at is None:
                    busy_at = arrived
                if idle and changed_at is None:
                    raise SessionError(
                        f"{control} = {value}: the predicted spectrum did not "
                        f"change (panel says: {strip_tags(self.message())!r})"
                    )
            if msg.get("msg_type") != "comm_msg" or msg["content"].get("comm_id") != self.bokeh_id:
                continue
            payload = msg["content"]["data"].get("content", {}).get("payload")
            if patch_left is None and isinstance(payload, str) and '"PATCH-DOC"' in payload:
                patch_left = ("header", json.loads(payload).get("num_buffers", 0))
            elif patch_left and patch_left[0] == "header":
                patch_left = ("meta", patch_left[1])
            elif patch_left and patch_left[0] == "meta":
                mine = self.predicted_id in (payload or "")
                patch_left = ("buffers", 2 * patch_left[1], mine)
                if patch_left[1] == 0:
                    changed_at = changed_at or (arrived if mine else None)
                    patch_left = None
            elif patch_left and patch_left[0] == "buffers":
                left = patch_left[1] - 1
                if left == 0:
                    if patch_left[2] and changed_at is None:
                        changed_at = arrived
                    patch_left = None
                else:
                    patch_left = ("buffers", left, patch_left[2])
        busy_ms = (busy_at - t0) * 1e3 if busy_at is not None else float("nan")
        mv = Move(control, value, (changed_at - t0) * 1e3, size, at=time.monotonic(), busy_ms=busy_ms)
        self.moves.append(mv)
        return mv

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self._reader.cancel()
            self.ws.close()


def _find_named(node, name: str):
    """The bokeh model (serialised document) whose ``name`` attribute is ``name``."""
    if isinstance(node, dict):
        if node.get("type") == "object" and node.get("attributes", {}).get("name") == name:
            return node
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find_named(child, name)
        if found is not None:
            return found
    return None


def _column_length(source: dict, column: str) -> int:
    for key, col in source["attributes"]["data"].get("entries", []):
        if key == column:
            return int(col["shape"][0]) if isinstance(col, dict) and "shape" in col else len(col)
    return 0


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def next_value(state: dict, direction: int) -> tuple[float, int]:
    """One slider step further (a log slider steps its exponent), turning at the ends."""
    step, lo, hi = state["step"], state["min"], state["max"]
    log = "base" in state
    now = state["value"]
    here = math.log(now, state["base"]) if log else now
    x = here + direction * step
    if not lo <= x <= hi:
        direction = -direction
        x = here + direction * step
    x = min(max(x, lo), hi)
    return (state["base"] ** x if log else round(x / step) * step), direction


def rss_mb(proc: psutil.Process) -> float:
    with contextlib.suppress(psutil.Error):
        return proc.memory_info().rss / 2**20
    return float("nan")


class BackgroundLoop:
    """An asyncio loop in a thread, so synchronous tests (Playwright's sync API) can drive
    :class:`StudentSession` objects: ``loop.run(session.move(...))``."""

    def __init__(self):
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout_s: float = 300.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
