"""Batch processing of a data archive on Dask: every dataset under a folder, one summary.

Each dataset is read and processed in its own task; a dataset that fails becomes a row
with its error and never stops the others. Results go to a separate output folder (never
into the raw data), each dataset's files in a subfolder with the recipe that made them, and
a re-run skips datasets whose outputs are newer than their raw files and recipe.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io as _io
import json
import os
import sys
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qdkit.errors import OutputError, QdkitError
from qdkit.processing.measure import noise_rms

__all__ = [
    "SUMMARY_COLUMNS",
    "MARKER",
    "STAMP",
    "RECORD",
    "source_stamp",
    "dataset_key",
    "auto_noise_rms",
    "main_peak_region",
    "process_one",
    "enhancement_pair",
    "BatchResult",
    "run_batch",
    "write_summary",
    "add_batch",
    "run_batch_cli",
]


#: Columns of ``summary.csv``, in order.
SUMMARY_COLUMNS = [
    "path",
    "status",
    "error",
    "nucleus",
    "field_T",
    "mas_hz",
    "td",
    "ns",
    "d1_s",
    "contact_ms",
    "temperature_K",
    "microwave",
    "pulprog",
    "peak_ppm",
    "snr",
    "integral",
    "region_ppm",
    "enhancement",
    "enhancement_sigma",
    "enhancement_vs",
    "warnings",
    "outputs",
    "seconds",
]

MARKER = ".qdkit-batch"
STAMP = "stamp.json"
RECORD = "record.json"


# --- per-dataset work (runs on a Dask worker) ------------------------------------------------


def _files_of(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file())


def source_stamp(path: str | os.PathLike, recipe: list | None) -> str:
    """A fingerprint of a dataset's files (names, sizes, modification times) and the recipe.

    Outputs carrying the same fingerprint are up to date.

    Parameters
    ----------
    path : str or path-like
        The dataset.
    recipe : list or None
        The recipe it is processed with.

    Returns
    -------
    str
        A hex digest.
    """
    h = hashlib.sha256()
    root = Path(path)
    for f in _files_of(root):
        st = f.stat()
        h.update(f"{f.relative_to(root) if f != root else f.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    h.update(json.dumps(recipe, sort_keys=True).encode())
    return h.hexdigest()


def dataset_key(path: str | os.PathLike, root: str | os.PathLike) -> str:
    """A unique, readable folder name for a dataset's outputs: its path below ``root``.

    Parameters
    ----------
    path, root : str or path-like
        The dataset and the batch's root folder.

    Returns
    -------
    str
    """
    rel = os.path.relpath(Path(path), Path(root))
    readable = "".join(c if c.isalnum() or c in "-_." else "_" for c in rel.replace(os.sep, "__"))
    digest = hashlib.sha1(rel.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"{readable[:80].strip('._') or 'dataset'}-{digest}"


def auto_noise_rms(y: np.ndarray) -> float:
    """Noise σ of a spectrum whose signal regions are unknown (:func:`qdkit.processing.measure.noise_rms`).

    Parameters
    ----------
    y : numpy.ndarray
        Real spectrum.

    Returns
    -------
    float
    """
    return noise_rms(np.asarray(y, dtype=float))


def main_peak_region(ppm: np.ndarray, y: np.ndarray, noise: float) -> tuple[float, float]:
    """The ppm span around the tallest (absolute) point where the signal stays above 3σ.

    Parameters
    ----------
    ppm, y : numpy.ndarray
        Axis and real spectrum.
    noise : float
        Noise σ.

    Returns
    -------
    (high_ppm, low_ppm) : tuple of float
    """
    y = np.asarray(y, dtype=float)
    i = int(np.argmax(np.abs(y)))
    sign = np.sign(y[i]) or 1.0
    above = sign * y > 3 * noise
    lo, hi = max(i - 2, 0), min(i + 2, y.size - 1)  # at least five points
    while lo > 0 and above[lo - 1]:
        lo -= 1
    while hi < y.size - 1 and above[hi + 1]:
        hi += 1
    return float(max(ppm[lo], ppm[hi])), float(min(ppm[lo], ppm[hi]))


def _summarise(spec) -> dict[str, Any]:
    from qdkit.processing.measure import integrate

    y = np.asarray(spec.real, dtype=float)
    if y.ndim != 1:
        y = y.reshape(-1, y.shape[-1]).sum(axis=0)
        spec = spec.replace(data=y.astype(complex))
    noise = auto_noise_rms(y)
    ppm = spec.ppm
    i = int(np.argmax(np.abs(y)))
    region = main_peak_region(ppm, y, noise)
    return {
        "peak_ppm": round(float(ppm[i]), 4),
        "snr": round(float(abs(y[i]) / noise), 2),
        "integral": float(integrate(spec, region)) if region[0] != region[1] else float(y[i]),
        "region_ppm": [round(region[0], 4), round(region[1], 4)],
    }


def _read_and_process(path: str, recipe: list | None):
    """The processed spectrum and metadata of a raw dataset, or of a processed spectrum file
    (a JCAMP-DX or text spectrum, taken as it is)."""
    import qdkit
    from qdkit.io import read_spectrum

    try:
        ds = qdkit.read(path)
    except QdkitError:
        if not Path(path).is_file():
            raise
        spec = read_spectrum(path)
        return spec, spec.meta
    return qdkit.process(ds, recipe), ds.meta


def process_one(path: str, root: str, out_dir: str, recipe: list | None = None) -> dict[str, Any]:
    """Read, process and summarise one dataset; write its outputs; return its summary row.

    Never raises for a bad dataset: the error becomes the row's ``error``. Errors that are
    not :class:`QdkitError` are qdkit bugs and are marked as such in the row.

    Parameters
    ----------
    path : str
        The dataset.
    root : str
        The batch's root folder (names the outputs).
    out_dir : str
        The batch's output folder.
    recipe : list, optional
        Processing recipe (default: qdkit's own).

    Returns
    -------
    dict
        Summary row: path, status, metadata, S/N, outputs, or the error.
    """

    from qdkit.app import output, report
    from qdkit.processing.recipe import to_json

    started = time.perf_counter()
    key = dataset_key(path, root)
    folder = Path(out_dir) / "datasets" / key
    row: dict[str, Any] = {"path": str(path), "outputs": f"datasets/{key}"}
    try:
        stamp = source_stamp(path, recipe)
    except OSError as exc:
        row.update(status="error", error=f"cannot list the dataset's files: {exc}")
        return row
    try:
        if json.loads((folder / STAMP).read_text())["stamp"] == stamp:
            cached = json.loads((folder / RECORD).read_text())
            if cached.get("status") != "error":  # a failure stays a failure until its files change
                cached["status"] = "up to date"
            return cached
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            spec, meta = _read_and_process(path, recipe)
        row.update(
            status="ok",
            error="",
            nucleus=meta.nucleus,
            field_T=meta.field_T,
            mas_hz=meta.mas_hz,
            td=meta.td,
            ns=meta.ns,
            d1_s=meta.d1_s,
            contact_ms=meta.contact_ms,
            temperature_K=meta.temperature_K,
            microwave=meta.microwave,
            pulprog=meta.pulprog,
            warnings=" | ".join(sorted({str(w.message) for w in caught} | set(meta.warnings))),
        )
        row.update(_summarise(spec), ndim=int(np.ndim(spec.data)))
        files: dict[str, str] = {"recipe.json": to_json(spec.recipe) + "\n"}
        if np.ndim(spec.data) == 1:
            files["spectrum.csv"] = output.spectrum_csv(spec)
            files["thumb.svg"] = report.spectrum_svg(spec, width=280, height=90)
    except QdkitError as exc:
        row.update(status="error", error=str(exc))
        files = {}
    except Exception as exc:  # a qdkit bug must not stop the other datasets
        row.update(status="error", error=f"unexpected {type(exc).__name__} (please report): {exc}")
        files = {}
    row["seconds"] = round(time.perf_counter() - started, 4)
    files[RECORD] = json.dumps(row, default=str, indent=1)
    files[STAMP] = json.dumps({"stamp": stamp})
    output.write_files(folder, files, overwrite=True, raw_folders=(root,))
    return row


def enhancement_pair(on_path: str, off_path: str, recipe: list | None, region_ppm) -> dict[str, Any]:
    """ε of a microwave-on dataset against the microwave-off one of the same series.

    Parameters
    ----------
    on_path, off_path : str
        The microwave-on and microwave-off datasets.
    recipe : list or None
        Processing recipe for both.
    region_ppm : (float, float)
        Where the signal is.

    Returns
    -------
    dict
        ``enhancement`` and ``enhancement_sigma`` (:func:`qdkit.dnp.enhancement`).
    """
    import qdkit
    from qdkit.models.dnp import enhancement

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        on = qdkit.process(qdkit.read(on_path), recipe)
        off = qdkit.process(qdkit.read(off_path), recipe)
    result = enhancement(on, off, region_ppm)
    return {"enhancement": round(result.value, 4), "enhancement_sigma": round(result.uncertainty, 4)}


# --- driver --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    """What a batch run produced: one row per dataset and the summary files.

    Attributes
    ----------
    rows : list of dict
        One summary row per dataset (``failed`` lists those with an error).
    summary_csv, summary_html : Path
        The summary files.
    """

    rows: list[dict[str, Any]]
    summary_csv: Path
    summary_html: Path

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("status") == "error"]


def _prepare_out(out_dir: Path, root: Path, overwrite: bool) -> Path:
    from qdkit.app.output import check_destination

    out = check_destination(out_dir, raw_folders=(root,))
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists() and not overwrite:
        raise OutputError(
            f"{out} already holds files that a qdkit batch did not write. Choose an empty or "
            "new folder for --out, or pass --overwrite to add the batch outputs there anyway."
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("This folder is written by `qdkit batch`; re-runs update it.\n")
    return out


def _pairs(rows: Iterable[Mapping[str, Any]]) -> list[tuple[Mapping, Mapping]]:
    """(on, off) pairs: a microwave-on row and the microwave-off row of the same folder and
    nucleus recorded with the same number of scans."""
    groups: dict[tuple, dict[str, list]] = {}
    for r in rows:
        if r.get("status") not in ("ok", "up to date") or r.get("microwave") is None or r.get("ndim") != 1:
            continue
        g = groups.setdefault((str(Path(r["path"]).parent), r.get("nucleus"), r.get("ns")), {"on": [], "off": []})
        g["on" if r["microwave"] else "off"].append(r)
    return [(on, g["off"][0]) for g in groups.values() if g["off"] for on in g["on"]]


def _connect(scheduler: str | None, workers: int | None, timeout_s: float = 10.0):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout=f"{float(timeout_s)}s"), None
        except (OSError, TimeoutError) as exc:
            raise QdkitError(
                f"Cannot reach the Dask scheduler at {scheduler} ({exc}). Check the address "
                "(e.g. tcp://host:8786) or leave out --scheduler to use this machine."
            ) from None
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
    )
    return Client(cluster), cluster


def run_batch(
    root: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    recipe: list | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = True,
    overwrite: bool = False,
    scheduler_timeout_s: float = 10.0,
) -> BatchResult:
    """Process every dataset under ``root`` on Dask and write a summary into ``out_dir``.

    Parameters
    ----------
    root : path
        Folder searched for datasets (:func:`qdkit.io.find_datasets`). Read only.
    out_dir : path
        Output folder, outside ``root``: ``summary.csv``, ``summary.html`` and one
        ``datasets/<name>/`` folder per dataset (spectrum CSV, recipe JSON, thumbnail).
    recipe : list, optional
        Processing recipe for every dataset; default: :func:`qdkit.process`'s own.
    scheduler : str, optional
        Address of a running Dask scheduler; default a local cluster on this machine.
    workers : int, optional
        Worker processes of the local cluster (default: one per core).
    progress : bool
        Show a progress bar on stderr.
    overwrite : bool
        Write into an ``out_dir`` that holds files a qdkit batch did not write.
    scheduler_timeout_s : float
        How long to wait for the ``scheduler`` to answer before giving up, s.

    Returns
    -------
    BatchResult
    """
    from dask.distributed import as_completed
    from tqdm.auto import tqdm

    from qdkit.io import find_datasets

    root = Path(root).expanduser().resolve()
    paths = find_datasets(root)
    out = _prepare_out(Path(out_dir), root, overwrite)
    client, cluster = _connect(scheduler, workers, scheduler_timeout_s)
    try:
        futures = [client.submit(process_one, str(p), str(root), str(out), recipe, pure=False) for p in paths]
        rows = []
        bar = tqdm(total=len(futures), desc="qdkit batch", unit="dataset", disable=not progress, file=sys.stderr)
        for fut in as_completed(futures):
            rows.append(fut.result())
            bar.update(1)
        bar.close()
        by_path = {r["path"]: r for r in rows}
        pairs = _pairs(rows)
        eps = [
            client.submit(enhancement_pair, on["path"], off["path"], recipe, on["region_ppm"], pure=False)
            for on, off in pairs
        ]
        for (on, off), fut in zip(pairs, eps):
            try:
                by_path[on["path"]].update(fut.result(), enhancement_vs=off["path"])
            except Exception as exc:
                by_path[on["path"]].update(enhancement_vs=f"{off['path']} (failed: {exc})")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    rows = [by_path[str(p)] for p in paths]
    return BatchResult(rows, *write_summary(out, rows))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return " to ".join(_cell(v) for v in value)
    return str(value)


def write_summary(out: Path, rows: list[dict[str, Any]]) -> tuple[Path, Path]:
    """Write ``summary.csv`` and ``summary.html`` (with thumbnails) for ``rows``.

    Parameters
    ----------
    out : Path
        The output folder.
    rows : list of dict
        Summary rows.

    Returns
    -------
    (summary_csv, summary_html) : tuple of Path
    """
    from qdkit.app.output import write_files

    buf = _io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=SUMMARY_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _cell(r.get(k)) for k in SUMMARY_COLUMNS})
    ok = sum(r.get("status") != "error" for r in rows)
    head = ["dataset", "status", "nucleus", "field T", "MAS Hz", "NS", "S/N", "ε", "spectrum"]
    body = []
    for r in rows:
        thumb = Path(out) / r.get("outputs", "") / "thumb.svg"
        img = f'<img src="{html.escape(r["outputs"])}/thumb.svg" alt="spectrum">' if thumb.exists() else ""
        status = html.escape(r.get("status", ""))
        if r.get("error"):
            status += f'<div class="err">{html.escape(r["error"])}</div>'
        eps = "" if r.get("enhancement") is None else f"{r['enhancement']:.3g} ± {r.get('enhancement_sigma', 0):.2g}"
        cells = (
            [html.escape(r["path"]), status]
            + [html.escape(_cell(r.get(k))) for k in ("nucleus", "field_T", "mas_hz", "ns", "snr")]
            + [html.escape(eps), img]
        )
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>qdkit batch summary</title>
<style>body{{font-family:sans-serif;margin:1.5em}} table{{border-collapse:collapse}}
td,th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;font-size:13px}}
.err{{color:#b00;max-width:40em}} img{{width:280px;height:90px}}</style></head><body>
<h1>qdkit batch summary</h1>
<p>{ok} of {len(rows)} datasets processed; {len(rows) - ok} could not be read or processed (their rows say why).
Full table: <a href="summary.csv">summary.csv</a>. Each dataset's spectrum and recipe are in its folder under <code>datasets/</code>.</p>
<table><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr>
{chr(10).join(body)}
</table></body></html>
"""
    written = write_files(out, {"summary.csv": buf.getvalue(), "summary.html": page}, overwrite=True)
    return written[0], written[1]


# --- command line ----------------------------------------------------------------------------


def add_batch(subparsers) -> None:
    """Add the ``batch`` subcommand (every dataset under a folder, on Dask) to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From :func:`qdkit.app.cli.build_parser`.
    """
    p = subparsers.add_parser(
        "batch",
        help="process every dataset under a folder on Dask; write a summary table",
        description="Find every dataset under ROOT, read and process each (default processing or "
        "--recipe) on a Dask cluster, and write summary.csv, summary.html and one folder of outputs "
        "per dataset into --out. Bad datasets are reported in the table and never stop the rest; "
        "re-running skips datasets whose outputs are up to date.",
    )
    p.add_argument("root", help="folder holding the datasets (searched recursively; never written)")
    p.add_argument("--out", required=True, help="output folder (outside ROOT)")
    p.add_argument("--recipe", default=None, help="recipe JSON file to apply to every dataset")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (default: a local cluster)")
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes of the local cluster (default: one per core)"
    )
    p.add_argument("--overwrite", action="store_true", help="allow an --out folder that holds other files")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run_batch_cli)


def run_batch_cli(args) -> int:
    """Run ``qdkit batch`` with the parsed ``args`` and print where the summary is.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        Exit status 0 (datasets that failed are listed on stderr and in the summary).
    """
    from qdkit.processing.recipe import from_json

    recipe = from_json(args.recipe) if args.recipe else None
    result = run_batch(
        args.root,
        args.out,
        recipe=recipe,
        scheduler=args.scheduler,
        workers=args.workers,
        progress=not args.quiet,
        overwrite=args.overwrite,
    )
    n, bad = len(result.rows), len(result.failed)
    print(f"{n - bad} of {n} datasets processed; summary: {result.summary_html}")
    for r in result.failed:
        print(f"  failed: {r['path']}: {r['error']}", file=sys.stderr)
    return 0
