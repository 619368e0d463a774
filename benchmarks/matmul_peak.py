"""This machine's matrix-multiply peak and processor, which the timing scripts print to name
their host.

The peak is the median 2048 x 2048 float32 product through NumPy's BLAS, on all its threads,
in GFLOP/s; the processor is named as Linux's ``/proc/cpuinfo`` names it, with its family and
model (an AMD EPYC of family 23, model 1 is a Zen 1, whose vector units are 128 bits wide).
This virtual machine has run on hosts whose peak differed by more than 2x from one session
to another, which moves every timing with it. NumPy only, so that importing this costs the
PyTorch side of ``bench_tutorials.py`` nothing (no Numba).
"""
import pathlib
import platform
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


def describe_cpu(cpuinfo):
    """'AMD EPYC (family 23, model 1)' from the text of ``/proc/cpuinfo`` (its first
    processor); the platform's own name for the machine when that text names none."""
    fields = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    name = fields.get("model name") or platform.processor() or platform.machine()
    if "cpu family" in fields and "model" in fields:
        return f"{name} (family {fields['cpu family']}, model {fields['model']})"
    return name


def cpu_name():
    """This machine's processor, as ``describe_cpu`` writes it."""
    path = pathlib.Path("/proc/cpuinfo")
    return describe_cpu(path.read_text() if path.exists() else "")


def peak_line():
    """The peak measured now and the processor, as the scripts print them to name the host
    they ran on."""
    return (f"matmul peak (2048 x 2048 float32, NumPy BLAS): {matmul_peak_gflops():.1f} "
            f"GFLOP/s on {cpu_name()}")
