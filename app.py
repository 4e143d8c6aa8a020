"""Hugging Face Spaces entry point: ``python app.py`` builds the Deconv Arena demo and serves it.

The server name comes from ``GRADIO_SERVER_NAME`` (default ``127.0.0.1``) and the port
from ``PORT`` or ``GRADIO_SERVER_PORT`` (see :func:`demo.launch_options`).
"""

from demo import build_app, launch_options
from demo.callbacks import POOL


def main() -> None:
    """Build the app and serve it until interrupted; the worker processes start (and load the networks) at once."""
    POOL.start()
    app = build_app()
    app.launch(prevent_thread_lock=True, **launch_options())
    try:
        app.block_thread()
    finally:
        POOL.close()


if __name__ == "__main__":
    main()
