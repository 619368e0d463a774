"""Dense, RepeatVector and TimeDistributed: gradients, shapes, Keras behaviour, errors (and
the one error every layer shares: backward with no forward pass)."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from conftest import GRADIENT_TOLERANCE, batches, features, seeds, steps, units
from minilstm import (LSTM, AttentionDecoder, AttentiveLSTM, Dense, Input, RepeatVector,
                      TimeDistributed, gradcheck)
from minilstm.layers.base import SUMMED_OVER_STEPS

ACTIVATIONS = [None, "linear", "relu", "tanh", "sigmoid", "hard_sigmoid", "softmax"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@given(batches, st.one_of(st.just(None), steps), features, units, st.booleans(), seeds)
def test_dense_gradients_match_finite_differences(activation, batch, steps_, features_,
                                                  units_, use_bias, seed):
    rng = np.random.default_rng(seed)
    shape = (batch, features_) if steps_ is None else (batch, steps_, features_)
    x = rng.standard_normal(shape)
    layer = Dense(units_, activation=activation, use_bias=use_bias, dtype="float64",
                  bias_initializer="random_normal")
    layer.build((None,) + shape[1:], rng)
    if activation in ("relu", "hard_sigmoid"):   # finite differences are meaningless across
        layer.forward(x)                           # the kinks (0; ±3)
        assume(np.abs(np.abs(layer.logits) - (activation == "hard_sigmoid") * 3.0).min()
               > 0.01)
    errors = gradcheck.check_layer(layer, x, seed=seed)
    assert set(errors) == {"x", "kernel"} | ({"bias"} if use_bias else set())
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_dense_applies_to_the_last_axis_like_keras():
    """The products are the kernel's own sums, not NumPy's: they agree within the rounding
    of a sum, a few ulps of the sum of the terms' magnitudes. (Compared entry by entry to
    1e-14 of the result, an entry near zero after cancellation failed, for weights drawn
    from the package generator after some other tests had drawn from it.)"""
    rng = np.random.default_rng(0)
    layer = Dense(4, activation="tanh", dtype="float64")
    layer.build((None, 5, 2), np.random.default_rng(1))
    x = rng.standard_normal((3, 5, 2))
    y = layer.forward(x)
    kernel, bias = layer.get_weights()
    magnitude = np.abs(x) @ np.abs(kernel) + np.abs(bias)          # (3, 5, 4)
    assert np.all(np.abs(y - np.tanh(x @ kernel + bias)) <= 4 * np.finfo(float).eps * magnitude)
    assert y.shape == (3, 5, 4) and layer.count_params() == 12


def test_output_shape_follows_each_build():
    """The output shape is worked out once per build: a rebuild for another input shape
    gives that shape's output."""
    layer = TimeDistributed(Dense(4))
    layer.build((None, 5, 2))
    assert layer.output_shape == (None, 5, 4)
    layer.build((3, 7, 2))
    assert layer.output_shape == (3, 7, 4)


def test_dense_softmax_rows_sum_to_one_and_survive_large_logits():
    layer = Dense(3, activation="softmax", kernel_initializer="ones", dtype="float64")
    y = layer.forward(np.array([[1000.0], [-1000.0]]))
    np.testing.assert_allclose(y.sum(axis=-1), 1.0)
    assert np.isfinite(y).all()


def test_dense_input_dim_is_the_keras_2_spelling_of_input_shape():
    assert Dense(4, input_dim=2).declared_input_shape == (None, 2)


@given(batches, features, st.integers(1, 5), seeds)
def test_repeat_vector_gradient_matches_finite_differences(batch, features_, n, seed):
    x = np.random.default_rng(seed).standard_normal((batch, features_))
    layer = RepeatVector(n, dtype="float64")
    errors = gradcheck.check_layer(layer, x, seed=seed)
    assert list(errors) == ["x"] and errors["x"] < GRADIENT_TOLERANCE


def test_repeat_vector_backward_takes_the_output_gradient_or_its_sum_over_steps():
    layer = RepeatVector(4, dtype="float64")
    layer.forward(np.zeros((2, 3)))
    d_out = np.random.default_rng(0).standard_normal((2, 4, 3))
    np.testing.assert_array_equal(layer.backward(d_out), d_out.sum(axis=1))
    np.testing.assert_array_equal(layer.backward(d_out.sum(axis=1)), d_out.sum(axis=1))
    with pytest.raises(ValueError, match=r"d_out summed over steps for layer 'repeat_vector' "
                                         r"must have shape \(2, 3\); got \(2, 4\)"):
        layer.backward(np.zeros((2, 4)))


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_backward_gives_its_input_gradient_summed_over_steps(go_backwards):
    rng = np.random.default_rng(0)
    layer = LSTM(3, return_sequences=True, go_backwards=go_backwards, dtype="float64")
    assert layer.gives_summed_input_gradient and RepeatVector.takes_summed_output_gradient
    d_out = rng.standard_normal(layer.forward(rng.standard_normal((2, 4, 5))).shape)
    layer.zero_grads()
    full = layer.backward(d_out)
    grads = {name: grad.copy() for name, grad in layer.grads.items()}
    layer.zero_grads()
    summed = layer.backward(d_out, input_gradient=SUMMED_OVER_STEPS)
    np.testing.assert_allclose(summed, full.sum(axis=1), rtol=0, atol=1e-12)
    for name, grad in layer.grads.items():
        np.testing.assert_array_equal(grad, grads[name], err_msg=name)


