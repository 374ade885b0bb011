"""qdkit's interactive layer: explorers built from ipywidgets and bokeh, holding no physics.

Every number an explorer plots or prints comes from a ``qdkit`` call; the widgets only
hold state, lay out controls and replace columns of bokeh data sources.

>>> from widgets import SpectrumExplorer        # doctest: +SKIP
>>> SpectrumExplorer(material="InP", nucleus="31P")   # displays the app
"""

from __future__ import annotations

from .explorer import SpectrumExplorer
from .teaching import (
    CPBuildupExplorer,
    PolarizationExplorer,
    RelayedDiffusionExplorer,
    SensitivityExplorer,
)

__all__ = [
    "SpectrumExplorer",
    "PolarizationExplorer",
    "CPBuildupExplorer",
    "RelayedDiffusionExplorer",
    "SensitivityExplorer",
]
