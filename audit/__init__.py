"""The audit trail. Pages call `audit.record(request, Action.VIEW_PATIENT, patient=patient)`.

The package itself imports nothing from Django's models, so that settings can name its log filter
before the apps are loaded.
"""

from __future__ import annotations

from typing import Any


def record(*args: Any, **kwargs: Any) -> Any:
    """See audit.actions.record."""
    from .actions import record as write

    return write(*args, **kwargs)
