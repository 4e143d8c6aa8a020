"""Training of the shipped networks, by responsibility: data, loop, checkpoints, model cards.

The command line is :mod:`restore_core.train` (``python -m restore_core.train``).
"""
