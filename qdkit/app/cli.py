"""The ``qdkit`` command line: ``qdkit info PATH [--json]``, ``qdkit process PATH --out DIR``.

Adding a subcommand (e.g. ``demo`` or ``batch``) takes one function in your own module::

    def add_demo(subparsers):
        p = subparsers.add_parser("demo", help="write a standalone demo page")
        p.add_argument("--out", required=True)
        p.set_defaults(run=run_demo)        # run_demo(args) -> exit code (int)

and an entry point in your package's metadata, group ``qdkit.commands``
(``demo = "qdkit_widgets.demo:add_demo"`` in pyproject.toml); the core's own subcommands are
listed in :data:`SUBCOMMANDS`. An adder only builds its parser, so heavy imports stay out of
``info``.
A ``run`` function raises :class:`~qdkit.errors.QdkitError` for user mistakes; the CLI
prints its message to stderr and exits with status 2 (no traceback).
"""

from __future__ import annotations

import argparse
from importlib.metadata import entry_points
import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

from qdkit.app.batch import add_batch
from qdkit.errors import QdkitError, ReadError

__all__ = [
    "SUBCOMMANDS",
    "COMMANDS_GROUP",
    "command_adders",
    "EXIT_USER_ERROR",
    "add_info",
    "info_records",
    "run_info",
    "add_process",
    "raw_folder",
    "output_stem",
    "run_process",
    "build_parser",
    "main",
]


#: Entry-point group of subcommands that live outside the core (``qdkit demo``).
COMMANDS_GROUP = "qdkit.commands"

EXIT_USER_ERROR = 2


# --- info ---------------------------------------------------------------------------------

def add_info(subparsers) -> None:
    p = subparsers.add_parser(
        "info",
        help="show what qdkit reads from a dataset (nucleus, field, MAS, TD, ...)",
        description="Show the metadata qdkit reads from a dataset, or from every dataset under a folder.",
    )
    p.add_argument("path", help="Bruker expno or pdata/N folder, Varian .fid folder, JCAMP-DX or text spectrum, or a folder of them")
    p.add_argument("--procno", type=int, default=None, help="Bruker processing number (default: 1)")
    p.add_argument("--json", action="store_true", help="print JSON (one object, or a list for a folder of datasets)")
    p.set_defaults(run=run_info)


#: TopSpin processing parameters worth showing (window, size, phase, referencing, scaling).
_PROCS_SHOWN = ("SI", "WDW", "LB", "GB", "SSB", "PHC0", "PHC1", "PH_mod", "SR", "SF", "OFFSET", "SW_p", "NC_proc")


def _record(path: Path, procno: int | None) -> dict[str, Any]:
    from qdkit import io

    try:
        ds = io.read(path, procno=procno)
        return {
            "path": str(path),
            "content": ds.meta.extra.get("content", "time data"),
            "shape": list(ds.data.shape),
            "vendor_spectrum": ds.vendor_spectrum is not None,
            "vendor_processing": {k: ds.procs[k] for k in _PROCS_SHOWN if k in ds.procs},
            "meta": ds.meta.to_dict(),
        }
    except QdkitError:
        if path.is_file() and not path.suffix.lower() in (".dx", ".jdx"):
            spec = io.read_spectrum(path)
            return {
                "path": str(path),
                "content": "spectrum",
                "shape": list(spec.data.shape),
                "vendor_spectrum": True,
                "meta": spec.meta.to_dict(),
            }
        raise


def info_records(path: str, procno: int | None = None) -> list[dict[str, Any]]:
    """One record per dataset at ``path`` (a dataset, or a folder holding several)."""
    from qdkit import io

    p = Path(path)
    try:
        return [_record(p, procno)]
    except QdkitError as single_error:
        if not p.is_dir():
            raise
        paths = io.find_datasets(p)
        if not paths:
            raise single_error
    records = []
    for sub in paths:
        try:
            records.append(_record(sub, procno))
        except QdkitError as exc:
            records.append({"path": str(sub), "error": str(exc)})
    return records


_TEXT_FIELDS = [
    ("nucleus", "nucleus", ""), ("field_T", "field", "T"), ("larmor_mhz", "carrier (SFO1)", "MHz"),
    ("mas_hz", "MAS", "Hz"), ("td", "TD (complex points)", ""), ("sw_hz", "spectral width", "Hz"),
    ("ns", "scans", ""), ("d1_s", "recycle delay", "s"), ("contact_ms", "CP contact", "ms"),
    ("temperature_K", "temperature", "K"), ("pulprog", "pulse program", ""), ("microwave", "microwaves", ""),
    ("cpmg_echoes", "CPMG echoes", ""), ("cpmg_period_us", "CPMG echo period", "µs"),
    ("group_delay_pts", "digital-filter delay", "points"), ("td_indirect", "indirect TD", ""),
    ("fnmode", "FnMODE", ""), ("delays_s", "delay list", "s"), ("title", "title", ""),
]


