"""The GRU kernel: twins agree, gradients are right, masks and steps do what they say."""
import functools
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import GRADIENT_TOLERANCE, batches, features, seeds, steps, units
from minilstm.gradcheck import numerical_gradient, relative_error
from minilstm.kernels import gru


def numba_route(blas):
    """The Numba twin with its recurrent products forced through loops or BLAS."""
    return (functools.partial(gru.forward_numba, blas=blas),
            functools.partial(gru.backward_numba, blas=blas))


TWINS = {"numpy": (gru.forward_reference, gru.backward_reference),
         "numba-loops": numba_route(False), "numba-blas": numba_route(True)}
NUMBA_ROUTES = ("numba-loops", "numba-blas")


def gru_arrays(rng, batch, steps_, features_, units_, dtype=np.float64, scale=0.5):
    """Random x (B, T, I), kernel (I, 3H), recurrent_kernel (H, 3H), bias (2, 3H), h0 (B, H)."""
    def draw(*shape):
        return (scale * rng.standard_normal(shape)).astype(dtype)
    return (draw(batch, steps_, features_), draw(features_, 3 * units_),
            draw(units_, 3 * units_), draw(2, 3 * units_), draw(batch, units_))


def dropout_masks(rng, shape, dtype=np.float64):
    """A dropout mask: each entry 0 with probability 0.4, else 1 / 0.6."""
    return ((rng.random(shape) >= 0.4) / 0.6).astype(dtype)


def masks_for(rng, x, units_, input_masked, recurrent_masked, step_masked):
    """The optional masks of a forward pass, drawn as asked: ``input_mask (B, 3, I)``,
    ``recurrent_mask (B, 3, H)``, ``step_mask (B, T)``."""
    batch, steps_, features_ = x.shape
    return {"input_mask": dropout_masks(rng, (batch, 3, features_), x.dtype)
            if input_masked else None,
            "recurrent_mask": dropout_masks(rng, (batch, 3, units_), x.dtype)
            if recurrent_masked else None,
            "step_mask": rng.random((batch, steps_)) >= 0.3 if step_masked else None}


def run_both_twins(rng, dtype, batch, steps_, features_, units_, with_state, go_backwards,
                   masked):
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, batch, steps_, features_, units_, dtype)
    masks = masks_for(rng, x, units_, masked, masked, masked)
    d_hidden = rng.standard_normal((batch, steps_, units_)).astype(dtype)
    d_h = rng.standard_normal((batch, units_)).astype(dtype)
    results = {}
    for name, (forward, backward) in TWINS.items():
        hidden, h_last, cache = forward(x, kernel, recurrent, bias, h0 if with_state else None,
                                        go_backwards, **masks)
        results[name] = (hidden, h_last) + backward(d_hidden, d_h, cache)
    return results


@pytest.mark.parametrize("route", NUMBA_ROUTES)
@given(batches, steps, features, units, st.booleans(), st.booleans(), st.booleans(), seeds)
def test_numba_twin_matches_numpy_reference_in_float64(route, batch, steps_, features_, units_,
                                                       with_state, go_backwards, masked, seed):
    results = run_both_twins(np.random.default_rng(seed), np.float64, batch, steps_, features_,
                             units_, with_state, go_backwards, masked)
    for reference, fast in zip(results["numpy"], results[route]):
        np.testing.assert_allclose(fast, reference, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("route", NUMBA_ROUTES)
@given(batches, steps, features, units, st.booleans(), st.booleans(), st.booleans(), seeds)
def test_numba_twin_matches_numpy_reference_in_float32(route, batch, steps_, features_, units_,
                                                       with_state, go_backwards, masked, seed):
    results = run_both_twins(np.random.default_rng(seed), np.float32, batch, steps_, features_,
                             units_, with_state, go_backwards, masked)
    for reference, fast in zip(results["numpy"], results[route]):
        assert fast.dtype == np.float32
        np.testing.assert_allclose(fast, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), st.booleans(), seeds)
def test_backward_matches_finite_differences(twin, batch, steps_, features_, units_,
                                             go_backwards, masked, seed):
    """Every gradient the kernel gives (dx, dW, dU, db, dh0), with dL/dh_T carried in and,
    when ``masked``, dropout masks on the input and state and a mask of the steps read."""
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, batch, steps_, features_, units_)
    masks = masks_for(rng, x, units_, masked, masked, masked)
    forward, backward = TWINS[twin]
    w_hidden = rng.standard_normal((batch, steps_, units_))
    w_last = rng.standard_normal((batch, units_))

    def loss():
        hidden, h_last, _ = forward(x, kernel, recurrent, bias, h0, go_backwards, **masks)
        return float(np.sum(w_hidden * hidden) + np.sum(w_last * h_last))

    *_, cache = forward(x, kernel, recurrent, bias, h0, go_backwards, **masks)
    analytic = backward(w_hidden, w_last, cache)
    for name, array, gradient in zip(("x", "kernel", "recurrent_kernel", "bias", "h0"),
                                     (x, kernel, recurrent, bias, h0), analytic):
        error = relative_error(gradient, numerical_gradient(loss, array), name)
        assert error < GRADIENT_TOLERANCE, (name, error)


