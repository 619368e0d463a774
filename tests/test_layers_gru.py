"""The GRU layer: gradients for every option, Keras's layout and counts, dropout as Keras 3
draws it, masks, states, saving and errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import (GRADIENT_TOLERANCE, batches, features, fit_save_and_load,
                      padded_indices, seeds, steps, units)
from minilstm import (GRU, Bidirectional, Dense, Embedding, Masking, Sequential, gradcheck,
                      use_backend)
from minilstm.kernels import gru as gru_kernel
from minilstm.layers.dropout import dropout_mask
from minilstm.seeding import as_generator

F64 = {"dtype": "float64"}


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(batches, steps, features, units, st.booleans(), st.booleans(), st.booleans(),
       st.booleans(), st.booleans(), st.sampled_from([(0.0, 0.0), (0.3, 0.0), (0.3, 0.4)]),
       seeds)
def test_gru_layer_gradients_match_finite_differences(
        backend, batch, steps_, features_, units_, return_sequences, return_state,
        go_backwards, with_state, use_bias, dropouts, seed):
    rng = np.random.default_rng(seed)
    dropout, recurrent_dropout = dropouts
    layer = GRU(units_, return_sequences=return_sequences, return_state=return_state,
                go_backwards=go_backwards, use_bias=use_bias, dropout=dropout,
                recurrent_dropout=recurrent_dropout, seed=seed, **F64)
    layer.build((None, steps_, features_), rng)
    x = rng.standard_normal((batch, steps_, features_))
    state = [rng.standard_normal((batch, units_))] if with_state else None
    with use_backend(backend):
        errors = gradcheck.check_layer(layer, x, initial_state=state, seed=seed,
                                       training=bool(dropout))
    expected = {"x", "kernel", "recurrent_kernel"} | ({"bias"} if use_bias else set()) | (
        {"initial_state[0]"} if with_state else set())
    assert set(errors) == expected
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("features_, units_, expected", [(1, 20, 1380), (20, 20, 2520),
                                                         (50, 150, 90900), (12, 100, 34200)])
def test_parameter_count_equals_keras(features_, units_, expected):
    """Keras's GRU (reset_after=True): 3 (H (I + H) + 2 H), its two biases."""
    layer = GRU(units_, input_shape=(None, features_))
    layer.build(layer.declared_input_shape)
    assert layer.count_params() == expected == 3 * (units_ * (features_ + units_) + 2 * units_)


def test_initialisation_and_layout_follow_keras():
    layer = GRU(8)
    layer.build((None, 5, 3), np.random.default_rng(0))
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (3, 24) and recurrent.shape == (8, 24) and bias.shape == (2, 24)
    assert np.abs(kernel).max() <= np.sqrt(6.0 / (3 + 24))
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(8), atol=1e-5)  # orthonormal rows
    np.testing.assert_array_equal(bias, np.zeros((2, 24)))
    assert layer.get_config()["reset_after"] is True


def test_return_state_gives_the_output_and_h():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6, 3))
    layer = GRU(5, return_sequences=True, return_state=True, **F64)
    output, h = layer.forward(x)
    assert output.shape == (4, 6, 5) and h.shape == (4, 5)
    np.testing.assert_array_equal(output[:, -1], h)
    assert layer.compute_output_shape((None, 6, 3)) == [(None, 6, 5), (None, 5)]
    d_x = layer.backward([np.ones((4, 6, 5)), None])
    assert d_x.shape == x.shape
    with pytest.raises(ValueError, match=r"backward takes \[d_output, d_h\]"):
        layer.backward([np.ones((4, 6, 5)), None, None])


