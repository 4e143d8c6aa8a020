"""Hugging Face Spaces entry point: ``python app.py`` builds the Deconv Arena demo and serves it.

The server name comes from ``GRADIO_SERVER_NAME`` (default ``127.0.0.1``) and the port
from ``PORT`` or ``GRADIO_SERVER_PORT`` (see :func:`demo.launch_options`).
"""

from demo import build_app, launch_options


def main() -> None:
    """Build the app and serve it until interrupted."""
    build_app().launch(**launch_options())


if __name__ == "__main__":
    main()
