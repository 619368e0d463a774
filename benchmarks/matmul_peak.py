"""This machine's matrix-multiply peak, which the timing scripts print to name their host.

The median 2048 x 2048 float32 product through NumPy's BLAS, on all its threads, in GFLOP/s.
This virtual machine has run on hosts whose peak differed by more than 2x from one session
to another, which moves every timing with it. NumPy only, so that importing this costs the
PyTorch side of ``bench_tutorials.py`` nothing (no Numba).
"""
import statistics
import time

import numpy as np


def median_seconds(call, repeats):
    """The median time of ``call`` over ``repeats`` calls, after one untimed call."""
    call()                                           # warm caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_peak_gflops(dtype="float32", repeats=5, size=2048):
    """GFLOP/s of a (size x size) product through NumPy's BLAS, the median of ``repeats``."""
    a = np.random.default_rng(0).standard_normal((size, size)).astype(dtype)
    return 2 * size ** 3 / median_seconds(lambda: a @ a, repeats) / 1e9


def peak_line():
    """The peak measured now, as the scripts print it to name the host they ran on."""
    return f"matmul peak (2048 x 2048 float32, NumPy BLAS): {matmul_peak_gflops():.1f} GFLOP/s"
