"""The ``qdkit`` command line: ``qdkit info PATH [--json]``, ``qdkit process PATH --out DIR``,
``qdkit export PATH --topspin N | --jcamp FILE``.

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
import json
import os
import re
import sys
import warnings
from importlib.metadata import entry_points
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
    "add_export",
    "run_export",
    "build_parser",
    "main",
]


#: Entry-point group of subcommands that live outside the core (``qdkit demo``).
COMMANDS_GROUP = "qdkit.commands"

EXIT_USER_ERROR = 2


# --- info ---------------------------------------------------------------------------------


def add_info(subparsers) -> None:
    """Add the ``info`` subcommand (what qdkit reads from a dataset) to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From :func:`build_parser`.
    """
    p = subparsers.add_parser(
        "info",
        help="show what qdkit reads from a dataset (nucleus, field, MAS, TD, ...)",
        description="Show the metadata qdkit reads from a dataset, or from every dataset under a folder.",
    )
    p.add_argument(
        "path",
        help="Bruker expno or pdata/N folder, Varian .fid folder, JCAMP-DX or text spectrum, or a folder of them",
    )
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
        if path.is_file() and path.suffix.lower() not in (".dx", ".jdx"):
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
    """One record per dataset at ``path`` (a dataset, or a folder holding several).

    Parameters
    ----------
    path : str
        A dataset or a folder.
    procno : int, optional
        Bruker processing number.

    Returns
    -------
    list of dict
        Path, nucleus, field, MAS rate, sizes, TopSpin's processing parameters, warnings, or
        the error for a dataset that cannot be read.
    """
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
    ("nucleus", "nucleus", ""),
    ("field_T", "field", "T"),
    ("larmor_mhz", "carrier (SFO1)", "MHz"),
    ("mas_hz", "MAS", "Hz"),
    ("td", "TD (complex points)", ""),
    ("sw_hz", "spectral width", "Hz"),
    ("ns", "scans", ""),
    ("d1_s", "recycle delay", "s"),
    ("contact_ms", "CP contact", "ms"),
    ("temperature_K", "temperature", "K"),
    ("pulprog", "pulse program", ""),
    ("microwave", "microwaves", ""),
    ("cpmg_echoes", "CPMG echoes", ""),
    ("cpmg_period_us", "CPMG echo period", "µs"),
    ("group_delay_pts", "digital-filter delay", "points"),
    ("td_indirect", "indirect TD", ""),
    ("fnmode", "FnMODE", ""),
    ("delays_s", "delay list", "s"),
    ("title", "title", ""),
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
    """Run ``qdkit info`` with the parsed ``args``: print the records as text or JSON.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        Exit status (0).
    """
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
    """Add the ``process`` subcommand (spectrum CSV, recipe JSON, HTML plot) to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From :func:`build_parser`.
    """
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
    """The experiment folder a dataset came from (a pdata/N path maps to its expno).

    Parameters
    ----------
    source : str
        ``meta.source`` of a dataset.

    Returns
    -------
    Path
    """
    p = Path(source)
    if p.parent.name == "pdata":
        return p.parent.parent
    return p.parent if p.is_file() else p


def output_stem(source: str) -> str:
    """A file-name stem naming the dataset: '<study>_<expno>' for Bruker, the file stem otherwise.

    Parameters
    ----------
    source : str
        ``meta.source`` of a dataset.

    Returns
    -------
    str
    """
    p = Path(source).resolve()
    if p.parent.name == "pdata":
        stem = f"{p.parent.parent.parent.name}_{p.parent.parent.name}_pdata{p.name}"
    elif p.is_dir() and p.name.isdigit():
        stem = f"{p.parent.name}_{p.name}"
    else:
        stem = p.name.split(".")[0] if p.is_file() else p.name.removesuffix(".fid")
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", stem).strip("._") or "spectrum"


def _read_reporting_warnings(path: str, procno: int | None):
    """``qdkit.io.read`` with each contradiction it notes printed to stderr as a warning."""
    from qdkit import io

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = io.read(path, procno=procno)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return ds


def run_process(args) -> int:
    """Run ``qdkit process`` with the parsed ``args``: read, process, write the outputs.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        Exit status (0).

    Raises
    ------
    ReadError
        When the path holds a processed spectrum, which has nothing to process.
    """
    import qdkit
    from qdkit.app import output, report
    from qdkit.processing import recipe

    ds = _read_reporting_warnings(args.path, args.procno)
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
        args.out,
        files,
        overwrite=args.overwrite,
        raw_folders=(raw_folder(source), raw_folder(ds.meta.source or source)),
    )
    for f in written:
        print(f)
    return 0


# --- export -------------------------------------------------------------------------------


def add_export(subparsers) -> None:
    """Add the ``export`` subcommand (a new TopSpin procno and/or a JCAMP-DX file) to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From :func:`build_parser`.
    """
    p = subparsers.add_parser(
        "export",
        help="write the processed spectrum as a new TopSpin procno and/or a JCAMP-DX file",
        description="Process a dataset with the default recipe (TopSpin's parameters where present) "
        "or with --recipe, then write it as a new processing pdata/N of the same Bruker experiment "
        "(--topspin N: 1r, 1i, procs, proc, title; nothing else in the experiment changes) and/or "
        "as a JCAMP-DX 5.01 spectrum (--jcamp FILE). An existing procno or file is kept unless "
        "--overwrite. A spectrum that is already processed (JCAMP-DX, text) is exported as it is.",
    )
    p.add_argument(
        "path", help="dataset (Bruker expno or pdata/N folder, Varian .fid folder, JCAMP-DX or text spectrum)"
    )
    p.add_argument(
        "--topspin",
        type=int,
        metavar="PROCNO",
        default=None,
        help="new TopSpin processing number to create under <expno>/pdata/",
    )
    p.add_argument("--jcamp", metavar="FILE", default=None, help="JCAMP-DX file to write (e.g. spectrum.jdx)")
    p.add_argument("--recipe", default=None, help="recipe JSON file to replay instead of the default processing")
    p.add_argument("--procno", type=int, default=None, help="Bruker processing number for the default recipe")
    p.add_argument("--overwrite", action="store_true", help="replace an existing procno or file")
    p.set_defaults(run=run_export)


def run_export(args) -> int:
    """Run ``qdkit export`` with the parsed ``args``: process, then write TopSpin and/or JCAMP-DX.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        Exit status (0).

    Raises
    ------
    OutputError
        When neither ``--topspin`` nor ``--jcamp`` is given, or a TopSpin export has no
        experiment folder to write into.
    ReadError
        When ``--recipe`` is given for a spectrum that is already processed.
    """
    import qdkit
    from qdkit import io
    from qdkit.errors import OutputError
    from qdkit.io import export
    from qdkit.processing import recipe

    if args.topspin is None and args.jcamp is None:
        raise OutputError("Say what to write: --topspin PROCNO (a new TopSpin procno) and/or --jcamp FILE.jdx.")
    source = Path(args.path)
    expno = None
    if args.topspin is not None:
        try:
            expno = export.experiment_folder(source)
        except OutputError as exc:
            raise OutputError(f"--topspin: {exc} Use --jcamp FILE.jdx to export this spectrum.") from exc
    try:
        ds = _read_reporting_warnings(args.path, args.procno)
    except ReadError:
        if not source.is_file():
            raise
        ds = None  # a text spectrum: not a dataset, but io.read_spectrum reads it
    if ds is None or ds.meta.extra.get("content") == "spectrum":
        if args.recipe:
            raise ReadError(f"{args.path} is already a processed spectrum; a --recipe cannot be replayed on it.")
        spec = io.read_spectrum(args.path)
    else:
        spec = qdkit.process(ds, recipe.from_json(args.recipe) if args.recipe else None)
    if args.topspin is not None:
        print(export.write_topspin_procno(spec, expno, args.topspin, overwrite=args.overwrite))
    if args.jcamp is not None:
        print(export.write_jcamp(spec, args.jcamp, overwrite=args.overwrite, raw_folders=(raw_folder(str(source)),)))
    return 0


#: The core's own subcommands: functions given the argparse subparsers object.
SUBCOMMANDS = [add_info, add_process, add_export, add_batch]


def command_adders() -> list:
    """The core's subcommands, then those other installed packages declare as entry points.

    Returns
    -------
    list of callable
        Each takes the subparsers object and adds one subcommand.
    """
    extra = [ep.load() for ep in sorted(entry_points(group=COMMANDS_GROUP), key=lambda ep: ep.name)]
    return [*SUBCOMMANDS, *extra]


# --- entry point --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``qdkit`` argument parser with every subcommand of :func:`command_adders`.

    Returns
    -------
    argparse.ArgumentParser
    """
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
    """Run the command line; returns the exit status (0 ok, 2 user error).

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 ok, 2 user error (the message goes to stderr, no traceback).
    """
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
