"""``python -m restore_core``: the command line of :mod:`restore_core.cli`."""

from .cli import main

raise SystemExit(main())
