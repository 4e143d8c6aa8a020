"""Restoration in worker processes: a crash, a hang or a memory blow-up in one method cannot take its caller down.

A :class:`WorkerPool` keeps a few warm processes (networks loaded once). Each :meth:`Worker.steps`
run sends one job (a restoration, or another library call such as a kernel estimate) to a worker and
watches it: progress comes back as messages; a cancel, an exceeded deadline or a dead worker (a
segfault in native code) ends the run at once by killing the process, and the pool replaces it. A
worker's address space is capped (``RLIMIT_AS``, on the CPU) at its warmed-up size plus
``memory_budget`` bytes, so one request cannot take the machine's memory; a worker that grew past
``recycle_bytes`` is replaced after its run, so memory is returned.

Workers come from a fork server (a clean process that imported the library once) where the
platform has one, else from fresh interpreters.

Examples
--------
>>> pool = WorkerPool(size=1)  # doctest: +SKIP
>>> with pool.worker() as worker:  # doctest: +SKIP
...     image = worker.restore(observation, "bm3d", {}, timeout=60)
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from .errors import RestoreError
from .observation import Observation

#: How often a waiting caller looks at its worker (seconds).
POLL_SECONDS = 0.02
#: Least time between two progress messages of a worker (seconds).
PROGRESS_SECONDS = 0.1
Progress = Callable[[int, int], None]
#: A worker's job: ``(function, args, kwargs)``, run as ``function(*args, progress=..., **kwargs)``.
Job = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class MethodFailed(RestoreError):
    """The method raised in the worker (its message as it was); the worker goes on serving."""


class RunCancelled(RestoreError):
    """The caller stopped the run (a cancel, a closed page); the worker was killed."""


class RunTimedOut(RestoreError):
    """The run went past its deadline; the worker was killed."""


class WorkerCrashed(RestoreError):
    """The worker process died during the run (native crash, or killed for memory)."""


def resident_bytes(pid: int) -> int | None:
    """Resident memory of process ``pid`` in bytes (Linux ``/proc``); None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system (glibc ``malloc_trim``; a no-op elsewhere).

    glibc keeps freed memory for reuse, so a process that once held a large image stays large;
    a server calls this after each request so its resident size returns to what it really uses.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _limit_address_space(budget: int) -> None:
    """Cap this process's address space at its current size plus ``budget`` bytes (CPU only, where supported)."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    from .device import get_device

    if get_device().type == "cuda":  # CUDA reserves huge address ranges: the cap would break it
        return
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (size + budget, resource.RLIM_INFINITY))


def _describe(error: BaseException, budget: int | None) -> str:
    """The message a worker sends back for a failed run."""
    if isinstance(error, RestoreError):
        return str(error)
    out_of_memory = isinstance(error, MemoryError) or "can't allocate memory" in str(error).lower()
    if out_of_memory and budget:
        return f"needs more than its memory budget ({budget / 2**30:.1f} GiB): try a smaller image."
    return f"{type(error).__name__}: {error}"


def _restore(observation: Observation, method: str, progress: Progress | None = None, **params: Any) -> np.ndarray:
    """:func:`restore_core.restore` (imported in the worker, where the registry is filled)."""
    from .registry import restore

    return restore(observation, method, progress, **params)


def restore_job(observation: Observation, method: str, params: dict[str, Any] | None = None) -> Job:
    """The job of restoring ``observation`` with ``method`` and its ``params`` (for :meth:`Worker.steps`)."""
    return _restore, (observation, method), dict(params or {})


def _serve(conn: Connection, initializer: Callable[[], None] | None, budget: int | None) -> None:
    """A worker's life: warm up, then run each job ``(function, args, kwargs)`` received until EOF.

    The function is called as ``function(*args, progress=report, **kwargs)``; its result (or its
    error's message) goes back to the caller.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends the workers
    if initializer is not None:
        initializer()
    release_free_memory()
    if budget:
        _limit_address_space(budget)
    conn.send(("ready", None))
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        if done >= total or time.monotonic() - last >= PROGRESS_SECONDS:
            last = time.monotonic()
            conn.send(("progress", (done, total)))

    while True:
        try:
            function, args, kwargs = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("result", function(*args, progress=report, **kwargs)))
        except Exception as error:  # every failure goes back to the caller as a message
            conn.send(("error", _describe(error, budget)))
        release_free_memory()


