"""The calls a training step of each tutorial recipe makes, counted: Python's work, not timed.

    python benchmarks/bench_calls.py [--recipes "echo baseline" ...] [--base REV] [--functions N]

Timings on this shared machine move by a few per cent from run to run, more than one
feature's few microseconds of Python a step, so a step's Python can grow for many sessions
before a timing shows it (the forty-fifth session found 5–9% so grown over ten). A count
does not move: the same code and data make the same calls on any machine. Each recipe of
``recipes_minilstm.py`` (those ``bench_tutorials.py`` times, evaluation included) runs once
to load Numba's kernels, then once under ``cProfile``, whose calls are sorted into: Python
functions of the package (its layers, models, losses, the kernels' Python wrappers), other
Python functions (NumPy's Python layer, the example's and the recipe's own), jitted kernels
called from Python (Numba reports each such call to a profiler as a call of the function it
compiled), and C functions (NumPy's array functions and methods, built-ins). Printed per
training step, the recipe's calls over its optimiser updates (``Optimizer.apply`` or
``apply_flat``, one a step), as ``bench_step_parts.py`` divides its time; the whole recipe
is counted, its data drawn and its evaluation, and for the translation epoch its corpus
prepared too, which its timing leaves out.

With ``--base REV`` the same counts on revision REV's code, exported whole with ``git
archive`` (its package, examples and recipes; ``bench_revisions.export_revision``), are
printed above the tree's, with the difference. ``--functions N`` lists the N functions
with the most calls a step, or with ``--base`` those whose calls a step changed most. Every
count runs in a fresh process, in the root of the code it counts.
"""
import argparse
import cProfile
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
KINDS = ("package Python", "other Python", "jitted", "C functions")


def jitted_functions():
    """``(file, line, name)`` of the function behind every Numba dispatcher in the loaded
    package, as ``cProfile`` names a call of it."""
    from numba.core.registry import CPUDispatcher
    keys = set()
    for name, module in list(sys.modules.items()):
        if name == "minilstm" or name.startswith("minilstm."):
            for value in vars(module).values():
                if isinstance(value, CPUDispatcher):
                    code = value.py_func.__code__
                    keys.add((code.co_filename, code.co_firstlineno, code.co_name))
    return keys


def recipe_counts(recipe_name, benchmarks):
    """Calls a step of one run of ``recipe_name``, the recipes read from the folder
    ``benchmarks`` and the package from the import path: ``{kind: calls}`` (``KINDS``),
    ``{function: calls}`` (a Python function as ``module/file.py:name``, the package's files
    relative to it, a C function as ``cProfile`` names it), the step count and the folder of
    the package that ran."""
    sys.path.insert(0, str(benchmarks))
    import minilstm
    import recipes_minilstm
    recipe = recipes_minilstm.RECIPES[recipe_name]
    recipe(1, True)                                  # loads the kernels, compiles none later
    profile = cProfile.Profile()
    profile.enable()
    recipe(1, False)
    profile.disable()
    profile.create_stats()
    package = pathlib.Path(minilstm.__file__).parent
    jitted = jitted_functions()
    kinds, functions = dict.fromkeys(KINDS, 0), {}
    for (filename, line, name), (_, calls, _, _, _) in profile.stats.items():
        path = pathlib.Path(filename)
        if filename == "~":             # a type's __new__ named with its address: left out
            kind, function = "C functions", re.sub(r" at 0x[0-9a-f]+", "", name)
        else:
            inside = path.is_relative_to(package)
            kind = ("jitted" if (filename, line, name) in jitted else
                    "package Python" if inside else "other Python")
            function = f"{path.relative_to(package.parent) if inside else path.name}:{name}"
        kinds[kind] += calls
        functions[function] = functions.get(function, 0) + calls
    steps = sum(functions.get(f"minilstm/optimizers.py:{name}", 0)
                for name in ("apply", "apply_flat"))
    return ({kind: calls / steps for kind, calls in kinds.items()},
            {function: calls / steps for function, calls in functions.items()}, steps,
            str(package))


def counts_in(root, recipe_name):
    """``recipe_counts`` on the code in the folder ``root`` (a repository's root: its package,
    examples and recipes), in a fresh process."""
    completed = subprocess.run(
        [sys.executable, str(pathlib.Path(__file__).resolve()), "--child", recipe_name],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True)
    if completed.returncode:            # e.g. a revision whose recipes lack this one
        raise RuntimeError(f"counting {recipe_name!r} in {root} failed:\n"
                           + "\n".join(completed.stderr.splitlines()[-5:]))
    kinds, functions, steps, package = json.loads(completed.stdout.splitlines()[-1])
    if pathlib.Path(package) != pathlib.Path(root).resolve() / "minilstm":
        raise RuntimeError(f"the run in {root} imported the package from {package}")
    return kinds, functions, steps


def print_row(label, counts):
    print(f"{label:>16}  " + "  ".join(f"{counts[kind]:8.1f}" for kind in KINDS)
          + f"  {sum(counts.values()):8.1f}")


def print_functions(tree, count, base=None):
    """The ``count`` functions with the most calls a step in ``tree`` (``{function: calls}``),
    or, given ``base`` (the same for another revision), those whose calls a step changed
    most from it, signed (a function moved to another file counts as one gone and one new);
    largest first, none that rounds to 0."""
    against = base or {}
    changes = {function: tree.get(function, 0.0) - against.get(function, 0.0)
               for function in against.keys() | tree.keys()}
    largest = sorted(changes.items(), key=lambda item: (-abs(item[1]), item[0]))[:count]
    for function, change in largest:
        if round(change, 1):
            print(f"{change:{'+' if base is not None else ''}24.1f}  {function}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+")
    parser.add_argument("--base", help="a git revision whose counts to print above the tree's")
    parser.add_argument("--functions", type=int, default=0, metavar="N",
                        help="the N functions with the most calls a step (with --base: whose "
                             "calls a step changed most)")
    parser.add_argument("--child", help=argparse.SUPPRESS)   # one recipe's counts, as JSON
    args = parser.parse_args()
    if args.child:      # run by counts_in, in the root of the code to count, with its recipes
        print(json.dumps(recipe_counts(args.child, pathlib.Path.cwd() / "benchmarks")))
        return
    from recipes_minilstm import RECIPES
    recipes = args.recipes or list(RECIPES)
    if not set(recipes) <= set(RECIPES):
        parser.error(f"--recipes: choose from {list(RECIPES)}; got {recipes}")
    print("calls a training step (the recipe's calls over its optimiser updates), of: "
          "the package's\nPython functions, other Python functions, jitted kernels called "
          "from Python, C functions")
    print(f"{'':>16}  " + "  ".join(f"{kind.split()[0]:>8}" for kind in KINDS) + "       all")
    with tempfile.TemporaryDirectory() as folder:
        base_root = pathlib.Path(folder)
        if args.base:
            from bench_revisions import export_revision    # loads the tree's kernels: only here
            export_revision(args.base, base_root)
        for name in recipes:
            tree, tree_functions, steps = counts_in(HERE.parent, name)
            print(f"{name}, {steps} training steps:")
            if not args.base:
                print_row("tree", tree)
                print_functions(tree_functions, args.functions)
                continue
            base, base_functions, _ = counts_in(base_root, name)
            print_row(f"base {args.base}", base)
            print_row("tree", tree)
            print_row("tree - base", {kind: tree[kind] - base[kind] for kind in KINDS})
            print_functions(tree_functions, args.functions, base_functions)


if __name__ == "__main__":
    main()
