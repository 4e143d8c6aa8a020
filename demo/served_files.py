"""Pictures a callback returns are served from PNG files of its own, never from Gradio's shared cache paths.

Gradio saves a NumPy output to ``<cache>/<hash of the PNG bytes>/image.png`` by truncating and
rewriting that file on every call, so two users who get byte-identical pictures at the same moment
(the same example with the same methods) share one path, and one user's download can meet the
other's rewrite: a truncated response, "peer closed connection without sending complete message
body". A file path output is copied into the cache under a temporary name and renamed into place
(atomic), and an existing copy is never rewritten. :func:`as_files` therefore wraps the demo's
callbacks so every 8-bit picture they return becomes a PNG in a fresh folder of that call.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from PIL import Image

Function = TypeVar("Function", bound=Callable[..., Any])

#: Where the per-call folders live; Gradio copies the files into its cache before answering.
ROOT = Path(tempfile.gettempdir()) / "deconv_arena"
#: Call folders older than this are removed when a new one is made (seconds).
KEEP_SECONDS = 3600.0


def call_folder(root: Path = ROOT, keep_seconds: float = KEEP_SECONDS) -> Path:
    """A new, empty folder for one call's files; folders of calls older than ``keep_seconds`` are removed.

    Parameters
    ----------
    root : Path
        Parent of the call folders (created when missing).
    keep_seconds : float
        Age (by modification time) beyond which an earlier call's folder is deleted.

    Returns
    -------
    Path
        The new folder.
    """
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - keep_seconds
    for old in root.iterdir():
        try:
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except FileNotFoundError:  # another call removed it first
            continue
    return Path(tempfile.mkdtemp(dir=root))


def own_gradio_cache(root: Path = ROOT) -> Path:
    """Give this app process a Gradio cache folder of its own, and remove those of app processes that are gone.

    Gradio deletes the files it served when it shuts down cleanly, never those of an app that
    was killed: they would pile up across restarts. Each app therefore caches into
    ``root/gradio-<pid>`` (through ``GRADIO_TEMP_DIR``, read when the Blocks are built) and, at
    start, deletes the folders of the processes no longer running. A ``GRADIO_TEMP_DIR`` set by
    the user is kept as it is.

    Returns
    -------
    Path
        The cache folder in use.
    """
    chosen = os.environ.get("GRADIO_TEMP_DIR")
    if chosen:
        return Path(chosen)
    root.mkdir(parents=True, exist_ok=True)
    for folder in root.glob("gradio-*"):
        pid = folder.name.removeprefix("gradio-")
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    folder = root / f"gradio-{os.getpid()}"
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    return folder


def _running(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        return True
    return True


def _file_name(caption: str | None, index: int) -> str:
    """``"03_TV_Chambolle.png"`` from the caption's method part (before `` — ``), else ``"03.png"``."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", caption.split(" — ")[0]).strip("_") if caption else ""
    return f"{index:02d}_{stem}.png" if stem else f"{index:02d}.png"


def pictures_to_files(value: Any, folder: Path) -> Any:
    """``value`` with every 8-bit picture in it (at any depth of tuples, lists and dicts) written to a PNG path.

    Parameters
    ----------
    value : Any
        A callback's return value: uint8 arrays (HxW or HxWx3/4), ``(picture, caption)`` gallery
        items, ``gr.update`` dicts, and anything else, which is returned unchanged.
    folder : Path
        Where the PNG files are written (lossless).

    Returns
    -------
    Any
        The same structure with each picture replaced by the path of its PNG.
    """
    count = 0

    def convert(item: Any, caption: str | None = None) -> Any:
        nonlocal count
        if isinstance(item, np.ndarray) and item.dtype == np.uint8 and item.ndim in (2, 3):
            path = folder / _file_name(caption, count)
            count += 1
            Image.fromarray(item).save(path, format="PNG", compress_level=1)
            return str(path)
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
            return (convert(item[0], item[1]), item[1])
        if isinstance(item, (tuple, list)):
            return type(item)(convert(element) for element in item)
        if isinstance(item, dict):
            return {key: convert(element) for key, element in item.items()}
        return item

    return convert(value)


def _serve(value: Any) -> Any:
    """``value`` with its pictures written to a fresh call folder (removed again when it stays empty)."""
    folder = call_folder()
    served = pictures_to_files(value, folder)
    if not any(folder.iterdir()):
        folder.rmdir()
    return served


def as_files(callback: Function) -> Function:
    """Wrap a callback so the pictures it returns are served from PNG files of a fresh call folder.

    The wrapper keeps the callback's name, docstring and signature (Gradio reads the
    ``gr.Progress`` default from it), and stays a coroutine function when the callback is one.
    The folder is made only after the callback returns: a callback that raises (``gr.Error``)
    leaves no folder behind.
    """
    if inspect.iscoroutinefunction(callback):

        @functools.wraps(callback)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(_serve, await callback(*args, **kwargs))

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _serve(callback(*args, **kwargs))

    return wrapper  # type: ignore[return-value]
