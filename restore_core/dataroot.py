"""The data root: the folder holding ``train/``, ``test/``, ``kernels/`` and ``real/``.

It is never part of the package; commands take it from ``--data-root`` or, by
default, from the ``DECONV_DATA`` environment variable.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

#: Environment variable naming the default data root.
DATA_ROOT_ENV = "DECONV_DATA"


def data_root_from_env() -> Path | None:
    """The data root named by ``DECONV_DATA``, or None when unset or empty."""
    value = os.environ.get(DATA_ROOT_ENV, "")
    return Path(value) if value else None


def add_data_root_argument(parser: argparse.ArgumentParser, holds: str) -> None:
    """Add ``--data-root DIR`` (default ``$DECONV_DATA``) to a command line; ``holds`` says what it must contain."""
    parser.add_argument(
        "--data-root",
        type=Path,
        default=data_root_from_env(),
        metavar="DIR",
        help=f"folder holding {holds} (default: ${DATA_ROOT_ENV})",
    )