def _format_text(record: dict[str, Any]) -> str:
    lines = [record["path"]]
    if "error" in record:
        return lines[0] + "\n  error: " + record["error"]
    meta = record["meta"]
    lines.append(f"  {'content':<22} {record['content']} {tuple(record['shape'])}")
    for key, label, unit in _TEXT_FIELDS:
        value = meta.get(key)
        if value is None or value == [] or value == "":
            continue
        if key == "microwave":
            value = "on" if value else "off"
        if key == "title":
            value = " | ".join(str(value).splitlines()[:2])
        if isinstance(value, float):
            value = f"{value:.6g}"
        lines.append(f"  {label:<22} {value} {unit}".rstrip())
    if (meta.get("extra") or {}).get("synthetic"):
        lines.append(f"  {'synthetic data':<22} yes (simulated, not measured)")
    for w in meta.get("warnings", []):
        lines.append(f"  warning: {w}")
    return "\n".join(lines)


def run_info(args) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # contradictions are reported inside each record
        records = info_records(args.path, args.procno)
    if args.json:
        payload = records[0] if len(records) == 1 and Path(args.path) == Path(records[0]["path"]) else records
        print(json.dumps(payload, indent=2, default=str, ensure_ascii=False))
    else:
        print("\n\n".join(_format_text(r) for r in records))
    return EXIT_USER_ERROR if any("error" in r for r in records) else 0


# --- process ------------------------------------------------------------------------------

def add_process(subparsers) -> None:
    p = subparsers.add_parser(
        "process",
        help="process a dataset; write spectrum CSV, recipe JSON and an HTML plot",
        description="Process a dataset with the default recipe (TopSpin's parameters where present) "
        "or with --recipe, and write <name>.csv (ppm,hz,real,imag), <name>.recipe.json and "
        "<name>.html into --out. Existing files are kept unless --overwrite.",
    )
    p.add_argument("path", help="dataset (Bruker expno or pdata/N folder, Varian .fid folder, JCAMP-DX FID)")
    p.add_argument("--out", required=True, help="output folder (created; must not be inside the raw data folder)")
    p.add_argument("--recipe", default=None, help="recipe JSON file to replay instead of the default processing")
    p.add_argument("--procno", type=int, default=None, help="Bruker processing number for the default recipe")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.set_defaults(run=run_process)


def raw_folder(source: str) -> Path:
    """The experiment folder a dataset came from (a pdata/N path maps to its expno)."""
    p = Path(source)
    if p.parent.name == "pdata":
        return p.parent.parent
    return p.parent if p.is_file() else p


def output_stem(source: str) -> str:
    """A file-name stem naming the dataset: '<study>_<expno>' for Bruker, the file stem otherwise."""
    p = Path(source).resolve()
    if p.parent.name == "pdata":
        stem = f"{p.parent.parent.parent.name}_{p.parent.parent.name}_pdata{p.name}"
    elif p.is_dir() and p.name.isdigit():
        stem = f"{p.parent.name}_{p.name}"
    else:
        stem = p.name.split(".")[0] if p.is_file() else p.name.removesuffix(".fid")
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", stem).strip("._") or "spectrum"


def run_process(args) -> int:
    import qdkit

    from qdkit import io
    from qdkit.app import output
    from qdkit.processing import recipe
    from qdkit.app import report

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = io.read(args.path, procno=args.procno)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    if ds.meta.extra.get("content") == "spectrum":
        raise ReadError(
            f"{args.path} is already a processed spectrum, so there is nothing to process; "
            "`qdkit info` shows it, and qdkit.io.read_spectrum loads it for plotting or fitting."
        )
    steps = recipe.from_json(args.recipe) if args.recipe else None
    spec = qdkit.process(ds, steps)
    source = str(Path(args.path))
    stem = output_stem(source)
    files = {
        f"{stem}.csv": output.spectrum_csv(spec),
        f"{stem}.recipe.json": recipe.to_json(spec.recipe) + "\n",
        f"{stem}.html": report.spectrum_html(spec, title=stem),
    }
    written = output.write_files(
        args.out, files, overwrite=args.overwrite, raw_folders=(raw_folder(source), raw_folder(ds.meta.source or source))
    )
    for f in written:
        print(f)
    return 0


#: The core's own subcommands: functions given the argparse subparsers object.
SUBCOMMANDS = [add_info, add_process, add_batch]


def command_adders() -> list:
    """The core's subcommands, then those other installed packages declare as entry points."""
    extra = [ep.load() for ep in sorted(entry_points(group=COMMANDS_GROUP), key=lambda ep: ep.name)]
    return [*SUBCOMMANDS, *extra]


# --- entry point --------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qdkit",
        description="qdkit: read, process and explore DNP SENS NMR data of quantum dots.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for add in command_adders():
        add(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except QdkitError as exc:
        print(f"qdkit: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
