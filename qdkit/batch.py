"""``qdkit.batch`` is :mod:`qdkit.app.batch` under its documented name (the same module object)."""

import sys

from qdkit.app import batch as _home

sys.modules[__name__] = _home
