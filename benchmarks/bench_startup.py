"""Time from a new Python process to the end of the first training step of each recipe.

    python benchmarks/bench_startup.py [--repeats 3]

"cold": with an empty Numba cache (a fresh NUMBA_CACHE_DIR), so every kernel the step
uses is compiled. "warm": the same again with that cache filled, so the kernels load
from it. Each figure runs from starting a new process to the end of its first training
step: interpreter start, ``import minilstm``, model construction and the step (median of
``--repeats`` processes). Compilation is arithmetic, so these seconds follow the host this
virtual machine runs on: its matrix-multiply peak and processor (``matmul_peak.py``) are
printed first.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from matmul_peak import peak_line

RECIPES = {
    "echo baseline": """
from minilstm import LSTM, Dense, RepeatVector, Sequential, TimeDistributed
from minilstm.datasets.echo import get_pair
model = Sequential([LSTM(150, input_shape=(5, 50)), RepeatVector(5),
                    LSTM(150, return_sequences=True),
                    TimeDistributed(Dense(50, activation="softmax"))], seed=1)
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"])
model.fit(*get_pair(5, 2, 50, seed=1), epochs=1, verbose=0)
""",
    "echo attention": """
from minilstm import LSTM, AttentionDecoder, Sequential
from minilstm.datasets.echo import get_pair
model = Sequential([LSTM(150, input_shape=(5, 50), return_sequences=True),
                    AttentionDecoder(150, 50)], seed=1)
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"])
model.fit(*get_pair(5, 2, 50, seed=1), epochs=1, verbose=0)
""",
    "addition seq2seq": """
from minilstm import LSTM, Dense, RepeatVector, Sequential, TimeDistributed
from minilstm.datasets import addition
model = Sequential([LSTM(100, input_shape=(5, 12)), RepeatVector(2),
                    LSTM(50, return_sequences=True),
                    TimeDistributed(Dense(12, activation="softmax"))], seed=1)
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.train_on_batch(*addition.generate_data(10, 2, 10, seed=1))
""",
    "damped sine": """
from minilstm import LSTM, Dense, Sequential
from minilstm.datasets.damped_sine import generate_examples
model = Sequential([LSTM(20, return_sequences=True, input_shape=(50, 1)), LSTM(20), Dense(5)],
                   seed=1)
model.compile(loss="mae", optimizer="adam")
model.train_on_batch(*generate_examples(50, 10, 5, seed=1))
""",
    "translation": """
import numpy as np
from minilstm import EncoderDecoder
rng = np.random.default_rng(1)
model = EncoderDecoder(256, 21, 26, seed=1)
model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
eye = np.eye(26, dtype=np.float32)
model.train_on_batch([np.eye(21, dtype=np.float32)[rng.integers(0, 21, (64, 46))],
                      eye[rng.integers(0, 26, (64, 47))]], eye[rng.integers(0, 26, (64, 47))])
""",
    "translation attention": """
import numpy as np
from minilstm import EncoderDecoder
rng = np.random.default_rng(1)
model = EncoderDecoder(256, 21, 26, attention=True, attention_units=32, seed=1)
model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
eye = np.eye(26, dtype=np.float32)
model.train_on_batch([np.eye(21, dtype=np.float32)[rng.integers(0, 21, (64, 46))],
                      eye[rng.integers(0, 26, (64, 47))]], eye[rng.integers(0, 26, (64, 47))])
""",
}


DONE = "first training step done"


def process_seconds(code, cache_dir):
    """Seconds from starting a new Python on ``code`` to the line it prints when its
    first training step has ended (the interpreter's exit afterwards, about 0.3 s of
    tearing Numba down, is not counted)."""
    environment = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    start = time.perf_counter()
    with subprocess.Popen([sys.executable, "-c", f"{code}\nprint({DONE!r}, flush=True)"],
                          env=environment, stdout=subprocess.PIPE, text=True) as process:
        for line in process.stdout:
            if line.strip() == DONE:
                seconds = time.perf_counter() - start
        if process.wait() != 0:
            raise subprocess.CalledProcessError(process.returncode, "recipe")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(peak_line())
    baseline = statistics.median(process_seconds("import minilstm", tempfile.mkdtemp())
                                 for _ in range(args.repeats))
    print(f"python -c 'import minilstm' (cold cache, nothing compiled yet): {baseline:.2f} s\n")
    print(f"{'recipe':>24} {'cold s':>8} {'warm s':>8}")
    for name, code in RECIPES.items():
        cold, warm = [], []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as cache_dir:
                cold.append(process_seconds(code, cache_dir))
                warm.append(process_seconds(code, cache_dir))
        print(f"{name:>24} {statistics.median(cold):8.2f} {statistics.median(warm):8.2f}",
              flush=True)


if __name__ == "__main__":
    main()
