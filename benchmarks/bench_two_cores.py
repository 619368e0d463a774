"""The LSTM's passes with the batch in two halves on two cores, against one core.

    python benchmarks/bench_two_cores.py [--repeats 9] [--epochs 3]

Where the LSTM's time loops run by hand and its products are narrow, ``lstm_routes.two_cores_pay``
runs each half of the batch on its own core (``second_core.in_halves``). The data behind
that choice, in two parts:

- *passes*: one forward and one backward pass at each shape (the damped-sine tutorial's
  two layers, smaller and larger batches, wider layers), forced each way by
  ``two_cores=True/False``: per round, a block of ``BLOCK_CALLS`` passes each way, in turns,
  each block after a pause of ``SETTLE_S`` and ``WARM_CALLS`` untimed passes; the minimum
  milliseconds a pass over ``--repeats`` rounds, their ratio and the route the rule takes.
  Blocks, not passes in turns: each route leaves its arrays (and the memory the allocator
  hands out next) in the caches of the core that wrote them, and the other route's next
  pass would pay for fetching them. The pause lets BLAS's threads, which spin for a while
  after a product (the one-core route's at some shapes), go to sleep first;
- *beside BLAS's threads*: what the halves cost where another layer of the model runs a
  product large enough for NumPy's BLAS to use both cores, whose threads then compete with
  the second half for the second core. A sine-tutorial model with a ``Dense(3000)`` before
  its output, one epoch of 200 batches of 10, the rule in force and switched off (by
  standing in ``two_cores_pay``), in turns; the sine model as the tutorial has it alongside.
  The median seconds over ``--epochs`` epochs each way, each epoch after the same pause.
"""
import argparse
import contextlib
import pathlib
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))   # the other scripts here

from bench_revisions import in_turns  # noqa: E402
from kernel_steps import lstm_arrays  # noqa: E402
from matmul_peak import peak_line  # noqa: E402
from minilstm import LSTM, Dense, Sequential  # noqa: E402
from minilstm.kernels import lstm, lstm_routes  # noqa: E402

# (B, T, I, H, dx): batch, steps, features, units, whether the input gradient is asked for
SHAPES = [(10, 50, 1, 20, False), (10, 50, 20, 20, True),        # the damped-sine tutorial's
          (4, 50, 1, 20, False), (4, 50, 20, 20, True), (6, 50, 1, 20, False),
          (8, 50, 20, 20, True), (10, 20, 1, 20, False), (32, 50, 20, 20, True),
          (10, 50, 1, 32, False), (10, 50, 32, 32, True), (10, 5, 12, 100, False)]


BLOCK_CALLS = 400
WARM_CALLS = 40                 # untimed, first in each block: wake the idle core, fill caches
SETTLE_S = 0.3                  # longer than OpenBLAS's threads spin after a product here


def block_seconds(cases, rounds):
    """``{(key, route): seconds}``: the least time of one call in a block of
    ``BLOCK_CALLS`` calls of each route, over ``rounds`` rounds, the routes in turns."""
    best = {}
    for round_ in range(rounds):
        for key, routes in cases.items():
            for route in sorted(routes, reverse=round_ % 2 == 1):
                time.sleep(SETTLE_S)
                for _ in range(WARM_CALLS):
                    routes[route]()
                start = time.perf_counter()
                for _ in range(BLOCK_CALLS):
                    routes[route]()
                seconds = (time.perf_counter() - start) / BLOCK_CALLS
                best[key, route] = min(best.get((key, route), seconds), seconds)
    return best


def passes(batch, steps, features, units, input_gradient, rng):
    """``{"one core": pass, "two cores": pass}``: forward + backward, each route."""
    x, kernel, recurrent, bias, d_hidden = lstm_arrays(batch, steps, features, units,
                                                       np.float32, rng)

    def forward_backward(two_cores):
        def step():
            *_, cache = lstm.forward_numba(x, kernel, recurrent, bias, two_cores=two_cores)
            lstm.backward_numba(d_hidden, None, None, cache, input_gradient=input_gradient,
                                two_cores=two_cores)
        return step
    return {"one core": forward_backward(False), "two cores": forward_backward(True)}


@contextlib.contextmanager
def one_core_only():
    """The rule switched off for every LSTM pass inside."""
    rule = lstm_routes.two_cores_pay
    lstm_routes.two_cores_pay = lambda *shape: False
    try:
        yield
    finally:
        lstm_routes.two_cores_pay = rule


def sine_model(wide_head):
    layers = [LSTM(20, return_sequences=True, input_shape=(50, 1)), LSTM(20)]
    layers += [Dense(3000), Dense(5)] if wide_head else [Dense(5)]
    model = Sequential(layers, seed=1)
    model.compile(loss="mae", optimizer="adam")
    return model


def epoch_seconds(epochs, rng):
    """``{(model, route): median seconds}`` over ``epochs`` epochs, the routes in turns."""
    x = rng.random((2000, 50, 1), dtype=np.float32)
    y = rng.random((2000, 5), dtype=np.float32)
    routes = {"two cores": contextlib.nullcontext, "one core": one_core_only}
    seconds = {}
    for model_name, wide_head in (("sine model", False), ("with Dense(3000)", True)):
        model = sine_model(wide_head)
        for route_context in routes.values():                     # compile both routes first
            with route_context():
                model.fit(x[:40], y[:40], batch_size=10, verbose=0)
        for epoch in range(epochs):
            for route, route_context in in_turns(routes, epoch):
                with route_context():
                    time.sleep(SETTLE_S)
                    start = time.perf_counter()
                    model.fit(x, y, batch_size=10, epochs=1, verbose=0)
                    seconds.setdefault((model_name, route), []).append(
                        time.perf_counter() - start)
    return {key: statistics.median(values) for key, values in seconds.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    print(peak_line())
    print(f"{'(B, T, I, H, dx)':>26} {'one core ms':>12} {'two cores ms':>13} "
          f"{'one/two':>8} {'chosen':>10}")
    rng = np.random.default_rng(0)
    best = block_seconds({shape: passes(*shape, rng) for shape in SHAPES}, args.repeats)
    for shape in SHAPES:
        one, two = (1e3 * best[shape, route] for route in ("one core", "two cores"))
        chosen = "two cores" if lstm_routes.two_cores_pay(*shape[:4]) else "one core"
        print(f"{str(shape):>26} {one:12.3f} {two:13.3f} {one / two:7.2f}x {chosen:>10}",
              flush=True)
    print(f"\none epoch of 200 batches of 10 (median of {args.epochs}):")
    seconds = epoch_seconds(args.epochs, rng)
    for model_name in ("sine model", "with Dense(3000)"):
        one, two = seconds[model_name, "one core"], seconds[model_name, "two cores"]
        print(f"{model_name:>26}: one core {one:.3f} s, two cores {two:.3f} s, "
              f"one/two {one / two:.2f}x", flush=True)


if __name__ == "__main__":
    main()