def _context() -> multiprocessing.context.BaseContext:
    """A fork server that has imported the library (and the caller's main module), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "restore_core"])
    return context


class Worker:
    """One worker process and the pipe to it (made by :class:`WorkerPool`)."""

    def __init__(
        self,
        context: multiprocessing.context.BaseContext,
        initializer: Callable[[], None] | None,
        memory_budget: int | None,
    ) -> None:
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, initializer, memory_budget), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def resident_bytes(self) -> int | None:
        """The worker's resident memory in bytes (None where it cannot be read)."""
        return resident_bytes(self.process.pid)

    def kill(self) -> None:
        """End the worker at once (it is not reused)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self._conn.close()

    def _receive(self, progress: Progress | None) -> tuple[bool, Any]:
        """Handle the messages waiting: ``(True, image)`` once the result came, else ``(False, None)``."""
        while self._conn.poll():
            kind, payload = self._conn.recv()
            if kind == "ready":
                self.ready = True
            elif kind == "progress" and progress is not None:
                progress(*payload)
            elif kind == "result":
                return True, payload
            elif kind == "error":
                raise MethodFailed(payload)
        return False, None

    def _died(self) -> WorkerCrashed:
        """The error for a worker that died; the worker is cleaned up."""
        self.process.join(timeout=5)
        code = self.process.exitcode
        self.kill()
        if code is not None and code < 0:
            cause = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
            return WorkerCrashed(f"crashed ({cause}) and was stopped; the server is fine: try other settings.")
        return WorkerCrashed(f"its worker process ended unexpectedly (exit code {code}).")

    def steps(
        self,
        job: Job,
        progress: Progress | None = None,
        deadline: float | None = None,
        stopped: Callable[[], bool] | None = None,
    ) -> Generator[None, None, Any]:
        """Run one job in the worker, yielding while it computes; the generator's return value is its result.

        Drive it with :meth:`restore`, :meth:`restore_async` or :meth:`call_async`. Closing the
        generator early (a caller cancelled) kills the worker.

        Parameters
        ----------
        job : tuple
            ``(function, args, kwargs)``: a module-level function (it travels by reference), called in
            the worker as ``function(*args, progress=..., **kwargs)``.
        progress : callable, optional
            ``progress(done, total)``, called with the worker's progress reports.
        deadline : float, optional
            ``time.monotonic()`` value past which the run is stopped.
        stopped : callable, optional
            Polled while waiting: True stops the run.

        Raises
        ------
        RestoreError
            The job's own error, or :class:`RunCancelled`, :class:`RunTimedOut`, :class:`WorkerCrashed`.
        """
        sent = False
        finished = False
        try:
            while True:
                try:
                    done, result = self._receive(progress)
                    if done:
                        finished = True
                        return result
                    if self.ready and not sent:
                        self._conn.send(job)
                        sent = True
                except MethodFailed:
                    finished = True  # the method's own error: the worker is sound and takes the next run
                    raise
                except (EOFError, OSError) as error:  # the pipe broke: the worker died
                    raise self._died() from error
                if not self.process.is_alive() and not self._conn.poll():
                    raise self._died()
                if stopped is not None and stopped():
                    raise RunCancelled("stopped on request.")
                if deadline is not None and time.monotonic() > deadline:
                    raise RunTimedOut("stopped: the run's time budget was spent.")
                yield
        finally:
            if not finished:  # an error, a cancel, a deadline or a closed generator: the worker is not reused
                self.kill()

    def restore(
        self, observation: Observation, method: str, params: dict[str, Any] | None = None, *,
        progress: Progress | None = None, timeout: float | None = None, stopped: Callable[[], bool] | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Restore in the worker (:func:`restore_core.restore`), blocking; ``timeout`` in seconds from now."""
        deadline = None if timeout is None else time.monotonic() + timeout
        steps = self.steps(restore_job(observation, method, params), progress, deadline, stopped)
        try:
            while True:
                next(steps)
                time.sleep(POLL_SECONDS)
        except StopIteration as end:
            return end.value
        finally:
            steps.close()

    async def restore_async(
        self, observation: Observation, method: str, params: dict[str, Any] | None = None, *,
        progress: Progress | None = None, deadline: float | None = None, stopped: Callable[[], bool] | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Restore in the worker without blocking the event loop; cancelling the task kills the worker."""
        job = restore_job(observation, method, params)
        return await self.call_async(job, progress=progress, deadline=deadline, stopped=stopped)

    async def call_async(
        self, job: Job, *, progress: Progress | None = None, deadline: float | None = None,
        stopped: Callable[[], bool] | None = None,
    ) -> Any:  # fmt: skip
        """Run any ``job`` (see :meth:`steps`) without blocking the event loop; cancelling the task kills the worker.

        Examples
        --------
        >>> kernel = await worker.call_async((rc.estimate_kernel, (image,), {}), deadline=deadline)  # doctest: +SKIP
        """
        steps = self.steps(job, progress, deadline, stopped)
        try:
            while True:
                next(steps)
                await asyncio.sleep(POLL_SECONDS)
        except StopIteration as end:
            return end.value
        finally:
            steps.close()

    @property
    def alive(self) -> bool:
        """Whether the worker can take another run."""
        return self.process.is_alive() and not self._conn.closed


class WorkerPool:
    """A fixed number of worker processes, each serving one run at a time.

    Parameters
    ----------
    size : int
        How many workers (runs at once).
    initializer : callable, optional
        Picklable function each worker calls once at start (e.g. load the networks).
    memory_budget : int, optional
        Bytes a worker may grow by beyond its warmed-up size (address-space cap); None: no cap.
    recycle_bytes : int, optional
        A worker whose resident memory exceeds this after a run is replaced (memory returned).
    """

    def __init__(
        self,
        size: int,
        initializer: Callable[[], None] | None = None,
        memory_budget: int | None = None,
        recycle_bytes: int | None = None,
    ) -> None:
        if size < 1:
            raise RestoreError(f"a worker pool needs at least one worker, got {size}.")
        self.size = size
        self._initializer = initializer
        self._memory_budget = memory_budget
        self._recycle_bytes = recycle_bytes
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._busy: set[Worker] = set()
        self._started = False
        self._lock = threading.Lock()
        self._context = _context()

    def _new_worker(self) -> Worker:
        return Worker(self._context, self._initializer, self._memory_budget)

    def start(self) -> None:
        """Start the workers (they warm up in the background); called by the first :meth:`worker`."""
        with self._lock:
            if not self._started:
                for _ in range(self.size):
                    self._idle.put(self._new_worker())
                self._started = True

    def _lend(self, worker: Worker) -> Worker:
        self._busy.add(worker)
        return worker

    def _release(self, worker: Worker) -> None:
        """Put a worker back, or a fresh one in its place when it died or grew past ``recycle_bytes``."""
        self._busy.discard(worker)
        size = worker.resident_bytes() if worker.alive else None
        if not worker.alive or (self._recycle_bytes and size and size > self._recycle_bytes):
            worker.kill()
            worker = self._new_worker()
        self._idle.put(worker)

    @contextlib.contextmanager
    def worker(self, timeout: float | None = None) -> Iterator[Worker]:
        """Borrow a worker, waiting up to ``timeout`` seconds for a free one (blocking)."""
        self.start()
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty as error:
            raise RunTimedOut(f"no worker became free within {timeout:g} s.") from error
        try:
            yield self._lend(worker)
        finally:
            self._release(worker)

    @contextlib.asynccontextmanager
    async def worker_async(self, deadline: float | None = None) -> Any:
        """Borrow a worker without blocking the event loop, waiting until ``deadline`` (``time.monotonic()``)."""
        self.start()
        while True:
            try:
                worker = self._idle.get_nowait()
                break
            except queue.Empty:
                if deadline is not None and time.monotonic() > deadline:
                    raise RunTimedOut("stopped: no worker became free within the run's time budget.") from None
                await asyncio.sleep(POLL_SECONDS * 5)
        try:
            yield self._lend(worker)
        finally:
            self._release(worker)

    def busy_pids(self) -> list[int]:
        """Process ids of the workers running a method now."""
        return [worker.process.pid for worker in list(self._busy)]

    def close(self) -> None:
        """Kill every idle worker (busy ones end with their runs' callers)."""
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return
