"""Both halves of a jitted call at once: each runs once, errors reach the caller, and
callers in several threads, or in a forked child, each get their halves done."""
import multiprocessing
import threading

import numpy as np
import pytest
from numba import njit

from minilstm.kernels import second_core


@njit(nogil=True)
def _fill_half(half, out, value):
    """Adds ``value`` to half ``half`` of ``out``."""
    size = (out.shape[0] + 1) // 2
    for j in range(half * size, min(out.shape[0], (half + 1) * size)):
        out[j] += value


def test_each_half_runs_once():
    out = np.zeros(7)
    second_core.in_halves(_fill_half, (out, 1.5))
    np.testing.assert_array_equal(out, np.full(7, 1.5))


def test_the_two_halves_results_come_back_in_order():
    assert second_core.in_halves(lambda half, base: base + half, (10,)) == (10, 11)


def test_the_second_half_runs_on_another_thread():
    threads = []

    def record(half):
        threads.append((half, threading.get_ident()))

    second_core.in_halves(record, ())
    assert sorted(half for half, _ in threads) == [0, 1]
    assert dict(threads)[0] == threading.get_ident() != dict(threads)[1]


@pytest.mark.parametrize("failing", [0, 1])
def test_an_error_in_either_half_reaches_the_caller_and_the_next_call_works(failing):
    def half_or_fail(half):
        if half == failing:
            raise ArithmeticError(f"half {half}")

    with pytest.raises(ArithmeticError, match=f"half {failing}"):
        second_core.in_halves(half_or_fail, ())
    out = np.zeros(4)
    second_core.in_halves(_fill_half, (out, 2.0))
    np.testing.assert_array_equal(out, np.full(4, 2.0))


def test_callers_in_many_threads_each_get_both_halves():
    """While one caller holds the waiting thread, another runs both halves itself."""
    outs = [np.zeros(100_001) for _ in range(8)]

    def call(out):
        for _ in range(20):
            second_core.in_halves(_fill_half, (out, 1.0))

    threads = [threading.Thread(target=call, args=(out,)) for out in outs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for out in outs:
        np.testing.assert_array_equal(out, np.full(out.shape, 20.0))


def _halves_in_child(queue):
    out = np.zeros(5)
    second_core.in_halves(_fill_half, (out, 3.0))
    queue.put(out.tolist())


def test_a_forked_child_starts_a_thread_of_its_own():
    second_core.in_halves(_fill_half, (np.zeros(2), 1.0))      # the parent's thread exists
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_halves_in_child, args=(queue,))
    child.start()
    result = queue.get(timeout=60)
    child.join(timeout=60)
    assert result == [3.0] * 5 and child.exitcode == 0


def test_a_wait_cut_short_leaves_that_thread_to_finish_and_the_next_call_gets_a_new_one(
        monkeypatch):
    """As when Ctrl-C interrupts the wait: the next call must not take the old half's
    'finished' for its own."""
    out = np.zeros(6)
    second_core.in_halves(_fill_half, (out, 1.0))
    old_thread = second_core._thread
    finished = old_thread._finished

    class InterruptedWait:
        """The thread's 'finished' lock, whose acquire is interrupted."""
        def acquire(self, *args):
            raise KeyboardInterrupt

        def release(self):
            finished.release()

    monkeypatch.setattr(old_thread, "_finished", InterruptedWait())
    with pytest.raises(KeyboardInterrupt):
        second_core.in_halves(_fill_half, (out, 1.0))
    assert finished.acquire(timeout=30)                 # the old thread did finish its half
    assert second_core._thread is None and old_thread.lost
    second_core.in_halves(_fill_half, (out, 1.0))
    assert second_core._thread is not old_thread
    np.testing.assert_array_equal(out, np.full(6, 3.0))
