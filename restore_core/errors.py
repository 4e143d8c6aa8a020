"""The one exception type the library raises for bad input."""

from __future__ import annotations


class RestoreError(ValueError):
    """Raised when an input, a parameter or an observation cannot be used.

    The message always says what was wrong and what would be accepted, so a
    user (or the UI, which shows it as is) can act on it.
    """
