"""The Numba kernels of the working tree against those of a git revision, in one process.

    python benchmarks/bench_revisions.py --base HEAD~1 [--rounds 40] [--dtype float32]

On this shared machine two processes running the same code can differ by more than a
kernel change does (the second of two back-to-back processes often ran slower), so
separate runs of ``bench_lstm.py`` cannot resolve a change of 5 or 10%. This script loads
both versions of ``minilstm/kernels`` into one process and interleaves them: the base
revision's kernels are exported with ``git archive`` into a temporary folder as the
package ``base_kernels`` (kernels import only each other, NumPy and Numba, so they run
there as they were; their Numba cache stays in that folder and goes with it; their
named-tuple classes are renamed, see ``_rename_named_tuples``). For each
of ``kernel_steps``'s shapes, the LSTM kernel's and the attention decoder's Numba twins
run one forward + backward pass, round after round; printed is the minimum over the
rounds, the least disturbed figure, for the base and the working tree, and their ratio.
"""
import argparse
import importlib
import pathlib
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))   # for kernel_steps

from kernel_steps import ATTENTION_SHAPES, LSTM_SHAPES, attention_step, lstm_step  # noqa: E402
from minilstm.kernels import attention, lstm  # noqa: E402

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]


def import_base_kernels(revision, folder):
    """``minilstm/kernels`` as it is at ``revision``, imported as ``base_kernels``."""
    archive = pathlib.Path(folder) / "kernels.tar"
    subprocess.run(["git", "archive", "--output", str(archive), revision, "minilstm/kernels"],
                   cwd=REPOSITORY, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    (pathlib.Path(folder) / "minilstm" / "kernels").rename(pathlib.Path(folder) / "base_kernels")
    sys.path.insert(0, folder)
    modules = (importlib.import_module("base_kernels.lstm"),
               importlib.import_module("base_kernels.attention"))
    for module in modules:
        _rename_named_tuples(module)
    return modules


def _rename_named_tuples(module):
    """Give the module's named-tuple classes names of their own (``Base...``). Numba names
    a named-tuple type after its class, and with two classes of one name in a process
    (``AttentionWeights`` from each version) the version compiled second ran 3x slower."""
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, tuple) and hasattr(value, "_fields"):
            value.__name__ = value.__qualname__ = "Base" + value.__name__


def steps_to_compare(base_lstm, base_attention, dtype):
    """``{(kernel, shape): {"base": step, "tree": step}}``, each step on the same data."""
    cases = {}
    for shape in LSTM_SHAPES:
        cases["lstm", shape] = {
            name: lstm_step(module.forward_numba, module.backward_numba, *shape, dtype,
                            np.random.default_rng(0))
            for name, module in (("base", base_lstm), ("tree", lstm))}
    for shape in ATTENTION_SHAPES:
        cases["attention", shape] = {
            name: attention_step(module.forward_numba, module.backward_numba, *shape, dtype,
                                 np.random.default_rng(0), module.AttentionWeights)
            for name, module in (("base", base_attention), ("tree", attention))}
    return cases


def minimum_seconds(cases, rounds, budget_s=0.02):
    """The least time of one call of each step over ``rounds`` interleaved rounds; a round
    calls each step as often as fits about ``budget_s``, the two versions of a shape one
    after the other, in turns first."""
    calls = {}
    for key, steps in cases.items():
        for name, step in steps.items():
            step()                                           # compile, or load the cache
            start = time.perf_counter()
            step()
            calls[key, name] = max(1, int(budget_s / (time.perf_counter() - start)))
    best = {key: float("inf") for key in calls}
    for round_ in range(rounds):
        for key, steps in cases.items():
            order = list(steps.items())
            for name, step in order if round_ % 2 else order[::-1]:   # neither always first
                count = calls[key, name]
                start = time.perf_counter()
                for _ in range(count):
                    step()
                best[key, name] = min(best[key, name], (time.perf_counter() - start) / count)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = steps_to_compare(*import_base_kernels(args.base, folder), args.dtype)
        best = minimum_seconds(cases, args.rounds)
    print(f"{'kernel':>10} {'shape':>24} {'base ms':>9} {'tree ms':>9} {'base/tree':>10}")
    for kernel, shape in cases:
        base_s, tree_s = best[(kernel, shape), "base"], best[(kernel, shape), "tree"]
        print(f"{kernel:>10} {str(shape):>24} {1e3 * base_s:9.3f} {1e3 * tree_s:9.3f} "
              f"{base_s / tree_s:9.2f}x")


if __name__ == "__main__":
    main()
