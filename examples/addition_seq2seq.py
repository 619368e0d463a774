"""Tutorial 2: learning to add, first as a mapping, then as sequence to sequence.

Part A — the beginner's mistake: two numbers in 1..100, normalised, as a mapping.
    MLP:  Dense(4, input_dim=2), Dense(2), Dense(1); 50 epochs of 100 fresh examples, batch 2.
          Published RMSE after rounding back to integers: 0.000000.
    LSTM: LSTM(10, input_shape=(2, 1)), Dense(1); 100 epochs of 100 examples, batch 1.
          Published RMSE: 0.565685.
Part B — seq2seq on characters: ' 3+10' -> '13'.
    LSTM(100) -> RepeatVector(2) -> LSTM(50, return_sequences=True)
    -> TimeDistributed(Dense(12, softmax)); 30 epochs of 1,000 fresh samples, batch 10.
    Published: last-epoch loss 0.0579, accuracy 0.9940; 20 of 20 printed examples right.
Then the readers' questions: with largest 10 there are only 100 distinct pairs — does the
model learn addition or memorise? (train on 80% of the pairs, test on the 20% never seen);
does masking the inputs' padding help? (Masking(mask_value=0.0) before the encoder, or not,
on the same batches); and
what happens with --largest 100. Keras's own version of this tutorial invites trying a GRU
or a SimpleRNN in place of the LSTMs: --rnn gru (or simple_rnn) runs part B and the
questions with those layers.

    python examples/addition_seq2seq.py                   # parts A and B, then the questions
    python examples/addition_seq2seq.py --part b --largest 100 --epochs 30
    python examples/addition_seq2seq.py --part b --rnn gru
    python examples/addition_seq2seq.py --quick           # a small, fast version (CI)
"""
import argparse
import time

import numpy as np

from minilstm import (GRU, LSTM, Dense, Masking, RepeatVector, Sequential, SimpleRNN,
                      TimeDistributed)
from minilstm.checks import non_negative_int_argument, positive_int_argument
from minilstm.datasets import addition


RECURRENT_LAYERS = {"lstm": LSTM, "gru": GRU, "simple_rnn": SimpleRNN}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "all"], default="all")
    parser.add_argument("--seed", type=non_negative_int_argument, default=1)
    parser.add_argument("--largest", type=positive_int_argument,
                        default=10, help="part B: largest term")
    parser.add_argument("--epochs", type=positive_int_argument,
                        default=30, help="part B: epochs of fresh samples")
    parser.add_argument("--units", type=positive_int_argument,
                        nargs=2, default=[100, 50], metavar=("ENC", "DEC"),
                        help="part B: encoder and decoder units")
    parser.add_argument("--rnn", choices=sorted(RECURRENT_LAYERS), default="lstm",
                        help="part B: the encoder's and decoder's layer")
    parser.add_argument("--quick", action="store_true", help="few epochs: a smoke test")
    return parser.parse_args(argv)


# ------------------------------------------------------------------ part A: a mapping

def mapping_rmse(model, n_numbers, largest, epochs, batch_size, reshape, rng):
    """Train on fresh normalised sums each epoch; RMSE on 100 more, rounded to integers."""
    scale = largest * n_numbers
    for _ in range(epochs):
        X, y = addition.random_sum_pairs(100, n_numbers, largest, seed=rng)
        model.fit(reshape(X / scale), y / scale, epochs=1, batch_size=batch_size, verbose=0)
    X, y = addition.random_sum_pairs(100, n_numbers, largest, seed=rng)
    predicted = np.round(model.predict(reshape(X / scale), verbose=0)[:, 0] * scale)
    return float(np.sqrt(np.mean((predicted - y) ** 2))), X[:5], y[:5], predicted[:5]


