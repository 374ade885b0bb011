"""``qdkit.cli`` is :mod:`qdkit.app.cli` under its documented name (the same module object)."""

import sys

from qdkit.app import cli as _home

sys.modules[__name__] = _home
