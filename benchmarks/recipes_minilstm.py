"""The tutorial recipes as the examples run them: the minilstm half of bench_tutorials.py.

Each recipe takes ``(seed, warmup)`` and returns ``(seconds, metric)``: the seconds from
building the model to having its metric (data drawn during training included, as the
tutorials draw it), and the metric the tutorial reports. ``warmup=True`` runs a few steps
of the same recipe, untimed by the caller, so that Numba's kernels are loaded first.
"""
import functools
import pathlib
import sys
import time

import numpy as np

import minilstm
from minilstm.datasets import addition as addition_data
from minilstm.datasets.damped_sine import generate_examples

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
import addition_seq2seq  # noqa: E402  (the examples are scripts, not a package)
import char_translation  # noqa: E402
import damped_sine  # noqa: E402
import echo_attention  # noqa: E402

ECHO_STEPS = 5000
ADDITION_EPOCHS = 30
SINE_EXAMPLES = 10_000


def echo(kind, seed, warmup):
    result = echo_attention.train_and_evaluate(kind, seed, 2 if warmup else ECHO_STEPS,
                                               n_in=5, n_out=2, cardinality=50, units=150)
    return result["seconds"], result["accuracy"] / 100


def addition(seed, warmup):
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    model = addition_seq2seq.define_seq2seq(2, 10, (100, 50), seed)
    addition_seq2seq.train_seq2seq(model, 1 if warmup else ADDITION_EPOCHS,
                                   lambda n: addition_data.generate_data(n, 2, 10, rng),
                                   verbose=False)
    accuracy, _, _ = addition_seq2seq.exact_match(model,
                                                  *addition_data.generate_data(1000, 2, 10, rng))
    return time.perf_counter() - start, accuracy


def sine(seed, warmup):
    minilstm.set_seed(seed)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    model = damped_sine.define_model(50, 5)
    X, y = generate_examples(50, 20 if warmup else SINE_EXAMPLES, 5, seed=rng)
    model.fit(X, y, batch_size=10, epochs=1, verbose=0)
    mae = model.evaluate(*generate_examples(50, 1000, 5, seed=rng), verbose=0)
    return time.perf_counter() - start, mae


def translation_corpus(seed, warmup):
    """The example's default arguments, vocabularies and teacher-forcing arrays
    (200 training pairs for the warm-up, with the same latent size and batch)."""
    args = char_translation.parse_args(["--seed", str(seed)])
    if warmup:
        args.train, args.held_out = 200, 10
    _, _, vocabularies, _, arrays = char_translation.prepare(args)
    return args, vocabularies, arrays


def translation(seed, warmup):
    """One epoch of the plain recipe (latent 256, batch 64, validation_split 0.2)."""
    args, vocabularies, arrays = translation_corpus(seed, warmup)
    start = time.perf_counter()
    model = char_translation.define_model(args, vocabularies)
    history = model.fit(list(arrays[:2]), arrays[2], batch_size=args.batch_size, epochs=1,
                        validation_split=0.2, verbose=0)
    return time.perf_counter() - start, history.history["val_loss"][0]


RECIPES = {"echo baseline": functools.partial(echo, "baseline"),
           "echo attention": functools.partial(echo, "attention"),
           "addition": addition, "damped sine": sine, "translation epoch": translation}
