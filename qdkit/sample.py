"""``qdkit.sample`` is :mod:`qdkit.models.sample` under its documented name (the same module object)."""

import sys

from qdkit.models import sample as _home

sys.modules[__name__] = _home
