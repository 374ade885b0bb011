"""``qdkit.hmqc`` is :mod:`qdkit.models.hmqc` under its documented name (the same module object)."""

import sys

from qdkit.models import hmqc as _home

sys.modules[__name__] = _home
