"""The Numba kernels of the working tree against those of a git revision, in one process.

    python benchmarks/bench_revisions.py --base HEAD~1 [--rounds 40] [--dtype float32]
    python benchmarks/bench_revisions.py --base HEAD~1 --recipe "echo attention" [--rounds 6]
    python benchmarks/bench_revisions.py --base HEAD~1 --recipe "echo attention" --processes

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

``--recipe NAME`` times one of ``recipes_minilstm.RECIPES`` end to end instead (as
``bench_tutorials.py`` does), with the layers and optimisers running on the base's kernel
modules and on the tree's in turn (the base must offer the kernel functions the tree's
layers call); it prints each round's seconds, the medians and their ratio.

``--recipe NAME --processes`` compares whole revisions instead: layers, models, losses
and examples too, which the swap of kernel modules leaves as the tree's. The base's
repository is exported as a whole, and each round runs the recipe once in a fresh process
of each version (the base's with its own folder first on ``PYTHONPATH``), in turns, each
process timing one run after an untimed warm-up run. Separate processes differ more than
one process does, so this needs more rounds (default 10) to resolve a few per cent.
"""
import argparse
import importlib
import os
import pathlib
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))   # kernel_steps, recipes

import minilstm.optimizers  # noqa: E402
from kernel_steps import ATTENTION_SHAPES, LSTM_SHAPES, attention_step, lstm_step  # noqa: E402
from recipes_minilstm import RECIPES  # noqa: E402
from minilstm.kernels import attention, attentive_lstm, lstm, optimizers  # noqa: E402
from minilstm.layers import attention as attention_layer  # noqa: E402
from minilstm.layers import attentive_recurrent, recurrent  # noqa: E402

TREE_KERNELS = {"lstm": lstm, "attention": attention, "attentive_lstm": attentive_lstm,
                "optimizers": optimizers}
# where the package keeps each kernel module: (module, attribute) of the layers, optimisers
KERNEL_USERS = {"lstm": (recurrent, "lstm_kernel"),
                "attention": (attention_layer, "attention_kernel"),
                "attentive_lstm": (attentive_recurrent, "kernel"),
                "optimizers": (minilstm.optimizers, "update_kernels")}

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]


def export_revision(revision, folder, *paths):
    """The repository's ``paths`` (all of it when none) as they are at ``revision``,
    written under ``folder``; returns ``folder`` as a path."""
    folder = pathlib.Path(folder)
    archive = folder / "revision.tar"
    subprocess.run(["git", "archive", "--output", str(archive), revision, *paths],
                   cwd=REPOSITORY, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    archive.unlink()
    return folder


def import_base_kernels(revision, folder):
    """``minilstm/kernels`` as it is at ``revision``, imported as ``base_kernels``."""
    export_revision(revision, folder, "minilstm/kernels")
    (pathlib.Path(folder) / "minilstm" / "kernels").rename(pathlib.Path(folder) / "base_kernels")
    sys.path.insert(0, folder)
    modules = {name: importlib.import_module(f"base_kernels.{name}") for name in TREE_KERNELS}
    for module in modules.values():
        _rename_named_tuples(module)
    return modules


def _rename_named_tuples(module):
    """Give the module's named-tuple classes names of their own (``Base...``). Numba names
    a named-tuple type after its class, and with two classes of one name in a process
    (``AttentionWeights`` from each version) the version compiled second ran 3x slower."""
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, tuple) and hasattr(value, "_fields"):
            value.__name__ = value.__qualname__ = "Base" + value.__name__


def steps_to_compare(base, dtype):
    """``{(kernel, shape): {"base": step, "tree": step}}``, each step on the same data."""
    cases = {}
    for shape in LSTM_SHAPES:
        cases["lstm", shape] = {
            name: lstm_step(module.forward_numba, module.backward_numba, *shape, dtype,
                            np.random.default_rng(0))
            for name, module in (("base", base["lstm"]), ("tree", lstm))}
    for shape in ATTENTION_SHAPES:
        cases["attention", shape] = {
            name: attention_step(module.forward_numba, module.backward_numba, *shape, dtype,
                                 np.random.default_rng(0), module.AttentionWeights)
            for name, module in (("base", base["attention"]), ("tree", attention))}
    return cases


