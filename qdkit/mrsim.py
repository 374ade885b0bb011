"""``qdkit.mrsim`` is :mod:`qdkit.simulation.mrsim` under its documented name (the same module object)."""

import sys

from qdkit.simulation import mrsim as _home

sys.modules[__name__] = _home
