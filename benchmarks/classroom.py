"""A class on one server: N students open the Voila explorer at once and move its sliders.

For each class size N a fresh Voila server runs ``widgets/app/explorer.ipynb`` on 127.0.0.1
(the ``bash run.sh class`` configuration: a pool of N pre-heated kernels, filled before
the class arrives; ``--plain`` runs Voila as ``bash run.sh app`` does, without a pool). One
student uses a real headless Chromium (Debian's, through Playwright), the other N − 1 speak
the browser's kernel protocol (``tests/classroom_client.py``, four students per process):
on a real class the browsers run on the students' laptops, so mostly the server's work is
on this machine. Every student arrives at the same moment, then drags sliders for
``--seconds`` (a few steps in a row, then a pause to look at the plot). Printed per N:

- first plot: page requested → predicted spectrum on hand (p50/p95 over the N students;
  the Chromium student separately: data drawn in the page),
- slider: update sent (key pressed, in Chromium) → predicted data source changed (p50/p95),
- memory: RSS of each student's kernel (mean/max), and of the server process,
- CPU: CPU-seconds of the server and its kernels per wall second (cores busy, of 2), and
  the machine's load average (other people's work shares these cores: numbers are noisy),
- bytes the kernel sends per slider move, errors (pages that failed, moves never answered,
  kernels that died) and panel messages,
- figures other people's load cannot inflate: CPU-seconds of one kernel start and of one
  slider move, and the share of the 2 cores the class's sliders need.

Targets (issue 14), N = 10: first plot p95 ≤ 10 s, slider p95 ≤ 150 ms, ≤ 250 MB per
session, 0 errors. Every loop is bounded in count and time; the servers are stopped.

    python benchmarks/classroom.py            # N = 1, 5, 10, 20 (about 6 minutes)
    python benchmarks/classroom.py --quick    # N = 1, 5 (under a minute)
    python benchmarks/classroom.py --n 10 --plain   # the same class without the pool
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from classroom_client import (
    STUDENT_SLIDERS,
    SessionError,
    StudentSession,
    next_value,
    rss_mb,
    voila_server,
    wait_for_pool,
)
from test_browser_harness import CHROMIUM, CHROMIUM_ARGS, SOURCE_LENGTH_JS, WATCH_JS

MAX_MOVES = 2000  # per student: a hard bound besides the time
REFILL_IDLE_CORES = 0.05  # spare kernels using less than this together: the refill is over
BROWSER_KEYS = {"contact_ms": "ArrowRight", "pore_nm": "ArrowRight"}


#: run.sh class: kernels talk over Unix sockets, so that N kernels started at once cannot
#: race for the same TCP port (seen at N = 20: "Address already in use", a pool kernel lost)
CLASS_TRANSPORT = ["--KernelManager.transport=ipc"]


def class_options(n: int, plain: bool) -> list[str]:
    """Voila options of ``bash run.sh class N`` (kept the same as run.sh's)."""
    if plain:
        return []
    return ["--preheat_kernel=True", f"--pool_size={n}", *CLASS_TRANSPORT]


STUDENTS_PER_PROCESS = 4  # so one busy client process never delays the others' clocks


def cpu_s(proc) -> float:
    """CPU-seconds a process has used so far (nan once it is gone)."""
    try:
        t = proc.cpu_times()
        return t.user + t.system
    except (AttributeError, psutil.Error):
        return float("nan")


async def protocol_student(
    url: str, seconds: float, rng: random.Random, start: asyncio.Event, record: dict
) -> StudentSession:
    s = StudentSession(url)
    await start.wait()
    try:
        await s.open()
    except Exception as exc:
        s.errors.append(f"open: {type(exc).__name__}: {exc}")
        return s
    until = time.monotonic() + seconds
    directions = {c: rng.choice((-1, 1)) for c in STUDENT_SLIDERS}
    names, weights = list(STUDENT_SLIDERS), list(STUDENT_SLIDERS.values())
    while time.monotonic() < until and len(s.moves) < MAX_MOVES:
        control = rng.choices(names, weights)[0]
        for _ in range(rng.randint(3, 10)):  # one drag: a few steps in a row
            value, directions[control] = next_value(s.state(control), directions[control])
            try:
                await s.move(control, value)
            except SessionError as exc:
                s.errors.append(f"move {control}: {exc}")
                if s.status in ("dead", "restarting") or "closed" in str(exc):
                    await s.close()
                    return s
            if s.message():
                record["messages"].add(s.message())
            await asyncio.sleep(rng.uniform(0.02, 0.08))
            if time.monotonic() >= until:
                break
        await asyncio.sleep(rng.uniform(0.5, 2.0))  # looks at the plot
    await s.close()
    return s


def student_group(url: str, seconds: float, seeds: list, start_at: float, out) -> None:
    """A few protocol students in their own process, arriving at ``start_at`` (monotonic
    clock, shared by all processes); puts plain-data summaries on the queue ``out``."""
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=64)

    async def group():
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        start, record = asyncio.Event(), {"messages": set()}
        start.set()
        done = await asyncio.gather(
            *(protocol_student(url, seconds, random.Random(seed), start, record) for seed in seeds)
        )
        return [
            {
                "kernel_id": x.kernel_id,
                "first_plot_s": x.first_plot_s,
                "status": x.status,
                "moves": x.moves,
                "errors": x.errors,
            }
            for x in done
        ], sorted(record["messages"])

    out.put(asyncio.run(group()))


