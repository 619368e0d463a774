"""Shared test settings: hypothesis runs derandomised, so every CI run draws the
same shapes and seeds (the fixed seeds the gradient checks promise)."""
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


def lstm_arrays(rng, batch, steps, features, units, dtype=np.float64, scale=0.5):
    """Random x, kernel, recurrent_kernel, bias, h0, c0 for kernel-level tests."""
    def draw(*shape):
        return (scale * rng.standard_normal(shape)).astype(dtype)
    return (draw(batch, steps, features), draw(features, 4 * units), draw(units, 4 * units),
            draw(4 * units), draw(batch, units), draw(batch, units))


# Shapes the attention decoder's checks draw from (the attention issue's ranges).
attention_batches = st.integers(1, 3)
attention_steps = st.integers(1, 5)
attention_features = st.integers(1, 4)
attention_units = st.integers(1, 5)
attention_classes = st.integers(2, 5)


def attention_weights(rng, features, units, classes, dtype=np.float64, scale=0.7):
    """Random AttentionWeights for kernel-level tests."""
    from minilstm.kernels.attention import AttentionWeights, WEIGHT_NAMES
    shapes = {"V_a": (units,), "W_a": (units, units), "U_a": (features, units),
              "b_a": (units,), "W_s": (features, units), "C_o": (features, classes),
              "U_o": (units, classes), "W_o": (classes, classes), "b_o": (classes,)}
    for gate in "rzp":
        shapes.update({f"C_{gate}": (features, units), f"U_{gate}": (units, units),
                       f"W_{gate}": (classes, units), f"b_{gate}": (units,)})
    return AttentionWeights(**{name: (scale * rng.standard_normal(shapes[name])).astype(dtype)
                               for name in WEIGHT_NAMES})
