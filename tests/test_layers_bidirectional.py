"""Bidirectional: the two LSTMs it composes, its merge modes' gradients, Keras's shapes,
counts and weight order."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minilstm
from conftest import GRADIENT_TOLERANCE, batches, features, seeds, steps, units
from minilstm import (LSTM, Bidirectional, Dense, RepeatVector, Sequential, TimeDistributed,
                      gradcheck)
from minilstm.layers.bidirectional import MERGE_MODES

merge_modes = st.sampled_from(MERGE_MODES)


def twin_lstms(layer, input_shape):
    """Plain LSTMs holding the wrapper's two sets of weights, both reading forwards."""
    twins = []
    for inner in (layer.forward_layer, layer.backward_layer):
        twin = LSTM(inner.units, return_sequences=inner.return_sequences, dtype="float64")
        twin.build(input_shape)
        twin.set_weights(inner.get_weights())
        twins.append(twin)
    return twins


@pytest.mark.parametrize("return_sequences", [True, False])
def test_the_output_merges_an_lstm_forwards_and_one_backwards_in_the_inputs_order(
        return_sequences):
    x = np.random.default_rng(0).standard_normal((3, 5, 2))
    outputs = {}
    for mode in MERGE_MODES:
        layer = Bidirectional(LSTM(4, return_sequences=return_sequences, dtype="float64"),
                              merge_mode=mode)
        layer.build((None, 5, 2), np.random.default_rng(1))
        outputs[mode] = layer(x)
    forwards, backwards = twin_lstms(layer, (None, 5, 2))
    y_f, y_b = forwards(x), backwards(x[:, ::-1])
    if return_sequences:
        y_b = y_b[:, ::-1]                        # step t of both belongs to x_t
    np.testing.assert_allclose(outputs["concat"], np.concatenate([y_f, y_b], axis=-1),
                               rtol=1e-13)
    np.testing.assert_allclose(outputs["sum"], y_f + y_b, rtol=1e-13)
    np.testing.assert_allclose(outputs["ave"], (y_f + y_b) / 2, rtol=1e-13)
    np.testing.assert_allclose(outputs["mul"], y_f * y_b, rtol=1e-13)
    np.testing.assert_allclose(outputs[None][1], y_b, rtol=1e-13)


@given(batches, steps, features, units, merge_modes, st.booleans(), seeds)
def test_bidirectional_gradients_match_finite_differences(batch, steps_, features_, units_,
                                                          merge_mode, return_sequences, seed):
    x = np.random.default_rng(seed).standard_normal((batch, steps_, features_))
    layer = Bidirectional(LSTM(units_, return_sequences=return_sequences, dtype="float64"),
                          merge_mode=merge_mode)
    layer.build((None, steps_, features_), np.random.default_rng(seed))
    errors = gradcheck.check_layer(layer, x)
    assert len(errors) == 7 and max(errors.values()) < GRADIENT_TOLERANCE, errors


@given(batches, steps, features, units, seeds)
def test_a_bidirectional_decoder_after_repeat_vector_gradients_match_finite_differences(
        batch, steps_, features_, units_, seed):
    """After a RepeatVector the model asks the wrapper for its input gradient summed over
    the steps, which it takes from both LSTMs."""
    rng = np.random.default_rng(seed)
    model = Sequential([LSTM(units_, input_shape=(None, features_), dtype="float64"),
                        RepeatVector(3, dtype="float64"),
                        Bidirectional(LSTM(units_, return_sequences=True, dtype="float64")),
                        TimeDistributed(Dense(2, dtype="float64"))], seed=seed)
    model.compile(loss="mse", optimizer="adam")
    errors = gradcheck.check_model(model, rng.standard_normal((batch, steps_, features_)),
                                   rng.standard_normal((batch, 3, 2)))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_keras_shapes_counts_names_and_weight_order():
    model = Sequential([Bidirectional(LSTM(20, return_sequences=True), input_shape=(10, 1)),
                        Bidirectional(LSTM(8), merge_mode="sum"),
                        Dense(1, activation="sigmoid")])
    first, second = model.layers[:2]
    assert first.output_shape == (None, 10, 40) and second.output_shape == (None, 8)
    assert [layer.count_params() for layer in model.layers] == [3520, 3136, 9]
    assert first.weight_names == ("forward_kernel", "forward_recurrent_kernel", "forward_bias",
                                  "backward_kernel", "backward_recurrent_kernel",
                                  "backward_bias")
    weights = first.get_weights()
    for got, expected in zip(weights, first.forward_layer.get_weights()
                             + first.backward_layer.get_weights()):
        np.testing.assert_array_equal(got, expected)
    assert (first.forward_layer.name, first.backward_layer.name) == ("forward_lstm",
                                                                     "backward_lstm")
    assert first.backward_layer.go_backwards and not first.forward_layer.go_backwards


def test_a_bidirectional_tagger_trains_saves_and_loads(tmp_path):
    """Brownlee's bidirectional LSTM tutorial: is the running sum past a threshold?"""
    rng = np.random.default_rng(0)
    x = rng.random((100, 10, 1))
    y = (np.cumsum(x, axis=1) > 2.5).astype(np.float64)
    model = Sequential([Bidirectional(LSTM(20, return_sequences=True), input_shape=(10, 1)),
                        TimeDistributed(Dense(1, activation="sigmoid"))], seed=0)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=10, epochs=8, verbose=0).history
    assert history["accuracy"][-1] > 0.85
    model.save(tmp_path / "tagger.npz")
    loaded = minilstm.load_model(tmp_path / "tagger.npz")
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_bidirectional_refuses_what_it_cannot_do_by_name():
    with pytest.raises(TypeError,
                       match="Bidirectional wraps an LSTM, a GRU or a SimpleRNN; got Dense"):
        Bidirectional(Dense(3))
    with pytest.raises(NotImplementedError, match="return_state=True is not implemented"):
        Bidirectional(LSTM(3, return_state=True))
    with pytest.raises(ValueError, match="merge_mode must be one of .*; got 'max'"):
        Bidirectional(LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="has merge_mode=None, so its output is a list"):
        Sequential([Bidirectional(LSTM(3), merge_mode=None, input_shape=(4, 2))])
    with pytest.raises(ValueError, match="needs input shape \\(batch, time, features\\)"):
        Bidirectional(LSTM(3)).build((None, 4))
