"""Tutorial 3: a stacked LSTM forecasts the next 5 values of damped sine waves.

The Keras original, line for line, with minilstm in place of Keras:

    model = Sequential()
    model.add(LSTM(20, return_sequences=True, input_shape=(length, 1)))
    model.add(LSTM(20))
    model.add(Dense(output))
    model.compile(loss='mae', optimizer='adam')
    model.fit(X, y, batch_size=10, epochs=1)

Published: MAE 0.021665 on 1,000 fresh examples after one epoch of 10,000.

    python examples/damped_sine.py                 # the published recipe
    python examples/damped_sine.py --quick         # 3,000 examples: a smoke test (CI)
    python examples/damped_sine.py --plot sine.png # also a PNG (needs matplotlib)
"""
import argparse
import time

import numpy as np

import minilstm
from minilstm import LSTM, Dense, Sequential
from minilstm.checks import (non_negative_int_argument, output_file_argument,
                             positive_int_argument)
from minilstm.datasets.damped_sine import generate_examples
from minilstm.plotting import load_pyplot
from minilstm.textplot import line_chart


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=non_negative_int_argument, default=1,
                        help="seed for data and weights")
    parser.add_argument("--examples", type=positive_int_argument,
                        default=10_000, help="training examples")
    parser.add_argument("--quick", action="store_true",
                        help="3,000 examples: a smoke test, too short to beat the mean")
    parser.add_argument("--plot", metavar="FILE", type=output_file_argument,
                        help="save expected vs predicted as a PNG")
    parser.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2])
    return parser.parse_args()


def save_plot(path, expected, predicted):
    plt = load_pyplot(path)
    if plt is None:
        return
    steps = np.arange(len(expected))
    plt.plot(steps, expected, "o-", label="expected")
    plt.plot(steps, predicted, "x--", label="predicted")
    plt.legend()
    plt.savefig(path)
    print(f"saved {path}")


def define_model(length, output):
    """The tutorial's stacked LSTM, layer for layer."""
    model = Sequential()
    model.add(LSTM(20, return_sequences=True, input_shape=(length, 1)))
    model.add(LSTM(20))
    model.add(Dense(output))
    model.compile(loss="mae", optimizer="adam")
    return model


def main():
    args = parse_args()
    length, output = 50, 5
    n_train = 3_000 if args.quick else args.examples
    minilstm.set_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    # configure problem and model
    model = define_model(length, output)
    model.summary()

    # fit model
    X, y = generate_examples(length, n_train, output, seed=rng)
    start = time.perf_counter()
    history = model.fit(X, y, batch_size=10, epochs=1, verbose=args.verbose)
    train_seconds = time.perf_counter() - start

    # evaluate model
    X, y = generate_examples(length, 1000, output, seed=rng)
    loss = model.evaluate(X, y, verbose=0)
    print(f"MAE on 1,000 fresh examples: {loss:f}   (published: 0.021665)")
    print(f"training: {n_train:,} examples in {train_seconds:.1f} s "
          f"(first-epoch loss {history.history['loss'][0]:.4f})")

    # prediction on new data
    X, y = generate_examples(length, 1, output, seed=rng)
    predicted = model.predict(X, verbose=0)
    print("\nExpected vs predicted, the last 5 steps of one new wave:")
    print(line_chart({"expected": y[0], "predicted": predicted[0]}, height=10, width=41))
    if args.plot:
        save_plot(args.plot, y[0], predicted[0])
    return loss


if __name__ == "__main__":
    main()
