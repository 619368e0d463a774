"""The LSTM layer: gradients for every option, Keras's layout, shapes and errors; and what
the three recurrent layers (LSTM, GRU, SimpleRNN) take alike: Keras's activations."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import (ACTIVATION_PAIRS, FINE_STEP, GRADIENT_TOLERANCE, batches, features,
                      fit_save_and_load, seeds, steps, units)
from minilstm import (GRU, LSTM, Bidirectional, Dense, Sequential, SimpleRNN, gradcheck,
                      use_backend)

RECURRENT_LAYERS = [LSTM, GRU, SimpleRNN]


def activation_arguments(layer_class, pair):
    """A recurrent layer's arguments for a pair (activation, recurrent_activation); the
    SimpleRNN has the first alone."""
    names = ("activation", "recurrent_activation")[:1 + layer_class.has_recurrent_activation]
    return dict(zip(names, pair))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(batches, steps, features, units, st.booleans(), st.booleans(), st.booleans(),
       st.booleans(), st.booleans(), seeds)
def test_lstm_layer_gradients_match_finite_differences(
        backend, batch, steps_, features_, units_, return_sequences, return_state,
        go_backwards, with_state, use_bias, seed):
    rng = np.random.default_rng(seed)
    layer = LSTM(units_, return_sequences=return_sequences, return_state=return_state,
                 go_backwards=go_backwards, use_bias=use_bias, dtype="float64")
    layer.build((None, steps_, features_), rng)
    x = rng.standard_normal((batch, steps_, features_))
    state = list(rng.standard_normal((2, batch, units_))) if with_state else None
    with use_backend(backend):
        errors = gradcheck.check_layer(layer, x, initial_state=state, seed=seed)
    expected = {"x", "kernel", "recurrent_kernel"} | ({"bias"} if use_bias else set()) | (
        {"initial_state[0]", "initial_state[1]"} if with_state else set())
    assert set(errors) == expected
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("activations", ACTIVATION_PAIRS)
@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("layer_class", RECURRENT_LAYERS)
@given(batches, steps, features, units, st.booleans(), seeds)
def test_recurrent_layer_gradients_match_finite_differences_with_other_activations(
        layer_class, backend, activations, batch, steps_, features_, units_, return_sequences,
        seed):
    """Keras's ``activation`` and ``recurrent_activation`` (``FINE_STEP``: relu's and
    hard_sigmoid's kinks)."""
    rng = np.random.default_rng(seed)
    layer = layer_class(units_, return_sequences=return_sequences, dtype="float64",
                        **activation_arguments(layer_class, activations))
    layer.build((None, steps_, features_), rng)
    x = rng.standard_normal((batch, steps_, features_))
    with use_backend(backend):
        errors = gradcheck.check_layer(layer, x, seed=seed, step=FINE_STEP)
    assert set(errors) == {"x", "kernel", "recurrent_kernel", "bias"}
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("layer_class", RECURRENT_LAYERS)
def test_a_recurrent_layer_of_relu_activation_learns_saves_and_loads(layer_class, tmp_path):
    """The forecasting tutorials' ``LSTM(50, activation='relu')``; the activations are in
    the layer's config, so a saved model and a ``Bidirectional`` copy keep them."""
    arguments = activation_arguments(layer_class, ("relu", "hard_sigmoid"))
    model = Sequential([layer_class(12, input_shape=(20, 1), **arguments), Dense(1)], seed=3)
    loaded = fit_save_and_load(model, tmp_path / "relu.npz")
    config = loaded.layers[0].get_config()
    assert {name: config[name] for name in arguments} == arguments
    assert set(arguments) == {"activation", "recurrent_activation"} & set(config)
    assert layer_class(3, activation=None).get_config()["activation"] == "linear"
    wrapped = Bidirectional(layer_class(3, activation="relu"))
    assert wrapped.backward_layer.activation == wrapped.forward_layer.activation == "relu"


def test_the_activation_changes_what_the_layer_computes():
    """The same weights give other outputs with another activation (a layer that ignored
    its activation would give the defaults')."""
    x = np.random.default_rng(0).standard_normal((2, 4, 3))
    outputs = {}
    for activations in (("tanh", "sigmoid"), ("relu", "sigmoid"), ("tanh", "hard_sigmoid")):
        layer = LSTM(5, activation=activations[0], recurrent_activation=activations[1],
                     dtype="float64")
        layer.build((None, 4, 3), np.random.default_rng(1))
        outputs[activations] = layer.forward(x)
    default = outputs[("tanh", "sigmoid")]
    assert np.all(outputs[("relu", "sigmoid")] >= 0) and np.any(default < 0)
    assert not np.allclose(outputs[("tanh", "hard_sigmoid")], default)


@pytest.mark.parametrize("features_, units_, expected", [(1, 20, 1760), (20, 20, 3280),
                                                         (50, 150, 120600), (12, 100, 45200)])
def test_parameter_count_equals_keras(features_, units_, expected):
    layer = LSTM(units_, input_shape=(None, features_))
    layer.build(layer.declared_input_shape)
    assert layer.count_params() == expected == 4 * units_ * (features_ + units_ + 1)


def test_initialisation_follows_keras():
    layer = LSTM(8)
    layer.build((None, 5, 3), np.random.default_rng(0))
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (3, 32) and recurrent.shape == (8, 32) and bias.shape == (32,)
    assert np.abs(kernel).max() <= np.sqrt(6.0 / (3 + 32))
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(8), atol=1e-5)  # orthonormal rows
    np.testing.assert_array_equal(bias, np.r_[np.zeros(8), np.ones(8), np.zeros(16)])
    plain = LSTM(8, unit_forget_bias=False)
    plain.build((None, 5, 3))
    np.testing.assert_array_equal(plain.params["bias"], np.zeros(32))


