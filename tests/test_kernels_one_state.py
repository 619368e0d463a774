"""What every recurrent kernel of one state (the GRU's, the simple RNN's) must do alike, for
each twin and each route of the Numba twin: agree with the NumPy twin, give the gradients of
finite differences, read masked steps as left out, read backwards, keep its dtype, leave out
what is not asked for, take Keras's other activations, and refuse arrays of the wrong shape
and unknown activations by name. What is each kernel's
own (its equations, its dropout masks) is in ``test_kernels_gru.py`` and
``test_kernels_simple_rnn.py``."""
import functools

import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import (ACTIVATION_PAIRS, FINE_STEP, GRADIENT_TOLERANCE, batches, features, seeds,
                      steps, units)
from minilstm.gradcheck import numerical_gradient, relative_error
from minilstm.kernels import gru, simple_rnn


def dropout_mask(rng, shape, dtype=np.float64):
    """A dropout mask: each entry 0 with probability 0.4, else 1 / 0.6."""
    return ((rng.random(shape) >= 0.4) / 0.6).astype(dtype)


class Kernel:
    """A kernel of one state under test: its module, its number of gates, the shape of its
    bias, the dropout masks its forward pass takes (name -> shape from (B, I, H)) and
    whether it has a recurrent activation (Keras's SimpleRNN has ``activation`` alone)."""

    def __init__(self, module, gates, bias_shape, dropout_masks, recurrent_activation):
        self.module, self.gates = module, gates
        self.bias_shape, self.dropout_masks = bias_shape, dropout_masks
        self.recurrent_activation = recurrent_activation

    def activation_arguments(self, pair):
        """The forward pass's arguments for a pair (activation, recurrent_activation)."""
        names = ("activation", "recurrent_activation")[:1 + self.recurrent_activation]
        return dict(zip(names, pair))

    def twins(self):
        """The NumPy twin and the Numba twin by each route of its recurrent products."""
        def route(blas):
            return (functools.partial(self.module.forward_numba, blas=blas),
                    functools.partial(self.module.backward_numba, blas=blas))
        return {"numpy": (self.module.forward_reference, self.module.backward_reference),
                "numba-loops": route(False), "numba-blas": route(True)}

    def arrays(self, rng, batch, steps_, features_, units_, dtype=np.float64, scale=0.5):
        """Random x (B, T, I), kernel (I, gH), recurrent_kernel (H, gH), bias, h0 (B, H)."""
        def draw(*shape):
            return (scale * rng.standard_normal(shape)).astype(dtype)
        width = self.gates * units_
        return (draw(batch, steps_, features_), draw(features_, width), draw(units_, width),
                draw(*self.bias_shape(units_)), draw(batch, units_))

    def masks(self, rng, x, units_, masked):
        """Every mask its forward pass takes, drawn (dropout's, and the steps read), or none."""
        if not masked:
            return {}
        batch, steps_, features_ = x.shape
        return {**{name: dropout_mask(rng, shape(batch, features_, units_), x.dtype)
                   for name, shape in self.dropout_masks.items()},
                "step_mask": rng.random((batch, steps_)) >= 0.3}


KERNELS = {
    "gru": Kernel(gru, 3, lambda units_: (2, 3 * units_),
                  {"input_mask": lambda b, i, h: (b, 3, i),
                   "recurrent_mask": lambda b, i, h: (b, 3, h)}, True),
    "simple_rnn": Kernel(simple_rnn, 1, lambda units_: (units_,),
                         {"recurrent_mask": lambda b, i, h: (b, h)}, False),
}
TWIN_NAMES = ("numpy", "numba-loops", "numba-blas")
EVERY_TWIN = [(kernel, twin) for kernel in sorted(KERNELS) for twin in TWIN_NAMES]


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("kernel, route", [(kernel, twin) for kernel, twin in EVERY_TWIN
                                           if twin != "numpy"])