def part_a(args, rng):
    print("Part A: addition as a mapping from two normalised numbers (1..100) to their sum")
    epochs_mlp, epochs_lstm = (5, 5) if args.quick else (50, 100)
    mlp = Sequential([Dense(4, input_dim=2), Dense(2), Dense(1)], seed=args.seed)
    mlp.compile(loss="mse", optimizer="adam")
    lstm = Sequential([LSTM(10, input_shape=(2, 1)), Dense(1)], seed=args.seed)
    lstm.compile(loss="mse", optimizer="adam")
    results = {}
    for name, model, epochs, batch_size, reshape, published in (
            ("MLP", mlp, epochs_mlp, 2, lambda X: X, "0.000000"),
            ("LSTM", lstm, epochs_lstm, 1, lambda X: X[:, :, None], "0.565685")):
        start = time.perf_counter()
        rmse, X, y, predicted = mapping_rmse(model, 2, 100, epochs, batch_size, reshape, rng)
        print(f"  {name}: RMSE {rmse:.6f} (published {published}) after {epochs} epochs, "
              f"{time.perf_counter() - start:.1f} s")
        for terms, total, guess in zip(X, y, predicted):
            print(f"    {terms[0]} + {terms[1]} = {total}, predicted {guess:.0f}")
        results[name] = rmse
    return results


# ------------------------------------------------------------------ part B: seq2seq

def define_seq2seq(n_numbers, largest, units, seed, masked=False, rnn="lstm"):
    """The tutorial's model; ``masked=True`` puts Keras's ``Masking(mask_value=0.0)`` first,
    so that the encoder does not read the spaces, encoded as rows of zeros; ``rnn``: the
    encoder's and decoder's layer, ``'lstm'``, ``'gru'`` or ``'simple_rnn'``."""
    recurrent = RECURRENT_LAYERS[rnn]
    steps_in = addition.input_length(n_numbers, largest)
    steps_out = addition.output_length(n_numbers, largest)
    symbols = len(addition.ALPHABET)
    masking = [Masking(mask_value=0.0, input_shape=(steps_in, symbols))] if masked else []
    model = Sequential(masking + [
        recurrent(units[0], input_shape=None if masked else (steps_in, symbols)),
        RepeatVector(steps_out),
        recurrent(units[1], return_sequences=True),
        TimeDistributed(Dense(symbols, activation="softmax")),
    ], seed=seed)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def exact_match(model, X, y):
    expected, predicted = addition.invert(y), addition.invert(model.predict(X, verbose=0))
    return float(np.mean([e == p for e, p in zip(expected, predicted)])), expected, predicted


def train_seq2seq(model, epochs, sample, verbose):
    """Each epoch: 1,000 fresh samples from ``sample``, batch 10, as the tutorial does."""
    for epoch in range(epochs):
        X, y = sample(1000)
        history = model.fit(X, y, epochs=1, batch_size=10, verbose=0)
        if verbose:
            logs = history.history
            print(f"  epoch {epoch + 1:>3}/{epochs}: loss {logs['loss'][0]:.4f} "
                  f"- accuracy {logs['accuracy'][0]:.4f}")
    return history


def part_b(args, rng):
    n_numbers, largest = 2, args.largest
    epochs = 3 if args.quick else args.epochs
    print(f"\nPart B: seq2seq on characters, terms 1..{largest}, {epochs} epochs of 1,000 "
          f"fresh samples, {RECURRENT_LAYERS[args.rnn].__name__} units "
          f"{args.units[0]}/{args.units[1]}")
    model = define_seq2seq(n_numbers, largest, args.units, args.seed, rnn=args.rnn)
    start = time.perf_counter()
    train_seq2seq(model, epochs, lambda n: addition.generate_data(n, n_numbers, largest, rng),
                  verbose=True)
    seconds = time.perf_counter() - start
    X, y = addition.generate_data(1000, n_numbers, largest, rng)
    accuracy, expected, predicted = exact_match(model, X, y)
    sources = [text for text in addition.invert(X)]
    for source, e, p in list(zip(sources, expected, predicted))[:20]:
        print(f"  {source!r} expected {e!r}, predicted {p!r}{'' if e == p else '   <- wrong'}")
    print(f"  exact match on 1,000 fresh samples: {accuracy:.1%} (training {seconds:.1f} s)")
    return accuracy, seconds


