"""The LSTM backward pass with its products after the time loop on this core or through BLAS.

    python benchmarks/bench_gradient_routes.py [--repeats 9]

After the time loop, the LSTM's Numba twin forms dW, dU, db and (when asked) dx as
products over all B·T rows of d_z. Beyond a few rows they run either by jitted loops on
this core or through BLAS on both cores (``lstm_routes.one_core_pays`` chooses): the data behind
that choice. For each shape (the damped-sine tutorial's two layers, shapes on both sides of
``lstm_routes.ONE_CORE_MAX_WIDTH``, the addition tutorial's encoder), one backward pass is timed
both ways, forced by ``backward_numba(one_core=...)``, on the same forward cache, the two
routes in turns (``bench_revisions.minimum_seconds``), on this core only (``two_cores=False``:
``bench_two_cores.py`` times the batch halved over both). Printed are the minimum
milliseconds over ``--repeats`` rounds, their ratio, the multiply-adds per element of d_z
that the rule reads (``lstm_routes.products_width``, I·(1 + dx) + H) and the route it takes.
"""
import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))   # the other scripts here

from bench_revisions import minimum_seconds  # noqa: E402
from kernel_steps import lstm_arrays  # noqa: E402
from matmul_peak import peak_line  # noqa: E402
from minilstm.kernels import lstm, lstm_routes  # noqa: E402

# (B, T, I, H, dx): batch, steps, features, units, whether the input gradient is asked for
SHAPES = [(10, 50, 1, 20, False), (10, 50, 20, 20, True),        # the damped-sine tutorial's
          (1, 50, 1, 20, False), (4, 50, 1, 20, False), (4, 50, 20, 20, True),
          (20, 50, 20, 20, True), (10, 50, 10, 20, True), (10, 50, 30, 20, True),
          (10, 50, 1, 32, False), (10, 50, 16, 32, False), (10, 50, 16, 32, True),
          (10, 50, 32, 32, True), (10, 50, 1, 50, False), (10, 50, 20, 30, True),
          (10, 5, 12, 100, False)]                               # the addition encoder's


def backward_passes(batch, steps, features, units, input_gradient, rng):
    """``{"one core": pass, "BLAS": pass}``: one backward pass each way on one cache."""
    x, kernel, recurrent, bias, d_hidden = lstm_arrays(batch, steps, features, units,
                                                       np.float32, rng)
    *_, cache = lstm.forward_numba(x, kernel, recurrent, bias, two_cores=False)
    out = (np.empty_like(kernel), np.empty_like(recurrent), np.empty_like(bias))

    def backward(one_core):
        return lambda: lstm.backward_numba(d_hidden, None, None, cache, out=out,
                                           input_gradient=input_gradient, one_core=one_core,
                                           two_cores=False)
    return {"one core": backward(True), "BLAS": backward(False)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    print(peak_line())
    print(f"{'(B, T, I, H, dx)':>26} {'one core ms':>12} {'BLAS ms':>9} {'BLAS/one core':>14} "
          f"{'I(1+dx)+H':>10} {'chosen':>9}")
    rng = np.random.default_rng(0)
    best = minimum_seconds({shape: backward_passes(*shape, rng) for shape in SHAPES},
                           args.repeats, budget_s=0.05)
    for shape in SHAPES:
        times = {route: 1e3 * best[shape, route] for route in ("one core", "BLAS")}
        _, _, features, units, input_gradient = shape
        width = lstm_routes.products_width(features, units, input_gradient)
        one_core = lstm_routes.one_core_pays(features, units, input_gradient)
        chosen = "one core" if one_core else "BLAS"
        print(f"{str(shape):>26} {times['one core']:12.3f} {times['BLAS']:9.3f} "
              f"{times['BLAS'] / times['one core']:13.2f}x {width:10d} {chosen:>9}", flush=True)


if __name__ == "__main__":
    main()
