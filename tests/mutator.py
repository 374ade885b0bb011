"""A mutator over real datasets: deterministic corruptions of the files a reader meets.

Each mutation takes the bytes of one file and a random generator and returns the corrupted
bytes (or ``None`` to delete the file). Mutations model what a lab archive really holds:
interrupted copies (truncation), disk errors (flipped bytes), hand-edited or garbled
parameter files, parameters from another spectrometer, and plain junk.
"""

from __future__ import annotations

import re

import numpy as np

_NUMBER = re.compile(rb"(##\$?[A-Z0-9_]+= *)(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)")
_NONSENSE_VALUES = [
    b"",
    b"abc",
    b"-1",
    b"0",
    b"1e999",
    b"-1e999",
    b"nan",
    b"inf",
    b"99999999999",
    b"3.5",
    b"<>",
    b"(0..3)",
    b"\xff\xfe",
    b"2147483648",
    b"-2147483649",
]
_KEYS = [
    b"TD",
    b"SW_h",
    b"SW",
    b"SFO1",
    b"BF1",
    b"O1",
    b"NS",
    b"D",
    b"DTYPA",
    b"BYTORDA",
    b"DECIM",
    b"DSPFVS",
    b"GRPDLY",
    b"MASR",
    b"CNST",
    b"P",
    b"TE",
    b"SI",
    b"PHC0",
    b"PHC1",
    b"LB",
    b"SR",
    b"SF",
    b"WDW",
    b"NC_proc",
    b"TDeff",
    b"FnMODE",
    b"PH_mod",
    b"np",
    b"sw",
    b"sfrq",
    b"nt",
    b"FTSIZE",
]


def truncate(data: bytes, rng) -> bytes:
    return data[: int(rng.integers(0, max(len(data), 1)))]


def truncate_to_odd(data: bytes, rng) -> bytes:
    n = int(rng.integers(1, max(len(data), 2)))
    return data[: n - (n % 4 == 0)]


def empty(data: bytes, rng) -> bytes:
    return b""


def delete(data: bytes, rng) -> None:
    return None


def flip_bytes(data: bytes, rng) -> bytes:
    if not data:
        return b"\x00"
    buf = bytearray(data)
    for i in rng.integers(0, len(buf), size=int(rng.integers(1, 64))):
        buf[i] = int(rng.integers(0, 256))
    return bytes(buf)


def append_junk(data: bytes, rng) -> bytes:
    return data + rng.bytes(int(rng.integers(1, 4096)))


def junk(data: bytes, rng) -> bytes:
    return rng.bytes(int(rng.integers(1, 2048)))


def float_nan_inf(data: bytes, rng) -> bytes:
    """Reinterpret the file as float64 and plant NaN / inf values (a broken converter)."""
    n = len(data) // 8
    if n == 0:
        return data
    arr = np.frombuffer(data[: n * 8], dtype="<f8").copy()
    idx = rng.integers(0, n, size=max(1, n // 50))
    arr[idx] = rng.choice([np.nan, np.inf, -np.inf], size=idx.size)
    return arr.tobytes() + data[n * 8 :]


def garble_value(data: bytes, rng) -> bytes:
    """Replace one numeric parameter value by nonsense."""
    hits = list(_NUMBER.finditer(data))
    if not hits:
        return data + b"\n##$TD= abc\n"
    m = hits[int(rng.integers(0, len(hits)))]
    value = _NONSENSE_VALUES[int(rng.integers(0, len(_NONSENSE_VALUES)))]
    return data[: m.start(2)] + value + data[m.end(2) :]


def garble_key(data: bytes, rng) -> bytes:
    """Set one well-known parameter (TD, SW, SFO1, DTYPA ...) to nonsense."""
    key = _KEYS[int(rng.integers(0, len(_KEYS)))]
    value = _NONSENSE_VALUES[int(rng.integers(0, len(_NONSENSE_VALUES)))]
    pattern = re.compile(rb"(##\$" + key + rb"= *)([^\n]*)")
    if pattern.search(data):
        return pattern.sub(lambda m: m.group(1) + value, data, count=1)
    # Varian procpar: "name 1 1 ... \n1 value"
    vpat = re.compile(rb"(^" + key + rb" [^\n]*\n1 )([^\n]*)", re.M)
    return vpat.sub(lambda m: m.group(1) + value, data, count=1)


def drop_lines(data: bytes, rng) -> bytes:
    lines = data.split(b"\n")
    keep = rng.random(len(lines)) > rng.uniform(0.02, 0.5)
    return b"\n".join(line for line, k in zip(lines, keep) if k)


def unknown_nucleus(data: bytes, rng) -> bytes:
    label = [b"<999Xx>", b"<off>", b"<>", b"<13c>", b"<Cd>", b"<\xe9\xe8>"][int(rng.integers(0, 6))]
    return re.sub(rb"(##\$NUC1= *)<[^>]*>", lambda m: m.group(1) + label, data, count=1)


def non_utf8_title(data: bytes, rng) -> bytes:
    return data.replace(b"##TITLE=", b"##TITLE= \xff\xfe\xe9 titre \x80 ", 1) + b"\n\xc3\x28 caf\xe9\n"


def huge_td(data: bytes, rng) -> bytes:
    return re.sub(rb"(##\$TD= *)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) * 64).encode(), data, count=1)


def flip_byte_order(data: bytes, rng) -> bytes:
    return re.sub(
        rb"(##\$BYTORDA= *)(\d)", lambda m: m.group(1) + (b"0" if m.group(2) == b"1" else b"1"), data, count=1
    )


def float_dtype(data: bytes, rng) -> bytes:
    return re.sub(rb"(##\$DTYPA= *)(\d)", lambda m: m.group(1) + (b"2" if m.group(2) == b"0" else b"0"), data, count=1)


DATA_MUTATIONS = [truncate, truncate_to_odd, empty, delete, flip_bytes, append_junk, junk, float_nan_inf]
TEXT_MUTATIONS = [
    truncate,
    empty,
    delete,
    flip_bytes,
    junk,
    garble_value,
    garble_key,
    drop_lines,
    unknown_nucleus,
    non_utf8_title,
    huge_td,
    flip_byte_order,
    float_dtype,
    append_junk,
]
