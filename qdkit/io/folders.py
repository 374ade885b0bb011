"""Checking the paths a user passes to the readers, and explaining folders that hold no dataset."""

from __future__ import annotations

import os
import re
from pathlib import Path

from qdkit.errors import ReadError
from qdkit.io import bruker

__all__ = [
    "TEXT_SUFFIXES",
    "existing_path",
    "broken_links",
    "natural_order",
    "explain_folder",
]


#: File name endings of two-column text spectra.
TEXT_SUFFIXES = (".txt", ".csv", ".dat", ".tsv")


def existing_path(path: str | os.PathLike) -> Path:
    """``path`` as a :class:`~pathlib.Path` (``~`` expanded), after checking that it exists.

    Parameters
    ----------
    path : str or path-like
        What the user passed.

    Returns
    -------
    Path

    Raises
    ------
    ReadError
        When the path, or the target of a symbolic link, does not exist.
    """
    p = Path(path).expanduser()
    if p.is_symlink() and not p.exists():
        raise ReadError(
            f"{p} is a symbolic link to {os.readlink(p)!s}, which does not exist. "
            "Point the link at the data or give the real path."
        )
    if not p.exists():
        raise ReadError(f"{p} does not exist. Check the path (and that the folder has been copied completely).")
    return p


def broken_links(folder: Path) -> None:
    """Check that the data and parameter files of an experiment folder are not dangling links.

    Parameters
    ----------
    folder : Path
        An experiment folder (Bruker or Varian).

    Raises
    ------
    ReadError
        Naming the first of ``fid``, ``ser``, ``acqus``, ``procpar`` that links nowhere.
    """
    for name in ("fid", "ser", "acqus", "procpar"):
        f = folder / name
        if f.is_symlink() and not f.exists():
            raise ReadError(
                f"{f} is a symbolic link to {os.readlink(f)!s}, which does not exist. "
                "Copy the real file into the experiment folder."
            )


def natural_order(name: str) -> tuple:
    """Sort key putting expno 2 before 10.

    Parameters
    ----------
    name : str
        A file or folder name.

    Returns
    -------
    tuple
        Text and integer pieces of the name, so digits compare as numbers.

    Examples
    --------
    >>> sorted(["10", "2", "1"], key=natural_order)
    ['1', '2', '10']
    """
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def explain_folder(p: Path) -> None:
    """Raise a helpful error for a folder that holds no single dataset.

    Parameters
    ----------
    p : Path
        A folder :func:`qdkit.io.read` could not read as one dataset.

    Raises
    ------
    ReadError
        Always: listing the experiments it holds, its text spectra, or what qdkit looks for.
    """
    try:
        children = sorted(p.iterdir())
    except PermissionError:
        raise ReadError(f"{p} cannot be listed (permission denied).") from None
    expnos = sorted((c.name for c in children if c.is_dir() and bruker.is_expno(c)), key=natural_order)
    if expnos:
        shown = ", ".join(expnos[:12]) + (" ..." if len(expnos) > 12 else "")
        raise ReadError(
            f"{p} is a Bruker data folder holding several experiments ({shown}); "
            f"read one of them, e.g. qdkit.read('{p / expnos[0]}')."
        )
    texts = [c.name for c in children if c.suffix.lower() in TEXT_SUFFIXES and "parameter" not in c.name.lower()]
    if texts:
        raise ReadError(
            f"{p} holds processed text spectra ({', '.join(texts[:6])}), not raw data. Load each "
            f"with qdkit.io.read_spectrum('{p / texts[0]}'), which returns a Spectrum."
        )
    raise ReadError(
        f"{p} contains no dataset qdkit recognises (no fid/ser + acqus, no fid + procpar, no "
        ".dx file). Point qdkit at the experiment folder itself."
    )
