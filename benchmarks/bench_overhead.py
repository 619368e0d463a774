"""The Python overhead of one training step: fit / train_on_batch around the kernels.

    python benchmarks/bench_overhead.py [--repeats 7]

On a model so small that its kernels cost next to nothing (LSTM(1) on one step of one
feature, Dense(1)), times per training step: ``fit(x, y, epochs=1)`` on one sample (a call
per step, as the echo tutorial trains), ``fit`` over 1,000 one-sample batches (the step
inside an epoch, without the call's own set-up), ``train_on_batch``, and the kernels that
step runs, called directly (LSTM forward and backward, the Dense layer's, the loss, one Adam
update over all the weights). What is left is Python: argument checks, layer plumbing,
metric, history. Minimum over ``--repeats`` interleaved rounds of 2,000 steps: the least
disturbed figure on a shared machine. The machine's matrix-multiply peak and processor
(``matmul_peak.py``) are printed first: these microseconds follow the host this virtual
machine runs on.
"""
import argparse
import time

import numpy as np

from matmul_peak import peak_line
from minilstm import LSTM, Dense, Sequential
from minilstm.kernels import dense, error_losses, lstm, optimizers

EPOCH_STEPS = 1000              # one-sample batches in the epoch of "fit, a step of an epoch"


def microseconds(calls_by_name, repeats, calls=2000, steps_per_call=None):
    """The minimum time per call of each callable, the rounds interleaved so that a slow
    spell of the machine falls on all of them alike. A callable named in ``steps_per_call``
    runs that many training steps a call: it is called that many times fewer, and timed
    per step."""
    steps_per_call = steps_per_call or {}
    best = {name: float("inf") for name in calls_by_name}
    for call in calls_by_name.values():
        call()
    for _ in range(repeats):
        for name, call in calls_by_name.items():
            steps = steps_per_call.get(name, 1)
            runs = max(1, calls // steps)
            start = time.perf_counter()
            for _ in range(runs):
                call()
            best[name] = min(best[name], (time.perf_counter() - start) / (runs * steps))
    return {name: 1e6 * seconds for name, seconds in best.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    model = Sequential([LSTM(1, input_shape=(1, 1)), Dense(1)], seed=1)
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    x, y = np.ones((1, 1, 1), np.float32), np.ones((1, 1), np.float32)
    xs, ys = np.ones((EPOCH_STEPS, 1, 1), np.float32), np.ones((EPOCH_STEPS, 1), np.float32)
    w = [np.ones(shape, np.float32) for shape in ((1, 4), (1, 4), (4,))]
    dense_kernel, dense_bias = np.ones((1, 1), np.float32), np.ones(1, np.float32)
    d_hidden = np.ones((1, 1, 1), np.float32)
    moments = np.zeros(model.count_params(), np.float32)

    def kernels():
        *_, cache = lstm.forward(x, *w)
        lstm.backward(d_hidden, None, None, cache)
        dense.forward(x[:, 0], dense_kernel, dense_bias)
        dense.backward(x[:, 0], d_hidden[:, 0], dense_kernel)
        error_losses.mean_squared_error(y, y)
        optimizers.adam(moments, moments, moments, moments, 1e-3, 0.9, 0.999, 1e-7)

    figures = {"fit, one sample": lambda: model.fit(x, y, epochs=1, verbose=0),
               "fit, a step of an epoch":
                   lambda: model.fit(xs, ys, batch_size=1, epochs=1, verbose=0),
               "train_on_batch": lambda: model.train_on_batch(x, y),
               "the step's kernels alone": kernels}
    print(peak_line())
    measured = microseconds(figures, args.repeats,
                            steps_per_call={"fit, a step of an epoch": EPOCH_STEPS})
    for name, value in measured.items():
        print(f"{name:>26}: {value:7.1f} us per step")
    for name in ("fit, one sample", "fit, a step of an epoch", "train_on_batch"):
        overhead = measured[name] - measured["the step's kernels alone"]
        print(f"{'overhead of ' + name:>40}: {overhead:7.1f} us per step")


if __name__ == "__main__":
    main()
