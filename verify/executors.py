"""Where a run's tasks execute: this process, a pool of local processes, or a Dask cluster.

Every executor has one method that matters, :meth:`run`: it takes a picklable task function
and a list of picklable tasks and yields ``(task, result)`` pairs **as the results arrive**;
the runner files them and puts them back in trial order. Tasks carry only identifiers (claim
id, index, seed, device, solver) and return JSON-able dicts, so they pickle cheaply and a
remote worker needs nothing but the same package installed.

* :class:`Inline` (``--workers 1``): one after another in this process.
* :class:`Pool` (``--workers N``): a :class:`concurrent.futures.ProcessPoolExecutor` of ``N``
  fresh (spawned) processes, each pinned by :func:`pin_threads` when it starts.
* :class:`Dask` (``--scheduler ADDRESS``): the tasks go to the workers of a Dask distributed
  cluster (``distributed.Client(ADDRESS)``; its futures behave like concurrent.futures).

Threads are pinned everywhere (:func:`pin_threads`): one BLAS thread and one torch thread per
process, which is fastest for the claims' small arrays when processes fill the cores and fixes
the order of every floating-point reduction, so a trial gives the same numbers whichever
executor runs it.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

from bnproofs.data import InputError

_pinned = False


def pin_threads(torch_threads: int = 1) -> None:
    """One BLAS thread (threadpoolctl) and ``torch_threads`` torch intra-op threads in this
    process, from now on."""
    global _pinned
    threadpool_limits(limits=1)
    try:
        import torch  # optional: claims that train networks need it
    except ImportError:
        pass
    else:
        torch.set_num_threads(torch_threads)
    _pinned = True


def ensure_pinned() -> None:
    """:func:`pin_threads` with one torch thread, unless this process is pinned already (a Dask
    worker is pinned by the first task it runs)."""
    if not _pinned:
        pin_threads(1)


def _exit_with(parent) -> None:
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(1)


def _start_worker(torch_threads: int) -> None:
    """A pool process: pinned, deaf to Ctrl-C (the parent decides what stops), and gone as soon
    as its parent is (a parent killed with SIGKILL leaves no idle workers behind)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(multiprocessing.parent_process(),),
                     daemon=True).start()
    pin_threads(torch_threads)


@contextmanager
def _deaf_children():
    """Ignore Ctrl-C while processes start, so they start ignoring it (Python keeps an ignored
    SIGINT ignored): a Ctrl-C is the parent's to handle, even while a worker still imports."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


class Inline:
    """Run each task in this process, in order."""

    name = "inline"

    def run(self, fn: Callable, tasks: Iterable) -> Iterator[tuple]:
        for t in tasks:
            yield t, fn(t)

    def close(self, abort: bool = False) -> None:
        pass


class Pool:
    """A pool of ``workers`` spawned local processes (spawned, not forked: a forked copy of a
    process that has started BLAS or torch threads may deadlock)."""

    def __init__(self, workers: int, torch_threads: int = 1):
        self.name = f"processes:{workers}"
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_start_worker, initargs=(torch_threads,))

    def run(self, fn: Callable, tasks: Iterable) -> Iterator[tuple]:
        with _deaf_children():
            futures = {self.pool.submit(fn, t): t for t in tasks}  # starts the processes
        for f in as_completed(futures):
            yield futures[f], f.result()

    def close(self, abort: bool = False) -> None:
        """Shut down; ``abort``: drop the queued tasks and end the running ones now."""
        if abort:
            for p in list(getattr(self.pool, "_processes", {}).values()):
                p.kill()
        self.pool.shutdown(wait=not abort, cancel_futures=True)


class Dask:
    """The workers of the Dask cluster whose scheduler listens at ``address``."""

    def __init__(self, address: str, timeout: float = 20.0):
        import distributed  # only a cluster run pays for importing it

        self.name = f"dask:{address}"
        self._as_completed = distributed.as_completed
        try:
            self.client = distributed.Client(address, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler {address}: cannot reach a Dask scheduler "
                             f"({type(exc).__name__}: {exc})") from None
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            self.client.close()
            raise InputError(f"--scheduler {address}: no worker joined the cluster within "
                             f"{timeout:g} s (start some: dask worker {address})") from None
        self.futures = []

    def run(self, fn: Callable, tasks: Iterable) -> Iterator[tuple]:
        tasks = list(tasks)
        self.futures = self.client.map(fn, tasks, pure=False)
        task_of = {f.key: t for f, t in zip(self.futures, tasks, strict=True)}
        for f in self._as_completed(self.futures):
            yield task_of[f.key], f.result()

    def workers(self) -> int:
        return len(self.client.scheduler_info()["workers"])

    def close(self, abort: bool = False) -> None:
        if abort and self.futures:
            self.client.cancel(self.futures)
        self.client.close()


def make_executor(workers: int, scheduler: str | None, tasks: int, torch_threads: int = 1):
    """The executor for a run of ``tasks`` tasks: Dask when ``scheduler`` is given, else a pool
    of ``min(workers, tasks)`` processes, or :class:`Inline` when that is one."""
    if scheduler:
        return Dask(scheduler)
    n = min(workers, tasks)
    return Pool(n, torch_threads) if n > 1 else Inline()
