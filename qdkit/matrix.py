"""``qdkit.matrix``: a stable import path; the code lives in :mod:`qdkit.models.matrix` and :mod:`qdkit.models.loading`."""

from qdkit.models.loading import *
from qdkit.models.loading import __all__ as _all1
from qdkit.models.matrix import *
from qdkit.models.matrix import __all__ as _all0

__all__ = [*_all0, *_all1]
