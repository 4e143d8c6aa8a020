"""Worker processes (restore_core.workers): crashes, hangs and memory blow-ups stay in the worker."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import numpy as np
import pytest

import restore_core as rc
from restore_core.workers import MethodFailed, RunCancelled, RunTimedOut, WorkerCrashed, WorkerPool, resident_bytes

BUDGET = 512 * 2**20


def register_misbehaving_methods() -> None:
    """Worker initializer: methods that crash, hang (reporting progress) or ask for too much memory."""

    @rc.register("test_segfault", "Segfault", "classical", ["denoise"])
    def segfault(observation: rc.Observation) -> np.ndarray:
        os.kill(os.getpid(), signal.SIGSEGV)
        return observation.image

    @rc.register("test_sleep", "Sleep", "classical", ["denoise"])
    def sleep(observation: rc.Observation, progress=None) -> np.ndarray:
        for step in range(10_000):
            if progress is not None:
                progress(step, 10_000)
            time.sleep(0.01)
        return observation.image

    @rc.register("test_hog", "Hog", "classical", ["denoise"])
    def hog(observation: rc.Observation) -> np.ndarray:
        return np.ones(4 * BUDGET, dtype=np.uint8)  # 2 GiB > the budget


@pytest.fixture(scope="module")
def pool() -> WorkerPool:
    workers = WorkerPool(1, initializer=register_misbehaving_methods, memory_budget=BUDGET)
    yield workers
    workers.close()


@pytest.fixture(scope="module")
def observation() -> rc.Observation:
    return rc.degrade(rc.sample_image("camera", 64), "denoise", sigma=25, seed=0)


def test_a_worker_restores_like_the_library_and_reports_progress(pool, observation) -> None:
    steps = []
    with pool.worker() as worker:
        image = worker.restore(observation, "tv", {"weight": 0.1},
                               progress=lambda done, total: steps.append((done, total)), timeout=60)  # fmt: skip
    np.testing.assert_array_equal(image, rc.restore(observation, "tv", weight=0.1))
    with pool.worker() as worker:
        with pytest.raises(MethodFailed, match="parameter 'weight' of tv must be in"):
            worker.restore(observation, "tv", {"weight": -1.0}, timeout=60)
        assert worker.alive, "a method's own error leaves its worker serving"
        assert worker.restore(observation, "identity", timeout=60).shape == observation.clean_shape


def test_any_library_call_runs_in_a_worker_with_its_progress(pool) -> None:
    """A kernel estimate (the demo's blind step) runs as a job: same kernel as in-process, progress per scale."""
    truth = rc.motion_kernel(7, 30)
    blurred = rc.degrade(rc.sample_image("camera", 96), "deblur", kernel=truth, boundary="reflect", sigma=1.0, seed=0)
    steps = []

    async def estimate(size: object) -> np.ndarray:
        async with pool.worker_async() as worker:
            job = (rc.estimate_kernel, (blurred.image,), {"size": size})
            deadline = time.monotonic() + 60
            return await worker.call_async(job, progress=lambda *step: steps.append(step), deadline=deadline)

    np.testing.assert_array_equal(asyncio.run(estimate(9)), rc.estimate_kernel(blurred.image, size=9))
    assert steps and steps[-1][0] == steps[-1][1], "every scale's progress reached the caller"
    with pytest.raises(MethodFailed, match="kernel size must be a whole number"):
        asyncio.run(estimate(2.5))


def test_a_native_crash_is_an_error_and_the_pool_goes_on(pool, observation) -> None:
    with pool.worker() as worker:
        pid = worker.process.pid
        with pytest.raises(WorkerCrashed, match="crashed \\(SIGSEGV\\)"):
            worker.restore(observation, "test_segfault", timeout=60)
    with pool.worker() as worker:
        assert worker.process.pid != pid
        assert worker.restore(observation, "identity", timeout=60).shape == observation.clean_shape


def stopped_run(pool: WorkerPool, observation: rc.Observation, stop: str) -> tuple[float, list]:
    """Seconds until a hanging method is stopped by a 1 s ``timeout`` or ``stopped`` check, and its progress."""
    steps = []
    with pool.worker() as worker:
        worker.restore(observation, "identity", timeout=60)  # warmed up: the clock below measures the run only
        start = time.monotonic()
        options = {"timeout": 1.0} if stop == "timeout" else {"stopped": lambda: time.monotonic() > start + 1.0}
        with pytest.raises(RunTimedOut if stop == "timeout" else RunCancelled):
            worker.restore(observation, "test_sleep", progress=lambda *step: steps.append(step), **options)
        assert not worker.process.is_alive()
    return time.monotonic() - start, steps


@pytest.mark.parametrize("stop", ["timeout", "stopped"])
def test_a_deadline_or_a_stop_kills_the_worker_at_once(pool, observation, stop: str) -> None:
    seconds, steps = stopped_run(pool, observation, stop)
    assert 1.0 <= seconds < 3
    assert steps and steps[0] == (0, 10_000), "progress reached the caller while the method ran"


def test_cancelling_an_async_run_kills_its_worker(pool, observation) -> None:
    async def cancel_after(seconds: float) -> int:
        async with pool.worker_async() as worker:
            await worker.restore_async(observation, "identity")
            task = asyncio.ensure_future(worker.restore_async(observation, "test_sleep"))
            await asyncio.sleep(seconds)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return worker.process.pid

    pid = asyncio.run(cancel_after(0.5))
    time.sleep(0.2)
    assert resident_bytes(pid) is None, "the cancelled worker is gone"


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="the memory budget is enforced on Linux")
def test_a_method_over_the_memory_budget_fails_with_a_message(pool, observation) -> None:
    with pool.worker() as worker, pytest.raises(rc.RestoreError, match="needs more than its memory budget"):
        worker.restore(observation, "test_hog", timeout=60)
    with pool.worker() as worker:
        assert worker.restore(observation, "identity", timeout=60).shape == observation.clean_shape


def test_a_grown_worker_is_replaced_after_its_run(observation) -> None:
    pool = WorkerPool(1, recycle_bytes=1)  # every worker is "too big": each run gets a fresh one
    try:
        with pool.worker() as worker:
            worker.restore(observation, "identity", timeout=60)
            first = worker.process
        with pool.worker() as worker:
            assert worker.process is not first and not first.is_alive()
    finally:
        pool.close()
    with pytest.raises(rc.RestoreError, match="at least one worker"):
        WorkerPool(0)
