"""``qdkit.cpmg``: a stable import path; the code lives in :mod:`qdkit.processing.cpmg`, :mod:`qdkit.processing.echoes`."""

from qdkit.processing.cpmg import *
from qdkit.processing.cpmg import __all__ as _all0
from qdkit.processing.echoes import *
from qdkit.processing.echoes import __all__ as _all1

__all__ = [*_all0, *_all1]
