"""``qdkit.quadrupolar`` is :mod:`qdkit.simulation.quadrupolar` under its documented name (the same module object)."""

import sys

from qdkit.simulation import quadrupolar as _home

sys.modules[__name__] = _home
