"""Tutorial 1: echo the first numbers of a random sequence, with and without attention.

Each input is 5 random integers below 50, one-hot encoded; the target is its first 2
numbers followed by zeros: [12, 20, 36, 40, 12] -> [12, 20, 0, 0, 0]. Two models learn
it from 5,000 single pairs, one fit each, and are scored on 100 fresh pairs, a pair
counting only if the whole decoded sequence is right:

    baseline:  LSTM(150) -> RepeatVector(5) -> LSTM(150, return_sequences=True)
               -> TimeDistributed(Dense(50, softmax))
    attention: LSTM(150, return_sequences=True) -> AttentionDecoder(150, 50)

Published (mean of 10 runs): baseline 23.10%, attention 95.70%.

    python examples/echo_attention.py                      # 10 repeats of each model
    python examples/echo_attention.py --workers 2          # repeats in parallel processes
    python examples/echo_attention.py --plot echo.png      # loss curves + heatmap (matplotlib)
"""
import argparse
import concurrent.futures
import multiprocessing
import os
import time

import numpy as np

from minilstm import LSTM, AttentionDecoder, Dense, RepeatVector, Sequential, TimeDistributed
from minilstm.checks import (non_negative_int_argument, output_file_argument,
                             positive_int_argument)
from minilstm.datasets.echo import get_pair, get_pairs, one_hot_decode
from minilstm.plotting import load_pyplot
from minilstm.textplot import heatmap, line_chart

PUBLISHED = {"baseline": [20, 23, 23, 18, 28, 29, 23, 26, 21, 20],
             "attention": [98, 91, 94, 93, 96, 99, 97, 94, 99, 96]}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=positive_int_argument,
                        default=10, help="runs of each model")
    parser.add_argument("--workers", type=positive_int_argument,
                        default=1, help="parallel processes")
    parser.add_argument("--seed", type=non_negative_int_argument, default=1,
                        help="run r uses seed + r")
    parser.add_argument("--steps", type=positive_int_argument,
                        default=5000, help="training pairs per run")
    parser.add_argument("--cardinality", type=positive_int_argument,
                        default=50, help="distinct numbers")
    parser.add_argument("--n-in", type=positive_int_argument, default=5, help="input length")
    parser.add_argument("--n-out", type=positive_int_argument, default=2, help="numbers to echo")
    parser.add_argument("--units", type=positive_int_argument,
                        default=150, help="LSTM / decoder units")
    parser.add_argument("--plot", metavar="FILE", type=output_file_argument,
                        help="save loss curves and heatmap as PNG")
    args = parser.parse_args(argv)
    if args.n_out > args.n_in:
        parser.error(f"--n-out ({args.n_out}) must be at most --n-in ({args.n_in}): the "
                     "numbers echoed are the first of the input")
    return args


def define_model(kind, n_in, cardinality, units, seed):
    """The tutorial's two models, layer for layer."""
    if kind == "baseline":
        model = Sequential([
            LSTM(units, input_shape=(n_in, cardinality)),
            RepeatVector(n_in),
            LSTM(units, return_sequences=True),
            TimeDistributed(Dense(cardinality, activation="softmax")),
        ], seed=seed)
    else:
        model = Sequential([
            LSTM(units, input_shape=(n_in, cardinality), return_sequences=True),
            AttentionDecoder(units, cardinality),
        ], seed=seed)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"])
    return model


def train_and_evaluate(kind, seed, steps, n_in, n_out, cardinality, units):
    """One run: train on ``steps`` fresh pairs, score on 100 more. Returns a result dict."""
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    model = define_model(kind, n_in, cardinality, units, seed)
    losses = np.empty(steps)
    for step in range(steps):
        X, y = get_pair(n_in, n_out, cardinality, seed=rng)
        history = model.fit(X, y, epochs=1, verbose=0)
        losses[step] = history.history["loss"][0]
    X, y = get_pairs(100, n_in, n_out, cardinality, seed=rng)
    expected, predicted = one_hot_decode(y), one_hot_decode(model.predict(X))
    result = {"kind": kind, "seed": seed, "losses": losses,
              "accuracy": 100.0 * float(np.mean(np.all(expected == predicted, axis=1))),
              "spot_checks": list(zip(one_hot_decode(X[:10]).tolist(), expected[:10].tolist(),
                                      predicted[:10].tolist()))}
    if kind == "attention":
        model.predict(X[:1])
        result["attention_example"] = (one_hot_decode(X[0]).tolist(), predicted[0].tolist(),
                                       model.layers[-1].attention_weights[0].copy())
    result["seconds"] = time.perf_counter() - start
    return result


