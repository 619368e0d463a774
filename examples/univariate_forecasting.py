"""The univariate LSTM forecasters of the classic time-series tutorials, with relu.

Nine numbers, 10, 20, ..., 90, cut into windows of three that each predict the next; the
models of the tutorial (vanilla, stacked, bidirectional), each with Keras's
``activation='relu'``, trained for 200 epochs and asked for the number after 70, 80, 90
(the true next value is 100). The Keras original of the vanilla model, with minilstm in
place of Keras:

    model = Sequential()
    model.add(LSTM(50, activation='relu', input_shape=(n_steps, n_features)))
    model.add(Dense(1))
    model.compile(optimizer='adam', loss='mse')
    model.fit(X, y, epochs=200, verbose=0)

Each model is trained ``--repeats`` times from seeds 0, 1, ...; printed are each run's
forecast and their mean and standard deviation.

    python examples/univariate_forecasting.py                  # 10 runs of each model
    python examples/univariate_forecasting.py --repeats 2      # a smoke test (CI)
"""
import argparse
import time

import numpy as np

from minilstm import LSTM, Bidirectional, Dense, Sequential
from minilstm.checks import positive_int_argument

N_STEPS = 3
SEQUENCE = [10, 20, 30, 40, 50, 60, 70, 80, 90]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=positive_int_argument, default=10,
                        help="runs of each model, from seeds 0, 1, ...")
    parser.add_argument("--epochs", type=positive_int_argument, default=200)
    return parser.parse_args(argv)


def split_sequence(sequence, n_steps):
    """Windows of ``n_steps`` values (B, n_steps, 1) and the value after each (B,)."""
    windows = [sequence[i:i + n_steps] for i in range(len(sequence) - n_steps)]
    following = [sequence[i + n_steps] for i in range(len(sequence) - n_steps)]
    return np.array(windows, dtype=float)[..., None], np.array(following, dtype=float)


def vanilla():
    return [LSTM(50, activation="relu", input_shape=(N_STEPS, 1)), Dense(1)]


def stacked():
    return [LSTM(50, activation="relu", return_sequences=True, input_shape=(N_STEPS, 1)),
            LSTM(50, activation="relu"), Dense(1)]


def bidirectional():
    return [Bidirectional(LSTM(50, activation="relu"), input_shape=(N_STEPS, 1)), Dense(1)]


MODELS = {"vanilla": vanilla, "stacked": stacked, "bidirectional": bidirectional}


def forecast(layers, seed, epochs):
    """Train the model of ``layers`` on the windows from ``seed``; its forecast after 70,
    80, 90."""
    X, y = split_sequence(SEQUENCE, N_STEPS)
    model = Sequential(layers, seed=seed)
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, y, epochs=epochs, verbose=0)
    x_input = np.array([70.0, 80.0, 90.0]).reshape((1, N_STEPS, 1))
    return float(model.predict(x_input, verbose=0)[0, 0])


def main(argv=None):
    args = parse_args(argv)
    for name, layers in MODELS.items():
        start = time.perf_counter()
        forecasts = [forecast(layers(), seed, args.epochs) for seed in range(args.repeats)]
        seconds = time.perf_counter() - start
        listed = ", ".join(f"{value:.2f}" for value in forecasts)
        print(f"{name:>13}: {listed} -> mean {np.mean(forecasts):.2f} "
              f"± {np.std(forecasts):.2f} (true 100; {seconds / args.repeats:.2f} s a run)")


if __name__ == "__main__":
    main()
