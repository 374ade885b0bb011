"""``qdkit.cp`` is :mod:`qdkit.models.cp` under its documented name (the same module object)."""

import sys

from qdkit.models import cp as _home

sys.modules[__name__] = _home