def test_repeat_vector_repeats_along_a_new_time_axis():
    x = np.arange(6.0).reshape(2, 3)
    y = RepeatVector(4).forward(x)
    assert y.shape == (2, 4, 3)
    np.testing.assert_array_equal(y[:, 2], x)


@pytest.mark.parametrize("activation", ["softmax", "relu", None])
@given(batches, steps, features, units, seeds)
def test_time_distributed_gradients_match_finite_differences(activation, batch, steps_,
                                                             features_, units_, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps_, features_))
    layer = TimeDistributed(Dense(units_, activation=activation, dtype="float64"))
    layer.build((None, steps_, features_), rng)
    if activation == "relu":
        layer.forward(x)
        assume(np.abs(layer.logits).min() > 0.01)
    errors = gradcheck.check_layer(layer, x, seed=seed)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_time_distributed_lstm_runs_the_inner_layer_on_every_outer_step():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4, 5))                 # (B, outer T, inner T, F)
    layer = TimeDistributed(LSTM(6, dtype="float64"))
    y = layer.forward(x)
    assert y.shape == (2, 3, 6)
    np.testing.assert_allclose(y[1, 2], layer.layer.forward(x[1:2, 2])[0], rtol=1e-13)
    assert layer.count_params() == 4 * 6 * (5 + 6 + 1)


def test_time_distributed_shares_the_inner_layers_weights():
    inner = Dense(3)
    wrapper = TimeDistributed(inner)
    wrapper.build((None, 4, 2))
    assert wrapper.params is inner.params and list(wrapper.params) == ["kernel", "bias"]
    assert wrapper.compute_output_shape((None, 4, 2)) == (None, 4, 3)


@pytest.mark.parametrize("make_layer, input_shape", [
    (lambda: Dense(3, dtype="float64"), (2, 4)),
    (lambda: LSTM(3, return_sequences=True, dtype="float64"), (2, 4, 5)),
    (lambda: LSTM(3, go_backwards=True, dtype="float64"), (2, 4, 5)),
    (lambda: RepeatVector(3, dtype="float64"), (2, 5)),
    (lambda: TimeDistributed(Dense(3, dtype="float64")), (2, 4, 5)),
])
def test_backward_without_input_gradient_returns_none_and_the_same_weight_gradients(
        make_layer, input_shape):
    rng = np.random.default_rng(0)
    layer = make_layer()
    x = rng.standard_normal(input_shape)
    d_out = rng.standard_normal(np.shape(layer.forward(x)))
    layer.zero_grads()
    assert layer.backward(d_out).shape == x.shape
    full = {name: grad.copy() for name, grad in layer.grads.items()}
    layer.zero_grads()
    assert layer.backward(d_out, input_gradient=False) is None
    for name, grad in layer.grads.items():
        np.testing.assert_array_equal(grad, full[name], err_msg=name)


@pytest.mark.parametrize("make_call, error, message", [
    (lambda: Dense(0), ValueError, "units must be a positive integer"),
    (lambda: Dense(2, activation="swish"), ValueError,
     "valid names are: 'hard_sigmoid', 'linear', 'relu', 'sigmoid', 'softmax', 'tanh'$"),
    (lambda: RepeatVector(0), ValueError, "n must be a positive integer"),
    (lambda: RepeatVector(2).forward(np.zeros((2, 3, 4))), ValueError, "2-D input"),
    (lambda: TimeDistributed("dense"), TypeError, "minilstm Layer"),
    (lambda: TimeDistributed(Dense(2)).forward(np.zeros((2, 3))), ValueError, "rank >= 3"),
    (lambda: Dense(2, input_dim=0), ValueError, "input_dim must be a positive integer; got 0"),
    (lambda: Dense(2, input_shape=(-3,)), ValueError,
     r"input_shape of Dense 'dense' must be a non-empty tuple of positive ints .*; got \(-3,\)"),
    (lambda: LSTM(2, input_shape=(0, 3)), ValueError,
     r"input_shape of LSTM 'lstm' .*; got \(0, 3\)"),
    (lambda: LSTM(2, input_shape=(5, 2.5)), ValueError, r"positive ints .*; got \(5, 2.5\)"),
    (lambda: LSTM(2, input_shape=5), ValueError, r"positive ints .*; got 5"),
    (lambda: RepeatVector(2, input_shape=(0,), name="r"), ValueError,
     r"input_shape of RepeatVector 'r' must be"),
    (lambda: LSTM(2).build((None, 5, 0)), ValueError,
     r"the input shape of LSTM 'lstm' must be .*; got \(5, 0\)"),
])
def test_bad_arguments_get_a_clear_error(make_call, error, message):
    with pytest.raises(error, match=message):
        make_call()


