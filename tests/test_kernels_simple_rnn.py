"""The simple RNN kernel: twins agree, gradients are right, masks and steps do what they say."""
import functools
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import GRADIENT_TOLERANCE, batches, features, seeds, steps, units
from minilstm.gradcheck import numerical_gradient, relative_error
from minilstm.kernels import simple_rnn


def numba_route(blas):
    """The Numba twin with its recurrent products forced through loops or BLAS."""
    return (functools.partial(simple_rnn.forward_numba, blas=blas),
            functools.partial(simple_rnn.backward_numba, blas=blas))


TWINS = {"numpy": (simple_rnn.forward_reference, simple_rnn.backward_reference),
         "numba-loops": numba_route(False), "numba-blas": numba_route(True)}
NUMBA_ROUTES = ("numba-loops", "numba-blas")


def rnn_arrays(rng, batch, steps_, features_, units_, dtype=np.float64, scale=0.5):
    """Random x (B, T, I), kernel (I, H), recurrent_kernel (H, H), bias (H,), h0 (B, H)."""
    def draw(*shape):
        return (scale * rng.standard_normal(shape)).astype(dtype)
    return (draw(batch, steps_, features_), draw(features_, units_), draw(units_, units_),
            draw(units_), draw(batch, units_))


def masks_for(rng, x, units_, masked):
    """A recurrent dropout mask ``(B, H)`` (0 with probability 0.4, else 1 / 0.6) and a mask
    of the steps read ``(B, T)``, or neither."""
    if not masked:
        return {}
    batch, steps_, _ = x.shape
    return {"recurrent_mask": ((rng.random((batch, units_)) >= 0.4) / 0.6).astype(x.dtype),
            "step_mask": rng.random((batch, steps_)) >= 0.3}


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("route", NUMBA_ROUTES)
@given(batches, steps, features, units, st.booleans(), st.booleans(), seeds)
def test_numba_twin_matches_numpy_reference(dtype, tolerance, route, batch, steps_, features_,
                                            units_, go_backwards, masked, seed):
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = rnn_arrays(rng, batch, steps_, features_, units_, dtype)
    masks = masks_for(rng, x, units_, masked)
    d_hidden = rng.standard_normal((batch, steps_, units_)).astype(dtype)
    d_h = rng.standard_normal((batch, units_)).astype(dtype)
    results = {}
    for name in ("numpy", route):
        forward, backward = TWINS[name]
        hidden, h_last, cache = forward(x, kernel, recurrent, bias, h0, go_backwards, **masks)
        results[name] = (hidden, h_last) + backward(d_hidden, d_h, cache)
    for reference, fast in zip(results["numpy"], results[route]):
        assert fast.dtype == dtype
        np.testing.assert_allclose(fast, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), st.booleans(), seeds)
def test_backward_matches_finite_differences(twin, batch, steps_, features_, units_,
                                             go_backwards, masked, seed):
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = rnn_arrays(rng, batch, steps_, features_, units_)
    masks = masks_for(rng, x, units_, masked)
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


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_the_equation_one_number_at_a_time(twin):
    rng = np.random.default_rng(3)
    x, kernel, recurrent, bias, h0 = rnn_arrays(rng, 2, 4, 3, 5, scale=0.8)
    hidden, h_last, _ = TWINS[twin][0](x, kernel, recurrent, bias, h0)
    for b in range(2):
        h = list(h0[b])
        for t in range(4):
            h = [math.tanh(sum(x[b, t, i] * kernel[i, j] for i in range(3)) + bias[j]
                           + sum(h[k] * recurrent[k, j] for k in range(5))) for j in range(5)]
            np.testing.assert_allclose(hidden[b, t], h, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(h_last, hidden[:, -1])


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, seeds)
def test_a_recurrent_mask_is_the_recurrent_kernel_with_its_rows_scaled_per_sequence(
        twin, batch, steps_, features_, units_, seed):
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = rnn_arrays(rng, batch, steps_, features_, units_)
    mask = masks_for(rng, x, units_, True)["recurrent_mask"]
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


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), seeds)
def test_unread_steps_are_as_if_left_out_of_the_sequence(twin, batch, steps_, features_,
                                                         units_, go_backwards, seed):
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0 = rnn_arrays(rng, batch, steps_, features_, units_)
    reads = rng.random((batch, steps_)) >= 0.3
    forward, backward = TWINS[twin]
    d_h = rng.standard_normal((batch, units_))
    hidden, h_last, cache = forward(x, kernel, recurrent, bias, h0, go_backwards,
                                    step_mask=reads)
    d_x, *_ = backward(None, d_h, cache)
    for b in range(batch):
        read = np.flatnonzero(reads[b])
        if read.size == 0:
            np.testing.assert_array_equal(h_last[b], h0[b])
            continue
        _, alone_last, alone_cache = forward(x[b:b + 1, read], kernel, recurrent, bias,
                                             h0[b:b + 1], go_backwards)
        np.testing.assert_allclose(h_last[b:b + 1], alone_last, rtol=1e-12, atol=1e-13)
        alone_d_x, *_ = backward(None, d_h[b:b + 1], alone_cache)
        np.testing.assert_allclose(d_x[b, read], alone_d_x[0], rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(d_x[b, ~reads[b]], 0.0)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_go_backwards_reads_the_reversed_sequence(twin):
    rng = np.random.default_rng(5)
    x, kernel, recurrent, bias, h0 = rnn_arrays(rng, 2, 5, 3, 4)
    forward = TWINS[twin][0]
    backwards, last, _ = forward(x, kernel, recurrent, bias, h0, go_backwards=True)
    reversed_input, reversed_last, _ = forward(x[:, ::-1].copy(), kernel, recurrent, bias, h0)
    np.testing.assert_array_equal(backwards, reversed_input)
    np.testing.assert_array_equal(last, reversed_last)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_gradients_not_asked_for_are_none_and_given_arrays_are_written(twin):
    rng = np.random.default_rng(7)
    x, kernel, recurrent, bias, h0 = rnn_arrays(rng, 3, 4, 2, 5)
    forward, backward = TWINS[twin]
    d_hidden = rng.standard_normal((3, 4, 5))
    *_, cache = forward(x, kernel, recurrent, bias, h0)
    expected = backward(d_hidden, None, cache)
    out = tuple(np.full_like(weight, np.nan) for weight in (kernel, recurrent, bias))
    partial = backward(d_hidden, None, cache, out=out, input_gradient=False,
                       initial_state_gradient=False)
    assert partial[0] is None and partial[4] is None
    for array, got, new in zip(out, partial[1:4], expected[1:4]):
        assert got is array
        np.testing.assert_array_equal(got, new)


@pytest.mark.parametrize("twin", sorted(TWINS))
@pytest.mark.parametrize("argument, shape", [
    ("bias", (2, 4)), ("kernel", (3, 5)), ("recurrent_kernel", (4, 5)), ("h0", (2, 3)),
    ("recurrent_mask", (2, 3)), ("step_mask", (2, 4))])
def test_arrays_of_the_wrong_shape_are_refused_by_name(twin, argument, shape):
    rng = np.random.default_rng(2)
    x, kernel, recurrent, bias, h0 = rnn_arrays(rng, 2, 5, 3, 4)
    arguments = {"x": x, "kernel": kernel, "recurrent_kernel": recurrent, "bias": bias,
                 "h0": h0, argument: np.ones(shape)}
    with pytest.raises(ValueError, match=f"{argument} must have shape"):
        TWINS[twin][0](**arguments)
