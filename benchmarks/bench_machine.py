"""What this machine gives the kernels: read rates by working set, one core against two, and
the cost of handing an array from one core to the other.

    python benchmarks/bench_machine.py [--repeats 5]

The facts behind the batch-1 limits in the README, measured rather than assumed:

- *read rate by working set*: one core sums a float32 array of each size again and again
  (a jitted loop, vectorised), so the rate falls at each cache level the array outgrows:
  L1 and L2 (here 512 KB per core), then the L3, then memory. The echo models' weights,
  gradients and Adam moments (1.2–1.5 MB each) sit past the L2.
- *two threads side by side*: the same work on each core at once, each thread on its own
  array (a page apart, so no cache line is shared), timed against one thread alone.
  About 1.0x the time means the two cores do not share what the work needs; about 2.0x
  means they share all of it. Arithmetic on L1-resident data, and read passes from the
  L3 and from memory.
- *hand-off between the cores*: one read pass over an array just written on the other
  core, timed against the same pass just after this core wrote it (the two threads pinned
  to two cores: Linux only; best of ten times ``--repeats`` rounds). NumPy's BLAS runs a
  product past a certain size on both cores, so part of its result is written on the
  second: the jitted loop that reads it next pays this hand-off. The batch-10 recipes'
  time loops do (benchmarks/README.md, "Tried and not kept").

- *matrix-multiply peak* and the processor (``matmul_peak.py``), printed first, as every
  timing script here prints them: the hosts this virtual machine has run on differed by more
  than 2x in it.

Best of ``--repeats`` rounds for each figure (the least disturbed on a shared machine),
except the peak, a median of 5.
"""
import argparse
import os
import threading
import time

import numpy as np
from numba import njit

from matmul_peak import peak_line

READ_SIZES_KB = (16, 64, 256, 512, 1024, 4096, 16384, 65536)
BYTES_PER_MEASUREMENT = 256 * 2 ** 20
L1_ARRAY_VALUES = 512                          # 2 KB
L3_ARRAY_BYTES = 2 * 2 ** 20                   # past the L2; two of them well within the L3
MEMORY_ARRAY_BYTES = 64 * 2 ** 20
HANDOFF_SIZES_KB = (64, 256, 1024)


@njit(nogil=True, fastmath=True)
def read_pass(values, repeats):
    """Σ values, ``repeats`` times over (reassociated, so the sum vectorises)."""
    total = np.float32(0.0)
    for _ in range(repeats):
        for i in range(values.shape[0]):
            total += values[i]
    return total


@njit(nogil=True)
def scale_in_place(values, repeats):
    """values ← 0.999 values + 0.001, ``repeats`` times: arithmetic on data in L1."""
    for _ in range(repeats):
        for i in range(values.shape[0]):
            values[i] = values[i] * np.float32(0.999) + np.float32(0.001)


@njit(nogil=True)
def fill(values, value):
    """values[:] = value, as a loop: every cache line of the array written."""
    for i in range(values.shape[0]):
        values[i] = value


def best_seconds(call, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def read_rates(repeats, sizes_kb=READ_SIZES_KB):
    """GB/s of ``read_pass`` for each working-set size in KB."""
    rates = {}
    for size_kb in sizes_kb:
        values = np.ones(size_kb * 256, np.float32)                   # size_kb KB
        passes = max(1, BYTES_PER_MEASUREMENT // values.nbytes)
        read_pass(values, 1)
        seconds = best_seconds(lambda: read_pass(values, passes), repeats)
        rates[size_kb] = values.nbytes * passes / seconds / 1e9
    return rates


def separate_arrays(values, count=2):
    """``count`` float32 arrays of ``values`` values each, a page apart (their own
    allocations would share a cache line at their ends when small)."""
    stride = -(-values // 1024) * 1024 + 1024                        # whole pages, one more
    block = np.ones(stride * count, np.float32)
    return [block[index * stride:index * stride + values] for index in range(count)]


def side_by_side_ratio(work, values, repeats):
    """Time of ``work`` on two threads at once, each on its own array, over one alone."""
    first, second = separate_arrays(values)
    work(first)
    alone = best_seconds(lambda: work(first), repeats)

    def both():
        other = threading.Thread(target=work, args=(second,))
        other.start()
        work(first)
        other.join()
    return best_seconds(both, repeats) / alone


def two_core_ratios(repeats):
    """``side_by_side_ratio`` for arithmetic in L1 and read passes from L3 and memory."""
    passes_l3 = max(1, BYTES_PER_MEASUREMENT // L3_ARRAY_BYTES)
    passes_memory = max(1, BYTES_PER_MEASUREMENT // MEMORY_ARRAY_BYTES)
    return {
        "arithmetic on 2 KB in L1": side_by_side_ratio(
            lambda values: scale_in_place(values, 200_000), L1_ARRAY_VALUES, repeats),
        "read pass over 2 MB (L3)": side_by_side_ratio(
            lambda values: read_pass(values, passes_l3), L3_ARRAY_BYTES // 4, repeats),
        "read pass over 64 MB (memory)": side_by_side_ratio(
            lambda values: read_pass(values, passes_memory), MEMORY_ARRAY_BYTES // 4, repeats),
    }


def write_on_core(core, values):
    """Pin the calling thread to ``core``, then write every value of ``values``."""
    os.sched_setaffinity(0, {core})
    fill(values, np.float32(2.0))


def handoff_times(repeats, sizes_kb=HANDOFF_SIZES_KB):
    """For each size in KB, microseconds of one ``read_pass`` over an array just written on
    this core and over one just written on the other (threads pinned: Linux only); None
    where there are not two cores to pin to."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else []
    if len(cores) < 2:
        return None
    this_core, other_core = cores[:2]
    os.sched_setaffinity(0, {this_core})
    times = {}
    try:
        for size_kb in sizes_kb:
            values = np.ones(size_kb * 256, np.float32)               # size_kb KB
            read_pass(values, 1)
            own = other = float("inf")
            for _ in range(repeats * 10):
                fill(values, np.float32(1.0))
                start = time.perf_counter()
                read_pass(values, 1)
                own = min(own, time.perf_counter() - start)
                writer = threading.Thread(target=write_on_core, args=(other_core, values))
                writer.start()
                writer.join()
                start = time.perf_counter()
                read_pass(values, 1)
                other = min(other, time.perf_counter() - start)
            times[size_kb] = (own * 1e6, other * 1e6)
    finally:
        os.sched_setaffinity(0, set(cores))
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(peak_line())
    print("read rate on one core, by working set (float32 sum):")
    for size_kb, rate in read_rates(args.repeats).items():
        print(f"  {size_kb:>8} KB  {rate:6.1f} GB/s")
    print("two threads side by side, each on its own array, against one alone:")
    for name, ratio in two_core_ratios(args.repeats).items():
        print(f"  {name:>32}: {ratio:4.2f}x the time")
    handoffs = handoff_times(args.repeats)
    if handoffs is None:
        print("hand-off between the cores: not measured (fewer than two cores to pin to)")
        return
    print("one read pass over an array just written on this core, and on the other:")
    for size_kb, (own, other) in handoffs.items():
        print(f"  {size_kb:>8} KB  {own:7.1f} us  {other:7.1f} us  {other / own:4.1f}x the time")


if __name__ == "__main__":
    main()
