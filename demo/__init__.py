"""The Gradio demo of Deconv Arena: classical and learned restoration side by side.

The package holds only the user interface; every degradation, restoration and
metric goes through :mod:`restore_core`.

Examples
--------
>>> from demo import build_app, launch_options
>>> build_app().launch(**launch_options())  # doctest: +SKIP
"""

from .app import build_app, launch_options

__all__ = ["build_app", "launch_options"]
