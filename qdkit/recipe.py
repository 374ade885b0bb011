"""``qdkit.recipe``: a stable import path; the code lives in :mod:`qdkit.processing.recipe` and :mod:`qdkit.processing.steps`."""

from qdkit.processing.recipe import *
from qdkit.processing.recipe import __all__ as _all0
from qdkit.processing.steps import apply, registered_steps

__all__ = [*_all0, "apply", "registered_steps"]
