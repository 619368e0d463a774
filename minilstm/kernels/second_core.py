"""Both halves of a jitted call at once: the first on the calling thread, the second on a
thread that waits for it.

    in_halves(function, args)     function(0, *args) here and function(1, *args) there,
                                  returning the two results

``function`` is a jitted function compiled with ``nogil=True`` (so the two run on the two
cores at once) whose two halves write disjoint parts of its arrays. The waiting thread is
started on first use and sleeps on a lock between calls: it takes no core while it waits.
A thread that spins there, as OpenMP's workers and OpenBLAS's do, fights BLAS's own threads
for the second core: with OpenMP's workers beside NumPy's BLAS, an LSTM step on this
project's machine took ten times as long (benchmarks/README.md, "What made it fast").
Handing a call over costs about 20 µs here, a thread woken each way, so callers keep this for
work of about a hundred microseconds or more.

When the thread is busy with another caller's call (two threads of the user training at
once), both halves run here, one after the other. After ``os.fork`` the child starts a
thread of its own on its first call.
"""
import os
import threading


class _WaitingThread:
    """A daemon thread that runs ``function(1, *args)`` each time it is handed a call."""

    def __init__(self):
        self._call = None
        self._result = None
        self._error = None
        self._handed = threading.Lock()
        self._handed.acquire()
        self._finished = threading.Lock()
        self._finished.acquire()
        threading.Thread(target=self._serve, name="minilstm-second-half", daemon=True).start()

    def _serve(self):
        while True:
            self._handed.acquire()
            function, args = self._call
            try:
                self._result = function(1, *args)
            except BaseException as error:                  # re-raised by the caller
                self._error = error
            self._call = None
            self._finished.release()

    def start(self, function, args):
        self._call = (function, args)
        self._handed.release()

    def wait(self):
        """Until the handed half is done: its result, or its error raised here. A wait cut short
        (Ctrl-C while blocked) leaves the half running: the thread is then marked ``lost``,
        left to finish it, and never handed another call."""
        try:
            self._finished.acquire()
        except BaseException:
            self.lost = True
            raise
        error, self._error = self._error, None
        if error is not None:
            raise error
        result, self._result = self._result, None
        return result

    lost = False


_thread = None
_in_use = threading.Lock()


def in_halves(function, args):
    """``function(0, *args)`` on this thread and ``function(1, *args)`` on the waiting one,
    at once; returns their two results when both are done, raising what either raised."""
    global _thread
    if not _in_use.acquire(blocking=False):
        return function(0, *args), function(1, *args)
    try:
        if _thread is None:
            _thread = _WaitingThread()
        _thread.start(function, args)
        try:
            first = function(0, *args)
        finally:
            second = _thread.wait()
        return first, second
    finally:
        if _thread is not None and _thread.lost:
            _thread = None
        _in_use.release()


def _forget_the_thread():
    """In a child after ``fork``: the parent's thread is not there; start another."""
    global _thread, _in_use
    _thread = None
    _in_use = threading.Lock()


if hasattr(os, "register_at_fork"):                  # POSIX; elsewhere there is no fork
    os.register_at_fork(after_in_child=_forget_the_thread)
