"""Worker processes for large index writes that live and die with the run that started them.

Whoosh's multi-process writer forks workers that take batches of documents off a queue.
Its ``cancel()`` only flips a flag in the parent's copy of each worker, so a cancelled or
killed run left workers blocked on the queue for good, holding whatever the parent held.
Here each worker asks the kernel to kill it when its parent dies, ignores Ctrl-C (the
parent cancels the run and stops them, so no worker prints a traceback), and ``cancel()``
really stops them.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
from contextlib import contextmanager

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from search.engine.writer import PooledWriter, use_term_pool

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
STOP_WAIT_SECONDS = 5.0  # how long cancel() waits for a stopped worker to exit
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent exits; exit if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's cancel() still stops us
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


@contextmanager
def _stop_signals_held():
    """Hold SIGINT and SIGTERM while forking, then act on them in this frame.

    A stop signal's handler runs at Python's next check, which may fall inside an at-fork
    hook (logging's lock release), where its exception is printed and dropped.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {
        signum: signal.signal(signum, lambda n, f: caught.append(n)) for signum in _STOP_SIGNALS
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in caught:
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)


class _Worker(SubWriterTask):
    def __init__(self, *args, parent_pid: int):
        super().__init__(*args)
        self.parent_pid = parent_pid

    def run(self) -> None:
        die_with_parent(self.parent_pid)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # As SubWriterTask.run with multisegment=True, with postings gathered by term.
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = PooledWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        fieldnames = writer.pool.fieldnames
        self.resultqueue.put((None, fieldnames, writer._finalize_segment()), timeout=5)


class ParallelWriter(MpWriter):
    """Whoosh's multi-segment writer with workers that cannot outlive the run."""

    def __init__(self, ix, procs: int, **kwargs):
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)
        use_term_pool(self, kwargs.get("limitmb", 128))

    def _new_task(self):
        task = _Worker(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
            parent_pid=os.getpid(),
        )
        self.tasks.append(task)
        with _stop_signals_held():
            task.start()
        return task

    def cancel(self) -> None:
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.kill()
            for task in self.tasks:
                task.join(STOP_WAIT_SECONDS)
            # With its readers gone, a queue's feeder thread may block on a full pipe for
            # good, and the interpreter joins it at exit: let it go instead.
            for queue in (self.jobqueue, self.resultqueue):
                queue.cancel_join_thread()
                queue.close()
        finally:
            SegmentWriter.cancel(self)