def test_a_layer_is_the_kernel_over_its_weights():
    """Without dropout, forward is ``kernels.gru.forward`` over kernel, recurrent_kernel and
    bias, in Keras's layout."""
    rng = np.random.default_rng(2)
    layer = GRU(4, return_sequences=True, go_backwards=True, **F64)
    x, h0 = rng.standard_normal((3, 5, 2)), rng.standard_normal((3, 4))
    output = layer.forward(x, initial_state=[h0])
    expected, _, _ = gru_kernel.forward_reference(x, *layer.get_weights(), h0,
                                                  go_backwards=True)
    np.testing.assert_allclose(output, expected, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("dropout, recurrent_dropout", [(0.3, 0.0), (0.3, 0.4), (0.0, 0.4)])
def test_dropout_masks_are_drawn_as_keras_3_draws_them(dropout, recurrent_dropout):
    """Keras 3's GRU: with dropout alone one input mask a sequence for all three gates, x ⊙ d;
    with recurrent dropout, one mask a gate and a sequence on the input (d_g, when dropout
    is set) and on the state (m_g), the input's drawn first."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 2))
    layer = GRU(5, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=11,
                return_sequences=True, **F64)
    layer.build((None, 4, 2))
    output = layer.forward(x, training=True)
    draws = as_generator(11)
    weights = layer.get_weights()
    if not recurrent_dropout:
        d = dropout_mask(draws, (3, 1, 2), dropout, np.float64)
        expected, _, _ = gru_kernel.forward_reference(x * d, *weights)
    else:
        d = dropout_mask(draws, (3, 3, 2), dropout, np.float64) if dropout else None
        m = dropout_mask(draws, (3, 3, 5), recurrent_dropout, np.float64)
        expected, _, _ = gru_kernel.forward_reference(x, *weights, input_mask=d,
                                                      recurrent_mask=m)
    np.testing.assert_allclose(output, expected, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(layer.forward(x), gru_kernel.forward_reference(x, *weights)[0],
                               rtol=1e-12, atol=1e-13)                  # no masks predicting


@given(batches, units, seeds)
def test_gru_models_gradients_match_finite_differences(batch, units_, seed):
    """A masked GRU stack with dropout to a loss over its steps, and a Bidirectional GRU."""
    rng = np.random.default_rng(seed)
    x = padded_indices(rng, batch, 5, 6, "pre")
    sequences = Sequential([Embedding(6, 3, mask_zero=True, **F64),
                            GRU(units_, return_sequences=True, dropout=0.2,
                                recurrent_dropout=0.3, **F64),
                            GRU(2, return_sequences=True, **F64)], seed=seed)
    sequences.compile(loss="mse", optimizer="adam")
    errors = gradcheck.check_model(sequences, x, rng.standard_normal((batch, 5, 2)))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors
    features_ = rng.standard_normal((batch, 4, 2))
    features_[:, -1] = 0.0                                          # a masked last step
    both = Sequential([Masking(input_shape=(4, 2), **F64),
                       Bidirectional(GRU(units_, **F64), merge_mode="sum"), Dense(1, **F64)],
                      seed=seed)
    both.compile(loss="mse", optimizer="adam")      # mae's signs may cancel to a 0 gradient
    errors = gradcheck.check_model(both, features_, rng.standard_normal((batch, 1)) + 3.0)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_a_stateful_gru_reads_consecutive_batches_as_one_sequence():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 6, 3))
    whole = GRU(4, return_sequences=True, **F64)
    expected = whole(x)
    stateful = GRU(4, return_sequences=True, stateful=True, **F64)
    stateful.build((None, 2, 3))
    stateful.set_weights(whole.get_weights())
    pieces = np.concatenate([stateful(x[:, t:t + 2]) for t in (0, 2, 4)], axis=1)
    np.testing.assert_allclose(pieces, expected, rtol=1e-12, atol=1e-14)
    assert len(stateful.states) == 1
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, :2]), expected[:, :2], rtol=1e-12, atol=1e-14)


def test_a_gru_model_learns_saves_and_loads(tmp_path):
    """The damped-sine recipe's shape with GRUs: the loss falls, and a saved model loads
    with its weights, its optimiser's state and its outputs."""
    model = Sequential([GRU(8, return_sequences=True, input_shape=(20, 1)), GRU(8), Dense(1)],
                       seed=0)
    loaded = fit_save_and_load(model, tmp_path / "gru.npz")
    assert [type(layer).__name__ for layer in loaded.layers] == ["GRU", "GRU", "Dense"]
    assert loaded.optimizer.iterations == model.optimizer.iterations


@pytest.mark.parametrize("kwargs, error, message", [
    ({"reset_after": False}, ValueError, r"GRU implements reset_after=True"),
    ({"recurrent_activation": "gelu"}, ValueError, r"recurrent_activation must be one of "
                                                   r"'tanh', .*; got 'gelu'"),
    ({"recurrent_dropout": 1.0}, ValueError, r"recurrent_dropout must be in \[0, 1\)"),
    ({"unit_forget_bias": True}, TypeError, r"unit_forget_bias"),
])
def test_bad_constructor_arguments_get_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        GRU(4, **kwargs)


def test_bad_input_gets_a_clear_error():
    layer = GRU(3, input_shape=(None, 2))
    with pytest.raises(ValueError, match=r"x for layer 'gru' must have 2 features"):
        layer(np.ones((1, 4, 5)))
    with pytest.raises(ValueError, match=r"initial_state for GRU 'gru' must be a list \[h0\]; "
                                         r"got 2 arrays"):
        layer(np.ones((1, 4, 2)), initial_state=[np.zeros((1, 3))] * 2)
    with pytest.raises(ValueError, match=r"initial_state h0 for GRU 'gru' must have shape "
                                         r"\(1, 3\)"):
        layer(np.ones((1, 4, 2)), initial_state=[np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"its output is a list \[output, h\]"):
        Sequential([GRU(3, return_state=True, input_shape=(4, 2))])