def run_all(args):
    """Every (model, repeat) run, in ``args.workers`` processes; results in a fixed order."""
    jobs = [(kind, args.seed + repeat, args.steps, args.n_in, args.n_out, args.cardinality,
             args.units) for kind in ("baseline", "attention") for repeat in range(args.repeats)]
    if args.workers <= 1:
        return [train_and_evaluate(*job) for job in jobs]
    # One BLAS thread per worker: the workers already fill the cores, and BLAS thread
    # pools competing with them slow every run down.
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        return list(pool.map(train_and_evaluate, *zip(*jobs)))


def smoothed(curve, bins=60):
    """The curve averaged over ``bins`` equal stretches of steps, for plotting."""
    return np.array([chunk.mean() for chunk in np.array_split(curve, min(bins, len(curve)))])


def report(results, args, wall_seconds):
    by_kind = {kind: [r for r in results if r["kind"] == kind] for kind in PUBLISHED}
    published = args.steps == 5000 and (args.n_in, args.n_out, args.cardinality) == (5, 2, 50)
    print("Exact-match accuracy on 100 fresh pairs, per run:")
    for kind, runs in by_kind.items():
        scores = ", ".join(f"{r['accuracy']:.0f}" for r in runs)
        mean = np.mean([r["accuracy"] for r in runs])
        reference = f"   (published mean {np.mean(PUBLISHED[kind]):.2f}%)" if published else ""
        print(f"  {kind:>9}: {scores}  -> mean {mean:.2f}%{reference}")
    for kind, runs in by_kind.items():
        print(f"\nSpot checks, {kind} (run with seed {runs[-1]['seed']}): "
              "input -> expected, predicted")
        for x, expected, predicted in runs[-1]["spot_checks"]:
            mark = "ok" if expected == predicted else "  "
            print(f"  {mark} {x} -> {expected}, {predicted}")
    curves = {kind: np.mean([r["losses"] for r in runs], axis=0) for kind, runs in by_kind.items()}
    print(f"\nTraining loss per step, mean of {args.repeats} run(s), averaged in bins:")
    print(line_chart({kind: smoothed(curve) for kind, curve in curves.items()}, height=12))
    sequence, predicted, weights = by_kind["attention"][-1]["attention_example"]
    print(f"\nAttention weights for input {sequence} (row: output step; "
          f"column: input step; darker = more weight), decoded as {predicted}:")
    print(heatmap(weights, row_labels=[f"out {t + 1}" for t in range(len(weights))],
                  column_labels=[str(v) for v in sequence]))
    run_seconds = {kind: np.mean([r["seconds"] for r in runs]) for kind, runs in by_kind.items()}
    print(f"\nOne {args.steps:,}-step run takes {run_seconds['baseline']:.1f} s (baseline), "
          f"{run_seconds['attention']:.1f} s (attention); wall time {wall_seconds:.1f} s "
          f"with {args.workers} worker(s).")
    if args.plot:
        save_plot(args.plot, curves, sequence, weights)


def save_plot(path, curves, sequence, weights):
    plt = load_pyplot(path)
    if plt is None:
        return
    figure, (curve_axes, map_axes) = plt.subplots(1, 2, figsize=(11, 4))
    for kind, curve in curves.items():
        points = smoothed(curve, bins=100)
        curve_axes.plot(np.linspace(0, len(curve), len(points)), points, label=kind)
    curve_axes.set(xlabel="training step", ylabel="loss (mean over runs, binned)", yscale="log")
    curve_axes.legend()
    map_axes.imshow(weights, cmap="Greys")
    map_axes.set(xlabel="input step", ylabel="output step", xticks=range(len(sequence)),
                 xticklabels=[str(v) for v in sequence])
    figure.tight_layout()
    figure.savefig(path)
    print(f"saved {path}")


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    results = run_all(args)
    report(results, args, time.perf_counter() - start)
    return results


if __name__ == "__main__":
    main()
