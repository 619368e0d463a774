"""What handing memory back to the operating system costs a recipe: its runs with glibc's
default allocation thresholds, and with glibc told to keep the memory it is given.

    python benchmarks/bench_page_faults.py [--recipes "translation epoch" ...] [--runs 2]

For each of ``recipes_minilstm.py``'s recipes (default: the translation epoch, whose batch
of 64 makes arrays of megabytes), two fresh processes, one per setting, each running the
recipe's warm-up and then ``--runs`` timed runs in turn, as ``bench_tutorials.py``'s
workers do (its figure is the first timed run of a fresh process). Printed per run: the
seconds and the minor page faults the run caused (``getrusage``): pages the kernel had to
map, and zero, the first time each was touched.

*default*: glibc as it starts. Arrays over its mmap threshold (128 KB at first, raised as
such blocks are freed) are mapped for each allocation and unmapped when freed, and freed
memory at the top of the heap is handed back past its trim threshold, so the next step's
arrays fault their pages in again. *kept*: ``MALLOC_MMAP_THRESHOLD_`` and
``MALLOC_TRIM_THRESHOLD_`` set to 1 GB in the child's environment, so arrays come from the
heap and freed memory stays in the process. Nothing else differs, so the difference is
what this process pays for its page faults: the most that reusing the kernels' arrays
(the issue's "caches preallocated per batch shape and reused") could save there. The
package itself never changes the allocator's settings: they are the process's, not a
library's. The matrix-multiply peak and processor are printed first (``matmul_peak.py``).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

from matmul_peak import peak_line

KEPT = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}
SETTINGS = {"default": {}, "kept": KEPT}


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def run_worker(recipe, runs, seed):
    """In this process: the recipe's warm-up, then ``runs`` timed runs; one JSON line of
    ``[seconds, minor faults]`` per run."""
    import recipes_minilstm
    recipes_minilstm.RECIPES[recipe](seed, warmup=True)
    results = []
    for run in range(runs):
        faults, start = minor_faults(), time.perf_counter()
        recipes_minilstm.RECIPES[recipe](seed + run, warmup=False)
        results.append([time.perf_counter() - start, minor_faults() - faults])
    print(json.dumps(results))


def measure(recipe, runs, seed, setting):
    environment = {**os.environ, **SETTINGS[setting]}
    command = [sys.executable, __file__, "--worker", recipe, "--runs", str(runs),
               "--seed", str(seed)]
    completed = subprocess.run(command, check=True, capture_output=True, text=True,
                               env=environment)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main():
    import recipes_minilstm
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", choices=list(recipes_minilstm.RECIPES),
                        default=["translation epoch"])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="run r uses seed + r")
    parser.add_argument("--worker", metavar="RECIPE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.runs, args.seed)
        return
    print(peak_line())
    print(f"{'recipe':>18} {'setting':>8} " + " ".join(
        f"{f'run {run + 1} s':>9} {'faults':>8}" for run in range(args.runs)))
    for recipe in args.recipes:
        for setting in SETTINGS:
            results = measure(recipe, args.runs, args.seed, setting)
            print(f"{recipe:>18} {setting:>8} " + " ".join(
                f"{seconds:9.2f} {faults:8d}" for seconds, faults in results), flush=True)


if __name__ == "__main__":
    main()
