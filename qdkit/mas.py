"""``qdkit.mas`` is :mod:`qdkit.simulation.mas` under its documented name (the same module object)."""

import sys

from qdkit.simulation import mas as _home

sys.modules[__name__] = _home