async def browser_student(url: str, seconds: float, rng: random.Random, start: asyncio.Event, out: dict) -> None:
    """One student in a real headless Chromium: rendered first plot and key → data change."""
    from playwright.async_api import async_playwright

    out.update(first_plot_s=float("nan"), latencies=[], errors=[])
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})

            async def local_only(route):
                if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:")):
                    await route.continue_()
                else:
                    await route.abort()

            await ctx.route("**/*", local_only)
            page = await ctx.new_page()
            await start.wait()
            t0 = time.perf_counter()
            try:
                await page.goto(url, timeout=300_000)
                await page.wait_for_function(
                    f"() => ({SOURCE_LENGTH_JS})('predicted') > 0", timeout=300_000, polling=50
                )
            except Exception as exc:
                out["errors"].append(f"browser open: {exc}")
                return
            out["first_plot_s"] = time.perf_counter() - t0
            out["kernel_id"] = await page.evaluate(
                "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
            )
            await page.evaluate(WATCH_JS, ["predicted"])
            until = time.monotonic() + seconds
            while time.monotonic() < until and len(out["latencies"]) < MAX_MOVES:
                control = rng.choice(list(BROWSER_KEYS))
                handle = page.locator(f".qdkit-{control} .noUi-handle").first
                await handle.focus()
                key = rng.choice(("ArrowRight", "ArrowLeft"))
                for _ in range(rng.randint(3, 10)):
                    now, low, high = [
                        float(await handle.get_attribute(a))
                        for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
                    ]
                    if now <= low or now >= high:  # at an end: a student turns back
                        key = "ArrowRight" if now <= low else "ArrowLeft"
                    before = await page.evaluate("window.__qdkit.changes['predicted'].length")
                    await page.keyboard.press(key)
                    try:
                        await page.wait_for_function(
                            f"window.__qdkit.changes['predicted'].length > {before}", timeout=30_000, polling="raf"
                        )
                    except Exception as exc:
                        out["errors"].append(f"browser move: {exc}")
                        break
                    key_t, change_t = await page.evaluate(
                        "[window.__qdkit.keys.at(-1), window.__qdkit.changes['predicted'].at(-1)]"
                    )
                    out["latencies"].append(change_t - key_t)
                    await asyncio.sleep(rng.uniform(0.05, 0.12))
                await asyncio.sleep(rng.uniform(0.5, 2.0))
            message = (await page.locator(".qdkit-message").inner_text()).strip()
            if message:
                out["errors"].append(f"browser panel message: {message}")
        finally:
            await browser.close()


