"""``qdkit.bruker``: a stable import path; the code lives in :mod:`qdkit.io.bruker`, :mod:`qdkit.io.params`, :mod:`qdkit.io.metadata`, :mod:`qdkit.io.pulseprog`."""

from qdkit.io.bruker import *
from qdkit.io.bruker import __all__ as _all0
from qdkit.io.metadata import *
from qdkit.io.metadata import __all__ as _all2
from qdkit.io.params import *
from qdkit.io.params import __all__ as _all1
from qdkit.io.pulseprog import *
from qdkit.io.pulseprog import __all__ as _all3

__all__ = [*_all0, *_all1, *_all2, *_all3]
