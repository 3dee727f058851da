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

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
STOP_WAIT_SECONDS = 5.0  # how long cancel() waits for a stopped worker to exit


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent exits; exit if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's cancel() still stops us
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


class _Worker(SubWriterTask):
    def __init__(self, *args, parent_pid: int):
        super().__init__(*args)
        self.parent_pid = parent_pid

    def run(self) -> None:
        die_with_parent(self.parent_pid)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        super().run()


class ParallelWriter(MpWriter):
    """Whoosh's multi-segment writer with workers that cannot outlive the run."""

    def __init__(self, ix, procs: int, **kwargs):
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)

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
        task.start()
        return task

    def cancel(self) -> None:
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.kill()
            for task in self.tasks:
                task.join(STOP_WAIT_SECONDS)
        finally:
            SegmentWriter.cancel(self)
