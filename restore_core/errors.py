"""The exception the library raises for bad input, and the warning it gives for input it uses only in part."""

from __future__ import annotations


class RestoreError(ValueError):
    """Raised when an input, a parameter or an observation cannot be used.

    The message always says what was wrong and what would be accepted, so a
    user (or the UI, which shows it as is) can act on it.
    """


class FirstFrameWarning(UserWarning):
    """Warned when an image file holds several frames (animated GIF, multi-page TIFF) and only the first is read.

    The message says how many frames the file has, so a user (or the UI, which shows it
    as a notice) knows the rest were ignored.
    """