def test_dense_refuses_inputs_with_other_features_than_it_was_built_for():
    layer = Dense(3, input_dim=4)
    layer.build(layer.declared_input_shape)
    with pytest.raises(ValueError, match=r"4 features .* got shape \(2, 5\)"):
        layer.forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="rank 2"):
        layer.forward(np.zeros((2, 3, 4)))


@pytest.mark.parametrize("make_layer, d_out", [
    (lambda: Dense(2), np.zeros((1, 2))),
    (lambda: LSTM(3), np.zeros((1, 3))),
    (lambda: RepeatVector(2), np.zeros((1, 2, 3))),
    (lambda: TimeDistributed(Dense(2)), np.zeros((1, 4, 2))),
    (lambda: AttentionDecoder(3, 4), np.zeros((1, 5, 4))),
    (lambda: AttentiveLSTM(3, 3), [np.zeros((1, 2, 3)), np.zeros((1, 2, 3))]),
])
def test_backward_before_any_forward_pass_says_so_naming_the_layer(make_layer, d_out):
    layer = make_layer()
    with pytest.raises(RuntimeError, match=rf"layer '{layer.name}' has no forward pass to go "
                                           r"back through: call forward\(x\) before"):
        layer.backward(d_out)


@pytest.mark.parametrize("make_layer, x", [
    (lambda: Dense(2), np.zeros((1, 3))),
    (lambda: LSTM(3), np.zeros((1, 4, 2))),
    (lambda: RepeatVector(2), np.zeros((1, 3))),
    (lambda: TimeDistributed(Dense(2)), np.zeros((1, 4, 3))),
    (lambda: AttentionDecoder(3, 4), np.zeros((1, 5, 2))),
])
def test_a_list_of_gradients_for_a_layer_of_one_output_is_refused_by_name(make_layer, x):
    """It failed inside NumPy ('setting an array element with a sequence') or, with arrays
    of one shape, as an array of another shape."""
    layer = make_layer()
    output = layer.forward(x, training=True)
    for d_out in ([np.zeros_like(output), None, None], [np.zeros_like(output)] * 3):
        with pytest.raises(ValueError, match=rf"d_out for layer '{layer.name}' must be one "
                                             rf"array of the output's shape .*; got a list of 3"):
            layer.backward(d_out)


def test_an_lstm_returning_its_state_names_what_its_backward_got():
    layer = LSTM(3, return_state=True)
    output, h, c = layer.forward(np.zeros((1, 4, 2)), training=True)
    for d_out, got in ((np.zeros_like(output), "ndarray"),
                       ([np.zeros_like(output)], "a list of 1")):
        with pytest.raises(ValueError, match=r"return_state=True: backward takes \[d_output, "
                                             rf"d_h, d_c\] \(None for zero\); got {got}$"):
            layer.backward(d_out)


def test_a_layer_called_on_arrays_runs_forward_as_keras_layers_do():
    """Keras's LSTM documentation calls the layer on an array (``LSTM(4)(inputs)``); a
    minilstm layer was not callable."""
    rng = np.random.default_rng(4)
    inputs = rng.random((32, 10, 8))
    assert LSTM(4)(inputs).shape == (32, 4)
    lstm = LSTM(4, return_sequences=True, return_state=True, dtype="float64")
    whole_sequence, memory_state, carry_state = lstm(inputs)
    assert whole_sequence.shape == (32, 10, 4) and carry_state.shape == (32, 4)
    np.testing.assert_array_equal(whole_sequence[:, -1], memory_state)
    state = [rng.standard_normal((32, 4)), rng.standard_normal((32, 4))]
    called = lstm(inputs, initial_state=state)
    for got, expected in zip(called, lstm.forward(inputs, initial_state=state)):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(memory_state, lstm(inputs)[1])   # outputs are not reused
    dense = Dense(3, activation="tanh", dtype="float64")
    np.testing.assert_array_equal(dense(inputs), dense.forward(inputs))
    assert TimeDistributed(Dense(2))(inputs).shape == (32, 10, 2)
    assert RepeatVector(3)(inputs[:, 0]).shape == (32, 3, 8)


def test_a_layer_called_on_an_input_says_the_functional_api_is_not_here():
    with pytest.raises(TypeError, match=r"^layer 'lstm' was called on Input\(shape=\(10, 8\)\): "
                                        r"that builds a model in Keras's functional API"):
        LSTM(4)(Input((10, 8)))
