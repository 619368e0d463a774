"""The GRU kernel's own: Keras's GRUCell equations, and its dropout masks one a gate. What
it does as every kernel of one state does (twins, gradients, steps, shapes) is in
``test_kernels_one_state.py``."""
import numpy as np
import pytest
from hypothesis import given

from conftest import ACTIVATION_PAIRS, SCALAR_ACTIVATIONS, batches, features, seeds, steps, units
from test_kernels_one_state import KERNELS

GRU = KERNELS["gru"]
TWINS = GRU.twins()


def scalar_gru(x, kernel, recurrent, bias, h0, activations=("tanh", "sigmoid")):
    """The GRU one number at a time, with ``math``: Keras's GRUCell (reset_after=True), with
    φ and σ as Keras defines them."""
    batch, steps_, features_ = x.shape
    units_ = recurrent.shape[0]
    phi, sigma = (SCALAR_ACTIVATIONS[name] for name in activations)

    hidden = np.zeros((batch, steps_, units_))
    for b in range(batch):
        h = list(h0[b])
        for t in range(steps_):
            def column(gate, j):
                k = gate * units_ + j
                inputs = sum(x[b, t, i] * kernel[i, k] for i in range(features_)) + bias[0, k]
                state = sum(h[i] * recurrent[i, k] for i in range(units_)) + bias[1, k]
                return inputs, state
            new = []
            for j in range(units_):
                z = sigma(sum(column(0, j)))
                r = sigma(sum(column(1, j)))
                inputs, state = column(2, j)
                n = phi(inputs + r * state)
                new.append(z * h[j] + (1.0 - z) * n)
            h = new
            hidden[b, t] = h
    return hidden


@pytest.mark.parametrize("activations", [("tanh", "sigmoid")] + ACTIVATION_PAIRS)
@pytest.mark.parametrize("twin", sorted(TWINS))
def test_the_equations_of_keras_gru_cell_one_number_at_a_time(twin, activations):
    rng = np.random.default_rng(3)
    x, kernel, recurrent, bias, h0 = GRU.arrays(rng, 2, 4, 3, 5, scale=0.8)
    hidden, h_last, _ = TWINS[twin][0](x, kernel, recurrent, bias, h0,
                                       **GRU.activation_arguments(activations))
    expected = scalar_gru(x, kernel, recurrent, bias, h0, activations)
    np.testing.assert_allclose(hidden, expected, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(h_last, hidden[:, -1])


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, seeds)
def test_dropout_masks_are_the_weights_rows_scaled_per_sequence_and_gate(
        twin, batch, steps_, features_, units_, seed):
    """A mask d_g on the input is W_g with its rows scaled by d_g, a mask m_g on the state
    U_g with its rows scaled by m_g, for each sequence: h_t still mixes the unmasked
    h_{t-1}, and the gradients of the weights are the scaled weights' gradients, their rows
    scaled back."""
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = GRU.arrays(rng, batch, steps_, features_, units_)
    masks = GRU.masks(rng, x, units_, True)
    del masks["step_mask"]
    forward, backward = TWINS[twin]
    d_hidden = rng.standard_normal((batch, steps_, units_))
    hidden, _, cache = forward(x, kernel, recurrent, bias, h0, **masks)
    _, d_kernel, d_recurrent, d_bias, _ = backward(d_hidden, None, cache)
    expected_d_kernel, expected_d_recurrent = np.zeros_like(kernel), np.zeros_like(recurrent)
    for b in range(batch):
        scaled_kernel = kernel * np.repeat(masks["input_mask"][b], units_, axis=0).T
        scaled_recurrent = recurrent * np.repeat(masks["recurrent_mask"][b], units_, axis=0).T
        alone, _, alone_cache = forward(x[b:b + 1], scaled_kernel, scaled_recurrent, bias,
                                        h0[b:b + 1])
        np.testing.assert_allclose(hidden[b:b + 1], alone, rtol=1e-12, atol=1e-13)
        _, dk, dr, _, _ = backward(d_hidden[b:b + 1], None, alone_cache)
        expected_d_kernel += dk * np.repeat(masks["input_mask"][b], units_, axis=0).T
        expected_d_recurrent += dr * np.repeat(masks["recurrent_mask"][b], units_, axis=0).T
    np.testing.assert_allclose(d_kernel, expected_d_kernel, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(d_recurrent, expected_d_recurrent, rtol=1e-10, atol=1e-12)
