"""``qdkit.report`` is :mod:`qdkit.app.report` under its documented name (the same module object)."""

import sys

from qdkit.app import report as _home

sys.modules[__name__] = _home
