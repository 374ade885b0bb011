"""``qdkit.plan`` is :mod:`qdkit.analysis.plan` under its documented name (the same module object)."""

import sys

from qdkit.analysis import plan as _home

sys.modules[__name__] = _home