@given(batches, steps, features, units, st.booleans(), st.booleans(), st.booleans(), seeds)
def test_numba_twin_matches_numpy_reference(dtype, tolerance, kernel, route, batch, steps_,
                                            features_, units_, with_state, go_backwards,
                                            masked, seed):
    rng = np.random.default_rng(seed)
    under_test = KERNELS[kernel]
    x, weight, recurrent, bias, h0 = under_test.arrays(rng, batch, steps_, features_, units_,
                                                       dtype)
    masks = under_test.masks(rng, x, units_, masked)
    d_hidden = rng.standard_normal((batch, steps_, units_)).astype(dtype)
    d_h = rng.standard_normal((batch, units_)).astype(dtype)
    twins = under_test.twins()
    results = {}
    for name in ("numpy", route):
        forward, backward = twins[name]
        hidden, h_last, cache = forward(x, weight, recurrent, bias, h0 if with_state else None,
                                        go_backwards, **masks)
        results[name] = (hidden, h_last) + backward(d_hidden, d_h, cache)
    for reference, fast in zip(results["numpy"], results[route]):
        assert fast.dtype == dtype
        np.testing.assert_allclose(fast, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
@given(batches, steps, features, units, st.booleans(), st.booleans(), seeds)
def test_backward_matches_finite_differences(kernel, twin, batch, steps_, features_, units_,
                                             go_backwards, masked, seed):
    """Every gradient the kernel gives (dx, dW, dU, db, dh0), with dL/dh_T carried in and,
    when ``masked``, its dropout masks and a mask of the steps read."""
    rng = np.random.default_rng(seed)
    under_test = KERNELS[kernel]
    arrays = under_test.arrays(rng, batch, steps_, features_, units_)
    options = {"go_backwards": go_backwards, **under_test.masks(rng, arrays[0], units_, masked)}
    check_against_finite_differences(under_test, twin, arrays, rng, options)


def check_against_finite_differences(under_test, twin, arrays, rng, options, step=1e-3):
    """Every gradient of ``twin``'s backward pass (dx, dW, dU, db, dh0) against finite
    differences (``step``) of L = <R, hidden> + <R_h, h_T>, R drawn from ``rng``;
    ``arrays`` (x, W, U, b, h0) and ``options`` to the forward pass."""
    forward, backward = under_test.twins()[twin]
    batch, steps_, units_ = arrays[0].shape[0], arrays[0].shape[1], arrays[4].shape[1]
    w_hidden = rng.standard_normal((batch, steps_, units_))
    w_last = rng.standard_normal((batch, units_))

    def loss():
        hidden, h_last, _ = forward(*arrays, **options)
        return float(np.sum(w_hidden * hidden) + np.sum(w_last * h_last))

    *_, cache = forward(*arrays, **options)
    analytic = backward(w_hidden, w_last, cache)
    for name, array, gradient in zip(("x", "kernel", "recurrent_kernel", "bias", "h0"),
                                     arrays, analytic):
        error = relative_error(gradient, numerical_gradient(loss, array, step=step), name)
        assert error < GRADIENT_TOLERANCE, (name, error)


@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
def test_sequences_of_no_steps_keep_the_initial_state(kernel, twin):
    """T = 0, as the LSTM takes it: h_T = h_0, dh_0 = dL/dh_T, no step's gradient."""
    under_test = KERNELS[kernel]
    x, weight, recurrent, bias, h0 = under_test.arrays(np.random.default_rng(0), 2, 0, 3, 4)
    forward, backward = under_test.twins()[twin]
    hidden, h_last, cache = forward(x, weight, recurrent, bias, h0)
    assert hidden.shape == (2, 0, 4)
    np.testing.assert_array_equal(h_last, h0)
    d_h = np.ones((2, 4))
    d_x, d_kernel, d_recurrent, d_bias, d_h0 = backward(None, d_h, cache)
    assert d_x.shape == (2, 0, 3)
    for gradient in (d_kernel, d_recurrent, d_bias):
        np.testing.assert_array_equal(gradient, 0.0)
    np.testing.assert_array_equal(d_h0, d_h)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("activations", ACTIVATION_PAIRS)
@pytest.mark.parametrize("kernel", sorted(KERNELS))
@given(batches, steps, features, units, st.booleans(), seeds)
def test_the_twins_agree_with_other_activations(dtype, tolerance, kernel, activations, batch,
                                                steps_, features_, units_, go_backwards,
                                                seed):
    """Keras's other activations (the simple RNN's φ the pair's first), on both routes of
    the Numba twin's recurrent products. The weights are drawn smaller than elsewhere: with
    relu as σ the GRU's gates are unbounded, and from weights of scale 0.5 its gradients grew
    to 10³ in six steps, where float32's rounding of their sums alone passes 1e-5."""
    rng = np.random.default_rng(seed)
    under_test = KERNELS[kernel]
    x, weight, recurrent, bias, h0 = under_test.arrays(rng, batch, steps_, features_, units_,
                                                       dtype, scale=0.3)
    options = under_test.activation_arguments(activations)
    d_hidden = rng.standard_normal((batch, steps_, units_)).astype(dtype)
    results = {}
    for name, (forward, backward) in under_test.twins().items():
        hidden, h_last, cache = forward(x, weight, recurrent, bias, h0, go_backwards, **options)
        results[name] = (hidden, h_last) + backward(d_hidden, None, cache)
    for route in ("numba-loops", "numba-blas"):
        for reference, fast in zip(results["numpy"], results[route]):
            np.testing.assert_allclose(fast, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("activations", ACTIVATION_PAIRS)
@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
@given(batches, steps, features, units, seeds)
def test_backward_matches_finite_differences_with_other_activations(
        kernel, twin, activations, batch, steps_, features_, units_, seed):
    """φ' and σ' written with the activations' outputs (``FINE_STEP``: relu's and
    hard_sigmoid's kinks)."""
    rng = np.random.default_rng(seed)
    under_test = KERNELS[kernel]
    arrays = under_test.arrays(rng, batch, steps_, features_, units_)
    check_against_finite_differences(under_test, twin, arrays, rng,
                                     under_test.activation_arguments(activations), FINE_STEP)


@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
def test_an_unknown_activation_is_refused_by_name(kernel, twin):
    under_test = KERNELS[kernel]
    x, weight, recurrent, bias, h0 = under_test.arrays(np.random.default_rng(0), 1, 2, 2, 3)
    forward, _ = under_test.twins()[twin]
    for argument in ("activation", "recurrent_activation")[:1 + under_test.recurrent_activation]:
        with pytest.raises(ValueError, match=rf"^{argument} must be one of .*; got 'gelu'$"):
            forward(x, weight, recurrent, bias, h0, **{argument: "gelu"})


@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
@given(batches, steps, features, units, st.booleans(), seeds)
def test_unread_steps_are_as_if_left_out_of_the_sequence(kernel, twin, batch, steps_,
                                                         features_, units_, go_backwards,
                                                         seed):
    """Each sequence with a step mask gives the final state, and at its read steps the
    outputs and the input's gradients, of that sequence run alone on its read steps; its
    unread steps get no input gradient."""
    rng = np.random.default_rng(seed)
    x, weight, recurrent, bias, h0 = KERNELS[kernel].arrays(rng, batch, steps_, features_,
                                                            units_)
    reads = rng.random((batch, steps_)) >= 0.3
    forward, backward = KERNELS[kernel].twins()[twin]
    d_h = rng.standard_normal((batch, units_))
    hidden, h_last, cache = forward(x, weight, recurrent, bias, h0, go_backwards,
                                    step_mask=reads)
    d_x, *_ = backward(None, d_h, cache)
    for b in range(batch):
        read = np.flatnonzero(reads[b])
        if read.size == 0:
            np.testing.assert_array_equal(h_last[b], h0[b])
            continue
        alone, alone_last, alone_cache = forward(x[b:b + 1, read], weight, recurrent, bias,
                                                 h0[b:b + 1], go_backwards)
        np.testing.assert_allclose(h_last[b:b + 1], alone_last, rtol=1e-12, atol=1e-13)
        processed = (steps_ - 1 - read[::-1]) if go_backwards else read  # processing order
        np.testing.assert_allclose(hidden[b, processed], alone[0], rtol=1e-12, atol=1e-13)
        alone_d_x, *_ = backward(None, d_h[b:b + 1], alone_cache)
        np.testing.assert_allclose(d_x[b, read], alone_d_x[0], rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(d_x[b, ~reads[b]], 0.0)


@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
def test_go_backwards_reads_the_reversed_sequence(kernel, twin):
    rng = np.random.default_rng(5)
    x, weight, recurrent, bias, h0 = KERNELS[kernel].arrays(rng, 2, 5, 3, 4)
    forward = KERNELS[kernel].twins()[twin][0]
    backwards, last, _ = forward(x, weight, recurrent, bias, h0, go_backwards=True)
    reversed_input, reversed_last, _ = forward(x[:, ::-1].copy(), weight, recurrent, bias, h0)
    np.testing.assert_array_equal(backwards, reversed_input)
    np.testing.assert_array_equal(last, reversed_last)


@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
@given(batches, steps, features, units, seeds)
def test_gradients_not_asked_for_are_none_and_given_arrays_are_written(
        kernel, twin, batch, steps_, features_, units_, seed):
    rng = np.random.default_rng(seed)
    x, weight, recurrent, bias, h0 = KERNELS[kernel].arrays(rng, batch, steps_, features_,
                                                            units_)
    forward, backward = KERNELS[kernel].twins()[twin]
    d_hidden = rng.standard_normal((batch, steps_, units_))
    *_, cache = forward(x, weight, recurrent, bias, h0)
    expected = backward(d_hidden, None, cache)
    out = tuple(np.full_like(array, np.nan) for array in (weight, recurrent, bias))
    partial = backward(d_hidden, None, cache, out=out, input_gradient=False,
                       initial_state_gradient=False)
    assert partial[0] is None and partial[4] is None
    for array, got, new in zip(out, partial[1:4], expected[1:4]):
        assert got is array
        np.testing.assert_array_equal(got, new)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
def test_kernels_keep_the_input_dtype(dtype, kernel, twin):
    rng = np.random.default_rng(1)
    arrays = KERNELS[kernel].arrays(rng, 2, 3, 2, 4, dtype)
    forward, backward = KERNELS[kernel].twins()[twin]
    hidden, h_last, cache = forward(*arrays)
    gradients = backward(np.ones_like(hidden), None, cache)
    assert {array.dtype for array in (hidden, h_last, *gradients)} == {np.dtype(dtype)}


WRONG_SHAPES = [("gru", "bias", (12,)), ("gru", "kernel", (3, 8)), ("gru", "h0", (2, 3)),
                ("gru", "input_mask", (2, 3)), ("gru", "recurrent_mask", (2, 4)),
                ("gru", "step_mask", (2, 4)), ("simple_rnn", "bias", (2, 4)),
                ("simple_rnn", "kernel", (3, 5)), ("simple_rnn", "recurrent_kernel", (4, 5)),
                ("simple_rnn", "h0", (2, 3)), ("simple_rnn", "recurrent_mask", (2, 3)),
                ("simple_rnn", "step_mask", (2, 4))]


@pytest.mark.parametrize("twin", TWIN_NAMES)
@pytest.mark.parametrize("kernel, argument, shape", WRONG_SHAPES)
def test_arrays_of_the_wrong_shape_are_refused_by_name(kernel, argument, shape, twin):
    rng = np.random.default_rng(2)
    x, weight, recurrent, bias, h0 = KERNELS[kernel].arrays(rng, 2, 5, 3, 4)
    arguments = {"x": x, "kernel": weight, "recurrent_kernel": recurrent, "bias": bias,
                 "h0": h0, argument: np.ones(shape)}
    with pytest.raises(ValueError, match=f"{argument} must have shape"):
        KERNELS[kernel].twins()[twin][0](**arguments)


@pytest.mark.parametrize("kernel, twin", EVERY_TWIN)
def test_integer_input_is_refused_by_name(kernel, twin):
    rng = np.random.default_rng(2)
    x, weight, recurrent, bias, _ = KERNELS[kernel].arrays(rng, 2, 5, 3, 4)
    with pytest.raises(TypeError, match="x must be float32 or float64"):
        KERNELS[kernel].twins()[twin][0](x.astype(int), weight, recurrent, bias)
