"""qdkit: DNP surface-enhanced solid-state NMR of colloidal quantum dots.

Read spectrometer data, process it reproducibly, and simulate what MAS, cross-polarization
and DNP do to the spectrum of a quantum dot (Piveteau et al., JACS 2015).

>>> import qdkit
>>> ds = qdkit.read("path/to/expno")          # doctest: +SKIP
>>> spec = qdkit.process(ds)                    # doctest: +SKIP
"""

from __future__ import annotations

from .errors import (
    MetadataError,
    ModelParameterError,
    OutputError,
    ProcessingError,
    QdkitError,
    ReadError,
    RecipeError,
    UnknownNucleusError,
    WidgetError,
)

__version__ = "0.2.0"

__all__ = [
    "read",
    "process",
    "QdkitError",
    "ReadError",
    "MetadataError",
    "UnknownNucleusError",
    "ProcessingError",
    "RecipeError",
    "ModelParameterError",
    "OutputError",
    "WidgetError",
]


def read(path, **kwargs):
    """Read a dataset (Bruker expno or pdata/N folder, Varian folder, JCAMP-DX, qdkit file).

    See :func:`qdkit.io.read`.
    """
    from .io import read as _read

    return _read(path, **kwargs)


def process(dataset, recipe=None, **kwargs):
    """Process a dataset with the default recipe, or replay ``recipe``.

    See :func:`qdkit.processing.process`.
    """
    from .processing import process as _process

    return _process(dataset, recipe, **kwargs)
