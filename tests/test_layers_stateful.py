"""Stateful LSTMs: consecutive batches read as one long sequence, Keras's reset_states and
batch_input_shape, truncated gradients, and the checks of the batch size."""
import numpy as np
import pytest
from hypothesis import given

import minilstm
from conftest import GRADIENT_TOLERANCE, batches, features, seeds, units
from minilstm import LSTM, Bidirectional, Dense, Input, Sequential, gradcheck


def stateful_twin(layer, steps, features_):
    twin = LSTM(layer.units, return_sequences=True, stateful=True, dtype="float64")
    twin.build((None, steps, features_))
    twin.set_weights(layer.get_weights())
    return twin


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(batches, features, units, seeds)
def test_consecutive_batches_read_as_one_long_sequence(backend, batch, features_, units_, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 6, features_))
    whole = LSTM(units_, return_sequences=True, dtype="float64")
    whole.build((None, 6, features_), rng)
    stateful = stateful_twin(whole, 2, features_)
    with minilstm.use_backend(backend):
        expected = whole(x)
        pieces = [stateful(x[:, t:t + 2]) for t in (0, 2, 4)]
        np.testing.assert_allclose(np.concatenate(pieces, axis=1), expected, rtol=1e-12,
                                   atol=1e-14)
        np.testing.assert_allclose(stateful.states[0], expected[:, -1], rtol=1e-12, atol=1e-14)
        stateful.reset_states()                            # the next batch starts from zeros
        np.testing.assert_allclose(stateful(x[:, :2]), pieces[0], rtol=1e-12, atol=1e-14)


@given(batches, features, units, seeds)
def test_stateful_gradients_match_finite_differences_and_stop_at_the_batch(
        batch, features_, units_, seed):
    """The carried states are held for every evaluation of the loss (gradcheck), and no
    gradient flows back into them: truncated backpropagation, as in Keras."""
    rng = np.random.default_rng(seed)
    layer = LSTM(units_, stateful=True, dtype="float64")
    layer(rng.standard_normal((batch, 3, features_)))                 # a batch before
    errors = gradcheck.check_layer(layer, rng.standard_normal((batch, 3, features_)))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors
    assert layer.d_initial_state is None


def test_a_stateful_model_trains_as_keras_tutorials_train_it(tmp_path):
    """Brownlee's stateful LSTM: batch_input_shape, one epoch a fit, shuffle=False, and
    reset_states between epochs; the model saves and loads with its batch size."""
    series = np.sin(np.arange(60) / 4.0)
    x, y = series[:-1].reshape(-1, 1, 1), series[1:].reshape(-1, 1)
    model = Sequential([LSTM(4, batch_input_shape=(1, 1, 1), stateful=True), Dense(1)], seed=0)
    model.compile(loss="mean_squared_error", optimizer=minilstm.Adam(0.02))
    losses = []
    for _ in range(8):
        losses.append(model.fit(x, y, epochs=1, batch_size=1, verbose=0,
                                shuffle=False).history["loss"][0])
        model.reset_states()
    assert losses[-1] < 0.5 * losses[0]
    model.save(tmp_path / "stateful.npz")
    loaded = minilstm.load_model(tmp_path / "stateful.npz")
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    assert loaded.layers[0].get_config()["batch_input_shape"] == [1, 1, 1]
    np.testing.assert_array_equal(loaded.predict(x, batch_size=1), model.predict(x, batch_size=1))


def test_a_batch_of_another_size_is_refused_by_name():
    model = Sequential([LSTM(3, batch_input_shape=(2, 4, 1), stateful=True)])
    message = (r"LSTM 'lstm' is stateful and carries the states of 2 sequences from batch to "
               r"batch; got a batch of 3: give every batch that size \(batch_size=2 in fit, "
               r"evaluate and predict\), or call reset_states\(\) first")
    with pytest.raises(ValueError, match=message):
        model.predict(np.zeros((3, 4, 1)))
    layer = LSTM(3, stateful=True)
    layer(np.zeros((2, 4, 1)))
    with pytest.raises(ValueError, match="carries the states of 2 sequences"):
        layer(np.zeros((1, 4, 1)))
    layer.reset_states()
    assert layer(np.zeros((1, 4, 1))).shape == (1, 3)


def test_stateful_options_refused_by_name():
    with pytest.raises(ValueError, match="give batch_input_shape or input_shape, not both"):
        LSTM(3, batch_input_shape=(1, 4, 1), input_shape=(4, 1))
    with pytest.raises(ValueError, match=r"batch_input_shape must be \(batch, steps, "):
        LSTM(3, batch_input_shape=1)
    with pytest.raises(ValueError, match="stateful must be True or False; got 'yes'"):
        LSTM(3, stateful="yes")
    with pytest.raises(NotImplementedError, match="stateful=True is not implemented"):
        Bidirectional(LSTM(3, stateful=True))


def test_keras_3_gives_the_batch_size_of_a_stateful_model_by_its_input(tmp_path):
    """``Sequential([Input(batch_shape=(2, 3, 1)), LSTM(4, stateful=True), ...])``."""
    model = Sequential([Input(batch_shape=(2, 3, 1)), LSTM(4, stateful=True), Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    with pytest.raises(ValueError, match="carries the states of 2 sequences from batch to "
                                         "batch; got a batch of 3"):
        model.predict(np.zeros((3, 3, 1)))
    assert model.predict(np.zeros((2, 3, 1)), batch_size=2).shape == (2, 1)
    model.save(tmp_path / "m.npz")
    loaded = minilstm.load_model(tmp_path / "m.npz")
    assert loaded.layers[0].batch_size == 2
    assert Sequential([Input((3, 1), batch_size=5), LSTM(2, stateful=True)]).layers[
        0].batch_size == 5


@pytest.mark.parametrize("options, words", [
    ({"batch_shape": (2,)}, r"Input's batch_shape must be \(batch, ...\); got \(2,\)"),
    ({"shape": (3, 1), "batch_shape": (1, 3, 1)}, "give Input batch_shape, or shape and "
                                                  "batch_size; got both"),
    ({}, r"Input needs a shape, e.g. Input\(\(50, 1\)\)"),
    ({"shape": (3, 1), "batch_size": 0}, "Input's batch_size must be a positive integer"),
])
def test_input_refuses_batch_shapes_by_name(options, words):
    with pytest.raises(ValueError, match=words):
        Input(**options)
