"""``qdkit.infer`` is :mod:`qdkit.analysis.infer` under its documented name (the same module object)."""

import sys

from qdkit.analysis import infer as _home

sys.modules[__name__] = _home
