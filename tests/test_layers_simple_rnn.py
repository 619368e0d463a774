"""The SimpleRNN layer: gradients for every option, Keras's layout and counts, dropout as
Keras 3 draws it, masks, states, saving and errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import (GRADIENT_TOLERANCE, batches, features, fit_save_and_load,
                      padded_indices, seeds, steps, units)
from minilstm import (Bidirectional, Dense, Embedding, Sequential, SimpleRNN, gradcheck,
                      use_backend)
from minilstm.kernels import simple_rnn as simple_rnn_kernel
from minilstm.layers.dropout import dropout_mask
from minilstm.seeding import as_generator

F64 = {"dtype": "float64"}


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(batches, steps, features, units, st.booleans(), st.booleans(), st.booleans(),
       st.booleans(), st.booleans(), st.booleans(), seeds)
def test_simple_rnn_layer_gradients_match_finite_differences(
        backend, batch, steps_, features_, units_, return_sequences, return_state,
        go_backwards, with_state, use_bias, dropped, seed):
    rng = np.random.default_rng(seed)
    layer = SimpleRNN(units_, return_sequences=return_sequences, return_state=return_state,
                      go_backwards=go_backwards, use_bias=use_bias,
                      dropout=0.3 if dropped else 0.0, recurrent_dropout=0.4 if dropped else 0.0,
                      seed=seed, **F64)
    layer.build((None, steps_, features_), rng)
    x = rng.standard_normal((batch, steps_, features_))
    state = [rng.standard_normal((batch, units_))] if with_state else None
    with use_backend(backend):
        errors = gradcheck.check_layer(layer, x, initial_state=state, seed=seed,
                                       training=dropped)
    expected = {"x", "kernel", "recurrent_kernel"} | ({"bias"} if use_bias else set()) | (
        {"initial_state[0]"} if with_state else set())
    assert set(errors) == expected
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("features_, units_, expected", [(1, 20, 440), (12, 100, 11300)])
def test_parameter_count_and_layout_equal_keras(features_, units_, expected):
    layer = SimpleRNN(units_, input_shape=(None, features_))
    layer.build(layer.declared_input_shape, np.random.default_rng(0))
    assert layer.count_params() == expected == units_ * (features_ + units_ + 1)
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (features_, units_) and recurrent.shape == (units_, units_)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(units_), atol=1e-5)
    np.testing.assert_array_equal(bias, np.zeros(units_))


def test_dropout_masks_are_drawn_as_keras_3_draws_them():
    """One input mask a sequence on x, then one recurrent mask on h_{t-1}, from the layer's
    generator in that order."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 2))
    layer = SimpleRNN(5, dropout=0.3, recurrent_dropout=0.4, seed=11, return_sequences=True,
                      **F64)
    layer.build((None, 4, 2))
    output = layer.forward(x, training=True)
    draws = as_generator(11)
    d = dropout_mask(draws, (3, 1, 2), 0.3, np.float64)
    m = dropout_mask(draws, (3, 5), 0.4, np.float64)
    expected, _, _ = simple_rnn_kernel.forward_reference(x * d, *layer.get_weights(),
                                                         recurrent_mask=m)
    np.testing.assert_allclose(output, expected, rtol=1e-12, atol=1e-13)


def test_return_state_stateful_and_initial_state():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 6, 3))
    whole = SimpleRNN(4, return_sequences=True, return_state=True, **F64)
    output, h = whole(x)
    np.testing.assert_array_equal(output[:, -1], h)
    stateful = SimpleRNN(4, return_sequences=True, stateful=True, **F64)
    stateful.build((None, 3, 3))
    stateful.set_weights(whole.get_weights())
    pieces = np.concatenate([stateful(x[:, :3]), stateful(x[:, 3:])], axis=1)
    np.testing.assert_allclose(pieces, output, rtol=1e-12, atol=1e-14)
    second = SimpleRNN(4, return_sequences=True, **F64)
    second.build((None, 3, 3))
    second.set_weights(whole.get_weights())
    np.testing.assert_allclose(second(x[:, 3:], initial_state=[output[:, 2]]),
                               output[:, 3:], rtol=1e-12, atol=1e-14)


@given(batches, units, seeds)
def test_simple_rnn_models_gradients_match_finite_differences(batch, units_, seed):
    rng = np.random.default_rng(seed)
    x = padded_indices(rng, batch, 5, 6, "pre")
    model = Sequential([Embedding(6, 3, mask_zero=True, **F64),
                        Bidirectional(SimpleRNN(units_, return_sequences=True, **F64)),
                        SimpleRNN(2, **F64), Dense(1, **F64)], seed=seed)
    model.compile(loss="mse", optimizer="adam")
    errors = gradcheck.check_model(model, x, rng.standard_normal((batch, 1)))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_a_simple_rnn_model_learns_saves_and_loads(tmp_path):
    model = Sequential([SimpleRNN(8, input_shape=(20, 1)), Dense(1)], seed=0)
    loaded = fit_save_and_load(model, tmp_path / "rnn.npz")
    assert [type(layer).__name__ for layer in loaded.layers] == ["SimpleRNN", "Dense"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"activation": "gelu"}, ValueError, r"^activation must be one of .*; got 'gelu'$"),
    ({"recurrent_activation": "sigmoid"}, TypeError, r"recurrent_activation"),
    ({"dropout": -0.1}, ValueError, r"dropout must be in \[0, 1\)"),
])
def test_bad_constructor_arguments_get_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        SimpleRNN(4, **kwargs)
