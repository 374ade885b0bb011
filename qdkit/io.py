"""Reading spectrometer data into qdkit's data model.

:func:`read` recognises the format from the path and hands over to the vendor module
(nmrglue decodes the files underneath); every reader returns a :class:`~qdkit.dataset.Dataset`.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import bruker
from .dataset import Dataset
from .errors import ReadError


def read(path: str | os.PathLike, *, procno: int | None = None) -> Dataset:
    """Read a dataset from disk.

    Parameters
    ----------
    path : str or path-like
        A Bruker experiment folder (``fid``/``ser`` + ``acqus``) or one of its ``pdata/N``
        folders.
    procno : int, optional
        Bruker processing number whose ``procs`` and spectrum to load (default: the one in
        ``path``, else 1).

    Returns
    -------
    Dataset
    """
    p = Path(path)
    if not p.exists():
        raise ReadError(f"{p} does not exist. Check the path (and that the folder has been copied completely).")
    if p.is_dir() and (bruker.is_expno(p) or bruker.is_procno(p)):
        return bruker.read_bruker(p, procno=procno)
    raise ReadError(
        f"{p} is not a dataset qdkit can read. Expected a Bruker experiment folder "
        "(with fid or ser and acqus) or one of its pdata/N folders."
    )
