"""What one request may cost the server: time, memory and decoded pixels (each settable by an environment variable).

``DECONV_RUN_SECONDS``
    Time budget of one run, all its methods together (default 120 s). Methods still running
    when it is spent are stopped; the results of those that finished are shown.
``DECONV_WORKER_MEMORY_GB``
    How much a worker process may grow beyond its warmed-up size during one method (default 1.25 GiB).
``DECONV_RECYCLE_GB``
    A worker whose resident memory exceeds this after a run is replaced, returning the memory (default 1 GiB).
"""

from __future__ import annotations

import os

from restore_core import RestoreError


def _positive(variable: str, default: float) -> float:
    """A positive number from the environment, else ``default``; a bad value raises at start-up with a message."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise RestoreError(f"{variable} must be a positive number, got {text!r}.")
    return value


#: Runs computed at once (worker processes); more wait in Gradio's queue.
RUNS_AT_ONCE = 2
#: Live previews computed at once (each decodes an upload, reduced, and degrades it).
PREVIEWS_AT_ONCE = 2
#: Seconds one run (all its methods) may take.
RUN_SECONDS = _positive("DECONV_RUN_SECONDS", 120.0)
#: Bytes a worker may grow by while restoring (its address space is capped there).
WORKER_MEMORY = int(_positive("DECONV_WORKER_MEMORY_GB", 1.25) * 2**30)
#: Resident bytes above which a worker is replaced after its run.
RECYCLE_BYTES = int(_positive("DECONV_RECYCLE_GB", 1.0) * 2**30)
