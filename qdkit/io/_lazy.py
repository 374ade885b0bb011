"""nmrglue, imported the first time a file is decoded rather than when ``qdkit`` is imported.

nmrglue's file readers import its processing package, which imports ``scipy.signal``: about
0.6 CPU-s. A model or an explorer that never reads a vendor file (the sample model, a
kernel started for a class) does not pay it.
"""

from __future__ import annotations

import importlib


class _LazyModule:
    """Stands in for a module; the first attribute looked up imports it."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


nmrglue = _LazyModule("nmrglue")
