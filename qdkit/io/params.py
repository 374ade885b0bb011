"""Bruker parameter files (acqus, procs, acqu2s ...) and the numbers in them.

nmrglue parses the JCAMP-style files; this module guards it against damaged files and turns
values into numbers with clear errors.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

from qdkit.errors import MetadataError
from qdkit.io._lazy import nmrglue as ng

__all__ = [
    "read_parameter_file",
    "required_num",
    "num",
    "num_value",
    "num_at",
]


class _EndGuard:
    """A file wrapper for nmrglue's parameter parser, which loops forever when a file ends
    inside an array value (it keeps asking for the rest of the list). After the end of the
    file has been returned a few times, the next request raises; nmrglue then gives up on
    that line and stops at the following end-of-file."""

    _PATIENCE = 8

    def __init__(self, fh):
        self._fh = fh
        self._ends = 0
        self.cut_short = False

    def readline(self) -> str:
        line = self._fh.readline()
        if line:
            return line
        self._ends += 1
        if self._ends == self._PATIENCE:
            self.cut_short = True
            raise EOFError("parameter file ends inside a value list")
        return ""


def read_parameter_file(path: Path) -> dict[str, Any]:
    """Parse one JCAMP-style TopSpin parameter file (acqus, procs ...) with nmrglue.

    Latin-1 decoding never fails, so stray non-UTF-8 bytes (owner names, comments) do not
    stop the read; the numeric parameters are ASCII in every TopSpin version.

    Parameters
    ----------
    path : Path
        The parameter file.

    Returns
    -------
    dict
        Parameter name (without ``$``) → value, as nmrglue parses it.

    Raises
    ------
    MetadataError
        For a missing, empty or unparsable file.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise MetadataError(
            f"{path} is missing. A Bruker experiment folder needs its parameter file "
            f"'{path.name}' next to the data; copy the whole experiment folder from the spectrometer."
        ) from None
    if size == 0:
        raise MetadataError(
            f"{path} is empty (0 bytes); it should hold TopSpin's parameters as '##$NAME= value' "
            "lines. Copy the file again from the spectrometer."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open(path, encoding="latin-1") as fh:
                lines = _EndGuard(fh)
                dic = ng.bruker.parse_jcamp_file(lines, {"_coreheader": [], "_comments": []})
    except Exception as exc:  # nmrglue raises bare ValueError/IndexError on garbage
        raise MetadataError(
            f"{path} could not be parsed as a TopSpin parameter file ({exc}). "
            "Expected '##$NAME= value' lines; the file is probably damaged - copy it again."
        ) from None
    if lines.cut_short:
        raise MetadataError(
            f"{path} ends in the middle of a list of values (the file was cut short). "
            "Copy the file again from the spectrometer."
        )
    if not any(k in dic for k in ("TD", "SI", "SW_h", "SF")):
        raise MetadataError(
            f"{path} holds no TopSpin parameters (no TD, SW_h, SI or SF found). "
            "Expected '##$NAME= value' lines; the file is damaged or not a parameter file - "
            "copy it again from the spectrometer."
        )
    return dic


def required_num(dic: dict, key: str, path: Path, cast=float):
    """A parameter the data layout depends on (TD, SW_h, BF1 ...), as a finite number.

    Parameters
    ----------
    dic : dict
        Parsed parameter file.
    key : str
        Parameter name.
    path : Path
        The file, for the message.
    cast : type, default float
        ``float`` or ``int``.

    Returns
    -------
    float or int

    Raises
    ------
    MetadataError
        When the parameter is absent or not a finite number.
    """
    try:
        value = float(dic[key])
        if not math.isfinite(value):
            raise ValueError
        return int(value) if cast is int else cast(value)
    except KeyError:
        raise MetadataError(
            f"{path} has no {key} parameter, which qdkit needs to read the data. "
            "The parameter file is incomplete; copy it again from the spectrometer."
        ) from None
    except (TypeError, ValueError, OverflowError):
        raise MetadataError(
            f"{path}: parameter {key} = {dic[key]!r} is not a number. The file is damaged; "
            "copy it again from the spectrometer."
        ) from None


def num(dic: dict[str, Any], key: str, default=None, cast=float):
    """Optional numeric parameter: ``default`` when absent or not a finite number.

    Only the parameters that fix the data layout are required (see :func:`required_num`);
    a garbled MASR or TE must not stop the data from being read.

    Parameters
    ----------
    dic : dict
        Parsed parameter file.
    key : str
        Parameter name.
    default : optional
        Returned when the value is absent or unusable.
    cast : type, default float
        ``float`` or ``int``.

    Returns
    -------
    float, int or the default

    Examples
    --------
    >>> num({"MASR": "10000"}, "MASR")
    10000.0
    >>> num({"MASR": "garbled"}, "MASR", default=0.0)
    0.0
    """
    return num_value(dic.get(key), default, cast)


def num_value(value: Any, default=None, cast=float):
    """``cast(value)`` for a finite number (or numeric text), else ``default``.

    Parameters
    ----------
    value : object
        A parameter value.
    default : optional
        Returned for anything not a finite number.
    cast : type, default float
        ``float`` or ``int``.

    Returns
    -------
    float, int or the default
    """
    if value is None or isinstance(value, (list, dict, tuple)):
        return default
    try:
        x = float(value)
        if not math.isfinite(x):
            return default
        return int(x) if cast is int else cast(x)
    except (TypeError, ValueError, OverflowError):
        return default


def num_at(values: Any, index: int, default=None):
    """Element ``index`` of an array parameter (P, D, CNST, L) as a float, else ``default``.

    Parameters
    ----------
    values : sequence
        The array parameter.
    index : int
        Which element (TopSpin's numbering: ``D[1]`` is d1).
    default : optional
        Returned when the element is missing or not a finite number.

    Returns
    -------
    float or the default
    """
    if not isinstance(values, (list, tuple)) or index >= len(values):
        return default
    return num_value(values[index], default)