def unseen_pairs(args, rng):
    """Train on a random 80% of the distinct pairs (largest 10); test on the other 20%."""
    n_numbers, largest = 2, 10
    epochs = 3 if args.quick else args.epochs
    pairs = np.array([(a, b) for a in range(1, largest + 1) for b in range(1, largest + 1)])
    order = rng.permutation(len(pairs))
    split = int(0.8 * len(pairs))
    train, test = pairs[order[:split]], pairs[order[split:]]
    print(f"\nMemorising or adding? {len(train)} of the {len(pairs)} distinct pairs for "
          f"training, {len(test)} held out, {epochs} epochs")

    def sample(n):
        chosen = train[rng.integers(0, len(train), n)]
        return addition.encode_pairs(chosen, chosen.sum(axis=1), n_numbers, largest)

    model = define_seq2seq(n_numbers, largest, args.units, args.seed, rnn=args.rnn)
    train_seq2seq(model, epochs, sample, verbose=False)
    accuracy_seen, _, _ = exact_match(model, *sample(1000))
    X, y = addition.encode_pairs(test, test.sum(axis=1), n_numbers, largest)
    accuracy_unseen, expected, predicted = exact_match(model, X, y)
    wrong = [f"{a}+{b}={e.strip()} (said {p.strip()})"
             for (a, b), e, p in zip(test, expected, predicted) if e != p]
    print(f"  exact match on training pairs: {accuracy_seen:.1%}; "
          f"on the {len(test)} pairs never seen: {accuracy_unseen:.1%}")
    if wrong:
        print("  wrong on unseen pairs: " + ", ".join(wrong))
    return accuracy_seen, accuracy_unseen


def spaces_as_zeros(X):
    """The one-hot inputs ``(n, T, 12)`` with each space a row of zeros: a step that
    Keras's ``Masking(mask_value=0.0)`` marks as not read."""
    space = addition.ALPHABET.index(" ")
    return X * (X[..., space] == 0)[..., None]                                 # (n, T, 12)


def masking_the_padding(args, rng):
    """Readers asked whether masking the inputs' padding helps. With the spaces encoded as
    rows of zeros (``spaces_as_zeros``), Keras's ``Masking(mask_value=0.0)`` before the
    encoder marks them as steps not read: the encoder carries its zero initial state through
    the leading spaces of ``'  7+1'``, as if it read ``'7+1'`` alone. Two models, from the
    same weights, train on the same batches in the same order (the tutorial's recipe; the
    model's generator, seeded alike, shuffles both alike): one reads the spaces, one masks
    them."""
    n_numbers, largest = 2, 10
    epochs = 3 if args.quick else args.epochs
    print(f"\nMasking the padding? Two models on the same batches, {epochs} epochs of 1,000 "
          f"fresh samples: one reads the inputs padded, one with Masking(mask_value=0.0)")
    padded = define_seq2seq(n_numbers, largest, args.units, args.seed, rnn=args.rnn)
    masked = define_seq2seq(n_numbers, largest, args.units, args.seed, masked=True,
                            rnn=args.rnn)
    for _ in range(epochs):
        X, y = addition.generate_data(1000, n_numbers, largest, rng)
        padded.fit(X, y, epochs=1, batch_size=10, verbose=0)
        masked.fit(spaces_as_zeros(X), y, epochs=1, batch_size=10, verbose=0)
    X, y = addition.generate_data(1000, n_numbers, largest, rng)
    accuracy_padded = exact_match(padded, X, y)[0]
    accuracy_masked = exact_match(masked, spaces_as_zeros(X), y)[0]
    print(f"  exact match on 1,000 fresh samples: {accuracy_padded:.1%} padded, "
          f"{accuracy_masked:.1%} with the padding masked")
    return accuracy_padded, accuracy_masked


def main(argv=None):
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    results = {}
    if args.part in ("a", "all"):
        results["mapping_rmse"] = part_a(args, rng)
    if args.part in ("b", "all"):
        results["seq2seq"] = part_b(args, rng)
        if args.largest == 10:
            results["unseen"] = unseen_pairs(args, rng)
            results["masking"] = masking_the_padding(args, rng)
    return results


if __name__ == "__main__":
    main()
