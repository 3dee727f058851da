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
import gc
import os
import queue
import signal
import threading
from contextlib import contextmanager

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from search.engine.writer import PooledWriter, use_term_pool

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
BATCH_DOCS = 100  # documents per job file handed to a worker (Whoosh's default)
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
        segment = writer._finalize_segment()
        self.resultqueue.put((writer.per_doc_results, writer.pool.fieldnames, segment))


class ParallelWriter(MpWriter):
    """Whoosh's multi-segment writer with workers that cannot outlive the run.

    ``per_doc`` runs in the workers (see search.engine.writer.PooledWriter); after the
    commit ``per_doc_results`` holds what it returned for every document.
    """

    def __init__(self, ix, procs: int, per_doc=None, **kwargs):
        super().__init__(ix, procs=procs, batchsize=BATCH_DOCS, multisegment=True, **kwargs)
        use_term_pool(self, kwargs.get("limitmb", 128))
        self.subargs = {**self.subargs, "per_doc": per_doc}
        self.per_doc = per_doc
        self.per_doc_results: dict = {}

    def add_document(self, **fields):
        if not self.tasks and not self.docbuffer and self.per_doc is not None:
            # The first document's analysis loads the dictionaries and tables here, before
            # the workers fork: they share these pages instead of each loading its own.
            self.per_doc(fields)
        super().add_document(**fields)

    def _commit(self, mergetype, optimize, merge):
        # MpWriter._commit for multisegment=True, with the workers' results read before
        # they are joined: a worker's per-document results may not fit in the pipe.
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        segments = self._merge_segments(mergetype, optimize, merge)
        results = self._results()
        for task in self.tasks:
            task.join()
        for per_doc, _, segment in results:
            self.per_doc_results.update(per_doc)
            segments.append(segment)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def _results(self) -> list:
        results = []
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=1))
            except queue.Empty:
                if not any(task.is_alive() for task in self.tasks) and self.resultqueue.empty():
                    message = "an index worker process ended without its segment"
                    raise RuntimeError(message) from None
        return results

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
        # What the parent holds (dictionaries, tables, caches) stays out of the collector's
        # reach in the workers, whose collections would otherwise touch, and so copy, every
        # page of it.
        gc.freeze()
        try:
            with _stop_signals_held():
                task.start()
        finally:
            gc.unfreeze()
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
