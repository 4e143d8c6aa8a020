"""What the ``eval`` command lines share: checking an output folder, wording a failed write, Ctrl-C's exit status."""

from __future__ import annotations

import tempfile
from pathlib import Path

import restore_core as rc

#: Exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


def prepare_folder(folder: Path, option: str = "--out") -> None:
    """Create ``folder`` if needed and check that files can be written in it.

    Parameters
    ----------
    folder : Path
        The folder.
    option : str
        The command-line option that named it, for the message.

    Raises
    ------
    RestoreError
        Saying why not: a file in the way, no permission, a read-only file system, ...
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        blocking = next((path for path in (folder, *folder.parents) if path.is_file()), None)
        reason = f"{blocking} is a file" if blocking is not None else error.strerror or str(error)
        raise rc.RestoreError(
            f"{option} {folder} is not a writable folder ({reason}); choose another {option}."
        ) from error


def os_error_text(error: OSError) -> str:
    """``path: reason`` of a failed file operation (e.g. ``out/results.csv: No space left on device``)."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error)
