"""``qdkit.twod``: a stable import path; the code lives in :mod:`qdkit.processing.twod`, :mod:`qdkit.processing.series` and :mod:`qdkit.processing.pipeline`."""

from qdkit.processing.pipeline import process_2d, recipe_2d, with_indirect_carrier
from qdkit.processing.series import *
from qdkit.processing.series import __all__ as _all1
from qdkit.processing.twod import *
from qdkit.processing.twod import __all__ as _all0

__all__ = [*_all0, *_all1, "process_2d", "recipe_2d", "with_indirect_carrier"]
