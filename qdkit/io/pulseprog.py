"""Bruker pulse programs: reading them and what they tell (CP or not, CPMG echo timing)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from qdkit.io.params import num, num_at, num_value

__all__ = [
    "needs_pulse_program",
    "read_pulse_program",
    "is_cross_polarization",
    "cpmg_timing",
]


# --- pulse programs ---------------------------------------------------------------------

_CPMG_NAME = re.compile(r"cpmg", re.IGNORECASE)
_CP_NAME = re.compile(r"cp(?!mg|d)", re.IGNORECASE)  # cp, cpmas, cp90 ... but not cpmg or cpd


def needs_pulse_program(pulprog: str | None, acqus: dict[str, Any]) -> bool:
    """Only CP and CPMG experiments need the pulse program text (keeps reading fast).

    Parameters
    ----------
    pulprog : str or None
        The pulse program's name (PULPROG).
    acqus : dict
        The acquisition parameters.

    Returns
    -------
    bool
    """
    name = pulprog or ""
    return bool(_CPMG_NAME.search(name) or _CP_NAME.search(name) or "cpmg" in str(acqus.get("ZGOPTNS", "")).lower())


def read_pulse_program(expno: Path, acqus: dict[str, Any]) -> list[str] | None:
    """Lines of the pulse program stored with the data, with comments removed and the
    ``#ifdef NAME`` blocks resolved for the ``-DNAME`` options in ZGOPTNS.

    Parameters
    ----------
    expno : Path
        The experiment folder (holding ``pulseprogram``).
    acqus : dict
        The acquisition parameters (for ZGOPTNS).

    Returns
    -------
    list of str or None
        None when the folder holds no pulse program.
    """
    path = expno / "pulseprogram"
    try:
        text = path.read_bytes().decode("latin-1")
    except OSError:
        return None
    defined = set(re.findall(r"-D\s*(\w+)", str(acqus.get("ZGOPTNS", ""))))
    lines: list[str] = []
    active = [True]
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        m = re.match(r"#\s*(ifdef|ifndef)\s+(\w+)", line)
        if m:
            cond = (m.group(2) in defined) == (m.group(1) == "ifdef")
            active.append(active[-1] and cond)
            continue
        if re.match(r"#\s*else\b", line) and len(active) > 1:
            active[-1] = (not active[-1]) and active[-2]
            continue
        if re.match(r"#\s*endif\b", line) and len(active) > 1:
            active.pop()
            continue
        if line and not line.startswith("#") and active[-1]:
            lines.append(line)
    return lines


def is_cross_polarization(pulprog: str, program: list[str] | None) -> bool:
    """A CP experiment: 'cp' in the program name (not cpmg/cpd) and, where the pulse program
    is at hand, a contact pulse p15 in it (Bruker's convention for the CP contact time).

    Parameters
    ----------
    pulprog : str
        The pulse program's name.
    program : list of str or None
        Its lines, from :func:`read_pulse_program`.

    Returns
    -------
    bool
    """
    if not _CP_NAME.search(pulprog):
        return False
    if program is None:
        return True
    return any(re.search(r"\bp15\b", line) for line in program)


_UNITS_S = {"": 1e-6, "u": 1e-6, "m": 1e-3, "s": 1.0}  # a bare number in a pulse program is µs


def _duration_s(token: str, acqus: dict[str, Any]) -> float | None:
    """Duration of one pulse-program event (``d6``, ``p1``, ``de``, ``1u``, ``30m``)."""
    token = token.strip("()")
    token = token.split(":", 1)[0]
    m = re.fullmatch(r"([dp])(\d+)", token, re.IGNORECASE)
    if m:
        values = acqus.get("D" if m.group(1).lower() == "d" else "P") or []
        i = int(m.group(2))
        if i >= len(values):
            return None
        value = num_value(values[i])
        return None if value is None else value * (1.0 if m.group(1).lower() == "d" else 1e-6)
    if token.lower() == "de":
        return num(acqus, "DE", 0.0) * 1e-6
    m = re.fullmatch(r"(\d+(?:\.\d*)?)([usm]?)", token)
    if m:
        return float(m.group(1)) * _UNITS_S[m.group(2)]
    return None


def cpmg_timing(program: list[str], acqus: dict[str, Any], n_points: int, sw_hz: float):
    """Number of echoes in the data and the echo period, from the pulse program's echo loop.

    The echo loop is the ``lo to LABEL times lN`` loop whose body holds a pulse and a
    receiver window; its period is the sum of the durations of its events (values from
    acqus: TopSpin stores the evaluated D and P there). The echo count is ``lN`` (plus one
    when the program opens the receiver once more just before the loop, as in double-echo
    CPMG), capped at what the stored data can hold: co-added single echoes are 1.

    Parameters
    ----------
    program : list of str
        Pulse program lines, from :func:`read_pulse_program`.
    acqus : dict
        The acquisition parameters.
    n_points : int
        Complex points stored in the direct dimension.
    sw_hz : float
        Spectral width, Hz.

    Returns
    -------
    (echoes, period_us, extra) : tuple
        Echoes in the data and the period in µs (both None when no echo loop is found), and
        ``{"cpmg_echoes_acquired": n}`` with the loop's own count.
    """
    labels = {}
    for i, line in enumerate(program):
        m = re.match(r"(\d+)\s+(.*)", line)
        if m:
            labels[m.group(1)] = i
    for i, line in enumerate(program):
        m = re.match(r"lo\s+to\s+(\d+)\s+times\s+(l\d+|\d+)", line, re.IGNORECASE)
        if not m or m.group(1) not in labels:
            continue
        start = labels[m.group(1)]
        body = [re.sub(r"^\d+\s+", "", ln) for ln in program[start:i]]
        if not any(re.search(r"\bp\d+\b", ln) for ln in body):
            continue
        total = 0.0
        for ln in body:
            token = ln.split()[0]
            dt = _duration_s(token, acqus)
            if dt is None:
                break
            total += dt
        else:
            if total <= 0:
                continue
            count_token = m.group(2).lower()
            if count_token.startswith("l"):
                loops = acqus.get("L") or []
                k = int(count_token[1:])
                loop_echoes = num_at(loops, k)
                loop_echoes = int(loop_echoes) if loop_echoes is not None and loop_echoes >= 0 else None
            else:
                loop_echoes = int(count_token)
            if loop_echoes is None:
                return None, None, {}
            before = program[max(0, start - 3) : start]
            if any("REC_UNBLK" in ln for ln in before):
                loop_echoes += 1
            period_us = round(total * 1e6, 6)
            acquired_us = n_points / sw_hz * 1e6
            in_data = min(loop_echoes, max(1, math.ceil(acquired_us / period_us)))
            return in_data, period_us, {"cpmg_echoes_acquired": loop_echoes}
    return None, None, {}
