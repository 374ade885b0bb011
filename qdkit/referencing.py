"""``qdkit.referencing`` is :mod:`qdkit.processing.referencing` under its documented name (the same module object)."""

import sys

from qdkit.processing import referencing as _home

sys.modules[__name__] = _home
