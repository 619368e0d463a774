"""The optimiser's pass over a model's weights: its arrays as a model lays them out, against
all at one offset in a 4 KiB page; and what its square root and division cost.

    python benchmarks/bench_optimizer.py [--repeats 7]

Adam reads and writes the weights, the gradients and two moments at the same index; RMSprop
(with momentum) the same four arrays. ``FlatWeights`` places them 1 KiB apart within a 4 KiB
page ("staggered"); before it did, a model's first arrays all started at one offset, as large
allocations do, and every load that followed a store to another of them waited on a false
match of their addresses' low 12 bits ("4K aliasing", ``minilstm/models/flat_weights.py``).
"aliased" puts all four at that one offset on purpose. Microseconds per pass, for the weight
counts of the tutorial models (echo attention, echo baseline, addition), and the ratio.

The nanoseconds per weight (staggered) compare the updates. RMSprop without momentum and SGD
with momentum stream the same arrays (weights and one state array read and written, the
gradients read): they differ only in RMSprop's square root and division per weight, so the
gap between them is what the divide and square-root unit costs. Adam and RMSprop with
momentum stream one array more, and take one square root and one division per weight too.

Minimum over ``--repeats`` interleaved rounds of ``--passes`` passes (the least disturbed
figure on a shared machine). The matrix-multiply peak and processor (``matmul_peak.py``) are
printed first, as every timing script here prints them.
"""
import argparse
import functools

import numpy as np

from bench_overhead import microseconds
from matmul_peak import peak_line
from minilstm.kernels import optimizers
from minilstm.models.flat_weights import staggered_zeros

WEIGHT_COUNTS = {"echo attention": 363_900, "echo baseline": 308_750, "addition": 76_012}
UPDATES = {
    "adam": lambda param, grad, first, second: optimizers.adam(
        param, grad, first, second, 1e-4, 0.9, 0.999, 1e-7),
    "rmsprop, momentum 0.9": lambda param, grad, first, second: optimizers.rmsprop(
        param, grad, first, second, 1e-3, 0.9, 0.9, 1e-7),
    "rmsprop": lambda param, grad, first, second: optimizers.rmsprop(
        param, grad, first, second, 1e-3, 0.9, 0.0, 1e-7),
    "sgd, momentum 0.9": lambda param, grad, first, second: optimizers.sgd_momentum(
        param, grad, first, 1e-3, 0.9, False),
}


def optimizer_arrays(size, lanes, rng):
    """Weights, gradients and two moments of ``size`` float32 values in ``lanes`` (one per
    array: ``(0, 1, 2, 3)`` as ``FlatWeights`` lays them out, ``(0, 0, 0, 0)`` aliased),
    filled with values of a trained model's magnitudes (no denormals on the way)."""
    param, grad, first, second = (staggered_zeros(size, np.float32, lane) for lane in lanes)
    param[:] = rng.standard_normal(size) * 0.1
    grad[:] = rng.standard_normal(size) * 1e-3
    first[:] = grad * 0.5
    second[:] = grad * grad + 1e-8
    return param, grad, first, second


def pass_microseconds(update, layouts, repeats, passes):
    """The minimum time of one ``update`` pass over each layout's arrays, rounds interleaved
    (``bench_overhead.microseconds``)."""
    return microseconds({name: functools.partial(update, *arrays)
                         for name, arrays in layouts.items()}, repeats, passes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--passes", type=int, default=100)
    args = parser.parse_args()
    print(peak_line())
    rng = np.random.default_rng(0)
    print(f"{'update':>22} {'model':>15} {'weights':>8} {'staggered us':>13} "
          f"{'ns / weight':>12} {'aliased us':>11} {'aliased / staggered':>20}")
    for update_name, update in UPDATES.items():
        for model_name, size in WEIGHT_COUNTS.items():
            layouts = {"staggered": optimizer_arrays(size, (0, 1, 2, 3), rng),
                       "aliased": optimizer_arrays(size, (0, 0, 0, 0), rng)}
            times = pass_microseconds(update, layouts, args.repeats, args.passes)
            print(f"{update_name:>22} {model_name:>15} {size:>8} {times['staggered']:13.1f} "
                  f"{1e3 * times['staggered'] / size:12.3f} {times['aliased']:11.1f} "
                  f"{times['aliased'] / times['staggered']:19.2f}x")


if __name__ == "__main__":
    main()
