"""``qdkit.matrix`` is :mod:`qdkit.models.matrix` under its documented name (the same module object)."""

import sys

from qdkit.models import matrix as _home

sys.modules[__name__] = _home
