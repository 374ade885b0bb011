"""Errors raised by qdkit.

Every failure a user can meet is a ``QdkitError`` subclass whose message names the file or
parameter, what was expected, and what to do about it.
"""

from __future__ import annotations


class QdkitError(Exception):
    """Root of every error qdkit raises on purpose."""


class ReadError(QdkitError):
    """A dataset could not be found, opened or decoded."""


class MetadataError(ReadError):
    """A dataset's parameter files are missing, garbled or contradict each other."""


class UnknownNucleusError(QdkitError, KeyError):
    """A nucleus label is not in qdkit's isotope table."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ProcessingError(QdkitError):
    """A processing step got input it cannot handle."""


class RecipeError(ProcessingError):
    """A recipe is malformed or names an unknown step."""


class ModelParameterError(QdkitError, ValueError):
    """A physical model was given parameters outside its domain."""


class OutputError(QdkitError):
    """Results could not be written (or would overwrite something)."""


class CatalogError(QdkitError):
    """The experiment catalog file is missing, malformed or contains an impossible value."""


class QdkitWarning(UserWarning):
    """A dataset contradicts itself or lacks something; qdkit chose a value and says which."""
