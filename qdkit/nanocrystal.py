"""``qdkit.nanocrystal`` is :mod:`qdkit.models.nanocrystal` under its documented name (the same module object)."""

import sys

from qdkit.models import nanocrystal as _home

sys.modules[__name__] = _home
