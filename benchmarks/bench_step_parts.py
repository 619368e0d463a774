"""Where a training step of each tutorial recipe goes: the kernels timed inside the recipe.

    python benchmarks/bench_step_parts.py [--repeats 3] [--recipes "echo baseline" ...]

Runs each recipe of ``recipes_minilstm.py`` (those ``bench_tutorials.py`` times: echo
baseline and attention, addition, damped sine, one translation epoch; evaluation included)
in this process, with every kernel the backend switch dispatches (``backend.dispatch``: the
LSTM's, the attention decoder's and the Dense layer's forward and backward, the optimiser's
update, the loss, the accuracy metric, the check of the data's finiteness) wrapped in a
timer. Prints, per training step (the recipe's seconds over its optimiser updates, one a
step) in microseconds: the whole step, the time inside each kernel module's calls (their
Python wrappers included; a kernel called from another counts in its caller's), all
kernels, and the rest: Python and NumPy around the kernels, i.e. ``fit`` and the layers'
plumbing, the activations, drawing the data. (Before the Dense layer's products and the
error losses became kernels, in the thirtieth session, the accuracy metric in the
thirty-first and the data's check in the forty-sixth, their NumPy counted in the rest.) The timer
costs under a microsecond per call, a few calls a step. Of ``--repeats`` runs after a
warm-up run (Numba's kernels loaded first), the one whose whole step is the median is
printed, so that its parts add up. The matrix-multiply peak and processor
(``matmul_peak.py``) are printed first, as every timing script here prints them.

Set beside ``bench_tutorials.py``'s PyTorch seconds, "all kernels" is the least a step could
take with the kernels as they are and no Python around them at all.
"""
import argparse
import contextlib
import functools
import sys
import time

from matmul_peak import peak_line
from minilstm.kernels import backend
import recipes_minilstm

RECIPES = list(recipes_minilstm.RECIPES)
# the kernel modules, by what they compute; the update's is called once per training step
# (any other is printed by its module's name)
MODULE_NAMES = {"lstm": "LSTM kernel", "attention": "attention decoder kernel",
                "dense": "Dense kernel", "softmax_crossentropy": "softmax and loss kernels",
                "error_losses": "error loss kernel", "accuracy": "accuracy kernel",
                "finite": "data check kernel", "optimizers": "optimiser update"}
UPDATE_MODULE = "optimizers"
DISPATCHED_CODE = backend.dispatch(len, len).__code__     # the code of every dispatched kernel


class KernelTimer:
    """Seconds and calls per kernel module, of the outermost kernel calls only."""

    def __init__(self):
        self.totals = {}                    # kernel module -> [seconds, calls]
        self._inside = False

    def clear(self):
        for totals in self.totals.values():
            totals[:] = [0.0, 0]

    def timed(self, kernel, module):
        totals = self.totals.setdefault(module, [0.0, 0])

        @functools.wraps(kernel)
        def call(*args, **kwargs):
            if self._inside:
                return kernel(*args, **kwargs)
            self._inside = True
            start = time.perf_counter()
            try:
                return kernel(*args, **kwargs)
            finally:
                totals[0] += time.perf_counter() - start
                totals[1] += 1
                self._inside = False
        return call


@contextlib.contextmanager
def every_kernel_timed(timer):
    """Within the block, every binding of a dispatched kernel in the loaded minilstm modules
    (the kernel modules' own, and names imported elsewhere, as the loss imports its kernel)
    is ``timer``'s wrapper of that kernel, one wrapper per kernel; restored afterwards."""
    wrappers, replaced = {}, []
    for name, module in list(sys.modules.items()):
        if name != "minilstm" and not name.startswith("minilstm."):
            continue
        for attribute, value in list(vars(module).items()):
            if getattr(value, "__code__", None) is DISPATCHED_CODE:
                if value not in wrappers:
                    kernel_module = value.__wrapped__.__module__.rsplit(".", 1)[-1]
                    wrappers[value] = timer.timed(value, kernel_module)
                replaced.append((module, attribute, value))
                setattr(module, attribute, wrappers[value])
    try:
        yield
    finally:
        for module, attribute, value in replaced:
            setattr(module, attribute, value)


def step_parts(recipe, seed, timer):
    """Microseconds per training step of one run of ``recipe``: the whole, per kernel
    module, and the rest."""
    timer.clear()
    seconds, _ = recipes_minilstm.RECIPES[recipe](seed, warmup=False)
    steps = timer.totals[UPDATE_MODULE][1]
    used = {module: spent for module, (spent, calls) in sorted(timer.totals.items()) if calls}
    kernels = sum(used.values())
    parts = {"whole step": seconds}
    parts.update((MODULE_NAMES.get(module, module), spent) for module, spent in used.items())
    parts.update({"all kernels": kernels, "the rest": seconds - kernels})
    return {name: 1e6 * value / steps for name, value in parts.items()}, steps


def median_run(runs):
    """The run whose whole step is the median (the lower of the two middle ones for an
    even count), so that its parts add up to it."""
    ordered = sorted(runs, key=lambda run: run[0]["whole step"])
    return ordered[(len(ordered) - 1) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--recipes", nargs="+", choices=RECIPES, default=RECIPES)
    parser.add_argument("--seed", type=int, default=1, help="repeat r uses seed + r")
    args = parser.parse_args()
    print(peak_line())
    timer = KernelTimer()
    for recipe in args.recipes:
        recipes_minilstm.RECIPES[recipe](args.seed, warmup=True)
        with every_kernel_timed(timer):
            runs = [step_parts(recipe, args.seed + r, timer) for r in range(args.repeats)]
        parts, steps = median_run(runs)
        print(f"\n{recipe}: {steps} training steps a run, microseconds per step "
              f"(the median of {args.repeats} runs)")
        for name, value in parts.items():
            print(f"  {name:>26}: {value:8.1f}  {value / parts['whole step']:6.1%}")


if __name__ == "__main__":
    main()
