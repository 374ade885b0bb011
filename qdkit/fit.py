"""``qdkit.fit`` is :mod:`qdkit.analysis.fit` under its documented name (the same module object)."""

import sys

from qdkit.analysis import fit as _home

sys.modules[__name__] = _home
