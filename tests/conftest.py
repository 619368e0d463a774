"""Shared test settings: hypothesis runs derandomised, so every CI run draws the
same shapes and seeds (the fixed seeds the gradient checks promise)."""
import math

import numpy as np
from hypothesis import HealthCheck, settings, strategies as st

settings.register_profile(
    "minilstm",
    derandomize=True,
    deadline=None,
    max_examples=15,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("minilstm")

# Shapes the gradient checks draw from (the engine issue's ranges).
batches = st.integers(1, 4)
steps = st.integers(1, 6)
features = st.integers(1, 5)
units = st.integers(1, 6)
seeds = st.integers(0, 2**32 - 1)

GRADIENT_TOLERANCE = 1e-6   # max relative error in float64

# Pairs (activation, recurrent_activation) other than Keras's defaults, each activation of
# ``kernels.recurrent_activations`` once in each place; each pair is a compilation of the
# Numba loops of its own, so the tests take these rather than all 25
ACTIVATION_PAIRS = [("relu", "sigmoid"), ("linear", "hard_sigmoid"), ("hard_sigmoid", "relu"),
                    ("sigmoid", "linear"), ("tanh", "tanh")]

# A finite-difference step for activations with kinks (relu at 0, hard_sigmoid at ±3): a
# pre-activation within a step of a kink would make the difference quotient wrong there
FINE_STEP = 1e-5


def _scalar_sigmoid(v):
    """1 / (1 + e^{-v}), as e^v / (1 + e^v) below 0, where e^{-v} may overflow."""
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


# Each activation as a function of one number, written here from Keras's documentation
SCALAR_ACTIVATIONS = {"tanh": math.tanh, "sigmoid": _scalar_sigmoid,
                      "hard_sigmoid": lambda v: min(max(v / 6.0 + 0.5, 0.0), 1.0),
                      "relu": lambda v: max(v, 0.0), "linear": lambda v: v}


def lstm_arrays(rng, batch, steps, features, units, dtype=np.float64, scale=0.5,
                form="dense"):
    """Random x, kernel, recurrent_kernel, bias, h0, c0 for kernel-level tests. ``form``
    (one of ``INPUT_FORMS``): x dense, of one-hot rows (about one in five all zeros, as
    padding), repeating its first step at every step (as ``RepeatVector`` makes it), or
    both: the forms the Numba twin reads specially (``kernels.input_rows``)."""
    def draw(*shape):
        return (scale * rng.standard_normal(shape)).astype(dtype)
    x = (one_hot_rows(rng, batch, steps, features, dtype) if "one-hot" in form
         else draw(batch, steps, features))                              # (B, T, I)
    if form.startswith("repeated"):
        x = np.repeat(x[:, :1], steps, axis=1)                           # (B, T, I)
    return (x, draw(features, 4 * units), draw(units, 4 * units),
            draw(4 * units), draw(batch, units), draw(batch, units))


INPUT_FORMS = ("dense", "one-hot", "repeated", "repeated one-hot")
input_forms = st.sampled_from(INPUT_FORMS)


def one_hot_rows(rng, batch, steps, features, dtype=np.float64):
    """(B, T, I) rows each e_k for a random k, or zeros with probability 1/5."""
    columns = rng.integers(0, features, size=(batch, steps))             # (B, T)
    rows = (np.arange(features) == columns[..., None]).astype(dtype)     # (B, T, I)
    rows[rng.random((batch, steps)) < 0.2] = 0.0
    return rows


# Shapes the attention decoder's checks draw from (the attention issue's ranges).
attention_batches = st.integers(1, 3)
attention_steps = st.integers(1, 5)
attention_features = st.integers(1, 4)
attention_units = st.integers(1, 5)
attention_classes = st.integers(2, 5)


def attention_weights(rng, features, units, classes, dtype=np.float64, scale=0.7):
    """Random AttentionWeights for kernel-level tests."""
    from minilstm.kernels.attention import AttentionWeights, weight_shapes
    return AttentionWeights(*((scale * rng.standard_normal(shape)).astype(dtype)
                              for shape in weight_shapes(features, units, classes)))


def padded_indices(rng, batch, steps_, vocabulary, padding):
    """(B, T) indices in [1, V) with padding 0 at the start ('pre'), the end ('post') or
    anywhere ('holes'); every sequence reads at least one step."""
    x = rng.integers(1, vocabulary, (batch, steps_))
    lengths = rng.integers(1, steps_ + 1, batch)
    for b, length in enumerate(lengths):
        if padding == "pre":
            x[b, :steps_ - length] = 0
        elif padding == "post":
            x[b, length:] = 0
        else:
            x[b, rng.random(steps_) < 0.3] = 0
            x[b, rng.integers(steps_)] = rng.integers(1, vocabulary)
    return x


def fit_save_and_load(model, path):
    """Fit ``model`` (a sequence model of input (20, 1) and one output) on 64 phase-shifted
    sine windows for 8 epochs, checking that the loss halves; save it to ``path`` and load
    it, checking that the loaded model predicts the same. Returns the loaded model."""
    import minilstm
    rng = np.random.default_rng(5)
    t = np.linspace(0, 8, 60)
    x = np.sin(t[None, :20] + rng.uniform(0, 6, (64, 1)))[..., None]   # (64, 20, 1)
    y = x[:, -1] * 0.9                                                  # (64, 1)
    model.compile(loss="mse", optimizer="adam")
    history = model.fit(x, y, batch_size=8, epochs=8, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    model.save(path)
    loaded = minilstm.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    return loaded
