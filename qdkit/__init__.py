"""qdkit: DNP surface-enhanced solid-state NMR of colloidal quantum dots.

Read spectrometer data, process it reproducibly, and simulate what MAS, cross-polarization
and DNP do to the spectrum of a quantum dot (Piveteau et al., JACS 2015).

>>> import qdkit
>>> ds = qdkit.read("path/to/expno")          # doctest: +SKIP
>>> spec = qdkit.process(ds)                    # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qdkit.dataset import Dataset, Spectrum

from .errors import (
    CatalogError,
    MetadataError,
    ModelParameterError,
    OutputError,
    ProcessingError,
    QdkitError,
    ReadError,
    RecipeError,
    UnknownNucleusError,
)

__version__ = "0.2.0"

__all__ = [
    "read",
    "process",
    "QdkitError",
    "ReadError",
    "MetadataError",
    "UnknownNucleusError",
    "CatalogError",
    "ProcessingError",
    "RecipeError",
    "ModelParameterError",
    "OutputError",
]


def read(path: str | os.PathLike, *, procno: int | None = None) -> Dataset:
    """Read a dataset: a Bruker expno or ``pdata/N`` folder, a Varian/Agilent folder, a JCAMP-DX
    file, or qdkit's own ``.qdkit.npz``.

    Parameters
    ----------
    path : str or path-like
        The experiment folder or file.
    procno : int, optional
        Bruker processing number whose vendor parameters (LB, SI, phases, SR ...) to take
        (default: the ``pdata/N`` given in ``path``, else 1).

    Returns
    -------
    Dataset
        Raw data and one typed metadata record (``ds.meta``). Reading never writes.

    Raises
    ------
    ReadError, MetadataError, UnknownNucleusError
        For a missing, damaged or contradictory dataset, with what to do about it.

    See Also
    --------
    qdkit.io.read : the implementation.
    """
    from qdkit.io import read as _read

    return _read(path, procno=procno)


def process(dataset: Dataset, recipe: Iterable[dict[str, Any]] | str | os.PathLike | None = None) -> Spectrum:
    """Process a dataset with the default recipe, or replay ``recipe``.

    Parameters
    ----------
    dataset : Dataset
        What :func:`read` returned.
    recipe : list of dict, JSON text or path to a ``.json`` file, optional
        Steps to replay; default: TopSpin's processing parameters when the dataset has them,
        sensible values otherwise.

    Returns
    -------
    Spectrum
        ``spec.ppm``, ``spec.real``, ``spec.recipe`` (which replays to the same spectrum).

    See Also
    --------
    qdkit.processing.pipeline.process : the implementation.
    """
    from qdkit.processing.pipeline import process as _process

    return _process(dataset, recipe)
