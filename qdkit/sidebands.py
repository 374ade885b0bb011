"""``qdkit.sidebands`` is :mod:`qdkit.analysis.isotropic` under its documented name (the same module object)."""

import sys

from qdkit.analysis import isotropic as _home

sys.modules[__name__] = _home
