"""What the ``eval`` command lines share: checking an output folder, wording a failed write, Ctrl-C's exit status."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import restore_core as rc

#: Exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130
#: ``--methods`` words that select a group of methods (or codecs), and the family each selects (None: all).
METHOD_GROUPS = {"all": None, "all-classical": "classical", "all-learned": "learned"}


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


def error_text(error: Exception) -> str:
    """``Type: message`` on one line (a failed run's entry in ``results.csv``)."""
    return " ".join(f"{type(error).__name__}: {error}".split())


def os_error_text(error: OSError) -> str:
    """``path: reason`` of a failed file operation (e.g. ``out/results.csv: No space left on device``)."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def run_command(
    parser: argparse.ArgumentParser, work: Callable[[], int], advice: Callable[[], str], interrupted: Callable[[], str]
) -> int:
    """Run a command's work with the error handling every ``eval`` command line shares.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser: a :class:`RestoreError` (bad options, data or output places) exits
        through ``parser.error`` with status 2 and the message.
    work : callable
        The command's work, returning its exit status.
    advice : callable
        What to do after a failed write (printed after the file and the reason; status 1), worded when
        it happens (e.g. with the number of results saved by then).
    interrupted : callable
        What Ctrl-C leaves behind and how to go on (status :data:`INTERRUPTED`), worded when it happens.
    """
    try:
        return work()
    except rc.RestoreError as error:
        parser.error(str(error))
    except OSError as error:
        print(f"{parser.prog}: error: {os_error_text(error)}; {advice()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted: {interrupted()}", file=sys.stderr)
        return INTERRUPTED


def run_section_command(parser: argparse.ArgumentParser, write: Callable[[], object], section: Path) -> int:
    """Run a command whose work writes one Markdown section (``section``), with :func:`run_command`'s handling.

    Prints ``wrote <section>`` when done; a failed write or Ctrl-C says the section was not written.
    """

    def work() -> int:
        write()
        print(f"wrote {section}")
        return 0

    not_written = f"{section} not written"
    return run_command(
        parser,
        work,
        lambda: f"{not_written}; rerun once that is fixed",
        lambda: f"{not_written}; rerun the same command",
    )
