"""Hugging Face Spaces entry point: ``python app.py`` builds the Deconv Arena demo and serves it.

The server name comes from ``GRADIO_SERVER_NAME`` (default ``127.0.0.1``) and the port
from ``PORT`` or ``GRADIO_SERVER_PORT`` (see :func:`demo.launch_options`).
"""

from demo import build_app, launch_options
from demo.callbacks import POOL
from demo.served_files import own_gradio_cache


def main() -> None:
    """Serve the app until interrupted; the worker processes start (and load the networks) at once.

    The app caches served files in a folder of its own; those of earlier, killed runs are removed.
    """
    own_gradio_cache()
    POOL.start()
    app = build_app()
    app.launch(prevent_thread_lock=True, **launch_options())
    try:
        app.block_thread()
    finally:
        POOL.close()


if __name__ == "__main__":
    main()