def scalar_gru(x, kernel, recurrent, bias, h0):
    """The GRU one number at a time, with ``math``: Keras's GRUCell (reset_after=True)."""
    batch, steps_, features_ = x.shape
    units_ = recurrent.shape[0]

    def sigmoid(value):
        return 1.0 / (1.0 + math.exp(-value))

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
                z = sigmoid(sum(column(0, j)))
                r = sigmoid(sum(column(1, j)))
                inputs, state = column(2, j)
                n = math.tanh(inputs + r * state)
                new.append(z * h[j] + (1.0 - z) * n)
            h = new
            hidden[b, t] = h
    return hidden


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_the_equations_of_keras_gru_cell_one_number_at_a_time(twin):
    rng = np.random.default_rng(3)
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, 2, 4, 3, 5, scale=0.8)
    hidden, h_last, _ = TWINS[twin][0](x, kernel, recurrent, bias, h0)
    expected = scalar_gru(x, kernel, recurrent, bias, h0)
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
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, batch, steps_, features_, units_)
    masks = masks_for(rng, x, units_, True, True, False)
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


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), seeds)
def test_unread_steps_are_as_if_left_out_of_the_sequence(twin, batch, steps_, features_,
                                                         units_, go_backwards, seed):
    """Each sequence with a step mask gives the final state, and at its read steps the
    outputs and the input's gradients, of that sequence run alone on its read steps; its
    unread steps output the state carried and get no input gradient."""
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, batch, steps_, features_, units_)
    reads = rng.random((batch, steps_)) >= 0.3
    forward, backward = TWINS[twin]
    d_h = rng.standard_normal((batch, units_))
    hidden, h_last, cache = forward(x, kernel, recurrent, bias, h0, go_backwards,
                                    step_mask=reads)
    d_x, *_ = backward(None, d_h, cache)
    for b in range(batch):
        read = np.flatnonzero(reads[b])
        if read.size == 0:
            np.testing.assert_allclose(h_last[b], h0[b], rtol=0, atol=0)
            continue
        alone, alone_last, alone_cache = forward(x[b:b + 1, read], kernel, recurrent, bias,
                                                 h0[b:b + 1], go_backwards)
        np.testing.assert_allclose(h_last[b:b + 1], alone_last, rtol=1e-12, atol=1e-13)
        order = read[::-1] if go_backwards else read        # hidden is in processing order
        processed = (steps_ - 1 - order) if go_backwards else order
        np.testing.assert_allclose(hidden[b, processed], alone[0], rtol=1e-12, atol=1e-13)
        alone_d_x, *_ = backward(None, d_h[b:b + 1], alone_cache)
        np.testing.assert_allclose(d_x[b, read], alone_d_x[0], rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(d_x[b, ~reads[b]], 0.0)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_go_backwards_reads_the_reversed_sequence(twin):
    rng = np.random.default_rng(5)
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, 2, 5, 3, 4)
    forward = TWINS[twin][0]
    backwards, last, _ = forward(x, kernel, recurrent, bias, h0, go_backwards=True)
    reversed_input, reversed_last, _ = forward(x[:, ::-1].copy(), kernel, recurrent, bias, h0)
    np.testing.assert_array_equal(backwards, reversed_input)
    np.testing.assert_array_equal(last, reversed_last)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, seeds)
def test_gradients_not_asked_for_are_none_and_the_rest_unchanged(twin, batch, steps_,
                                                                 features_, units_, seed):
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, batch, steps_, features_, units_)
    forward, backward = TWINS[twin]
    d_hidden = rng.standard_normal((batch, steps_, units_))
    *_, cache = forward(x, kernel, recurrent, bias, h0)
    full = backward(d_hidden, None, cache)
    partial = backward(d_hidden, None, cache, input_gradient=False,
                       initial_state_gradient=False)
    assert partial[0] is None and partial[4] is None
    for expected, got in zip(full[1:4], partial[1:4]):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_weight_gradients_are_written_into_given_arrays(twin):
    rng = np.random.default_rng(7)
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, 3, 4, 2, 5)
    forward, backward = TWINS[twin]
    d_hidden = rng.standard_normal((3, 4, 5))
    *_, cache = forward(x, kernel, recurrent, bias, h0)
    expected = backward(d_hidden, None, cache)
    out = (np.full_like(kernel, np.nan), np.full_like(recurrent, np.nan),
           np.full_like(bias, np.nan))
    written = backward(d_hidden, None, cache, out=out)
    for array, got, new in zip(out, written[1:4], expected[1:4]):
        assert got is array
        np.testing.assert_array_equal(got, new)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("twin", sorted(TWINS))
def test_kernels_keep_the_input_dtype(dtype, twin):
    rng = np.random.default_rng(1)
    arrays = gru_arrays(rng, 2, 3, 2, 4, dtype)
    forward, backward = TWINS[twin]
    hidden, h_last, cache = forward(*arrays)
    gradients = backward(np.ones_like(hidden), None, cache)
    assert {array.dtype for array in (hidden, h_last, *gradients)} == {np.dtype(dtype)}


@pytest.mark.parametrize("twin", sorted(TWINS))
@pytest.mark.parametrize("argument, shape", [
    ("bias", (12,)), ("kernel", (3, 8)), ("h0", (2, 3)), ("input_mask", (2, 3)),
    ("recurrent_mask", (2, 4)), ("step_mask", (2, 4))])
def test_arrays_of_the_wrong_shape_are_refused_by_name(twin, argument, shape):
    rng = np.random.default_rng(2)
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, 2, 5, 3, 4)
    arguments = {"x": x, "kernel": kernel, "recurrent_kernel": recurrent, "bias": bias,
                 "h0": h0, argument: np.ones(shape)}
    with pytest.raises(ValueError, match=f"{argument} must have shape"):
        TWINS[twin][0](**arguments)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_integer_input_is_refused_by_name(twin):
    rng = np.random.default_rng(2)
    x, kernel, recurrent, bias, h0 = gru_arrays(rng, 2, 5, 3, 4)
    with pytest.raises(TypeError, match="x must be float32 or float64"):
        TWINS[twin][0](x.astype(int), kernel, recurrent, bias)
