"""``qdkit.relaxation`` is :mod:`qdkit.analysis.relaxation` under its documented name (the same module object)."""

import sys

from qdkit.analysis import relaxation as _home

sys.modules[__name__] = _home
