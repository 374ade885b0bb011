"""``qdkit.powder`` is :mod:`qdkit.simulation.powder` under its documented name (the same module object)."""

import sys

from qdkit.simulation import powder as _home

sys.modules[__name__] = _home
