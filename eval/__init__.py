"""The scripted benchmark of Deconv Arena: ``python -m eval.benchmark --help``.

Modules
-------
datasets
    Test-image datasets and blur kernels (named, built-in or any folder).
protocols
    The degradation and measurement protocol of each task.
results
    The resumable ``results.csv`` store.
report
    Summaries: ``summary.json``, ``summary.md`` and ``summary.html``.
benchmark
    The command-line entry point that runs the grid.
cli
    What the command lines share: output-folder checks, write errors, Ctrl-C's exit status.
"""
