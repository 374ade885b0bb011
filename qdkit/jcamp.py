"""``qdkit.jcamp`` is :mod:`qdkit.io.jcamp` under its documented name (the same module object)."""

import sys

from qdkit.io import jcamp as _home

sys.modules[__name__] = _home
