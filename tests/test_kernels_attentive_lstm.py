"""The attentive LSTM decoder kernel: twins agree and every gradient is right."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import (GRADIENT_TOLERANCE, attention_batches, attention_features,
                      attention_steps, attention_units, one_hot_rows, seeds)
from minilstm.gradcheck import numerical_gradient, relative_error
from minilstm.kernels import attentive_lstm as kernel

TWINS = {"numpy": (kernel.forward_reference, kernel.backward_reference),
         "numba": (kernel.forward_numba, kernel.backward_numba)}
shapes = (attention_batches, attention_steps, attention_steps, attention_features,
          attention_features, attention_units, attention_units, seeds)


def draw(seed, batch, steps, steps_in, inputs, memory_dim, units, attention_size, dtype,
         one_hot=False):
    """Weights, [x, memory, h0, c0] and the four upstream gradients; with ``one_hot``, x's
    rows one-hot (about one in five zero), as teacher forcing feeds the decoder."""
    rng = np.random.default_rng(seed)

    def normal(*shape, scale=0.6):
        return (scale * rng.standard_normal(shape)).astype(dtype)

    weights = kernel.AttentiveLSTMWeights(
        normal(inputs, 4 * units), normal(memory_dim, 4 * units), normal(units, 4 * units),
        normal(4 * units), normal(memory_dim, attention_size), normal(units, attention_size),
        normal(attention_size, scale=1.0))
    x = (one_hot_rows(rng, batch, steps, inputs, dtype) if one_hot
         else normal(batch, steps, inputs, scale=1.0))                   # (B, T, K)
    arrays = [x, normal(batch, steps_in, memory_dim, scale=1.0),
              normal(batch, units, scale=1.0), normal(batch, units, scale=1.0)]
    upstream = [normal(batch, steps, units, scale=1.0), normal(batch, steps, memory_dim, scale=1.0),
                normal(batch, units, scale=1.0), normal(batch, units, scale=1.0)]
    return weights, arrays, upstream


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@given(*shapes, st.booleans())
def test_numba_twin_matches_numpy_reference(dtype, tolerance, batch, steps, steps_in, inputs,
                                            memory_dim, units, attention_size, seed, one_hot):
    """One-hot x is read by its columns in the Numba twin (``input_rows``)."""
    weights, (x, memory, h0, c0), upstream = draw(seed, batch, steps, steps_in, inputs,
                                                  memory_dim, units, attention_size, dtype,
                                                  one_hot)
    results = {}
    for name, (forward, backward) in TWINS.items():
        *outputs, cache = forward(x, memory, weights, h0, c0)
        d_x, d_memory, d_weights, d_h0, d_c0 = backward(cache, *upstream)
        results[name] = outputs + [d_x, d_memory, d_h0, d_c0, *d_weights]
    for reference, jitted in zip(results["numpy"], results["numba"]):
        assert jitted.dtype == dtype
        np.testing.assert_allclose(jitted, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(*shapes, st.booleans())
def test_backward_matches_finite_differences(twin, batch, steps, steps_in, inputs, memory_dim,
                                             units, attention_size, seed, one_hot):
    """L = <R_h, hidden> + <R_c, contexts> + <R_hT, h_T> + <R_cT, c_T>."""
    forward, backward = TWINS[twin]
    weights, arrays, upstream = draw(seed, batch, steps, steps_in, inputs, memory_dim, units,
                                     attention_size, np.float64, one_hot)

    def loss():
        hidden, contexts, _, h, c, _ = forward(*arrays[:2], weights, *arrays[2:])
        return float(sum(np.sum(r * out) for r, out in zip(upstream, (hidden, contexts, h, c))))

    *_, cache = forward(*arrays[:2], weights, *arrays[2:])
    d_x, d_memory, d_weights, d_h0, d_c0 = backward(cache, *upstream)
    for gradient, array in zip((d_x, d_memory, d_h0, d_c0, *d_weights), (*arrays, *weights)):
        assert relative_error(gradient, numerical_gradient(loss, array)) < GRADIENT_TOLERANCE


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_without_input_gradient_dx_is_none_and_the_rest_unchanged(twin):
    """The decoder's input is data (teacher forcing), so its model asks for no dx."""
    forward, backward = TWINS[twin]
    weights, (x, memory, h0, c0), upstream = draw(0, 2, 3, 4, 5, 3, 4, 2, np.float64)
    *_, cache = forward(x, memory, weights, h0, c0)
    full = backward(cache, *upstream)
    without = backward(cache, *upstream, input_gradient=False)
    assert full[0].shape == x.shape and without[0] is None
    for a, b in zip((full[1], *full[2], *full[3:]), (without[1], *without[2], *without[3:])):
        np.testing.assert_array_equal(a, b)


def test_one_hot_input_is_kept_as_its_columns_by_the_numba_twin():
    weights, (x, memory, h0, c0), _ = draw(0, 2, 3, 4, 5, 3, 4, 2, np.float64, one_hot=True)
    *_, cache = kernel.forward_numba(x, memory, weights, h0, c0)
    rows = x.reshape(-1, 5)                                              # (B·T, K)
    np.testing.assert_array_equal(cache.hot, np.where(rows.any(axis=1), rows.argmax(axis=1), -1))
    x[1, 2, 0] = 0.5
    *_, cache = kernel.forward_numba(x, memory, weights, h0, c0)
    assert cache.hot is None
