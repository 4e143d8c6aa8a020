"""Where the runs of a benchmark grid execute: one after another in this process, or as Ray tasks.

``serial`` (the default) runs them in this process. ``ray`` makes each run a Ray task: on a
local Ray instance with one worker per core, or on an existing cluster (``--address`` or the
``RAY_ADDRESS`` environment variable; ``ray start --head`` on one machine, ``ray start
--address=HEAD:6379`` on the others). Either way :func:`execute` yields each run's outcome as it
finishes and the caller — the driver — is the only writer of the results file.

With Ray, every worker runs one thread per task (so a run's result does not depend on the
executor), a run whose worker dies is retried once and then reported through ``failed``, runs the
caller marks as GPU work ask for a share of a GPU when the cluster has GPUs (several runs share
one), and an interrupt (Ctrl-C) cancels the outstanding tasks. Ray is imported only here and only
when asked for: the library and the demo never load it.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

import restore_core as rc

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

#: The executors of ``--executor``.
EXECUTORS = ("serial", "ray")
#: Extra attempts of a run whose worker died (a crash, a lost node) before it is reported as failed.
RETRIES = 1
#: Share of a GPU that one GPU run asks for when the cluster has GPUs.
GPU_SHARE = 0.25
#: Seconds allowed to reach a cluster's address.
CONNECT_SECONDS = 10.0
#: Runs in flight per CPU of the cluster (more are submitted as they finish).
IN_FLIGHT_PER_CPU = 2
#: Environment of every Ray worker: one thread per task.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
#: The project folder, shipped to the workers of a remote cluster (without what git ignores).
PROJECT = Path(__file__).resolve().parents[1]
#: Folders of the project a remote cluster does not need.
NOT_SHIPPED = [".git", "docs", "tests", ".venv"]
#: What to do about an unreachable cluster, in the error message.
CLUSTER_HINT = (
    "start one with `ray start --head` (and `ray start --address=HEAD:6379` on the other machines), "
    "or drop --address/RAY_ADDRESS to run on a local Ray instance, or use --executor serial"
)


def cluster_address(address: str | None) -> str | None:
    """The Ray cluster to use: ``address``, else ``$RAY_ADDRESS``, else None (a local instance)."""
    return address or os.environ.get("RAY_ADDRESS") or None


def describe_workers(methods: Sequence[rc.Method]) -> str:
    """Where Ray runs ``methods``, in words (for the results' device column and the report)."""
    learned = any(method.family == "learned" for method in methods)
    shares = "; learned runs on a GPU share when the cluster has GPUs" if learned else ""
    return f"ray workers (1 CPU thread per run{shares})"


def execute(
    work: Callable[[Item], Outcome],
    items: Sequence[Item],
    *,
    failed: Callable[[Item, str], Outcome],
    label: Callable[[Item], str],
    executor: str = "serial",
    address: str | None = None,
    gpu: Callable[[Item], bool] = lambda item: False,
    desc: str = "runs",
    unit: str = "run",
) -> Iterator[tuple[Item, Outcome]]:
    """Run ``work`` on every item and yield ``(item, outcome)`` as each finishes, with a progress bar.

    Parameters
    ----------
    work : callable
        ``work(item) -> outcome``; it should catch its own errors (a run's error is part of its
        outcome). For Ray it must pickle (a module-level function or a ``functools.partial`` of one).
    items : sequence
        The runs.
    failed : callable
        ``failed(item, message) -> outcome`` for a run that raised or whose worker died twice.
    label : callable
        ``label(item)``: the run in words, for the progress bar.
    executor : {'serial', 'ray'}
        Where the runs execute (see the module docstring).
    address : str, optional
        ``ray``: the cluster's address (``HOST:PORT``, ``auto`` or ``ray://HOST:PORT``); None uses
        ``$RAY_ADDRESS`` or starts a local instance. Ignored by ``serial``.
    gpu : callable
        ``gpu(item)``: whether the run uses a GPU when there is one (``ray`` then reserves a share).
    desc, unit : str
        The progress bar's title and unit.

    Yields
    ------
    tuple
        ``(item, outcome)``, in the order the runs finish.

    Raises
    ------
    RestoreError
        For an unknown executor, a cluster that cannot be reached or Ray not installed.
    """
    if executor not in EXECUTORS:
        raise rc.RestoreError(f"unknown executor {executor!r}; choose {', '.join(EXECUTORS)}.")
    with tqdm(total=len(items), desc=desc, unit=unit, dynamic_ncols=True) as progress:
        if executor == "serial":
            for item in items:
                progress.set_postfix_str(label(item))
                yield item, work(item)
                progress.update()
        else:
            for item, outcome in _ray_runs(work, items, failed, cluster_address(address), gpu):
                progress.set_postfix_str(label(item))
                progress.update()
                yield item, outcome


def _run(work: Callable[[Any], Any], item: Any) -> Any:
    """A Ray task: one run."""
    return work(item)


def _ray_runs(
    work: Callable[[Item], Outcome],
    items: Sequence[Item],
    failed: Callable[[Item, str], Outcome],
    address: str | None,
    gpu: Callable[[Item], bool],
) -> Iterator[tuple[Item, Outcome]]:
    """The outcomes of the runs as Ray tasks, as they finish (a bounded window of tasks in flight)."""
    try:
        import ray
    except ImportError as error:
        raise rc.RestoreError("--executor ray needs Ray: pip install -r requirements-bench.txt") from error
    started = _connect(ray, address)
    try:
        resources = ray.cluster_resources()
        share = GPU_SHARE if resources.get("GPU", 0) > 0 else 0
        task = ray.remote(num_cpus=1, max_retries=RETRIES)(_run)
        shared_work = ray.put(work)
        queue = iter(items)
        window = max(2, IN_FLIGHT_PER_CPU * int(resources.get("CPU", 1)))
        pending: dict[Any, Item] = {}
        try:
            while True:
                while len(pending) < window and (item := next(queue, None)) is not None:
                    pending[task.options(num_gpus=share if gpu(item) else 0).remote(shared_work, item)] = item
                if not pending:
                    return
                ready, _ = ray.wait(list(pending), num_returns=1)
                item = pending.pop(ready[0])
                try:
                    outcome = ray.get(ready[0])
                except ray.exceptions.RayError as error:  # the run raised, or its worker died twice
                    outcome = failed(item, _ray_error_text(error))
                yield item, outcome
        finally:
            if not started:  # Ctrl-C or an error in the driver: stop what still runs (a shutdown below does it all)
                for reference in pending:  # not force=True: killing a worker whose reply is in flight crashes Ray
                    ray.cancel(reference)
    finally:
        if started:
            ray.shutdown()  # ends this job's workers, and with them its outstanding tasks


def _ray_error_text(error: Exception) -> str:
    """``Type: first line of the message`` of a Ray error (a task's own exception when it raised one)."""
    cause = getattr(error, "cause", None)
    shown = cause if isinstance(cause, Exception) else error
    lines = [line.strip() for line in str(shown).splitlines() if line.strip()]
    return f"{type(shown).__name__}: {lines[0] if lines else 'no message'}"


def _connect(ray: Any, address: str | None) -> bool:
    """Connect to the cluster at ``address`` or start a local instance; False when Ray was already running here.

    Raises
    ------
    RestoreError
        When the cluster cannot be reached within :data:`CONNECT_SECONDS` (one line, with what to do).
    """
    if ray.is_initialized():
        return False
    runtime_env: dict[str, Any] = {"env_vars": WORKER_ENV}
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
    if address is None:
        ray.init(runtime_env=runtime_env, **quiet)
        return True
    if address not in ("auto", "local") and not address.startswith("ray://"):
        _check_reachable(address)
    runtime_env.update(working_dir=str(PROJECT), excludes=NOT_SHIPPED)  # the code, to every node
    try:
        ray.init(address=address, runtime_env=runtime_env, **quiet)
    except Exception as error:  # Ray raises ConnectionError, RuntimeError or ValueError here
        ray.shutdown()
        reason = _ray_error_text(error)
        raise rc.RestoreError(
            f"cannot reach a Ray cluster at {address} ({reason}): {CLUSTER_HINT}. A cluster started with token "
            "authentication also needs RAY_AUTH_MODE=token and its token here (see the README)."
        ) from None
    return True


def _check_reachable(address: str) -> None:
    """Refuse a ``HOST:PORT`` address nothing answers at within :data:`CONNECT_SECONDS`.

    Raises
    ------
    RestoreError
        For a malformed address or one that does not answer.
    """
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise rc.RestoreError(f"--address {address!r} is not HOST:PORT (e.g. 10.0.0.1:6379), auto or ray://HOST:PORT.")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise rc.RestoreError(f"no Ray cluster answers at {address} ({reason}): {CLUSTER_HINT}.") from None


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--executor`` and ``--address`` options."""
    group = parser.add_argument_group("where the runs execute")
    group.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="serial",
        help="serial: one run after another in this process (default); ray: each run a Ray task, on a local "
        "Ray instance with one worker per core, or on the cluster of --address (same results either way)",
    )
    group.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="--executor ray: the head of an existing Ray cluster (`ray start --head` prints it; default "
        "$RAY_ADDRESS, else a local instance)",
    )


def check_executor_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse ``--address`` without ``--executor ray`` (exits with status 2)."""
    if args.address and args.executor != "ray":
        parser.error("--address applies to --executor ray")