def pct(values, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def clients_cpu_s(groups) -> dict[int, float]:
    """CPU-seconds so far of each client process still running, by pid."""
    out = {}
    for g in groups:
        try:
            used = cpu_s(psutil.Process(g.pid))
        except psutil.Error:
            continue
        if used == used:  # nan once it is gone
            out[g.pid] = used
    return out


def refill_done(samples: list[tuple[float, dict]], students: set, n: int) -> float:
    """First time from which n spare kernels are alive and together idle to the end (inf if never)."""
    done = math.inf
    for (t0, before), (t1, after) in reversed(list(zip(samples, samples[1:]))):
        spare = [k for k in after if k not in students]
        grew = sum(after[k] - before.get(k, 0.0) for k in spare if after[k] == after[k])
        if len(spare) < n or grew > REFILL_IDLE_CORES * (t1 - t0):
            break
        done = t0
    return done


class CpuMeter:
    """CPU-seconds used by the server and all its kernels (those that ended included)."""

    def __init__(self, server):
        self.server = server
        self.seen: dict[int, float] = {}
        self.start = self._total()
        self.server_start = self.seen.get(server.proc.pid, 0.0)
        self.t0 = time.monotonic()
        psutil.cpu_percent(None)

    def _total(self) -> float:
        for p in self.server.processes():
            try:
                t = p.cpu_times()
                self.seen[p.pid] = t.user + t.system
            except psutil.Error:
                pass
        return sum(self.seen.values())

    def sample(self) -> None:
        self._total()

    def cores(self) -> tuple[float, float]:
        used = self._total() - self.start
        return used / (time.monotonic() - self.t0), psutil.cpu_percent(None)

    def server_cores(self) -> float:
        """Cores busy in the Voila server process alone (it relays every kernel message on one thread)."""
        pid = self.server.proc.pid
        return (self.seen.get(pid, 0.0) - self.server_start) / (time.monotonic() - self.t0)


async def run_class(n: int, seconds: float, plain: bool, browser: bool, seed: int) -> dict:
    import multiprocessing

    rng = random.Random(seed + n)
    opts = class_options(n, plain)
    spawn = multiprocessing.get_context("spawn")
    with voila_server(*opts) as server:
        fill_s, ready_cpu = wait_for_pool(server, n) if not plain else (0.0, {})
        load_before = os.getloadavg()[0]
        seeds = [rng.random() for _ in range(n - 1 if browser else n)]
        start_at = time.monotonic() + 8.0  # client processes and Chromium are up by then
        out = spawn.Queue()
        groups = [
            spawn.Process(
                target=student_group,
                daemon=True,
                args=(server.url, seconds, seeds[i : i + STUDENTS_PER_PROCESS], start_at, out),
            )
            for i in range(0, len(seeds), STUDENTS_PER_PROCESS)
        ]
        for g in groups:
            g.start()
        start, bro = asyncio.Event(), {}
        btask = (
            asyncio.ensure_future(browser_student(server.url, seconds, random.Random(rng.random()), start, bro))
            if browser
            else None
        )
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        meter = CpuMeter(server)
        client_start = clients_cpu_s(groups)
        start.set()
        t_start = time.monotonic()
        peak: dict[str, float] = {}
        client_cpu: dict[int, float] = {}  # the protocol students' own processes (the measuring side)
        kernel_cpu: list[tuple[float, dict]] = []  # (time, {kernel id: CPU-s}): the pool's refill
        results, messages = [], set()
        deadline = t_start + seconds + 400
        while time.monotonic() < deadline and (len(results) < len(groups) or (btask is not None and not btask.done())):
            await asyncio.sleep(1.0)
            meter.sample()
            client_cpu.update(clients_cpu_s(groups))  # a process that ended keeps its last reading
            alive = server.kernels()
            kernel_cpu.append((time.monotonic(), {kid: cpu_s(proc) for kid, proc in alive.items()}))
            for kid, proc in alive.items():
                peak[kid] = max(peak.get(kid, 0.0), rss_mb(proc))
            while not out.empty():
                summaries, seen = out.get()
                results.append(summaries)
                messages.update(seen)
        if btask is not None and not btask.done():
            btask.cancel()
        for g in groups:
            g.join(timeout=5)
            if g.is_alive():
                g.kill()
        cores, machine = meter.cores()
        server_cores = meter.server_cores()
        client_cores = sum(v - client_start.get(pid, 0.0) for pid, v in client_cpu.items()) / (
            time.monotonic() - t_start
        )
        sessions = [x for group in results for x in group]
        kernels = server.kernels()
        move_cpu = [
            (cpu_s(kernels.get(x["kernel_id"])) - ready_cpu[x["kernel_id"]]) / len(x["moves"]) * 1e3
            for x in sessions
            if x["kernel_id"] in ready_cpu and len(x["moves"]) >= 5
        ]
        kernel_rss = [peak[x["kernel_id"]] for x in sessions if x["kernel_id"] in peak]
        if bro.get("kernel_id") in peak:
            kernel_rss.append(peak[bro["kernel_id"]])
        server_rss = rss_mb(psutil.Process(server.proc.pid))
        load_after = os.getloadavg()[0]
    moves = [m for x in sessions for m in x["moves"]]
    first = [x["first_plot_s"] for x in sessions if x["status"] != "new"]
    # the pool is refilled when n spare kernels run beside the students' and have finished
    # running the app: from the first sample after which the spare kernels together use less
    # than REFILL_IDLE_CORES (a refill kernel running the app uses a whole core)
    students = {x["kernel_id"] for x in sessions} | {bro.get("kernel_id")}
    after_refill = t_start if plain else refill_done(kernel_cpu, students, n)
    errors = [e for x in sessions for e in x["errors"]] + bro.get("errors", [])
    if len(sessions) < len(seeds):
        errors.append(f"{len(seeds) - len(sessions)} students still busy at the deadline")
    return {
        "n": n,
        "fill_s": fill_s,
        "first": first,
        "lat": [m.latency_ms for m in moves],
        "late": [m.latency_ms for m in moves if m.at > after_refill],
        "busy": [m.busy_ms for m in moves if m.busy_ms == m.busy_ms],
        "refill_s": after_refill - t_start if math.isfinite(after_refill) else math.inf,
        "bytes": [m.bytes_in for m in moves],
        "by_control": {c: [m.latency_ms for m in moves if m.control == c] for c in STUDENT_SLIDERS},
        "start_cpu": list(ready_cpu.values()),
        "move_cpu": move_cpu,
        "rate": [len(x["moves"]) / seconds for x in sessions if x["moves"]],
        "browser_first": bro.get("first_plot_s", float("nan")),
        "browser_lat": bro.get("latencies", []),
        "rss": kernel_rss,
        "server_rss": server_rss,
        "cores": cores,
        "server_cores": server_cores,
        "client_cores": client_cores,
        "machine_pct": machine,
        "load": (load_before, load_after),
        "errors": errors,
        "messages": sorted(messages),
        "moves": len(moves) + len(bro.get("latencies", [])),
    }


def show(r: dict) -> None:
    f, lat, bl = r["first"], r["lat"], r["browser_lat"]
    protocol = (
        f"first plot p50 {pct(f, 50):5.1f} s p95 {pct(f, 95):5.1f} s "
        if f
        else "(the Chromium student alone) first plot "
    )
    sliders = f"slider p50 {pct(lat, 50):5.0f} ms p95 {pct(lat, 95):5.0f} ms " if lat else "slider "
    print(
        f"N={r['n']:>2} | {protocol}"
        f"(Chromium: {r['browser_first']:4.1f} s) | {sliders}"
        f"(Chromium key→data p50 {pct(bl, 50):4.0f} p95 "
        f"{pct(bl, 95):4.0f} ms, {len(bl)} moves) | kernel RSS mean "
        f"{statistics.fmean(r['rss']) if r['rss'] else float('nan'):4.0f} MB max "
        f"{max(r['rss'], default=float('nan')):4.0f} MB, server {r['server_rss']:4.0f} MB | "
        f"CPU {r['cores']:.2f} cores, server alone {r['server_cores']:.2f}, protocol clients {r['client_cores']:.2f} (machine {r['machine_pct']:.0f} %) | "
        + (f"{statistics.fmean(r['bytes']) / 1e3:.1f} kB/move, " if r["bytes"] else "")
        + f"{r['moves']} moves | errors {len(r['errors'])} | load {r['load'][0]:.1f}→"
        f"{r['load'][1]:.1f}" + (f" | pool filled in {r['fill_s']:.0f} s" if r["fill_s"] else ""),
        flush=True,
    )
    if r["move_cpu"]:
        need = len(r["rate"]) * statistics.fmean(r["rate"]) * statistics.median(r["move_cpu"]) / 1e3
        print(
            f"      without the others' load: a kernel start costs "
            f"{statistics.fmean(r['start_cpu']) if r['start_cpu'] else float('nan'):.1f} "
            f"CPU-s; a move {statistics.median(r['move_cpu']):.0f} CPU-ms in its kernel; "
            f"{statistics.fmean(r['rate']):.1f} moves/s per student → the sliders of "
            f"{len(r['rate'])} students keep {need:.2f} of the 2 cores busy"
        )
    if not lat:
        pass  # no protocol students: nothing to split by the refill
    elif not r["late"] and math.isfinite(r["refill_s"]):
        print(f"      the pool's refill ended after the students stopped ({r['refill_s']:.0f} s into the class)")
    elif math.isfinite(r["refill_s"]):
        print(
            f"      slider once the pool was refilled ({r['refill_s']:.0f} s into the class): p50 "
            f"{pct(r['late'], 50):.0f} ms p95 {pct(r['late'], 95):.0f} ms over {len(r['late'])} moves"
        )
    else:
        print("      the pool's refill was still running when the students stopped")
    if r["busy"]:
        print(
            f"      of which update sent → its kernel busy on it: p50 {pct(r['busy'], 50):.0f} ms "
            f"p95 {pct(r['busy'], 95):.0f} ms (the rest is the kernel's own work and the way back)"
        )
    if any(r["by_control"].values()):
        print(
            "      slider p50/p95 by control: "
            + ", ".join(f"{c} {pct(v, 50):.0f}/{pct(v, 95):.0f} ms" for c, v in r["by_control"].items() if v)
        )
    for e in r["errors"][:5]:
        print(f"      error: {e}")
    for m in r["messages"][:3]:
        print(f"      panel message seen: {m[:160]}")


def verdict(r: dict) -> str:
    first = [x for x in r["first"] + [r["browser_first"]] if np.isfinite(x)]
    checks = {
        "first plot p95 ≤ 10 s": pct(first, 95) <= 10,
        "slider p95 ≤ 150 ms": pct(r["lat"] + r["browser_lat"], 95) <= 150,
        "≤ 250 MB per session": max(r["rss"], default=0) <= 250,
        "0 errors": not r["errors"],
    }
    return ", ".join(f"{k}: {'yes' if ok else 'NO'}" for k, ok in checks.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="N = 1 and 5 only, 10 s each")
    ap.add_argument("--n", type=int, nargs="+", help="class sizes (default 1 5 10 20)")
    ap.add_argument("--seconds", type=float, help="slider time per student (default 20)")
    ap.add_argument("--plain", action="store_true", help="no pre-heated kernel pool")
    ap.add_argument("--no-browser", action="store_true", help="protocol clients only")
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    sizes = args.n or ([1, 5] if args.quick else [1, 5, 10, 20])
    seconds = args.seconds or (10.0 if args.quick else 20.0)
    mode = "plain Voila (bash run.sh app)" if args.plain else "bash run.sh class N (pool of N)"
    print(
        f"classroom: {mode}; {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; {seconds:g} s of sliders each"
    )
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=200)
    results = []
    for n in sizes:
        r = asyncio.run(run_class(n, seconds, args.plain, not args.no_browser, args.seed))
        show(r)
        results.append(r)
    for r in results:
        if r["n"] == 10:
            print(f"N=10 targets: {verdict(r)}")


if __name__ == "__main__":
    main()
