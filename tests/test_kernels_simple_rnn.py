"""The simple RNN kernel's own: its equation one number at a time, with each activation, and
its recurrent mask. What it does as every kernel of one state does (twins, gradients, steps,
shapes, activations) is in ``test_kernels_one_state.py``."""
import numpy as np
import pytest
from hypothesis import given

from conftest import SCALAR_ACTIVATIONS, batches, features, seeds, steps, units
from minilstm.kernels.recurrent_activations import NAMES
from test_kernels_one_state import KERNELS

SIMPLE_RNN = KERNELS["simple_rnn"]
TWINS = SIMPLE_RNN.twins()


@pytest.mark.parametrize("activation", NAMES)
@pytest.mark.parametrize("twin", sorted(TWINS))
def test_the_equation_one_number_at_a_time(twin, activation):
    """h_t = φ(x_t W + b + h_{t-1} U), φ as Keras defines it."""
    rng = np.random.default_rng(3)
    x, kernel, recurrent, bias, h0 = SIMPLE_RNN.arrays(rng, 2, 4, 3, 5, scale=0.8)
    hidden, h_last, _ = TWINS[twin][0](x, kernel, recurrent, bias, h0, activation=activation)
    phi = SCALAR_ACTIVATIONS[activation]
    for b in range(2):
        h = list(h0[b])
        for t in range(4):
            h = [phi(sum(x[b, t, i] * kernel[i, j] for i in range(3)) + bias[j]
                     + sum(h[k] * recurrent[k, j] for k in range(5))) for j in range(5)]
            np.testing.assert_allclose(hidden[b, t], h, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(h_last, hidden[:, -1])


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, seeds)
def test_a_recurrent_mask_is_the_recurrent_kernel_with_its_rows_scaled_per_sequence(
        twin, batch, steps_, features_, units_, seed):
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = SIMPLE_RNN.arrays(rng, batch, steps_, features_, units_)
    mask = SIMPLE_RNN.masks(rng, x, units_, True)["recurrent_mask"]
    forward, backward = TWINS[twin]
    d_hidden = rng.standard_normal((batch, steps_, units_))
    hidden, _, cache = forward(x, kernel, recurrent, bias, h0, recurrent_mask=mask)
    _, _, d_recurrent, _, _ = backward(d_hidden, None, cache)
    expected = np.zeros_like(recurrent)
    for b in range(batch):
        scaled = recurrent * mask[b][:, None]
        alone, _, alone_cache = forward(x[b:b + 1], kernel, scaled, bias, h0[b:b + 1])
        np.testing.assert_allclose(hidden[b:b + 1], alone, rtol=1e-12, atol=1e-13)
        expected += backward(d_hidden[b:b + 1], None, alone_cache)[2] * mask[b][:, None]
    np.testing.assert_allclose(d_recurrent, expected, rtol=1e-10, atol=1e-12)
