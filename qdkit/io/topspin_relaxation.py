"""TopSpin's T1/T2 relaxation module output (``pdata/N/ct1t2.txt``): measured and fitted curves.

Reads the delays, the measured and TopSpin-fitted intensities and TopSpin's own results
(``T1 = 2.401s`` ...) so qdkit's fits (:mod:`qdkit.analysis.relaxation`) can be run on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from qdkit.errors import ReadError

__all__ = ["TopspinRelaxationCurve", "read_topspin_relaxation", "RESULT_FILE"]

RESULT_FILE = "ct1t2.txt"

#: TopSpin writes times with an engineering suffix: 500u, 10.000m, 1.500s.
_UNITS = {"u": 1e-6, "µ": 1e-6, "m": 1e-3, "s": 1.0, "": 1.0}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TIME = re.compile(rf"^({_NUMBER})\s*([uµms]?)s?$")
_ROW = re.compile(rf"^\s*(\d+)\s+({_NUMBER}\s*[uµms]?s?)\s+({_NUMBER})\s+({_NUMBER})(?:\s+({_NUMBER}))?\s*$")
_RESULT = re.compile(rf"^\s*([A-Za-z][\w\[\]()]*)\s*=\s*({_NUMBER})\s*([uµm]s?|s)?\s*$")
_LABEL = re.compile(r"(?:for|of)\s+((?:Integral|Peak)\s+\d+[^,]*)", re.IGNORECASE)


@dataclass(frozen=True)
class TopspinRelaxationCurve:
    """One curve of a ``ct1t2.txt``: TopSpin's delays, measured and calculated intensities.

    ``results`` holds TopSpin's fitted quantities by name (times converted to seconds and
    given a ``_s`` suffix, e.g. ``T1_s``; others as written, e.g. ``I[0]``, ``P``, ``SD``).

    Attributes
    ----------
    label : str
        The region TopSpin fitted (``"Integral 1, Integral Region from ..."``), else
        ``"curve N"``.
    delays_s : tuple of float
        The delays τ, s (converted from TopSpin's ``u``/``m``/``s`` suffixes).
    measured, calculated : tuple of float
        TopSpin's measured (Expt) and fitted (Calc) intensities at ``delays_s``.
    results : dict of str to float
        TopSpin's fitted quantities (see above).
    function : str or None
        The fitted function as TopSpin writes it, e.g. ``I[t]=I[0]+P*exp(-t/T1)``.
    source : str
        The file read.
    """

    label: str
    delays_s: tuple[float, ...]
    measured: tuple[float, ...]
    calculated: tuple[float, ...]
    results: dict[str, float] = field(default_factory=dict)
    function: str | None = None
    source: str = ""


def _seconds(token: str) -> float:
    m = _TIME.match(token.strip())
    if not m:
        raise ValueError(token)
    return float(m.group(1)) * _UNITS[m.group(2)]


def _result_file(path: Path) -> Path:
    if path.is_file():
        return path
    if not path.is_dir():
        raise ReadError(
            f"{path} does not exist. Give a ct1t2.txt file, or the pdata/N or experiment folder holding one."
        )
    if (path / RESULT_FILE).is_file():
        return path / RESULT_FILE
    pdata = path / "pdata"
    if pdata.is_dir():
        found = sorted(
            (p / RESULT_FILE for p in pdata.iterdir() if p.name.isdigit() and (p / RESULT_FILE).is_file()),
            key=lambda f: int(f.parent.name),
        )
        if found:
            return found[0]
    raise ReadError(
        f"{path} holds no TopSpin relaxation result ({RESULT_FILE}); run the T1/T2 module in TopSpin "
        "(it writes pdata/N/ct1t2.txt), or fit the integrals with qdkit.relaxation.fit_recovery_models."
    )


def read_topspin_relaxation(path) -> list[TopspinRelaxationCurve]:
    """Read the curves of a TopSpin relaxation-module result file.

    Parameters
    ----------
    path : path
        ``ct1t2.txt`` itself, or a ``pdata/N`` folder or experiment folder holding one
        (the lowest procno with a result is used).

    Returns
    -------
    list of TopspinRelaxationCurve
        One per table (one per integral region or peak TopSpin fitted), in file order.

    Raises
    ------
    ReadError
        If ``path`` does not exist or holds no ``ct1t2.txt``, a delay cannot be read, or the
        file holds no table of delays and intensities.

    Notes
    -----
    The layout read is the one TopSpin's relaxation module writes: a header naming the
    fitted function (``I[t]=I[0]+P*exp(-t/T1)``), for each region a ``Results`` block of
    ``name = value`` lines and a table ``Point Tau Expt Calc Difference`` whose delays carry
    a unit suffix (``u``, ``m``, ``s``).
    """
    f = _result_file(Path(path).expanduser())
    text = f.read_bytes().decode("latin-1")
    curves: list[TopspinRelaxationCurve] = []
    function = None
    label = None
    results: dict[str, float] = {}
    rows: list[tuple[float, float, float]] = []

    def close_table():
        nonlocal rows, results
        if rows:
            curves.append(
                TopspinRelaxationCurve(
                    label=label or f"curve {len(curves) + 1}",
                    delays_s=tuple(r[0] for r in rows),
                    measured=tuple(r[1] for r in rows),
                    calculated=tuple(r[2] for r in rows),
                    results=dict(results),
                    function=function,
                    source=str(f),
                )
            )
            rows, results = [], {}

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.replace(" ", "").startswith("I[t]="):
            function = stripped
            continue
        m_label = _LABEL.search(stripped)
        if m_label and not _ROW.match(line):
            close_table()
            label = m_label.group(1).strip()
            continue
        m_row = _ROW.match(line)
        if m_row:
            try:
                rows.append((_seconds(m_row.group(2)), float(m_row.group(3)), float(m_row.group(4))))
            except ValueError:
                raise ReadError(f"{f}: cannot read the delay {m_row.group(2)!r} in line {line.strip()!r}.") from None
            continue
        m_res = _RESULT.match(line)
        if m_res:
            if rows:  # a new Results block after a table starts the next curve
                close_table()
            name, value, unit = m_res.group(1), float(m_res.group(2)), m_res.group(3)
            if unit:
                results[f"{name}_s"] = value * _UNITS[unit[0] if unit != "s" else ""]
            else:
                results[name] = value
    close_table()
    if not curves:
        raise ReadError(
            f"{f} holds no table of delays and intensities (lines 'point  tau  expt  calc  difference'); "
            "it is not a TopSpin relaxation result or it was cut short."
        )
    return curves