def test_return_sequences_and_return_state_shapes():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6, 3))
    layer = LSTM(5, return_sequences=True, return_state=True, dtype="float64")
    output, h, c = layer.forward(x)
    assert output.shape == (4, 6, 5) and h.shape == c.shape == (4, 5)
    np.testing.assert_array_equal(output[:, -1], h)
    assert layer.compute_output_shape((None, 6, 3)) == [(None, 6, 5), (None, 5), (None, 5)]
    last_only = LSTM(5, dtype="float64")
    last_only.build((None, 6, 3))
    last_only.set_weights(layer.get_weights())
    np.testing.assert_array_equal(last_only.forward(x), h)


def test_initial_state_gradient_is_available_only_when_a_state_was_given():
    rng = np.random.default_rng(2)
    layer = LSTM(3, dtype="float64")
    x = rng.standard_normal((2, 4, 2))
    layer.forward(x)
    layer.backward(np.ones((2, 3)))
    assert layer.d_initial_state is None
    layer.forward(x, initial_state=[np.zeros((2, 3)), np.zeros((2, 3))])
    layer.backward(np.ones((2, 3)))
    d_h0, d_c0 = layer.d_initial_state
    assert d_h0.shape == d_c0.shape == (2, 3) and np.abs(d_h0).sum() > 0


def test_layer_keeps_float32_and_casts_float64_input():
    layer = LSTM(4)
    output = layer.forward(np.random.default_rng(0).standard_normal((2, 3, 5)))
    assert output.dtype == np.float32
    assert all(w.dtype == np.float32 for w in layer.get_weights())
    assert layer.backward(np.ones_like(output)).dtype == np.float32


def test_backward_accumulates_until_zero_grads():
    rng = np.random.default_rng(3)
    layer = LSTM(3, dtype="float64")
    x = rng.standard_normal((2, 4, 2))
    layer.forward(x)
    layer.backward(np.ones((2, 3)))
    once = layer.grads["kernel"].copy()
    layer.forward(x)
    layer.backward(np.ones((2, 3)))
    np.testing.assert_allclose(layer.grads["kernel"], 2 * once)
    layer.zero_grads()
    assert not layer.grads["kernel"].any()


@pytest.mark.parametrize("make_call, message", [
    (lambda layer: layer.forward(np.zeros((2, 3))), "rank 3"),
    (lambda layer: layer.forward(np.zeros((2, 3, 7))), "5 features"),
    (lambda layer: layer.forward(np.zeros((2, 3, 5)), initial_state=[np.zeros((2, 4))]),
     r"\[h0, c0\]"),
    (lambda layer: layer.forward(np.zeros((2, 3, 5)),
                                 initial_state=[np.zeros((2, 4)), np.zeros((2, 3))]),
     r"c0 .* shape \(2, 4\); got \(2, 3\)"),
    (lambda layer: layer.set_weights([np.zeros((5, 16))] * 3), "recurrent_kernel"),
    (lambda layer: layer.forward(np.array([["a"]])), "numeric"),
])
def test_bad_input_gets_a_clear_error(make_call, message):
    layer = LSTM(4, input_shape=(3, 5))
    layer.build(layer.declared_input_shape)
    with pytest.raises((ValueError, TypeError), match=message):
        make_call(layer)


def test_gradient_of_the_wrong_shape_is_refused():
    layer = LSTM(4, return_sequences=True)
    layer.forward(np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match=r"d_out .* shape \(2, 3, 4\); got \(2, 4\)"):
        layer.backward(np.zeros((2, 4)))


@pytest.mark.parametrize("kwargs, message", [
    ({"units": 0}, "units must be a positive integer"),
    ({"units": 3, "activation": "gelu"}, r"^activation must be one of 'tanh', 'sigmoid', "
                                         r"'hard_sigmoid', 'relu', 'linear' \(or None for "
                                         r"'linear'\); got 'gelu'$"),
    ({"units": 3, "recurrent_activation": "softmax"}, r"^recurrent_activation must be one of"),
    ({"units": 3, "dtype": "int32"}, "dtype must be one of"),
    ({"units": 3, "kernel_initializer": "glorot"}, "valid names are"),
])
def test_bad_constructor_arguments_get_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LSTM(**kwargs).build((None, 2, 2))


def test_input_dim_and_input_length_are_keras_2s_spelling_of_input_shape():
    """``LSTM(4, input_dim=1)`` (Keras 2's recurrent layers took it, as Dense takes
    input_dim) was refused as an unknown keyword."""
    assert LSTM(4, input_dim=3).declared_input_shape == (None, None, 3)
    assert LSTM(4, input_dim=3, input_length=10).declared_input_shape == (None, 10, 3)
    for kwargs, message in (
            ({"input_length": 10}, r"^input_length=10 needs input_dim, the features, too$"),
            ({"input_dim": 3, "input_shape": (2, 3)},
             r"^give input_dim or input_shape, not both; got input_dim=3 and "
             r"input_shape=\(2, 3\)$"),
            ({"input_dim": 2, "input_length": 0},
             r"^input_length must be a positive integer; got 0$")):
        with pytest.raises(ValueError, match=message):
            LSTM(4, **kwargs)
