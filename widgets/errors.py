"""The interactive layer's own error: a control set to a combination that cannot be shown.

Explorers catch it (and every :class:`qdkit.errors.QdkitError`) and show its message in the
panel; it never reaches the notebook.
"""

from __future__ import annotations

from qdkit.errors import QdkitError

__all__ = ["WidgetError"]


class WidgetError(QdkitError):
    """An interactive control was set to a combination that cannot be shown."""
