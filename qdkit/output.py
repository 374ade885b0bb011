"""``qdkit.output`` is :mod:`qdkit.app.output` under its documented name (the same module object)."""

import sys

from qdkit.app import output as _home

sys.modules[__name__] = _home
