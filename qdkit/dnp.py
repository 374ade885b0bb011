"""``qdkit.dnp`` is :mod:`qdkit.models.dnp` under its documented name (the same module object)."""

import sys

from qdkit.models import dnp as _home

sys.modules[__name__] = _home