def in_turns(versions, round_):
    """The ``(name, value)`` items of ``versions`` in their order in odd rounds and reversed
    in even ones, so that neither version always runs first."""
    order = list(versions.items())
    return order if round_ % 2 else order[::-1]


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
            for name, step in in_turns(steps, round_):
                count = calls[key, name]
                start = time.perf_counter()
                for _ in range(count):
                    step()
                best[key, name] = min(best[key, name], (time.perf_counter() - start) / count)
    return best


def use_kernels(modules):
    """Point the layers and optimisers at ``modules`` (``{name: kernel module}``)."""
    for name, module in modules.items():
        owner, attribute = KERNEL_USERS[name]
        setattr(owner, attribute, module)


def recipe_seconds(recipe, base, rounds):
    """``{"base": [s, ...], "tree": [s, ...]}``: the recipe run ``rounds`` times on each
    version's kernels, in turns (each version first in every other round), after a
    warm-up run of each that loads its kernels."""
    versions = {"base": base, "tree": TREE_KERNELS}
    try:
        for modules in versions.values():
            use_kernels(modules)
            recipe(1, True)
        seconds = {name: [] for name in versions}
        for round_ in range(rounds):
            for name, modules in in_turns(versions, round_):
                use_kernels(modules)
                seconds[name].append(recipe(1, False)[0])
    finally:
        use_kernels(TREE_KERNELS)
    return seconds


# Run in a repository's root: its recipe, warmed up, then timed; prints the seconds.
TIME_ONE_RECIPE = ("import sys; sys.path.insert(0, 'benchmarks'); import recipes_minilstm; "
                   "recipe = recipes_minilstm.RECIPES[sys.argv[1]]; recipe(1, True); "
                   "print(recipe(1, False)[0])")


def recipe_seconds_in_processes(name, roots, rounds):
    """``{version: [s, ...]}``: recipe ``name`` timed in a fresh process per run, in the
    repository root of each version (``roots``: ``{version: folder}``), in turns (each
    version first in every other round)."""
    seconds = {version: [] for version in roots}
    for round_ in range(rounds):
        for version, root in in_turns(roots, round_):
            environment = {**os.environ, "PYTHONPATH": str(root)}
            completed = subprocess.run([sys.executable, "-c", TIME_ONE_RECIPE, name], cwd=root,
                                       env=environment, capture_output=True, text=True,
                                       check=True)
            seconds[version].append(float(completed.stdout.split()[-1]))
    return seconds


def print_recipe_seconds(name, seconds, what="kernels"):
    """Each version's seconds and median, then the ratio of the medians."""
    for version, values in seconds.items():
        print(f"{name} on the {version}'s {what}: "
              + " ".join(f"{value:.3f}" for value in values)
              + f" s; median {statistics.median(values):.3f} s")
    print(f"base / tree (medians): "
          f"{statistics.median(seconds['base']) / statistics.median(seconds['tree']):.3f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--rounds", type=int,
                        help="interleaved rounds (default 40 for the kernels, 6 for a recipe)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--recipe", choices=sorted(RECIPES),
                        help="time this tutorial recipe end to end instead of the kernels")
    parser.add_argument("--processes", action="store_true",
                        help="with --recipe: whole revisions, each run in a fresh process")
    args = parser.parse_args()
    if args.processes and not args.recipe:
        parser.error("--processes compares recipes: give --recipe NAME too")
    with tempfile.TemporaryDirectory() as folder:
        if args.processes:
            roots = {"base": export_revision(args.base, folder), "tree": REPOSITORY}
            print_recipe_seconds(args.recipe, recipe_seconds_in_processes(
                args.recipe, roots, args.rounds or 10), what="repository")
            return
        base = import_base_kernels(args.base, folder)
        if args.recipe:
            print_recipe_seconds(args.recipe, recipe_seconds(RECIPES[args.recipe], base,
                                                             args.rounds or 6))
            return
        cases = steps_to_compare(base, args.dtype)
        best = minimum_seconds(cases, args.rounds or 40)
    print(f"{'kernel':>10} {'shape':>24} {'base ms':>9} {'tree ms':>9} {'base/tree':>10}")
    for kernel, shape in cases:
        base_s, tree_s = best[(kernel, shape), "base"], best[(kernel, shape), "tree"]
        print(f"{kernel:>10} {str(shape):>24} {1e3 * base_s:9.3f} {1e3 * tree_s:9.3f} "
              f"{base_s / tree_s:9.2f}x")


if __name__ == "__main__":
    main()
