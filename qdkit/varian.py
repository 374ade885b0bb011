"""``qdkit.varian`` is :mod:`qdkit.io.varian` under its documented name (the same module object)."""

import sys

from qdkit.io import varian as _home

sys.modules[__name__] = _home
