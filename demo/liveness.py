"""Whether the browser (or API client) that started the current event is still there.

Gradio marks a queued event's job dead when its client disconnects (a closed tab) but leaves the
function running; a run polls :func:`client_gone` to stop its worker instead of computing for nobody.
"""

from __future__ import annotations

from collections.abc import Callable

from gradio.context import LocalContext


def client_gone() -> Callable[[], bool]:
    """A check, for the event being processed now, that turns True once its client has disconnected.

    Outside a queued Gradio event (a direct call, a test) the check is always False.
    """
    blocks, event_id = LocalContext.blocks.get(None), LocalContext.event_id.get(None)
    queue = getattr(blocks, "_queue", None)
    if queue is None or event_id is None:
        return lambda: False

    def gone() -> bool:
        for jobs in list(queue.active_jobs):
            for job in jobs or ():
                if job._id == event_id:
                    return not job.alive
        return False

    return gone
